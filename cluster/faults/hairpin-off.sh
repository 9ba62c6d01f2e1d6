#!/usr/bin/env bash
# Fault: hairpin mode off on the pod bridge's ports (kdiag0): a pod whose connection to its own
# Service is sent back to itself gets no answer. undo restores each port's previous value.
#   hairpin-off.sh inject
#   hairpin-off.sh undo
source "$(dirname "$0")/lib.sh"
need_root
BRIDGE=${KDIAG_BRIDGE:-kdiag0}
SAVED=$FAULTS/hairpin.saved
case ${1:-} in
  inject)
    : > "$SAVED"
    for f in /sys/class/net/"$BRIDGE"/brif/*/hairpin_mode; do
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
