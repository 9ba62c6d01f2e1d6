#!/usr/bin/env bash
# Fault: CoreDNS's forwarder is unreachable. The Corefile (ConfigMap kube-system/coredns, saved
# first) gets `forward . NODE_IP:5399`: the node's own address on a UDP/TCP port nothing listens
# on, so every forwarded query is refused on this machine and no packet leaves it. The CoreDNS
# pods are deleted so their ReplicaSet starts new ones with the new Corefile at once (the reload
# plugin would take a minute or two). undo puts the saved Corefile back the same way.
#   coredns-forward-unreachable.sh inject
#   coredns-forward-unreachable.sh undo
source "$(dirname "$0")/lib.sh"
SAVED=$FAULTS/coredns-corefile.json
PORT=5399

set_corefile() { # $1: a JSON file {"data":{"Corefile":...}}
  kubectl -n kube-system patch configmap coredns --type merge --patch-file "$1" >/dev/null
  # --wait: the old pods are gone when this returns, so nothing after it sees two replicas.
  kubectl -n kube-system delete pods -l k8s-app=kube-dns,'!kdiag.dev/fault' --wait=true --timeout=60s >/dev/null
  kubectl -n kube-system rollout status deployment coredns --timeout=60s >/dev/null || return 1
  wait_dns_endpoints || return 1
}

case ${1:-} in
  inject)
    # The cluster's CoreDNS is built from cluster/go/coredns: without the forward plugin in that
    # build, a Corefile with `forward` makes CoreDNS exit, so refuse before touching anything.
    coredns_bin=${KDIAG_CACHE:-/var/cache/kdiag}/bin/coredns
    [[ -x $coredns_bin ]] || die "no CoreDNS binary at $coredns_bin: cannot tell whether it has the forward plugin"
    # (outputs captured first: with pipefail, grep -q closing the pipe early fails the pipeline)
    plugins=$("$coredns_bin" -plugins 2>/dev/null || true)
    grep -qw 'forward' <<<"$plugins" ||
      die "this cluster's CoreDNS is built without the forward plugin (cluster/go/coredns/main.go): the fault cannot be injected"
    node_ip=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
    [[ -n $node_ip ]] || die "no node InternalIP"
    addrs=$(ip -o addr show)
    [[ $addrs == *" $node_ip/"* ]] || die "$node_ip is not an address of this machine"
    [[ -z $(ss -Hlnu "sport = :$PORT") ]] || die "UDP port $PORT is in use on this machine"
    [[ -z $(ss -Hlnt "sport = :$PORT") ]] || die "TCP port $PORT is in use on this machine"
    [[ -f $SAVED ]] || kubectl -n kube-system get configmap coredns -o json |
      python3 -c 'import json,sys; print(json.dumps({"data": {"Corefile": json.load(sys.stdin)["data"]["Corefile"]}}))' >"$SAVED"
    patch=$(mktemp)
    python3 - "$SAVED" "$node_ip:$PORT" >"$patch" <<'PY'
import json, sys
corefile = json.load(open(sys.argv[1]))["data"]["Corefile"]
lines, out, depth, done = corefile.split("\n"), [], 0, False
for line in lines:
    s = line.strip()
    if s.startswith("forward ") and depth == 1:
        continue  # replaced by ours
    if s == "}" and depth == 1 and not done:
        out.append(f"    forward . {sys.argv[2]}")
        done = True
    out.append(line)
    depth += s.endswith("{") - (s == "}")
print(json.dumps({"data": {"Corefile": "\n".join(out)}}))
PY
    if ! set_corefile "$patch"; then
      rm -f "$patch"
      note "CoreDNS did not come back with the new Corefile: restoring it"
      set_corefile "$SAVED" && rm -f "$SAVED"
      die "inject failed (Corefile restored)"
    fi
    rm -f "$patch"
    note "CoreDNS forwards to $node_ip:$PORT, where nothing listens"
    ;;
  undo)
    [[ -f $SAVED ]] || { note "nothing to undo"; exit 0; }
    set_corefile "$SAVED"
    rm -f "$SAVED"
    note "Corefile restored"
    ;;
  *) die "usage: $0 inject | undo" ;;
esac
