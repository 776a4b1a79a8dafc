import type { Augmentation } from '../augment.js';
import type { ErrorCode } from '../errors.js';
import type { ModelKind, ResolvedKernel, WitnessFlip } from '../types.js';

/**
 * Everything one worker needs to train one base model and certify every test
 * point against it. Plain data only (typed arrays, numbers): it crosses a
 * thread boundary by structured clone.
 */
export interface PartitionTask {
  partition: number;
  /** Training rows of this partition, row-major `trainRows × cols`. */
  trainX: Float64Array;
  trainY: Int32Array;
  trainRows: number;
  /** All test rows, row-major `testRows × cols`; processed `blockSize` rows at a time. */
  testX: Float64Array;
  testRows: number;
  cols: number;
  classes: number;
  model: ModelKind;
  reg: number;
  /** User-given SVM C, checked against this partition's small-C bound. */
  svmC: number | undefined;
  kernel: ResolvedKernel;
  /** `single`: SPEC §4 certificates (k = 1). `costs`: SPEC §5 vote costs. */
  mode: 'single' | 'costs';
  witness: boolean;
  blockSize: number;
  /** Train on S copies of each row (docs/spec.md §9); groups (the rows here) stay the unit. */
  augment?: Augmentation;
}

export interface PartitionResult {
  partition: number;
  /** 1 / max_i Σ_j |K_ij| of this partition's training kernel (SPEC §3). */
  svmBound: number;
  /** Vote (= prediction) per test point. */
  votes: Int32Array;
  /** m × C flip costs ρ_p(l): sound lower and attack-based upper bounds (mode `costs`). */
  lower?: Int32Array;
  upper?: Int32Array;
  /** SPEC §4 radius per test point (mode `single`). */
  radius?: Int32Array;
  /** Upper bound on the true radius per test point, = radius unless nearTie (mode `single`). */
  radiusUpper?: Int32Array;
  nearTie: Uint8Array;
  /** Witness flips per test point, with indices local to this partition (mode `single`). */
  witnesses?: WitnessFlip[][];
}

/** A task's error as data (see pool/errors.ts): rethrown as FlipcertError with the same code and field. */
export interface PartitionFailure {
  ok: false;
  message: string;
  code: ErrorCode;
  field?: string;
}

/** What a worker sends back: a result, or the error its task threw. */
export type PartitionReply = { ok: true; result: PartitionResult } | PartitionFailure;
