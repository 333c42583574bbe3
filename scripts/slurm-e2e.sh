#!/usr/bin/env bash
# End-to-end test of docs/slurm-array.sbatch on a real single-node Slurm cluster.
#
# Installs slurm-wlm and munge when missing (apt-get, needs root), starts munged (unless one
# already answers), slurmctld and slurmd with every file of the cluster in a scratch directory,
# and then does what the script's comment tells a user to do:
#   1. submits docs/slurm-array.sbatch (only paths, by NPDROP_INPUT/NPDROP_OUTPUT/NPDROP_SEED, and
#      resources, by sbatch options, overridden) and the afterany merge job; the merged OUT must
#      equal a one-machine run byte for byte;
#   2. submits it again into a fresh OUT and cancels one task while it runs; the merge job must
#      fail (exit 1) naming that shard, and write no manifest.jsonl;
#   3. resubmits the same script and the same merge job; the merged OUT must again equal the
#      one-machine run byte for byte.
# Every wait has a timeout; every daemon it started is stopped by PID on exit (trap).
#
# Environment: NPDROP (the binary; default .build/debug/npdrop, built when missing),
# NPDROP_E2E_TIMEOUT (seconds for each wait, default 240), NPDROP_E2E_KEEP=1 (keep the scratch
# directory), NPDROP_E2E_BIG_MIB (size of the slow file in the cancelled shard, default 256:
# large enough that the task is still running when it is cancelled on an idle machine).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SBATCH_SCRIPT=$ROOT/docs/slurm-array.sbatch
WAIT=${NPDROP_E2E_TIMEOUT:-240}
BIG_MIB=${NPDROP_E2E_BIG_MIB:-256}
SHARDS=8           # the script's --array=0-7
CANCEL=5           # the task cancelled in step 2
STARTED=$(date +%s)

log() { printf 'slurm-e2e: [%3ds] %s\n' $(( $(date +%s) - STARTED )) "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

# --- install -------------------------------------------------------------------------------
missing=()
command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || missing+=(munge)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fail "needs ${missing[*]} installed (or root to install them)"
    log "installing ${missing[*]}"
    timeout 600 apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "$(id -u)" = 0 ] || fail "must run as root (slurmd launches the tasks as the submitting user)"

NPDROP=${NPDROP:-$ROOT/.build/debug/npdrop}
if [ ! -x "$NPDROP" ]; then
    log "building npdrop"
    (cd "$ROOT" && swift build >/dev/null)
fi
NPDROP=$(cd "$(dirname "$NPDROP")" && pwd)/$(basename "$NPDROP")
export PATH="$(dirname "$NPDROP"):$PATH"

