// validate() end to end on tiny problems (docs/spec.md §12): the result's
// fields, the recorded flip sets re-applied and retrained independently, the
// counts re-derived from the points, the kernel error against ntk(), and the
// same JSON with 1 and 2 threads; retraining batches against tasks of their own.
import { describe, expect, it } from 'vitest';
import { initialParameters, type NetworkShape } from '../src/network/network.js';
import { runNetworkTask, type NetworkTask } from '../src/network/task.js';
import { retrainingBatches } from '../src/validate/run.js';
import { networkScores, trainNetwork } from '../src/network/train.js';
import { empiricalNtk } from '../src/network/train.js';
import { certify, ntk, validate, type ValidateOptions, type ValidateResult } from '../src/index.js';
import { createCore } from '../src/wasm/core.js';
import { randomRows, rng } from './reference.js';

const random = rng(2024);
const d = 3;
const n = 16;
const trainRows = randomRows(random, n, d);
const trainY = trainRows.map((row) => (row[0] + 0.4 * row[1] > 0 ? 1 : 0) + (row[2] > 0.6 ? 1 : 0));
const testRows = randomRows(random, 6, d);
const testY = testRows.map((row) => (row[0] + 0.4 * row[1] > 0 ? 1 : 0) + (row[2] > 0.6 ? 1 : 0));
const options: ValidateOptions = {
  train: { x: trainRows, y: trainY },
  test: { x: testRows, y: testY },
  widths: [8, 32],
  seeds: 2,
  seed: 3,
  reg: 0.5,
  kernel: { depth: 2, wVar: 2, bVar: 0.1 },
  threads: 1,
};
const classes = 1 + Math.max(...trainY);

function withoutRun(result: ValidateResult): unknown {
  const { seconds: _s, threads: _t, ...rest } = result;
  return rest;
}

function argmax(values: ArrayLike<number>): number {
  let at = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[at]) at = i;
  return at;
}

