#!/usr/bin/env bash
# npm run test:slurm — the Slurm recipe (deploy/slurm/) on a real Slurm: a
# one-node cluster started here when none is running (Debian: packages
# installed with apt-get when missing). Submits the recipe's array job and
# its dependent merge job unchanged, waits, and compares the merged JSON with
# a single-machine run of the same settings. Stops only the daemons it started.
#
# Environment: FLIPCERT_DATA, FLIPCERT_ARGS  the run (default: the recipe's, MNIST-10 10,000/1,000, k = 20)
#              SLURM_TEST_TIMEOUT  seconds to wait for the jobs (default 1800)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/flipcert-slurm.XXXXXX)
timeout=${SLURM_TEST_TIMEOUT:-1800}
started=()       # pids of the daemons this script started
log() { printf 'test:slurm: %s\n' "$*"; }
fail() { log "FAILED: $*"; exit 1; }

cleanup() {
  local status=$?
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  [ "${#started[@]}" -gt 0 ] && log "stopped the daemons it started (pids ${started[*]})"
  if [ "$status" -ne 0 ]; then
    for f in "$work"/*.log "$work"/slurm/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -f "$repo/dist/cli.js" ] || fail "dist/cli.js is missing; run npm install first"

# ---- a Slurm cluster ---------------------------------------------------------
if command -v sinfo >/dev/null && sinfo -h >/dev/null 2>&1; then
  log "using the running Slurm cluster ($(sinfo -h -o '%P %D nodes' | head -n 1))"
else
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || fail "no Slurm here and no apt-get to install it (Debian/Ubuntu needed)"
    log "installing slurm-wlm and munge with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >"$work/apt.log" 2>&1 \
      || { tail -n 20 "$work/apt.log"; fail "apt-get install slurm-wlm munge"; }
  fi
  # munge: a key, then munged as user munge (unless one is running already).
  if ! munge -n </dev/null >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
      chown munge:munge /etc/munge/munge.key
      chmod 0400 /etc/munge/munge.key
    fi
    runuser -u munge -- munged --force
    pid=$(cat /run/munge/munged.pid 2>/dev/null || pgrep -u munge -n munged || true)
    [ -n "$pid" ] && started+=("$pid")
    for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n </dev/null >/dev/null 2>&1 || fail "munged did not start"
  fi
  # A minimal one-node cluster, its configuration and state in the work folder.
  host=$(hostname -s)
  cpus=$(nproc)
  [ "$cpus" -ge 2 ] || cpus=2 # the recipe asks 2 CPUs per task
  mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
  mkdir -p "$work/slurm/state" "$work/slurm/spool"
  export SLURM_CONF="$work/slurm/slurm.conf"
  cat >"$SLURM_CONF" <<CONF
ClusterName=flipcert-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
DependencyParameters=kill_invalid_depend
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/slurmctld.log
SlurmdLogFile=$work/slurm/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=flipcert Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  for daemon in slurmctld slurmd; do
    "$daemon" -f "$SLURM_CONF" || fail "$daemon did not start"
    for _ in $(seq 100); do [ -s "$work/slurm/$daemon.pid" ] && break; sleep 0.1; done
    [ -s "$work/slurm/$daemon.pid" ] || fail "$daemon wrote no pid file"
    started+=("$(cat "$work/slurm/$daemon.pid")")
  done
  for _ in $(seq 300); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)
    case "$state" in idle|mixed|allocated) break ;; esac
    sleep 0.2
  done
  log "started a one-node cluster: $host, $cpus CPUs (node $state)"
  case "$state" in idle|mixed|allocated) ;; *) fail "the node did not come up (state: ${state:-none})" ;; esac
fi

# ---- the recipe, unchanged ---------------------------------------------------
cd "$work"
export FLIPCERT="node $repo/dist/cli.js"
export FLIPCERT_DATA=${FLIPCERT_DATA:---dataset mnist --train-size 10000 --test-size 1000}
export FLIPCERT_ARGS=${FLIPCERT_ARGS:---partitions 20}
export SHARD_DIR="$work/shards" RESULT="$work/result.json" PLOT="$work/curve.svg"
log "workload: $FLIPCERT_DATA $FLIPCERT_ARGS, 4 shards"
t0=$(date +%s)
read -r array merge < <(bash "$repo/deploy/slurm/submit.sh")
log "submitted array job $array (4 tasks) and merge job $merge (afterok)"
for ((waited = 0; ; waited += 2)); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  [ "$waited" -ge "$timeout" ] && { scancel "$array" "$merge" || true; fail "the jobs did not finish in $timeout s"; }
  sleep 2
done
t1=$(date +%s)
for job in "$array" "$merge"; do
  # Read once into a variable: with pipefail, `scontrol … | grep -q` fails when grep exits before scontrol has written
  # everything (SIGPIPE), which made this check fail on completed jobs now and then.
  shown=$(scontrol -o show job "$job")
  states=$(grep -o 'JobState=[A-Z_]*' <<<"$shown" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  log "job $job: $states"
  grep -q 'JobState=COMPLETED' <<<"$shown" || fail "job $job did not complete"
  if grep -v -q 'JobState=COMPLETED' <<<"$shown"; then fail "a task of job $job did not complete"; fi
done
[ -s "$RESULT" ] || fail "the merge job wrote no $RESULT"
log "shards and merge done in $((t1 - t0)) s; shard sizes (bytes): $(stat -c '%n=%s' "$SHARD_DIR"/*.fcshard | sed "s|$SHARD_DIR/||" | tr '\n' ' ')"

# ---- the same run on one machine ---------------------------------------------
# shellcheck disable=SC2086
$FLIPCERT certify $FLIPCERT_DATA $FLIPCERT_ARGS --quiet --out "$work/single.json"
node - "$work/single.json" "$RESULT" <<'JS'
const { readFileSync } = require('node:fs');
const [single, merged] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
const meta = (r) => ({ seconds: r.summary.seconds, threads: r.summary.threads });
console.log(`test:slurm: single machine ${JSON.stringify(meta(single))}, 4 shards merged ${JSON.stringify(meta(merged))}`);
for (const r of [single, merged]) { delete r.summary.seconds; delete r.summary.threads; }
// The merge job had the run's data (FLIPCERT_DATA), so it closes what the single machine's exact search closes
// (docs/spec.md §9): no point may stay 'unrefined', and every field must agree.
const unrefined = merged.points.filter((p) => p.openReason === 'unrefined').length;
if (unrefined > 0) { console.error(`test:slurm: FAILED: ${unrefined} points left 'unrefined' although merge had the data`); process.exit(1); }
const a = JSON.stringify(single), b = JSON.stringify(merged);
if (a !== b) { console.error('test:slurm: FAILED: the merged JSON differs from the single-machine JSON'); process.exit(1); }
console.log(`test:slurm: merged JSON = single-machine JSON (apart from seconds and threads): ${single.points.length} points, accuracy ${single.summary.accuracy}`);
JS
log "passed"
