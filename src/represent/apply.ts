// A resolved run's rows, represented (docs/spec.md §13): what certify and
// validate do after checking their options (partitions already drawn from the
// rows as given, §5) and before planning memory or starting any worker.
import type { Matrix } from '../types.js';
import type { Representation } from './spec.js';
import { representer, type RepresentStep } from './registry.js';

interface RepresentableRun {
  trainX: Matrix;
  testX: Matrix;
  represent: Representation | undefined;
  imageShape: [number, number, number] | undefined;
  signal: AbortSignal | undefined;
  wasmModule: WebAssembly.Module | undefined;
}

/** `run` with trainX and testX replaced by their representation; `run` itself when it asks for none. */
export async function representRun<R extends RepresentableRun>(run: R, onStep?: (step: RepresentStep) => void): Promise<R> {
  if (run.represent === undefined) return run;
  const { train, test } = await representer()({
    representation: run.represent,
    train: run.trainX,
    test: run.testX,
    imageShape: run.imageShape,
    signal: run.signal,
    wasmModule: run.wasmModule,
    onStep,
  });
  return { ...run, trainX: train, testX: test };
}
