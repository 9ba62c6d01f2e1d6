#!/usr/bin/env bash
# Regenerates go.mod for the hyperkube module from the k8s.io/kubernetes tag:
# every staging module (replaced by ./staging/... upstream) is replaced by its
# published v0.MINOR.PATCH. Run by hand when bumping K8S_VERSION.
set -euo pipefail
cd "$(dirname "$0")"
K8S_VERSION=${K8S_VERSION:-v1.35.8}
STAGING_VERSION=v0.${K8S_VERSION#v1.}
modfile=$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
{
  echo "module kdiag.local/cluster/k8s"
  echo
  echo "go 1.25.0"
  echo
  echo "godebug default=go1.25"
  echo
  echo "require k8s.io/kubernetes ${K8S_VERSION}"
  echo
  echo "replace ("
  grep -E '^\s+k8s\.io/[a-z0-9-]+ => \./staging/' "$modfile" | awk -v v="$STAGING_VERSION" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} > go.mod
go mod tidy
