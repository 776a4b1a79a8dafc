// Crafted shards (issue 21, item 5; docs/spec.md §9.4): files whose header or
// numbers were changed and whose SHA-256 was then recomputed, as anyone who can
// write a shard can do. Each is refused with one line naming the file and the
// field (exit 2, no output), never a crash or a silent wrong merge; with a shared
// key (HMAC-SHA-256), a shard written or changed without the key is refused too.
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { clusters } from './support/clusters.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'flipcert-crafted-'));
const KEY = 'a shared key of the cluster, 0123456789';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['dist/cli.js', ...args], { maxBuffer: 1 << 26, env: { ...process.env, FLIPCERT_SHARD_KEY: undefined, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A shard's parts, as format.ts lays them out (read here independently of src/shard). */
interface Parsed {
  header: Record<string, any>;
  /** The blocks' bytes (between header and checksum), as int32 words where 4-aligned. */
  body: Buffer;
}

function parse(path: string): Parsed {
  const bytes = readFileSync(path);
  const length = bytes.readUInt32LE(12);
  return { header: JSON.parse(bytes.subarray(16, 16 + length).toString('utf8')), body: Buffer.from(bytes.subarray(16 + length, bytes.length - 32)) };
}

/** Writes header and body back with the checksum recomputed: SHA-256, or HMAC-SHA-256 under `key`. */
function craft(path: string, { header, body }: Parsed, key?: string): string {
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const prefix = Buffer.alloc(16);
  Buffer.from([0x89, 0x46, 0x43, 0x53, 0x48, 0x52, 0x44, 0x0a]).copy(prefix);
  prefix.writeUInt32LE(1, 8);
  prefix.writeUInt32LE(padded, 12);
  const all = Buffer.concat([prefix, json, body]);
  const digest = key === undefined ? createHash('sha256').update(all).digest() : createHmac('sha256', key).update(all).digest();
  writeFileSync(path, Buffer.concat([all, digest]));
  return path;
}

function save(name: string, data: Float64Array | Int32Array, shape: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(dump(data, shape)));
  return path;
}

const n = 90, m = 20, d = 4, C = 3;
const { train, test } = clusters(11, n, m, C, d, 1.2);
const data = [
  '--train-x', save('tx.npy', Float64Array.from(train.x.flat()), [n, d]),
  '--train-y', save('ty.npy', Int32Array.from(train.y), [n]),
  '--test-x', save('sx.npy', Float64Array.from(test.x.flat()), [m, d]),
  '--test-y', save('sy.npy', Int32Array.from(test.y), [m]),
];
const settings = ['--partitions', '6', '--threads', '1', '--quiet'];

async function shards(prefix: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const paths = [0, 1, 2].map((i) => join(dir, `${prefix}-${i}.fcshard`));
  for (const [i, path] of paths.entries()) {
    const done = await cli(['certify', ...data, ...settings, ...extra, '--shard', `${i}/3`, '--out', path], env);
    expect([done.code, done.stderr]).toEqual([0, '']);
  }
  return paths;
}

/** merge must refuse with exactly one line matching `message`, status 2, and write nothing. */
async function refused(files: string[], message: RegExp, env: NodeJS.ProcessEnv = {}, flags: string[] = []): Promise<void> {
  const out = join(dir, 'refused.json');
  const result = await cli(['merge', ...files, ...flags, '--out', out], env);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.replace(/^flipcert: error: /, '').trimEnd()).toMatch(message);
  expect(result.code).toBe(2);
  expect(existsSync(out)).toBe(false);
}

let good: string[];
beforeAll(async () => {
  good = await shards('good');
}, 120_000);

