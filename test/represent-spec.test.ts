import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { parseRepresentation } from '../src/represent/spec.js';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(FlipcertError);
    expect((error as FlipcertError).field).toBe('represent');
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('the represent option (docs/spec.md §13)', () => {
  it('fills in every default and spells the chain canonically', () => {
    const r = parseRepresentation('scattering+log+pca+spectral')!;
    expect(r.spec).toBe('scattering:J=2,L=8,order=1+log+pca:dims=100,whiten=true+spectral:dims=10,neighbors=10,scale=7');
    expect(r.stages.map((s) => s.kind)).toEqual(['scattering', 'log', 'pca', 'spectral']);
    expect(parseRepresentation(r.spec)!.spec).toBe(r.spec);
  });

  it('takes parameters in any order, with spaces', () => {
    const r = parseRepresentation(' pca: whiten=false , dims=7 + spectral:scale=3,dims=4 ')!;
    expect(r.stages).toEqual([
      { kind: 'pca', dims: 7, whiten: false },
      { kind: 'spectral', dims: 4, neighbors: 10, scale: 3 },
    ]);
  });

  it("'none' is no representation", () => {
    expect(parseRepresentation('none')).toBeUndefined();
  });

  it('refuses what it cannot honour, naming the stage and the parameter', () => {
    expect(messageOf(() => parseRepresentation('wavelets'))).toContain('"wavelets" is not a stage (stages: scattering, log, pca, spectral');
    expect(messageOf(() => parseRepresentation('pca+'))).toContain('stage 2 is empty');
    expect(messageOf(() => parseRepresentation('pca:dim=3'))).toContain('pca: "dim=3" is not a parameter (dims=, whiten=)');
    expect(messageOf(() => parseRepresentation('log:x=1'))).toContain('log: "x=1" takes no parameters');
    expect(messageOf(() => parseRepresentation('pca:dims=0'))).toContain('must be an integer in 1..100000');
    expect(messageOf(() => parseRepresentation('pca:dims=2.5'))).toContain('must be an integer');
    expect(messageOf(() => parseRepresentation('pca:whiten=yes'))).toContain('must be true or false');
    expect(messageOf(() => parseRepresentation('pca:dims=3,dims=4'))).toContain('is given twice');
    expect(messageOf(() => parseRepresentation('pca:dims'))).toContain('must be dims=value');
    expect(messageOf(() => parseRepresentation('log+scattering'))).toContain('scattering reads images, so it must be the first stage');
    expect(messageOf(() => parseRepresentation('spectral:neighbors=5,scale=6'))).toContain('scale=6 must be at most neighbors=5');
    expect(messageOf(() => parseRepresentation(3))).toContain('options.represent must be a string');
  });
});
