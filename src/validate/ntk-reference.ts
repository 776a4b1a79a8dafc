// What flipcert says about the infinite-width network, for `validate`: the
// NTK KRR model's class scores, predictions, certificates and witnesses on
// the test rows (docs/spec.md §3–4), and from them the within-radius attack
// that keeps the witness's strongest flips (docs/spec.md §12.3).
import { KernelModel } from '../kernel/model.js';
import { singleCertificates } from '../partition/certificate.js';
import { classScores } from '../partition/rescore.js';
import type { WitnessFlip } from '../types.js';
import type { Core } from '../wasm/core.js';
import { applyFlips, argmax, strongestFlips } from '../network/attacks.js';
import type { ResolvedValidate } from './options.js';

export interface ReferencePoint {
  prediction: number;
  radius: number;
  nearTie: boolean;
  /** The certificate's witness (radius + 1 flips, more on a near tie); empty when radius = n or none re-scores clearly. */
  witness: WitnessFlip[];
  /** The witness's `radius` strongest flips; empty when radius is 0 or there is no witness. */
  strongest: WitnessFlip[];
}

export interface NtkReference {
  points: ReferencePoint[];
  /** The model's class scores F_c = Σ_{y_i = c} β_i, m × C. */
  scores: Float64Array;
}

/** Test rows per block of weights: bounds the m × n weights held at once. */
const BLOCK = 256;

export function ntkReference(core: Core, opts: ResolvedValidate): NtkReference {
  const { trainX, trainY, testX, classes: C } = opts;
  const n = trainX.rows;
  const m = testX.rows;
  const mark = core.heap.mark();
  try {
    const model = KernelModel.fit(core, trainX, { model: 'krr', reg: opts.reg, kernel: opts.kernel });
    const labelsPtr = core.heap.putI32(trainY);
    const points: ReferencePoint[] = [];
    const scores = new Float64Array(m * C);
    for (let start = 0; start < m; start += BLOCK) {
      const count = Math.min(BLOCK, m - start);
      const betaPtr = model.weights(testX, start, count);
      const exponents = model.lastExponents;
      const cert = singleCertificates(core, betaPtr, labelsPtr, count, n, C, true);
      const block = core.heap.viewF64(betaPtr, count * n).slice();
      for (let r = 0; r < count; r++) {
        // Row r is 2^s·β(x): the scores compared with the network's are those of β itself.
        const beta = block.subarray(r * n, (r + 1) * n).map((b) => b * 2 ** -exponents[r]);
        scores.set(classScores(beta, trainY, C).score, (start + r) * C);
        points.push(referencePoint(cert.prediction[r], cert.radius[r], cert.nearTie[r] === 1, cert.witnesses![r], beta, trainY, C));
      }
    }
    model.dispose();
    return { points, scores };
  } finally {
    core.heap.release(mark);
  }
}

function referencePoint(
  prediction: number,
  radius: number,
  nearTie: boolean,
  witness: WitnessFlip[],
  beta: Float64Array,
  labels: Int32Array,
  classes: number,
): ReferencePoint {
  if (witness.length === 0 || radius === 0) return { prediction, radius, nearTie, witness, strongest: [] };
  // The class the witness makes win: the pair (prediction, target) its flips were chosen for.
  const target = argmax(classScores(beta, applyFlips(labels, witness), classes).score);
  return { prediction, radius, nearTie, witness, strongest: strongestFlips(witness, beta, prediction, target, radius) };
}
