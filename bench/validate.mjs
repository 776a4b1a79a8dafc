#!/usr/bin/env node
// Wall time of the README's `flipcert validate` example (issue 9): runs the CLI
// once as a child process, measures wall and CPU time (GNU time), and writes
// the run's table into bench/RESULTS.md under "## validate: the README example"
// (replacing that section, keeping the others). bench/run.mjs calls it last.
//   node bench/validate.mjs [--args "…validate flags…"] [--keep DIR]
// --keep DIR keeps the run's validate.json and validate.svg in DIR.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.FLIPCERT_CLI ?? join(ROOT, 'dist', 'cli.js');
/** The README's example (keep the two in step). */
export const EXAMPLE = '--dataset mnist17 --train-size 200 --test-size 20 --widths 256,1024,4096 --seeds 2';
const HEADING = '\n## validate: the README example';

function run(args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, CLI, 'validate', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const times = stderr.trim().split('\n').pop().split(' ').map(Number);
      resolve({ code, stdout, stderr, wallS: (performance.now() - started) / 1000, userS: times[1], systemS: times[2], rssMiB: times[3] / 1024 });
    });
  });
}

export async function runValidateBench(args = EXAMPLE, log = console.log, keep = undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-validate-'));
  const out = join(dir, 'validate.json');
  const plot = join(dir, 'validate.svg');
  const load = loadavg()[0];
  log(`validate: node dist/cli.js validate ${args}`);
  // The table is the CLI's own stdout (no progress bar: stderr is not a terminal).
  const result = await run([...args.split(/\s+/), '--out', out, '--plot', plot]);
  const json = result.code === 0 ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
  if (json && keep) for (const file of [out, plot]) copyFileSync(file, join(keep, file.slice(dir.length + 1)));
  rmSync(dir, { recursive: true, force: true });
  const table = result.code === 0 ? result.stdout : result.stderr;
  return `${HEADING}

\`node dist/cli.js validate ${args}\` on ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores
(load average ${load.toFixed(2)} at the start; other work on the machine inflates the wall time), ${new Date().toISOString()}.
${result.code === 0 ? '' : `**Failed** with exit status ${result.code}.\n`}
- wall time ${result.wallS.toFixed(1)} s (the run's own \`seconds\`: ${json?.seconds?.toFixed(1) ?? '–'} s); CPU time user ${result.userS} s + system ${result.systemS} s; peak RSS ${result.rssMiB.toFixed(0)} MiB

\`\`\`
${table.trim()}
\`\`\`
`;
}

/** Puts `section` into bench/RESULTS.md in place of the previous validate section. */
export function writeSection(section, file = join(ROOT, 'bench', 'RESULTS.md')) {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '# flipcert benchmark results\n';
  const at = previous.indexOf(HEADING);
  const rest = at < 0 ? '' : previous.slice(at + HEADING.length);
  const next = rest.search(/\n## /);
  const kept = at < 0 ? previous : previous.slice(0, at) + (next < 0 ? '' : rest.slice(next));
  writeFileSync(file, `${kept.trimEnd()}\n${section}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--args');
  const keep = process.argv.indexOf('--keep');
  const section = await runValidateBench(at >= 0 ? process.argv[at + 1] : EXAMPLE, console.log, keep >= 0 ? process.argv[keep + 1] : undefined);
  console.log(section);
  writeSection(section);
}
