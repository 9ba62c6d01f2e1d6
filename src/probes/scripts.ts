// The fixed scripts the probe pods run. Targets arrive only as positional arguments
// ($1...) and are always quoted, so nothing a user types is ever parsed by the shell.
// Output blocks are framed by `KDIAG<nonce>` markers: the nonce is random per run, so an
// answer (a DNS name, an HTTP body) cannot forge a marker line.
// Both end with `KDIAG<nonce> done`: kdiag, following the log, has the result at once
// instead of waiting for the kubelet to notice that the container exited (up to a second).
// Both first wait the settle time: enforcers such as kube-router program NetworkPolicy
// rules for a new pod asynchronously, and packets sent before that escape the policies.
// No script writes a file: the probe pod has a read-only root filesystem and no volume (a
// volume alone costs the pod ≈ 0.3 s: the kubelet checks mounts every 300 ms before it
// starts the sandbox). Work done in parallel prints each of its blocks with one printf of
// well under PIPE_BUF (4 KiB) bytes, newline included: one write() to the container's
// stdout pipe, which the kernel never interleaves with another; blocks come in any order.

/**
 * busybox nslookup, with the resolver's search-list walk done here: busybox's own
 * handling of search domains differs between versions, so every attempt is an absolute
 * name (trailing dot) and the order is the one glibc/musl follow (ndots rule).
 * Args: nonce, per-attempt timeout (s), settle time (s), then one name per lookup; a name
 * ending in '.' is looked up as is. After an optional `--direct`, pairs SERVER NAME: NAME
 * (absolute) asked of that server alone (each CoreDNS pod and the DNS Service), all at
 * once, each block `KDIAG<nonce> direct J SERVER NAME` … `KDIAG<nonce> directed rc= ms=`
 * (blocks in the order they finish).
 */
export const DNS_SCRIPT = `n=$1; t=$2; w=$3; shift 3
[ "$w" -gt 0 ] && sleep "$w"
ms() { s=$(date +%s%N 2>/dev/null); case $s in ''|*[!0-9]*) read u _ </proc/uptime; u=\${u%.*}\${u#*.}; echo $((u*10));; *) echo $((s/1000000));; esac; }
case $(date +%s%N 2>/dev/null) in ''|*[!0-9]*) res=10;; *) res=1;; esac
ndots=1; search=''
while read -r k v; do case $k in search) search=$v;; options) for o in $v; do case $o in ndots:*) ndots=\${o#ndots:};; esac; done;; esac; done </etc/resolv.conf
echo "KDIAG$n resolv.conf"
cat /etc/resolv.conf
i=0
while [ $# -gt 0 ] && [ "$1" != --direct ]; do
  q=$1; shift
  echo "KDIAG$n lookup $i $q"
  case $q in
    *.) cands=$q;;
    *) d=$(printf %s "$q" | tr -cd . | wc -c); s=''; for x in $search; do s="$s $q.$x."; done
       if [ "$d" -ge "$ndots" ]; then cands="$q. $s"; else cands="$s $q."; fi;;
  esac
  for c in $cands; do
    echo "KDIAG$n try $c"
    a=$(ms)
    out=$(nslookup -timeout="$t" -retry=1 "$c" 2>&1); r=$?
    b=$(ms)
    printf '%s\\n' "$out"
    echo "KDIAG$n tried rc=$r ms=$((b-a)) res=$res"
    case $out in *'Name:'*|*'canonical name'*) break;; esac
    case $out in *'timed out'*|*SERVFAIL*|*REFUSED*) break;; esac
  done
  echo "KDIAG$n end $i"
  i=$((i+1))
done
[ $# -gt 0 ] && shift
j=0
while [ $# -ge 2 ]; do
  (
    a=$(ms)
    out=$(nslookup -timeout="$t" -retry=1 "$2" "$1" 2>&1); r=$?
    b=$(ms)
    printf '%s' "KDIAG$n direct $j $1 $2
$(printf '%s\n' "$out" | head -c 3000)
KDIAG$n directed rc=$r ms=$((b-a))
"
  ) &
  j=$((j+1)); shift 2
done
wait
echo "KDIAG$n done $i"
`;

/**
 * curl for every target at once (in the background, each printing its result and body
 * lines in one write when it is done). Args: nonce, connect timeout (s), settle time (s), then pairs
 * MODE URL with MODE http (GET, timing breakdown, first bytes of the body) or tcp
 * (telnet:// connect only: it sends nothing, so a connection stays open until the
 * timeout, and "connected" is read from time_connect), or node: http to PORT/PATH on the
 * probe's own node (its IP from the downward API, $KDIAG_NODE_IP; kube-proxy's health).
 * At most 24 curls run at once (the pod's memory limit), in batches.
 */
