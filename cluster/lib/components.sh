# Start/stop/cleanup of the cluster's processes and host network state.
# shellcheck shell=bash

APT_PACKAGES=(containerd runc containernetworking-plugins iptables conntrack ipset busybox-static curl openssl ca-certificates iproute2 procps kmod)

ensure_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing from Debian: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v kubectl >/dev/null || die "kubectl is not on PATH"
}

# Host networking: forwarding, bridge netfilter, the Service-range blackhole
# route and the rules that keep pod traffic on this machine.
setup_host_network() {
  sysctl -qw net.ipv4.ip_forward=1
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || log "warning: bridge-nf-call-iptables not available"
  sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 2>/dev/null || true
  sysctl -qw net.ipv4.conf.all.route_localnet=1 2>/dev/null || true
  # Un-translated traffic to the Service range goes nowhere (DNAT happens
  # first). The route points at an ifb device, which discards every packet
  # sent to it: unlike a `blackhole` route it still lets the host itself (and
  # host-network pods) reach ClusterIPs, because routing succeeds before the
  # OUTPUT DNAT. Without ifb support it falls back to a blackhole route.
  if ip link show "$SVC_SINK" >/dev/null 2>&1 || ip link add "$SVC_SINK" type ifb 2>/dev/null; then
    ip link set "$SVC_SINK" up
    ip route del blackhole "$SERVICE_CIDR" 2>/dev/null || true
    ip route replace "$SERVICE_CIDR" dev "$SVC_SINK"
    # The rest of the pod range (scale mode's fake pods and nodes have no
    # machine behind them) goes there too; the real pods' /24 on the bridge
    # is more specific and wins.
    ip route replace "$CLUSTER_CIDR" dev "$SVC_SINK"
  else
    ip route replace blackhole "$SERVICE_CIDR"
    ip route replace blackhole "$CLUSTER_CIDR"
  fi
  # hugetlb is compiled in but not mounted on this VM kind; kubelet looks for it.
  if grep -qw hugetlb /proc/cgroups && ! mountpoint -q /sys/fs/cgroup/hugetlb; then
    mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
  fi
  # Pods never reach beyond this machine: chain KDIAG-EGRESS in the mangle
  # table's FORWARD (evaluated before the filter table, where kube-router puts
  # an ACCEPT for policy-compliant traffic at the top) drops pod-range traffic
  # leaving through the default-route interface, or through anything that is
  # not the pod bridge or the Service-range sink.
  local out; out=$(outward_if)
  iptables -t mangle -N KDIAG-EGRESS 2>/dev/null || iptables -t mangle -F KDIAG-EGRESS
  if [[ -n $out ]]; then
    iptables -t mangle -A KDIAG-EGRESS -s "$CLUSTER_CIDR" -o "$out" -j DROP
  fi
  iptables -t mangle -A KDIAG-EGRESS -o "$BRIDGE" -j RETURN
  iptables -t mangle -A KDIAG-EGRESS -o "$SVC_SINK" -j RETURN
  iptables -t mangle -A KDIAG-EGRESS -s "$CLUSTER_CIDR" -j DROP
  iptables -t mangle -C FORWARD -j KDIAG-EGRESS 2>/dev/null || iptables -t mangle -I FORWARD 1 -j KDIAG-EGRESS
  # (older versions of these scripts put the chain into the filter table)
  while iptables -D FORWARD -j KDIAG-EGRESS 2>/dev/null; do :; done
  iptables -F KDIAG-EGRESS 2>/dev/null && iptables -X KDIAG-EGRESS 2>/dev/null || true
  # kube-router answers a denied connection with an ICMP port-unreachable that
  # this host generates (towards the client pod); most enforcers drop
  # instead. Dropping those host-made ICMP errors towards pods makes a denial
  # look the same here (a timeout). KDIAG_NETPOL_REJECT=1 keeps kube-router's.
  # (raw table: kube-router puts its own ACCEPTing chain first in filter OUTPUT.)
  iptables -t raw -N KDIAG-OUTPUT 2>/dev/null || iptables -t raw -F KDIAG-OUTPUT
  if [[ ${KDIAG_NETPOL_REJECT:-0} != 1 ]]; then
    # Match on the quoted (inner) header's destination: a pod address (10.244/14,
    # kube-router's reject after DNAT) is dropped; a Service address (kube-proxy's
    # "no endpoints" reject) passes, so that still reads "connection refused".
    iptables -t raw -A KDIAG-OUTPUT -p icmp --icmp-type port-unreachable -d "$CLUSTER_CIDR" \
      -m u32 --u32 "0>>22&0x3C@24&0xFFFC0000=0x0AF40000" -j DROP
  fi
  iptables -t raw -C OUTPUT -j KDIAG-OUTPUT 2>/dev/null || iptables -t raw -I OUTPUT 1 -j KDIAG-OUTPUT
}

