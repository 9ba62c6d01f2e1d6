#!/usr/bin/env bash
# Installs Popeye (the Kubernetes cluster sanitizer, github.com/derailed/popeye),
# pinned to one version, for the benchmark to compare kdiag against:
#   ${KDIAG_CACHE:-/var/cache/kdiag}/popeye/bin/popeye
# Prints the binary's path on stdout, and nothing else there; progress goes to
# stderr. When that version is already installed it only checks and prints.
# Usage: bash bench/popeye.sh
#
# Why not `go install github.com/derailed/popeye@v0.22.1`: that command also
# asks the module proxy for the module's version list (to look for a deprecation
# notice), and the proxy here refuses that list with 403. So we download the
# pinned module by its exact version and build it from its own go.mod and go.sum,
# the same way its Makefile does.
set -euo pipefail

VERSION=v0.22.1                                   # released 2025-01-28
COMMIT=35b55496                                   # the commit tagged v0.22.1
MODULE=github.com/derailed/popeye
CACHE=${KDIAG_CACHE:-/var/cache/kdiag}
BIN_DIR=$CACHE/popeye/bin
BIN=$BIN_DIR/popeye

export GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
export CGO_ENABLED=0
export GOTOOLCHAIN=local

# The version is stamped into the binary by -ldflags at build time, and
# `popeye version` prints it back (in colour, so strip the escape codes). It
# runs offline and takes well under a second.
installed_version() {
  [[ -x $BIN ]] || return 0
  "$BIN" version </dev/null 2>/dev/null \
    | sed 's/\x1b\[[0-9;]*m//g' \
    | sed -n 's/^Version:[[:space:]]*\(v[^[:space:]]*\).*/\1/p' | head -n1 || true
}

if [[ $(installed_version) == "$VERSION" ]]; then
  echo "popeye $VERSION already installed" >&2
  echo "$BIN"
  exit 0
fi

mkdir -p "$BIN_DIR"
# Two runs at once would build twice; the second waits and then finds it done.
exec 9>"$BIN_DIR/.lock"
flock -w 900 9 || { echo "another run holds $BIN_DIR/.lock" >&2; exit 1; }
if [[ $(installed_version) == "$VERSION" ]]; then
  echo "popeye $VERSION already installed" >&2
  echo "$BIN"
  exit 0
fi

echo "installing popeye $VERSION into $BIN_DIR (takes a few minutes on 2 cores)" >&2
# Run from a scratch folder so no go.mod around us is picked up.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK" "$BIN.tmp"' EXIT
SRC=$(cd "$WORK" && go mod download -json "$MODULE@$VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
[[ -n $SRC && -f $SRC/go.mod ]] || { echo "could not download $MODULE@$VERSION" >&2; exit 1; }

# Build into a temporary name and move it into place, so a build that fails
# or is stopped never leaves a half-written binary behind.
(cd "$SRC" && nice -n 10 go build \
  -ldflags "-w -X $MODULE/cmd.version=$VERSION -X $MODULE/cmd.commit=$COMMIT" \
  -tags netgo -o "$BIN.tmp" .) >&2
mv -f "$BIN.tmp" "$BIN"
echo "$BIN"
