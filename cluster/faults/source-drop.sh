#!/usr/bin/env bash
# Fault: a rule kdiag cannot see drops one source's packets to some pods, standing in for a
# policy kdiag cannot evaluate (a CNI-native policy keyed on labels). A background watcher
# finds the pods of namespace NS matching SELECTOR (the probe pods kdiag starts with
# --from-labels) and, for each one's IP, inserts a DROP into the mangle table's FORWARD chain
# towards each DEST_IP: after kube-proxy's DNAT (so the Service path is dropped too) and before
# kube-router's filter chains. Other sources, e.g. a probe pod without those labels, still get through.
# undo stops the watcher and deletes every rule it inserted (they carry a comment).
#   source-drop.sh inject NS SELECTOR DEST_IP...
#   source-drop.sh undo
source "$(dirname "$0")/lib.sh"
need_root
TAG=kdiag-fault-source-drop
PIDFILE=$FAULTS/source-drop.pid
case ${1:-} in
  inject)
    [[ $# -ge 4 ]] || die "usage: $0 inject NS SELECTOR DEST_IP..."
    ns=$2 selector=$3
    shift 3
    dests=("$@")
    [[ -f $PIDFILE ]] && kill "$(cat "$PIDFILE")" 2>/dev/null || true
    (
      declare -A done_ips=()
      while :; do
        for ip in $(kubectl -n "$ns" get pods -l "$selector" -o jsonpath='{range .items[*]}{.status.podIP}{"\n"}{end}' 2>/dev/null); do
          [[ -n ${done_ips[$ip]:-} ]] && continue
          for d in "${dests[@]}"; do
            iptables -t mangle -I FORWARD -s "$ip" -d "$d" -m comment --comment "$TAG" -j DROP
          done
          done_ips[$ip]=1
        done
        sleep 0.2
      done
    ) >/dev/null 2>&1 &
    echo $! >"$PIDFILE"
    note "dropping packets from pods of $ns with $selector to ${dests[*]} (watcher pid $!)"
    ;;
  undo)
    if [[ -f $PIDFILE ]]; then
      kill "$(cat "$PIDFILE")" 2>/dev/null || true
      rm -f "$PIDFILE"
    fi
    iptables-save -t mangle | grep -- "--comment $TAG" | sed 's/^-A /-D /' | while read -r rule; do
      # shellcheck disable=SC2086 # the saved rule is split into its words on purpose
      eval iptables -t mangle $rule
    done
    note "source-drop rules removed"
    ;;
  *) die "usage: $0 inject NS SELECTOR DEST_IP... | undo" ;;
esac
