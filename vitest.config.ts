import { defineConfig, type Plugin } from 'vitest/config';
import { coreModule, deflatedCore } from './scripts/core-bytes.mjs';
import { VIRTUAL_PREFIX, virtualModule } from './scripts/worker-source.mjs';

/** Lets tests import the compiled core as the bundles do (scripts/core-bytes.mjs): deflated, inflated at first use. */
function wasmBytes(): Plugin {
  return {
    name: 'wasm-bytes',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.wasm')) return null;
      const base64 = deflatedCore(id).toString('base64');
      return coreModule(`Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0))`);
    },
  };
}

/** Gives `virtual:flipcert-worker/*` the bundled workers' code, as scripts/build.mjs does for dist/. */
function workerSources(): Plugin {
  return {
    name: 'flipcert-worker-source',
    resolveId: (id) => (id.startsWith(VIRTUAL_PREFIX) ? `\0${id}` : null),
    load: (id) => (id.startsWith(`\0${VIRTUAL_PREFIX}`) ? virtualModule(id.slice(1 + VIRTUAL_PREFIX.length)) : null),
  };
}

export default defineConfig({
  plugins: [wasmBytes(), workerSources()],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
