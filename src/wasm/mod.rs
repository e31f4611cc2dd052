//! wasm-bindgen glue: the JS exports of docs/api.md over the sans-IO core. Every export returns plain JS
//! values and throws `Error` objects carrying a `code` of docs/api.md.

mod errors;
pub mod exports;
mod fetch;
mod host;
mod range;
mod seed;
mod stream;