# --- scratch and clean-up ------------------------------------------------------------------
S=$(mktemp -d /tmp/npdrop-slurm-e2e.XXXXXX)
chmod 755 "$S"
PIDS=()        # daemons started here, stopped in reverse order
JOBS=()        # jobs submitted here, cancelled on exit
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ ${#JOBS[@]} -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
        # Cancel what is left and give slurmstepd up to 20 s to end the tasks (they are not
        # children of slurmd, so stopping the daemons would not stop them).
        timeout 10 scancel "${JOBS[@]}" >/dev/null 2>&1 || true
        for _ in $(seq 1 40); do
            [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
    local i pid
    for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
        pid=${PIDS[$i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" != 0 ] && [ -d "$S/log" ]; then
        for f in "$S"/log/*; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
    fi
    if [ "${NPDROP_E2E_KEEP:-0}" = 1 ]; then log "kept $S"; else rm -rf "$S"; fi
    log "$([ "$status" = 0 ] && echo PASS || echo "exit $status") after $(( $(date +%s) - STARTED )) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until "$@" succeeds, at most WAIT seconds (0.1 s apart); fails naming `what`.
wait_for() {
    local what=$1; shift
    local deadline=$(( $(date +%s) + WAIT ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after ${WAIT}s waiting for $what"
        sleep 0.1
    done
}

# --- munge ---------------------------------------------------------------------------------
munge_works() { timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; }
if munge_works; then
    log "using the munged that is already running"
else
    [ -s /etc/munge/munge.key ] || { timeout 30 mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 600 /etc/munge/munge.key; }
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 755 /run/munge
    setpriv --reuid=munge --regid=munge --init-groups munged --foreground >"$S/munged.out" 2>&1 &
    PIDS+=($!)
    wait_for "munged" munge_works
    log "started munged (pid ${PIDS[-1]})"
fi

# --- slurm ---------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir -p "$S/etc" "$S/state" "$S/spool" "$S/log" "$S/run" "$S/submit"
node=$(slurmd -C | head -n 1)
cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node")
topology=$(grep -o 'Boards=.* ThreadsPerCore=[0-9]*' <<<"$node")
memory=$(( $(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node") / 2 ))
export SLURM_CONF=$S/etc/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=npdrop-e2e
SlurmctldHost=localhost
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MpiDefault=none
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus $topology RealMemory=$memory State=UNKNOWN
PartitionName=e2e Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$S/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$S/log/slurmd.out" 2>&1 &
PIDS+=($!)
node_idle() { timeout 10 sinfo -h -n localhost -o %T | grep -qx idle; }
wait_for "the node to be idle" node_idle
log "cluster up: slurmctld pid ${PIDS[-2]}, slurmd pid ${PIDS[-1]}, $cpus CPUs, ${memory} MB"

# --- the dataset ---------------------------------------------------------------------------
IN=$S/input
mkdir -p "$IN"
cp -r "$ROOT/Fixtures/npy" "$IN/npy"
cp -r "$ROOT/Fixtures/npz" "$IN/npz"
# A large deflated npz in shard CANCEL: its task runs long enough to be cancelled mid-run.
big=$(python3 - "$IN" "$SHARDS" "$CANCEL" "$BIG_MIB" <<'EOF'
import os, sys, zipfile
root, shards, target, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def shard(relpath):
    h = 0xcbf29ce484222325
    for b in relpath.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h % shards
name = next(f"slow/big-{k}.npz" for k in range(10000) if shard(f"slow/big-{k}.npz") == target)
count = mib * (1 << 20) // 4
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % count
header += " " * (63 - (10 + len(header)) % 64) + "\n"
data = bytearray(os.urandom(count * 4))
data[3::4] = bytes(b & 0x3f for b in data[3::4])   # finite floats, no NaN payloads
os.makedirs(os.path.join(root, "slow"), exist_ok=True)
with zipfile.ZipFile(os.path.join(root, name), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    z.writestr("x.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + bytes(data))
print(name)
EOF
)
log "dataset: $(find "$IN" -type f | wc -l) files, $big in shard $CANCEL of $SHARDS"

# The script's npdrop options (docs/slurm-array.sbatch), on one machine.
SEED=20240501
timeout $(( WAIT * 2 )) npdrop run "$IN" --output "$S/one" --seed "$SEED" --variant dropout --rate 0.1 --jobs 1 --quiet \
    || fail "the one-machine run failed"
log "one-machine run done"

# --- submitting, as the script's comment says ----------------------------------------------
grep -qF 'jobid=$(sbatch --parsable docs/slurm-array.sbatch)' "$SBATCH_SCRIPT" \
    && grep -qF 'sbatch --dependency=afterany:$jobid --wrap "npdrop merge-manifests ' "$SBATCH_SCRIPT" \
    || fail "docs/slurm-array.sbatch no longer gives the submit and merge commands this test runs"

# Submits the array into OUT $1 (paths by environment, resources by options); prints the job id.
submit_array() {
    (cd "$S/submit" && NPDROP_INPUT=$IN NPDROP_OUTPUT=$1 NPDROP_SEED=$SEED timeout 30 \
        sbatch --parsable --cpus-per-task=1 --mem=500M --time=00:15:00 --output="$S/log/npdrop-%A_%a.log" \
        "$SBATCH_SCRIPT") | cut -d';' -f1
}
# Submits the merge job of OUT $2 after array job $1, exactly as the comment says; prints its id.
submit_merge() {
    local line
    line=$(cd "$S/submit" && jobid=$1 && timeout 30 sbatch --dependency=afterany:$jobid --wrap "npdrop merge-manifests $2")
    sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' <<<"$line"
}
job_state() { timeout 10 scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
job_exit() { timeout 10 scontrol show job "$1" 2>/dev/null | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' | head -n 1; }
job_ended() { case $(job_state "$1") in COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE) return 0;; *) return 1;; esac; }
same_as_one_machine() {
    diff -r -q --exclude='manifest-shard-*' "$S/one" "$1" >&2 || fail "$1 differs from the one-machine run"
}

log "submission 1"
job1=$(submit_array "$S/out1"); JOBS+=("$job1")
merge1=$(submit_merge "$job1" "$S/out1"); JOBS+=("$merge1")
[ -n "$job1" ] && [ -n "$merge1" ] || fail "sbatch printed no job id"
wait_for "merge job $merge1" job_ended "$merge1"
[ "$(job_state "$merge1")" = COMPLETED ] || fail "merge job $merge1 ended $(job_state "$merge1") (exit $(job_exit "$merge1")): $(cat "$S/submit/slurm-$merge1.out")"
same_as_one_machine "$S/out1"
log "submission 1: merged ($(cat "$S/submit/slurm-$merge1.out")), identical to the one-machine run"

log "submission 2, cancelling task $CANCEL while it runs"
job2=$(submit_array "$S/out2"); JOBS+=("$job2")
merge2=$(submit_merge "$job2" "$S/out2"); JOBS+=("$merge2")
record=$S/out2/manifest-shard-$CANCEL-of-$SHARDS.state.json
wait_for "task $CANCEL to start" test -s "$record"
timeout 10 scancel "${job2}_$CANCEL"
wait_for "merge job $merge2" job_ended "$merge2"
grep -q '"complete":false' "$record" \
    || fail "task $CANCEL finished before it was cancelled (raise NPDROP_E2E_BIG_MIB)"
[ "$(job_state "${job2}_$CANCEL")" = CANCELLED ] || fail "task $CANCEL ended $(job_state "${job2}_$CANCEL"), not CANCELLED"
[ "$(job_state "$merge2")" = FAILED ] && [ "$(job_exit "$merge2")" = 1:0 ] \
    || fail "merge job $merge2 ended $(job_state "$merge2") (exit $(job_exit "$merge2")), expected FAILED with exit 1"
refusal=$(cat "$S/submit/slurm-$merge2.out")
grep -q "^npdrop: shard $CANCEL/$SHARDS: unfinished" <<<"$refusal" || fail "the refusal does not name shard $CANCEL: $refusal"
[ "$(grep -c '^npdrop: shard' <<<"$refusal")" = 1 ] || fail "the refusal names other shards too: $refusal"
[ ! -e "$S/out2/manifest.jsonl" ] || fail "the refused merge wrote manifest.jsonl"
npdrop status "$S/out2" | grep -q "^merge: not ready" || fail "npdrop status does not say the merge is not ready"
log "submission 2: merge job refused (exit 1): $(head -n 1 <<<"$refusal")"

log "resubmission"
job3=$(submit_array "$S/out2"); JOBS+=("$job3")
merge3=$(submit_merge "$job3" "$S/out2"); JOBS+=("$merge3")
wait_for "merge job $merge3" job_ended "$merge3"
[ "$(job_state "$merge3")" = COMPLETED ] || fail "merge job $merge3 ended $(job_state "$merge3") (exit $(job_exit "$merge3")): $(cat "$S/submit/slurm-$merge3.out")"
same_as_one_machine "$S/out2"
for i in $(seq 0 $(( SHARDS - 1 ))); do
    summary=$(cat "$S/submit/npdrop-${job3}_$i.summary.json")
    grep -q '"exit_code":0' <<<"$summary" || fail "task $i of the resubmission: $summary"
    # --resume: the shards that had completed took their records over (an npz without members
    # has no record to take over, so "tasks" need not be 0).
    [ "$i" = "$CANCEL" ] || ! grep -q '"resumed_tasks":0,' <<<"$summary" || fail "task $i of the resubmission resumed nothing: $summary"
done
log "resubmission: merged ($(cat "$S/submit/slurm-$merge3.out")), identical to the one-machine run"
