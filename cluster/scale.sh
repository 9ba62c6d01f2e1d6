#!/usr/bin/env bash
# Scale mode for benchmarks: kwok fake nodes + a generator of many objects.
#   bash cluster/scale.sh up [--services 5000] [--pods 20000] [--namespaces 100]
#                            [--netpols 200] [--ingresses 500] [--nodes 100]
#   bash cluster/scale.sh down    # delete the scale objects through the API (~10 min for the full load)
#   bash cluster/scale.sh reset   # fast: cluster down (wipes etcd) + up (~40 s); the scenario must be re-applied
# The cluster must be up (npm run cluster:up). Pods are bound to fake nodes
# (label type=kwok, tainted) and made Running/Ready by kwok; they run nothing.
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
[[ $EUID -eq 0 ]] || die "run as root"
cmd=${1:-}; shift || true
if [[ $cmd == reset ]]; then
  bash "$CLUSTER_DIR/down.sh" && exec bash "$CLUSTER_DIR/up.sh"
fi
kc get --raw /readyz >/dev/null 2>&1 || die "the cluster is not up (npm run cluster:up)"
bash "$CLUSTER_DIR/build.sh" kwok scalegen >/dev/null

start_kwok() {
  # 10.244.0.0/14 minus the real node's /24: fake nodes get their own /24 from
  # the controller-manager; kwok hands out pod IPs from it.
  start_bg kwok "$BIN/kwok" --kubeconfig "$STATE/kwok.kubeconfig" \
    --config "$CLUSTER_DIR/scale/kwok-stages.yaml" \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 10.244.255.254 --cidr 10.244.254.0/24
  sleep 1
  pid_alive kwok || { tail -20 "$LOGS/kwok.log"; die "kwok did not start"; }
}

case $cmd in
  up)
    args=()
    while (($#)); do
      case $1 in
        --services|--pods|--namespaces|--netpols|--ingresses|--nodes|--concurrency|--faulty-every|--timeout)
          args+=("-${1#--}" "$2"); shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    start_kwok
    t0=$(date +%s)
    "$BIN/scalegen" -kubeconfig "$KUBECONFIG_ADMIN" "${args[@]}" up
    log "scale load done in $(( $(date +%s) - t0 ))s"
    ;;
  down)
    pid_alive kwok || start_kwok
    "$BIN/scalegen" -kubeconfig "$KUBECONFIG_ADMIN" down
    source "$CLUSTER_DIR/lib/components.sh"
    stop_pids kwok
    ;;
  *) die "usage: bash cluster/scale.sh up [--services N --pods N --namespaces N --netpols N --ingresses N --nodes N] | down | reset" ;;
esac
