//! wasm-bindgen glue (in progress).