describe('validate on a tiny problem', async () => {
  const result = await validate(options);
  const certified = await certify({ train: options.train, test: options.test, reg: 0.5, kernel: options.kernel, witness: true, threads: 1 });

  it('has the fields of docs/spec.md §12.5, one point record per width, seed and test point', () => {
    expect(result.version).toBe(1);
    expect(result.config).toMatchObject({ model: 'krr', reg: 0.5, depth: 2, wVar: 2, bVar: 0.1, classes, nTrain: n, nTest: 6, widths: [8, 32], seeds: [3, 4] });
    expect(result.config).toMatchObject({ gradTol: 1e-6, stepTol: 1e-2, maxIterations: 50 });
    expect(result.widths.map((w) => w.width)).toEqual([8, 32]);
    expect(result.points).toHaveLength(2 * 2 * 6);
    result.points.forEach((p, k) => {
      expect(p.width).toBe([8, 32][Math.floor(k / 12)]);
      expect(p.seed).toBe([3, 4][Math.floor(k / 6) % 2]);
      expect(p.point).toBe(k % 6);
    });
    for (const w of result.widths) {
      for (const key of ['kernelError', 'agreement', 'scoreError'] as const) {
        expect(w[key].mean).toBeTypeOf('number');
        expect(w[key].sd).toBeTypeOf('number');
      }
      expect(w.runs.map((r) => r.seed)).toEqual([3, 4]);
    }
    // Some points must have something to retrain, or nothing below is tested.
    expect(result.points.filter((p) => p.witness !== null).length).toBeGreaterThan(8);
    expect(result.points.flatMap((p) => p.attacks).length).toBeGreaterThan(4);
  });

  it('takes the NTK side from certify: predictions, radii and witnesses', () => {
    for (const p of result.points) {
      const c = certified.points[p.point];
      expect(p.ntkPrediction).toBe(c.prediction);
      expect(p.radius).toBe(c.radius);
      expect(p.label).toBe(testY[p.point]);
      expect(p.witness?.flips ?? []).toEqual(c.witness);
      const kinds = p.attacks.map((a) => a.kind);
      const withWitness = p.radius >= 1 && c.witness!.length > 0;
      expect(kinds).toEqual([...(withWitness ? ['witness-strongest'] : []), ...(p.radius >= 1 && p.radius < n ? ['greedy'] : [])]);
      for (const a of p.attacks) {
        expect(a.flips).toHaveLength(p.radius);
        expect(new Set(a.flips.map((f) => f.train)).size).toBe(p.radius);
        for (const f of a.flips) {
          expect(f.from).toBe(trainY[f.train]);
          expect(f.to).not.toBe(f.from);
        }
      }
      const strongest = p.attacks.find((a) => a.kind === 'witness-strongest');
      if (strongest) for (const f of strongest.flips) expect(c.witness).toContainEqual(f);
    }
  });

  it('re-applying every recorded flip set and retraining gives the recorded predictions', async () => {
    const core = await createCore();
    const x = { data: Float64Array.from(trainRows.flat()), rows: n, cols: d };
    const cache = new Map<string, { theta0: Float64Array; shape: NetworkShape }>();
    const train = (width: number, seed: number, labels: number[]) => {
      const key = `${width}/${seed}`;
      const shape: NetworkShape = { inputDim: d, width, depth: 2, classes, wVar: 2, bVar: 0.1 };
      if (!cache.has(key)) cache.set(key, { shape, theta0: initialParameters(shape, seed) });
      const { theta0 } = cache.get(key)!;
      const targets = new Float64Array(n * classes);
      labels.forEach((label, i) => (targets[i * classes + label] = 1));
      const trained = trainNetwork(core, shape, theta0, x, targets, { reg: 0.5, stepTol: result.config.stepTol });
      const predict = (row: number[]) => argmax(networkScores(core, shape, trained.theta, theta0, { data: Float64Array.from(row), rows: 1, cols: d }));
      return Object.assign(predict, { iterations: trained.iterations });
    };
    let checked = 0;
    for (const width of [8, 32]) {
      for (const seed of [3, 4]) {
        const clean = train(width, seed, trainY);
        for (const p of result.points.filter((q) => q.width === width && q.seed === seed)) {
          expect(p.networkPrediction).toBe(clean(testRows[p.point]));
          for (const r of [...(p.witness ? [p.witness] : []), ...p.attacks]) {
            const labels = trainY.slice();
            for (const f of r.flips) labels[f.train] = f.to;
            const retrained = train(width, seed, labels);
            const prediction = retrained(testRows[p.point]);
            expect(prediction).toBe(r.prediction);
            // Batched retrainings (trainNetworks) take the steps a training of their own takes.
            expect(r.iterations).toBe(retrained.iterations);
            expect(r.changed).toBe(prediction !== p.networkPrediction);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('derives the per-width figures from the points and the runs', () => {
    for (const w of result.widths) {
      const points = result.points.filter((p) => p.width === w.width);
      const attacks = points.flatMap((p) => p.attacks);
      expect(w.attacks).toBe(attacks.length);
      expect(w.violations).toBe(attacks.filter((a) => a.changed).length);
      expect(w.witnesses).toBe(points.filter((p) => p.witness).length);
      for (const run of w.runs) {
        const mine = points.filter((p) => p.seed === run.seed);
        const witnessed = mine.filter((p) => p.witness);
        expect(run.tightness).toBe(witnessed.filter((p) => p.witness!.changed).length / witnessed.length);
        expect(run.agreement).toBe(mine.filter((p) => p.networkPrediction === p.ntkPrediction).length / 6);
      }
      const agreements = w.runs.map((r) => r.agreement);
      const mean = (agreements[0] + agreements[1]) / 2;
      expect(w.agreement.mean).toBeCloseTo(mean, 15);
      expect(w.agreement.sd).toBeCloseTo(Math.abs(agreements[0] - agreements[1]) / Math.SQRT2, 15);
    }
  });

  it('computes the kernel error against the analytic kernel of ntk()', async () => {
    const core = await createCore();
    const K = await ntk(trainRows, undefined, options.kernel);
    const x = { data: Float64Array.from(trainRows.flat()), rows: n, cols: d };
    for (const w of result.widths) {
      for (const run of w.runs) {
        const shape: NetworkShape = { inputDim: d, width: w.width, depth: 2, classes, wVar: 2, bVar: 0.1 };
        const empirical = empiricalNtk(core, shape, initialParameters(shape, run.seed), x);
        let diff = 0;
        let norm = 0;
        K.data.forEach((v, i) => ((diff += (empirical[i] - v) ** 2), (norm += v * v)));
        expect(run.kernelError).toBeCloseTo(Math.sqrt(diff / norm), 12);
        expect(run.kernelError).toBeGreaterThan(0);
      }
    }
  });

  it('gives the same JSON with 1 and 2 threads', async () => {
    const threaded = await validate({ ...options, threads: 2 });
    expect(threaded.threads).toBe(2);
    expect(JSON.stringify(withoutRun(threaded))).toBe(JSON.stringify(withoutRun(result)));
  });

  it('reports progress up to every training, and stops on an abort', async () => {
    const seen: number[] = [];
    let total = 0;
    await validate({ ...options, widths: [8], seeds: 1, onProgress: (p) => (seen.push(p.trainingsDone), (total = p.trainings)) });
    const perSeed = 1 + result.points.filter((p) => p.width === 8 && p.seed === 3).reduce((s, p) => s + (p.witness ? 1 : 0) + p.attacks.length, 0);
    expect(total).toBe(perSeed);
    expect(seen).toEqual(Array.from({ length: perSeed + 1 }, (_, i) => i));
    const controller = new AbortController();
    const run = validate({ ...options, threads: 2, onProgress: (p) => p.trainingsDone === 2 && controller.abort(), signal: controller.signal });
    await expect(run).rejects.toMatchObject({ code: 'EABORTED' });
  });
});

describe("validate's retraining batches", () => {
  it('split the retrainings into contiguous near-equal batches, one per thread at least, 16 at most', () => {
    expect(retrainingBatches(0, 2)).toEqual([]);
    expect(retrainingBatches(1, 2)).toEqual([[0, 1]]);
    expect(retrainingBatches(5, 2)).toEqual([[0, 2], [2, 5]]);
    expect(retrainingBatches(5, 1)).toEqual([[0, 5]]);
    for (const [count, threads] of [[60, 2], [33, 1], [7, 16], [100, 3]]) {
      const batches = retrainingBatches(count, threads);
      expect(batches[0][0]).toBe(0);
      expect(batches.at(-1)![1]).toBe(count);
      batches.forEach(([from, to], b) => {
        expect(to - from).toBeGreaterThanOrEqual(1);
        expect(to - from).toBeLessThanOrEqual(16);
        if (b > 0) expect(from).toBe(batches[b - 1][1]);
      });
      expect(batches.length).toBe(Math.min(count, Math.max(threads, Math.ceil(count / 16))));
    }
  });

  it('give each retraining the bits of a task of its own, whatever the split', async () => {
    const core = await createCore();
    const shape: NetworkShape = { inputDim: d, width: 16, depth: 2, classes, wVar: 2, bVar: 0.1 };
    const flipped = [1, 5, 9].map((i) => trainY.map((y, k) => (k === i || k === i + 1 ? (y + 1) % classes : y)));
    const rows = [0, 2, 5];
    const task = (which: number[]): NetworkTask => ({
      kind: 'attacks',
      shape,
      seed: 11,
      reg: 0.5,
      gradTol: 1e-6,
      stepTol: 1e-3,
      maxIterations: 50,
      trainX: Float64Array.from(trainRows.flat()),
      trainRows: n,
      cols: d,
      trainY: Int32Array.from(which.flatMap((a) => flipped[a])),
      testX: Float64Array.from(which.flatMap((a) => testRows[rows[a]])),
      testRows: which.length,
      kernel: { depth: 2, wVar: 2, bVar: 0.1 },
    });
    const done: number[] = [];
    const batched = runNetworkTask(core, task([0, 1, 2]), (k) => done.push(k));
    expect(done).toEqual([1, 2, 3]);
    const alone = [0, 1, 2].map((a) => runNetworkTask(core, task([a]))[0]);
    expect(batched).toHaveLength(3);
    batched.forEach((result, a) => {
      expect(result.scores).toEqual(alone[a].scores);
      expect(result.iterations).toBe(alone[a].iterations);
      expect(result.converged).toBe(alone[a].converged);
    });
    // The clean labels' scores differ from a flipped training's: the check above can fail.
    expect(batched[0].scores).not.toEqual(runNetworkTask(core, { ...task([0]), trainY: Int32Array.from(trainY) })[0].scores);
  });
});