teardown_host_network() {
  while iptables -t mangle -D FORWARD -j KDIAG-EGRESS 2>/dev/null; do :; done
  iptables -t mangle -F KDIAG-EGRESS 2>/dev/null || true
  iptables -t mangle -X KDIAG-EGRESS 2>/dev/null || true
  while iptables -D FORWARD -j KDIAG-EGRESS 2>/dev/null; do :; done
  iptables -F KDIAG-EGRESS 2>/dev/null || true
  iptables -X KDIAG-EGRESS 2>/dev/null || true
  while iptables -D OUTPUT -j KDIAG-OUTPUT 2>/dev/null; do :; done
  iptables -F KDIAG-OUTPUT 2>/dev/null || true
  iptables -X KDIAG-OUTPUT 2>/dev/null || true
  while iptables -t raw -D OUTPUT -j KDIAG-OUTPUT 2>/dev/null; do :; done
  iptables -t raw -F KDIAG-OUTPUT 2>/dev/null || true
  iptables -t raw -X KDIAG-OUTPUT 2>/dev/null || true
  ip route del blackhole "$SERVICE_CIDR" 2>/dev/null || true
  ip route del "$SERVICE_CIDR" 2>/dev/null || true
  ip route del blackhole "$CLUSTER_CIDR" 2>/dev/null || true
  ip route del "$CLUSTER_CIDR" 2>/dev/null || true
  ip link del "$SVC_SINK" 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  # kube-proxy's and kube-router's chains: drop every KUBE-*/CNI-* chain and
  # every rule in or jumping to one, table by table, atomically.
  local t
  for t in filter nat mangle; do
    iptables-save -t "$t" 2>/dev/null | grep -v -E '^:(KUBE-|CNI-)|(-A|-j|-g) (KUBE-|CNI-)' | iptables-restore 2>/dev/null || true
  done
  # kube-router's ipsets
  local c
  for c in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router|inet6:KUBE-)' || true); do ipset destroy "$c" 2>/dev/null || true; done
}

start_etcd() {
  mkdir -p "$STATE/etcd"
  start_bg etcd "$BIN/etcd" --name kdiag --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster kdiag=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
    --quota-backend-bytes 8589934592 --unsafe-no-fsync --log-level warn
  wait_until 60 "etcd health" curl -sf http://127.0.0.1:2381/health
}

start_apiserver() {
  local ip=$1
  start_bg kube-apiserver "$BIN/kube-apiserver" \
    --advertise-address "$ip" --bind-address 0.0.0.0 --secure-port 6443 \
    --etcd-servers http://127.0.0.1:2379 \
    --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --audit-policy-file "$STATE/audit-policy.yaml" --audit-log-path "$LOGS/audit.log" \
    --audit-log-maxsize 200 --audit-log-maxbackup 2 --audit-log-mode batch \
    --max-requests-inflight 1000 --max-mutating-requests-inflight 500 \
    --event-ttl 30m --profiling=${KDIAG_APISERVER_PROFILING:-false} --v 1
  wait_until 120 "kube-apiserver /readyz" kc get --raw /readyz
}

