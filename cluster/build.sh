#!/usr/bin/env bash
# Builds the cluster's binaries from upstream Go modules into a cache outside
# the repository (shared by every clone on this machine):
#   ${KDIAG_CACHE:-/var/cache/kdiag}/bin/<name>
# Each binary is keyed by a hash of its module's sources (go.mod, go.sum, *.go),
# cluster/versions.env and the Go version; it is rebuilt only when that changes.
# Usage: bash cluster/build.sh [name ...]   (default: all)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
source "$HERE/versions.env"
CACHE=${KDIAG_CACHE:-/var/cache/kdiag}
BIN=$CACHE/bin
STAMPS=$CACHE/stamps
LOGS=$CACHE/build-logs
mkdir -p "$BIN" "$STAMPS" "$LOGS"
export GOFLAGS="-trimpath -buildvcs=false -mod=mod"
export CGO_ENABLED=0
export GOTOOLCHAIN=local

ALL=(hyperkube etcd coredns kube-router traefik kwok scalegen pause backend)

# name -> module dir (relative to cluster/go) and package to build
module_of() {
  case $1 in
    hyperkube) echo k8s ;;
    etcd) echo etcd ;;
    coredns) echo coredns ;;
    kube-router) echo kube-router ;;
    traefik) echo traefik ;;
    kwok) echo kwok ;;
    scalegen) echo scalegen ;;
    pause) echo small ;;
    backend) echo small ;;
    *) echo "unknown binary $1" >&2; return 1 ;;
  esac
}
pkg_of() {
  case $1 in
    pause) echo ./pause ;;
    backend) echo ./backend ;;
    traefik) echo github.com/traefik/traefik/v3/cmd/traefik ;;
    *) echo . ;;
  esac
}
ldflags_of() {
  local base="-s -w"
  case $1 in
    hyperkube)
      local v=${K8S_VERSION#v} major minor
      major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
      local date=2026-01-01T00:00:00Z
      local f=""
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        f+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
        f+=" -X $p.gitCommit=$K8S_GIT_COMMIT -X $p.gitTreeState=clean -X $p.buildDate=$date"
      done
      echo "$base$f" ;;
    traefik)
      local v; v=$(traefik_version)
      echo "$base -X github.com/traefik/traefik/v3/pkg/version.Version=$v -X github.com/traefik/traefik/v3/pkg/version.BuildDate=2026-01-01T00:00:00Z" ;;
    *) echo "$base" ;;
  esac
}

key_of() {
  local mod=$HERE/go/$(module_of "$1")
  {
    echo "$1 $(go env GOVERSION) $(ldflags_of "$1") $GOFLAGS"
    cat "$HERE/versions.env"
    (cd "$mod" && find . -name '_*' -prune -o -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print | LC_ALL=C sort | xargs sha256sum)
  } | sha256sum | cut -c1-16
}

traefik_version() { sed -n 's#^require github.com/traefik/traefik/v3 \(v[^ ]*\)$#\1#p' "$HERE/go/traefik/go.mod"; }
# mod_dir PATH VERSION: the module's directory in the module cache (downloaded if needed).
mod_dir() { (cd / && GOFLAGS=-mod=mod go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); }

# Steps before `go build` (run in the module's directory).
prepare_of() {
  case $1 in
    traefik)
      # lego (Traefik's ACME library) without its DNS-provider table: see
      # cluster/go/traefik/go.mod. Copied from the module cache into ./_lego.
      local tdir ver dir
      tdir=$(mod_dir github.com/traefik/traefik/v3 "$(traefik_version)")
      ver=$(sed -n 's#^[[:space:]]*github.com/go-acme/lego/v5 \(v[^ ]*\)$#\1#p' "$tdir/go.mod")
      dir=$(mod_dir github.com/go-acme/lego/v5 "$ver")
      [[ -d $dir ]] || { echo "lego $ver not in the module cache" >&2; return 1; }
      rm -rf _lego && mkdir _lego
      (cd "$dir" && tar --exclude='./providers/dns/*/*' -cf - .) | tar -C _lego -xf -
      chmod -R u+w _lego
      find _lego/providers/dns -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
      rm -f _lego/providers/dns/*.go
      cp overlay/lego-dns-providers.go _lego/providers/dns/zz_gen_dns_providers.go
      # go-http-auth v0.4.0 with what Traefik's fork adds.
      dir=$(mod_dir github.com/abbot/go-http-auth v0.4.0)
      [[ -d $dir ]] || { echo "go-http-auth v0.4.0 not in the module cache" >&2; return 1; }
      rm -rf _goauth && mkdir _goauth
      cp "$dir"/*.go _goauth/ && rm -f _goauth/*_test.go && chmod -R u+w _goauth
      sed '1,2d' overlay/goauth-additions.go > _goauth/traefik_additions.go
      printf 'module github.com/abbot/go-http-auth\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/crypto v0.56.0\n\tgolang.org/x/net v0.58.0\n)\n' > _goauth/go.mod ;;
  esac
}

build_one() {
  local name=$1 mod pkg key start
  mod=$HERE/go/$(module_of "$name"); pkg=$(pkg_of "$name"); key=$(key_of "$name")
  if [[ -x $BIN/$name && -f $STAMPS/$name && $(cat "$STAMPS/$name") == "$key" ]]; then
    echo "build: $name up to date ($key)"
    return 0
  fi
  echo "build: $name ($key) ... log: $LOGS/$name.log"
  start=$(date +%s)
  if ! (cd "$mod" && prepare_of "$name" && nice -n 10 go build -ldflags "$(ldflags_of "$name")" -o "$BIN/$name.tmp" "$pkg") >"$LOGS/$name.log" 2>&1; then
    tail -30 "$LOGS/$name.log" >&2
    echo "build: $name FAILED" >&2
    return 1
  fi
  mv -f "$BIN/$name.tmp" "$BIN/$name"
  echo "$key" > "$STAMPS/$name"
  echo "build: $name done in $(( $(date +%s) - start ))s ($(du -h "$BIN/$name" | cut -f1))"
}

names=("$@")
[[ ${#names[@]} -eq 0 ]] && names=("${ALL[@]}")
for n in "${names[@]}"; do build_one "$n"; done
if [[ " ${names[*]} " == *" hyperkube "* ]]; then
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    ln -sf hyperkube "$BIN/$c"
  done
fi
