// The workers' code, each bundled into one self-contained piece and handed to
// the library bundles as a virtual module, so that starting a worker never
// depends on locating a file next to the bundle. Shared by scripts/build.mjs
// and vitest.config.ts.
//
// - `virtual:flipcert-worker/node`: Node's worker thread entry as text (started with `eval: true`).
// - `virtual:flipcert-worker/side/<name>`: a Web Worker side as one function that refers to nothing
//   outside itself and returns the side's exports. The browser pool starts each worker from the
//   function's own text and the calling thread calls it, so its code is in a bundle once, and an
//   application bundler that sees no use of a side drops it whole.
import { build } from 'esbuild';

export const WORKERS = {
  /** Node worker thread, started with `eval: true` (as CommonJS or as ESM: see src/pool/node-worker.ts). */
  node: { entry: 'src/pool/node-worker.ts', platform: 'node' },
};

export const SIDES = {
  /** certify's Web Workers: partitions and thread teams (src/pool/partition-side.ts). */
  partitions: 'src/pool/partition-side.ts',
  /** validate's: the same with the network trainings (src/pool/network-side.ts). */
  networks: 'src/pool/network-side.ts',
};

export const VIRTUAL_PREFIX = 'virtual:flipcert-worker/';
const SIDE_PREFIX = 'side/';
/** The variable the side's bundle assigns its exports to, inside the function. */
const SIDE_EXPORTS = 'flipcertSide';

const common = { bundle: true, write: false, format: 'iife', target: 'es2022', legalComments: 'none', logLevel: 'warning' };

/** Bundles one worker; returns its code. */
export async function workerSource(kind) {
  const { entry, platform } = WORKERS[kind];
  // Whitespace and syntax only: names stay, so a worker's stack trace still reads.
  const result = await build({ ...common, entryPoints: [entry], platform, minifyWhitespace: true, minifySyntax: true });
  return result.outputFiles[0].text;
}

/**
 * Bundles one side; returns a module whose default export is its function.
 * Minified (the worker's text is what the application ships), and lowered to
 * ES2017 with its helpers inside: an application bundler that lowers syntax
 * (class fields, object spread) for older targets finds nothing to rewrite
 * with helpers of its own, which would sit outside the function.
 */
export async function sideModule(name) {
  const result = await build({
    ...common,
    entryPoints: [SIDES[name]],
    platform: 'browser',
    globalName: SIDE_EXPORTS,
    minify: true,
    target: 'es2017',
  });
  return `export default function flipcertWorkerSide() {\n${result.outputFiles[0].text}return ${SIDE_EXPORTS};\n}\n`;
}

/** The module for `virtual:flipcert-worker/<path>`. */
export async function virtualModule(path) {
  if (path.startsWith(SIDE_PREFIX)) return sideModule(path.slice(SIDE_PREFIX.length));
  return `export default ${JSON.stringify(await workerSource(path))};`;
}

/** esbuild plugin: resolves `virtual:flipcert-worker/*` to {@link virtualModule}. */
export function workerSourcePlugin() {
  return {
    name: 'flipcert-worker-source',
    setup(build) {
      build.onResolve({ filter: /^virtual:flipcert-worker\// }, (args) => ({ path: args.path, namespace: 'flipcert-worker' }));
      build.onLoad({ filter: /.*/, namespace: 'flipcert-worker' }, async (args) => ({
        contents: await virtualModule(args.path.slice(VIRTUAL_PREFIX.length)),
        loader: 'js',
      }));
    },
  };
}
