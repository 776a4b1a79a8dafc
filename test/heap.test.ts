import { describe, expect, it } from 'vitest';
import { createCore } from '../src/wasm/core.js';

describe('heap', () => {
  it('reuses freed memory at the same offset and grows on demand', async () => {
    const core = await createCore();
    const mark = core.heap.mark();
    const a = core.heap.putF64([1, 2, 3.5]);
    expect(core.exports.probe(a, 3)).toBe(6.5);
    core.heap.release(mark);
    const big = core.heap.f64(4_000_000); // 32 MB: forces memory.grow
    expect(big).toBe(a);
    core.heap.viewF64(big, 4_000_000).fill(0.25);
    expect(core.exports.probe(big, 4_000_000)).toBe(1_000_000);
  });
});
