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
# npm scripts put node_modules/.bin (Node 24) first on PATH; prefer it when run with bash too.
NODE=node
[[ -x $REPO/node_modules/.bin/node ]] && NODE=$REPO/node_modules/.bin/node
run() {
  echo
  echo "\$ kdiag $*"
  "$NODE" "$REPO/bin/run.js" "$@" --kubeconfig "$KC"
  echo "(exit code $?)"
}
has() { [[ -f $REPO/dist/commands/$1.js || -d $REPO/dist/commands/$1 ]]; }
has services && run services -n production
has endpoints && run endpoints -n production
has endpoints && run endpoints metrics-service -n production
has ingress && run ingress -n production
has netpol && run netpol -n production
has dns && run dns redis-0.redis-headless -n production
has connectivity && run connectivity api-service --path /health -n production
has trace && run trace https://api.example.com/api/v2
has check && run check -n production
echo
echo "Cluster left running. kubeconfig: $KC   Stop it with: npm run cluster:down"
