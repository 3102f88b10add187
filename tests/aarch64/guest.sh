#!/bin/sh
# Run test programs inside a real arm64 Linux kernel under qemu-system-aarch64.
#
#   sh tests/aarch64/guest.sh [deps|build|boot|all]    (default: all)
#
# deps:  install the cross compiler, qemu, arm64 multiarch libraries and cpio
#        (idempotent), and extract Debian's arm64 kernel into build/aarch64/
#        (apt-get download + dpkg-deb -x: the package is never installed).
# build: cross-build /init and the tests, pack them with the arm64 shared
#        libraries they need into build/aarch64/initrd.gz.
# boot:  boot the guest, log the console to build/aarch64/console.log, exit 0
#        only if it prints "GUEST-RESULT: N passed, 0 failed" with N >= 1.
#
# Environment: LATCH_GUEST_TIMEOUT (seconds, default 300), CROSS (compiler
# prefix, default aarch64-linux-gnu-).
set -e
cd "$(dirname "$0")/../.."
SRC=tests/aarch64
OUT=build/aarch64
CROSS=${CROSS:-aarch64-linux-gnu-}
CC="${CROSS}gcc"
TIMEOUT=${LATCH_GUEST_TIMEOUT:-300}
CFLAGS="-std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE"

say() { echo "guest: $*" >&2; }
die() { echo "guest: error: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

deps() {
	PKGS="gcc-aarch64-linux-gnu qemu-system-arm cpio libc6:arm64 libc6-dev:arm64
	      libdw-dev:arm64 libelf-dev:arm64 libcapstone-dev:arm64"
	missing=""
	for p in $PKGS; do installed "$p" || missing="$missing $p"; done
	updated=""
	if [ -n "$missing" ]; then
		t=$(now)
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			say "dpkg --add-architecture arm64"
			$SUDO dpkg --add-architecture arm64
		fi
		say "apt-get update"
		$SUDO apt-get update -qq
		updated=1
		say "installing$missing"
		# Multi-Arch: same libraries must have the same version for amd64
		# and arm64, so this may upgrade a few amd64 libraries too.
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
			--no-install-recommends $missing >/dev/null
		say "packages installed in $(elapsed "$t") s"
	fi
	if ! ls "$OUT"/vmlinuz >/dev/null 2>&1; then
		t=$(now)
		mkdir -p "$OUT/kernel"
		# linux-image-arm64 is a metapackage; its Depends names the image.
		img=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
		if [ -z "$img" ] && [ -z "$updated" ]; then
			$SUDO apt-get update -qq
			img=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
				sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1)
		fi
		[ -n "$img" ] || die "cannot resolve linux-image-arm64:arm64 (is arm64 added and apt updated?)"
		say "downloading $img:arm64 (extracted, not installed)"
		rm -f "$OUT"/kernel/*.deb
		(cd "$OUT/kernel" && apt-get download -q "$img:arm64" >/dev/null)
		deb=$(ls "$OUT"/kernel/*.deb)
		rm -rf "$OUT/kernel/root"
		dpkg-deb -x "$deb" "$OUT/kernel/root"
		vmlinuz=$(ls "$OUT"/kernel/root/boot/vmlinuz-* | head -n 1)
		cp "$vmlinuz" "$OUT/vmlinuz.tmp"
		cp "$OUT"/kernel/root/boot/config-* "$OUT/kernel.config"
		mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
		# Keep only what we use: the image package unpacks to ~300 MB of modules.
		rm -rf "$OUT/kernel/root"
		say "kernel $(basename "$vmlinuz") ($(du -k "$deb" | cut -f1) KiB .deb) in $(elapsed "$t") s"
	fi
}
