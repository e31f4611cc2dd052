//! wasm-bindgen glue: the JS exports of SPEC.md over the sans-IO core. Every export returns plain JS
//! values and throws `Error` objects carrying a SPEC `code`.

mod errors;
pub mod exports;
mod fetch;
mod host;
mod seed;
mod stream;
