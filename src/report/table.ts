// The plain-text summary the CLI prints after a run: small enough to read at
// a glance, with certified accuracy at a few round radii for both certificates.
import type { ResultConfig, ResultSummary } from '../certify/result.js';

/** Radii shown in the table: 0, 1, 2, 5, 10, 20, 50, … up to and including `max`. */
export function tableRadii(max: number): number[] {
  const radii = [0];
  for (let scale = 1; scale <= max; scale *= 10) {
    for (const step of [1, 2, 5]) if (step * scale <= max) radii.push(step * scale);
  }
  if (radii[radii.length - 1] !== max) radii.push(max);
  return radii;
}

/**
 * Formats a docs/spec.md §6 summary as an aligned table: header line, accuracy,
 * exact fraction, near ties, time, then MCR and CA(r) for EnsembleCert and DPA.
 * Accepts a whole result object (`summary`, and `config.represent` when there is one).
 */
export function formatSummaryTable({ summary: s, config }: { summary: ResultSummary; config?: Pick<ResultConfig, 'represent'> }): string {
  const lines = [
    `flipcert: ${s.nTrain} train / ${s.nTest} test points, ${s.classes} classes, ` +
      `${s.partitions} partition${s.partitions === 1 ? '' : 's'}, ${s.seconds.toFixed(1)} s`,
    ...(config?.represent ? [`representation: ${config.represent}`] : []),
    row('accuracy', s.accuracy === null ? 'n/a (no test labels)' : percent(s.accuracy)),
    row('exact (radius = upper)', percent(s.exactFraction)),
    row('near ties', String(s.nearTies)),
  ];
  if (s.mcr === null || s.certifiedAccuracy === null) return lines.join('\n');
  const { ensemblecert, dpa } = s.certifiedAccuracy;
  lines.push('', row('', 'EnsembleCert', 'DPA'));
  lines.push(row('median certified radius', String(s.mcr.ensemblecert), String(s.mcr.dpa)));
  for (const r of tableRadii(Math.max(1, ensemblecert.length, dpa.length) - 1)) {
    lines.push(row(`certified accuracy, r = ${r}`, percent(at(ensemblecert, r)), percent(at(dpa, r))));
  }
  return lines.join('\n');
}

/** CA(r) from a curve that stops at its last non-zero value. */
function at(curve: number[], r: number): number {
  return r < curve.length ? curve[r] : 0;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

function row(label: string, ...cells: string[]): string {
  return label.padEnd(30) + cells.map((c) => c.padStart(14)).join('');
}
