// The representation pipeline (docs/spec.md §13.4): the stages of a parsed
// `represent` option applied in order, each fitted on the training rows'
// current features alone (never a label), then applied to the test rows one
// by one, so that a test row's representation depends only on the training
// rows and that row.
import { throwIfAborted } from '../host/abort.js';
import { scatterOn, scatteringDims } from '../features/scattering.js';
import { logShiftedInPlace } from '../features/elementary.js';
import { applyPca, fitPca } from '../features/pca.js';
import { embedSpectral, fitSpectral } from '../features/spectral.js';
import { FlipcertError } from '../errors.js';
import { compileCore, createCore, type Core } from '../wasm/core.js';
import { createFeatures, type Features } from '../features/module.js';
import type { Matrix } from '../types.js';
import type { RepresentRequest, Represented } from './registry.js';
import type { Stage } from './spec.js';

/** The `log` stage's shift: x ↦ log(x + LOG_SHIFT), for features ≥ 0 such as scattering moduli. */
export const LOG_SHIFT = 1e-3;

/**
 * Runs every stage of `request.representation` on the calling thread, on a
 * core of its own (from request.wasmModule when given); the inputs are never written.
 */
export async function runPipeline(request: RepresentRequest): Promise<Represented> {
  const core = await createCore(await compileCore(request.wasmModule));
  const features = await createFeatures();
  let train = request.train;
  let test = request.test;
  for (const stage of request.representation.stages) {
    throwIfAborted(request.signal);
    [train, test] = applyStage({ core, features }, stage, train, test, request);
  }
  return { train, test };
}

/** The compute core (products) and the features module (scattering, exp, log), one instance of each for the whole run. */
interface Engines {
  core: Core;
  features: Features;
}

function applyStage({ core, features }: Engines, stage: Stage, train: Matrix, test: Matrix, request: RepresentRequest): [Matrix, Matrix] {
  const onStep = request.onStep ?? (() => {});
  switch (stage.kind) {
    case 'scattering': {
      // Resolved with the options (src/represent/images.ts): one channel; scatterOn checks the size against J.
      const [height, width] = request.imageShape!;
      const dims = scatteringDims(height, width, stage);
      const total = train.rows + test.rows;
      const rows = (m: Matrix, before: number): Matrix => ({
        data: scatterOn(features, m.data, m.rows, height, width, stage, (done) => onStep({ step: 'scattering', done: before + done, total })),
        rows: m.rows,
        cols: dims,
      });
      onStep({ step: 'scattering', done: 0, total });
      return [rows(train, 0), rows(test, train.rows)];
    }
    case 'log':
      return [logOf(features, train), logOf(features, test)];
    case 'pca': {
      onStep({ step: 'pca', done: 0, total: 1 });
      const fit = fitPca(core, train.data, train.rows, train.cols, stage);
      onStep({ step: 'pca', done: 1, total: 1 });
      const project = (m: Matrix): Matrix => ({ data: applyPca(core, fit, m.data, m.rows), rows: m.rows, cols: fit.dims });
      return [project(train), project(test)];
    }
    case 'spectral': {
      const report = (step: string, done: number, total: number) => onStep({ step, done, total });
      const { fit, train: embedded } = fitSpectral(core, features, train.data, train.rows, train.cols, stage, report);
      const dims = stage.dims;
      const outOfSample = embedSpectral(core, features, fit, test.data, test.rows, (step, done, total) => report(`out-of-sample ${step}`, done, total));
      return [
        { data: embedded, rows: train.rows, cols: dims },
        { data: outOfSample, rows: test.rows, cols: dims },
      ];
    }
  }
}

/** log(x + LOG_SHIFT) of a copy; features below −LOG_SHIFT have no logarithm and are refused. */
function logOf(features: Features, m: Matrix): Matrix {
  const data = Float64Array.from(m.data);
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] > -LOG_SHIFT)) {
      const row = Math.floor(i / m.cols);
      throw new FlipcertError(
        `options.represent: the log stage needs features above −${LOG_SHIFT} (e.g. after scattering), but row ${row}, column ${i % m.cols} is ${data[i]}`,
        'EINPUT',
        { field: 'represent' },
      );
    }
  }
  logShiftedInPlace(features, data, LOG_SHIFT);
  return { data, rows: m.rows, cols: m.cols };
}