start_controllers() {
  # --node-monitor-grace-period 5m (upstream 50 s): in scale mode kwok renews the leases of
  # hundreds of fake nodes, late when 2 cores are busy; at 40 s, 62 of 400 nodes turned
  # NotReady under the 4x load and their pods were marked not ready and evicted.
  start_bg kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --allocate-node-cidrs=true --cluster-cidr "$CLUSTER_CIDR" --node-cidr-mask-size 24 \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --kube-api-qps 300 --kube-api-burst 600 \
    --concurrent-service-endpoint-syncs 10 --concurrent-deployment-syncs 10 \
    --concurrent-replicaset-syncs 10 --concurrent-gc-syncs 30 \
    --node-monitor-grace-period 5m --v 1
  start_bg kube-scheduler "$BIN/kube-scheduler" --config "$STATE/scheduler.yaml" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --v 1
}

start_containerd() {
  start_bg containerd /usr/bin/containerd --config "$STATE/containerd/config.toml"
  wait_until 60 "containerd socket" ctr --address "$CTR_SOCK" version
}

start_node() {
  local ip=$1
  mkdir -p "$STATE/kubelet-root"
  start_bg kubelet "$BIN/kubelet" --config "$STATE/kubelet/config.yaml" \
    --kubeconfig "$STATE/kubelet.kubeconfig" --root-dir "$STATE/kubelet-root" \
    --hostname-override "$NODE_NAME" --node-ip "$ip" --v 1
  start_bg kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --v 1
}

# Stop pods' containers through containerd, then every cluster process by pid,
# then whatever is left in the pod cgroups; unmount and remove network state.
stop_all() {
  local p id
  # Kubelet first, so it does not restart containers while we stop them.
  stop_pids kwok kubelet kube-proxy
  if [[ -S $CTR_SOCK ]] && pid_alive containerd && timeout 5 ctr --address "$CTR_SOCK" version >/dev/null 2>&1; then
    for id in $(ctrk tasks ls -q 2>/dev/null); do ctrk tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctrk tasks ls -q 2>/dev/null); do ctrk tasks rm -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctrk containers ls -q 2>/dev/null); do ctrk containers rm "$id" >/dev/null 2>&1 || true; done
  fi
  stop_pids kube-scheduler kube-controller-manager
  stop_pids kube-apiserver
  stop_pids etcd containerd
  # Leftovers: processes of our binaries (any clone), shims, pod processes.
  local round
  for round in 1 2 3 4 5; do
    local left; left=$( { cluster_pids; pod_pids; } | sort -un | grep -v "^$$\$" || true)
    [[ -z $left ]] && break
    # shellcheck disable=SC2086
    kill -9 $left 2>/dev/null || true
    sleep 1
  done
  # Mounts left by kubelet and containerd (reverse order, deepest first).
  local m
  for m in $(awk '{print $2}' /proc/mounts | grep -E "^($STATE|/run/kdiag)" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  # Network namespaces made by CNI for pods.
  for m in /var/run/netns/cni-*; do
    [[ -e $m ]] || continue
    umount "$m" 2>/dev/null || true
    rm -f "$m"
  done
  rm -rf "$STATE/cni/ipam" /var/lib/cni/results/kdiag-* /run/kdiag/containerd /run/kdiag/runc
  # Pod cgroups (empty now).
  local c
  for c in /sys/fs/cgroup/*/kubepods; do
    [[ -d $c ]] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -f "$RUN"/*.pid
}

# stop_pids NAME...: SIGTERM to all at once, wait up to 10 s, then SIGKILL.
stop_pids() {
  local name f pid pids=() names=() i
  for name in "$@"; do
    f=$RUN/$name.pid
    [[ -f $f ]] || continue
    pid=$(cat "$f"); rm -f "$f"
    if alive "$pid"; then kill "$pid" 2>/dev/null || true; pids+=("$pid"); names+=("$name($pid)"); fi
  done
  ((${#pids[@]})) || return 0
  for i in $(seq 1 40); do
    local any=0
    for pid in "${pids[@]}"; do alive "$pid" && any=1; done
    ((any)) || break
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  log "stopped ${names[*]}"
}
