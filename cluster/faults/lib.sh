# Shared by the fault scripts: the local cluster's state dir, kubeconfig and kube-proxy's pid.
# Each fault script takes `inject` or `undo` and leaves the cluster as it found it after undo.
# Faults stay on this machine: they change local processes, iptables and sysfs only.
set -euo pipefail
STATE=${KDIAG_STATE:-/var/lib/kdiag/cluster}
RUN=$STATE/run
export KUBECONFIG=${KDIAG_E2E_KUBECONFIG:-$STATE/kubeconfig}
# Where a fault keeps what undo needs (saved rules, previous values).
FAULTS=$STATE/faults
mkdir -p "$FAULTS"

die() { echo "fault: $*" >&2; exit 1; }
note() { echo "fault: $*" >&2; }
need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (iptables, signals to cluster processes, sysfs)"; }

kube_proxy_pid() {
  local f=$RUN/kube-proxy.pid
  [[ -f $f ]] || die "no pid file $f: is the local cluster up?"
  local pid; pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || die "kube-proxy (pid $pid) is not running"
  echo "$pid"
}

# Waits until every CoreDNS pod (not a fault's stand-in) is Ready and listed as a ready endpoint
# of the kube-dns Service, and no endpoint is left that is not such a pod.
wait_dns_endpoints() {
  local want got
  for _ in $(seq 1 120); do
    want=$(kubectl -n kube-system get pods -l k8s-app=kube-dns,'!kdiag.dev/fault' \
      -o jsonpath='{range .items[*]}{.status.podIP}|{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null |
      awk -F'|' '$1 != "" && $2 == "" && $3 == "True" {print $1}' | sort | tr '\n' ' ')
    got=$(kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\n"}{end}' 2>/dev/null | sort -u | tr '\n' ' ')
    [[ -n $want && $want == "$got" ]] && return 0
    sleep 0.5
  done
  note "CoreDNS endpoints not ready (pods: $want; endpoints: $got)"
  return 1
}
