# The Worker in plain workerd, for the tests (tests/js/worker.test.mjs) and for trying it locally:
#   node scripts/workerd-modules.mjs
#   OPENATHENS_API_NAME=demo.openathens.test OPENATHENS_API_KEY=demo-key \
#   OPENATHENS_BASE_URL=http://127.0.0.1:8080/api/v1 ALLOWED_ORIGINS=http://127.0.0.1:8080 PUBLIC_SUMMARY=true \
#   node_modules/.bin/workerd serve worker/workerd.capnp --experimental -d history=/tmp/history
# Settings come from the environment, as wrangler.toml's vars and secrets do on Cloudflare. The HISTORY
# KV namespace is a writable directory (one file per day); the `cron` socket fires the scheduled handler
# through a service binding, as Cloudflare's cron trigger does (POST /?scheduledTime=<ms>).
using Workerd = import "/workerd/workerd.capnp";
# Every module of worker/src and the wasm package, listed by scripts/workerd-modules.mjs (run it first),
# and wrangler.toml's compatibility_date, which both Workers here run under.
using Modules = import "../target/workerd-modules.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .summaryWorker),
    (name = "cron", worker = .cronTrigger),
    (name = "history", disk = (path = "/tmp/openathens-history", writable = true)),
    # The Worker reaches the reports API wherever it is, a demo on 127.0.0.1 included.
    (name = "network", network = (allow = ["public", "local"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
    (name = "cron", address = "127.0.0.1:8788", http = (), service = "cron"),
  ],
);

const summaryWorker :Workerd.Worker = (
  modules = Modules.summaryModules,
  compatibilityDate = Modules.compatibilityDate,
  globalOutbound = "network",
  bindings = [
    (name = "OPENATHENS_API_NAME", fromEnvironment = "OPENATHENS_API_NAME"),
    (name = "OPENATHENS_API_KEY", fromEnvironment = "OPENATHENS_API_KEY"),
    (name = "OPENATHENS_API_KEYS", fromEnvironment = "OPENATHENS_API_KEYS"),
    (name = "OPENATHENS_BASE_URL", fromEnvironment = "OPENATHENS_BASE_URL"),
    (name = "ALLOWED_ORIGINS", fromEnvironment = "ALLOWED_ORIGINS"),
    (name = "READ_TOKEN", fromEnvironment = "READ_TOKEN"),
    (name = "PUBLIC_SUMMARY", fromEnvironment = "PUBLIC_SUMMARY"),
    (name = "ACCESS_TEAM_DOMAIN", fromEnvironment = "ACCESS_TEAM_DOMAIN"),
    (name = "ACCESS_AUD", fromEnvironment = "ACCESS_AUD"),
    (name = "ACCESS_CERTS_URL", fromEnvironment = "ACCESS_CERTS_URL"),
    (name = "SECURITY_READERS", fromEnvironment = "SECURITY_READERS"),
    (name = "SHARE_SECRET", fromEnvironment = "SHARE_SECRET"),
    (name = "CRON_MAX_SUBREQUESTS", fromEnvironment = "CRON_MAX_SUBREQUESTS"),
    (name = "CRON_MAX_SECONDS", fromEnvironment = "CRON_MAX_SECONDS"),
    (name = "HISTORY", kvNamespace = "history"),
  ],
);

const cronTrigger :Workerd.Worker = (
  modules = [(name = "cron.js", esModule = embed "cron-trigger.js")],
  compatibilityDate = Modules.compatibilityDate,
  compatibilityFlags = ["service_binding_extra_handlers"],
  bindings = [(name = "WORKER", service = "main")],
);
