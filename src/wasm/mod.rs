//! wasm-bindgen glue: the JS exports of docs/api.md over the sans-IO core. Every export returns plain JS
//! values and throws `Error` objects carrying a `code` of docs/api.md.

mod abort;
mod contract;
mod date;
mod errors;
pub mod exports;
mod fetch;
mod host;
mod options;
mod parts;
mod pipeline;
mod progress;
mod range;
mod seed;
mod stream;
