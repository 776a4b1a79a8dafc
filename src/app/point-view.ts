// One test point up close: its image (when the features are pixels), and why
// its certificate is what it is: the witness (the training images whose
// flipped labels change the prediction; for an ensemble grouped by partition,
// after the votes).
import type { PointResult } from '../certify/result.js';
import type { Matrix } from '../types.js';
import { el } from './dom.js';

/** Witness thumbnails drawn at most; the rest are counted. */
const MAX_THUMBS = 60;

export interface PointContext {
  train: { x: Matrix; y: Int32Array };
  test: { x: Matrix };
  /** Side of the square images, or undefined when the features are not drawn as images. */
  side: number | undefined;
  /** Pixel range of the training data: lo draws white, hi black. */
  range: [number, number];
  classes: number;
  partitions: number;
}

/** The image side: the user's, when it squares to the feature count; else 28 for 784 features. */
export function imageSide(cols: number, userSide: number | undefined): number | undefined {
  if (userSide !== undefined) return userSide * userSide === cols ? userSide : undefined;
  return cols === 784 ? 28 : undefined;
}

/** Smallest and largest feature value (the grey scale of every image). */
export function valueRange(x: Matrix): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export function renderPoint(container: HTMLElement, p: PointResult, ctx: PointContext): void {
  const verdict = p.label === null ? '' : p.label === p.prediction ? ' (correct)' : ' (wrong)';
  const radius = p.exact ? `${p.radius}` : `${p.radius} (upper bound ${p.upper})`;
  const facts = el(
    'dl',
    { class: 'facts' },
    el('dt', {}, 'label'), el('dd', {}, p.label ?? 'unknown'),
    el('dt', {}, 'prediction'), el('dd', {}, `${p.prediction}${verdict}`),
    el('dt', {}, 'certified radius'), el('dd', {}, radius),
    ctx.partitions > 1 && el('dt', {}, 'DPA radius'), ctx.partitions > 1 && el('dd', {}, p.dpaRadius),
  );
  const image = ctx.side && thumbnail(ctx.test.x, p.index, ctx.side, ctx.range, 'large');
  const head = el('div', { class: 'point-head' }, image || '', facts);
  const detail = ctx.partitions === 1 ? witnessView(p, ctx) : el('div', {}, votesView(p), ensembleWitnessView(p, ctx));
  container.replaceChildren(el('h3', {}, `Test point #${p.index}`), head, detail);
  if (p.nearTie) container.append(el('p', { class: 'hint' }, 'A decision for this point was within rounding of its threshold; the radius errs on the sound side.'));
}

function witnessView(p: PointResult, ctx: PointContext): HTMLElement {
  const flips = p.witness ?? [];
  if (flips.length === 0) {
    return el('p', {}, `No set of label flips changes this prediction: it holds even with all ${ctx.train.x.rows} training labels flipped.`);
  }
  const intro = el(
    'p',
    {},
    flips.length === 1
      ? 'Flipping this one training label changes the prediction.'
      : `Flipping these ${flips.length} training labels changes the prediction; no ${p.radius} flips can.`,
  );
  const shown = flips.slice(0, MAX_THUMBS).map((f) => flipFigure(f, ctx));
  const rest = flips.length - shown.length;
  return el('div', {}, intro, el('div', { class: 'flips' }, ...shown), rest > 0 && el('p', { class: 'hint' }, `… and ${rest} more (all in the JSON).`));
}

function flipFigure(f: { train: number; from: number; to: number }, ctx: PointContext): HTMLElement {
  return el(
    'figure',
    { class: 'flip' },
    ctx.side ? thumbnail(ctx.train.x, f.train, ctx.side, ctx.range, 'small') : '',
    el('figcaption', {}, `#${f.train}`, el('br'), `${f.from} → ${f.to}`),
  );
}

/** An ensemble's witness (docs/spec.md §5.6), one group per partition it switches. */
function ensembleWitnessView(p: PointResult, ctx: PointContext): HTMLElement {
  const flips = p.witness ?? [];
  if (flips.length === 0) {
    return el('p', {}, p.upper >= ctx.train.x.rows ? 'No attack changes this prediction.' : 'No witness for this point.');
  }
  const groups = new Map<number, typeof flips>();
  for (const f of flips) groups.set(f.partition ?? -1, [...(groups.get(f.partition ?? -1) ?? []), f]);
  const exactly = p.exact ? `; no ${p.radius} flips can` : '';
  const checked = p.witnessVerified ? 're-scored and re-voted' : 'NOT confirmed by re-voting';
  const intro = el('p', {}, `Flipping these ${flips.length} training labels in ${groups.size} partition${groups.size === 1 ? '' : 's'} changes the ensemble's prediction (${checked})${exactly}.`);
  let budget = MAX_THUMBS;
  const sections = [...groups].map(([partition, list]) => {
    const shown = list.slice(0, Math.max(budget, 0)).map((f) => flipFigure(f, ctx));
    budget -= shown.length;
    const rest = list.length - shown.length;
    return el(
      'section',
      { class: 'partition-group' },
      el('h4', {}, `Partition ${partition}: ${list.length} flip${list.length === 1 ? '' : 's'}`),
      el('div', { class: 'flips' }, ...shown),
      rest > 0 && el('p', { class: 'hint' }, `… and ${rest} more (all in the JSON).`),
    );
  });
  return el('div', {}, intro, ...sections);
}

function votesView(p: PointResult): HTMLElement {
  const total = p.votes.reduce((a, b) => a + b, 0);
  const rows = p.votes.map((v, c) =>
    el(
      'div',
      { class: c === p.prediction ? 'vote winner' : 'vote' },
      el('span', { class: 'vote-class' }, `class ${c}`),
      el('span', { class: 'bar' }, el('span', { style: `width: ${total ? (100 * v) / total : 0}%` })),
      el('span', { class: 'vote-count' }, v),
    ),
  );
  return el('div', {}, el('p', {}, `Votes of the ${total} partition models:`), el('div', { class: 'votes' }, ...rows));
}

/** Draws row `row` of `x` as a side × side grey image (ink dark on white). */
function thumbnail(x: Matrix, row: number, side: number, [lo, hi]: [number, number], size: 'small' | 'large'): HTMLCanvasElement {
  const canvas = el('canvas', { width: side, height: side, class: `img ${size}`, role: 'img', 'aria-label': `image of row ${row}` });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const image = ctx.createImageData(side, side);
  const pixels = x.data.subarray(row * x.cols, (row + 1) * x.cols);
  for (let i = 0; i < pixels.length; i++) {
    const grey = 255 * (1 - (pixels[i] - lo) / (hi - lo));
    image.data.set([grey, grey, grey, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}
