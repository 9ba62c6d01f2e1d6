#!/usr/bin/env bash
# Stops or starts only kube-apiserver, leaving etcd, the node and its pods running:
# the failure-mode tests use it for "the API server went away in the middle of a run".
#   bash cluster/apiserver.sh stop | start
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
source "$CLUSTER_DIR/lib/components.sh"
[[ $EUID -eq 0 ]] || die "run as root"
exec 9>"$STATE/.lock"
flock -w 120 9 || die "another cluster script holds $STATE/.lock"
case ${1:-} in
  stop) stop_pids kube-apiserver ;;
  start)
    ip=$(node_ip)
    [[ -n $ip ]] || die "no IPv4 address found for the node"
    start_apiserver "$ip" ;;
  *) die "usage: bash cluster/apiserver.sh stop | start" ;;
esac
