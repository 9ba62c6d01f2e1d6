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

# cert-manager's Certificate CRD, for tests that check kdiag's cert-manager fixes against the
# API server (cluster/cert-manager-crds.sh). Never installed by up.sh or the scenario: other
# tests and the README samples read the cluster as it is without cert-manager.
CERT_MANAGER_VERSION=v1.21.2
CERT_MANAGER_CRD=certificates.cert-manager.io
# The label this lib puts on the CRD it installs; remove_cert_manager_crd deletes only that one.
CERT_MANAGER_CRD_LABEL=kdiag.local/installed-by=cert-manager-crds

# The CRD as cert-manager's Helm chart installs it (deploy/charts/…/crd-cert-manager.io_certificates.yaml
# in v1.21.2, deploy/crds/crd-certificates.yaml in v1.16.2), in $CACHE/crds/cert-manager-$CERT_MANAGER_VERSION.
# Those files are Helm templates: the {{ … }} lines go and metadata is kdiag's own (the name,
# the label above, the version as an annotation); spec is the chart's, unchanged.
cert_manager_crd_file() {
  local dir=$CACHE/crds/cert-manager-$CERT_MANAGER_VERSION mod src
  if [[ ! -f $dir/.complete ]]; then
    mod=$(cd / && GOFLAGS=-mod=mod go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    for src in "$mod/deploy/charts/cert-manager/templates/crd-cert-manager.io_certificates.yaml" "$mod/deploy/crds/crd-certificates.yaml" ""; do
      [[ -f $src ]] && break
    done
    [[ -n $src ]] || die "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION has no Certificate CRD (Go module proxy reachable?)"
    rm -rf "$dir" && mkdir -p "$dir"
    {
      printf '%s\n' 'apiVersion: apiextensions.k8s.io/v1' 'kind: CustomResourceDefinition' 'metadata:' \
        "  name: $CERT_MANAGER_CRD" '  labels:' "    ${CERT_MANAGER_CRD_LABEL%%=*}: ${CERT_MANAGER_CRD_LABEL#*=}" \
        '  annotations:' "    kdiag.local/cert-manager-version: $CERT_MANAGER_VERSION"
      sed -n '/^spec:/,$p' "$src" | grep -v '{{'
    } > "$dir/$CERT_MANAGER_CRD.yaml"
    touch "$dir/.complete"
  fi
  echo "$dir/$CERT_MANAGER_CRD.yaml"
}

# Installs (or updates to $CERT_MANAGER_VERSION) the Certificate CRD and waits until it is Established.
ensure_cert_manager_crd() {
  local f; f=$(cert_manager_crd_file)
  kc replace -f "$f" >/dev/null 2>&1 || kc create -f "$f" >/dev/null
  kc wait --for=condition=Established --timeout=60s "crd/$CERT_MANAGER_CRD" >/dev/null
}

# Deletes the Certificate CRD (and with it every Certificate) when this lib installed it; a
# CRD without the label (a real cert-manager's) stays.
remove_cert_manager_crd() {
  kc delete crd -l "$CERT_MANAGER_CRD_LABEL" --field-selector "metadata.name=$CERT_MANAGER_CRD" --ignore-not-found --wait=true --timeout=120s >/dev/null
}
