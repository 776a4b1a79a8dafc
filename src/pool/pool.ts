import type { NetworkResult, NetworkTask } from '../network/task.js';
import type { PartitionResult, PartitionTask } from '../partition/task.js';
import type { TeamSetup } from './team-setup.js';

/**
 * Where partitions are trained and certified. The coordinator only sees this
 * interface: WorkerPool over worker threads (Node) or Web Workers (browsers),
 * or InlinePool on the calling thread.
 */
export interface PartitionPool {
  /** How many tasks run at once. */
  readonly threads: number;
  /**
   * Trains and certifies one partition; rejects with FlipcertError (the
   * worker's code and field kept, see errors.ts), and with code EABORTED soon
   * after `signal` fires (stopping the work). `onBlock` may throw: a task on
   * the calling thread aborts with it; a pool that calls it from a message
   * handler drops it (the caller has recorded it and closes the pool).
   */
  run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult>;
  /**
   * Trains and certifies one partition (a single model) on `team.size`
   * workers sharing one memory (src/pool/team-protocol.ts), with the same result as
   * {@link run}. Only for a pool that runs nothing else meanwhile; pools
   * without workers do not have it.
   */
  runTeam?(task: PartitionTask, team: TeamSetup, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult>;
  /**
   * Runs one network task of `validate` (src/network/task.ts): its
   * results, one per training, in order; `onTrained` after each training.
   * Rejects like {@link run}.
   */
  train(task: NetworkTask, onTrained?: () => void, signal?: AbortSignal): Promise<NetworkResult[]>;
  close(): Promise<void>;
}
