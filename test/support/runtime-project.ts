// The packed package in the runtimes beyond Node and Chromium, each driven
// by its own tooling with default settings, as the README's recipes say:
// - Cloudflare: a Worker (TypeScript) built by `wrangler deploy --dry-run`
//   from a wrangler.toml holding only name, main and compatibility_date,
//   then run in workerd through miniflare;
// - Vercel's edge runtime (the `edge-runtime` package): a fetch handler
//   bundled by esbuild with Vercel's export conditions, the `?module` import
//   bound to a compiled WebAssembly.Module as Vercel's bundler does;
// - Bun and Deno: a plain ES module importing 'flipcert' from node_modules.
// Every runtime binary comes from this repository's devDependencies.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';

const run = promisify(execFile);
const BIN = resolve('node_modules/.bin');

/** One request's answer: the result, or the error as plain fields. */
export type Reply =
  | { ok: true; result: unknown }
  | { ok: false; name: string; code: string; field: string | undefined; message: string };

/** Which module the handler passes as wasmModule: `?wasm=<name>`; any other name passes none. */
const HANDLER = `import { certify, type CertifyOptions, type FlipcertError } from 'flipcert';

/** Certifies the JSON problem in the body with modules[?wasm] as wasmModule (none for an unknown name). */
export async function respond(request: Request, modules: Record<string, WebAssembly.Module>): Promise<Response> {
  const problem = (await request.json()) as CertifyOptions;
  const wasmModule = modules[new URL(request.url).searchParams.get('wasm') ?? ''];
  try {
    return Response.json({ ok: true, result: await certify({ ...problem, wasmModule }) });
  } catch (error) {
    const { name, code, field, message } = error as FlipcertError;
    return Response.json({ ok: false, name, code, field, message });
  }
}
`;

/** The Cloudflare Worker: both names of the core, each compiled by wrangler's default rules. */
const WORKER = `import wasmFile from 'flipcert/flipcert.wasm';
import wasmSubpath from 'flipcert/wasm';
import { respond } from './handler.js';

export default {
  fetch: (request: Request) => respond(request, { file: wasmFile, subpath: wasmSubpath }),
};
`;

/** What a Cloudflare project has by default: name, main, compatibility date. */
const WRANGLER_TOML = `name = "flipcert-consumer"
main = "src/worker.ts"
compatibility_date = "2025-01-01"
`;

/** TypeScript as a Worker project sets it (bundler resolution), checking the Worker wrangler builds. */
const TSCONFIG_WORKER = {
  compilerOptions: {
    target: 'es2022', module: 'es2022', moduleResolution: 'bundler', lib: ['es2022', 'dom'],
    strict: true, noEmit: true, types: [], skipLibCheck: false, allowImportingTsExtensions: false,
  },
  files: ['src/worker.ts', 'src/readme-worker.ts'],
};

/** A Vercel edge function, in the service-worker form the edge-runtime package runs. */
const EDGE = `import wasmModule from 'flipcert/flipcert.wasm?module';
import { respond } from './handler.js';

addEventListener('fetch', (event) => event.respondWith(respond(event.request, { file: wasmModule })));
`;

/** Bun and Deno: certify the problem file in argv[2] with 2 threads, print the result. */
const SCRIPT = `import { readFileSync } from 'node:fs';
import { certify } from 'flipcert';
const problem = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const result = await certify({ ...problem, threads: 2 });
process.stdout.write(JSON.stringify(result));
`;

/** The README's Cloudflare Worker: the first TypeScript block of its "Bundlers, edge runtimes, Electron" section. */
function readmeWorker(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Bundlers, edge runtimes, Electron'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README.md: no TypeScript block in 'Bundlers, edge runtimes, Electron'");
  return block[1];
}

/** Writes the runtime entries into an installed consumer project (test/support/consumer-project.ts). */
export function writeRuntimeSources(dir: string): void {
  writeFileSync(join(dir, 'src/readme-worker.ts'), readmeWorker());
  writeFileSync(join(dir, 'src/handler.ts'), HANDLER);
  writeFileSync(join(dir, 'src/worker.ts'), WORKER);
  writeFileSync(join(dir, 'wrangler.toml'), WRANGLER_TOML);
  writeFileSync(join(dir, 'tsconfig.worker.json'), JSON.stringify(TSCONFIG_WORKER));
  writeFileSync(join(dir, 'src/edge.js'), EDGE);
  writeFileSync(join(dir, 'src/script.mjs'), SCRIPT);
}

