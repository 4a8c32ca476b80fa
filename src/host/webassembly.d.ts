// Node runs WebAssembly, but @types/node leaves its declarations to lib.dom, which this project does
// not load. The part md5-lanes.ts and the file-inspector worker use:
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque handle; esbuild's types declare the same empty interface
  interface Module {}
  var Module: { new (bytes: Uint8Array): Module; prototype: Module }
  interface Instance {
    readonly exports: Record<string, unknown>
  }
  var Instance: { new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance }
  interface Memory {
    readonly buffer: ArrayBuffer
  }
  function validate(bytes: Uint8Array): boolean
}
