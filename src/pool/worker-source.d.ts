// What scripts/worker-source.mjs provides, to scripts/build.mjs (esbuild) and
// vitest.config.ts (tests): Node's worker thread entry (node-worker.ts),
// bundled into one self-contained script, as text; and each Web Worker side
// (partition-side.ts, network-side.ts) bundled into one self-contained
// function that returns its exports (src/pool/browser.ts WorkerSide).
declare module 'virtual:flipcert-worker/node' {
  const source: string;
  export default source;
}
declare module 'virtual:flipcert-worker/side/partitions' {
  const side: () => typeof import('./partition-side.js');
  export default side;
}
declare module 'virtual:flipcert-worker/side/networks' {
  const side: () => typeof import('./network-side.js');
  export default side;
}
