/**
 * The shared-memory build of the core, made from the core's own bytes: the
 * two differ only in how the imported memory is declared (asc's `shared`
 * target, asconfig.json, compiles the same code with `shared` set in the
 * memory import's limits; test/team.test.ts holds the two byte for byte).
 * Deriving it here keeps one copy of the core in every bundle.
 */

const SECTION_IMPORT = 2;
const KIND_FUNCTION = 0;
const KIND_TABLE = 1;
const KIND_MEMORY = 2;
const KIND_GLOBAL = 3;
const KIND_TAG = 4;
const LIMITS_HAS_MAX = 0x01;
const LIMITS_SHARED = 0x02;

/** A copy of `core` whose imported memory is shared; throws when it has none (not flipcert's core). */
export function sharedBuildOf(core: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(core);
  const at = memoryLimitsOffset(bytes);
  if (at < 0 || (bytes[at] & LIMITS_HAS_MAX) === 0) throw new Error('flipcert: the core imports no memory with a maximum');
  bytes[at] |= LIMITS_SHARED;
  return bytes;
}

/** The byte offset of the limits flag of the module's memory import, or −1. */
function memoryLimitsOffset(bytes: Uint8Array): number {
  let pos = 8; // magic and version
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  // `pos += leb()` would add to the position read before leb() moved it.
  const skipName = () => {
    const length = leb();
    pos += length;
  };
  const skipLimits = () => {
    const flags = bytes[pos++];
    leb();
    if (flags & LIMITS_HAS_MAX) leb();
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = leb();
    if (id !== SECTION_IMPORT) {
      pos += size;
      continue;
    }
    for (let count = leb(); count > 0; count--) {
      skipName(); // module
      skipName(); // field
      const kind = bytes[pos++];
      if (kind === KIND_MEMORY) return pos;
      if (kind === KIND_FUNCTION) leb();
      else if (kind === KIND_TABLE) pos++, skipLimits();
      else if (kind === KIND_GLOBAL) pos += 2;
      else if (kind === KIND_TAG) pos++, leb();
      else return -1;
    }
    return -1;
  }
  return -1;
}
