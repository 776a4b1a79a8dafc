import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { accuracy, certifiedAccuracy, medianCertifiedRadius } from '../src/certify/metrics.js';
import { certifiedAccuracySvg, niceStep } from '../src/report/plot.js';
import { formatSummaryTable, tableRadii } from '../src/report/table.js';
import type { ResultSummary } from '../src/certify/result.js';
import { rng } from './reference.js';

describe('metrics', () => {
  it('accuracy counts correct points', () => {
    expect(accuracy([true, false, true, true])).toBe(0.75);
    expect(() => accuracy([])).toThrow(FlipcertError);
  });

  it('certified accuracy on a hand-made vector', () => {
    // Correct radii 0, 3, 5 (the misclassified point's radius 1 never counts), m = 4.
    // CA(0) = 3/4, CA(1..3) = 2/4, CA(4..5) = 1/4.
    const radii = [0, 3, 1, 5];
    const correct = [true, true, false, true];
    expect(certifiedAccuracy(radii, correct)).toEqual([0.75, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(certifiedAccuracy(radii, correct, 2)).toEqual([0.75, 0.5, 0.5]);
    expect(certifiedAccuracy(radii, correct, 7)).toEqual([0.75, 0.5, 0.5, 0.5, 0.25, 0.25, 0, 0]);
    expect(certifiedAccuracy([4, 2], [false, false])).toEqual([0]);
  });

  it('median certified radius: spec examples and misclassified points as −1', () => {
    expect(medianCertifiedRadius([1, 2, 3, 4], [true, true, true, true])).toBe(3);
    // Values [1, 2, 3, −1]: the ⌈4/2⌉ = 2nd largest is 2.
    expect(medianCertifiedRadius([1, 2, 3, 4], [true, true, true, false])).toBe(2);
    // m = 5: the 3rd largest of [5, 1, 4, 2, 3] is 3.
    expect(medianCertifiedRadius([5, 1, 4, 2, 3], [true, true, true, true, true])).toBe(3);
    // Two of five correct (accuracy 0.4 < 0.5): −1.
    expect(medianCertifiedRadius([9, 9, 9, 9, 9], [true, true, false, false, false])).toBe(-1);
    // Exactly half correct: CA(r) = 0.5 up to the smaller correct radius.
    expect(medianCertifiedRadius([7, 4, 0, 0], [true, true, false, false])).toBe(4);
  });

  it('MCR is the largest r with CA(r) ≥ 0.5 (random cross-check)', () => {
    const random = rng(8);
    for (let trial = 0; trial < 500; trial++) {
      const m = 1 + Math.floor(random() * 12);
      const radii = Array.from({ length: m }, () => Math.floor(random() * 6));
      const correct = Array.from({ length: m }, () => random() < 0.7);
      const ca = certifiedAccuracy(radii, correct);
      let expected = -1;
      ca.forEach((v, r) => {
        if (v >= 0.5) expected = r;
      });
      expect(medianCertifiedRadius(radii, correct)).toBe(expected);
    }
  });

  it('rejects mismatched lengths and bad radii', () => {
    expect(() => certifiedAccuracy([1, 2], [true])).toThrow(/2 radii but 1/);
    expect(() => medianCertifiedRadius([1, -1], [true, true])).toThrow(/point 1 has radius -1/);
    expect(() => certifiedAccuracy([1], [true], -2)).toThrow(/maxRadius/);
  });
});

function summary(over: Partial<ResultSummary> = {}): ResultSummary {
  return {
    nTrain: 60000,
    nTest: 4,
    classes: 10,
    partitions: 50,
    accuracy: 0.75,
    mcr: { ensemblecert: 3, dpa: 1 },
    certifiedAccuracy: { ensemblecert: [0.75, 0.5, 0.5, 0.5, 0.25, 0.25], dpa: [0.75, 0.5, 0.25] },
    exactFraction: 0.5,
    nearTies: 2,
    seconds: 12.34,
    threads: 4,
    ...over,
  };
}

describe('summary table', () => {
  it('chooses round radii up to the maximum', () => {
    expect(tableRadii(0)).toEqual([0]);
    expect(tableRadii(1)).toEqual([0, 1]);
    expect(tableRadii(37)).toEqual([0, 1, 2, 5, 10, 20, 37]);
    expect(tableRadii(100)).toEqual([0, 1, 2, 5, 10, 20, 50, 100]);
  });

  it('shows accuracy, exactness, MCR and CA(r) for both certificates', () => {
    const text = formatSummaryTable({ summary: summary() });
    const lines = text.split('\n');
    expect(lines[0]).toBe('flipcert: 60000 train / 4 test points, 10 classes, 50 partitions, 12.3 s');
    expect(text).toMatch(/accuracy\s+75\.00 %/);
    expect(text).toMatch(/exact \(radius = upper\)\s+50\.00 %/);
    expect(text).toMatch(/near ties\s+2/);
    expect(text).toMatch(/median certified radius\s+3\s+1\n/);
    // Radii 0, 1, 2, 5; DPA's curve ended at r = 2, so its CA(5) is 0.
    expect(text).toMatch(/r = 0\s+75\.00 %\s+75\.00 %/);
    expect(text).toMatch(/r = 2\s+50\.00 %\s+25\.00 %/);
    expect(text).toMatch(/r = 5\s+25\.00 %\s+0\.00 %/);
    expect(text).not.toMatch(/r = 3/);
  });

  it('names the representation under the header line, when there is one', () => {
    const spec = 'scattering:J=2,L=8,order=1+log';
    expect(formatSummaryTable({ summary: summary(), config: { represent: spec } }).split('\n')[1]).toBe(`representation: ${spec}`);
    expect(formatSummaryTable({ summary: summary(), config: { represent: null } }).split('\n')[1]).toMatch(/^accuracy/);
  });

  it('works without test labels', () => {
    const text = formatSummaryTable({ summary: summary({ accuracy: null, mcr: null, certifiedAccuracy: null }) });
    expect(text).toMatch(/n\/a \(no test labels\)/);
    expect(text).not.toMatch(/median/);
  });
});

describe('certified accuracy plot', () => {
  it('picks round tick steps', () => {
    expect(niceStep(8)).toBe(1);
    expect(niceStep(13)).toBe(2);
    expect(niceStep(100)).toBe(20);
    expect(niceStep(60000)).toBe(10000);
    expect(niceStep(0.5)).toBe(1);
  });

  it('draws one step path per curve, in plot coordinates', () => {
    // Plot area x 90..870, y 60 (100%)..525 (0%). Curve [1, 0.5] on x ∈ [0, 2]:
    // CA = 1 on [0, 1), 0.5 on [1, 2), then 0 → M90 60 H480 V292.5 H870 V525 H870.
    const svg = certifiedAccuracySvg(
      [
        { label: 'EnsembleCert', values: [1, 0.5] },
        { label: 'DPA <black-box> & co', values: [1] },
      ],
      { title: 'CA "test" <1>' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]);
    expect(paths).toEqual(['M90.0 60.0H480.0V292.5H870.0V525.0H870.0', 'M90.0 60.0H480.0V525.0H870.0']);
    // Text is escaped; legend, title, axis labels and tick labels are present.
    expect(svg).toContain('DPA &#60;black-box&#62; &#38; co');
    expect(svg).toContain('CA &#34;test&#34; &#60;1&#62;');
    expect(svg).not.toMatch(/<1>/);
    for (const label of ['0%', '50%', '100%', 'certified accuracy (%)', 'number of flipped training labels r']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    // Balanced tags: every opened element is closed.
    const opened = (svg.match(/<(svg|g)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|g)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });

  it('honours xMax and axis labels', () => {
    const svg = certifiedAccuracySvg([{ label: 'a', values: [0.9, 0.8, 0.7, 0.6] }], {
      title: 't',
      xLabel: 'flips',
      yLabel: 'CA',
      xMax: 100,
    });
    expect(svg).toContain('>flips</text>');
    expect(svg).toContain('>CA</text>');
    expect(svg).toContain('>100</text>'); // ticks every 20 up to 100
    expect(svg).toContain('>80</text>');
  });

  it('rejects values outside [0, 1] and empty input', () => {
    expect(() => certifiedAccuracySvg([{ label: 'x', values: [0.5, 1.5] }], { title: 't' })).toThrow(/'x' has CA\(1\) = 1.5/);
    expect(() => certifiedAccuracySvg([], { title: 't' })).toThrow(FlipcertError);
  });
});
