// In-place sorting and searching of (value, index) pairs held in two parallel
// buffers: `vals` (f64) and `idx` (i32). Values are sorted in DESCENDING order,
// which is the order the certificate consumes gains in (largest first); the
// sorts the lists rely on are stable, so equal values keep training-index
// order (docs/spec.md §4).
// Nothing here allocates; callers pass the buffers. Values must not be NaN
// (the TypeScript wrapper rejects non-finite weights before calling).

// @ts-ignore: decorator
@inline const INSERTION_MAX: i32 = 16;

// @ts-ignore: decorator
@inline function valAt(vals: usize, i: i32): f64 {
  return load<f64>(vals + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function swapPair(vals: usize, idx: usize, i: i32, j: i32): void {
  const pi = vals + (<usize>i << 3);
  const pj = vals + (<usize>j << 3);
  const v = load<f64>(pi);
  store<f64>(pi, load<f64>(pj));
  store<f64>(pj, v);
  const qi = idx + (<usize>i << 2);
  const qj = idx + (<usize>j << 2);
  const x = load<i32>(qi);
  store<i32>(qi, load<i32>(qj));
  store<i32>(qj, x);
}

/**
 * Sorts `n` pairs by value, descending (introsort: median-of-three quicksort,
 * insertion sort for short runs, heapsort when recursion gets too deep, so the
 * worst case stays O(n log n) even for adversarial or highly repetitive input).
 * The order among equal values is unspecified.
 */
export function sortPairsDesc(vals: usize, idx: usize, n: i32): void {
  if (n < 2) return;
  introsort(vals, idx, 0, n - 1, 2 * (32 - clz<i32>(n)));
}

function introsort(vals: usize, idx: usize, lo: i32, hi: i32, depth: i32): void {
  while (hi - lo > INSERTION_MAX) {
    if (depth == 0) {
      heapsortDesc(vals, idx, lo, hi);
      return;
    }
    depth--;
    const p = partitionDesc(vals, idx, lo, hi);
    // Recurse into the smaller side and loop on the larger: stack depth O(log n).
    if (p - lo < hi - p) {
      introsort(vals, idx, lo, p, depth);
      lo = p + 1;
    } else {
      introsort(vals, idx, p + 1, hi, depth);
      hi = p;
    }
  }
  insertionDesc(vals, idx, lo, hi);
}

/** Hoare partition around the median of lo/mid/hi; returns j with [lo..j] ≥ pivot ≥ [j+1..hi]. */
function partitionDesc(vals: usize, idx: usize, lo: i32, hi: i32): i32 {
  const mid = lo + ((hi - lo) >> 1);
  if (valAt(vals, mid) > valAt(vals, lo)) swapPair(vals, idx, mid, lo);
  if (valAt(vals, hi) > valAt(vals, lo)) swapPair(vals, idx, hi, lo);
  if (valAt(vals, hi) > valAt(vals, mid)) swapPair(vals, idx, hi, mid);
  const pivot = valAt(vals, mid);
  let i = lo - 1;
  let j = hi + 1;
  while (true) {
    do i++; while (valAt(vals, i) > pivot);
    do j--; while (valAt(vals, j) < pivot);
    if (i >= j) return j;
    swapPair(vals, idx, i, j);
  }
}

function insertionDesc(vals: usize, idx: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = valAt(vals, i);
    const x = load<i32>(idx + (<usize>i << 2));
    let j = i - 1;
    while (j >= lo && valAt(vals, j) < v) {
      store<f64>(vals + (<usize>(j + 1) << 3), valAt(vals, j));
      store<i32>(idx + (<usize>(j + 1) << 2), load<i32>(idx + (<usize>j << 2)));
      j--;
    }
    store<f64>(vals + (<usize>(j + 1) << 3), v);
    store<i32>(idx + (<usize>(j + 1) << 2), x);
  }
}

/** Heapsort of [lo..hi] into descending order via a min-heap (smallest moves to the back). */
function heapsortDesc(vals: usize, idx: usize, lo: i32, hi: i32): void {
  const len = hi - lo + 1;
  for (let k = (len >> 1) - 1; k >= 0; k--) siftDownMin(vals, idx, lo, k, len);
  for (let end = len - 1; end > 0; end--) {
    swapPair(vals, idx, lo, lo + end);
    siftDownMin(vals, idx, lo, 0, end);
  }
}

function siftDownMin(vals: usize, idx: usize, base: i32, k: i32, len: i32): void {
  while (true) {
    const l = 2 * k + 1;
    if (l >= len) return;
    let c = l;
    if (l + 1 < len && valAt(vals, base + l + 1) < valAt(vals, base + l)) c = l + 1;
    if (valAt(vals, base + c) >= valAt(vals, base + k)) return;
    swapPair(vals, idx, base + k, base + c);
    k = c;
  }
}

/** Number of leading entries ≥ v in a descending list of `len` values. */
export function countAtLeast(vals: usize, len: i32, v: f64): i32 {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (valAt(vals, mid) >= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of leading entries > v in a descending list of `len` values. */
export function countAbove(vals: usize, len: i32, v: f64): i32 {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (valAt(vals, mid) > v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Below this many values radixSortPositiveDesc hands over to the introsort. */
export const RADIX_MIN: i32 = 192;
// @ts-ignore: decorator
@inline const TOP: u64 = 0x7fffffffffffffff;

/** Bytes of histogram space radixSortPositiveDesc needs. */
export const RADIX_HIST_BYTES: usize = 8 * 256 * 4;

/**
 * Sorts `n` pairs of strictly positive finite values, descending, with an LSD
 * radix sort on the IEEE-754 bits (monotone for positive doubles), so no
 * comparison branches are mispredicted on random data; short inputs use the
 * introsort. `tmpVals`/`tmpIdx` (n slots each) and `hist` (RADIX_HIST_BYTES)
 * are scratch. Bytes that are the same in every key are skipped.
 */
export function radixSortPositiveDesc(vals: usize, idx: usize, tmpVals: usize, tmpIdx: usize, hist: usize, n: i32): void {
  if (n < RADIX_MIN) {
    sortPairsDesc(vals, idx, n);
    return;
  }
  memory.fill(hist, 0, RADIX_HIST_BYTES);
  // Ascending order of TOP − bits is descending order of the values.
  for (let k = 0; k < n; k++) {
    const p = vals + (<usize>k << 3);
    const key = TOP - reinterpret<u64>(load<f64>(p));
    store<u64>(p, key);
    for (let d = 0; d < 8; d++) {
      const h = hist + ((<usize>d << 10) | (<usize>((key >> (<u64>d << 3)) & 0xff) << 2));
      store<i32>(h, load<i32>(h) + 1);
    }
  }
  let src = vals;
  let srcIdx = idx;
  let dst = tmpVals;
  let dstIdx = tmpIdx;
  for (let d = 0; d < 8; d++) {
    const h = hist + (<usize>d << 10);
    if (!prefixOffsets(h, n)) continue; // every key has the same byte here
    const shift = <u64>d << 3;
    for (let k = 0; k < n; k++) {
      const key = load<u64>(src + (<usize>k << 3));
      const slot = h + (<usize>((key >> shift) & 0xff) << 2);
      const at = load<i32>(slot);
      store<i32>(slot, at + 1);
      store<u64>(dst + (<usize>at << 3), key);
      store<i32>(dstIdx + (<usize>at << 2), load<i32>(srcIdx + (<usize>k << 2)));
    }
    const sv = src; src = dst; dst = sv;
    const si = srcIdx; srcIdx = dstIdx; dstIdx = si;
  }
  for (let k = 0; k < n; k++) {
    store<f64>(vals + (<usize>k << 3), reinterpret<f64>(TOP - load<u64>(src + (<usize>k << 3))));
  }
  if (srcIdx != idx) memory.copy(idx, srcIdx, <usize>n << 2);
}

/** Turns 256 counts into start offsets in place; false when one bucket holds all n keys. */
function prefixOffsets(h: usize, n: i32): bool {
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const p = h + (<usize>b << 2);
    const c = load<i32>(p);
    if (c == n) return false;
    store<i32>(p, sum);
    sum += c;
  }
  return true;
}

// A stable counting sort by group (lists.ts's buckets, pair-top.ts's candidate
// groups): count each entry's group (countInGroup, into start[g + 1], zeroed
// beforehand), turn the counts into starts with fill cursors (groupStarts),
// then place the entries in their order (slotInGroup), so every group keeps it.

/** Counts one entry of group g. */
// @ts-ignore: decorator
@inline export function countInGroup(start: usize, g: i32): void {
  const cp = start + (<usize>(g + 1) << 2);
  store<i32>(cp, load<i32>(cp) + 1);
}

/** Counts into start offsets (start[groups] = the total), with the fill cursors at the starts. */
export function groupStarts(start: usize, fill: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) {
    const s = load<i32>(start + (<usize>g << 2));
    const cp = start + (<usize>(g + 1) << 2);
    store<i32>(cp, load<i32>(cp) + s);
    store<i32>(fill + (<usize>g << 2), s);
  }
}

/** The slot of the next entry of group g (its fill cursor, advanced). */
// @ts-ignore: decorator
@inline export function slotInGroup(fill: usize, g: i32): i32 {
  const fp = fill + (<usize>g << 2);
  const at = load<i32>(fp);
  store<i32>(fp, at + 1);
  return at;
}

/**
 * Stable merge sort, descending, of `len` (value, index) pairs from (sv, si)
 * into (dv, di); the source buffers are clobbered. Equal values keep their
 * input order (as radixSortPositiveDesc, which is stable too).
 */
export function stableSortDesc(sv: usize, si: usize, dv: usize, di: usize, len: i32): void {
  // Insertion-sorted runs of 16, then bottom-up merges, ping-ponging the buffers.
  const RUN = 16;
  for (let lo = 0; lo < len; lo += RUN) {
    const hi = min(lo + RUN, len);
    for (let i = lo + 1; i < hi; i++) {
      const v = load<f64>(sv + (<usize>i << 3));
      const x = load<i32>(si + (<usize>i << 2));
      let j = i - 1;
      while (j >= lo && load<f64>(sv + (<usize>j << 3)) < v) {
        store<f64>(sv + (<usize>(j + 1) << 3), load<f64>(sv + (<usize>j << 3)));
        store<i32>(si + (<usize>(j + 1) << 2), load<i32>(si + (<usize>j << 2)));
        j--;
      }
      store<f64>(sv + (<usize>(j + 1) << 3), v);
      store<i32>(si + (<usize>(j + 1) << 2), x);
    }
  }
  let av = sv;
  let ai = si;
  let bv = dv;
  let bi = di;
  for (let width = RUN; width < len; width <<= 1) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = min(lo + width, len);
      const hi = min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const vi = load<f64>(av + (<usize>i << 3));
        const vj = load<f64>(av + (<usize>j << 3));
        // Stable: the left run wins ties.
        if (vi >= vj) {
          store<f64>(bv + (<usize>k << 3), vi);
          store<i32>(bi + (<usize>k << 2), load<i32>(ai + (<usize>i << 2)));
          i++;
        } else {
          store<f64>(bv + (<usize>k << 3), vj);
          store<i32>(bi + (<usize>k << 2), load<i32>(ai + (<usize>j << 2)));
          j++;
        }
        k++;
      }
      while (i < mid) {
        store<f64>(bv + (<usize>k << 3), load<f64>(av + (<usize>i << 3)));
        store<i32>(bi + (<usize>k << 2), load<i32>(ai + (<usize>i << 2)));
        i++;
        k++;
      }
      while (j < hi) {
        store<f64>(bv + (<usize>k << 3), load<f64>(av + (<usize>j << 3)));
        store<i32>(bi + (<usize>k << 2), load<i32>(ai + (<usize>j << 2)));
        j++;
        k++;
      }
    }
    const tv = av; av = bv; bv = tv;
    const ti = ai; ai = bi; bi = ti;
  }
  if (av != dv) {
    memory.copy(dv, av, <usize>len << 3);
    memory.copy(di, ai, <usize>len << 2);
  }
}
