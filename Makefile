# Every target runs scripts/setup first, so a fresh machine needs nothing but Rust, Node, npm and Python.
SHELL := /bin/bash
WASM_RAW := target/wasm32-unknown-unknown/release/openathens_rawstats.wasm
PKG := www/pkg

.PHONY: setup build package test bench serve serve-worker fuzz test-native test-wasm test-js
.DEFAULT_GOAL := build

setup:
	@scripts/setup

build: setup
	cargo build --release --target wasm32-unknown-unknown --lib
	wasm-bindgen --target web --out-dir $(PKG) $(WASM_RAW)
	flags=$$(node scripts/cargo-metadata.mjs wasm-opt) && node_modules/.bin/wasm-opt $$flags $(PKG)/openathens_rawstats_bg.wasm -o $(PKG)/openathens_rawstats_bg.wasm
	@echo "wasm: $$(wc -c < $(PKG)/openathens_rawstats_bg.wasm) bytes, $$(gzip -9c $(PKG)/openathens_rawstats_bg.wasm | wc -c) gzipped"
	mkdir -p www/vendor && cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/ && cp node_modules/uplot/LICENSE www/vendor/uPlot.LICENSE
	# uPlot's types beside its module, for tsc --checkJs (make test's check of www/).
	cp node_modules/uplot/dist/uPlot.d.ts www/vendor/uPlot.esm.d.ts

# The npm package (engine, <openathens-report>, its worker, styles, uPlot, types, licences) in target/npm/,
# assembled from www/ so that the site's pkg/ never gets npm's package.json and README; see npm/README.md.
package: build
	node scripts/package.mjs

test: test-native test-wasm test-js

test-native: setup
	cargo test --workspace --release

# The same wasm-bindgen-test suite, once in Node and once in headless Chromium.
test-wasm: setup
	cargo test --release --target wasm32-unknown-unknown --test wasm
	WASM_BINDGEN_USE_BROWSER=1 cargo test --release --target wasm32-unknown-unknown --test wasm

# Page, fetch, demo API, package (Vite, Node, tsc) and Worker tests; they share the release gen-report for
# their data. First the JSDoc types of www/ and worker/ (tsc --checkJs), and the Worker as Cloudflare would
# take it: wrangler bundles it (offline, nothing uploaded) and checks wrangler.toml, so a config or import
# that deploy would refuse fails here; tests/js/wrangler-dev.test.mjs then starts `wrangler dev` on it.
test-js: package
	cargo build --release -p rawstats-gen
	node_modules/.bin/tsc -p www/tsconfig.json
	node_modules/.bin/tsc -p worker/tsconfig.json
	cd worker && WRANGLER_SEND_METRICS=false ../node_modules/.bin/wrangler deploy --dry-run --outdir ../target/wrangler-dry-run
	GEN_REPORT=$(CURDIR)/target/release/gen-report node --test --test-concurrency=1 tests/js/

bench: setup
	scripts/bench

# tests/fuzz.rs at length: FUZZ_CASES mutated inputs from tests/fuzz-corpus/ (make test runs 3,000).
fuzz: setup
	FUZZ_CASES=$${FUZZ_CASES:-1000000} cargo test --release --test fuzz -- --nocapture

# The page and the demo reports API (demo-api/README.md) on one port; gen-report makes the demo data.
serve: build
	cargo build --release -p rawstats-gen
	node demo-api/main.mjs --port 8080

# The Worker as Cloudflare runs it (wrangler dev --local): the page, /summary and /history on one origin, in
# front of the demo reports API, its archive filled with the demo's last 30 days; see docs/worker.md.
serve-worker: build
	cargo build --release -p rawstats-gen
	node scripts/serve-worker.mjs
