// "Did you mean …?" for misspelt option keys and values.

/** Lower case without `_`/`-`, so that `block_size` and `blocksize` meet `blockSize`. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word`, when it is close enough to be a slip:
 * at most a third of the word's letters off (at most 3), after
 * ignoring case, `_` and `-`. `closest('partition', ['partitions', 'threads'])`
 * is 'partitions'; a word like nothing offered gives undefined.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = normalise(word);
  const limit = Math.min(3, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const dist = distance(w, normalise(candidate));
    if (dist < bestDistance) [best, bestDistance] = [candidate, dist];
  }
  return bestDistance <= limit ? best : undefined;
}
