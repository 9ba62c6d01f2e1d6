#!/bin/sh
# wget for the local busybox image. Debian's busybox 1.35 wget crashes (SIGSEGV)
# as soon as it is given -T, so -T/--timeout is taken off here and applied with
# busybox's timeout; on expiry it says what busybox's wget says and exits 1.
t=
n=$#
i=0
while [ "$i" -lt "$n" ]; do
  a=$1; shift; i=$((i + 1))
  case $a in
    -T|--timeout) t=$1; shift; i=$((i + 1)) ;;
    --timeout=*) t=${a#--timeout=} ;;
    --*) set -- "$@" "$a" ;;
    -T*) t=${a#-T} ;;
    -*T) t=$1; shift; i=$((i + 1)); set -- "$@" "${a%T}" ;;
    -*T[0-9]*) t=${a#*T}; set -- "$@" "${a%%T*}" ;;
    *) set -- "$@" "$a" ;;
  esac
done
if [ -n "$t" ]; then
  /bin/busybox timeout "$t" /bin/busybox wget "$@"
  rc=$?
  if [ "$rc" -eq 143 ] || [ "$rc" -eq 124 ]; then
    echo "wget: download timed out" >&2
    exit 1
  fi
  exit "$rc"
fi
exec /bin/busybox wget "$@"
