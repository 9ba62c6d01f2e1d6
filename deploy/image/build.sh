#!/usr/bin/env bash
# Builds kdiag's container image from the single executable (npm run build:single):
# one layer holding build/out/kdiag, the shared libraries it loads, CA certificates and a
# passwd entry for the unprivileged user 65532. No Dockerfile, no daemon: the result is an
# OCI image layout archive that containerd imports and skopeo/crane/oras push.
#
#   bash deploy/image/build.sh [--ref REF] [--out FILE] [--import [--address SOCKET]]
#
#   --ref      image name (default kdiag.local/kdiag:<package.json version>)
#   --out      archive to write (default build/out/kdiag-image.tar)
#   --import   also import it into containerd's k8s.io namespace (ctr images import), for a
#              cluster that runs on this machine; --address picks containerd's socket.
#
# Push it to a registry, e.g.:  skopeo copy oci-archive:build/out/kdiag-image.tar docker://registry.example/kdiag:0.1.0
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT/package.json" 2>/dev/null || sed -n 's/.*"version": "\(.*\)".*/\1/p' "$ROOT/package.json" | head -n 1)
REF=kdiag.local/kdiag:$VERSION
OUT=$ROOT/build/out/kdiag-image.tar
IMPORT=0
ADDRESS=/run/containerd/containerd.sock
while [[ $# -gt 0 ]]; do
  case $1 in
    --ref) REF=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --import) IMPORT=1; shift ;;
    --address) ADDRESS=$2; shift 2 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
BIN=$ROOT/build/out/kdiag
[[ -x $BIN ]] || { echo "build.sh: $BIN is missing: run npm run build:single first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/etc/ssl/certs"
chmod 1777 "$rootfs/tmp"
install -m755 "$BIN" "$rootfs/usr/local/bin/kdiag"
# The executable is Node: it loads libc, libstdc++ and friends from the build machine.
for lib in $(ldd "$BIN" | grep -o '/[^ ]*' | sort -u); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
[[ -f /etc/ssl/certs/ca-certificates.crt ]] && cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nkdiag:x:65532:65532:kdiag:/tmp:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nkdiag:x:65532:\n' > "$rootfs/etc/group"

# OCI image layout: layer, config, manifest, index (sha256-addressed blobs).
oci=$work/oci
mkdir -p "$oci/blobs/sha256"
blob() { # FILE -> prints "digest size", moves FILE into blobs/
  local d s; d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
  mv "$1" "$oci/blobs/sha256/$d"
  echo "$d $s"
}
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
read -r ldig lsize < <(blob "$work/layer.tar")
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"User":"65532:65532","Env":["PATH=/usr/local/bin:/usr/bin:/bin","HOME=/tmp","NO_COLOR=1","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],"Entrypoint":["/usr/local/bin/kdiag"],"Cmd":["check","--all-namespaces","-o","prometheus","--quiet"],"WorkingDir":"/tmp","Labels":{"org.opencontainers.image.title":"kdiag","org.opencontainers.image.version":"$VERSION"}},"rootfs":{"type":"layers","diff_ids":["sha256:$ldig"]},"history":[{"created_by":"deploy/image/build.sh"}]}
JSON
read -r cdig csize < <(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$cdig" "$csize" "$ldig" "$lsize" > "$work/manifest.json"
read -r mdig msize < <(blob "$work/manifest.json")
printf '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$mdig" "$msize" "$REF" "$REF" > "$oci/index.json"
mkdir -p "$(dirname "$OUT")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$oci" -cf "$OUT" oci-layout index.json blobs
echo "image $REF: $OUT (sha256:$mdig, $((lsize / 1024 / 1024)) MB layer)"

if [[ $IMPORT == 1 ]]; then
  ctr --address "$ADDRESS" -n k8s.io images import "$OUT" >/dev/null
  ctr --address "$ADDRESS" -n k8s.io images ls -q "name==$REF" | grep -q . || { echo "build.sh: import of $REF failed" >&2; exit 1; }
  echo "imported into containerd (k8s.io) at $ADDRESS"
fi
