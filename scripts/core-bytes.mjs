// How the bundles hold the compute core: `import coreBytes from '.../flipcert.wasm'`
// gives a function returning the core's bytes, which the bundle carries
// deflated (raw DEFLATE, level 9: 34 kB of Wasm become 18 kB of base64 instead
// of 46 kB) and inflates with fflate at the first call, on any runtime (no
// DecompressionStream, no atob needed). Shared by scripts/build.mjs,
// scripts/build-app.mjs, bench/ and vitest.config.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

/**
 * fflate's plain ES module (`fflate/browser`: no Node built-ins), by path, so
 * that it is bundled into every build, the Node ones included (they keep bare
 * package imports external): it is a build-time dependency, not the package's.
 */
const FFLATE = join(dirname(createRequire(import.meta.url).resolve('fflate/package.json')), 'esm/browser.js');

/** The core file's bytes, deflated. */
export function deflatedCore(path) {
  return deflateRawSync(readFileSync(path), { level: 9 });
}

/** The module for a `.wasm` import, given the expression that yields its deflated bytes. */
export function coreModule(deflatedExpression, imports = '') {
  return `${imports}import { inflateSync } from ${JSON.stringify(FFLATE)};
let bytes;
/** The core's bytes, inflated once, at the first call. */
export default function coreBytes() {
  return (bytes ??= inflateSync(${deflatedExpression}));
}
`;
}

/** esbuild plugin: `.wasm` imports become {@link coreModule}, the deflated bytes loaded by esbuild's binary loader. */
export function coreBytesPlugin() {
  return {
    name: 'flipcert-core-bytes',
    setup(build) {
      build.onLoad({ filter: /\.wasm$/ }, (args) => ({
        contents: coreModule('deflated', `import deflated from ${JSON.stringify(`${args.path}.deflated`)};\n`),
        loader: 'js',
        resolveDir: process.cwd(),
      }));
      build.onResolve({ filter: /\.wasm\.deflated$/ }, (args) => ({ path: args.path, namespace: 'flipcert-deflated' }));
      build.onLoad({ filter: /.*/, namespace: 'flipcert-deflated' }, (args) => ({
        contents: deflatedCore(args.path.slice(0, -'.deflated'.length)),
        loader: 'binary',
      }));
    },
  };
}
