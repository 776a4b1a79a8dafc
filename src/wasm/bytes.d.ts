// The compiled compute core, inlined as bytes by esbuild's `binary` loader
// (bundles) or by the `wasm-bytes` plugin in vitest.config.ts (tests).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
