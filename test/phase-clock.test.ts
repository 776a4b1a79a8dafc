// The profile's flop counts (src/partition/phase-clock.ts) and the Gram kernel's
// stand-alone calibration (src/kernel/calibrate.ts): counts follow the calls'
// sizes, nested calls are not counted twice, and a partition task reports them.
import { beforeAll, describe, expect, it } from 'vitest';
import { gramKernelGflops } from '../src/kernel/calibrate.js';
import { KernelModel } from '../src/kernel/model.js';
import { PHASES_IN_CPU_TIME, PhaseClock, phaseNow, WORKER_PHASES } from '../src/partition/phase-clock.js';
import { createCore, type Core } from '../src/wasm/core.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const phase = (name: (typeof WORKER_PHASES)[number]) => WORKER_PHASES.indexOf(name);

describe('PhaseClock flop counts', () => {
  it('gramDot counts 2·m·n·d in gram, a timed section around it counts it once, untimed calls count nothing', () => {
    const clock = new PhaseClock();
    const timed = clock.wrap(core);
    const [m, n, d] = [5, 7, 3];
    core.heap.scoped(() => {
      const a = core.heap.f64(m * d);
      const b = core.heap.f64(n * d);
      const c = core.heap.f64(m * n);
      timed.exports.gramDot(a, b, c, m, n, d);
      expect(clock.flops[phase('gram')]).toBe(2 * m * n * d);
      clock.time('certificates', () => timed.exports.gramDot(a, b, c, m, n, d));
      expect(clock.flops[phase('gram')]).toBe(2 * m * n * d);
      core.exports.gramDot(a, b, c, m, n, d);
      expect(clock.flops[phase('gram')]).toBe(2 * m * n * d);
    });
    expect(clock.flops[phase('certificates')]).toBe(0);
  });

  it('a KRR model counts the training Gram n²·d, the Cholesky n³/3 and both solves 2·m·n²', () => {
    const clock = new PhaseClock();
    const timed = clock.wrap(core);
    const [n, m, d] = [40, 9, 6];
    const x = Float64Array.from({ length: n * d }, (_, i) => Math.sin(i + 1));
    const t = Float64Array.from({ length: m * d }, (_, i) => Math.cos(i + 1));
    const model = KernelModel.fit(timed, { data: x, rows: n, cols: d }, { model: 'krr', reg: 0.1, kernel: { depth: 2, wVar: 2, bVar: 0 } });
    model.weights({ data: t, rows: m, cols: d }, 0, m);
    model.dispose();
    expect(clock.flops[phase('gram')]).toBe(n * n * d + 2 * m * n * d);
    expect(clock.flops[phase('cholesky')]).toBeCloseTo((n * n * n) / 3, 6);
    expect(clock.flops[phase('solves')]).toBe(2 * m * n * n);
    expect(clock.ms[phase('solves')]).toBeGreaterThanOrEqual(0);
  });
});

describe('phaseNow', () => {
  it.runIf(process.platform === 'linux')('is this thread’s CPU time on Linux: a blocked wait hardly advances it, a busy loop does', () => {
    expect(PHASES_IN_CPU_TIME).toBe(true);
    const cpu0 = phaseNow();
    const wall0 = performance.now();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // blocks the thread 200 ms without running
    expect(performance.now() - wall0).toBeGreaterThanOrEqual(190);
    expect(phaseNow() - cpu0).toBeLessThan(50);
    const cpu1 = phaseNow();
    let x = 0;
    while (phaseNow() - cpu1 < 30) x++;
    expect(x).toBeGreaterThan(0);
  });
});

describe('gramKernelGflops', () => {
  it('is a positive finite rate, and the rate its own clock implies', () => {
    let ticks = 0;
    // A clock that advances 10 ms per read: every timed call takes exactly 10 ms.
    const rate = gramKernelGflops(core, () => (ticks += 10));
    expect(rate).toBeCloseTo((2 * 256 * 512 * 784) / 0.01 / 1e9, 9);
    const real = gramKernelGflops(core);
    expect(Number.isFinite(real) && real > 0).toBe(true);
  });
});
