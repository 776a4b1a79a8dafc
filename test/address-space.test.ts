// Out of memory is the user's to fix (issue 21, item 3): under `ulimit -v`, certify
// ends with one EMEMORY line and status 2, never status 70 ("a bug"), a dead
// worker's JavaScript stack (EWORKER) or a V8 abort (status 133, a native trace).
// Each case runs the bundled CLI in a child shell with its own limit (Linux).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { addressSpaceLimit, checkAddressSpace } from '../src/cli/address-space.js';
import { clusters } from './support/clusters.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'flipcert-ulimit-'));
const GiB = 2 ** 30;

function save(name: string, data: Float64Array | Int32Array, shape: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(dump(data, shape)));
  return path;
}

const { train, test } = clusters(5, 60, 10, 3, 4, 1);
const data = [
  '--train-x', save('tx.npy', Float64Array.from(train.x.flat()), [60, 4]),
  '--train-y', save('ty.npy', Int32Array.from(train.y), [60]),
  '--test-x', save('sx.npy', Float64Array.from(test.x.flat()), [10, 4]),
];

/** certify under `ulimit -v kib` in a child shell; `node` flags before the script. */
async function limited(kib: number, args: string[], nodeFlags: string[] = []): Promise<{ code: number; stderr: string; out: string }> {
  const out = join(dir, `r-${kib}-${args.join('').replace(/\W+/g, '')}-${nodeFlags.length}.json`);
  const quoted = ['node', ...nodeFlags, 'dist/cli.js', 'certify', ...data, ...args, '--quiet', '--out', out].map((a) => `'${a}'`).join(' ');
  try {
    await run('bash', ['-c', `ulimit -v ${kib} && exec ${quoted}`]);
    return { code: 0, stderr: '', out };
  } catch (error) {
    const e = error as { code: number | null; signal: string | null; stderr: string };
    return { code: e.code ?? 128, stderr: e.stderr, out };
  }
}

const linux = process.platform === 'linux';

describe.runIf(linux)('certify under a limited address space (ulimit -v)', () => {
  it.each([1.5, 2, 6])('%s GB: refused up front, one EMEMORY line naming the limit, status 2 (was a V8 abort, 133, or status 70)', async (gb) => {
    const result = await limited(Math.round(gb * 1e6), ['--threads', '1']);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^flipcert: error: not enough memory: the address space is limited to \d+\.\d GiB \(ulimit -v\); its WebAssembly core reserves about 10 GiB of it per thread/);
    expect(result.code).toBe(2);
    expect(existsSync(result.out)).toBe(false);
  });

  it('16 GB with two worker threads: the second core cannot be reserved: EMEMORY naming threads, not EWORKER with a stack', async () => {
    const result = await limited(16_000_000, ['--partitions', '3', '--threads', '2']);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^flipcert: error: not enough memory: could not reserve the WebAssembly core's memory for a thread \(.*\); .*use fewer threads/);
    expect(result.code).toBe(2);
  });

  it('3.5 GB with node --disable-wasm-trap-handler: runs (memories reserve what they use)', async () => {
    const result = await limited(3_500_000, ['--partitions', '3', '--threads', '2'], ['--disable-wasm-trap-handler']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(result.out)).toBe(true);
  });
});

describe('the address-space check', () => {
  const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units     \nMax address space         ${soft}            unlimited            bytes     \n`;
  it('reads the soft limit of /proc/self/limits', () => {
    expect(addressSpaceLimit(limits('unlimited'))).toBeUndefined();
    expect(addressSpaceLimit(limits('2048000000'))).toBe(2048000000);
    expect(addressSpaceLimit(undefined)).toBeUndefined();
  });
  it('needs 12 GiB with guard regions, 3 GiB without', () => {
    expect(() => checkAddressSpace(undefined, true)).not.toThrow();
    expect(() => checkAddressSpace(12 * GiB, true)).not.toThrow();
    expect(() => checkAddressSpace(12 * GiB - 1, true)).toThrow(/needs at least 12\.0 GiB/);
    expect(() => checkAddressSpace(3 * GiB, false)).not.toThrow();
    expect(() => checkAddressSpace(3 * GiB - 1, false)).toThrow(/Node's threads need at least 3\.0 GiB/);
  });
});
