#!/usr/bin/env bash
# Fault: kube-proxy frozen (SIGSTOP) and the ClusterIP rules of one Service removed from
# KUBE-SERVICES (nat), so that Service's address leads nowhere while its pods still answer
# by pod IP. undo puts the saved rules back and resumes kube-proxy (it then resyncs).
#   kube-proxy-frozen.sh inject NAMESPACE SERVICE
#   kube-proxy-frozen.sh undo
# Keep the time between inject and undo to seconds: no Service changes are programmed meanwhile.
source "$(dirname "$0")/lib.sh"
need_root
SAVED=$FAULTS/kube-proxy-frozen.rules
case ${1:-} in
  inject)
    ns=${2:?namespace}; svc=${3:?service}
    pid=$(kube_proxy_pid)
    kill -STOP "$pid"
    echo "$pid" > "$FAULTS/kube-proxy-frozen.pid"
    # The rules kube-proxy wrote for this Service's ClusterIP (their comment starts with "ns/svc:").
    iptables-save -t nat | grep -- '^-A KUBE-SERVICES ' | grep -F -- "--comment \"$ns/$svc:" > "$SAVED" || true
    [[ -s $SAVED ]] || { kill -CONT "$pid"; rm -f "$FAULTS/kube-proxy-frozen.pid"; die "no KUBE-SERVICES rule for $ns/$svc (is kube-proxy in iptables mode and the Service programmed?)"; }
    while IFS= read -r rule; do
      eval "iptables -t nat ${rule/#-A /-D }"
    done < "$SAVED"
    note "kube-proxy (pid $pid) stopped; removed $(wc -l < "$SAVED") rule(s) of $ns/$svc"
    ;;
  undo)
    if [[ -s $SAVED ]]; then
      while IFS= read -r rule; do
        # Back at the top of the chain: order among ClusterIP rules does not matter, only the
        # final KUBE-NODEPORTS jump must stay last.
        check=${rule/#-A /-C }
        eval "iptables -t nat $check" 2>/dev/null || eval "iptables -t nat ${rule/#-A KUBE-SERVICES /-I KUBE-SERVICES 1 }"
      done < "$SAVED"
      rm -f "$SAVED"
    fi
    if [[ -f $FAULTS/kube-proxy-frozen.pid ]]; then
      kill -CONT "$(cat "$FAULTS/kube-proxy-frozen.pid")" 2>/dev/null || true
      rm -f "$FAULTS/kube-proxy-frozen.pid"
    fi
    # Whatever happened before: kube-proxy must not stay stopped.
    pid=$(cat "$RUN/kube-proxy.pid" 2>/dev/null || true)
    [[ -n $pid ]] && kill -CONT "$pid" 2>/dev/null || true
    note "kube-proxy resumed, rules restored"
    ;;
  *) die "usage: $0 inject NAMESPACE SERVICE | undo" ;;
esac
