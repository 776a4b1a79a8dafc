// The picture of a validate run (docs/spec.md §12): against the hidden width
// (log scale), the clean agreement of the finite networks with flipcert's NTK
// model, the tightness of its witnesses, and the rate of within-radius
// attacks that changed a prediction (violations). Means over seeds, with a
// bar of ± one standard deviation where there are several seeds.
import type { Spread, ValidateResult } from '../validate/result.js';
import { percentAxis, text } from './svg.js';

const WIDTH = 1000;
const HEIGHT = 600;
// The legend sits right of the plot, where no data point can hide under it.
const PLOT = { left: 90, right: 700, top: 60, bottom: HEIGHT - 75 };
const SERIES = [
  { key: 'agreement', label: ['agreement', 'test points predicted as', 'by the NTK model'], color: '#1f5fbf', dash: '', marker: 'circle' },
  { key: 'tightness', label: ['tightness', 'witnesses (radius + 1 flips)', 'that changed the prediction'], color: '#2a9d4a', dash: '9 5', marker: 'square' },
  { key: 'violations', label: ['violations', 'attacks of radius flips', 'that changed the prediction'], color: '#d1442b', dash: '3 4', marker: 'diamond' },
] as const;

interface Mark {
  width: number;
  value: Spread;
}

/** The SVG document (1000 × 600) of a validate result. */
export function validatePlotSvg(result: ValidateResult): string {
  const widths = result.widths.map((w) => w.width);
  const lo = Math.log2(Math.min(...widths));
  const hi = Math.log2(Math.max(...widths));
  // One width still needs a span: half an octave each side.
  const [a, b] = hi - lo < 1e-9 ? [lo - 0.5, hi + 0.5] : [lo - 0.25 * (hi - lo) / Math.max(1, widths.length - 1), hi + 0.25 * (hi - lo) / Math.max(1, widths.length - 1)];
  const sx = (w: number) => PLOT.left + ((Math.log2(w) - a) / (b - a)) * (PLOT.right - PLOT.left);
  const sy = (v: number) => PLOT.bottom - v * (PLOT.bottom - PLOT.top);
  const marks: Record<(typeof SERIES)[number]['key'], Mark[]> = {
    agreement: result.widths.map((w) => ({ width: w.width, value: w.agreement })),
    tightness: result.widths.map((w) => ({ width: w.width, value: w.tightness })),
    violations: result.widths.map((w) => ({ width: w.width, value: { mean: w.attacks === 0 ? null : w.violations / w.attacks, sd: null } })),
  };
  const { nTrain, nTest, depth, classes } = result.config;
  const seeds = result.config.seeds.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    text((PLOT.left + WIDTH) / 2, 34, `Finite ReLU networks vs the NTK certificate — depth ${depth}, ${classes} classes, ${nTrain} train / ${nTest} test, ${seeds} seed${seeds === 1 ? '' : 's'}`, 'middle', 16, 'bold'),
    ...percentAxis(PLOT, sy),
    ...widths.flatMap((w) => xTick(w, sx)),
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333"/>`,
    // Series are dodged a few pixels apart so that their bars at one width do not overlap.
    ...SERIES.flatMap((s, i) => series(marks[s.key], s, (w) => sx(w) + 8 * (i - 1), sy)),
    ...legend(),
    text((PLOT.left + PLOT.right) / 2, HEIGHT - 22, 'hidden width (log scale)', 'middle', 15),
    `<g transform="translate(26 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)">`,
    text(0, 0, 'fraction of test points / retrainings (%)', 'middle', 15),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

function series(marks: Mark[], s: (typeof SERIES)[number], sx: (w: number) => number, sy: (v: number) => number): string[] {
  const f = (n: number) => n.toFixed(1);
  const shown = marks.filter((m) => m.value.mean !== null);
  const out: string[] = [];
  if (shown.length > 1) {
    const d = shown.map((m, i) => `${i === 0 ? 'M' : 'L'}${f(sx(m.width))} ${f(sy(m.value.mean!))}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
  }
  for (const m of shown) {
    const x = sx(m.width);
    const y = sy(m.value.mean!);
    if (m.value.sd !== null && m.value.sd > 0) {
      const top = sy(Math.min(1, m.value.mean! + m.value.sd));
      const bottom = sy(Math.max(0, m.value.mean! - m.value.sd));
      out.push(`<path d="M${f(x)} ${f(top)}V${f(bottom)}M${f(x - 6)} ${f(top)}H${f(x + 6)}M${f(x - 6)} ${f(bottom)}H${f(x + 6)}" stroke="${s.color}" stroke-width="1.5" fill="none"/>`);
    }
    out.push(marker(s.marker, x, y, s.color));
  }
  return out;
}

function marker(kind: 'circle' | 'square' | 'diamond', x: number, y: number, color: string): string {
  const f = (n: number) => n.toFixed(1);
  if (kind === 'circle') return `<circle cx="${f(x)}" cy="${f(y)}" r="5.5" fill="${color}"/>`;
  if (kind === 'square') return `<rect x="${f(x - 5)}" y="${f(y - 5)}" width="10" height="10" fill="${color}"/>`;
  return `<path d="M${f(x)} ${f(y - 7)}L${f(x + 7)} ${f(y)}L${f(x)} ${f(y + 7)}L${f(x - 7)} ${f(y)}Z" fill="${color}"/>`;
}


function xTick(width: number, sx: (w: number) => number): string[] {
  const x = sx(width).toFixed(1);
  return [
    `<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#e3e3e3"/>`,
    `<line x1="${x}" y1="${PLOT.bottom}" x2="${x}" y2="${PLOT.bottom + 6}" stroke="#333"/>`,
    text(Number(x), PLOT.bottom + 22, String(width), 'middle', 13),
  ];
}

function legend(): string[] {
  const x = PLOT.right + 20;
  const y = PLOT.top;
  const height = 16 + 72 * SERIES.length;
  const out = [`<rect x="${x}" y="${y}" width="${WIDTH - x - 12}" height="${height}" fill="white" stroke="#999"/>`];
  SERIES.forEach((s, i) => {
    const ly = y + 26 + 72 * i;
    out.push(`<line x1="${x + 10}" y1="${ly - 5}" x2="${x + 42}" y2="${ly - 5}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(marker(s.marker, x + 26, ly - 5, s.color));
    out.push(text(x + 52, ly, s.label[0], 'start', 15, 'bold'));
    out.push(text(x + 52, ly + 19, s.label[1], 'start', 13));
    out.push(text(x + 52, ly + 36, s.label[2], 'start', 13));
  });
  out.push(text(x + 4, y + height + 24, 'marks: mean over seeds', 'start', 13));
  out.push(text(x + 4, y + height + 42, 'bars: ± one standard deviation', 'start', 13));
  out.push(text(x + 4, y + height + 60, 'violations: all seeds pooled', 'start', 13));
  return out;
}


