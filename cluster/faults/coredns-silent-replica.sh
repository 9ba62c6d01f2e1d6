#!/usr/bin/env bash
# Fault: one of two DNS replicas does not answer. Next to the CoreDNS pod, a pod labelled
# k8s-app=kube-dns (so the kube-dns Service sends it a share of every lookup) runs the
# scenario's HTTP backend instead of a DNS server: it declares the DNS ports but listens only
# on 8080, where its TCP readiness probe passes, so it is Ready and an endpoint of the DNS
# Service, yet port 53 is closed. undo deletes it and waits until the endpoints are CoreDNS's only.
#   coredns-silent-replica.sh inject
#   coredns-silent-replica.sh undo
source "$(dirname "$0")/lib.sh"
NAME=kdiag-fault-silent-dns
case ${1:-} in
  inject)
    kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $NAME
  namespace: kube-system
  labels: {k8s-app: kube-dns, kdiag.dev/fault: silent-replica}
spec:
  terminationGracePeriodSeconds: 1
  automountServiceAccountToken: false
  securityContext: {seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: not-dns
    image: kdiag.local/backend:1.0
    imagePullPolicy: IfNotPresent
    env: [{name: NAME, value: $NAME}, {name: HTTP_PORTS, value: "8080"}]
    ports:
    - {name: dns, containerPort: 53, protocol: UDP}
    - {name: dns-tcp, containerPort: 53, protocol: TCP}
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    resources: {requests: {cpu: 5m, memory: 16Mi}, limits: {memory: 64Mi}}
YAML
    kubectl -n kube-system wait --for=condition=Ready pod/$NAME --timeout=120s >/dev/null
    ip=$(kubectl -n kube-system get pod $NAME -o jsonpath='{.status.podIP}')
    for _ in $(seq 1 120); do
      ready=$(kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns \
        -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\n"}{end}')
      grep -qx "$ip" <<<"$ready" && break
      sleep 0.5
    done
    note "pod kube-system/$NAME ($ip) is a Ready endpoint of kube-dns and does not serve DNS"
    ;;
  undo)
    kubectl -n kube-system delete pod $NAME --ignore-not-found --wait=true >/dev/null
    wait_dns_endpoints || die "CoreDNS did not come back"
    note "pod kube-system/$NAME removed"
    ;;
  *) die "usage: $0 inject | undo" ;;
esac
