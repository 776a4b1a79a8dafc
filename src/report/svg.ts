// The SVG pieces both plots draw the same way: text, and a 0–100 % y axis with
// its grid, for a plot area given by its edges.

export const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** The plot area's edges, in SVG pixels. */
export interface PlotFrame {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', size: number, weight = 'normal'): string {
  return `<text x="${x}" y="${y}" ${FONT} font-size="${size}" font-weight="${weight}" text-anchor="${anchor}" fill="#111">${escapeXml(content)}</text>`;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Grid lines, ticks and labels every 10 % from 0 to 100 %; `sy` maps a fraction to y. */
export function percentAxis(frame: PlotFrame, sy: (v: number) => number): string[] {
  const out: string[] = [];
  for (let pct = 0; pct <= 100; pct += 10) {
    const y = sy(pct / 100).toFixed(1);
    out.push(`<line x1="${frame.left}" y1="${y}" x2="${frame.right}" y2="${y}" stroke="#e3e3e3"/>`);
    out.push(`<line x1="${frame.left - 6}" y1="${y}" x2="${frame.left}" y2="${y}" stroke="#333"/>`);
    out.push(text(frame.left - 10, Number(y) + 5, `${pct}%`, 'end', 13));
  }
  return out;
}
