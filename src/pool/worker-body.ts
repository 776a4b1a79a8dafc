// The body of every worker, Web Worker or worker thread: one compute core,
// instantiated from the module the pool compiled, then one partition per task
// message. Errors are caught per task and sent back as data, so one bad
// partition does not take the worker down. A single model on several threads
// runs as a team (src/pool/team-protocol.ts): one worker leads, the others help.
// validate's network trainings are tasks of their own, for the workers given
// their code (`networks`): certify's workers go without it.
import type { networkTransferables, runNetworkTask } from '../network/task.js';
import { countChunks } from '../kernel/team.js';
import { runPartition, transferables } from '../partition/run.js';
import type { PartitionResult, PartitionTask } from '../partition/task.js';
import { instantiateCore, type Core } from '../wasm/instance.js';
import { toFailure } from './errors.js';
import type { FromWorker, TeamJoin, ToWorker } from './messages.js';
import { addTeamPhases, timedChunkRunner } from './team-phases.js';
import { serveTeam, stopTeam, TeamLeader } from './team-protocol.js';

/** Sends a message to the pool, moving the given buffers. */
export type PostToPool = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

/** validate's network trainings (src/network/task.ts), for the workers that run them. */
export interface NetworkCode {
  runNetworkTask: typeof runNetworkTask;
  networkTransferables: typeof networkTransferables;
}

/** Returns the handler for messages from the pool. */
export function serveWorker(post: PostToPool, networks?: NetworkCode): (message: ToWorker) => void {
  let core: Promise<Core> | undefined;
  let testX: Float64Array | undefined;
  return (message) => {
    if (message.kind === 'init') {
      core = instantiateCore(message.module);
      // A core that cannot be made (EMEMORY) is each task's error, not an unhandled rejection that kills the worker.
      core.catch(() => undefined);
    }
    else if (message.kind === 'test') testX = message.testX;
    else if (message.kind === 'help') void helpTeam(message, post);
    else if (message.kind === 'network') void trainNetwork(core, networks, message, post);
    else void certifyPartition(core, message, message.sharedTest ? testX : message.task.testX, post);
  };
}

async function trainNetwork(
  core: Promise<Core> | undefined,
  networks: NetworkCode | undefined,
  { id, task }: Extract<ToWorker, { kind: 'network' }>,
  post: PostToPool,
): Promise<void> {
  try {
    if (!core) throw new Error('the compiled core never arrived');
    if (!networks) throw new Error("this worker was started without validate's network code");
    const total = task.kind === 'clean' ? 1 : task.testRows;
    const result = networks.runNetworkTask(await core, task, (done) => post({ kind: 'block', id, done, total }));
    post({ kind: 'reply', id, reply: { ok: true, result } }, networks.networkTransferables(result));
  } catch (error) {
    post({ kind: 'reply', id, reply: toFailure(error, 'a network training') });
  }
}

async function certifyPartition(
  core: Promise<Core> | undefined,
  { id, task: sent, progress, team }: Extract<ToWorker, { kind: 'task' }>,
  testX: Float64Array | undefined,
  post: PostToPool,
): Promise<void> {
  const task = { ...sent, testX: testX! };
  try {
    if (!core) throw new Error('the compiled core never arrived');
    if (!testX) throw new Error('the shared test matrix never arrived');
    const onBlock = progress ? (done: number, total: number) => post({ kind: 'block', id, done, total }) : undefined;
    const result = team ? await leadTeam(team, task, onBlock) : runPartition(await core, task, onBlock);
    post({ kind: 'reply', id, reply: { ok: true, result } }, transferables(result));
  } catch (error) {
    post({ kind: 'reply', id, reply: toFailure(error, task.partition) });
  }
}

/** Rank 0: runs the partition on the shared memory, the helpers taking their chunks; always sends them home. */
async function leadTeam(join: TeamJoin, task: PartitionTask, onBlock?: (done: number, total: number) => void): Promise<PartitionResult> {
  try {
    const core = await instantiateCore(join.module, join.memory);
    const result = runPartition(core, task, onBlock, new TeamLeader(join.control, join.size, timedChunkRunner(core, 0, join), countChunks));
    addTeamPhases(result, join.phases);
    return result;
  } finally {
    stopTeam(join.control);
  }
}

/**
 * Ranks 1…size-1: blocks in the team's wait loop until the leader is done,
 * then reports back. A helper whose core cannot start leaves the work to the
 * others (the leader never waits for a helper, only for chunks).
 */
async function helpTeam({ id, join, rank }: Extract<ToWorker, { kind: 'help' }>, post: PostToPool): Promise<void> {
  try {
    const core = await instantiateCore(join.module, join.memory);
    serveTeam(join.control, timedChunkRunner(core, rank, join), countChunks, join.size);
  } finally {
    post({ kind: 'helped', id });
  }
}
