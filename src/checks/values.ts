/**
 * The checks every boundary applies to option values (numbers, ranges,
 * choices, option objects) before any of it reaches the Wasm core: the API's
 * options (src/certify/options.ts, src/validate/options.ts) and the file
 * readers. Every failure is a FlipcertError whose message names the argument
 * (`what`).
 *
 * `what` is how the message names the argument: an API path such as
 * `options.train.x` (then the error's `field` is that path without
 * `options.`, e.g. `train.x`, for the CLI to translate into its flag), or a
 * file name. Data problems carry code EINPUT, option values EOPTION.
 */
import { FlipcertError, type ErrorCode } from '../errors.js';
import { closest } from './suggest.js';

/** The API field named by `what` ('options.kernel.depth' → 'kernel.depth'); undefined for a file name or flag. */
export function fieldOf(what: string): string | undefined {
  return what.startsWith('options.') ? what.slice('options.'.length) : undefined;
}

/** A FlipcertError about `what`, with `field` derived from it. */
export function invalid(what: string, message: string, code: ErrorCode): FlipcertError {
  return new FlipcertError(message, code, { field: fieldOf(what) });
}

/** Strict decimal number syntax: no hex, no empty string, no trailing junk. */
const NUMBER_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal number written as text (a CSV cell, a CLI option).
 * Returns undefined when the text is not a plain decimal number; unlike
 * `Number()`, '' and '0x10' are rejected rather than read as 0 and 16.
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER_SYNTAX.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Parses a numeric option given as text, e.g. `parseNumber('0.5', '--reg')`.
 * Throws naming the option when the text is not a decimal number.
 */
export function parseNumber(text: string, name: string): number {
  const value = parseDecimal(text);
  if (value === undefined) throw invalid(name, `${name} must be a number, got ${JSON.stringify(text)}`, 'EOPTION');
  return value;
}

/** Describes a bad value for a message: NaN, Infinity, "abc" (a string), [1,2] (an array), … */
export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (a ${typeof value})`;
}

/** Returns `value` if it is a finite number > 0 (e.g. reg, wVar), else throws naming `name`. */
export function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(name, `${name} must be a positive number, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is a finite number ≥ 0 (e.g. bVar), else throws naming `name`. */
export function nonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(name, `${name} must be a number ≥ 0, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is an integer ≥ `min` (e.g. depth ≥ 1), else throws naming `name`. */
export function integerAtLeast(value: unknown, min: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(name, `${name} must be an integer ≥ ${min}, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is an integer in [min, max], else throws naming `name` and the range. */
export function integerInRange(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(name, `${name} must be an integer in ${min}..${max}, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is true or false, else throws naming `name`. */
export function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalid(name, `${name} must be true or false, got ${describe(value)}`, 'EOPTION');
  return value;
}

/** Returns `value` if it is one of `choices` (strings), else throws naming `name`, with a "did you mean" hint. */
export function oneOf<T extends string>(value: unknown, choices: readonly T[], name: string): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const listed = choices.map((c) => `'${c}'`).join(' or ');
  const near = typeof value === 'string' ? closest(value, choices) : undefined;
  const hint = near === undefined ? '' : `; did you mean '${near}'?`;
  throw invalid(name, `${name} must be ${listed}, got ${describe(value)}${hint}`, 'EOPTION');
}

/** True for `{...}` objects (not arrays, typed arrays or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/**
 * Requires `value` to be a plain object whose own keys are all in `known`;
 * an unknown key is an error with a "did you mean" hint:
 * `options.partition is not an option; did you mean options.partitions?`.
 * `name` is the object's path ('options', 'options.kernel').
 */
export function knownKeys(value: unknown, known: readonly string[], name: string, shape: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(name, `${name} must be an object ${shape}, got ${describe(value)}`, 'EOPTION');
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near === undefined ? `; the options here are ${known.join(', ')}` : `; did you mean ${name}.${near}?`;
    throw invalid(`${name}.${key}`, `${name}.${key} is not an option${hint}`, 'EOPTION');
  }
  return value;
}
