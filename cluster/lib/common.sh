# Shared settings and helpers for kdiag's local cluster scripts (sourced).
# shellcheck shell=bash
set -euo pipefail

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$CLUSTER_DIR/.." && pwd)
# shellcheck source=/dev/null
source "$CLUSTER_DIR/versions.env"

CACHE=${KDIAG_CACHE:-/var/cache/kdiag}
BIN=$CACHE/bin
STATE=${KDIAG_STATE:-/var/lib/kdiag/cluster}
RUN=$STATE/run          # pid files
LOGS=$STATE/logs
PKI=$STATE/pki
KUBECONFIG_ADMIN=$STATE/kubeconfig
CTR_SOCK=/run/kdiag/containerd.sock

NODE_NAME=kdiag-node
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
DNS_IP=10.96.0.10
# The pod range: the real node's /24 and, in scale mode, a /24 per fake node (up to 1,023
# of them: room for 4× the scale load, 80,000 Pods).
CLUSTER_CIDR=10.244.0.0/14
POD_CIDR=10.244.0.0/24
POD_GW=10.244.0.1
BRIDGE=kdiag0
SVC_SINK=kdiag-svc    # ifb device that discards un-translated Service-range traffic
CLUSTER_DOMAIN=cluster.local

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# Outward interface and its IPv4 address (the node IP). Nothing is sent there
# by the cluster; it is only where pods must never be forwarded to.
outward_if() { ip -4 route show default | awk '{for(i=1;i<NF;i++) if($i=="dev"){print $(i+1); exit}}'; }
node_ip() {
  local dev; dev=$(outward_if)
  if [[ -n $dev ]]; then
    ip -4 -o addr show dev "$dev" | awk '{print $4}' | cut -d/ -f1 | head -1
  else
    ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1
  fi
}

# put FILE: write stdin to FILE only when the content differs (components such
# as kube-proxy exit when their config file changes under them).
put() {
  local t; t=$(mktemp "$(dirname "$1")/.put.XXXXXX")
  cat > "$t"
  if cmp -s "$t" "$1"; then rm -f "$t"; else chmod 600 "$t"; mv -f "$t" "$1"; fi
}

kc() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctrk() { ctr --address "$CTR_SOCK" -n k8s.io "$@"; }

# Phase timing: phase_start NAME ... phase_end
declare -a PHASES=()
_phase_name="" _phase_t0=0
phase_start() { _phase_name=$1; _phase_t0=$(date +%s.%N); log "== $1"; }
phase_end() {
  local dt; dt=$(awk -v a="$_phase_t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  PHASES+=("$(printf '%-46s %7ss' "$_phase_name" "$dt")")
  log "== $_phase_name done in ${dt}s"
}
print_phases() { printf '%s\n' "Phase timings:"; printf '  %s\n' "${PHASES[@]}"; }

# wait_until TIMEOUT_SECONDS DESCRIPTION CMD...
wait_until() {
  local timeout=$1 what=$2; shift 2
  local end=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= end )); then log "timed out after ${timeout}s waiting for: $what"; return 1; fi
    sleep 1
  done
}

# alive PID: running and not a zombie (PID 1 of this VM kind may not reap).
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $st && $st != Z ]]
}
pid_alive() { local f=$RUN/$1.pid; [[ -f $f ]] && alive "$(cat "$f")"; }

# start_bg NAME CMD...: setsid + nohup, log in $LOGS/NAME.log, pid in $RUN/NAME.pid
start_bg() {
  local name=$1; shift
  mkdir -p "$RUN" "$LOGS"
  if pid_alive "$name"; then log "$name already running (pid $(cat "$RUN/$name.pid"))"; return 0; fi
  setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$RUN/$name.pid"
  log "started $name (pid $!)"
}

# Every process of the cluster: pid files, binaries run from the cache (from any
# clone), our containerd and its shims, and the containers' processes.
cluster_pids() {
  local p exe
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
    case $exe in
      "$BIN"/*) echo "$p" ;;
      */containerd|*/containerd-shim-runc-v2|*/containerd-shim*)
        if tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- "$CTR_SOCK\|$STATE/containerd"; then echo "$p"; fi ;;
    esac
  done
  return 0
}

# Pids of processes inside pod cgroups (cgroupfs driver: /kubepods...).
pod_pids() {
  local d
  for d in /sys/fs/cgroup/pids/kubepods /sys/fs/cgroup/memory/kubepods /sys/fs/cgroup/cpu/kubepods; do
    if [[ -d $d ]]; then find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -un
}
