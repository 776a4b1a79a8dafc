/**
 * JSON text of any size, in pieces: exactly the text of
 * `JSON.stringify(value, null, 1)`, but as a sequence of strings of about a
 * megabyte each. One string cannot hold more than about 512 MB (V8's limit),
 * and a run with witnesses on a million test points writes more; pieces can
 * be written one after the other without ever being joined.
 *
 * Arrays and objects are walked here; each array element is stringified by
 * JSON.stringify itself (fast, and exact by definition) at its depth, unless
 * it is too large for one string, and then it is walked too.
 */

/** About how many characters each piece holds. */
const PIECE = 1 << 20;

/** Text gathered until it makes a piece (appended as a rope: V8 copies it once, when it is written). */
class Pieces {
  private text = '';

  get length(): number {
    return this.text.length;
  }

  push(text: string): void {
    this.text += text;
  }

  take(): string {
    const piece = this.text;
    this.text = '';
    return piece;
  }
}

/** The text of `JSON.stringify(value, null, 1)` in pieces (nothing for a value JSON leaves out, as undefined). */
export function* jsonPieces(value: unknown): Generator<string> {
  const out = new Pieces();
  const top = prepared({ '': value }, '');
  if (!omitted(top)) yield* write(top, '', new Set(), out);
  if (out.length > 0) yield out.take();
}

/** What JSON.stringify does to a property's value before writing it: toJSON (given the key), then unboxing. */
function prepared(holder: Record<string, unknown>, key: string): unknown {
  let value = holder[key];
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (value instanceof Number) return Number(value);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean) return value.valueOf();
  return value;
}

/** Values JSON leaves out of objects (and writes as null in arrays). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Writes a prepared value (SerializeJSONProperty of ECMA-262) to `out`, its
 * lines after the first indented by `indent`. Yields a piece whenever `out`
 * holds one.
 */
function* write(value: unknown, indent: string, open: Set<object>, out: Pieces): Generator<string> {
  if (typeof value !== 'object' || value === null) {
    out.push(JSON.stringify(value)); // null, booleans, numbers, strings; throws on BigInt as JSON does
    return;
  }
  if (open.has(value)) throw new TypeError('Converting circular structure to JSON');
  open.add(value);
  if (Array.isArray(value)) yield* array(value, indent, open, out);
  else yield* object(value as Record<string, unknown>, indent, open, out);
  open.delete(value);
}

function* object(value: Record<string, unknown>, indent: string, open: Set<object>, out: Pieces): Generator<string> {
  const inner = indent + ' ';
  let first = true;
  for (const key of Object.keys(value)) {
    const item = prepared(value, key);
    if (omitted(item)) continue;
    out.push(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `);
    first = false;
    yield* write(item, inner, open, out);
    if (out.length >= PIECE) yield out.take();
  }
  out.push(first ? '{}' : `\n${indent}}`);
}

function* array(value: unknown[], indent: string, open: Set<object>, out: Pieces): Generator<string> {
  if (value.length === 0) {
    out.push('[]');
    return;
  }
  const inner = indent + ' ';
  const holder = value as unknown as Record<string, unknown>;
  const elements = new Elements(inner.length); // one space of indent per level
  for (let i = 0; i < value.length; i++) {
    out.push(`${i === 0 ? '[\n' : ',\n'}${inner}`);
    const whole = elements.text(value[i]);
    if (whole !== undefined) out.push(whole);
    else {
      const item = prepared(holder, String(i));
      if (omitted(item)) out.push('null');
      else yield* write(item, inner, open, out);
    }
    if (out.length >= PIECE) yield out.take();
  }
  out.push(`\n${indent}]`);
}

/**
 * Array elements stringified in one go, at their depth: the element is put
 * inside as many arrays as it is deep, so that JSON.stringify indents its
 * lines as they stand in the whole text, and the wrapping is cut off again
 * (a slice, not a copy). Elements JSON leaves out come out as null, as in
 * any array.
 */
class Elements {
  private readonly slot: unknown[] = [undefined];
  private readonly box: unknown[];
  private readonly before: number;
  private readonly after: number;

  constructor(depth: number) {
    let box: unknown[] = this.slot;
    for (let d = 1; d < depth; d++) box = [box];
    this.box = box;
    this.slot[0] = 0;
    const probe = JSON.stringify(box, null, 1);
    this.before = probe.indexOf('0');
    this.after = probe.length - this.before - 1;
  }

  /**
   * The element's text, or undefined when it must be walked instead: it has its
   * own toJSON (which would be called with another key), or its text is too
   * long for one string.
   */
  text(item: unknown): string | undefined {
    if (typeof item === 'object' && item !== null && typeof (item as { toJSON?: unknown }).toJSON === 'function') return undefined;
    this.slot[0] = item;
    let text: string;
    try {
      text = JSON.stringify(this.box, null, 1);
    } catch (error) {
      if (error instanceof RangeError) return undefined; // too long (or too deep): walk it
      throw error;
    } finally {
      this.slot[0] = undefined;
    }
    return text.slice(this.before, text.length - this.after);
  }
}
