#!/usr/bin/env bash
# Prints the state of kdiag's local cluster: processes, node, pods.
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
echo "State dir: $STATE   Binary cache: $BIN"
echo "kubeconfig: $KUBECONFIG_ADMIN"
echo
echo "Processes:"
rc=0
for p in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kwok; do
  if pid_alive "$p"; then
    printf '  %-24s running (pid %s)\n' "$p" "$(cat "$RUN/$p.pid")"
  elif [[ $p == kwok ]]; then
    :
  else
    printf '  %-24s stopped\n' "$p"; rc=1
  fi
done
others=$(cluster_pids | wc -l)
echo "  ($others cluster processes in total, incl. containerd shims)"
echo
if [[ -f $KUBECONFIG_ADMIN ]] && kc get --raw /readyz >/dev/null 2>&1; then
  # sed reads its whole input: `head` would close the pipe early, and under pipefail the SIGPIPE
  # (exit 141) would make a running cluster look down to cluster/e2e.sh (it has >5 nodes with kwok).
  echo "API: ready ($(kc get --raw /version 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p'))"
  echo; kc get nodes -o wide 2>/dev/null | sed -n 1,5p
  n=$(kc get nodes --no-headers 2>/dev/null | wc -l); (( n > 4 )) && echo "  ... $n nodes"
  echo; kc get pods -A -o wide --field-selector spec.nodeName=$NODE_NAME 2>/dev/null
else
  echo "API: not reachable"; rc=1
fi
exit $rc
