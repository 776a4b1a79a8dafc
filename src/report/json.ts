// The JSON file a run writes (docs/spec.md §6): the CLI's --out and the web app's
// download are this same text, so that they can be compared value by value.
import type { CertifyResult } from '../certify/result.js';
import { jsonPieces } from './json-text.js';

/**
 * The result's JSON file in pieces (json-text.ts: a result with witnesses on a
 * million points is longer than one string may be), `config.source` saying
 * where the data came from. Read once, as it is written.
 */
export function* resultJsonPieces(result: CertifyResult, source?: Record<string, unknown>): Generator<string> {
  yield* jsonText(source === undefined ? result : { ...result, config: { ...result.config, source } });
}

/** Any value's JSON file in pieces: `JSON.stringify(value, null, 1)` and a final line break. */
export function* jsonText(value: unknown): Generator<string> {
  yield* jsonPieces(value);
  yield '\n';
}

/** The result's JSON file as one string (results of ordinary size). */
export function resultJson(result: CertifyResult, source?: Record<string, unknown>): string {
  return [...resultJsonPieces(result, source)].join('');
}
