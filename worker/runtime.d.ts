// What the Workers runtime has beyond lib.webworker, for tsc --checkJs (make test).

/** A .wasm import: the module the runtime compiled at upload. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

interface SubtleCrypto {
  /** Compares two buffers of one length in time that does not depend on their contents. */
  timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean;
}
