import type { ModelKind, WitnessFlip } from './types.js';

/** SPEC §6 output, version 1. */
export interface CertifyResult {
  version: 1;
  config: ResultConfig;
  summary: ResultSummary;
  points: PointResult[];
}

export interface ResultConfig {
  model: ModelKind;
  reg: number;
  /** User-given SVM C (null when not given: any C below svmCBound gives the same predictions). */
  svmC: number | null;
  /** Largest admissible C: min over partitions of 1 / max_i Σ_j |K_ij| (svm only, else null). */
  svmCBound: number | null;
  depth: number;
  wVar: number;
  bVar: number;
  partitions: number;
  partitioning: 'hash' | 'sorted' | 'ids';
  classes: number;
  /** Relative tolerance under which a margin counts as reached (the sound side); see README. */
  tieTolerance: number;
  /** Where the data came from (CLI: dataset name or file paths). */
  source?: Record<string, unknown>;
}

export interface ResultSummary {
  nTrain: number;
  nTest: number;
  classes: number;
  partitions: number;
  /** null when the test labels are unknown. */
  accuracy: number | null;
  mcr: { ensemblecert: number; dpa: number } | null;
  certifiedAccuracy: { ensemblecert: number[]; dpa: number[] } | null;
  exactFraction: number;
  /** Points where some decision was within rounding of its threshold (counted as flippable: the sound side). */
  nearTies: number;
  seconds: number;
  /** Threads that ran tasks: options.threads capped at the partitions and cores (1 on the calling thread). */
  threads: number;
}

export interface PointResult {
  index: number;
  label: number | null;
  prediction: number;
  radius: number;
  upper: number;
  exact: boolean;
  dpaRadius: number;
  votes: number[];
  nearTie: boolean;
  witness?: WitnessFlip[];
}
