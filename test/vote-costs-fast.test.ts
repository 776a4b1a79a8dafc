// The fast vote costs (assembly/cert/vote-costs.ts: the top of the gain lists, rivals
// that cannot set the maximum skipped, the attack on the candidates) must give
// exactly the numbers of the direct evaluation (its twin in the same file,
// voteCostsDirectBlock: every pair on fully sorted lists, the full attack):
// votes, lower bounds, upper bounds and near-tie flags, on data built to reach
// every shortcut — many classes, counts beyond the first candidates (so they
// are widened), ties and zeros, decimal weights whose sums round (0.1 + 0.2),
// scores within the rounding band. And on tiny problems with up to six
// classes, the bounds must bracket the cost found by enumeration.
import { beforeAll, describe, expect, it } from 'vitest';
import { UNREACHABLE } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { betaRows, predictFromBeta, randomRows, rng } from './reference.js';
import { bruteMinFlipsTo } from './reference-cert.js';

type Fn = 'voteCostsBlock' | 'voteCostsDirectBlock';

function run(core: Core, fn: Fn, beta: Float64Array, labels: Int32Array, m: number, classes: number) {
  const n = labels.length;
  return core.heap.scoped(() => {
    const { heap, exports } = core;
    const betaPtr = heap.putF64(beta);
    const labelsPtr = heap.putI32(labels);
    const scratch = heap.bytes(exports.certScratchBytes(n, classes));
    const votes = heap.i32(m);
    const lower = heap.i32(m * classes);
    const upper = heap.i32(m * classes);
    const near = heap.bytes(m);
    exports[fn](betaPtr, labelsPtr, m, n, classes, scratch, votes, lower, upper, near);
    return {
      votes: Array.from(heap.viewI32(votes, m)),
      lower: Array.from(heap.viewI32(lower, m * classes)),
      upper: Array.from(heap.viewI32(upper, m * classes)),
      near: Array.from(new Uint8Array((exports.memory as WebAssembly.Memory).buffer, near, m)),
    };
  });
}

/** Runs both paths and expects identical outputs; returns the fast one. */
function same(core: Core, beta: Float64Array, labels: Int32Array, m: number, classes: number, ctx: string) {
  const fast = run(core, 'voteCostsBlock', beta, labels, m, classes);
  const direct = run(core, 'voteCostsDirectBlock', beta, labels, m, classes);
  expect(fast, ctx).toEqual(direct);
  return fast;
}

const gauss = (random: () => number) => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());

