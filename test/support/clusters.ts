import { randomRows, rng, type Rows } from '../reference.js';

/** A labelled train/test problem as plain JSON (it crosses into pages, vm contexts and child processes). */
export interface Problem {
  train: { x: Rows; y: number[] };
  test: { x: Rows; y: number[] };
}

/** Noisy clusters, one per class: a problem with a spread of radii. */
export function clusters(seed: number, n: number, m: number, classes: number, d = 5, spread = 0.5): Problem {
  const random = rng(seed);
  const centres = randomRows(random, classes, d);
  const make = (count: number) => {
    const y = Array.from({ length: count }, () => Math.floor(random() * classes));
    const x = y.map((c) => centres[c].map((v) => v + (random() * 2 - 1) * spread));
    return { x, y };
  };
  return { train: make(n), test: make(m) };
}
