// A single model on several threads (src/pool/team-protocol.ts): the shared-memory
// build of the core is safe to share, the row-split operations give the
// single-threaded kernels' numbers bit for bit (any chunking), and real
// teams of 2 and 3 worker threads give the one-thread result exactly.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveAugmentation } from '../src/kernel/augment.js';
import { KernelModel } from '../src/kernel/model.js';
import { chunkRunner, countChunks } from '../src/kernel/team.js';
import { partitionBytes, STATIC_RESERVE } from '../src/partition/memory.js';
import { WORKER_PHASES } from '../src/partition/phase-clock.js';
import { runPartition, taskShape } from '../src/partition/run.js';
import { InlinePool } from '../src/pool/inline.js';
import { startNodePool } from '../src/pool/node.js';
import type { PartitionResult, PartitionTask } from '../src/partition/task.js';
import { sequentialTeam } from './support/sequential-team.js';
import { planTeam } from '../src/pool/team-setup.js';
import { compileCore, compileSharedCore, createCore } from '../src/wasm/core.js';
import { instantiateCore } from '../src/wasm/instance.js';
import { sharedBuildOf } from '../src/wasm/shared-build.js';
import { createSharedMemory, sharedMemoryAvailable } from '../src/wasm/shared-memory.js';
import { rng } from './reference.js';

