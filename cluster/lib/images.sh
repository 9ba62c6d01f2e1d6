# Builds the cluster's container images locally (OCI layout tar, one layer) and
# imports them into containerd's k8s.io namespace (sourced by up.sh).
# shellcheck shell=bash

IMG_PAUSE=registry.k8s.io/pause:3.10
IMG_BUSYBOX=docker.io/library/busybox:1.36
IMG_CURL=docker.io/curlimages/curl:8.11.1
IMG_COREDNS=registry.k8s.io/coredns/coredns:v1.15.0
IMG_KUBE_ROUTER=docker.io/cloudnativelabs/kube-router:v2.1.0
IMG_BACKEND=kdiag.local/backend:1.0
IMG_TRAEFIK=kdiag.local/traefik:v3.7.13

# Copy files (following symlinks) plus the shared libraries they load.
_copy_with_libs() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
      [[ -e $root$lib ]] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

_base_etc() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/home"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
}

_busybox_into() {
  local root=$1 applet
  mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    [[ $applet == bin/busybox ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    [[ -e $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
  done
}

_json_array() { local out="" a; for a in "$@"; do out+="${out:+,}\"$a\""; done; printf '[%s]' "$out"; }

# _oci_tar REF ROOTFS OUT.tar ENTRYPOINT_JSON CMD_JSON USER
_oci_tar() {
  local ref=$1 root=$2 out=$3 entry=$4 cmd=$5 user=$6
  local d; d=$(mktemp -d)
  mkdir -p "$d/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$d/layer.tar" .
  local ldig lsize; ldig=$(sha256sum "$d/layer.tar" | cut -d' ' -f1); lsize=$(stat -c %s "$d/layer.tar")
  mv "$d/layer.tar" "$d/blobs/sha256/$ldig"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":%s,"Cmd":%s,"User":"%s","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"kdiag cluster/lib/images.sh"}]}' \
    "$entry" "$cmd" "$user" "$ldig" > "$d/config.json"
  local cdig csize; cdig=$(sha256sum "$d/config.json" | cut -d' ' -f1); csize=$(stat -c %s "$d/config.json")
  mv "$d/config.json" "$d/blobs/sha256/$cdig"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cdig" "$csize" "$ldig" "$lsize" > "$d/manifest.json"
  local mdig msize; mdig=$(sha256sum "$d/manifest.json" | cut -d' ' -f1); msize=$(stat -c %s "$d/manifest.json")
  mv "$d/manifest.json" "$d/blobs/sha256/$mdig"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$d/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$mdig" "$msize" "$ref" "$ref" > "$d/index.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf "$out" oci-layout index.json blobs
  rm -rf "$d"
  echo "sha256:$mdig"
}

# _image REF BUILDER_FN ENTRYPOINT_JSON CMD_JSON USER: build, import if missing/changed.
_image() {
  local ref=$1 builder=$2 entry=$3 cmd=$4 user=$5
  mkdir -p "$CACHE/images"
  local keyf=$CACHE/images/$(echo "$ref" | tr '/:' '__').key key
  # Inputs: this script, the binaries' build keys, the Debian packages copied in.
  key=$( { echo "$ref $entry $cmd $user"; cat "${BASH_SOURCE[0]}" "$CLUSTER_DIR"/images/* | sha256sum; cat "$CACHE"/stamps/* 2>/dev/null;
           dpkg-query -W busybox-static curl iptables ipset libc6 ca-certificates 2>/dev/null; } | sha256sum | cut -c1-16)
  if [[ -f $keyf && $(cat "$keyf") == "$key" ]] && ctrk images ls -q "name==$ref" 2>/dev/null | grep -q .; then
    log "image $ref up to date"
    return 0
  fi
  local root; root=$(mktemp -d)
  "$builder" "$root"
  local tarf=$CACHE/images/$(echo "$ref" | tr '/:' '__').tar
  mkdir -p "$CACHE/images"
  local dig; dig=$(_oci_tar "$ref" "$root" "$tarf" "$entry" "$cmd" "$user")
  rm -rf "$root"
  if ctrk images ls "name==$ref" 2>/dev/null | grep -q "$dig"; then
    echo "$key" > "$keyf"
    log "image $ref up to date"
    return 0
  fi
  ctrk images import --no-unpack=false "$tarf" >/dev/null 2>"$LOGS/ctr-import.log" || ctrk images import "$tarf" >/dev/null
  ctrk images ls -q "name==$ref" | grep -q . || die "import of $ref failed (see $LOGS/ctr-import.log)"
  echo "$key" > "$keyf"
  log "image $ref imported ($dig)"
}

_rootfs_pause() { install -m755 "$BIN/pause" "$1/pause"; }
# Debian's busybox is static glibc: its getaddrinfo (wget, nc, ping with names)
# loads glibc's NSS modules at run time and crashes without them.
_glibc_nss_into() {
  local f
  for f in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
    [[ -e $f ]] && _copy_with_libs "$1" "$f"
  done
  true
}
# busybox's ash runs its own wget applet even when PATH has another wget, so
# /bin/sh is Debian's dash here (busybox's shell stays available as ash) and
# /usr/bin/wget is the -T-safe wrapper.
_wget_fix() {
  rm -f "$1/usr/bin/wget" "$1/bin/sh"
  install -m755 "$CLUSTER_DIR/images/wget-timeout.sh" "$1/usr/bin/wget"
  _copy_with_libs "$1" /bin/dash
  ln -s dash "$1/bin/sh"
}
_rootfs_busybox() { _base_etc "$1"; _busybox_into "$1"; _glibc_nss_into "$1"; _wget_fix "$1"; }
_rootfs_curl() {
  _base_etc "$1"; _busybox_into "$1"; _glibc_nss_into "$1"; _wget_fix "$1"
  rm -f "$1/usr/bin/curl"
  _copy_with_libs "$1" /usr/bin/curl
  mkdir -p "$1/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"
  printf '#!/bin/sh\n# curl image entrypoint: flags alone mean "curl FLAGS".\nif [ "${1#-}" != "$1" ]; then set -- curl "$@"; fi\nexec "$@"\n' > "$1/entrypoint.sh"
  chmod 755 "$1/entrypoint.sh"
}
_rootfs_coredns() { _base_etc "$1"; install -m755 "$BIN/coredns" "$1/coredns"; }
_rootfs_backend() { _base_etc "$1"; install -m755 "$BIN/backend" "$1/backend"; }
_rootfs_traefik() {
  _base_etc "$1"; install -m755 "$BIN/traefik" "$1/traefik"
  printf 'traefik:x:65532:65532:traefik:/tmp:/bin/false\n' >> "$1/etc/passwd"
  mkdir -p "$1/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"
}
_rootfs_kube_router() {
  local r=$1 n
  _base_etc "$r"; _busybox_into "$r"
  install -m755 "$BIN/kube-router" "$r/usr/local/bin/kube-router" 2>/dev/null || { mkdir -p "$r/usr/local/bin"; install -m755 "$BIN/kube-router" "$r/usr/local/bin/kube-router"; }
  _copy_with_libs "$r" /usr/sbin/xtables-nft-multi /usr/sbin/ipset
  for n in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore \
           iptables-nft iptables-nft-save iptables-nft-restore ip6tables-nft ip6tables-nft-save ip6tables-nft-restore; do
    rm -f "$r/usr/sbin/$n" "$r/sbin/$n"
    ln -s xtables-nft-multi "$r/usr/sbin/$n"
  done
  mkdir -p "$r/usr/lib/x86_64-linux-gnu/xtables"
  _copy_with_libs "$r" /usr/lib/x86_64-linux-gnu/xtables/*.so
  cp -L /etc/protocols /etc/services "$r/etc/" 2>/dev/null || true
  [[ -f /etc/ethertypes ]] && cp -L /etc/ethertypes "$r/etc/"
  true
}

ensure_traefik_image() { _image "$IMG_TRAEFIK" _rootfs_traefik '["/traefik"]' 'null' '65532:65532'; }

ensure_images() {
  _image "$IMG_PAUSE" _rootfs_pause '["/pause"]' 'null' '65535:65535'
  _image "$IMG_BUSYBOX" _rootfs_busybox 'null' '["sh"]' ''
  _image "$IMG_CURL" _rootfs_curl '["/entrypoint.sh"]' '["curl"]' '65534:65534'
  _image "$IMG_COREDNS" _rootfs_coredns '["/coredns"]' 'null' ''
  _image "$IMG_BACKEND" _rootfs_backend '["/backend"]' 'null' ''
  ensure_traefik_image
  _image "$IMG_KUBE_ROUTER" _rootfs_kube_router '["/usr/local/bin/kube-router"]' 'null' ''
}
