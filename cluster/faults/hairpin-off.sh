#!/usr/bin/env bash
# Fault: hairpin mode off on the pod bridge's ports (kdiag0): a pod whose connection to its own
# Service is sent back to itself gets no answer. With POD_IP only that pod's port (the cluster
# is shared), else every port. undo restores each port's previous value.
#   hairpin-off.sh inject [POD_IP]
#   hairpin-off.sh undo
source "$(dirname "$0")/lib.sh"
need_root
BRIDGE=${KDIAG_BRIDGE:-kdiag0}
SAVED=$FAULTS/hairpin.saved
case ${1:-} in
  inject)
    : > "$SAVED"
    ports=(/sys/class/net/"$BRIDGE"/brif/*/hairpin_mode)
    if [[ -n ${2:-} ]]; then
      ip=$2
      # The pod's MAC (the kubelet's readiness probes keep a neighbour entry; a ping makes sure),
      # then the bridge port that MAC was learnt on.
      mac=$(ip neigh show "$ip" dev "$BRIDGE" | awk '!f {print $3; f=1}')
      [[ -n $mac && $mac != FAILED ]] || { ping -c 1 -W 1 "$ip" >/dev/null 2>&1 || true; mac=$(ip neigh show "$ip" dev "$BRIDGE" | awk '!f {print $3; f=1}'); }
      [[ -n $mac ]] || die "no neighbour entry for $ip on $BRIDGE"
      dev=$(bridge fdb show br "$BRIDGE" | awk -v m="$mac" '!f && tolower($1) == tolower(m) && $2 == "dev" {print $3; f=1}')
      [[ -n $dev ]] || die "no bridge port for $mac ($ip)"
      ports=(/sys/class/net/"$BRIDGE"/brif/"$dev"/hairpin_mode)
    fi
    for f in "${ports[@]}"; do
      [[ -e $f ]] || continue
      echo "$f $(cat "$f")" >> "$SAVED"
      echo 0 > "$f"
    done
    note "hairpin off on $(wc -l < "$SAVED") port(s) of $BRIDGE"
    ;;
  undo)
    if [[ -f $SAVED ]]; then
      while read -r f v; do [[ -e $f ]] && echo "$v" > "$f"; done < "$SAVED"
      rm -f "$SAVED"
    fi
    note "hairpin restored"
    ;;
  *) die "usage: $0 inject | undo" ;;
esac
