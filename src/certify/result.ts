import type { RunProfile } from './profile.js';
import type { ModelKind, WitnessFlip } from '../types.js';

/**
 * What {@link certify} returns and the CLI writes with `--out`: the JSON result
 * of docs/spec.md §6, version 1. Fields keep their meaning while `version` is 1;
 * new fields may be added.
 */
export interface CertifyResult {
  /** Format version of this object; raised only if a field changes meaning. */
  version: 1;
  /** What was computed: model, kernel and ensemble settings. */
  config: ResultConfig;
  /** Accuracy and certificates over all test points. */
  summary: ResultSummary;
  /** One entry per test point, in test-set order (`points[i].index === i`). */
  points: PointResult[];
  /** With options.profile only: where the time went (src/certify/profile.ts). Not written to the JSON file. */
  profile?: RunProfile;
}

/** The settings behind the numbers (docs/spec.md §6.1). Threads and block size are left out: they change no number. */
export interface ResultConfig {
  /** Base model: kernel ridge regression (`krr`) or small-C SVM (`svm`). */
  model: ModelKind;
  /** Relative ridge: λ̃ = reg · trace(K) / n, > 0. Recorded for `svm` too, where it plays no role. */
  reg: number;
  /** User-given SVM C; null when not given (any C below `svmCBound` gives the same predictions and radii). */
  svmC: number | null;
  /** Largest admissible SVM C (exclusive): min over partitions of 1 / max_i Σ_j |K_ij|. null for `krr`. */
  svmCBound: number | null;
  /** Hidden ReLU layers of the network whose NTK is the kernel, ≥ 1. */
  depth: number;
  /** Weight variance W_std², > 0. */
  wVar: number;
  /** Bias variance b_std², ≥ 0. */
  bVar: number;
  /** Number of partitions k, ≥ 1; 1 is a single model. */
  partitions: number;
  /** How training rows were split: FNV-1a hash, sorted round-robin, or explicit ids from the user. */
  partitioning: 'hash' | 'sorted' | 'ids';
  /** Number of classes C, ≥ 2. */
  classes: number;
  /** Augmentation of the training images (docs/spec.md §10), canonical spelling ('rotate:10,hflip,shift:1'); null: none. */
  augment: string | null;
  /**
   * The label-free representation applied to every row before training (docs/spec.md §13),
   * canonical spelling ('scattering:J=2,L=8,order=1+log+…'); null: none, the rows as given.
   */
  represent: string | null;
  /** [height, width, channels] of the images that augmentation or a scattering stage read; null when none does. */
  imageShape: [number, number, number] | null;
  /**
   * Relative rounding band ε of the certificate's comparisons: certificates
   * count a gain sum within ε of a margin for the attacker (the sound side),
   * attacks only beyond it; see docs/spec.md §7.2.
   */
  tieTolerance: number;
  /**
   * CLI only: where the data came from, e.g. `{ dataset, description }`,
   * `{ trainX, trainY, testX, testY }` (.npy paths) or `{ train, test }` (CSV paths).
   */
  source?: Record<string, unknown>;
}

/** Figures over all test points (docs/spec.md §6.2). */
export interface ResultSummary {
  /** Training points n (all partitions together). */
  nTrain: number;
  /** Test points m. */
  nTest: number;
  /** Number of classes C. */
  classes: number;
  /** Number of partitions k. */
  partitions: number;
  /** Fraction of test points predicted correctly, in [0, 1]; null without test labels. */
  accuracy: number | null;
  /**
   * Median certified radius of `radius` (`ensemblecert`) and of `dpaRadius`
   * (`dpa`): the largest r with certified accuracy ≥ 0.5, or −1 when the
   * accuracy is below 0.5. null without test labels.
   */
  mcr: { ensemblecert: number; dpa: number } | null;
  /**
   * Certified accuracy CA(r) for r = 0, 1, 2, …: the fraction of ALL test
   * points that are correct and have radius ≥ r (of `radius` for
   * `ensemblecert`, of `dpaRadius` for `dpa`). Each array ends at the largest
   * radius of a correct point (CA is 0 beyond), so the two lengths may differ;
   * `[0]` when no point is correct. null without test labels.
   */
  certifiedAccuracy: { ensemblecert: number[]; dpa: number[] } | null;
  /** Fraction of points whose radius is known exactly (`exact`), in [0, 1]; for a single model, the unflagged ones. */
  exactFraction: number;
  /** Number of points with `nearTie` set: a decision behind them lay within the rounding band. */
  nearTies: number;
  /** Wall-clock seconds of the certification itself (not reading the data). */
  seconds: number;
  /** Threads that ran tasks: options.threads capped at the partitions and cores (1 on the calling thread). */
  threads: number;
}

/** The certificate of one test point (docs/spec.md §6.3). n is the number of training points. */
export interface PointResult {
  /** 0-based position of the point in the test set. */
  index: number;
  /** Its test label, in [0, C); null when no test labels were given. */
  label: number | null;
  /** Predicted class in [0, C): the model's argmax, or the ensemble's majority vote (ties to the lowest class). */
  prediction: number;
  /**
   * Certified radius, an integer in [0, n]: no change of at most this many
   * training labels changes `prediction`. Single model: ScaLabelCert, exact unless `nearTie`.
   * Ensemble: the EnsembleCert certificate from sound lower bounds. n means no
   * number of flips changes the prediction. Given whether or not the
   * prediction is correct (misclassified points count as −1 only in `mcr`
   * and `certifiedAccuracy`).
   */
  radius: number;
  /**
   * Upper bound on the true certified radius from real attacks (flips applied
   * and re-scored), an integer in [radius, n]. Single model: equal to `radius`
   * unless `nearTie`.
   */
  upper: number;
  /** `radius === upper` and not `nearTie`: the true certified radius is known exactly. */
  exact: boolean;
  /** The black-box DPA radius from the vote counts alone, an integer in [0, n]; 0 for a single model. */
  dpaRadius: number;
  /** Votes per class (length C, summing to k); one-hot at `prediction` for a single model. */
  votes: number[];
  /**
   * True when a decision behind `radius` lay within the rounding band
   * (`config.tieTolerance`, relative): the radius is still sound but may be
   * below the true one (never above), and `exact` is false. See docs/spec.md §7.3.
   */
  nearTie: boolean;
  /**
   * Only on points that are not `exact`: why the bounds could not be closed
   * (docs/spec.md §5.7): `nearTie` (a decision lay within rounding),
   * `searchBudget` (an exact per-partition search gave up), `rounding` (an
   * exact search's answer lay within the rounding band), `noAttack` (no
   * attack was found for some partition and class, so its cost stayed unbounded),
   * `unrefined` (a result merged from shards: the exact search needs the
   * partitions' weights, which shard files do not carry).
   */
  openReason?: 'nearTie' | 'searchBudget' | 'rounding' | 'noAttack' | 'unrefined';
  /**
   * Only with the `witness` option: label flips that change the prediction.
   * Single model: re-scored, the radius + 1 flips of the minimal attack; on a
   * `nearTie` point a larger attack, or none (empty); empty when `radius` is n.
   * Ensemble (k > 1): the `upper` + 1 flips of the attack behind `upper`, each
   * with the partition it lies in (docs/spec.md §5.6); empty when `upper` is n.
   */
  witness?: (WitnessFlip & { partition?: number })[];
  /**
   * Only with the `witness` option and k > 1: true when every touched
   * partition, re-scored with its flipped labels, clearly votes its new class
   * and the re-vote changes the ensemble's prediction; false when `witness` is empty.
   */
  witnessVerified?: boolean;
}
