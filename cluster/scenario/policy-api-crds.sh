#!/usr/bin/env bash
# Installs the network-policy-api's CRDs (policy.networking.k8s.io) from the published Go
# module, like the other cluster components: AdminNetworkPolicy and BaselineAdminNetworkPolicy
# (v1alpha1) from v0.1.1, ClusterNetworkPolicy (v1alpha2) from v0.3.0. Idempotent. The local
# network plugin (kube-router) does not implement these kinds: the objects are data that
# kdiag reasons about, nothing enforces them here.
# Usage: bash cluster/scenario/policy-api-crds.sh
# shellcheck source=../lib/common.sh
source "$(dirname "$0")/../lib/common.sh"
# Kept here rather than in versions.env: they do not change the cluster build.
ANP_MODULE_VERSION=v0.1.1
CNP_MODULE_VERSION=v0.3.0

module_dir() {
  local dir
  dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/network-policy-api@$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir && -d $dir ]] || die "go mod download sigs.k8s.io/network-policy-api@$1 failed"
  printf '%s\n' "$dir"
}

anp=$(module_dir "$ANP_MODULE_VERSION")
cnp=$(module_dir "$CNP_MODULE_VERSION")
kc apply --server-side --force-conflicts \
  -f "$anp/config/crd/policy.networking.k8s.io_adminnetworkpolicies.yaml" \
  -f "$anp/config/crd/policy.networking.k8s.io_baselineadminnetworkpolicies.yaml" \
  -f "$cnp/config/crd/standard/policy.networking.k8s.io_clusternetworkpolicies.yaml" >/dev/null
for crd in adminnetworkpolicies baselineadminnetworkpolicies clusternetworkpolicies; do
  kc wait --for=condition=Established "crd/$crd.policy.networking.k8s.io" --timeout=60s >/dev/null || die "CRD $crd not established"
done
log "network-policy-api CRDs installed (ANP/BANP $ANP_MODULE_VERSION, ClusterNetworkPolicy $CNP_MODULE_VERSION)"
