// A standalone SVG chart of certified accuracy CA(r) against the number of
// label flips r: one step curve per certificate, axes with round ticks, a grid,
// a legend and a title, so the picture reads without the command that made it.
import { FlipcertError } from '../errors.js';
import type { CertifyResult } from '../certify/result.js';
import { percentAxis, text } from './svg.js';

export interface Curve {
  label: string;
  /** CA(0), CA(1), …: fractions in [0, 1]; CA is 0 past the end. */
  values: number[];
}

export interface PlotOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** Last radius on the x axis (default: where the longest curve reaches 0). */
  xMax?: number;
}

const WIDTH = 900;
const HEIGHT = 600;
const PLOT = { left: 90, right: WIDTH - 30, top: 60, bottom: HEIGHT - 75 };
const COLORS = ['#1f5fbf', '#d1442b', '#2a9d4a', '#8a4fbf', '#e08a00', '#444444'];
const DASHES = ['', '9 5', '3 4', '12 4 3 4', '6 3', '1 3'];

/** Renders certified-accuracy curves as a complete SVG document (900 × 600). */
export function certifiedAccuracySvg(curves: Curve[], opts: PlotOptions): string {
  checkCurves(curves);
  const xMax = opts.xMax ?? Math.max(1, ...curves.map((c) => c.values.length));
  if (!Number.isFinite(xMax) || xMax <= 0) throw new FlipcertError(`plot: xMax must be positive, got ${opts.xMax}`);
  const sx = (r: number) => PLOT.left + (Math.min(r, xMax) / xMax) * (PLOT.right - PLOT.left);
  const sy = (v: number) => PLOT.bottom - v * (PLOT.bottom - PLOT.top);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    text(WIDTH / 2, 34, opts.title, 'middle', 17, 'bold'),
    ...percentAxis(PLOT, sy),
    ...xAxis(xMax, sx),
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333"/>`,
    ...curves.map((c, i) => curvePath(c.values, xMax, sx, sy, i)),
    ...legend(curves),
    text((PLOT.left + PLOT.right) / 2, HEIGHT - 22, opts.xLabel ?? 'number of flipped training labels r', 'middle', 15),
    `<g transform="translate(26 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)">`,
    text(0, 0, opts.yLabel ?? 'certified accuracy (%)', 'middle', 15),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The plot of a run: EnsembleCert and DPA certified accuracy, titled with the
 * run's size. Undefined without test labels (no accuracy to plot).
 */
export function resultPlotSvg(result: CertifyResult): string | undefined {
  const curves = result.summary.certifiedAccuracy;
  if (!curves) return undefined;
  const { nTrain, nTest, partitions, classes } = result.summary;
  return certifiedAccuracySvg(
    [
      { label: 'EnsembleCert (white-box)', values: curves.ensemblecert },
      { label: 'DPA (black-box)', values: curves.dpa },
    ],
    { title: `Certified accuracy under label flips — k = ${partitions}, ${classes} classes, ${nTrain} train / ${nTest} test` },
  );
}

/** Round tick spacing (1, 2 or 5 × 10^k, at least 1) giving about `target` intervals. */
export function niceStep(span: number, target = 8): number {
  const raw = Math.max(1, span / target);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * power >= raw) return m * power;
  return 10 * power;
}


function xAxis(xMax: number, sx: (r: number) => number): string[] {
  const out: string[] = [];
  const step = niceStep(xMax);
  for (let r = 0; r <= xMax + 1e-9; r += step) {
    const x = sx(r).toFixed(1);
    out.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#e3e3e3"/>`);
    out.push(`<line x1="${x}" y1="${PLOT.bottom}" x2="${x}" y2="${PLOT.bottom + 6}" stroke="#333"/>`);
    out.push(text(Number(x), PLOT.bottom + 22, String(r), 'middle', 13));
  }
  return out;
}

/**
 * CA holds its value CA(r) on [r, r + 1) and drops to 0 after the last entry;
 * only changes emit path commands, so long flat tails stay small.
 */
function curvePath(
  values: number[],
  xMax: number,
  sx: (r: number) => number,
  sy: (v: number) => number,
  index: number,
): string {
  const f = (n: number) => n.toFixed(1);
  let d = `M${f(sx(0))} ${f(sy(values[0] ?? 0))}`;
  let current = values[0] ?? 0;
  for (let r = 1; r <= values.length && r <= xMax; r++) {
    const v = r < values.length ? values[r] : 0;
    if (v === current) continue;
    d += `H${f(sx(r))}V${f(sy(v))}`;
    current = v;
  }
  d += `H${f(sx(xMax))}`;
  const dash = DASHES[index % DASHES.length];
  return `<path d="${d}" fill="none" stroke="${COLORS[index % COLORS.length]}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`;
}

function legend(curves: Curve[]): string[] {
  const width = 40 + 8.5 * Math.max(...curves.map((c) => c.label.length)) + 20;
  const x = PLOT.right - width - 14;
  const y = PLOT.top + 14;
  const out = [`<rect x="${x}" y="${y}" width="${width}" height="${12 + 24 * curves.length}" fill="white" fill-opacity="0.92" stroke="#999"/>`];
  curves.forEach((c, i) => {
    const ly = y + 22 + 24 * i;
    const dash = DASHES[i % DASHES.length];
    out.push(`<line x1="${x + 10}" y1="${ly - 5}" x2="${x + 42}" y2="${ly - 5}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(text(x + 50, ly, c.label, 'start', 14));
  });
  return out;
}



function checkCurves(curves: Curve[]): void {
  if (curves.length === 0) throw new FlipcertError('plot: no curves to draw');
  for (const { label, values } of curves) {
    values.forEach((v, r) => {
      if (!Number.isFinite(v) || v < 0 || v > 1) {
        throw new FlipcertError(`plot: curve '${label}' has CA(${r}) = ${v}, expected a fraction in [0, 1]`);
      }
    });
  }
}