describe('fast vote costs equal the direct evaluation', () => {
  let core: Core;
  beforeAll(async () => {
    core = await createCore();
  });

  it('on Gaussian weights, n up to 1,500, C up to 43', () => {
    const random = rng(71);
    for (const [n, classes, m] of [[30, 3, 40], [200, 5, 30], [200, 10, 30], [1500, 10, 12], [600, 43, 6], [300, 200, 2]]) {
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
      // A class signal on top of noise, as a trained model's weights have.
      const beta = Float64Array.from({ length: m * n }, (_, k) => gauss(random) + (labels[k % n] === Math.floor(k / n) % classes ? 0.8 : 0));
      same(core, beta, labels, m, classes, `n ${n}, C ${classes}`);
    }
  });

  it('on NTK ridge weights (multi-class, as partitions have)', () => {
    const random = rng(72);
    for (const [n, classes] of [[60, 3], [150, 6], [150, 12]]) {
      const trainX = randomRows(random, n, 4);
      const testX = randomRows(random, 10, 4);
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
      const rows = betaRows(trainX, testX, { model: 'krr', reg: 0.1, kernel: { depth: 2, wVar: 2, bVar: 0 } });
      same(core, Float64Array.from(rows.flat()), labels, rows.length, classes, `krr n ${n}, C ${classes}`);
    }
  });

  it('where counts exceed the first candidates (one dominant class), so they are widened', () => {
    const random = rng(73);
    for (const [n, classes] of [[400, 3], [900, 5], [2000, 4]]) {
      const labels = Int32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1 + Math.floor(random() * (classes - 1))));
      const m = 6;
      const beta = Float64Array.from({ length: m * n }, (_, k) => (labels[k % n] === 0 ? 1 + 0.1 * random() : 0.05 * gauss(random)));
      const out = same(core, beta, labels, m, classes, `dominant n ${n}, C ${classes}`);
      // The test reaches what it is for: some lower bounds far above the first 24 candidates.
      expect(Math.max(...out.lower.filter((x) => x !== UNREACHABLE))).toBeGreaterThan(48);
    }
  });

  it('on small-integer weights (ties between sources, zeros, empty classes)', () => {
    const random = rng(74);
    for (let trial = 0; trial < 150; trial++) {
      const classes = 3 + Math.floor(random() * 6);
      const n = 4 + Math.floor(random() * (trial % 3 === 0 ? 300 : 30));
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
      const m = 3;
      const beta = Float64Array.from({ length: m * n }, () => Math.floor(random() * 7) - 3);
      same(core, beta, labels, m, classes, `integer trial ${trial}`);
    }
  });

  it('on decimal weights whose sums round (multiples of 0.1, 0.01, 0.3)', () => {
    const random = rng(75);
    const units = [0.1, 0.01, 0.3, 0.7];
    for (let trial = 0; trial < 150; trial++) {
      const classes = 3 + Math.floor(random() * 5);
      const n = 3 + Math.floor(random() * (trial % 4 === 0 ? 200 : 20));
      const unit = units[trial % units.length];
      const labels = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
      const m = 3;
      const beta = Float64Array.from({ length: m * n }, () => (Math.floor(random() * 9) - 4) * unit);
      same(core, beta, labels, m, classes, `decimal trial ${trial}`);
    }
  });

  it('where a rival scores above the target and holds large negative weights in the common top list', () => {
    // provenBelow skips a rival j when the pair's best gains, minus j's own
    // largest |β⁻| (a point of j with β < 0 gains nothing against j), fall short
    // of the current maximum. Built so that only the right list decides: the
    // vote has many weights near 1 (its pair with the target l needs several
    // flips), j has many near 1 too (F_j above F_l) and one or two around −50,
    // which top the list "|β| of every point not labelled l"; the target has
    // none. Taking j's positive list instead (the mutation audit's survivor,
    // assembly/cert/vote-costs.ts `g = b` for `g = classes + b`) proves j below
    // the maximum when pair(l over j) is far above it: LB(l) drops, fast ≠ direct.
    const random = rng(78);
    let above = 0;
    for (let trial = 0; trial < 60; trial++) {
      const classes = 4 + (trial % 3);
      const [vote, rival, target] = [0, 1, 2];
      const labels: number[] = [];
      const row: number[] = [];
      const add = (label: number, count: number, weight: () => number) => {
        for (let i = 0; i < count; i++) {
          labels.push(label);
          row.push(weight());
        }
      };
      add(vote, 55 + Math.floor(random() * 15), () => 0.9 + 0.2 * random());
      add(rival, 75 + Math.floor(random() * 15), () => 0.9 + 0.2 * random());
      const big = 1 + (trial % 2);
      add(rival, big, () => -(40 + 15 * random()) / big);
      for (let c = 3; c < classes; c++) add(c, 1 + Math.floor(random() * 3), () => 0.2 * random());
      // Shuffled, so that list order is not label order.
      const order = labels.map((_, i) => i).sort(() => random() - 0.5);
      const y = Int32Array.from(order, (i) => labels[i]);
      const beta = Float64Array.from(order, (i) => row[i]);
      const out = same(core, beta, y, 1, classes, `rival above target, trial ${trial}`);
      expect(out.votes[0]).toBe(vote);
      // The case it is for: the rival's pair, not the vote's, sets LB(target).
      const direct = run(core, 'voteCostsDirectBlock', beta, y, 1, classes);
      if (direct.lower[target] > 2) above++;
    }
    expect(above).toBeGreaterThan(50);
  });

  it('with scores inside the rounding band (near ties of the vote and between rivals)', () => {
    const random = rng(76);
    let flagged = 0;
    for (let trial = 0; trial < 80; trial++) {
      const classes = 3 + (trial % 4);
      const n = 12 + Math.floor(random() * 40);
      const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
      const m = 2;
      const beta = new Float64Array(m * n);
      for (let p = 0; p < m; p++) {
        // Every class gets the same multiset of weights (equal scores), then a
        // nudge far below the band on some of them.
        const base = Array.from({ length: Math.ceil(n / classes) }, () => gauss(random));
        for (let i = 0; i < n; i++) {
          const nudge = random() < 0.3 ? (random() - 0.5) * 1e-14 : 0;
          beta[p * n + i] = base[Math.floor(i / classes)] + nudge;
        }
      }
      const out = same(core, beta, labels, m, classes, `near-tie trial ${trial}`);
      flagged += out.near.reduce((s, x) => s + x, 0);
    }
    expect(flagged).toBeGreaterThan(0);
  });
});

describe('fast vote costs bracket the enumerated cost', () => {
  let core: Core;
  beforeAll(async () => {
    core = await createCore();
  });

  it('on tiny problems with four to six classes (Gaussian, integer, decimal and near-tie weights)', () => {
    const random = rng(77);
    let checked = 0;
    let exact = 0;
    for (let trial = 0; trial < 160; trial++) {
      const classes = 4 + (trial % 3);
      const n = classes === 6 ? 5 + Math.floor(random() * 2) : 5 + Math.floor(random() * 3);
      const kind = trial % 4;
      // Near ties: the classes share one weight each, some nudged far inside the rounding band.
      const shared = gauss(random);
      const labels = Array.from({ length: n }, (_, i) => (kind === 3 ? i % classes : Math.floor(random() * classes)));
      const row = Array.from({ length: n }, () =>
        kind === 0
          ? gauss(random)
          : kind === 1
            ? Math.floor(random() * 5) - 2
            : kind === 2
              ? (Math.floor(random() * 7) - 3) * 0.1
              : shared + (random() < 0.4 ? (random() - 0.5) * 1e-15 : 0),
      );
      const out = same(core, Float64Array.from(row), Int32Array.from(labels), 1, classes, `tiny trial ${trial}`);
      expect(out.votes[0]).toBe(predictFromBeta(row, labels, classes));
      const truth = bruteMinFlipsTo(row, labels, classes);
      for (let l = 0; l < classes; l++) {
        const t = Number.isFinite(truth[l]) ? truth[l] : UNREACHABLE;
        const at = `tiny trial ${trial}: β ${row} y ${labels}, class ${l}`;
        expect(out.lower[l], at).toBeLessThanOrEqual(t);
        expect(out.upper[l], at).toBeGreaterThanOrEqual(t);
        checked++;
        if (out.lower[l] === out.upper[l]) exact++;
      }
    }
    expect(checked).toBeGreaterThan(700);
    expect(exact / checked).toBeGreaterThan(0.7);
  });
});
