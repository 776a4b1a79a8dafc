// Shards (docs/spec.md §9) end to end through the bundled CLI: any split of the
// partitions, merged in any order, gives the single-machine JSON; every bad
// set of shard files is refused with one line naming the file; --resume.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { rng } from './reference.js';
import { clusters } from './support/clusters.js';
import { resolveShard, shardPartitions } from '../src/shard/assignment.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'flipcert-shard-'));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['dist/cli.js', ...args], { maxBuffer: 1 << 28, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function save(name: string, data: Float64Array | Int32Array, shape: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(dump(data, shape)));
  return path;
}

/** Noisy clusters (test/support/clusters.ts) as .npy files: a problem with a spread of radii and votes. */
function problem(name: string, seed: number, n: number, m: number, classes: number, d = 4, spread = 1.2): string[] {
  const { train, test } = clusters(seed, n, m, classes, d, spread);
  return [
    '--train-x', save(`${name}-tx.npy`, Float64Array.from(train.x.flat()), [n, d]),
    '--train-y', save(`${name}-ty.npy`, Int32Array.from(train.y), [n]),
    '--test-x', save(`${name}-sx.npy`, Float64Array.from(test.x.flat()), [m, d]),
    '--test-y', save(`${name}-sy.npy`, Int32Array.from(test.y), [m]),
  ];
}

/** The result without run metadata: time and threads (docs/spec.md §9.3). */
function withoutRunMetadata(path: string): unknown {
  const result = JSON.parse(readFileSync(path, 'utf8'));
  delete result.summary.seconds;
  delete result.summary.threads;
  return result;
}

async function shards(data: string[], settings: string[], count: number, prefix: string): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => join(dir, `${prefix}-${i}.fcshard`));
  for (let i = 0; i < count; i++) {
    const { code, stderr } = await cli(['certify', ...data, ...settings, '--shard', `${i}/${count}`, '--out', paths[i], '--quiet', '--threads', '1']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }
  return paths;
}

