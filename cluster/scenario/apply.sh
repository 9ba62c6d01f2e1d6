#!/usr/bin/env bash
# Applies the guide's scenario and the planted faults (idempotent) and waits
# until the healthy workloads are Ready. Usage: bash cluster/scenario/apply.sh
# shellcheck source=../lib/common.sh
source "$(dirname "$0")/../lib/common.sh"
source "$CLUSTER_DIR/lib/crds.sh"
HERE=$CLUSTER_DIR/scenario
T0=$(date +%s)
kc apply -f "$HERE/00-namespaces.yaml" >/dev/null
# The guide's Ingress uses TLS secret api-tls-secret: a self-signed certificate
# for api.example.com, generated here (never checked in).
if ! kc -n production get secret api-tls-secret >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=api.example.com" \
    -addext "subjectAltName=DNS:api.example.com" -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
  kc -n production create secret tls api-tls-secret --cert "$tmp/tls.crt" --key "$tmp/tls.key" >/dev/null
  rm -rf "$tmp"
fi
kc apply -f "$HERE" -f "$HERE/faults" >/dev/null

# Served by the real Traefik: the guide's Ingress rules in namespace edge, a Gateway with
# HTTPRoutes in edge-gw (scenario/traefik/). Certificates are made here: valid ones for a
# year, expired ones valid 2024-01-01 .. 2025-01-01 (openssl ca sets the dates).
ensure_gateway_crds
# Traefik itself (up.sh starts it too; a cluster started by an older up.sh lacks it).
source "$CLUSTER_DIR/lib/images.sh"
bash "$CLUSTER_DIR/build.sh" traefik >/dev/null
ensure_traefik_image >/dev/null
kc apply -f "$CLUSTER_DIR/manifests/traefik.yaml" >/dev/null
# tls_secret NS NAME HOST [START END]
tls_secret() {
  local ns=$1 name=$2 host=$3 start=${4:-} end=${5:-} tmp
  kc -n "$ns" get secret "$name" >/dev/null 2>&1 && return 0
  tmp=$(mktemp -d)
  if [[ -z $start ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$host" \
      -addext "subjectAltName=DNS:$host" -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
  else
    printf '[ca]\ndefault_ca=l\n[l]\ndatabase=%s/index\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n' "$tmp" "$tmp" "$tmp" > "$tmp/ca.cnf"
    : > "$tmp/index"; echo 01 > "$tmp/serial"
    openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
      -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
    openssl ca -batch -notext -config "$tmp/ca.cnf" -selfsign -keyfile "$tmp/tls.key" -in "$tmp/tls.csr" \
      -startdate "$start" -enddate "$end" -out "$tmp/tls.crt" >/dev/null 2>&1
  fi
  kc -n "$ns" create secret tls "$name" --cert "$tmp/tls.crt" --key "$tmp/tls.key" >/dev/null
  rm -rf "$tmp"
}
kc apply -f "$HERE/traefik/10-ingress.yaml" >/dev/null
kc apply -f "$HERE/traefik/20-gateway.yaml" >/dev/null
tls_secret edge edge-tls api.edge.example.com
tls_secret edge edge-expired expired.edge.example.com 20240101000000Z 20250101000000Z
tls_secret edge-gw gw-valid www.gw.example.com
tls_secret edge-gw gw-expired old.gw.example.com 20240101000000Z 20250101000000Z
# Cluster-scoped policy kinds beyond NetworkPolicy (the e2e tests create their objects).
bash "$HERE/policy-api-crds.sh" || die "network-policy-api CRDs"
log "scenario applied; waiting for the healthy workloads"
for w in ingress-nginx/deploy/ingress-nginx-controller production/deploy/api-server production/deploy/postgres \
         production/sts/redis production/deploy/api-v2-server production/deploy/metrics production/deploy/cache \
         payment-service/deploy/payment-api auth-service/deploy/auth-api \
         edge/deploy/api-v1 edge-gw/deploy/web edge-shared/deploy/shared-api traefik/deploy/traefik; do
  ns=${w%%/*}; obj=${w#*/}
  kc -n "$ns" rollout status "$obj" --timeout=180s >/dev/null || die "$w did not become ready"
done
# Like a real ingress-nginx, publish the controller Service's address in the status of the
# Ingresses of class nginx (the fake controller does not). It is only data: nothing
# outside the cluster connects to it.
addr=$(kc -n ingress-nginx get svc ingress-nginx-controller -o jsonpath='{.spec.clusterIP}' 2>/dev/null)
if [[ -n $addr ]]; then
  kc -n production patch ingress api-ingress --subresource=status --type=merge \
    -p "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$addr\"}]}}}" >/dev/null || log "could not publish the Ingress address"
fi
log "scenario ready in $(( $(date +%s) - T0 ))s"
