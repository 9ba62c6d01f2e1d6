#!/usr/bin/env bash
# Fault: the NetworkPolicy enforcer stopped: the kube-router DaemonSet is kept off every node
# by a nodeSelector no node has, and its iptables chains are flushed (kube-router's jumps stay,
# into empty chains), so NetworkPolicies are stored but not applied. undo removes the
# nodeSelector and waits until kube-router is Ready again (it rewrites its chains).
#   enforcer-stopped.sh inject
#   enforcer-stopped.sh undo
source "$(dirname "$0")/lib.sh"
need_root
KEY=kdiag.dev/fault-enforcer-stopped
case ${1:-} in
  inject)
    kubectl -n kube-system patch daemonset kube-router --type merge -p "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"$KEY\":\"true\"}}}}}" >/dev/null
    # Wait until its pod is gone, so it cannot rewrite what is flushed next.
    for _ in $(seq 1 60); do
      [[ -z $(kubectl -n kube-system get pods -l k8s-app=kube-router -o name 2>/dev/null) ]] && break
      sleep 0.5
    done
    for chain in $(iptables-save -t filter | sed -n 's/^:\(KUBE-ROUTER-[A-Z]*\|KUBE-NWPLCY-[A-Z0-9]*\|KUBE-POD-FW-[A-Z0-9]*\) .*/\1/p'); do
      iptables -t filter -F "$chain"
    done
    note "kube-router kept off the node, its chains flushed"
    ;;
  undo)
    # A JSON patch "remove" fails when the key is absent (undo twice): ignore that.
    kubectl -n kube-system patch daemonset kube-router --type json -p "[{\"op\":\"remove\",\"path\":\"/spec/template/spec/nodeSelector/${KEY//\//~1}\"}]" >/dev/null 2>&1 || true
    kubectl -n kube-system rollout status daemonset kube-router --timeout=120s >/dev/null
    note "kube-router back"
    ;;
  *) die "usage: $0 inject | undo" ;;
esac
