// A team that runs every chunk of an operation one after another on the
// calling thread: for tests, which compare it with the single-threaded kernels
// and with real teams (src/pool/team-protocol.ts).
import type { ChunkCounter, ChunkRunner, Team } from '../../src/kernel/team.js';
import { MAX_ARGS } from '../../src/pool/team-protocol.js';

/** Every chunk of a team of `size`, in order, with rank 0's scratch. */
export function sequentialTeam(runChunk: ChunkRunner, countChunks: ChunkCounter, size = 1): Team {
  const args = new Float64Array(MAX_ARGS);
  return {
    size,
    run(op, values) {
      args.fill(0);
      args.set(values);
      const count = countChunks(op, args, size);
      for (let chunk = 0; chunk < count; chunk++) runChunk(op, args, chunk);
    },
  };
}
