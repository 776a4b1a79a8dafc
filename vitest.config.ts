import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';
import { VIRTUAL_PREFIX, workerSource } from './scripts/worker-source.mjs';

/** Lets tests import the compiled core as bytes, as esbuild's binary loader does for bundles. */
function wasmBytes(): Plugin {
  return {
    name: 'wasm-bytes',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.wasm')) return null;
      const base64 = readFileSync(id).toString('base64');
      return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
    },
  };
}

/** Gives `virtual:flipcert-worker/*` the bundled worker's code, as scripts/build.mjs does for dist/. */
function workerSources(): Plugin {
  return {
    name: 'flipcert-worker-source',
    resolveId: (id) => (id.startsWith(VIRTUAL_PREFIX) ? `\0${id}` : null),
    async load(id) {
      if (!id.startsWith(`\0${VIRTUAL_PREFIX}`)) return null;
      const source: string = await workerSource(id.slice(1 + VIRTUAL_PREFIX.length));
      return `export default ${JSON.stringify(source)};`;
    },
  };
}

export default defineConfig({
  plugins: [wasmBytes(), workerSources()],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
