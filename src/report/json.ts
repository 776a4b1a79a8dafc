// The JSON file a run writes (docs/spec.md §6): the CLI's --out and the web app's
// download are this same text, so that they can be compared value by value.
import type { CertifyResult } from '../certify/result.js';

/** The result as its JSON file holds it, with `config.source` saying where the data came from. */
export function resultJson(result: CertifyResult, source?: Record<string, unknown>): string {
  const withSource = source === undefined ? result : { ...result, config: { ...result.config, source } };
  return JSON.stringify(withSource, null, 1) + '\n';
}
