#!/usr/bin/env bash
# Demo: brings the local cluster up, applies the guide's scenario with its
# planted faults, and runs kdiag's main commands against it.
# Usage: bash cluster/demo.sh   (leaves the cluster running; stop it with npm run cluster:down)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
STATE=${KDIAG_STATE:-/var/lib/kdiag/cluster}
cd "$REPO"
bash "$HERE/up.sh" || exit 1
bash "$HERE/scenario/apply.sh" || exit 1
if [[ ! -f $REPO/dist/commands/endpoints.js && -f $REPO/package.json ]]; then
  npm run --silent build || exit 1
fi
KC=$STATE/kubeconfig
run() {
  echo
  echo "\$ kdiag $*"
  node "$REPO/bin/run.js" "$@" --kubeconfig "$KC"
  echo "(exit code $?)"
}
run services -n production
run endpoints -n production
run endpoints api-v2-service -n production
run endpoints metrics-service -n production
run endpoints -A
echo
echo "Cluster left running. kubeconfig: $KC   Stop it with: npm run cluster:down"
