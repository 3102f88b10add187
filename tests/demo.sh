#!/bin/sh
# `make demo`: build the demo target and trace it with latch.
# Usage: tests/demo.sh BINARY. Exits with latch's status.
bin=${1:?usage: tests/demo.sh BINARY}
case $bin in
*/*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
cd "$(dirname "$0")/.." || exit 1
mkdir -p build/demo || exit 1
${CC:-cc} -O0 -g -fno-inline -o build/demo/demo tests/targets/demo.c || exit 1
echo "\$ latch 'parse_request' 'lookup' 'handle' -- build/demo/demo"
"$bin" 'parse_request' 'lookup' 'handle' -- build/demo/demo
status=$?
echo "(latch exited with status $status)"
exit $status