describe('crafted shards with a recomputed checksum', () => {
  it('the recomputed checksum itself is accepted: an unchanged re-encoding merges', async () => {
    const copy = craft(join(dir, 'same-1.fcshard'), parse(good[1]));
    const merged = await cli(['merge', good[0], copy, good[2], '--out', join(dir, 'same.json'), '--quiet']);
    expect([merged.code, merged.stderr]).toEqual([0, '']);
  });

  /** Word w of block 0 (int32): votes come first, partition-major, then lower and upper costs. */
  const words = (s: number, b: number) => ({ vote: (q: number, i: number) => q * b + i, lower: (q: number, i: number, l: number) => s * b + (q * b + i) * C + l });

  it.each([
    ['a vote of 999', (p: Parsed) => p.body.writeInt32LE(999, 4 * words(2, m).vote(1, 3)), /: corrupted: partition 4, test point 3: vote 999 is not a class \(0\.\.2\)$/],
    ['a vote of −5', (p: Parsed) => p.body.writeInt32LE(-5, 4 * words(2, m).vote(0, 0)), /: corrupted: partition 1, test point 0: vote -5 is not a class \(0\.\.2\)$/],
    ['a negative cost', (p: Parsed) => {
      const vote = p.body.readInt32LE(4 * words(2, m).vote(0, 2));
      p.body.writeInt32LE(-7, 4 * words(2, m).lower(0, 2, (vote + 1) % C));
    }, /: corrupted: partition 1, test point 2: cost of class \d \(lower -7, upper \d+\) is not a number of flips 0\.\.90$/],
    ['a near-tie flag of 7', (p: Parsed) => p.body.writeUInt8(7, p.body.length - 4) /* flags u8[2][20] end the block: partition 1 of the shard (4), point 16 */, /: corrupted: partition 4, test point 16: near-tie flag 7 is neither 0 nor 1$/],
    ['nTest 2e9 with blockRows 1', (p: Parsed) => Object.assign(p.header, { nTest: 2e9, blockRows: 1 }), /: corrupted: \d+ bytes where its header \(nTest 2000000000, blockRows 1, 3 classes\) describes \d+$/],
    ['blockRows 0', (p: Parsed) => Object.assign(p.header, { blockRows: 0 }), /: corrupted: header field blockRows is not an integer from 1 to nTest \(20\)$/],
    ['nTest "20"', (p: Parsed) => Object.assign(p.header, { nTest: '20' }), /: corrupted: header field nTest is not a positive integer$/],
    ['classes 1e9', (p: Parsed) => (p.header.config.classes = 1e9), /: corrupted: header field config\.classes is not an integer 2\.\.65536$/],
    ['a test label of 5', (p: Parsed) => (p.header.testY[4] = 5), /: corrupted: header field testY is neither null nor nTest \(20\) labels in 0\.\.2$/],
    ['a fingerprint that is not a hash', (p: Parsed) => (p.header.fingerprints.trainY = 'x'), /: corrupted: header field fingerprints\.trainY is not a SHA-256 in hex$/],
    ['a negative SVM bound', (p: Parsed) => (p.header.svmBounds[0] = -1), /: corrupted: header field svmBounds is not 2 positive numbers/],
    ['another version string', (p: Parsed) => (p.header.flipcert = '0.0.9'), /: written by flipcert "0\.0\.9", this is flipcert "\d+\.\d+\.\d+": compute every shard and merge them with one version$/],
  ])('%s: one line naming the file and the field, exit 2', async (name, change, message) => {
    const parsed = parse(good[1]);
    change(parsed);
    const path = craft(join(dir, `${name.replace(/\W+/g, '-')}.fcshard`), parsed);
    await refused([good[0], path, good[2]], new RegExp(`^${path}${message.source}`));
  });
});

describe('authenticated shards (--shard-key-file, FLIPCERT_SHARD_KEY)', () => {
  it('merge with the key accepts the keyed shards and refuses one crafted without the key, even another run\'s numbers under this run\'s header', async () => {
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${KEY}\n`);
    const keyed = await shards('keyed', ['--shard-key-file', keyFile]);
    expect(parse(keyed[0]).header.checksum).toBe('hmac-sha256');

    // The same certificates as SHA-256 shards, merged with the key from the file or from the environment.
    const plain = join(dir, 'plain.json');
    expect((await cli(['merge', ...good, '--out', plain, '--quiet'])).code).toBe(0);
    for (const [flags, env] of [[['--shard-key-file', keyFile], {}], [[], { FLIPCERT_SHARD_KEY: KEY }]] as const) {
      const out = join(dir, 'keyed.json');
      const merged = await cli(['merge', ...keyed, ...flags, '--out', out, '--quiet'], env);
      expect([merged.code, merged.stderr]).toEqual([0, '']);
      const strip = (path: string) => {
        const r = JSON.parse(readFileSync(path, 'utf8'));
        delete r.summary.seconds;
        return r;
      };
      expect(strip(out)).toEqual(strip(plain));
    }

    // Another run's numbers (--reg 3) under this run's header, SHA-256 recomputed: without a key nothing can tell
    // (docs/spec.md §9.4, the trust model); with the key it is refused.
    const other = await shards('other', ['--reg', '3']);
    const swapped = parse(other[1]);
    swapped.header = parse(keyed[1]).header;
    swapped.header.checksum = 'sha256';
    const forged = craft(join(dir, 'forged.fcshard'), swapped);
    const unkeyed = await cli(['merge', good[0], forged, good[2], '--out', join(dir, 'forged.json'), '--quiet']);
    expect(unkeyed.code).toBe(0);
    await refused([keyed[0], forged, keyed[2]], new RegExp(`^${forged}: not authenticated: written without the shard key`), { FLIPCERT_SHARD_KEY: KEY });
    // … and with the HMAC recomputed under another key.
    const otherKey = craft(join(dir, 'other-key.fcshard'), { ...swapped, header: parse(keyed[1]).header }, 'some other key, 0123456789abcdef');
    await refused([keyed[0], otherKey, keyed[2]], new RegExp(`^${otherKey}: not authenticated: its HMAC does not match the shard key`), { FLIPCERT_SHARD_KEY: KEY });
    // Keyed shards without the key, a key too short.
    await refused(keyed, new RegExp(`^${keyed[0]}: written with a shard key: give the same key \\(--shard-key-file or FLIPCERT_SHARD_KEY\\) to check it$`));
    const short = await cli(['merge', ...keyed, '--out', join(dir, 'short.json')], { FLIPCERT_SHARD_KEY: 'short' });
    expect([short.code, short.stderr.split('\n')[0]]).toEqual([2, 'flipcert: error: FLIPCERT_SHARD_KEY: the shard key has 5 bytes; use at least 16 random ones (e.g. openssl rand -hex 32)']);
  });
});
