// SHA-256 fingerprints of what a shard was computed from (docs/spec.md §9.2), so that
// shards of different runs can never be merged. Node only (the CLI).
import { createHash } from 'node:crypto';
import type { Resolved } from '../certify/options.js';
import type { Matrix } from '../types.js';

export interface Fingerprints {
  /** Training features: rows, columns and float64 values as resolved. */
  trainX: string;
  trainY: string;
  testX: string;
  /** null without test labels. */
  testY: string | null;
  /** The partition id of every training row. */
  assignment: string;
}

function digest(shape: number[], view: ArrayBufferView): string {
  const hash = createHash('sha256');
  hash.update(`${view.constructor.name} ${shape.join('×')}\n`);
  hash.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return hash.digest('hex');
}

const matrix = (x: Matrix): string => digest([x.rows, x.cols], x.data);

export function fingerprints(opts: Resolved): Fingerprints {
  const assignment = new Int32Array(opts.trainX.rows);
  opts.groups.forEach((rows, p) => rows.forEach((row) => (assignment[row] = p)));
  return {
    trainX: matrix(opts.trainX),
    trainY: digest([opts.trainY.length], opts.trainY),
    testX: matrix(opts.testX),
    testY: opts.testY === undefined ? null : digest([opts.testY.length], opts.testY),
    assignment: digest([assignment.length], assignment),
  };
}
