import cliProgress from 'cli-progress';
import type { ValidateProgress } from '../validate/options.js';
import type { Progress } from '../certify/options.js';
import type { RepresentStep } from '../represent/registry.js';

/** What a command's bar is told: how far it is, out of how much, counted in what. */
interface BarState {
  value: number;
  total: number;
  unit: string;
}

interface Bar<P> {
  update: (p: P) => void;
  stop: () => void;
}

/**
 * A progress bar with ETA on stderr, labelled `verb`, showing whatever `state`
 * reads from a progress report. Silent when stderr is not a terminal.
 */
function terminalBar<P>(enabled: boolean, verb: string, state: (p: P) => BarState): Bar<P> {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${verb} |{bar}| {value}/{total} {unit} | elapsed {duration_formatted} | ETA {eta_formatted}`,
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
      const { value, total, unit } = state(p);
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

/** certify's bar: partitions done for ensembles, test blocks done for a single model. */
export function progressBar(enabled: boolean): Bar<Progress> {
  return terminalBar(enabled, 'certifying', (p: Progress) =>
    p.represent
      ? stepState(p.represent)
      : p.partitions === 1
      ? { value: p.blocksDone, total: Math.max(1, p.blocks), unit: 'test blocks' }
      : { value: p.partitionsDone, total: p.partitions, unit: 'partitions' },
  );
}

/** validate's bar: network trainings done. */
export function trainingBar(enabled: boolean): Bar<ValidateProgress> {
  return terminalBar(enabled, 'validating', (p: ValidateProgress) => ({
    value: p.trainingsDone,
    total: Math.max(1, p.trainings),
    unit: 'network trainings',
  }));
}

/** represent's bar: the step running, counted in its own units. */
export function representBar(enabled: boolean): Bar<RepresentStep> {
  return terminalBar(enabled, 'representing', stepState);
}

function stepState(step: RepresentStep): BarState {
  return { value: step.done, total: Math.max(1, step.total), unit: step.step };
}
