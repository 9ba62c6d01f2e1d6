#!/usr/bin/env bash
# Fault: no CoreDNS replica running. The coredns Deployment is scaled to 0 (its replica count
# saved first); undo restores that count and waits until CoreDNS is Ready and back in the
# kube-dns Service's endpoints.
#   coredns-none.sh inject
#   coredns-none.sh undo
source "$(dirname "$0")/lib.sh"
SAVED=$FAULTS/coredns-replicas
case ${1:-} in
  inject)
    # Save once: a second inject must not save the 0 of the first.
    [[ -f $SAVED ]] || kubectl -n kube-system get deployment coredns -o jsonpath='{.spec.replicas}' >"$SAVED"
    kubectl -n kube-system scale deployment coredns --replicas=0 >/dev/null
    for _ in $(seq 1 120); do
      [[ -z $(kubectl -n kube-system get pods -l k8s-app=kube-dns -o name 2>/dev/null) ]] && break
      sleep 0.5
    done
    note "coredns scaled to 0 (was $(cat "$SAVED"))"
    ;;
  undo)
    [[ -f $SAVED ]] || { note "nothing to undo"; exit 0; }
    kubectl -n kube-system scale deployment coredns --replicas="$(cat "$SAVED")" >/dev/null
    kubectl -n kube-system rollout status deployment coredns --timeout=120s >/dev/null
    wait_dns_endpoints || die "CoreDNS did not come back"
    rm -f "$SAVED"
    note "coredns back to $(kubectl -n kube-system get deployment coredns -o jsonpath='{.spec.replicas}') replica(s)"
    ;;
  *) die "usage: $0 inject | undo" ;;
esac
