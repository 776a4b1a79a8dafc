// Where certify and validate find the representation code (docs/spec.md §13).
// The Node front always installs it; the browser front only when the page
// imports `flipcert/represent`, so that an app that never represents carries
// none of it (the bundle budget of README, Bundlers). The slot is a global
// symbol, not a module variable, because the browser front and
// `flipcert/represent` are separate bundles, each with its own copy of this file.
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import type { Representation } from './spec.js';

/** What a run asks of the representation code: every row of both sets, with the stages to apply. */
export interface RepresentRequest {
  representation: Representation;
  train: Matrix;
  /** Rows represented one by one against the training rows (never seen by the fit). */
  test: Matrix;
  /** [height, width, channels] of the rows as images, for a scattering stage. */
  imageShape: [number, number, number] | undefined;
  signal: AbortSignal | undefined;
  /** The compiled core, when the caller gave one (options.wasmModule). */
  wasmModule?: WebAssembly.Module;
  onStep: ((step: RepresentStep) => void) | undefined;
}

/** Progress of the representation: the stage running, and its units done of total. */
export interface RepresentStep {
  /** e.g. 'scattering', 'pca', 'neighbours', 'eigenvectors', 'out-of-sample'. */
  step: string;
  done: number;
  total: number;
}

/** The represented rows: `train.rows` and `test.rows` as given, `cols` the representation's dimensions. */
export interface Represented {
  train: Matrix;
  test: Matrix;
}

export type Representer = (request: RepresentRequest) => Promise<Represented>;

const SLOT = Symbol.for('flipcert.representer');
type Slot = { [SLOT]?: Representer };

/** Makes `representer` the one certify and validate use (idempotent). */
export function installRepresenter(representer: Representer): void {
  (globalThis as Slot)[SLOT] ??= representer;
}

/** The installed representation code, or the error that says how to load it. */
export function representer(): Representer {
  const installed = (globalThis as Slot)[SLOT];
  if (installed) return installed;
  throw new FlipcertError(
    "options.represent needs flipcert's representation code, which the browser build loads only on request: " +
      "add `import 'flipcert/represent'` (or import { represent } from it) once in your app",
    'EUNSUPPORTED',
    { field: 'represent' },
  );
}
