import type { WitnessFlip } from '../types.js';

/**
 * What {@link validate} returns and `flipcert validate --out` writes
 * (docs/spec.md §12.5), version 1. Fields keep their meaning while `version`
 * is 1; new fields may be added.
 */
export interface ValidateResult {
  version: 1;
  config: ValidateConfig;
  /** flipcert's NTK model on the test rows: what the finite networks are compared with. */
  ntk: NtkSummary;
  /** One entry per width, in the order asked. */
  widths: WidthResult[];
  /** One entry per width, seed and test point (in that order of nesting). */
  points: ValidatePoint[];
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Workers used for the trainings. */
  threads: number;
}

export interface ValidateConfig {
  model: 'krr';
  reg: number;
  depth: number;
  wVar: number;
  bVar: number;
  classes: number;
  /** The label-free representation the networks were trained on (docs/spec.md §13), canonical spelling; null: none. */
  represent: string | null;
  nTrain: number;
  nTest: number;
  widths: number[];
  seeds: number[];
  /** The trainer's stopping rule: relative gradient tolerance, step tolerance (function space) and iteration cap. */
  gradTol: number;
  stepTol: number;
  maxIterations: number;
  /** CLI only: where the data came from. */
  source?: Record<string, unknown>;
}

export interface NtkSummary {
  /** Fraction of correctly predicted test points; null without test labels. */
  accuracy: number | null;
  /** Test points with a radius below n (a witness can exist). */
  finite: number;
  /** Median certified radius over the test points, correctness ignored (lower median). */
  medianRadius: number;
}

/** A mean and sample standard deviation over seeds (sd null with one value); both null with none. */
export interface Spread {
  mean: number | null;
  sd: number | null;
}

export interface WidthResult {
  width: number;
  /** The seeds run, one network initialisation each. */
  seeds: number[];
  kernelError: Spread;
  agreement: Spread;
  scoreError: Spread;
  /** Per seed: the fraction of witness retrainings whose prediction changed. */
  tightness: Spread;
  /** Within-radius retrainings (all seeds) whose prediction changed. */
  violations: number;
  /** All within-radius retrainings (all seeds). */
  attacks: number;
  /** All witness retrainings (all seeds). */
  witnesses: number;
  /** Per seed, in the order of `seeds`. */
  runs: SeedRun[];
}

export interface SeedRun {
  seed: number;
  kernelError: number;
  agreement: number;
  scoreError: number;
  /** null when no point had a witness. */
  tightness: number | null;
  violations: number;
  attacks: number;
  witnesses: number;
  /** Parameters of the network. */
  parameters: number;
  /**
   * The clean training's optimiser iterations and final relative gradient norm;
   * the norm is computed only when the gradient tolerance stopped training (else
   * NaN, null in JSON: the step tolerance stopped it, docs/spec.md §12).
   */
  iterations: number;
  gradNorm: number;
  /** The largest of these over every training of this seed, clean and attacked (maxGradNorm over the computed norms). */
  maxIterations: number;
  maxGradNorm: number;
  /** Trainings of this seed (clean and attacked) that stopped before the gradient or the step tolerance. */
  unconverged: number;
}

/** One retraining on flipped labels, from the same θ₀ as the clean network. */
export interface Retraining {
  flips: WitnessFlip[];
  /** The retrained network's prediction at the point. */
  prediction: number;
  /** Whether it differs from the clean network's prediction at the point. */
  changed: boolean;
  iterations: number;
  /** Final gradient norm relative to its value at θ₀; NaN (null in JSON) when the step tolerance stopped training. */
  gradNorm: number;
  /** Whether the training reached the gradient or the step tolerance. */
  converged: boolean;
}

export interface ValidatePoint {
  /** Test row. */
  point: number;
  width: number;
  seed: number;
  label: number | null;
  /** flipcert's NTK model: prediction, certified radius, near-tie flag. */
  ntkPrediction: number;
  radius: number;
  nearTie: boolean;
  /** The clean network's prediction. */
  networkPrediction: number;
  /** The certificate's witness applied (radius + 1 flips or more); null when it has none. */
  witness: Retraining | null;
  /** The within-radius attacks (`radius` flips each), in the order of docs/spec.md §12.3. */
  attacks: (Retraining & { kind: AttackKind })[];
}

export type AttackKind = 'witness-strongest' | 'greedy';
