// Errors across the thread boundary, written once for every pool: a worker
// turns what a task threw into plain data (toFailure), the pool turns that
// back into the error the caller sees (fromFailure), keeping code and field.
import { FlipcertError } from '../errors.js';
import type { PartitionFailure } from '../partition/task.js';

/**
 * What a task threw, as data: a FlipcertError keeps its message, code and
 * field; anything else is a bug (EINTERNAL) and keeps its stack for the report.
 */
/** `task`: the partition's number, or what the task was (`a network training`). */
export function toFailure(error: unknown, task: number | string): PartitionFailure {
  if (error instanceof FlipcertError) return { ok: false, message: error.message, code: error.code, field: error.field };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { ok: false, message: `internal error in ${typeof task === 'number' ? `partition ${task}` : task} (a bug in flipcert, please report it): ${detail}`, code: 'EINTERNAL' };
}

/** The error a failed task rejects with: a FlipcertError with the worker's message, code and field. */
export function fromFailure(failure: PartitionFailure): FlipcertError {
  return new FlipcertError(failure.message, failure.code, { field: failure.field });
}

/** A task's error as the caller sees it, for pools that run tasks on the calling thread. */
export function taskError(error: unknown, task: number | string): FlipcertError {
  if (error instanceof FlipcertError) return error;
  const mapped = fromFailure(toFailure(error, task));
  (mapped as { cause?: unknown }).cause = error;
  return mapped;
}
