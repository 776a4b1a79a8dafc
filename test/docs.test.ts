// docs/spec.md and docs/errors.md against the code: every result field the
// library emits is documented (and nothing else), the error table is the
// ErrorCode union, and the spec's worked numbers are what the code computes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certify, ntk, validate } from '../src/index.js';
import { hashRow } from '../src/ensemble/partitioning.js';

const spec = readFileSync('docs/spec.md', 'utf8');
const errors = readFileSync('docs/errors.md', 'utf8');
/** The spec as one line: sentences wrap anywhere. */
const flat = spec.replace(/\s+/g, ' ');

/** Text of the section whose heading starts with `heading`, up to the next heading of any level. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}`);
  expect(start, `heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = text.slice(start + 1);
  const next = rest.slice(1).search(/\n#{1,6} /);
  return next < 0 ? rest : rest.slice(0, next + 1);
}

/** The first-column `code` names of the markdown table rows in `text`. */
function tableNames(text: string): string[] {
  return [...text.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
}

async function sampleResults() {
  const train = { x: [[0, 0], [0, 1], [1, 0], [1, 1], [0.2, 0.1], [0.9, 0.7]], y: [0, 0, 1, 1, 2, 2] };
  const test = { x: [[0.1, 0.1], [0.9, 0.9]], y: [0, 1] };
  const single = await certify({ train, test, witness: true, threads: 1 });
  const ensemble = await certify({ train, test, partitions: 2, partitioning: 'sorted', model: 'svm', threads: 1 });
  const witnessed = await certify({ train, test, partitions: 2, partitioning: 'sorted', model: 'svm', threads: 1, witness: true });
  return { single, ensemble, witnessed };
}

describe('docs/spec.md §6 documents the result', () => {
  it('lists exactly the fields of config, summary and points', async () => {
    const { single, ensemble, witnessed } = await sampleResults();
    // `source` is added by the CLI only.
    expect(tableNames(section(spec, '### 6.1')).sort()).toEqual([...Object.keys(single.config), 'source'].sort());
    expect(tableNames(section(spec, '### 6.2')).sort()).toEqual(Object.keys(ensemble.summary).sort());
    // `openReason` appears on points that are not exact only (none in these samples).
    const fields = new Set([...Object.keys(single.points[0]), ...Object.keys(witnessed.points[0]), 'openReason']);
    expect(tableNames(section(spec, '### 6.3')).sort()).toEqual([...fields].sort());
    expect(Object.keys(ensemble.points[0]).sort()).toEqual(Object.keys(single.points[0]).filter((k) => k !== 'witness').sort());
    expect(Object.keys(witnessed.points[0]).sort()).toEqual([...Object.keys(ensemble.points[0]), 'witness', 'witnessVerified'].sort());
    expect(Object.keys(single).sort()).toEqual(['config', 'points', 'summary', 'version']);
  });
});

describe('docs/spec.md §12.5 documents the validate result', () => {
  it('lists exactly the fields validate emits', async () => {
    const train = { x: [[0, 0], [0, 1], [1, 0], [1, 1], [0.2, 0.1], [0.9, 0.7]], y: [0, 0, 1, 1, 0, 1] };
    const test = { x: [[0.1, 0.1], [0.9, 0.9], [0.6, 0.2]], y: [0, 1, 1] };
    const result = await validate({ train, test, widths: [8], seeds: 1, threads: 1 });
    const documented = (heading: string) => tableNames(section(spec, heading)).sort();
    // `source` is added by the CLI only.
    expect(documented('#### 12.5.1')).toEqual([...Object.keys(result.config), 'source'].sort());
    expect(documented('#### 12.5.2')).toEqual(Object.keys(result.ntk).sort());
    expect(documented('#### 12.5.3')).toEqual(Object.keys(result.widths[0]).sort());
    expect(documented('#### 12.5.4')).toEqual(Object.keys(result.widths[0].runs[0]).sort());
    expect(documented('#### 12.5.5')).toEqual(Object.keys(result.points[0]).sort());
    expect(Object.keys(result).sort()).toEqual(['config', 'ntk', 'points', 'seconds', 'threads', 'version', 'widths']);
    const block = section(spec, '### 12.5');
    for (const key of ['seconds', 'threads']) expect(block).toContain(`"${key}"`);
    // A retraining's fields, as the paragraph after the table spells them.
    const retraining = result.points.find((p) => p.witness !== null)?.witness;
    expect(retraining, 'a point with a witness').toBeDefined();
    const spelled = /A retraining is `\{ ([^}]*\}\[\][^}]*) \}`/.exec(spec.replace(/\s+/g, ' '));
    expect(spelled).not.toBeNull();
    const names = spelled![1].replace(/\{[^}]*\}\[\]/, '').split(/[ ,:]+/).filter(Boolean);
    expect(['flips', ...names.filter((n) => n !== 'flips')].sort()).toEqual(Object.keys(retraining!).sort());
  });
});

describe('docs/errors.md', () => {
  it('tables exactly the codes of the ErrorCode union', () => {
    const source = readFileSync('src/errors.ts', 'utf8');
    const union = source.slice(source.indexOf('export type ErrorCode'));
    const codes = [...union.slice(0, union.indexOf(';')).matchAll(/'(E[A-Z]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThanOrEqual(10);
    expect(tableNames(section(errors, '## Codes'))).toEqual(codes);
  });
});

describe("docs/spec.md's worked numbers", () => {
  it('FNV-1a row vectors (§5.1) are what hash partitioning computes', () => {
    const vectors = [...flat.matchAll(/row \(([^)]+)\) (?:hashes )?to \*\*0x([0-9a-f]{8})\*\*/g)];
    expect(vectors.length).toBe(2);
    for (const [, row, hex] of vectors) {
      const values = row.split(',').map((v) => Number(v.trim().replace('−', '-')));
      expect(hashRow({ data: Float64Array.from(values), rows: 1, cols: values.length }, 0), row).toBe(parseInt(hex, 16));
    }
  });

  it('kernel checks (§2) are what ntk() computes', async () => {
    const example = /`ntk\(\[\[0, 1\], \[1, 1\]\], undefined, \{ depth: 2 \}\)` is \[\[3, ([0-9.]+)\], \[\1, 6\]\]/.exec(flat);
    expect(example).not.toBeNull();
    const K = await ntk([[0, 1], [1, 1]], undefined, { depth: 2 });
    expect(Array.from(K.data)).toEqual([3, Number(example![1]), Number(example![1]), 6]);

    const diagonal = /x = \(([^)]+)\), \|x\|² = ([0-9.]+), d = 4, depth 1, 2, 3 give ([0-9., ]+)\./.exec(flat);
    expect(diagonal).not.toBeNull();
    const x = diagonal![1].split(',').map((v) => Number(v.trim().replace('−', '-')));
    const stated = diagonal![3].replace(/\.$/, '').split(',').map(Number);
    for (const depth of [1, 2, 3]) {
      const value = (await ntk([x], undefined, { depth })).data[0];
      expect(value).toBeCloseTo(stated[depth - 1], 12);
      expect(value).toBeCloseTo((2 * (depth + 1) * Number(diagonal![2])) / 4, 12);
    }

    const orthogonal = (await ntk([[1, 0]], [[0, 1]], { depth: 1 })).data[0];
    expect(orthogonal).toBeCloseTo(1 / Math.PI, 15);
  });
});
