# The published Gateway API CRDs (standard channel) from the sigs.k8s.io/gateway-api Go
# module, the version Traefik's go.mod requires (sourced by up.sh and scenario/apply.sh).
# shellcheck shell=bash

GATEWAY_API_VERSION=v1.6.1

# Copies config/crd/standard of the module (downloaded into the Go module cache if
# missing) to $CACHE/crds/gateway-api-$GATEWAY_API_VERSION and installs every file:
# `kubectl replace` (a whole-object update: also turns an older stand-in CRD into the
# real one, keeping its objects), `create` when missing. The CRDs are too large for
# client-side apply's last-applied annotation. Waits until they are Established.
ensure_gateway_crds() {
  local dir=$CACHE/crds/gateway-api-$GATEWAY_API_VERSION f mod
  if [[ ! -f $dir/.complete ]]; then
    mod=$(cd / && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -d $mod/config/crd/standard ]] || die "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION has no config/crd/standard (Go module proxy reachable?)"
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$mod"/config/crd/standard/*.yaml "$dir/"
    chmod u+w "$dir"/*.yaml
    touch "$dir/.complete"
  fi
  local want have
  for f in "$dir"/*.yaml; do
    # Skip what is already installed at this version (a replace costs ~1 s per large CRD).
    if [[ $f == *_vap_* ]]; then
      kc apply -f "$f" >/dev/null
      continue
    fi
    want=$(basename "$f" .yaml); want=${want#gateway.networking.k8s.io_}.gateway.networking.k8s.io
    # (a stand-in applied over it keeps the bundle annotation but not the approval URL)
    have=$(kc get crd "$want" -o jsonpath='{.metadata.annotations.gateway\.networking\.k8s\.io/bundle-version} {.metadata.annotations.api-approved\.kubernetes\.io}' 2>/dev/null || true)
    [[ $have == "$GATEWAY_API_VERSION https://"* ]] && continue
    kc replace -f "$f" >/dev/null 2>&1 || kc create -f "$f" >/dev/null
  done
  kc wait --for=condition=Established --timeout=60s $(for f in "$dir"/gateway.networking.k8s.io_*.yaml; do
    [[ $f == *_vap_* ]] && continue
    b=$(basename "$f" .yaml); echo "crd/${b#gateway.networking.k8s.io_}.gateway.networking.k8s.io"; done) >/dev/null
}
