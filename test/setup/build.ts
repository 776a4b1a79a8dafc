// CLI tests run the bundled CLI: rebuild the bundle from the current sources
// first (esbuild takes well under a second), and the Wasm core if it is missing
// or older than its sources, so a test never runs against a stale build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';

export default function setup(): void {
  const wasm = 'build/flipcert.wasm';
  const newest = Math.max(...readdirSync('assembly').map((f) => statSync(`assembly/${f}`).mtimeMs));
  if (!existsSync(wasm) || statSync(wasm).mtimeMs < newest) {
    execFileSync('npx', ['asc', 'assembly/index.ts', '--target', 'release'], { stdio: 'inherit' });
  }
  execFileSync('node', ['scripts/build.mjs', '--no-types'], { stdio: 'inherit' });
}
