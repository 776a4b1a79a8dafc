/**
 * The `represent` option (docs/spec.md §13): a label-free representation as a
 * chain of stages, `stage+stage+…`, each `name` or `name:key=value,…`:
 *
 *   scattering:J=2,L=8,order=1   wavelet scattering of the images (§13.1)
 *   log                          log(x + 10⁻³), entry by entry
 *   pca:dims=100,whiten=true     z-scored, then projected on the leading principal axes of the training rows
 *   spectral:dims=10,neighbors=10,scale=7   spectral embedding of the training rows' kNN graph (§13.3)
 *
 * `none` is no representation. Every stage is fitted on the training rows'
 * features alone, never on a label, and a test row's representation depends
 * only on the training rows and that row. The canonical spelling (every
 * parameter, in order) is what results and shards record.
 */
import { describe, invalid } from '../checks/values.js';

export interface ScatteringStage {
  kind: 'scattering';
  /** Scales, ≥ 1. */
  J: number;
  /** Orientations, ≥ 1. */
  L: number;
  /** 1 or 2. */
  order: number;
}

export interface LogStage {
  kind: 'log';
}

export interface PcaStage {
  kind: 'pca';
  dims: number;
  whiten: boolean;
}

export interface SpectralStage {
  kind: 'spectral';
  /** Embedding dimensions (eigenvectors after the trivial one). */
  dims: number;
  /** Neighbours per row in the kNN graph. */
  neighbors: number;
  /** The neighbour whose distance is a row's local scale, 1 ≤ scale ≤ neighbors. */
  scale: number;
}

export type Stage = ScatteringStage | LogStage | PcaStage | SpectralStage;

/** A parsed representation: its stages, in order, and their canonical spelling. */
export interface Representation {
  stages: Stage[];
  spec: string;
}

type Param = { default: number | boolean; min?: number; max?: number };

const PARAMS: Record<Stage['kind'], Record<string, Param>> = {
  scattering: { J: { default: 2, min: 1, max: 6 }, L: { default: 8, min: 1, max: 16 }, order: { default: 1, min: 1, max: 2 } },
  log: {},
  pca: { dims: { default: 100, min: 1, max: 100_000 }, whiten: { default: true } },
  spectral: { dims: { default: 10, min: 1, max: 1000 }, neighbors: { default: 10, min: 1, max: 1000 }, scale: { default: 7, min: 1, max: 1000 } },
};

const NAME = 'options.represent';
const GRAMMAR = "stages joined by '+', e.g. 'scattering+log+pca+spectral' or 'pca:dims=50'";

/** Parses `value` (a spec string); undefined for 'none'. */
export function parseRepresentation(value: unknown): Representation | undefined {
  if (typeof value !== 'string') throw invalid(NAME, `${NAME} must be a string (${GRAMMAR}), got ${describe(value)}`, 'EOPTION');
  const text = value.trim();
  if (text === 'none') return undefined;
  const stages = text.split('+').map((part, i) => parseStage(part.trim(), i));
  if (stages.some((s, i) => s.kind === 'scattering' && i > 0)) {
    throw invalid(NAME, `${NAME}: scattering reads images, so it must be the first stage`, 'EOPTION');
  }
  return { stages, spec: stages.map(spell).join('+') };
}

function parseStage(text: string, index: number): Stage {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!(name in PARAMS)) {
    const shown = text === '' ? `stage ${index + 1} is empty` : `${JSON.stringify(name)} is not a stage`;
    throw invalid(NAME, `${NAME}: ${shown} (stages: ${Object.keys(PARAMS).join(', ')}; ${GRAMMAR})`, 'EOPTION');
  }
  const kind = name as Stage['kind'];
  const known = PARAMS[kind];
  const values: Record<string, number | boolean> = Object.fromEntries(Object.entries(known).map(([k, p]) => [k, p.default]));
  const given = new Set<string>();
  for (const item of colon < 0 ? [] : text.slice(colon + 1).split(',')) {
    const [key, raw, extra] = item.split('=').map((s) => s.trim());
    const bad = (why: string) => invalid(NAME, `${NAME}: ${kind}: ${JSON.stringify(item)} ${why}`, 'EOPTION');
    if (!(key in known)) {
      const keys = Object.keys(known);
      throw bad(keys.length === 0 ? 'takes no parameters' : `is not a parameter (${keys.map((k) => `${k}=`).join(', ')})`);
    }
    if (raw === undefined || extra !== undefined) throw bad(`must be ${key}=value`);
    if (given.has(key)) throw bad('is given twice');
    given.add(key);
    values[key] = parseValue(raw, known[key], bad);
  }
  const stage = { kind, ...values } as Stage;
  if (stage.kind === 'spectral' && stage.scale > stage.neighbors) {
    throw invalid(NAME, `${NAME}: spectral: scale=${stage.scale} must be at most neighbors=${stage.neighbors}`, 'EOPTION');
  }
  return stage;
}

function parseValue(raw: string, param: Param, bad: (why: string) => Error): number | boolean {
  if (typeof param.default === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw bad('must be true or false');
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < param.min! || value > param.max!) throw bad(`must be an integer in ${param.min}..${param.max}`);
  return value;
}

/** A stage with every parameter, in the order of PARAMS: `pca:dims=100,whiten=true`. */
function spell(stage: Stage): string {
  const keys = Object.keys(PARAMS[stage.kind]);
  if (keys.length === 0) return stage.kind;
  const values = stage as unknown as Record<string, number | boolean>;
  return `${stage.kind}:${keys.map((k) => `${k}=${values[k]}`).join(',')}`;
}
