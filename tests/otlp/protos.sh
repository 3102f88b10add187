#!/bin/sh
# The OpenTelemetry protocol definitions the OTLP tests decode with, as
# Python modules: tests/otlp/protos.sh [OUTDIR]   (default build/otlp)
#
# The .proto files of opentelemetry-proto come from the official
# OpenTelemetry JavaScript package @opentelemetry/otlp-grpc-exporter-base,
# whose 0.38.0 is the newest release that ships them (build/protos/; later
# releases compile them into JavaScript). Its trace.proto has ScopeSpans
# (opentelemetry-proto 0.19). The tarball is fetched straight from the npm
# registry, checked against the registry's dist.integrity pinned below,
# and compiled with Debian's protoc (protobuf-compiler) for Debian's
# python3-protobuf runtime. Prints OUTDIR/py, the directory to put on
# sys.path (it holds opentelemetry/proto/.../*_pb2.py); a second run with
# the same pin only prints it.
set -eu
OUT=${1:-build/otlp}
PKG=@opentelemetry/otlp-grpc-exporter-base
VERSION=0.38.0
URL=https://registry.npmjs.org/$PKG/-/otlp-grpc-exporter-base-$VERSION.tgz
# dist.integrity "sha512-wwGxeJt80w+mIA0aE+K9OshkyEoYQrXuwXl1TNZBs9K7qE4AAiEuxU9cbd3VX3BTsp+xzNcDRWIb9WWkiU9+kA==",
# the same digest in hex (what sha512sum prints):
SHA512=c301b1789b7cd30fa6200d1a13e2bd3ac864c84a1842b5eec179754cd641b3d2bba84e0002212ec54f5c6dddd55f7053b29fb1ccd70345621bf565a4894f7e90
PROTOS="common/v1/common.proto resource/v1/resource.proto trace/v1/trace.proto
	collector/trace/v1/trace_service.proto"
STAMP="$PKG $VERSION $SHA512"

die() { echo "protos.sh: $*" >&2; exit 1; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ -f "$OUT/py/stamp" ] && [ "$(cat "$OUT/py/stamp")" = "$STAMP" ]; then
	echo "$OUT/py"
	exit 0
fi
command -v protoc >/dev/null || die "protoc not found (Debian package protobuf-compiler; make deps)"

TGZ=$OUT/otlp-grpc-exporter-base-$VERSION.tgz
if [ ! -f "$TGZ" ] || [ "$(sha512sum <"$TGZ" | cut -d' ' -f1)" != "$SHA512" ]; then
	rm -f "$TGZ.part"
	if command -v curl >/dev/null; then
		curl -fsSL --retry 3 -m 120 -o "$TGZ.part" "$URL" || die "downloading $URL failed"
	else
		python3 -c 'import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=120) as r, open(sys.argv[2], "wb") as f:
    f.write(r.read())' "$URL" "$TGZ.part" || die "downloading $URL failed"
	fi
	got=$(sha512sum <"$TGZ.part" | cut -d' ' -f1)
	[ "$got" = "$SHA512" ] || die "$URL: sha512 $got, expected $SHA512 (pinned)"
	mv "$TGZ.part" "$TGZ"
fi

# Into fresh directories, moved into place when complete: a run that
# fails halfway leaves no half-generated modules behind.
rm -rf "$OUT/src.tmp" "$OUT/py.tmp"
mkdir -p "$OUT/src.tmp" "$OUT/py.tmp"
members=""
for p in $PROTOS; do members="$members package/build/protos/opentelemetry/proto/$p"; done
# shellcheck disable=SC2086 # one member per word
tar -xzf "$TGZ" -C "$OUT/src.tmp" $members || die "$TGZ lacks some of: $PROTOS"
grep -q '^message ScopeSpans' "$OUT/src.tmp/package/build/protos/opentelemetry/proto/trace/v1/trace.proto" ||
	die "trace.proto of $PKG $VERSION has no ScopeSpans"
files=""
for p in $PROTOS; do files="$files opentelemetry/proto/$p"; done
# shellcheck disable=SC2086
(cd "$OUT/src.tmp/package/build/protos" && protoc -I. --python_out="$OUT/py.tmp" $files) ||
	die "protoc failed"
echo "$STAMP" >"$OUT/py.tmp/stamp"
rm -rf "$OUT/py" "$OUT/protos"
mv "$OUT/src.tmp/package/build/protos" "$OUT/protos"
rm -rf "$OUT/src.tmp"
mv "$OUT/py.tmp" "$OUT/py"
echo "$OUT/py"
