// The shared key of authenticated shards (docs/spec.md §9.4): `--shard-key-file`,
// else FLIPCERT_SHARD_KEY; certify --shard and merge read it alike.
import { readFile } from 'node:fs/promises';
import { inputFileError, openInputFile } from '../data/input-file.js';
import { shardKey } from '../shard/authenticate.js';

/** The key's bytes, or undefined when neither the flag nor the variable gives one. */
export async function readShardKey(file: string | undefined, env: NodeJS.ProcessEnv): Promise<Uint8Array | undefined> {
  if (file === undefined) return shardKey(env.FLIPCERT_SHARD_KEY, 'FLIPCERT_SHARD_KEY');
  const fh = await openInputFile(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(fh);
  } catch (error) {
    throw inputFileError(file, error);
  } finally {
    await fh.close();
  }
  // Bytes, not text: a key file may hold raw random bytes. One final newline (an editor's) is dropped.
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? (bytes.length > 1 && bytes[bytes.length - 2] === 0x0d ? 2 : 1) : 0;
  return shardKey(bytes.subarray(0, bytes.length - end), `--shard-key-file ${file}`);
}
