// What both library fronts export besides certify and validate (src/index.ts for
// Node, src/browser.ts for browsers and edge runtimes): the ntk function, the
// error class, and the types of the options and results. One list, so the two
// fronts cannot drift apart.
export { ntk, type NtkOptions } from './kernel/gram.js';
export { FlipcertError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { CertifyOptions, Progress } from './certify/options.js';
export type { ValidateOptions, ValidateProgress } from './validate/options.js';
export type { AttackKind, NtkSummary, Retraining, SeedRun, Spread, ValidateConfig, ValidatePoint, ValidateResult, WidthResult } from './validate/result.js';
export type { CertifyResult, PointResult, ResultConfig, ResultSummary } from './certify/result.js';
export type { RunProfile } from './certify/profile.js';
export type { KernelOptions, LabelsInput, Matrix, MatrixInput, ModelKind, Partitioning, WitnessFlip } from './types.js';
