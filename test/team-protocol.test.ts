// The thread team's protocol (src/pool/team-protocol.ts) on real worker threads, with
// stand-in chunks: every chunk of every operation runs exactly once, whoever
// takes it, also with helpers that join late or never; a chunk that throws
// in a helper makes the leader throw EINTERNAL with its message, without
// hanging; stopped helpers leave their wait loop.
import { build } from 'esbuild';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createControl, stopTeam, TeamLeader } from '../src/pool/team-protocol.js';

const MAX_CHUNKS = 64;

/** team.ts bundled for a worker thread, which runs a helper whose chunks count their runs in `hits`. */
async function helperSource(): Promise<string> {
  const { outputFiles } = await build({ entryPoints: ['src/pool/team-protocol.ts'], bundle: true, write: false, format: 'cjs', platform: 'node', logLevel: 'warning' });
  return `
    const { workerData, parentPort } = require('node:worker_threads');
    const module = { exports: {} };
    new Function('module', 'exports', 'require', ${JSON.stringify(outputFiles[0].text)})(module, module.exports, require);
    const { control, hits, failAt } = workerData;
    const counts = new Int32Array(hits);
    const spin = (us) => { const end = performance.now() + us / 1000; while (performance.now() < end); };
    module.exports.serveTeam(control, (op, args, chunk) => {
      if (op === failAt) throw new Error('chunk ' + chunk + ' of operation ' + op + ' failed on purpose');
      Atomics.add(counts, op * ${MAX_CHUNKS} + chunk, 1);
      Atomics.add(counts, counts.length - 1, 1); // chunks taken by helpers
      spin(args[1]);
    }, (op, args) => args[0], 4);
    parentPort.postMessage('left');
  `;
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

function startHelpers(source: string, count: number, data: object): Promise<void>[] {
  return Array.from({ length: count }, () => {
    const worker = new Worker(source, { eval: true, workerData: data });
    workers.push(worker);
    return new Promise<void>((resolve) => worker.once('message', () => resolve()));
  });
}

describe('the thread team protocol', () => {
  it('runs every chunk of every operation exactly once, helpers joining late, and sends them home', async () => {
    const source = await helperSource();
    const control = createControl();
    const hits = new SharedArrayBuffer(4 * 1000 * MAX_CHUNKS);
    const counts = new Int32Array(hits);
    const byHelpers = () => counts[counts.length - 1];
    const left = startHelpers(source, 3, { control, hits, failAt: -2 });
    const leader = new TeamLeader(
      control,
      4,
      (op, args, chunk) => {
        Atomics.add(counts, op * MAX_CHUNKS + chunk, 1);
        const end = performance.now() + args[1] / 1000;
        while (performance.now() < end);
      },
      (op, args) => args[0],
    );
    const chunksOf = (op: number) => 1 + ((op * 7) % (MAX_CHUNKS - 1));
    // The helpers start while the first operations run (on the leader alone, then with whoever has joined);
    // on a loaded machine more operations follow until the helpers have taken part.
    let ops = 0;
    for (; ops < 200 || (byHelpers() === 0 && ops < 999); ops++) leader.run(ops, [chunksOf(ops), ops < 100 ? 50 : 5]);
    leader.stop();
    await Promise.all(left);
    expect(byHelpers()).toBeGreaterThan(0);
    for (let op = 0; op < ops; op++) {
      const row = Array.from(counts.subarray(op * MAX_CHUNKS, (op + 1) * MAX_CHUNKS));
      expect(row, `operation ${op}`).toEqual(row.map((_, c) => (c < chunksOf(op) ? 1 : 0)));
    }
  });

  it('a chunk that throws in a helper makes the leader throw EINTERNAL with its message; the team then stops cleanly', async () => {
    const source = await helperSource();
    const control = createControl();
    const hits = new SharedArrayBuffer(4 * 8 * MAX_CHUNKS);
    const left = startHelpers(source, 1, { control, hits, failAt: 5 });
    // The leader's own chunks are slow, so the helper takes some of operation 5's.
    const leader = new TeamLeader(
      control,
      2,
      (op, args) => {
        const end = performance.now() + (op === 5 ? 20 : args[1] / 1000);
        while (performance.now() < end);
      },
      (op, args) => args[0],
    );
    // Operations 0…3 over and over until the helper has joined (it counts the chunks it takes).
    const counts = new Int32Array(hits);
    for (let i = 0; i < 4 || !counts.some((c) => c > 0); i++) leader.run(i % 4, [MAX_CHUNKS, 500]);
    expect(() => leader.run(5, [MAX_CHUNKS, 0])).toThrow(
      expect.objectContaining({ code: 'EINTERNAL', message: expect.stringMatching(/of operation 5 failed on purpose/) }),
    );
    stopTeam(control);
    await Promise.all(left);
  });
});