/** A fixed shuffle, so that merges never see the shards in index order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const random = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('shard assignment', () => {
  it('gives every partition to exactly one shard: p mod N = I', () => {
    for (const k of [2, 7, 20]) {
      for (let N = 1; N <= k; N++) {
        const all = Array.from({ length: N }, (_, I) => shardPartitions(k, { index: I, count: N })).flat().sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: k }, (_, p) => p));
        for (let I = 0; I < N; I++) for (const p of shardPartitions(k, { index: I, count: N })) expect(p % N).toBe(I);
      }
    }
  });

  it('reads --shard auto from Slurm and Kubernetes', () => {
    expect(resolveShard('2/5', {})).toEqual({ index: 2, count: 5 });
    expect(resolveShard('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(resolveShard('auto', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_MAX: '7' })).toEqual({ index: 1, count: 4 });
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '2', FLIPCERT_SHARD_COUNT: '3' })).toEqual({ index: 2, count: 3 });
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '0' }, 6)).toEqual({ index: 0, count: 6 });
    const refused: [string, NodeJS.ProcessEnv, number | undefined, RegExp][] = [
      ['auto', {}, undefined, /neither SLURM_ARRAY_TASK_ID .* nor JOB_COMPLETION_INDEX/],
      ['auto', { JOB_COMPLETION_INDEX: '1' }, undefined, /needs the number of shards/],
      ['auto', { JOB_COMPLETION_INDEX: '3', FLIPCERT_SHARD_COUNT: '3' }, undefined, /not below the shard count 3/],
      ['auto', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '6', SLURM_ARRAY_TASK_STEP: '2' }, undefined, /step 2/],
      ['auto', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '5' }, undefined, /contiguous/],
      ['auto', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' }, 3, /disagrees with the Slurm array's 4 tasks/],
      ['4/4', {}, undefined, /index must be below the count/],
      ['1-4', {}, undefined, /--shard must be I\/N/],
    ];
    for (const [text, env, count, message] of refused) expect(() => resolveShard(text, env, count)).toThrow(message);
  });
});

describe('flipcert certify --shard / merge', () => {
  const binary = problem('bin', 3, 90, 37, 2);
  const three = problem('tri', 4, 120, 29, 3);

  it.each([
    ['2 classes, krr', binary, ['--partitions', '7'], [1, 3, 7]],
    ['3 classes, svm', three, ['--partitions', '8', '--model', 'svm'], [1, 3, 7]],
  ])('merges N = 1, 3, 7 shards in any order into the single-machine JSON (%s)', async (name, data, settings, counts) => {
    const tag = name.replace(/\W+/g, '');
    // Small test blocks, so that the merge reads several blocks of every shard in lockstep.
    const run = [...settings, '--block-size', '8'];
    const single = join(dir, `${tag}-single.json`);
    expect((await cli(['certify', ...data, ...run, '--out', single, '--quiet'])).code).toBe(0);
    const expected = withoutRunMetadata(single);
    const radii = (expected as { points: { radius: number }[] }).points.map((p) => p.radius);
    expect(new Set(radii).size).toBeGreaterThan(2); // a problem where the radii say something
    for (const count of counts) {
      const paths = await shards(data, run, count, `${tag}-${count}`);
      for (const [order, seed] of [['shuffled', 1], ['reversed', 0]] as const) {
        const given = order === 'reversed' ? [...paths].reverse() : shuffled(paths, seed + count);
        const out = join(dir, `${tag}-${count}-${order}.json`);
        const merged = await cli(['merge', ...given, '--out', out, '--quiet']);
        expect(merged.stderr).toBe('');
        expect(merged.code).toBe(0);
        expect(sameUpToRefinement(withoutRunMetadata(out), expected)).toBe(true);
      }
    }
  });

  /**
   * A merge aggregates the shards' first-pass costs; a single machine with more
   * than two classes may also close open points by the exact search
   * (docs/spec.md §5.7), which needs the partitions' weights. So: the same
   * JSON, except that a point the single machine refined is, in the merge, open
   * (`openReason: 'unrefined'`) with bounds around the refined ones.
   */
  function sameUpToRefinement(merged: unknown, single: unknown): boolean {
    type P = { radius: number; upper: number; exact: boolean; openReason?: string };
    const m = merged as { points: P[]; summary: Record<string, unknown> };
    const s = single as { points: P[]; summary: Record<string, unknown> };
    const unrefined = m.points.flatMap((p, i) => (p.openReason === 'unrefined' && s.points[i].openReason !== 'unrefined' ? [i] : []));
    for (const i of unrefined) {
      const [a, b] = [m.points[i], s.points[i]];
      if (!(a.radius <= b.radius && b.upper <= a.upper && !a.exact)) return false;
      m.points[i] = b;
    }
    if (unrefined.length > 0) {
      delete m.summary.exactFraction; delete s.summary.exactFraction;
      delete m.summary.mcr; delete s.summary.mcr;
      delete m.summary.certifiedAccuracy; delete s.summary.certifiedAccuracy;
    }
    expect(m).toEqual(s);
    return true;
  }

  it('with the run\'s data flags, merges a 10-class run into the single-machine JSON, refined points included (§9.3)', async () => {
    // Ten overlapping clusters, k = 9, 3 shards: a problem where one machine closes points by the exact search (§5.7).
    const ten = problem('ten', 1, 300, 60, 10, 6, 1.5);
    const run = ['--partitions', '9', '--block-size', '16'];
    const single = join(dir, 'ten-single.json');
    expect((await cli(['certify', ...ten, ...run, '--out', single, '--quiet'])).code).toBe(0);
    const paths = shuffled(await shards(ten, run, 3, 'ten'), 5);

    // Without the data, some point is open only for want of weights, and the merge says so.
    const bare = join(dir, 'ten-bare.json');
    const withoutData = await cli(['merge', ...paths, '--out', bare]);
    expect(withoutData.code).toBe(0);
    const unrefined = (withoutRunMetadata(bare) as { points: { openReason?: string }[] }).points.filter((p) => p.openReason === 'unrefined').length;
    expect(unrefined).toBeGreaterThan(0);
    expect(withoutData.stderr).toContain(`flipcert: note: ${unrefined === 1 ? '1 point is' : `${unrefined} points are`} open only because shards hold no weights`);

    // With it, the single machine's JSON, field for field (but seconds and threads).
    const out = join(dir, 'ten-merged.json');
    const merged = await cli(['merge', ...paths, ...ten, '--out', out, '--quiet', '--threads', '2']);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(withoutRunMetadata(out)).toEqual(withoutRunMetadata(single));

    // Data that are not the run's are refused before any retraining, in one line.
    const other = problem('ten-other', 2, 300, 60, 10, 6, 1.5);
    const refused = await cli(['merge', ...paths, ...other, '--out', join(dir, 'ten-refused.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^flipcert: error: the data given to merge are not the run of .*ten-\d\.fcshard: the training features differ from the data given\n$/);
    expect(existsSync(join(dir, 'ten-refused.json'))).toBe(false);
    const stray = await cli(['merge', ...paths, '--threads', '2', '--out', join(dir, 'ten-refused.json')]);
    expect([stray.code, stray.stderr.split('\n')[0]]).toEqual([2, "flipcert: error: --threads applies with the run's data flags (--train-x …, --train/--test or --dataset)"]);
  });

  it('with ids partitioning, merge needs the same --partitioning file and then matches one machine', async () => {
    const ten = problem('ten', 1, 300, 60, 10, 6, 1.5);
    const ids = save('ten-ids.npy', Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 9), [300]);
    const run = ['--partitions', '9', '--partitioning', ids];
    const single = join(dir, 'ten-ids-single.json');
    expect((await cli(['certify', ...ten, ...run, '--out', single, '--quiet'])).code).toBe(0);
    const paths = await shards(ten, run, 3, 'ten-ids');
    const out = join(dir, 'ten-ids-merged.json');
    const missing = await cli(['merge', ...paths, ...ten, '--out', out]);
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([2, 'flipcert: error: the run partitioned its training rows by ids: give merge the same --partitioning file.npy']);
    const other = save('ten-ids-other.npy', Int32Array.from({ length: 300 }, (_, i) => i % 9), [300]);
    const wrong = await cli(['merge', ...paths, ...ten, '--partitioning', other, '--out', out]);
    expect(wrong.stderr).toMatch(/the partition assignment differs from the data given\n$/);
    const merged = await cli(['merge', ...paths, ...ten, '--partitioning', ids, '--out', out, '--quiet']);
    expect([merged.code, merged.stderr]).toEqual([0, '']);
    expect(withoutRunMetadata(out)).toEqual(withoutRunMetadata(single));
  });

  it('refuses missing, duplicated, corrupted and mismatched shards with one line naming the file', async () => {
    const settings = ['--partitions', '6'];
    const good = await shards(binary, settings, 3, 'ref');
    const otherData = await shards(three, settings, 3, 'other-data');
    const otherReg = await shards(binary, [...settings, '--reg', '2'], 3, 'other-reg');
    const otherCount = await shards(binary, settings, 2, 'other-count');
    const flipped = join(dir, 'flipped.fcshard');
    const bytes = readFileSync(good[1]);
    bytes[Math.floor(bytes.length / 2)] ^= 0x10;
    writeFileSync(flipped, bytes);
    const truncated = join(dir, 'truncated.fcshard');
    writeFileSync(truncated, readFileSync(good[1]).subarray(0, 200));
    const notShard = join(dir, 'not-a-shard.fcshard');
    writeFileSync(notShard, '{"version":1}\n'.repeat(10));
    const cases: [string[], RegExp][] = [
      [[good[0], good[2]], /^shard 1\/3 is missing: the run of .*ref-0\.fcshard has 3 shards and 2 were given$/],
      [[good[0], good[1], good[2], good[1]], new RegExp(`^${good[1]}: shard 1/3 is also given as ${good[1]}; give each shard once$`)],
      [[good[0], flipped, good[2]], new RegExp(`^${flipped}: corrupted: its SHA-256 checksum does not match`)],
      [[good[0], truncated, good[2]], new RegExp(`^${truncated}: corrupted`)],
      [[good[0], notShard, good[2]], new RegExp(`^${notShard}: not a flipcert shard file`)],
      [[good[0], otherData[1], good[2]], new RegExp(`^${otherData[1]}: from another run than ${good[0]}: its training features differ$`)],
      [[good[0], otherReg[1], good[2]], new RegExp(`^${otherReg[1]}: from another run than ${good[0]}: its settings differ \\(krr, reg 2, `)],
      [[good[0], good[1], otherCount[1]], new RegExp(`^${otherCount[1]}: from another run than ${good[0]}: it is one of 2 shards, not 3$`)],
      [[good[0], good[1], join(dir, 'absent.fcshard')], new RegExp(`^${join(dir, 'absent.fcshard')}: file not found$`)],
    ];
    for (const [files, message] of cases) {
      const out = join(dir, 'refused.json');
      const { code, stdout, stderr } = await cli(['merge', ...files, '--out', out]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0].replace(/^flipcert: error: /, '')).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    // The good set merges.
    expect((await cli(['merge', ...good, '--out', join(dir, 'ref.json'), '--quiet'])).code).toBe(0);
  });

  it('refuses a shard whose run differs only in the partition assignment (same data, settings and ids rule)', async () => {
    // Two id files that differ in two rows only: same data, same config (partitioning "ids"), same counts.
    const idsA = Int32Array.from({ length: 90 }, (_, i) => i % 3);
    const idsB = Int32Array.from(idsA);
    [idsB[0], idsB[1]] = [idsA[1], idsA[0]];
    const a = await shards(binary, ['--partitions', '3', '--partitioning', save('assign-a.npy', idsA, [90])], 3, 'assign-a');
    const b = await shards(binary, ['--partitions', '3', '--partitioning', save('assign-b.npy', idsB, [90])], 3, 'assign-b');
    const out = join(dir, 'assign.json');
    const mixed = await cli(['merge', a[0], b[1], a[2], '--out', out]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe(`flipcert: error: ${b[1]}: from another run than ${a[0]}: its partition assignment differs\n`);
    expect(existsSync(out)).toBe(false);
    expect((await cli(['merge', ...a, '--out', out, '--quiet'])).code).toBe(0);
  });

  it('holds (8C + 5) bytes per test point and partition beyond its header', async () => {
    const [path] = await shards(three, ['--partitions', '8'], 3, 'size');
    const bytes = readFileSync(path);
    const headerEnd = 16 + bytes.readUInt32LE(12);
    const header = JSON.parse(bytes.subarray(16, headerEnd).toString('utf8'));
    expect(header.partitions).toEqual([0, 3, 6]);
    const s = 3, m = 29, C = 3;
    expect(bytes.length).toBe(headerEnd + s * m * (8 * C + 5) + ((4 - ((s * m) % 4)) % 4) + 32);
  });

  it('--resume skips a shard that verifies and recomputes a corrupted one', async () => {
    const settings = ['--partitions', '5', '--threads', '1'];
    const [path] = await shards(binary, ['--partitions', '5'], 1, 'resume');
    const original = readFileSync(path);
    const before = statSync(path).mtimeMs;
    const skipped = await cli(['certify', ...binary, ...settings, '--shard', '0/1', '--out', path, '--resume']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe(`flipcert: note: --resume: ${path} is this shard, complete and verified; not computed again\n`);
    expect(statSync(path).mtimeMs).toBe(before);

    const damaged = Buffer.from(original);
    damaged[damaged.length - 100] ^= 0xff;
    writeFileSync(path, damaged);
    const redone = await cli(['certify', ...binary, ...settings, '--shard', '0/1', '--out', path, '--resume']);
    expect(redone.code).toBe(0);
    expect(redone.stderr).toMatch(/^flipcert: note: --resume: .*corrupted: its SHA-256 checksum does not match.*; computing it again\n$/);
    expect(redone.stdout).toMatch(/shard 0\/1: 5 of 5 partitions/);
    // Recomputed: the same certificates (only the recorded seconds may differ).
    const single = join(dir, 'resume-single.json');
    const merged = join(dir, 'resume-merged.json');
    expect((await cli(['certify', ...binary, ...settings, '--out', single, '--quiet'])).code).toBe(0);
    expect((await cli(['merge', path, '--out', merged, '--quiet'])).code).toBe(0);
    expect(withoutRunMetadata(merged)).toEqual(withoutRunMetadata(single));

    // A shard of another run under the same name is computed again too.
    copyFileSync(join(dir, 'ref-0.fcshard'), path);
    const other = await cli(['certify', ...binary, ...settings, '--shard', '0/1', '--out', path, '--resume']);
    expect(other.code).toBe(0);
    expect(other.stderr).toMatch(/is a shard of another run \(its partition assignment differs\); computing it again/);
  });

  it('takes the shard from the Slurm or Kubernetes environment with --shard auto', async () => {
    const settings = ['--partitions', '4', '--quiet', '--threads', '1'];
    const slurm = join(dir, 'auto-slurm.fcshard');
    const k8s = join(dir, 'auto-k8s.fcshard');
    const a = await cli(['certify', ...binary, ...settings, '--shard', 'auto', '--out', slurm], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' });
    const b = await cli(['certify', ...binary, ...settings, '--shard', 'auto', '--out', k8s], { JOB_COMPLETION_INDEX: '0', FLIPCERT_SHARD_COUNT: '2' });
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const out = join(dir, 'auto.json');
    const single = join(dir, 'auto-single.json');
    expect((await cli(['merge', slurm, k8s, '--out', out, '--quiet'])).code).toBe(0);
    expect((await cli(['certify', ...binary, ...settings, '--out', single])).code).toBe(0);
    expect(withoutRunMetadata(out)).toEqual(withoutRunMetadata(single));
  });

  it('refuses shard options that make no sense, before any work', async () => {
    const out = join(dir, 'usage.fcshard');
    const cases: [string[], RegExp][] = [
      [['--shard', '0/1'], /^--shard needs an ensemble \(--partitions k ≥ 2\)/],
      [['--partitions', '3', '--shard', '0/4'], /4 shards for 3 partitions would leave some empty/],
      [['--partitions', '3', '--resume'], /^--resume applies to --shard runs only$/],
      [['--partitions', '3', '--shard', '0/2', '--plot', join(dir, 'c.svg')], /^--plot applies to whole runs/],
      [['--partitions', '3', '--shard', '0/2', '--out', join(dir, 'x.json')], /give a name ending in \.fcshard/],
    ];
    for (const [flags, message] of cases) {
      const args = ['certify', ...binary, ...flags];
      if (!flags.includes('--out')) args.push('--out', out);
      const { code, stderr } = await cli(args);
      expect(code).toBe(2);
      expect(stderr.split('\n')[0].replace(/^flipcert: error: /, '')).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});
