#!/usr/bin/env bash
# Installs or removes cert-manager's Certificate CRD (certificates.cert-manager.io, from the
# github.com/cert-manager/cert-manager Go module) in the running cluster, for tests that check
# kdiag's cert-manager fixes against the API server. Not part of up.sh or the scenario: remove
# it when done. Usage: bash cluster/cert-manager-crds.sh [install|remove]
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
source "$CLUSTER_DIR/lib/crds.sh"
case ${1:-install} in
  install)
    ensure_cert_manager_crd
    log "cert-manager $CERT_MANAGER_VERSION CRD $CERT_MANAGER_CRD installed (remove: bash cluster/cert-manager-crds.sh remove)"
    ;;
  remove)
    remove_cert_manager_crd
    log "cert-manager CRD $CERT_MANAGER_CRD removed"
    ;;
  *) die "usage: bash cluster/cert-manager-crds.sh [install|remove]" ;;
esac
