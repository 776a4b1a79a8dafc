/** A row-major matrix: `rows × cols` values in `data`. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** What the API accepts for a feature matrix. */
export type MatrixInput =
  | { data: Float64Array | Float32Array | ArrayLike<number>; shape: readonly [number, number] }
  | { data: Float64Array | Float32Array | ArrayLike<number>; rows: number; cols: number }
  | readonly (readonly number[])[];

export type LabelsInput = ArrayLike<number>;

export type ModelKind = 'krr' | 'svm';

/** docs/spec.md §2 kernel hyper-parameters; any other key is an error. */
export interface KernelOptions {
  /** Number of hidden ReLU layers, an integer 1..1000. Default 2. */
  depth?: number;
  /** Weight variance W_std², a number > 0. Default 2. */
  wVar?: number;
  /** Bias variance b_std², a number ≥ 0. Default 0. */
  bVar?: number;
}

export interface ResolvedKernel {
  depth: number;
  wVar: number;
  bVar: number;
}

/** Label-independent partitioning rule (docs/spec.md §5), or explicit ids per training row. */
export type Partitioning = 'hash' | 'sorted' | ArrayLike<number>;

/**
 * Sentinel for a cost that no number of flips reaches. Defined here only: the
 * compute core imports it when it is instantiated (src/wasm/core.ts).
 */
export const UNREACHABLE = 0x7fffffff;

/**
 * Relative rounding band of every certificate comparison (README "Rounding"):
 * a gain sum S and a margin M are "within rounding" when |S − M| ≤
 * TIE_TOLERANCE · (Σ|β| of the two classes + S). Defined here only: the compute
 * core imports it when it is instantiated (src/wasm/core.ts).
 */
export const TIE_TOLERANCE = 1e-12;

/** One flip of a witness: training row `train` relabelled from `from` to `to`. */
export interface WitnessFlip {
  /** 0-based row of the training set (the whole set, not the partition). */
  train: number;
  /** Its clean label. */
  from: number;
  /** The label the attacker gives it. */
  to: number;
}

/**
 * Per-partition, per-test-point result of one base model (docs/spec.md §5):
 * its vote and the flips ρ_p(l) it needs to vote each class l.
 * `lower` is the sound bound (exact for two classes); `upper` comes from a
 * real attack that was applied and re-checked (UNREACHABLE when none was found).
 */
export interface VoteCosts {
  votes: Int32Array; // m
  lower: Int32Array; // m × C, row-major
  upper: Int32Array; // m × C
  nearTie: Uint8Array; // m: 1 when some decision was within rounding of its threshold
}

/** Single-model (k = 1) ScaLabelCert result for a block of test points (docs/spec.md §4). */
export interface SingleCertificates {
  prediction: Int32Array; // m
  radius: Int32Array; // m, in [0, n]
  nearTie: Uint8Array; // m
  upper: Int32Array; // m, ≥ the true radius; = radius unless nearTie
  witnesses?: WitnessFlip[][]; // m re-scored flip lists: radius+1 flips, more or none on flagged points, none when radius = n
}