/** The bytes of a float64 array, so that equal means bit for bit (NaN, −0 included). */
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('the shared-memory build of the core', () => {
  it("is made from the core's bytes: asc's shared target byte for byte (one copy of the core per bundle)", () => {
    const made = sharedBuildOf(readFileSync(new URL('../build/flipcert.wasm', import.meta.url)));
    const asc = readFileSync(new URL('../build/flipcert.shared.wasm', import.meta.url));
    expect(Buffer.from(made).equals(asc)).toBe(true);
    expect(() => sharedBuildOf(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).toThrow(/imports no memory/);
  });

  it('imports a shared memory and keeps no state of its own in it', () => {
    const wat = readFileSync(new URL('../build/flipcert.shared.wat', import.meta.url), 'utf8');
    expect(wat).toMatch(/\(import "env" "memory" \(memory \$0 1 65536 shared\)\)/);
    // Data segments would be rewritten by every instance that starts; there are none.
    expect(wat).not.toMatch(/\(data /);
    // Globals belong to each instance (each thread has its own); none is runtime state that points into the
    // shared memory (the stub runtime's allocator offset, a shadow stack pointer): only the core's own scratch.
    const mutable = [...wat.matchAll(/\(global (\S+) \(mut /g)].map((g) => g[1]);
    expect(mutable.filter((name) => !name.startsWith('$assembly/'))).toEqual([]);
    expect(wat).not.toMatch(/__stack_pointer/);
    // Nothing allocates: the stub runtime's allocator is not even compiled in.
    expect(wat).not.toMatch(/__alloc|__new|~lib\/rt\//);
  });

  it('a shared memory beyond 4 GiB is a clear EMEMORY, before any work', () => {
    expect(() => createSharedMemory(2 ** 32 + 1, 4)).toThrow(
      expect.objectContaining({ code: 'EMEMORY', message: expect.stringMatching(/single model on 4 threads needs 4096 MiB of shared WebAssembly memory/) }),
    );
  });

  it('runs on a shared memory in Node', async () => {
    expect(sharedMemoryAvailable()).toBe(true);
    const module = await compileSharedCore();
    expect(module).toBeDefined();
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
    const core = await instantiateCore(module!, memory);
    expect(core.heap.viewF64(core.heap.putF64([1, 2]), 2).buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

interface Problem {
  train: Float64Array;
  test: Float64Array;
  n: number;
  m: number;
  d: number;
}

function makeProblem(seed: number, n: number, m: number, d: number, farRows = false): Problem {
  const random = rng(seed);
  const train = Float64Array.from({ length: n * d }, () => random() - 0.5);
  const test = Float64Array.from({ length: m * d }, () => random() - 0.5);
  if (farRows) {
    // Rows far from 1 take the rescaling path (the team's `scale` operation).
    for (let j = 0; j < d; j++) train[3 * d + j] *= 2 ** 200;
    for (let j = 0; j < d; j++) test[(m - 1) * d + j] *= 1e-200;
  }
  return { train, test, n, m, d };
}

describe('row-split operations, one thread (any chunking)', () => {
  // n spans several Cholesky panels (NB = 128) and is no multiple of 4.
  const cases: [string, Problem][] = [
    ['n 389, d 31', makeProblem(3, 389, 77, 31)],
    ['n 130, d 784, rescaled rows', makeProblem(4, 130, 41, 784, true)],
    ['n 7, d 3', makeProblem(5, 7, 5, 3)],
  ];
  for (const [name, p] of cases) {
    for (const model of ['krr', 'svm'] as const) {
      it(`β equals the single-threaded kernels' bit for bit (${model}, ${name})`, async () => {
        const core = await createCore();
        const opts = { model, reg: 0.3, kernel: { depth: 3, wVar: 2, bVar: 0 } };
        const plain = KernelModel.fit(core, { data: p.train, rows: p.n, cols: p.d }, opts);
        const want = bits(core.heap.viewF64(plain.weights({ data: p.test, rows: p.m, cols: p.d }, 0, p.m), p.m * p.n));
        plain.dispose();
        for (const size of [1, 2, 3, 5]) {
          const team = sequentialTeam(chunkRunner(core, 0, size), countChunks, size);
          const split = KernelModel.fit(core, { data: p.train, rows: p.n, cols: p.d }, { ...opts, team });
          const got = bits(core.heap.viewF64(split.weights({ data: p.test, rows: p.m, cols: p.d }, 0, p.m), p.m * p.n));
          split.dispose();
          expect(got, `chunked for ${size} threads`).toBe(want);
        }
      });
    }
  }

  it('augmented training (β summed over copies) is the same bit for bit', async () => {
    const core = await createCore();
    const random = rng(9);
    const d = 36; // 6×6 images
    const n = 40;
    const train = Float64Array.from({ length: n * d }, random);
    const test = Float64Array.from({ length: 9 * d }, random);
    const augment = resolveAugmentation('shift:1', [6, 6, 1], d);
    const opts = { model: 'krr' as const, reg: 0.5, kernel: { depth: 2, wVar: 2, bVar: 0 }, augment };
    const plain = KernelModel.fit(core, { data: train, rows: n, cols: d }, opts);
    const want = bits(core.heap.viewF64(plain.weights({ data: test, rows: 9, cols: d }, 0, 9), 9 * n));
    plain.dispose();
    const team = sequentialTeam(chunkRunner(core, 0, 3), countChunks, 3);
    const split = KernelModel.fit(core, { data: train, rows: n, cols: d }, { ...opts, team });
    expect(bits(core.heap.viewF64(split.weights({ data: test, rows: 9, cols: d }, 0, 9), 9 * n))).toBe(want);
    split.dispose();
  });
});

function task(p: Problem, classes: number, overrides: Partial<PartitionTask> = {}): PartitionTask {
  return {
    partition: 0,
    trainX: p.train,
    trainY: Int32Array.from({ length: p.n }, (_, i) => (i * 5 + (i >> 3)) % classes),
    trainRows: p.n,
    testX: p.test,
    testRows: p.m,
    cols: p.d,
    classes,
    model: 'krr',
    reg: 0.05,
    svmC: undefined,
    kernel: { depth: 2, wVar: 2, bVar: 0 },
    mode: 'single',
    witness: false,
    blockSize: 50,
    ...overrides,
  };
}

const certificates = (r: PartitionResult) => ({
  votes: Array.from(r.votes),
  radius: Array.from(r.radius!),
  upper: Array.from(r.radiusUpper!),
  nearTie: Array.from(r.nearTie),
  witnesses: r.witnesses,
});

describe('a single model on a team of worker threads', () => {
  const p = makeProblem(11, 517, 143, 24);

  for (const [name, overrides, classes] of [
    ['krr, 3 classes', {}, 3],
    ['krr, 2 classes, witnesses', { witness: true }, 2],
    ['svm, 4 classes', { model: 'svm' }, 4],
  ] as [string, Partial<PartitionTask>, number][]) {
    it(`1, 2 and 3 threads give the same certificates (${name})`, async () => {
      const t = task(p, classes, overrides);
      const module = await compileCore();
      const inline = new InlinePool(module);
      const one = certificates(await inline.run(t));
      expect(one.radius.some((r) => r > 0)).toBe(true);
      for (const threads of [2, 3]) {
        const pool = startNodePool(module, threads);
        try {
          const team = await planTeam(t, threads);
          expect(team?.size).toBe(threads);
          const got = certificates(await pool.runTeam(t, team!));
          expect(got, `${threads} threads`).toEqual(one);
        } finally {
          await pool.close();
        }
      }
    });
  }

  it("the leader's result carries every member's phase times and flops (--profile): the Gram and solve counts of one thread, the Cholesky of the team's panels", async () => {
    const t = task(p, 3);
    const module = await compileCore();
    const one = await new InlinePool(module).run(t);
    const pool = startNodePool(module, 3);
    let team: PartitionResult;
    try {
      team = await pool.runTeam(t, (await planTeam(t, 3))!);
    } finally {
      await pool.close();
    }
    const at = (phase: (typeof WORKER_PHASES)[number]) => WORKER_PHASES.indexOf(phase);
    expect(team.phaseFlops![at('gram')]).toBe(one.phaseFlops![at('gram')]);
    expect(team.phaseFlops![at('solves')]).toBe(one.phaseFlops![at('solves')]);
    // The team's Cholesky as src/kernel/cholesky.ts runs it: panel updates, diagonal blocks, panel solves.
    const NB = (await createCore()).exports.NB.value;
    let panels = 0;
    for (let J = 0; J < p.n; J += NB) {
      const jb = Math.min(NB, p.n - J);
      panels += 2 * (p.n - J) * jb * J + (jb * jb * jb) / 3 + (p.n - J - jb) * jb * jb;
    }
    expect(team.phaseFlops![at('cholesky')]).toBeCloseTo(panels, 3);
    for (const phase of ['gram', 'ntk', 'cholesky', 'solves', 'certificates', 'task'] as const) {
      expect(team.phaseMs![at(phase)], phase).toBeGreaterThan(0);
    }
  });

  it('certify on 2 threads reports them and gives the in-thread result', async () => {
    const { certify } = await import('../src/index.js');
    const random = rng(13);
    const d = 10;
    const rows = (count: number) => ({ data: Float64Array.from({ length: count * d }, random), shape: [count, d] as const });
    const options = { train: { x: rows(260), y: Int32Array.from({ length: 260 }, (_, i) => i % 2) }, test: { x: rows(45) }, blockSize: 20 };
    const one = await certify({ ...options, threads: 1 });
    const two = await certify({ ...options, threads: 2 });
    expect(two.summary.threads).toBe(Math.min(2, availableParallelism()));
    expect(two.points).toEqual(one.points);
  });

  it('the team memory is sized up front from the memory plan, and is enough', async () => {
    const t = task(p, 3);
    const team = (await planTeam(t, 3))!;
    const planned = STATIC_RESERVE + partitionBytes(taskShape(t, 3), t.blockSize);
    expect(team.memory.buffer.byteLength).toBe(Math.ceil(planned / 65536) * 65536);
    // The heap of a shared core never grows its memory: the run fits in what was reserved.
    const core = await instantiateCore((await compileSharedCore())!, team.memory);
    const result = runPartition(core, t, undefined, sequentialTeam(chunkRunner(core, 0, 3), countChunks, 3));
    expect(core.heap.highWater).toBeLessThanOrEqual(partitionBytes(taskShape(t, 3), t.blockSize));
    expect(certificates(result)).toEqual(certificates(await new InlinePool(await compileCore()).run(t)));
  });

  it('a task error in the leader rejects with its code and sends the helpers home', async () => {
    const module = await compileCore();
    const pool = startNodePool(module, 2);
    try {
      // C far outside the small-C regime: the leader throws after training, with the helpers waiting.
      const t = task(p, 2, { model: 'svm', svmC: 1e9 });
      const error = await pool.runTeam(t, (await planTeam(t, 2))!).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).toBe('EOPTION');
      // The pool is usable again: both workers came back.
      const ok = task(p, 2);
      expect(certificates(await pool.runTeam(ok, (await planTeam(ok, 2))!))).toEqual(certificates(await new InlinePool(module).run(ok)));
    } finally {
      await pool.close();
    }
  });
});
