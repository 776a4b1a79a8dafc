import cliProgress from 'cli-progress';
import type { ValidateProgress } from '../finite/validate-options.js';
import type { Progress } from '../options.js';

/**
 * A progress bar with ETA on stderr: partitions done for ensembles, test
 * blocks done for a single model. Silent when stderr is not a terminal.
 */
export function progressBar(enabled: boolean): { update: (p: Progress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'certifying |{bar}| {value}/{total} {unit} | elapsed {duration_formatted} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      // Before the rate is known cli-progress passes 'INF' or 'NULL' here, shown as "NFs".
      formatTime: (t, options, round) => (typeof t === 'number' && Number.isFinite(t) ? cliProgress.Format.TimeFormat(t, options, round) : '…'),
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const single = p.partitions === 1;
      const total = single ? Math.max(1, p.blocks) : p.partitions;
      const value = single ? p.blocksDone : p.partitionsDone;
      const unit = single ? 'test blocks' : 'partitions';
      if (!started) {
        bar.start(total, value, { unit });
        started = true;
      }
      bar.setTotal(total);
      bar.update(value, { unit });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** The bar of `validate`: network trainings done, on stderr when it is a terminal. */
export function trainingBar(enabled: boolean): { update: (p: ValidateProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'validating |{bar}| {value}/{total} network trainings | elapsed {duration_formatted} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      formatTime: (t, options, round) => (typeof t === 'number' && Number.isFinite(t) ? cliProgress.Format.TimeFormat(t, options, round) : '…'),
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(Math.max(1, p.trainings), p.trainingsDone);
        started = true;
      }
      bar.setTotal(Math.max(1, p.trainings));
      bar.update(p.trainingsDone);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
