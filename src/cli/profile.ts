// `certify --profile`: the run's time split (src/certify/profile.ts) as a few lines on stderr.
import type { RunProfile } from '../certify/profile.js';
import { PHASES_IN_CPU_TIME } from '../partition/phase-clock.js';

/**
 * The profile as a small table: busy seconds per phase (summed over threads)
 * and their share, then the wall times and the process's CPU time (all its
 * threads, from the OS): busy time well above it means other processes took the cores.
 * Phases with counted flops also show their achieved GFLOP/s per thread and
 * its share of `gramGflops`, the Gram kernel's stand-alone rate on one thread
 * measured in the same process (src/kernel/calibrate.ts), when given.
 */
export function formatProfile(profile: RunProfile, ioSeconds: number, processCpuSeconds: number, gramGflops?: number): string {
  const s = profile.seconds;
  const f = profile.flops;
  const rows: [string, number, number?][] = [
    ['Gram (dot products)', s.gram, f.gram],
    ['NTK recursion', s.ntk],
    ['Cholesky', s.cholesky, f.cholesky],
    ['triangular solves', s.solves, f.solves],
    ['certificates', s.certificates],
    ['other partition work', s.otherTask],
    ['setup (tasks)', s.setup],
    ['aggregation', s.aggregation],
  ];
  const busy = rows.reduce((sum, [, v]) => sum + v, 0);
  const line = (name: string, value: string, share = '', rate = '') => `  ${name.padEnd(24)}${value.padStart(10)}${share.padStart(9)}${rate}`.trimEnd();
  const rate = (seconds: number, flops?: number) => {
    if (!flops || !(seconds > 0)) return '';
    const g = flops / seconds / 1e9;
    return `${g.toFixed(2).padStart(9)} GFLOP/s` + (gramGflops ? ` (${((100 * g) / gramGflops).toFixed(0)} % of the kernel alone)` : '');
  };
  return [
    `flipcert: profile (${profile.threads} thread${profile.threads === 1 ? '' : 's'}, ${profile.tasks} partition task${profile.tasks === 1 ? '' : 's'}): ` +
      `seconds per phase on the threads that ran it (${clockWords(profile)}), summed over threads`,
    ...rows.map(([name, v, flops]) => line(name, v.toFixed(2), busy > 0 ? `${((100 * v) / busy).toFixed(1)} %` : '', rate(v, flops))),
    line('total busy', busy.toFixed(2)),
    line('I/O (reading data), wall', ioSeconds.toFixed(2)),
    line('start-up, wall', profile.startupSeconds.toFixed(2)),
    line('certify, wall', profile.wallSeconds.toFixed(2)),
    line('busy ÷ wall', profile.wallSeconds > 0 ? (busy / profile.wallSeconds).toFixed(2) : '–'),
    line('process CPU (user+sys)', processCpuSeconds.toFixed(2)),
    ...(gramGflops ? [`  Gram kernel alone, one thread, same process: ${gramGflops.toFixed(2)} GFLOP/s (GFLOP/s above: counted flops ÷ busy seconds, per thread)`] : []),
    ...(gramGflops ? [flopBound(profile, gramGflops)] : []),
  ].join('\n');
}

/** Which clock the phase seconds come from. */
function clockWords(profile: RunProfile): string {
  if (!PHASES_IN_CPU_TIME) return 'their busy wall time';
  return profile.team ? "their CPU time; the thread team's chunks: their busy wall time" : 'their CPU time';
}

/**
 * The run against its arithmetic: the counted flops (Gram, Cholesky, solves)
 * at the Gram kernel's stand-alone rate on every thread is the time no
 * blocking or scheduling could beat; wall ÷ that says how far the run is from it.
 */
function flopBound(profile: RunProfile, gramGflops: number): string {
  const { gram, cholesky, solves } = profile.flops;
  const flops = gram + cholesky + solves;
  const bound = flops / (gramGflops * 1e9 * profile.threads);
  const ratio = bound > 0 ? `${(profile.wallSeconds / bound).toFixed(2)}×` : '–';
  return `  counted flops ${(flops / 1e9).toFixed(1)} GFLOP: ${bound.toFixed(2)} s at that rate on ${profile.threads} thread${profile.threads === 1 ? '' : 's'}; certify wall ÷ that = ${ratio}`;
}
