import type { Resolved } from '../options.js';
import type { PointResult, ResultSummary } from '../result.js';
import { accuracy, certifiedAccuracy, medianCertifiedRadius } from './metrics.js';

/** docs/spec.md §6 summary of the per-point results. */
export function summarize(points: PointResult[], opts: Resolved, seconds: number): ResultSummary {
  const labelled = opts.testY !== undefined;
  const correct = points.map((p) => p.prediction === p.label);
  const radii = points.map((p) => p.radius);
  const dpa = points.map((p) => p.dpaRadius);
  return {
    nTrain: opts.trainX.rows,
    nTest: opts.testX.rows,
    classes: opts.classes,
    partitions: opts.partitions,
    accuracy: labelled ? accuracy(correct) : null,
    mcr: labelled
      ? { ensemblecert: medianCertifiedRadius(radii, correct), dpa: medianCertifiedRadius(dpa, correct) }
      : null,
    certifiedAccuracy: labelled
      ? { ensemblecert: certifiedAccuracy(radii, correct), dpa: certifiedAccuracy(dpa, correct) }
      : null,
    exactFraction: points.filter((p) => p.exact).length / Math.max(1, points.length),
    nearTies: points.filter((p) => p.nearTie).length,
    seconds,
    threads: opts.threads,
  };
}
