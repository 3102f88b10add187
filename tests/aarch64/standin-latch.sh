#!/bin/sh
# A stand-in for latch in the arm64 guest, to test the e2e pipeline before
# latch is built for arm64 (sh tests/aarch64/guest.sh e2e standin): it
# answers -h, -V and usage errors like latch and fails to trace anything,
# so e2e.py runs end to end and reports a few passes and many clean failures.
case ${1-} in
-h) echo "usage: latch [options] PROBE... [-- COMMAND [ARG...]] | -p PID PROBE... (stand-in)"; exit 0 ;;
-V) echo "latch 0.0.0 (stand-in)"; exit 0 ;;
'') echo "latch: no probe given" >&2; exit 2 ;;
--bogus) echo "latch: unknown option --bogus" >&2; exit 2 ;;
-f) [ "$2" = xml ] && { echo "latch: bad format" >&2; exit 2; } ;;
-s|-n) case $2 in *[!0-9]*) echo "latch: bad number '$2'" >&2; exit 2 ;; esac ;;
-p) [ -d "/proc/$2" ] || { echo "latch: no process $2" >&2; exit 1; } ;;
esac
[ $# -eq 1 ] && { echo "latch: no command and no -p" >&2; exit 2; }
echo "latch: this is a stand-in, it cannot trace" >&2
exit 1
