// The compiled compute core: a function returning its bytes, which the
// bundles carry deflated and inflate at the first call (scripts/core-bytes.mjs,
// used by scripts/build.mjs and by vitest.config.ts for the tests).
declare module '*.wasm' {
  const coreBytes: () => Uint8Array<ArrayBuffer>;
  export default coreBytes;
}
