#!/usr/bin/env bash
# End-to-end tests: starts the local cluster if it is not up (and remembers),
# applies the scenario, runs the jest project "e2e", then stops the cluster
# only if it was down before. Exits with jest's exit code.
# Usage: bash cluster/e2e.sh [jest args...]
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
STATE=${KDIAG_STATE:-/var/lib/kdiag/cluster}
cd "$REPO"

was_up=0
if bash "$HERE/status.sh" >/dev/null 2>&1; then was_up=1; fi
echo "e2e: cluster was $([[ $was_up == 1 ]] && echo up || echo down)"

cleanup() {
  if [[ $was_up == 0 ]]; then
    echo "e2e: stopping the cluster (it was down before)"
    bash "$HERE/down.sh" || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $was_up == 0 ]]; then
  # Start from a clean slate: whatever a killed run left (processes, pods, etcd data with old
  # test namespaces or a scale load) would make the results depend on history.
  bash "$HERE/down.sh" >/dev/null 2>&1 || true
  bash "$HERE/up.sh" || { echo "e2e: cluster:up failed" >&2; exit 1; }
fi
bash "$HERE/scenario/apply.sh" || { echo "e2e: scenario apply failed" >&2; exit 1; }

if [[ ! -f $REPO/dist/commands/endpoints.js && -f $REPO/package.json ]]; then
  npm run --silent build || exit 1
fi

export KDIAG_E2E_KUBECONFIG=${KDIAG_E2E_KUBECONFIG:-$STATE/kubeconfig}
export NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}"
npx jest "$@" --selectProjects e2e
rc=$?
exit $rc
