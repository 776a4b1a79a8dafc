import { FlipcertError } from '../errors.js';

const PAGE = 65536;
/** Every reservation starts and ends on this many bytes (see {@link alignHeap}). */
export const HEAP_ALIGN = 16;

/** The highest byte offset the heap may reach: WebAssembly's 4 GiB of 32-bit memory, less one page. */
export const HEAP_LIMIT = 4 * 1024 * 1024 * 1024 - PAGE;

/** A mark returned by {@link Heap.mark}; pass it to {@link Heap.release}. */
export type HeapMark = number;

/**
 * JavaScript-owned bump allocator over the core's linear memory.
 *
 * Wasm kernels never allocate: callers reserve buffers here, pass their byte
 * offsets, and release everything above a mark when the call is done. Typed
 * views must be taken after the last allocation, because growing memory
 * detaches earlier views.
 */
export class Heap {
  private top: number;
  private peak: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly base: number,
    private readonly maxBytes = HEAP_LIMIT,
  ) {
    this.top = alignHeap(base);
    this.peak = this.top;
  }

  /** Reserves `count` float64 slots and returns their byte offset. */
  f64(count: number): number {
    return this.bytes(count * 8);
  }

  /** Reserves `count` int32 slots and returns their byte offset. */
  i32(count: number): number {
    return this.bytes(count * 4);
  }

  /** Copies a Float64Array in and returns its byte offset. */
  putF64(values: ArrayLike<number>): number {
    const ptr = this.f64(values.length);
    this.viewF64(ptr, values.length).set(values);
    return ptr;
  }

  /** Copies an Int32Array in and returns its byte offset. */
  putI32(values: ArrayLike<number>): number {
    const ptr = this.i32(values.length);
    this.viewI32(ptr, values.length).set(values);
    return ptr;
  }

  bytes(size: number): number {
    const ptr = this.top;
    const end = alignHeap(ptr + size);
    if (end > this.maxBytes) {
      throw new FlipcertError(
        `not enough memory: the WebAssembly core needs ${formatBytes(end - this.base)} but can address at most ` +
          `${formatBytes(this.maxBytes - this.base)}; use more options.partitions, fewer training rows or a smaller options.blockSize`,
        'EMEMORY',
        { field: 'partitions' },
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        throw new FlipcertError(
          `not enough memory: could not grow WebAssembly memory to ${formatBytes(end)}; ` +
            'use more options.partitions, fewer training rows or a smaller options.blockSize',
          'EMEMORY',
          { field: 'partitions' },
        );
      }
    }
    this.top = end;
    if (end > this.peak) this.peak = end;
    return ptr;
  }

  mark(): HeapMark {
    return this.top;
  }

  release(mark: HeapMark): void {
    this.top = mark;
  }

  /** Runs `body` and frees everything it allocated, even when it throws. */
  scoped<T>(body: () => T): T {
    const mark = this.mark();
    try {
      return body();
    } finally {
      this.release(mark);
    }
  }

  viewF64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }

  viewI32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  /** Bytes currently reserved above the static data. */
  get used(): number {
    return this.top - alignHeap(this.base);
  }

  /**
   * The most bytes ever reserved above the static data at once (since
   * creation or the last {@link resetHighWater}): what src/partition/memory.ts estimates.
   */
  get highWater(): number {
    return this.peak - alignHeap(this.base);
  }

  resetHighWater(): void {
    this.peak = this.top;
  }
}

/** `offset` rounded up to the heap's alignment. */
export function alignHeap(offset: number): number {
  return Math.ceil(offset / HEAP_ALIGN) * HEAP_ALIGN;
}

function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
