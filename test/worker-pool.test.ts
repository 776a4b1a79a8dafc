// WorkerPool's bookkeeping with scripted workers: a worker that dies or
// cannot start fails every pending and later task with the caller's error,
// and nothing is left running. (Real workers: browser.test.ts, consumers.test.ts.)
import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import type { ToWorker } from '../src/pool/messages.js';
import type { PartitionTask } from '../src/partition/task.js';
import { WorkerPool, type WorkerEvents } from '../src/pool/worker-pool.js';

const MODULE = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
const task = (partition: number) => ({ partition }) as PartitionTask;
const explain = (detail: string) => new FlipcertError(`died: ${detail}`, 'EWORKER');

/** Workers that record what they receive and terminate; the test drives their events. */
function scripted() {
  const workers: { events: WorkerEvents; received: ToWorker[]; terminated: boolean }[] = [];
  const spawn = (_: number, events: WorkerEvents) => {
    const worker = { events, received: [] as ToWorker[], terminated: false };
    workers.push(worker);
    return { postMessage: (m: ToWorker) => worker.received.push(m), terminate: () => void (worker.terminated = true) };
  };
  return { workers, spawn };
}

describe('WorkerPool', () => {
  it('starts at most `threads` workers, sends init first, and queues the rest first-free', async () => {
    const { workers, spawn } = scripted();
    const pool = new WorkerPool(MODULE, 2, spawn, explain);
    const runs = [0, 1, 2].map((p) => pool.run(task(p)));
    expect(workers).toHaveLength(2);
    expect(workers.map((w) => w.received.map((m) => m.kind))).toEqual([['init', 'task'], ['init', 'task']]);
    const first = workers[0].received[1] as Extract<ToWorker, { kind: 'task' }>;
    workers[0].events.message({ kind: 'reply', id: first.id, reply: { ok: true, result: { partition: 0 } as never } });
    expect(await runs[0]).toEqual({ partition: 0 });
    expect(workers[0].received.map((m) => m.kind)).toEqual(['init', 'task', 'task']);
    await pool.close();
    for (const run of runs.slice(1)) await expect(run).rejects.toThrow(/closed/);
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('sends a test matrix shared by tasks to each worker once, and tasks without it', async () => {
    const { workers, spawn } = scripted();
    const pool = new WorkerPool(MODULE, 1, spawn, explain);
    const shared = new Float64Array(5000).fill(0.5);
    const other = new Float64Array(5000).fill(0.25);
    const small = new Float64Array(10).fill(1);
    const withTest = (partition: number, testX: Float64Array) => ({ partition, testX }) as PartitionTask;
    const runs = [withTest(0, shared), withTest(1, shared), withTest(2, other), withTest(3, small)].map((t) => pool.run(t));
    const reply = (n: number) => {
      const sent = workers[0].received.filter((m) => m.kind === 'task')[n] as Extract<ToWorker, { kind: 'task' }>;
      workers[0].events.message({ kind: 'reply', id: sent.id, reply: { ok: true, result: { partition: n } as never } });
    };
    for (let n = 0; n < 4; n++) reply(n);
    await Promise.all(runs);
    expect(workers[0].received.map((m) => m.kind)).toEqual(['init', 'test', 'task', 'task', 'test', 'task', 'task']);
    const tests = workers[0].received.filter((m) => m.kind === 'test') as Extract<ToWorker, { kind: 'test' }>[];
    expect(tests.map((m) => m.testX)).toEqual([shared, other]);
    const tasks = workers[0].received.filter((m) => m.kind === 'task') as Extract<ToWorker, { kind: 'task' }>[];
    expect(tasks.map((m) => m.sharedTest)).toEqual([true, true, true, false]);
    expect(tasks.map((m) => m.task.testX.length)).toEqual([0, 0, 0, 10]);
    await pool.close();
  });

  it('a dying worker fails every pending and later task with the explained error', async () => {
    const { workers, spawn } = scripted();
    const pool = new WorkerPool(MODULE, 2, spawn, explain);
    const runs = [0, 1, 2].map((p) => pool.run(task(p)));
    workers[1].events.died('script error');
    for (const run of runs) await expect(run).rejects.toMatchObject({ code: 'EWORKER', message: 'died: script error' });
    await expect(pool.run(task(3))).rejects.toThrow('died: script error');
    expect(workers.every((w) => w.terminated)).toBe(true);
    // An exit reported after the pool terminated the worker is not a second failure.
    workers[0].events.died('exited with code 1');
    await expect(pool.run(task(4))).rejects.toThrow('died: script error');
  });

  it('a worker that cannot even be constructed (a CSP, say) fails the run with the explained error', async () => {
    const pool = new WorkerPool(MODULE, 2, () => { throw new Error('blocked by policy'); }, explain);
    await expect(pool.run(task(0))).rejects.toMatchObject({ code: 'EWORKER', message: 'died: blocked by policy' });
  });

  it('passes a worker’s error on as FlipcertError with its code and field', async () => {
    const { workers, spawn } = scripted();
    const pool = new WorkerPool(MODULE, 1, spawn, explain);
    const [a, b] = [pool.run(task(0)), pool.run(task(1))];
    const id = (n: number) => (workers[0].received[n] as Extract<ToWorker, { kind: 'task' }>).id;
    workers[0].events.message({ kind: 'reply', id: id(1), reply: { ok: false, message: 'bad C', code: 'EOPTION', field: 'svmC' } });
    await expect(a).rejects.toMatchObject({ name: 'FlipcertError', code: 'EOPTION', field: 'svmC' });
    workers[0].events.message({ kind: 'reply', id: id(2), reply: { ok: false, message: 'boom', code: 'EINTERNAL' } });
    await expect(b).rejects.toMatchObject({ name: 'FlipcertError', code: 'EINTERNAL', message: 'boom' });
    await pool.close();
  });
});
