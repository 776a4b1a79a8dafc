// The worker entries (browser-worker.ts, worker.ts), each bundled into one
// self-contained script and provided as text by scripts/worker-source.mjs:
// to scripts/build.mjs (esbuild) and vitest.config.ts (tests).
declare module 'virtual:flipcert-worker/browser' {
  const source: string;
  export default source;
}
declare module 'virtual:flipcert-worker/node' {
  const source: string;
  export default source;
}
