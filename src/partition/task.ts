import type { Augmentation } from '../kernel/augment.js';
import type { ErrorCode } from '../errors.js';
import type { NetworkResult } from '../network/task.js';
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
  /**
   * `single`: docs/spec.md §4 certificates (k = 1). `costs`: docs/spec.md §5 vote costs.
   * `attacks`: the flips of attacks for the (test point, class, cost) triples
   * in `requests` (ensemble witnesses, src/ensemble/witness.ts). `exact`: the
   * exact vote costs for the (test point, class, lower, upper) quadruples in
   * `requests` (src/ensemble/refine.ts). Both: src/partition/requests.ts.
   */
  mode: 'single' | 'costs' | 'attacks' | 'exact';
  witness: boolean;
  blockSize: number;
  /** Modes `attacks` and `exact`: the requests, flat, by ascending test point (first entry of each). */
  requests?: Int32Array;
  /** Train on S copies of each row (docs/spec.md §10); groups (the rows here) stay the unit. */
  augment?: Augmentation;
}

export interface PartitionResult {
  partition: number;
  /** 1 / max_i Σ_j |K_ij| of this partition's training kernel (docs/spec.md §3). */
  svmBound: number;
  /** Vote (= prediction) per test point. */
  votes: Int32Array;
  /** m × C flip costs ρ_p(l): sound lower and attack-based upper bounds (mode `costs`). */
  lower?: Int32Array;
  upper?: Int32Array;
  /** docs/spec.md §4 radius per test point (mode `single`). */
  radius?: Int32Array;
  /** Upper bound on the true radius per test point, = radius unless nearTie (mode `single`). */
  radiusUpper?: Int32Array;
  nearTie: Uint8Array;
  /** Witness flips per test point, with indices local to this partition (mode `single`). */
  witnesses?: WitnessFlip[][];
  /**
   * Mode `attacks`, per requested pair a: its flips are the (local train row,
   * from, to) triples attackFlips[3·attackStart[a] … 3·attackStart[a+1]).
   */
  attackStart?: Int32Array;
  attackFlips?: Int32Array;
  /** Per pair: 1 when the attacked labels, re-scored independently, clearly vote the target. */
  attackVerified?: Uint8Array;
  /** Mode `exact`, per request: the new bounds (equal when exact) and EXACT_STATUS codes. */
  exactLower?: Int32Array;
  exactUpper?: Int32Array;
  exactStatus?: Uint8Array;
  /** Milliseconds per phase of src/certify/profile.ts WORKER_PHASES, measured on the thread that ran the task. */
  phaseMs?: Float64Array;
  /** Counted flops per phase, in phaseMs order (src/partition/phase-clock.ts FLOPS_OF). */
  phaseFlops?: Float64Array;
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

/** What a worker sends back for a network training (src/network/task.ts). */
export type NetworkReply = { ok: true; result: NetworkResult[] } | PartitionFailure;
