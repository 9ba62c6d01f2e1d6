#!/usr/bin/env bash
# Starts kdiag's local single-node Kubernetes cluster (idempotent; recovers
# after a crash). Usage: bash cluster/up.sh
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
source "$CLUSTER_DIR/lib/certs.sh"
source "$CLUSTER_DIR/lib/images.sh"
source "$CLUSTER_DIR/lib/configs.sh"
source "$CLUSTER_DIR/lib/components.sh"
source "$CLUSTER_DIR/lib/crds.sh"

[[ $EUID -eq 0 ]] || die "run as root (the cluster needs containerd, iptables and network namespaces)"
mkdir -p "$STATE" "$RUN" "$LOGS"
exec 9>"$STATE/.lock"
flock -w 600 9 || die "another cluster script holds $STATE/.lock"

T0=$(date +%s.%N)

cluster_healthy() {
  local p
  for p in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
    pid_alive "$p" || return 1
  done
  kc get --raw /readyz >/dev/null 2>&1
}

node_ready() {
  kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True
}

phase_start "packages (apt)"; ensure_packages; phase_end
phase_start "binaries (Go build/cache)"; bash "$CLUSTER_DIR/build.sh" hyperkube etcd coredns kube-router traefik pause backend; phase_end

NODE_IP=$(node_ip)
[[ -n $NODE_IP ]] || die "no IPv4 address found for the node"
phase_start "certificates + configs"
ensure_certs "$NODE_IP"
write_configs "$NODE_IP"
mkdir -p "$REPO_DIR/.cluster"
ln -sfn "$KUBECONFIG_ADMIN" "$REPO_DIR/.cluster/kubeconfig"
phase_end

WAS_UP=0
if cluster_healthy; then
  WAS_UP=1
  log "cluster processes already running"
else
  if [[ -n $(ls "$RUN"/*.pid 2>/dev/null) || -n $(cluster_pids) || -n $(pod_pids) ]]; then
    phase_start "crash recovery (stop leftovers)"; stop_all; phase_end
  fi
  phase_start "host network"; setup_host_network; phase_end
  phase_start "containerd + images"; start_containerd; ensure_images; phase_end
  phase_start "etcd + kube-apiserver"; start_etcd; start_apiserver "$NODE_IP"; phase_end
  phase_start "controller-manager, scheduler"; start_controllers; phase_end
  phase_start "kubelet, kube-proxy"; start_node "$NODE_IP"
  wait_until 120 "node $NODE_NAME Ready" node_ready || { tail -20 "$LOGS/kubelet.log"; die "node not Ready"; }
  phase_end
fi
# Images may have changed (new build) even when the cluster was up.
[[ $WAS_UP == 1 ]] && { phase_start "images"; setup_host_network; ensure_images; phase_end; }

phase_start "Gateway API CRDs $GATEWAY_API_VERSION"; ensure_gateway_crds; phase_end

phase_start "system pods (CoreDNS, kube-router, Traefik)"
kc apply -f "$CLUSTER_DIR/manifests/" >/dev/null
kc -n kube-system rollout status deploy/coredns --timeout=180s >/dev/null
kc -n kube-system rollout status ds/kube-router --timeout=180s >/dev/null
kc -n traefik rollout status deploy/traefik --timeout=180s >/dev/null
phase_end

phase_start "DNS check (pod resolves kubernetes.default)"
wait_until 60 "default service account" kc -n default get serviceaccount default
kc -n default delete pod kdiag-dns-check --ignore-not-found --wait=true >/dev/null 2>&1 || true
kc -n default run kdiag-dns-check --image "$IMG_BUSYBOX" --image-pull-policy IfNotPresent --restart Never \
  --overrides='{"spec":{"terminationGracePeriodSeconds":0}}' \
  --command -- sh -c 'for i in $(seq 1 60); do nslookup kubernetes.default.svc.cluster.local '"$DNS_IP"' && exit 0; sleep 1; done; exit 1' >/dev/null
dns_done() { local ph; ph=$(kc -n default get pod kdiag-dns-check -o jsonpath='{.status.phase}'); [[ $ph == Succeeded || $ph == Failed ]]; }
wait_until 120 "DNS check pod" dns_done || true
phase=$(kc -n default get pod kdiag-dns-check -o jsonpath='{.status.phase}' 2>/dev/null || true)
if [[ $phase != Succeeded ]]; then
  kc -n default logs kdiag-dns-check 2>&1 | tail -10 || true
  die "a pod could not resolve kubernetes.default through CoreDNS (phase: ${phase:-unknown})"
fi
kc -n default delete pod kdiag-dns-check --wait=false >/dev/null 2>&1 || true
phase_end

total=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
echo
print_phases
printf '  %-46s %7ss\n' "TOTAL" "$total"
echo
echo "Cluster is up: Kubernetes $(kc get --raw /version | grep -m1 gitVersion | cut -d'"' -f4), node $NODE_NAME ($NODE_IP)"
echo "kubeconfig: $KUBECONFIG_ADMIN"
echo "  (also linked at $REPO_DIR/.cluster/kubeconfig)"
echo "  export KUBECONFIG=$KUBECONFIG_ADMIN"
