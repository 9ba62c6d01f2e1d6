#!/usr/bin/env bash
# Applies the guide's scenario and the planted faults (idempotent) and waits
# until the healthy workloads are Ready. Usage: bash cluster/scenario/apply.sh
# shellcheck source=../lib/common.sh
source "$(dirname "$0")/../lib/common.sh"
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
# Cluster-scoped policy kinds beyond NetworkPolicy (the e2e tests create their objects).
bash "$HERE/policy-api-crds.sh" || die "network-policy-api CRDs"
log "scenario applied; waiting for the healthy workloads"
for w in ingress-nginx/deploy/ingress-nginx-controller production/deploy/api-server production/deploy/postgres \
         production/sts/redis production/deploy/api-v2-server production/deploy/metrics production/deploy/cache \
         payment-service/deploy/payment-api auth-service/deploy/auth-api; do
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