export const CURL_SCRIPT = `n=$1; t=$2; w=$3; shift 3
[ "$w" -gt 0 ] && sleep "$w"
i=0
while [ $# -ge 2 ]; do
  (
    m=$1; u=$2
    if [ "$m" = node ]; then m=http; u="http://$KDIAG_NODE_IP:$u"; fi
    f="KDIAG$n result $i %{exitcode} %{http_code} %{remote_ip} %{remote_port} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total} %{errormsg}"
    if [ "$m" = tcp ]; then
      o=$(curl -s -o /dev/null --connect-timeout "$t" -m "$t" -w "$f" "$u" </dev/null 2>&1)
      printf '%s' "$(printf '%s' "$o" | head -c 1000)
"
    else
      # The body first, then the write-out after a separator with the nonce (a server cannot write it).
      o=$(curl -s -k --max-filesize 65536 --connect-timeout "$t" -m $((t * 2)) -H 'User-Agent: kdiag-probe' -w "KDIAG\${n}W$f" "$u" </dev/null 2>&1)
      w=\${o##*KDIAG\${n}W}; b=\${o%KDIAG\${n}W*}
      printf '%s' "$(printf '%s' "$w" | head -c 1000)
KDIAG$n body $i $(printf '%s' "$b" | head -c 300 | tr '\\r\\n' '  ')
"
    fi
  ) &
  i=$((i + 1)); shift 2
  [ $((i % 24)) -eq 0 ] && wait
done
wait
echo "KDIAG$n done $i"
`;

/**
 * The hairpin test, run in an ephemeral container inside the pod under test (its network
 * namespace): every URL in parallel, each printing one line (a single write, so lines of
 * parallel curls do not mix; nothing is written to files: an ephemeral container gets no
 * writable volume). Args: nonce, timeout (s), then URLs. Lines:
 * `KDIAG<nonce> hairpin INDEX EXIT HTTP_CODE CONNECT_SECONDS BODY…` and `KDIAG<nonce> done N`.
 */
export const HAIRPIN_SCRIPT = `n=$1; t=$2; shift 2
i=0
for u in "$@"; do
  (
    o=$(curl -s -k --connect-timeout "$t" -m "$t" -H 'User-Agent: kdiag-probe' -w '
KDIAGW%{exitcode} %{http_code} %{time_connect}' "$u" 2>/dev/null | tr -d '\\r' | tail -c 600)
    w=\${o##*KDIAGW}; b=\${o%KDIAGW*}
    printf 'KDIAG%s hairpin %s %s %s\\n' "$n" "$i" "$w" "$(printf %s "$b" | tr '\\n' ' ' | head -c 300)"
  ) &
  i=$((i + 1))
  sleep 0.05 2>/dev/null
done
wait
echo "KDIAG$n done $i"
`;

/**
 * One real request through a controller, as a client would send it: curl to the URL with its
 * connection sent to the controller's address (--connect-to: SNI and Host stay the URL's), the
 * certificate accepted whatever it is (-k: it is reported, not judged, here) and described
 * by curl's %{certs} (only its name, issuer and date lines are kept).
 * Args: nonce, timeout (s), settle time (s), URL, HOST:PORT:ADDRESS:ADDRESS_PORT for --connect-to.
 */
export const REQUEST_SCRIPT = `n=$1; t=$2; w=$3; u=$4; r=$5
[ "$w" -gt 0 ] && sleep "$w"
o=$(curl -s -k --max-filesize 65536 --connect-timeout "$t" -m $((t * 2)) -H 'User-Agent: kdiag-probe' --connect-to "$r" \\
  -w "KDIAG\${n}WKDIAG$n result %{exitcode} %{http_code} %{remote_ip} %{remote_port} %{errormsg}\\nKDIAG$n certs\\n%{certs}\\nKDIAG$n endcerts\\n" "$u" </dev/null 2>&1)
printf '%s\\n' "\${o##*KDIAG\${n}W}" | while IFS= read -r l; do
  case $l in "KDIAG$n"*|Subject:*|Issuer:*|'X509v3 Subject Alternative Name:'*|'Start date:'*|'Expire date:'*) printf '%s\\n' "$l";; esac
done
printf 'KDIAG%s body ' "$n"
printf '%s' "\${o%KDIAG\${n}W*}" | head -c 600 | tr '\\r\\n' '  '
echo
echo "KDIAG$n done 1"
`;
