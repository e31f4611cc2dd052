//! Keys the engine's hash tables with host randomness when the module starts (see `engine::seed`).

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
fn key_hash_tables() {
    // Two draws of Math.random, present in every host (page, Worker, Node, workerd); it need not be
    // cryptographic, only unknown to whoever wrote the report.
    let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    crate::engine::set_hash_seed(draw() << 32 | draw());
}
