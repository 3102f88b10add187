#!/bin/sh
# End-to-end tests: tests/e2e/run.sh LATCH_BINARY [SUBSTRING...]
# The tests live in e2e.py (see its header); this wrapper keeps `make e2e`'s
# `sh tests/e2e/run.sh build/latch` working.
exec python3 "$(dirname "$0")/e2e.py" "$@"
