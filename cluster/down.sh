#!/usr/bin/env bash
# Stops kdiag's local cluster: every process by pid (and any leftover run from
# the binary cache, from any clone), the pods' containers, mounts, network
# namespaces, iptables chains and the etcd data. Certificates, images and the
# binary cache are kept so the next `up` is fast.
# Usage: bash cluster/down.sh [--keep-data]
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
source "$CLUSTER_DIR/lib/components.sh"
[[ $EUID -eq 0 ]] || die "run as root"
mkdir -p "$STATE" "$RUN"
exec 9>"$STATE/.lock"
flock -w 120 9 || log "warning: $STATE/.lock is held by another process; going on"
T0=$(date +%s)
stop_all
teardown_host_network
[[ ${1:-} == --keep-data ]] || rm -rf "$STATE/etcd" "$STATE/kubelet-root"
left=$( { cluster_pids; pod_pids; } | sort -un)
if [[ -n $left ]]; then
  log "processes still running:"; ps -o pid,args -p "$(echo "$left" | paste -sd,)" || true
  exit 1
fi
log "cluster is down ($(( $(date +%s) - T0 ))s); no cluster process is running"
