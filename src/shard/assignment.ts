// Which partitions a shard runs (docs/spec.md §9.1), and where `--shard auto`
// finds its index and count: Slurm job arrays or Kubernetes Indexed Jobs.
import { FlipcertError } from '../errors.js';

/** Shard I of N: 0 ≤ index < count. */
export interface ShardId {
  index: number;
  count: number;
}

/** The rule: partition p belongs to shard I of N iff p mod N = I. Ascending ids. */
export function shardPartitions(partitions: number, { index, count }: ShardId): number[] {
  const ids: number[] = [];
  for (let p = index; p < partitions; p += count) ids.push(p);
  return ids;
}

function usage(message: string): never {
  throw new FlipcertError(message, 'EUSAGE');
}

function whole(text: string, what: string, min: number): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) usage(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * `--shard I/N` or `--shard auto` → I and N. `auto` reads, in this order:
 * Slurm (`SLURM_ARRAY_TASK_ID`, with `SLURM_ARRAY_TASK_COUNT` or
 * `SLURM_ARRAY_TASK_MIN`/`MAX`: I = ID − MIN, so arrays need not start at 0, but
 * must be contiguous), then Kubernetes (`JOB_COMPLETION_INDEX`, with N from
 * `--shard-count` or `FLIPCERT_SHARD_COUNT`).
 */
export function resolveShard(text: string, env: NodeJS.ProcessEnv, countFlag?: number): ShardId {
  if (text !== 'auto') {
    const match = /^(\d+)\/(\d+)$/.exec(text.trim());
    if (!match) usage(`--shard must be I/N (shard I of N, 0 ≤ I < N) or auto, got ${JSON.stringify(text)}`);
    const shard = { index: whole(match[1], '--shard I', 0), count: whole(match[2], '--shard N', 1) };
    if (shard.index >= shard.count) usage(`--shard ${text}: the index must be below the count (shards are numbered 0 to ${shard.count - 1})`);
    if (countFlag !== undefined && countFlag !== shard.count) usage(`--shard ${text} and --shard-count ${countFlag} disagree`);
    return shard;
  }
  const slurm = slurmShard(env);
  if (slurm) {
    if (countFlag !== undefined && countFlag !== slurm.count) usage(`--shard-count ${countFlag} disagrees with the Slurm array's ${slurm.count} tasks`);
    return slurm;
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined) {
    const index = whole(k8s, 'JOB_COMPLETION_INDEX', 0);
    const countText = countFlag === undefined ? env.FLIPCERT_SHARD_COUNT : String(countFlag);
    if (countText === undefined) usage('--shard auto with JOB_COMPLETION_INDEX needs the number of shards: --shard-count N or FLIPCERT_SHARD_COUNT=N (the Job\'s completions)');
    const count = whole(countText, countFlag === undefined ? 'FLIPCERT_SHARD_COUNT' : '--shard-count', 1);
    if (index >= count) usage(`--shard auto: JOB_COMPLETION_INDEX ${index} is not below the shard count ${count}`);
    return { index, count };
  }
  usage('--shard auto found neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job); give --shard I/N');
}

function slurmShard(env: NodeJS.ProcessEnv): ShardId | undefined {
  if (env.SLURM_ARRAY_TASK_ID === undefined) return undefined;
  const id = whole(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID', 0);
  const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : whole(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN', 0);
  const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : whole(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP', 1);
  if (step !== 1) usage(`--shard auto: the Slurm array has step ${step}; shards need a contiguous array (--array=0-N-1)`);
  const span = env.SLURM_ARRAY_TASK_MAX === undefined ? undefined : whole(env.SLURM_ARRAY_TASK_MAX, 'SLURM_ARRAY_TASK_MAX', min) - min + 1;
  const counted = env.SLURM_ARRAY_TASK_COUNT === undefined ? undefined : whole(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT', 1);
  const count = counted ?? span;
  if (count === undefined) usage('--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; give --shard I/N');
  if (span !== undefined && span !== count) usage(`--shard auto: the Slurm array ${min}-${min + span - 1} has ${count} tasks; shards need a contiguous array (--array=0-N-1)`);
  const index = id - min;
  if (index < 0 || index >= count) usage(`--shard auto: SLURM_ARRAY_TASK_ID ${id} lies outside the array ${min}-${min + count - 1}`);
  return { index, count };
}
