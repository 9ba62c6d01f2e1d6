#!/usr/bin/env bash
# Installs the published Gateway API CRDs (standard channel) into the running cluster
# (idempotent; up.sh and scenario/apply.sh do this too). Usage: bash cluster/gateway-crds.sh
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
source "$CLUSTER_DIR/lib/crds.sh"
ensure_gateway_crds
log "Gateway API CRDs $GATEWAY_API_VERSION (standard channel) installed"
