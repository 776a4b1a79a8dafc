// Where WebAssembly memory cannot be shared (a browser page that is not
// cross-origin isolated, a runtime without SharedArrayBuffer), a single model
// asked to run on several threads runs on one worker, with the same result.
import { describe, expect, it, vi } from 'vitest';
import { rng } from './reference.js';

vi.mock('../src/wasm/shared-memory.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/wasm/shared-memory.js')>()),
  sharedMemoryAvailable: () => false,
}));

const { certify } = await import('../src/index.js');

function problem() {
  const random = rng(21);
  const d = 12;
  const rows = (count: number) => ({ data: Float64Array.from({ length: count * d }, random), shape: [count, d] as const });
  return {
    train: { x: rows(300), y: Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 3) },
    test: { x: rows(60), y: Int32Array.from({ length: 60 }, (_, i) => i % 3) },
    blockSize: 16,
  };
}

describe('a single model without shared memory', () => {
  it('runs on one thread (reported so) and gives the one-thread result', async () => {
    const options = problem();
    const inThread = await certify({ ...options, threads: 1 });
    const asked = await certify({ ...options, threads: 2 });
    expect(asked.summary.threads).toBe(1);
    expect(asked.points).toEqual(inThread.points);
  });
});
