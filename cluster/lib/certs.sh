# Certificates and kubeconfigs for the local cluster (sourced by up.sh).
# shellcheck shell=bash

# sign NAME CN ORG SAN(or "") [client|server|both]
_sign() {
  local name=$1 cn=$2 org=$3 san=$4 usage=${5:-client}
  local subj="/CN=$cn"; [[ -n $org ]] && subj="/O=$org/CN=$cn"
  local eku=clientAuth
  [[ $usage == server ]] && eku=serverAuth
  [[ $usage == both ]] && eku=serverAuth,clientAuth
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n $san ]] && echo "subjectAltName=$san"
  } > "$PKI/$name.ext"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

_kubeconfig() { # file user cert key server
  local file=$1 user=$2 cert=$3 key=$4 server=$5
  put "$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kdiag
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 < "$cert")
    client-key-data: $(base64 -w0 < "$key")
contexts:
- name: kdiag
  context:
    cluster: kdiag
    user: $user
current-context: kdiag
KC
  chmod 600 "$file"
}

ensure_certs() {
  local ip=$1
  mkdir -p "$PKI"
  if [[ ! -f $PKI/ca.crt ]]; then
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=kdiag-local-ca" -days 3650 -sha256 -out "$PKI/ca.crt" 2>/dev/null
  fi
  [[ -f $PKI/sa.key ]] || { openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null; openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null; }
  local san="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,DNS:$NODE_NAME,IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,IP:$ip"
  # Re-issue the serving certs when the node IP changed (another machine).
  if [[ ! -f $PKI/apiserver.crt ]] || ! openssl x509 -in "$PKI/apiserver.crt" -noout -text | grep -q "IP Address:$ip\b"; then
    _sign apiserver kube-apiserver "" "$san" server
    _sign kubelet-serving "system:node:$NODE_NAME" system:nodes "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$ip" server
  fi
  [[ -f $PKI/admin.crt ]] || _sign admin kdiag-admin system:masters ""
  [[ -f $PKI/apiserver-kubelet-client.crt ]] || _sign apiserver-kubelet-client kube-apiserver-kubelet-client system:masters ""
  [[ -f $PKI/controller-manager.crt ]] || _sign controller-manager system:kube-controller-manager "" ""
  [[ -f $PKI/scheduler.crt ]] || _sign scheduler system:kube-scheduler "" ""
  [[ -f $PKI/kubelet.crt ]] || _sign kubelet "system:node:$NODE_NAME" system:nodes ""
  [[ -f $PKI/kube-proxy.crt ]] || _sign kube-proxy system:kube-proxy "" ""
  [[ -f $PKI/kwok.crt ]] || _sign kwok kwok-controller system:masters ""

  local local_server=https://127.0.0.1:6443
  _kubeconfig "$KUBECONFIG_ADMIN" kdiag-admin "$PKI/admin.crt" "$PKI/admin.key" "$local_server"
  _kubeconfig "$STATE/controller-manager.kubeconfig" system:kube-controller-manager "$PKI/controller-manager.crt" "$PKI/controller-manager.key" "$local_server"
  _kubeconfig "$STATE/scheduler.kubeconfig" system:kube-scheduler "$PKI/scheduler.crt" "$PKI/scheduler.key" "$local_server"
  _kubeconfig "$STATE/kubelet.kubeconfig" "system:node:$NODE_NAME" "$PKI/kubelet.crt" "$PKI/kubelet.key" "$local_server"
  _kubeconfig "$STATE/kube-proxy.kubeconfig" system:kube-proxy "$PKI/kube-proxy.crt" "$PKI/kube-proxy.key" "$local_server"
  _kubeconfig "$STATE/kwok.kubeconfig" kwok-controller "$PKI/kwok.crt" "$PKI/kwok.key" "$local_server"
  chmod 600 "$PKI"/*.key
}
