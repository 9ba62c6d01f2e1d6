#!/usr/bin/env bash
# Fault: one of three replicas Ready but not serving on the Service's target port. Service
# NAME (port 80 → 8080) selects app=NAME; Deployment NAME-ok runs two backends on 8080, and
# Deployment NAME-odd one backend that serves only 9090, with its readiness probe on 9090,
# so it is Ready and an endpoint, yet refuses the Service's traffic.
#   not-serving.sh inject NAMESPACE [NAME]   (creates the namespace if needed)
#   not-serving.sh undo NAMESPACE [NAME]
source "$(dirname "$0")/lib.sh"
ns=${2:?namespace}; name=${3:-shop}
manifest() {
  cat <<YAML
apiVersion: v1
kind: Service
metadata: {name: $name, namespace: $ns}
spec:
  selector: {app: $name}
  ports: [{name: http, port: 80, targetPort: 8080}]
YAML
  for variant in ok odd; do
    if [[ $variant == ok ]]; then replicas=2; port=8080; else replicas=1; port=9090; fi
    cat <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: $name-$variant, namespace: $ns}
spec:
  replicas: $replicas
  selector: {matchLabels: {app: $name, variant: $variant}}
  template:
    metadata: {labels: {app: $name, variant: $variant}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: backend
        image: kdiag.local/backend:1.0
        imagePullPolicy: IfNotPresent
        env: [{name: NAME, value: $name-$variant}, {name: HTTP_PORTS, value: "$port"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /health, port: $port}, periodSeconds: 1}
        resources: {requests: {cpu: 5m, memory: 16Mi}, limits: {memory: 64Mi}}
YAML
  done
}
case ${1:-} in
  inject)
    kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns" >/dev/null
    manifest | kubectl apply -f - >/dev/null
    kubectl -n "$ns" rollout status deployment "$name-ok" --timeout=120s >/dev/null
    kubectl -n "$ns" rollout status deployment "$name-odd" --timeout=120s >/dev/null
    note "$ns/$name: 2 replicas serve 8080, 1 is Ready but serves only 9090"
    ;;
  undo)
    manifest | kubectl delete --ignore-not-found -f - >/dev/null
    note "$ns/$name removed"
    ;;
  *) die "usage: $0 inject|undo NAMESPACE [NAME]" ;;
esac
