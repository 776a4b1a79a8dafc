import type { PointResult, ResultSummary } from './result.js';
import { accuracy, certifiedAccuracy, medianCertifiedRadius } from './metrics.js';

/** What the summary needs to know of a run besides its points. */
export interface SummaryFacts {
  nTrain: number;
  nTest: number;
  classes: number;
  partitions: number;
  /** Test labels were given. */
  labelled: boolean;
  threads: number;
}

/** docs/spec.md §6 summary of the per-point results. */
export function summarize(points: PointResult[], opts: SummaryFacts, seconds: number): ResultSummary {
  const labelled = opts.labelled;
  const correct = points.map((p) => p.prediction === p.label);
  const radii = points.map((p) => p.radius);
  const dpa = points.map((p) => p.dpaRadius);
  return {
    nTrain: opts.nTrain,
    nTest: opts.nTest,
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
