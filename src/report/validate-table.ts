// The plain-text table `flipcert validate` prints: one row per width, means
// over seeds with ± one standard deviation, and the violation count.
import type { Spread, ValidateResult } from '../validate/result.js';

export function formatValidateTable(result: ValidateResult): string {
  const { config: c, ntk } = result;
  const accuracy = ntk.accuracy === null ? 'n/a (no test labels)' : percent(ntk.accuracy);
  const lines = [
    `flipcert validate: ${c.nTrain} train / ${c.nTest} test points, ${c.classes} classes, depth ${c.depth}, ` +
      `${c.seeds.length} seed${c.seeds.length === 1 ? '' : 's'} per width, ${result.seconds.toFixed(1)} s`,
    `NTK model: accuracy ${accuracy}, ${ntk.finite} of ${c.nTest} points with a finite radius, median radius ${ntk.medianRadius}`,
    '',
    row('width', 'kernel error', 'agreement', 'score error', 'tightness', 'violations'),
  ];
  for (const w of result.widths) {
    lines.push(
      row(
        String(w.width),
        spreadText(w.kernelError, (v) => v.toFixed(3)),
        spreadText(w.agreement, percent),
        spreadText(w.scoreError, (v) => v.toFixed(3)),
        spreadText(w.tightness, percent),
        `${w.violations} / ${w.attacks}`,
      ),
    );
  }
  lines.push(
    '',
    'kernel error: relative Frobenius error of the empirical NTK at initialisation; agreement: test points where the trained',
    'network predicts what the NTK model predicts; tightness: witnesses (radius + 1 flips) that changed the retrained network\'s',
    'prediction; violations: attacks of radius flips that changed it (each one a finite-width violation of the certificate).',
  );
  return lines.join('\n');
}

function spreadText(s: Spread, format: (v: number) => string): string {
  if (s.mean === null) return 'n/a';
  return s.sd === null ? format(s.mean) : `${format(s.mean)} ± ${format(s.sd)}`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

function row(first: string, ...cells: string[]): string {
  return first.padStart(7) + cells.map((cell, i) => cell.padStart(i === cells.length - 1 ? 12 : 19)).join('');
}
