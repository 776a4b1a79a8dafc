#!/usr/bin/env node
// `npm run bench`: describes the machine, runs the Wasm kernel benchmark
// (bench/kernels.mjs, when present), the vote-cost micro-benchmark
// (bench/votecosts.mjs), then the end-to-end comparison of bench/endtoend.mjs
// and the single-model thread scaling of bench/single-model.mjs, and writes
// everything to bench/RESULTS.md.
//   node bench/run.mjs [--quick] [--only id1,id2] [--no-purejs] [--heavy] [--no-kernels] [--no-votecosts] [--no-single] [--no-validate] [--baseline DIR]
// --baseline DIR: also the before/after phase tables of bench/phases.mjs against DIR's build (another checkout, built).
// Last, unless --quick, --only or --no-validate: the README's validate example (bench/validate.mjs).
// --quick runs small tasks only and writes bench/RESULTS.quick.md instead, as does --only.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, numpyEnv, PUREJS_LIMIT_S, runEndToEnd } from './endtoend.mjs';
import { renderSingleModel, runSingleModelScaling } from './single-model.mjs';
import { runValidateBench, writeSection } from './validate.mjs';
import { PHASE_TASKS, renderPhases, runPhases, writePhasesSection } from './phases.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function options(argv) {
  const onlyAt = argv.indexOf('--only');
  return {
    quick: argv.includes('--quick'),
    only: onlyAt >= 0 ? argv[onlyAt + 1].split(',') : null,
    purejs: !argv.includes('--no-purejs'),
    // The GTSRB-shaped task (bench/endtoend.mjs): over an hour with NumPy, so only when asked.
    heavy: argv.includes('--heavy'),
    kernels: !argv.includes('--no-kernels'),
    votecosts: !argv.includes('--no-votecosts'),
    // Part of a full run, and of an --only run that names mnist17-k1.
    single: !argv.includes('--no-single') && !argv.includes('--quick') && (onlyAt < 0 || argv[onlyAt + 1].split(',').includes('mnist17-k1')),
    validate: !argv.includes('--no-validate'),
    // Before and after (bench/phases.mjs) against another checkout's build, when given.
    baseline: argv.includes('--baseline') ? argv[argv.indexOf('--baseline') + 1] : undefined,
  };
}

