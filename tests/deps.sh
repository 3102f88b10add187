#!/bin/sh
# Install the Debian packages that building and testing latch need, if any
# are missing. Used by `make check`, `make demo` and `make bench`;
# `tests/deps.sh --list` prints the list (.ci/run installs it).
set -e
PKGS="gcc g++ make pkg-config libelf-dev libdw-dev libcapstone-dev libcurl4-openssl-dev check groff-base python3"
# latch-static (make static): the static archives of libdw's and libelf's
# compression libraries (libstdc++.a comes with g++, libc.a with libc6-dev)
PKGS="$PKGS zlib1g-dev liblzma-dev libbz2-dev"
# the debug-information tests: separate and compressed debug files, libc's
# DWARF, and libdw's debuginfod client
PKGS="$PKGS binutils xz-utils libc6-dbg libdebuginfod1"
# the OTLP tests' decoder: protoc
# compiles opentelemetry-proto (tests/otlp/protos.sh) for python3-protobuf
PKGS="$PKGS protobuf-compiler python3-protobuf"
[ -n "${LATCH_BENCH_DEPS:-}" ] && PKGS="$PKGS ltrace bpftrace"
[ "${1:-}" = --list ] && { echo $PKGS; exit 0; }
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "latch: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
