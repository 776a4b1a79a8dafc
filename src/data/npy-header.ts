/**
 * The header of an .npy file is a Python literal, a dict such as
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`. NumPy reads
 * it with ast.literal_eval and then insists on exactly the keys descr,
 * fortran_order and shape. Picking the three values out with patterns
 * instead can be fooled: an extra key whose string holds `'descr': '<f8'`
 * would stand in for the real descr. So the literal is parsed here as Python
 * does (strings, integers, True/False/None, tuples, lists, dicts; nothing that
 * runs), and a dict with a missing, unknown or repeated key is refused.
 * npyjs, the one JavaScript reader at hand, matches patterns, so it is not used.
 */

/** A parsed Python literal. */
export type PyValue = string | bigint | boolean | null | { tuple: PyValue[] } | PyValue[] | Map<PyValue, PyValue>;

/** The three fields of a header, checked for their types. */
export interface HeaderDict {
  /** A dtype string such as '<f8'; a list (a structured dtype) is reported as such. */
  descr: string | PyValue[];
  fortranOrder: boolean;
  shape: bigint[];
}

const KEYS = ['descr', 'fortran_order', 'shape'];

/** A problem with the header text, for the caller to name its file. */
export class HeaderError extends Error {}

/**
 * Parses the header text into its three fields. `python2` (format versions 1
 * and 2) also takes the `3L` integers of files written by Python 2, as NumPy does.
 */
export function parseHeaderDict(text: string, python2: boolean): HeaderDict {
  const parser = new Parser(text, python2);
  const value = parser.whole();
  if (!(value instanceof Map)) throw new HeaderError(`the header is not a dict: ${excerpt(text)}`);
  const fields = new Map<string, PyValue>();
  for (const [key, item] of value) fields.set(key as string, item);
  const unknown = [...fields.keys()].filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) throw new HeaderError(`the header has the unknown key ${quote(unknown[0])}; an .npy header has exactly 'descr', 'fortran_order' and 'shape'`);
  const missing = KEYS.filter((key) => !fields.has(key));
  if (missing.length > 0) throw new HeaderError(`the header lacks the key ${quote(missing[0])}`);
  const descr = fields.get('descr')!;
  const fortran = fields.get('fortran_order')!;
  const shape = fields.get('shape')!;
  if (typeof descr !== 'string' && !Array.isArray(descr)) throw new HeaderError(`'descr' is not a dtype string: ${excerpt(text)}`);
  if (typeof fortran !== 'boolean') throw new HeaderError(`'fortran_order' is not True or False: ${excerpt(text)}`);
  if (!isTuple(shape) || !shape.tuple.every((d): d is bigint => typeof d === 'bigint' && d >= 0n)) {
    throw new HeaderError(`'shape' is not a tuple of integers ≥ 0: ${excerpt(text)}`);
  }
  return { descr, fortranOrder: fortran, shape: shape.tuple };
}

function isTuple(value: PyValue): value is { tuple: PyValue[] } {
  return typeof value === 'object' && value !== null && 'tuple' in value;
}

function quote(key: string): string {
  return `'${key}'`;
}

/** The start of a header for a message, quoted. */
function excerpt(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 120 ? `${trimmed.slice(0, 120)}…` : trimmed);
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

/** A recursive-descent parser of the Python literal subset above. */
class Parser {
  private at = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly python2: boolean,
  ) {}

  whole(): PyValue {
    const value = this.value();
    this.space();
    if (this.at < this.text.length) this.fail('unexpected text after the dict');
    return value;
  }

  private fail(problem: string): never {
    throw new HeaderError(`malformed .npy header (${problem} at character ${this.at}): ${excerpt(this.text)}`);
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\n\r\f'.includes(this.text[this.at])) this.at++;
  }

  private value(): PyValue {
    this.space();
    const c = this.text[this.at];
    if (c === undefined) this.fail('the text ends early');
    if (c === '{' || c === '(' || c === '[') {
      if (++this.depth > 32) this.fail('nesting too deep');
      const value = c === '{' ? this.dict() : c === '(' ? this.tuple() : this.list();
      this.depth--;
      return value;
    }
    if (c === "'" || c === '"' || ((c === 'u' || c === 'U') && "'\"".includes(this.text[this.at + 1] ?? ''))) return this.string();
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.integer();
    for (const [word, value] of [['True', true], ['False', false], ['None', null]] as const) {
      if (this.text.startsWith(word, this.at) && !/\w/.test(this.text[this.at + word.length] ?? '')) {
        this.at += word.length;
        return value;
      }
    }
    this.fail(`unexpected ${JSON.stringify(c)}`);
  }

  /** Items up to `close`, separated by commas, a trailing comma allowed; whether any comma was seen. */
  private items(close: string, item: () => void): boolean {
    this.at++; // the opening bracket
    let comma = false;
    for (;;) {
      this.space();
      if (this.text[this.at] === close) break;
      item();
      this.space();
      if (this.text[this.at] === ',') {
        comma = true;
        this.at++;
      } else if (this.text[this.at] !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.at++;
    return comma;
  }

  private dict(): Map<PyValue, PyValue> {
    const map = new Map<PyValue, PyValue>();
    this.items('}', () => {
      const key = this.value();
      if (typeof key !== 'string') this.fail('a key that is not a string');
      if (map.has(key)) throw new HeaderError(`the header has the key ${quote(key)} twice`);
      this.space();
      if (this.text[this.at] !== ':') this.fail("expected ':'");
      this.at++;
      map.set(key, this.value());
    });
    return map;
  }

  private tuple(): PyValue {
    const items: PyValue[] = [];
    const comma = this.items(')', () => items.push(this.value()));
    // `(3)` is the number 3 in Python, not a tuple; `()` is the empty tuple.
    return items.length === 1 && !comma ? items[0] : { tuple: items };
  }

  private list(): PyValue[] {
    const items: PyValue[] = [];
    this.items(']', () => items.push(this.value()));
    return items;
  }

  private integer(): bigint {
    const match = /^([+-]?)(0|[1-9](?:_?\d)*)(L?)(?![\w.])/.exec(this.text.slice(this.at, this.at + 64));
    if (!match || (match[3] === 'L' && !this.python2)) this.fail('not an integer');
    this.at += match[0].length;
    const value = BigInt(match[2].replace(/_/g, ''));
    return match[1] === '-' ? -value : value;
  }

  private string(): string {
    if (this.text[this.at] === 'u' || this.text[this.at] === 'U') this.at++;
    const quoteChar = this.text[this.at++];
    let out = '';
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined || c === '\n') this.fail('a string that does not end');
      if (c === quoteChar) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      if (e !== undefined && e in ESCAPES) out += ESCAPES[e];
      else if (e !== undefined && e >= '0' && e <= '7') {
        const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.at - 1, this.at + 2))![0];
        out += String.fromCharCode(parseInt(octal, 8));
        this.at += octal.length - 1;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.text.slice(this.at, this.at + digits);
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex) || parseInt(hex, 16) > 0x10ffff) this.fail('a bad escape');
        out += String.fromCodePoint(parseInt(hex, 16));
        this.at += digits;
      } else this.fail('an escape NumPy does not write');
    }
  }
}
