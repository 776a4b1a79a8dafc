// The packed package in Cloudflare's workerd, Vercel's edge runtime, Bun and
// Deno, each built and run with its own tooling at default settings
// (test/support/runtime-project.ts): every result must equal the Node
// library's JSON, and each edge runtime that cannot compile WebAssembly must
// answer a missing wasmModule with the FlipcertError that says to pass one.
// The runtimes are devDependencies: a missing one fails here, never skips.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certify } from '../src/index.js';
import { clusters } from './support/clusters.js';
import { installPackedPackage, typeCheck, withoutRunMetadata } from './support/consumer-project.js';
import {
  buildEdgeFunction,
  buildWorker,
  dispatchToEdgeRuntime,
  dispatchToWorkerd,
  runScript,
  writeRuntimeSources,
  type Reply,
} from './support/runtime-project.js';

/** 3 classes, 4 partitions: the ensemble path. */
const PROBLEM = { ...clusters(2024, 60, 10, 3), partitions: 4 };
let dir: string;
let expected: unknown;

beforeAll(async () => {
  [dir, expected] = await Promise.all([
    installPackedPackage(),
    certify({ ...PROBLEM, threads: 1 }).then(withoutRunMetadata),
  ]);
  writeRuntimeSources(dir);
  writeFileSync(join(dir, 'problem.json'), JSON.stringify(PROBLEM));
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The reply of a runtime that must compile nothing itself: the error saying to pass flipcert/wasm. */
function expectNeedsWasmModule(reply: Reply): void {
  expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', code: 'EUNSUPPORTED', field: 'wasmModule' });
  expect((reply as { message: string }).message).toMatch(/could not compile .*disallowed by embedder.*flipcert\/wasm.*options\.wasmModule/);
}

function expectSameResult(reply: Reply): void {
  if (!reply.ok) throw new Error(`${reply.code}: ${reply.message}`);
  expect(withoutRunMetadata(reply.result)).toEqual(expected);
}

describe('Cloudflare workerd (miniflare), the Worker built by wrangler with default settings', () => {
  let outdir: string;
  beforeAll(async () => {
    outdir = await buildWorker(dir);
  }, 120_000);

  it('flipcert/flipcert.wasm and flipcert/wasm both arrive as WebAssembly.Modules; same result as Node; none: EUNSUPPORTED', async () => {
    const [file, subpath, none] = await dispatchToWorkerd(outdir, PROBLEM, ['?wasm=file', '?wasm=subpath', '?wasm=none']);
    expectSameResult(file);
    expectSameResult(subpath);
    expectNeedsWasmModule(none);
  });

  it("the Worker wrangler built, and the README's, type-check with tsc (bundler resolution, flipcert/wasm as a WebAssembly.Module)", async () => {
    await typeCheck(dir, 'tsconfig.worker.json');
  });
});

describe("Vercel's edge runtime (edge-runtime), the function bundled with its export conditions", () => {
  let edge: Awaited<ReturnType<typeof buildEdgeFunction>>;
  beforeAll(async () => {
    edge = await buildEdgeFunction(dir);
  });

  it('with the ?module import: same result as Node, whether or not the runtime may compile WebAssembly', async () => {
    for (const wasmCodegen of [true, false]) {
      const [reply] = await dispatchToEdgeRuntime(edge, PROBLEM, ['?wasm=file'], wasmCodegen);
      expectSameResult(reply);
    }
  });

  it("without wasmModule: compiles the inlined core where the runtime allows it (the package's default), EUNSUPPORTED where it does not (Vercel's deployments)", async () => {
    const [allowed] = await dispatchToEdgeRuntime(edge, PROBLEM, ['?wasm=none'], true);
    expectSameResult(allowed);
    const [forbidden] = await dispatchToEdgeRuntime(edge, PROBLEM, ['?wasm=none'], false);
    expectNeedsWasmModule(forbidden);
  });
});

describe.each(['bun', 'deno'] as const)('%s, importing flipcert from node_modules', (runtime) => {
  it('threads 2 on worker threads: same result as Node', async () => {
    const result = (await runScript(dir, runtime, 'problem.json')) as { summary: { threads: number } };
    expect(result.summary.threads).toBe(2);
    expect(withoutRunMetadata(result)).toEqual(expected);
  });
});
