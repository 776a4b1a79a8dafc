// What `classes` costs an ensemble (docs/spec.md §5.5), checked before any work.
// A partition's vote costs compare every class with every other for each test
// point; classes with no training point all score 0, so each of them is
// compared with all the others: the work grows as k · m · E² for E empty
// classes. A class count far above the data's (`classes: 65536` on 200 rows)
// would run for hours: refused up front, with the estimate, instead.
import { FlipcertError } from '../errors.js';

/** Class comparisons (k · m · E²) refused: about 50 minutes on one thread (measured below). */
export const MAX_CLASS_STEPS = 1e11;
/**
 * Seconds per comparison on one thread: 2.8–2.9·10⁻⁸ measured (x86-64, Node 20;
 * 200 training rows, 50 test points, k = 5, C = 2,000 → 28.7 s, C = 4,000 → 113 s).
 */
const SECONDS_PER_STEP = 2.9e-8;

/** Number of distinct labels among the training labels. */
function present(trainY: Int32Array, classes: number): number {
  const seen = new Uint8Array(classes);
  let count = 0;
  for (let i = 0; i < trainY.length; i++) if (seen[trainY[i]] === 0) (seen[trainY[i]] = 1), count++;
  return count;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Throws EOPTION (field classes) when an ensemble's empty classes would make the vote costs run for hours. */
export function checkClassCost(classes: number, trainY: Int32Array, partitions: number, testRows: number): void {
  if (partitions === 1) return; // a single model's certificate grows linearly in C
  const used = present(trainY, classes);
  const empty = classes - used;
  const steps = partitions * testRows * empty * empty;
  if (steps <= MAX_CLASS_STEPS) return;
  const most = used + Math.floor(Math.sqrt(MAX_CLASS_STEPS / (partitions * testRows)));
  throw new FlipcertError(
    `options.classes ${classes}: the training labels use ${used} classes, so ${empty} are empty, and an ensemble compares every empty ` +
      `class with every other for each partition and test point: ${partitions} × ${testRows} × ${empty}² ≈ ${steps.toExponential(1)} steps, ` +
      `about ${duration(steps * SECONDS_PER_STEP)} on one thread; use at most ${most} classes here (or fewer test points, or a single model, whose cost grows linearly in C)`,
    'EOPTION',
    { field: 'classes' },
  );
}
