// The second passes (ensemble witnesses, exact vote costs) recompute β for the
// requested test rows only and rely on getting the first pass's β bit for bit:
// a test row's β must not depend on the other rows of its block.
import { expect, it } from 'vitest';
import { KernelModel } from '../src/kernel/model.js';
import { createCore } from '../src/wasm/core.js';
import { rng } from './reference.js';

it('β of a test row is the same bit for bit whatever rows share its block (krr, svm, rescaled rows)', async () => {
  const core = await createCore();
  const random = rng(5);
  for (const [n, d, m] of [[200, 784, 300], [57, 13, 37], [333, 5, 101], [8, 3, 9]]) {
    for (const model of ['krr', 'svm'] as const) {
      const train = Float64Array.from({ length: n * d }, () => random() - 0.5);
      const test = Float64Array.from({ length: m * d }, () => random() - 0.5);
      // A row far from 1 takes the rescaling path (docs/spec.md §2, Range).
      for (let j = 0; j < d; j++) test[(m - 1) * d + j] *= 1e200;
      const fitted = KernelModel.fit(core, { data: train, rows: n, cols: d }, { model, reg: 0.7, kernel: { depth: 2, wVar: 2, bVar: 0 } });
      const full = core.heap.viewF64(fitted.weights({ data: test, rows: m, cols: d }, 0, m), m * n).slice();
      const exponents = fitted.lastExponents;
      const pick = [0, 3, 4, 5, Math.floor(m / 2), m - 1];
      const sub = new Float64Array(pick.length * d);
      pick.forEach((r, i) => sub.set(test.subarray(r * d, (r + 1) * d), i * d));
      const part = core.heap.viewF64(fitted.weights({ data: sub, rows: pick.length, cols: d }, 0, pick.length), pick.length * n).slice();
      pick.forEach((r, i) => {
        const ctx = `${model} n ${n} d ${d} m ${m}, row ${r}`;
        expect(fitted.lastExponents[i], ctx).toBe(exponents[r]);
        expect(Array.from(part.subarray(i * n, (i + 1) * n)), ctx).toEqual(Array.from(full.subarray(r * n, (r + 1) * n)));
      });
      fitted.dispose();
    }
  }
});
