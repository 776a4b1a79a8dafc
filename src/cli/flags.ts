/**
 * The library names its options as API fields (`options.partitions`,
 * `options.kernel.depth`); a command-line user knows them as flags. This maps
 * one to the other so that every message speaks the user's language.
 */
import { FlipcertError } from '../errors.js';

/** API field → what the user typed, for the options that are the same for every data source. */
const FLAGS: Record<string, string> = {
  model: '--model',
  reg: '--reg',
  svmC: '--svm-c',
  kernel: '--depth/--w-var/--b-var',
  'kernel.depth': '--depth',
  'kernel.wVar': '--w-var',
  'kernel.bVar': '--b-var',
  depth: '--depth',
  wVar: '--w-var',
  bVar: '--b-var',
  classes: '--classes',
  partitions: '--partitions',
  partitioning: '--partitioning',
  threads: '--threads',
  witness: '--witness',
  blockSize: '--block-size',
  augment: '--augment',
  represent: '--represent',
  imageShape: '--image-shape',
  widths: '--widths',
  seeds: '--seeds',
  seed: '--seed',
  gradTol: '--grad-tol',
  stepTol: '--step-tol',
  maxIterations: '--max-iterations',
};

/** Field → flag for one run: the fixed flags, plus the data fields as the files that gave them. */
export type FlagMap = Record<string, string>;

export function flagMap(data: Record<string, string> = {}): FlagMap {
  return { ...FLAGS, ...data };
}

/** The flag for an API field path: the longest mapped prefix (`train.x.data` → the `train.x` entry). */
export function flagFor(field: string, flags: FlagMap): string | undefined {
  for (let path = field; path !== ''; path = path.slice(0, Math.max(0, path.lastIndexOf('.')))) {
    if (flags[path] !== undefined) return flags[path];
  }
  return undefined;
}

/**
 * The message of a library error, with each `options.X` replaced by its flag
 * (unknown fields are left as they are). Usage and file errors of the CLI
 * itself already name flags and files.
 */
export function translateMessage(error: FlipcertError, flags: FlagMap, words: Record<string, string> = {}): string {
  let message = error.message;
  // Positional arguments of a function (ntk's x1, x2) are named bare, as whole words.
  for (const [word, flag] of Object.entries(words)) message = message.replace(new RegExp(`\\b${word}\\b`, 'g'), flag);
  return message.replace(/\boptions\.([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)/g, (whole, field: string) => flagFor(field, flags) ?? whole);
}