/** `wrangler deploy --dry-run --outdir out/cloudflare`: wrangler's own bundle, as it would upload it. */
export async function buildWorker(dir: string): Promise<string> {
  const outdir = join(dir, 'out/cloudflare');
  await run(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  }).catch((error) => {
    throw new Error(`wrangler failed:\n${error.stdout}${error.stderr}`);
  });
  return outdir;
}

/** Dispatches one POST of `problem` to wrangler's Worker in workerd (miniflare); `query` picks the module. */
export async function dispatchToWorkerd(outdir: string, problem: unknown, queries: string[]): Promise<Reply[]> {
  const { Miniflare } = await import('miniflare');
  const main = readdirSync(outdir).find((f) => f.endsWith('.js'))!;
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(outdir, main),
    modulesRoot: outdir,
    compatibilityDate: '2025-01-01',
    // The module types wrangler uploads its output with.
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
  });
  try {
    const replies: Reply[] = [];
    for (const query of queries) {
      const response = await mf.dispatchFetch(`http://localhost/${query}`, { method: 'POST', body: JSON.stringify(problem) });
      replies.push((await response.json()) as Reply);
    }
    return replies;
  } finally {
    await mf.dispose();
  }
}

/**
 * The edge function bundled as Vercel's build does: export conditions
 * edge-light, worker, browser; each `*.wasm?module` import becomes a
 * WebAssembly.Module compiled at build time and bound to the function.
 */
export async function buildEdgeFunction(dir: string): Promise<{ code: string; modules: Record<string, WebAssembly.Module> }> {
  const wasmFiles: string[] = [];
  const wasmModules: Plugin = {
    name: 'wasm-module',
    setup(b) {
      b.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
        const resolved = await b.resolve(args.path.slice(0, -'?module'.length), { kind: args.kind, resolveDir: args.resolveDir });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        wasmFiles.push(resolved.path);
        return { path: resolved.path, namespace: 'wasm-module' };
      });
      b.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({
        contents: `export default globalThis.__wasmModules[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
  const result = await build({
    absWorkingDir: dir,
    entryPoints: ['src/edge.js'],
    bundle: true,
    write: false,
    format: 'iife',
    conditions: ['edge-light', 'worker', 'browser'],
    plugins: [wasmModules],
    logLevel: 'warning',
  });
  const modules = Object.fromEntries(wasmFiles.map((file) => [file, new WebAssembly.Module(readFileSync(file))]));
  return { code: result.outputFiles[0].text, modules };
}

/**
 * Runs the edge function in an EdgeRuntime and posts `problem` once per query.
 * `wasmCodegen: false` is Vercel's production rule (no WebAssembly compiled from bytes);
 * the edge-runtime package allows it by default.
 */
export async function dispatchToEdgeRuntime(
  edge: { code: string; modules: Record<string, WebAssembly.Module> },
  problem: unknown,
  queries: string[],
  wasmCodegen: boolean,
): Promise<Reply[]> {
  const { EdgeRuntime } = await import('edge-runtime');
  const runtime = new EdgeRuntime({
    codeGeneration: { strings: false, wasm: wasmCodegen },
    extend: (context) => Object.assign(context, { __wasmModules: edge.modules }),
  });
  runtime.evaluate(edge.code);
  const replies: Reply[] = [];
  for (const query of queries) {
    const response = await runtime.dispatchFetch(`http://localhost/${query}`, { method: 'POST', body: JSON.stringify(problem) });
    replies.push((await response.json()) as Reply);
  }
  return replies;
}

/** Runs src/script.mjs under Bun or Deno on a problem file; returns its result. */
export async function runScript(dir: string, runtime: 'bun' | 'deno', problemFile: string): Promise<unknown> {
  const args = runtime === 'bun' ? ['src/script.mjs', problemFile] : ['run', '--allow-read', 'src/script.mjs', problemFile];
  const { stdout } = await run(join(BIN, runtime), args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } }).catch((error) => {
    throw new Error(`${runtime} failed:\n${error.stdout}${error.stderr}`);
  });
  return JSON.parse(stdout);
}

/** The version a runtime binary reports (for the test names). */
export async function runtimeVersion(runtime: 'bun' | 'deno' | 'wrangler'): Promise<string> {
  const { stdout } = await run(join(BIN, runtime), ['--version']);
  return stdout.trim().split('\n')[0];
}