/** CPU, memory, runtimes, and the BLAS kernel the NumPy child really runs. */
function describeMachine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '';
  const simd = ['avx2', 'fma', 'avx512f'].filter((f) => flags.split(' ').includes(f));
  let python = { error: 'python3 not runnable' };
  try {
    const text = execFileSync('python3', [join(ROOT, 'bench', 'reference_numpy.py'), '--describe'], { env: numpyEnv(), encoding: 'utf8' });
    python = JSON.parse(text);
  } catch (err) {
    python = { error: String(err.message).split('\n')[0] };
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout: leave "unknown"
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    simd,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    python,
    commit,
    openblasEnv: ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`),
  };
}

async function runKernels(quick, log) {
  const script = join(ROOT, 'bench', 'kernels.mjs');
  if (!existsSync(script)) return { text: 'bench/kernels.mjs not present; skipped.' };
  const args = quick ? [script, '--quick'] : [script];
  log(`kernels: node ${args.join(' ').replace(ROOT + '/', '')}`);
  const run = await measure('node', args);
  log(run.output.trim());
  return { text: run.output.trim(), code: run.code, wallS: run.wallS };
}

async function runVoteCosts(quick, log) {
  const args = [join(ROOT, 'bench', 'votecosts.mjs'), ...(quick ? ['--quick'] : [])];
  log(`vote costs: node ${args.join(' ').replace(ROOT + '/', '')}`);
  const run = await measure('node', args);
  log(run.output.trim());
  return { text: run.output.trim(), code: run.code };
}

const fmt = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));

function mismatchCell(cmp) {
  if (!cmp) return '–';
  if (cmp.total === 0) return 'identical';
  const above = cmp.radius ? `, ${cmp.radiusAbove} of them above` : '';
  return `**${cmp.total}** (pred ${cmp.prediction}, radius ${cmp.radius}${above}, dpa ${cmp.dpaRadius})`;
}

function resultRows(records) {
  const lines = [
    '| task | n train / test | k | implementation | wall s | CPU s | peak RSS MiB | accuracy | MCR EnsembleCert / DPA | vs flipcert | vs NumPy |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { task, runs } of records) {
    for (const run of Object.values(runs)) {
      const s = run.result?.summary;
      const status = run.skipped ? `skipped: ${run.skipped}` : run.error ? `failed (exit ${run.code}): ${run.error.replaceAll('|', '/')}` : null;
      lines.push(
        `| ${task.id} | ${task.train} / ${task.test} | ${task.k} | ${run.name} | ` +
          (status
            ? `${status} | | | | | | |`
            : `${fmt(run.wallS)} | ${fmt(run.cpuS)} | ${fmt(run.rssMiB, 0)} | ${fmt(s?.accuracy, 4)} | ${s?.mcr?.ensemblecert} / ${s?.mcr?.dpa} | ${mismatchCell(run.vsFlipcert)} | ${mismatchCell(run.vsNumpy)} |`),
      );
    }
  }
  return lines.join('\n');
}

function ratioRows(records, cores) {
  const lines = [
    `| task | flipcert(1)/NumPy | flipcert(${cores})/NumPy | pure JS/flipcert(1) | pure JS/flipcert(${cores}) | flipcert 1 thread ÷ ${cores} threads |`,
    '|---|---|---|---|---|---|',
  ];
  const time = (run) => (run?.result ? run.wallS : undefined);
  const ratio = (a, b) => (a && b ? fmt(a / b, 2) : '–');
  for (const { task, runs } of records) {
    const [one, many, numpy] = [time(runs.flipcert1), time(runs.flipcertN), time(runs.numpy)];
    const purejs = time(runs.purejs) ?? runs.purejs?.estimateS;
    const est = runs.purejs?.result ? '' : runs.purejs?.estimateS ? ' (est.)' : '';
    lines.push(
      `| ${task.id} | ${ratio(one, numpy)} | ${ratio(many, numpy)} | ${ratio(purejs, one)}${one && purejs ? est : ''} | ` +
        `${ratio(purejs, many)}${many && purejs ? est : ''} | ${ratio(one, many)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Counted flops of a task's kernels, with every partition taken as n/k rows
 * (hash partitions are near-equal): per partition the symmetric training Gram
 * n_p²·d, the test Gram 2·m·n_p·d, Cholesky n_p³/3 and the two solves 2·m·n_p².
 */
function taskFlops(task, d) {
  const np = task.train / task.k;
  return { gram: task.k * (np * np * d + 2 * task.test * np * d), cholesky: (task.k * np ** 3) / 3, solves: task.k * 2 * task.test * np * np };
}

const FEATURES = { mnist17: 784, mnist: 784, 'gtsrb-like': 1024 };

function profileRows(records) {
  const lines = [
    '| task | threads | Gram s (GFLOP/s) | NTK recursion s | Cholesky s (GFLOP/s) | solves s (GFLOP/s) | certificates s | other partition work s | setup s | aggregation s | total busy s | process CPU s | I/O wall s | start-up wall s | certify wall s | busy ÷ wall |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rate = (flops, s) => (s > 0 ? ` (${fmt(flops / s / 1e9)})` : '');
  for (const { task, runs } of records) {
    const flops = taskFlops(task, FEATURES[task.dataset] ?? 784);
    for (const run of [runs.flipcert1, runs.flipcertN]) {
      const p = run?.profile;
      if (!p) continue;
      lines.push(
        `| ${task.id} | ${run.name.replace(/^flipcert \((.*)\)$/, '$1')} | ${fmt(p['Gram (dot products)'])}${rate(flops.gram, p['Gram (dot products)'])} | ` +
          `${fmt(p['NTK recursion'])} | ${fmt(p.Cholesky)}${rate(flops.cholesky, p.Cholesky)} | ${fmt(p['triangular solves'])}${rate(flops.solves, p['triangular solves'])} | ` +
          `${fmt(p.certificates)} | ${fmt(p['other partition work'])} | ${fmt(p['setup (tasks)'])} | ${fmt(p.aggregation)} | ${fmt(p['total busy'])} | ${fmt(p['process CPU (user+sys)'])} | ` +
          `${fmt(p['I/O (reading data), wall'])} | ${fmt(p['start-up, wall'], 2)} | ${fmt(p['certify, wall'])} | ${fmt(p['busy ÷ wall'], 2)} |`,
      );
    }
  }
  return lines.join('\n');
}

function mismatchDetails(records) {
  const lines = [];
  for (const { task, runs } of records) {
    for (const run of Object.values(runs)) {
      for (const [against, cmp] of [['flipcert', run.vsFlipcert], ['NumPy', run.vsNumpy]]) {
        if (!cmp || cmp.total === 0) continue;
        lines.push(`- ${task.id}, ${run.name} vs ${against}: ${cmp.total} points differ; first ${cmp.examples.length}:`);
        for (const e of cmp.examples) {
          lines.push(`  - point ${e.index} (${e.fields.join(', ')}): ${against} ${JSON.stringify(e.reference)}, ${run.name} ${JSON.stringify(e.other)}`);
        }
      }
    }
  }
  return lines.length ? lines.join('\n') : 'None: every compared run gave identical predictions, radii and DPA radii.';
}

function render({ quick, machine, command, started, finished, loads, kernels, votecosts, records, single }) {
  const py = machine.python;
  const blas = py.blas?.map((b) => `${b.library}: core ${b.core}, ${b.threads} threads`).join('; ') ?? py.error;
  return `# flipcert benchmark results

Command: \`${command}\` (from the repository root), commit ${machine.commit}, ${started} – ${finished}.

## Machine
- CPU: ${machine.cpu}, ${machine.cores} cores (SIMD: ${machine.simd.join(', ') || 'none detected'}), ${fmt(machine.memoryGiB)} GiB memory
- Node ${machine.node}; Python ${py.python ?? '?'}, NumPy ${py.numpy ?? '?'}, SciPy ${py.scipy ?? '?'}
- NumPy/SciPy BLAS (as run by the NumPy child): ${blas}
- Environment: ${machine.openblasEnv.length ? machine.openblasEnv.join(', ') + ' set here; removed for the NumPy child only' : 'no OPENBLAS_* overrides'}
- Load average (1 min) at start / end: ${fmt(loads[0], 2)} / ${fmt(loads[1], 2)} — other work on the machine inflates every timing.

## Wasm kernels (\`node bench/kernels.mjs${quick ? ' --quick' : ''}\`)
\`\`\`
${kernels.text}
\`\`\`

## Vote costs (\`node bench/votecosts.mjs${quick ? ' --quick' : ''}\`)
One base model of 1,200 training rows (MNIST k = 50 has 1,200 per partition), one thread, CPU time. "direct
(before)" is the evaluation the core used before (every pair on fully sorted lists, kept as
\`voteCostsDirectBlock\`, the tests' reference); the last column checks that both give the same numbers.

${votecosts.text}

## End to end
Each cell is one run of one child process: wall time from spawn to exit (including start-up and data
loading), CPU time (user + system, all threads) and peak RSS from GNU time (\`%U\`, \`%S\`, \`%M\`). Model: KRR, reg 1, NTK depth 2, wVar 2, bVar 0, hash partitions.
"vs flipcert" counts test points whose prediction, certified radius or DPA radius differs from
flipcert's (${machine.cores}-thread run, else 1-thread). NumPy uses its BLAS's own threads (${py.blas?.[0]?.threads ?? '?'}).
Pure JS is single-threaded; it is skipped where a ${100}-point probe predicts more than ${PUREJS_LIMIT_S} s.
mnist17 with k = 1 uses the first 5,000 training rows (a 13,007-row Cholesky is out of reach for pure JS).

${resultRows(records)}

### Time ratios (lower than 1 = numerator faster)
${ratioRows(records, machine.cores)}

### Where the time goes (\`certify --profile\`)
Seconds per phase on the threads that ran them, summed over threads (src/certify/profile.ts: busy time, equal to CPU
time on a quiet machine; compare "process CPU", from the OS); in brackets the phase's rate in
GFLOP/s of counted flops (per partition of n_p ≈ n/k rows: Gram n_p²·d + 2·m·n_p·d, Cholesky n_p³/3, solves
2·m·n_p²), to set beside the kernels' one-thread figures above (their roofline on this machine). "I/O" is reading
the data; "certify wall" the library call; busy ÷ wall near the thread count means the threads were kept busy.

${profileRows(records)}

### Disagreements
${mismatchDetails(records)}
${single ? `
## A single model on every core (\`node bench/single-model.mjs\`)
The Gram matrices, the NTK recursion, the Cholesky, the triangular solves and the certificates of one
model spread over the threads on one shared WebAssembly memory (src/pool/team-protocol.ts).

${single}
` : ''}`;
}

async function main() {
  const opts = options(process.argv.slice(2));
  const command = ['node bench/run.mjs', ...process.argv.slice(2)].join(' ');
  const log = (line) => console.log(line);
  const started = new Date().toISOString();
  const loads = [loadavg()[0]];
  const machine = describeMachine();
  log(`machine: ${JSON.stringify(machine)}`);
  const kernels = opts.kernels ? await runKernels(opts.quick, log) : { text: 'skipped (--no-kernels)' };
  const votecosts = opts.votecosts ? await runVoteCosts(opts.quick, log) : { text: 'skipped (--no-votecosts)' };
  const records = await runEndToEnd({ ...opts, log });
  const single = opts.single ? renderSingleModel(await runSingleModelScaling({ log })) : undefined;
  loads.push(loadavg()[0]);
  const file = opts.quick || opts.only ? 'RESULTS.quick.md' : 'RESULTS.md';
  const text = render({ quick: opts.quick, machine, command, started, finished: new Date().toISOString(), loads, kernels, votecosts, records, single });
  // The augmentation sweep's section (bench/augment.mjs) is its own: keep it.
  const previous = existsSync(join(ROOT, 'bench', file)) ? readFileSync(join(ROOT, 'bench', file), 'utf8') : '';
  const sweep = previous.indexOf('\n## MNIST k = 1,200 with augmentation');
  writeFileSync(join(ROOT, 'bench', file), sweep < 0 ? text : `${text.trimEnd()}\n${previous.slice(sweep)}`);
  log(`\n${text}\nwritten to bench/${file}`);
  if (opts.baseline) {
    const ids = opts.quick ? ['mnist-n1200-k10'] : ['mnist-n1200-k10', 'mnist60k-k50'];
    const phases = await runPhases({ baseline: opts.baseline, tasks: PHASE_TASKS.filter((t) => ids.includes(t.id)), threads: machine.cores, log });
    const body = renderPhases(phases, opts.baseline);
    writePhasesSection(body, command, join(ROOT, 'bench', file));
    log(body);
  }
  // The README's validate example (bench/validate.mjs), as its own section.
  if (opts.validate && !opts.quick && !opts.only) {
    const section = await runValidateBench();
    writeSection(section, join(ROOT, 'bench', file));
    log(section);
  }
}

await main();
