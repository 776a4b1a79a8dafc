// The library's ntk(): the NTK Gram matrix of docs/spec.md §2 for any rows, with
// the options checked and the core compiled. Apart from ntk.ts, which the
// workers run, so that their bundles do not carry the compiling code.
import { checkSameColumns, toMatrix } from '../checks/matrix.js';
import type { KernelOptions, Matrix, MatrixInput } from '../types.js';
import { compileCore, createCore } from '../wasm/core.js';
import { ntkGram } from './ntk.js';
import { resolveKernel } from './options.js';

/** Options of {@link ntk} beyond the kernel's. */
export interface NtkOptions {
  /** The compiled core (`flipcert/wasm`), for runtimes that cannot compile WebAssembly from bytes. */
  wasmModule?: WebAssembly.Module;
}

/**
 * The NTK Gram matrix K(x1, x2) of docs/spec.md §2 (x2 defaults to x1), as a row-major
 * `x1.rows × x2.rows` matrix. `kernel` takes the options of
 * {@link CertifyOptions.kernel} (unknown keys are an error).
 *
 * @example
 * const K = await ntk([[0, 1], [1, 1]], undefined, { depth: 2 });
 * K.data[0]; // K(x₁, x₁) = 2·(depth+1)·|x₁|²/d = 3
 */
export async function ntk(x1: MatrixInput, x2?: MatrixInput, kernel?: KernelOptions, options: NtkOptions = {}): Promise<Matrix> {
  const a = toMatrix(x1, 'x1');
  const b = x2 === undefined ? undefined : toMatrix(x2, 'x2');
  if (b) checkSameColumns(a, b, { train: 'x1', test: 'x2' });
  const resolvedKernel = resolveKernel(kernel);
  const core = await createCore(await compileCore(options.wasmModule));
  const data = ntkGram(core, a, b, resolvedKernel);
  return { data, rows: a.rows, cols: b ? b.rows : a.rows };
}
