/**
 * Parsers for option values, for commander. Each rejects a bad value with a
 * usage error naming the flag, and a flag given twice (commander would keep
 * the last value without a word).
 */
import { FlipcertError } from '../errors.js';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function usage(message: string): never {
  throw new FlipcertError(message, 'EUSAGE');
}

/** Value parsers that share one record of the flags seen, to catch repeats. */
export class ArgumentParsers {
  private readonly seen = new Set<string>();

  private once(flag: string): void {
    if (this.seen.has(flag)) usage(`${flag} is given more than once; give it once`);
    this.seen.add(flag);
  }

  text(flag: string): (text: string) => string {
    return (text) => {
      this.once(flag);
      if (text === '') usage(`${flag} needs a value, got an empty string`);
      return text;
    };
  }

  number(flag: string): (text: string) => number {
    return (text) => {
      this.once(flag);
      const value = Number(text.trim());
      if (!DECIMAL.test(text.trim()) || !Number.isFinite(value)) usage(`${flag} must be a number, got ${JSON.stringify(text)}`);
      return value;
    };
  }

  integer(flag: string, min: number): (text: string) => number {
    return (text) => {
      this.once(flag);
      const value = Number(text.trim());
      if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
        usage(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
      }
      return value;
    };
  }

  choice<T extends string>(flag: string, choices: readonly T[]): (text: string) => T {
    return (text) => {
      this.once(flag);
      if (!(choices as readonly string[]).includes(text)) {
        usage(`${flag} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}, got ${JSON.stringify(text)}`);
      }
      return text as T;
    };
  }

  /** A comma-separated list of integers ≥ `min`, e.g. `256,1024,4096`. */
  integers(flag: string, min: number): (text: string) => number[] {
    return (text) => {
      this.once(flag);
      const items = text.split(',').map((item) => item.trim());
      const values = items.map(Number);
      if (items.some((item, i) => !/^[+-]?\d+$/.test(item) || !Number.isSafeInteger(values[i]) || values[i] < min)) {
        usage(`${flag} must be comma-separated integers ≥ ${min} (e.g. 256,1024,4096), got ${JSON.stringify(text)}`);
      }
      return values;
    };
  }

  /** `HxWxC` (or `HxW`, one channel) → [H, W, C], each an integer ≥ 1. */
  imageShape(flag: string): (text: string) => [number, number, number] {
    return (text) => {
      this.once(flag);
      const match = /^(\d+)x(\d+)(?:x(\d+))?$/i.exec(text.trim());
      const shape = match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 1)] : [];
      if (shape.length !== 3 || shape.some((v) => !Number.isSafeInteger(v) || v < 1)) {
        usage(`${flag} must be HxWxC (height x width x channels, e.g. 28x28x1), got ${JSON.stringify(text)}`);
      }
      return shape as [number, number, number];
    };
  }
}
