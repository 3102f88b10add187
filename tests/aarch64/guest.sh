#!/bin/sh
# Run test programs inside a real arm64 Linux kernel under qemu-system-aarch64.
#
#   sh tests/aarch64/guest.sh [deps|build|boot|all]    (default: all)
#   sh tests/aarch64/guest.sh e2e [LATCH|standin]
#
# deps:  install the cross compiler, qemu, arm64 multiarch libraries and cpio
#        (idempotent), and extract Debian's arm64 kernel into build/aarch64/
#        (apt-get download + dpkg-deb -x: the package is never installed).
# build: cross-build /init and the tests, pack them with the arm64 shared
#        libraries they need into build/aarch64/initrd.gz.
# boot:  boot the guest, log the console to build/aarch64/console.log, exit 0
#        only if it prints "GUEST-RESULT: N passed, 0 failed" with N >= 1.
# e2e:   the end-to-end suite (tests/e2e/e2e.py) inside the guest against
#        LATCH, an arm64 latch (default build/arm64/latch; "standin" uses
#        tests/aarch64/standin-latch.sh to test the pipeline): deps, then
#        cross-build tests/targets into build/aarch64/targets/VARIANT/
#        {O0,O2,O2-split} (C++ with ${CROSS}g++) and the debug-information
#        tests' files into .../VARIANT/debuginfo (tests/targets/debuginfo/
#        build.sh), stage python3.11 and a
#        static busybox from Debian arm64 packages (apt-get download +
#        dpkg-deb -x, never installed), build the initrd
#        with all of it, boot; exit 0 only if every variant's run prints
#        "e2e: N passed, 0 failed" with N >= 1, bti_check passed under
#        /latch, and nothing else failed.
#
# Guest tests of every mode: ptrace_smoke{,_bti,_dyn}, and bti_check on
# bti_target (tests/aarch64/bti_check.c): a freestanding program linked with
# -z force-bti, so that it runs with BTI enforced (Debian's crt and libc lack
# the property, so ordinary programs never do); untraced in every mode, and
# traced by /latch in e2e mode.
#
# Environment:
#   LATCH_GUEST_TIMEOUT  seconds before the guest is killed (default 300)
#   GUEST_BINS           extra arm64 programs (host paths) to put in /bin;
#                        their shared libraries are added automatically
#   GUEST_FILES          extra files or directories to copy to / as they are
#   GUEST_TESTS          a file of extra command lines for /tests.list
#   CROSS                cross compiler prefix (default aarch64-linux-gnu-)
#   QEMU_SMP             guest CPUs (default 2)
#   QEMU_CPU             -cpu value (default max,pauth-impdef=on)
# e2e only:
#   LATCH_GUEST_VARIANTS target builds to test (default "default pac-bti":
#                        plain, and -mbranch-protection=standard)
#   LATCH_E2E_SCALE      divides the threads target's 100000 calls (default
#                        10 in the guest; build.sh and e2e.py both read it)
#   LATCH_E2E_FILTER     substrings passed to e2e.py to select tests
#   LATCH_GUEST_STATIC   an arm64 latch-static: also run
#                        tests/static/clean_root.sh with it in the guest
#   LATCH_E2E_RUN_TIMEOUT seconds for one e2e.py run (default 1500); the
#                        guest timeout then defaults to the runs plus 120 s
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
	PKGS="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-system-arm cpio libc6:arm64 libc6-dev:arm64
	      libdw-dev:arm64 libelf-dev:arm64 libcapstone-dev:arm64 libcurl4-openssl-dev:arm64
	      zlib1g-dev:arm64 liblzma-dev:arm64 libbz2-dev:arm64
	      protobuf-compiler"
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
		# As root, apt would warn that its _apt user cannot write here.
		sandbox=""
		[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
		(cd "$OUT/kernel" && apt-get download -q $sandbox "$img:arm64" >/dev/null)
		deb=$(ls "$OUT"/kernel/*.deb)
		rm -rf "$OUT/kernel/root"
		dpkg-deb -x "$deb" "$OUT/kernel/root"
		vmlinuz=$(ls "$OUT"/kernel/root/boot/vmlinuz-* | head -n 1)
		cp "$vmlinuz" "$OUT/vmlinuz.tmp"
		cp "$OUT"/kernel/root/boot/config-* "$OUT/kernel.config"
		mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
		say "kernel $(basename "$vmlinuz") ($(du -k "$deb" | cut -f1) KiB .deb) in $(elapsed "$t") s"
		# Keep only what we use: the package unpacks to ~400 MB, mostly modules.
		rm -rf "$OUT/kernel"
	fi
}

ROOT=$OUT/root
E2E=""
DEBROOT=$OUT/e2e/debroot
LIBDIRS="/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib
	 $DEBROOT/usr/lib/aarch64-linux-gnu $DEBROOT/lib/aarch64-linux-gnu"

# Copy the program interpreter and every DT_NEEDED library of the ELF files
# given, transitively, into $ROOT (libraries go to /usr/lib/aarch64-linux-gnu,
# which is on ld.so's default path). A library next to a file whose RUNPATH
# (or RPATH) is $ORIGIN is already staged with it (the targets' libnote.so).
add_libs() {
	queue="$*"
	while [ -n "$queue" ]; do
		next=""
		for f in $queue; do
			# (2>/dev/null: debug files' PT_INTERP has no contents, and
			# readelf complains about it)
			interp=$("${CROSS}readelf" -lW "$f" 2>/dev/null |
				sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
			if [ -n "$interp" ] && [ ! -e "$ROOT$interp" ]; then
				mkdir -p "$ROOT$(dirname "$interp")"
				cp -L "$interp" "$ROOT$interp"
			fi
			origin=$("${CROSS}readelf" -dW "$f" 2>/dev/null |
				grep -E '\((RUNPATH|RPATH)\).*\[\$ORIGIN\]' || true)
			for lib in $("${CROSS}readelf" -dW "$f" 2>/dev/null |
				sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
				[ -n "$origin" ] && [ -e "$(dirname "$f")/$lib" ] && continue
				dst=$ROOT/usr/lib/aarch64-linux-gnu/$lib
				[ -e "$dst" ] && continue
				src=""
				for d in $LIBDIRS; do
					[ -e "$d/$lib" ] && { src=$d/$lib; break; }
				done
				[ -n "$src" ] || die "$f needs $lib, not found in $LIBDIRS"
				cp -L "$src" "$dst"
				next="$next $dst"
			done
		done
		queue=$next
	done
}

build() {
	t=$(now)
	command -v "$CC" >/dev/null || die "$CC not found: run '$0 deps'"
	say "cross-building init and tests with $CC"
	mkdir -p "$OUT/bin"
	$CC $CFLAGS -static -o "$OUT/bin/init" "$SRC/init.c"
	$CC $CFLAGS -static -o "$OUT/bin/ptrace_smoke" "$SRC/ptrace_smoke.c"
	$CC $CFLAGS -static -mbranch-protection=standard \
		-o "$OUT/bin/ptrace_smoke_bti" "$SRC/ptrace_smoke.c"
	$CC $CFLAGS -DWITH_LIBS -o "$OUT/bin/ptrace_smoke_dyn" \
		"$SRC/ptrace_smoke.c" -ldw -lelf -lcapstone
	# BTI enforced for real: no crt, no libc (Debian's lack the BTI
	# property), every function with landing pads, -z force-bti.
	$CC $CFLAGS -nostdlib -static -ffreestanding -fno-stack-protector \
		-fno-optimize-sibling-calls -mbranch-protection=standard \
		-Wl,-z,force-bti -Wl,--fatal-warnings \
		-o "$OUT/bin/bti_target" "$SRC/bti_target.c"
	"${CROSS}readelf" -n "$OUT/bin/bti_target" |
		grep -q 'AArch64 feature: BTI' ||
		die "$OUT/bin/bti_target lacks the GNU property AArch64 feature BTI"
	$CC $CFLAGS -static -o "$OUT/bin/bti_check" "$SRC/bti_check.c"

	say "staging $ROOT"
	rm -rf "$ROOT"
	mkdir -p "$ROOT/bin" "$ROOT/dev" "$ROOT/proc" "$ROOT/sys" "$ROOT/tmp" \
		"$ROOT/usr/lib/aarch64-linux-gnu"
	# Without CONFIG_DEVTMPFS_MOUNT (Debian's arm64 kernel) the kernel opens
	# /dev/console from the initramfs for init's stdio; init falls back to
	# opening it after mounting devtmpfs if this node cannot be made.
	[ "$(id -u)" -eq 0 ] && mknod "$ROOT/dev/console" c 5 1
	cp "$OUT/bin/init" "$ROOT/init"
	cp "$OUT/bin/ptrace_smoke" "$OUT/bin/ptrace_smoke_bti" \
		"$OUT/bin/ptrace_smoke_dyn" "$OUT/bin/bti_target" \
		"$OUT/bin/bti_check" "$ROOT/bin/"
	cat >"$ROOT/tests.list" <<-LIST
	/bin/ptrace_smoke
	/bin/ptrace_smoke_bti
	/bin/ptrace_smoke_dyn
	/bin/bti_check /bin/bti_target
	LIST
	for b in ${GUEST_BINS:-}; do cp "$b" "$ROOT/bin/"; done
	for f in ${GUEST_FILES:-}; do cp -R "$f" "$ROOT/"; done
	[ -n "${GUEST_TESTS:-}" ] && cat "$GUEST_TESTS" >>"$ROOT/tests.list"
	[ -n "$E2E" ] && stage_e2e
	elfs=""
	for f in "$ROOT"/bin/* "$ROOT"/usr/bin/* "$ROOT"/latch \
		"$ROOT"/usr/lib/python3*/lib-dynload/*.so \
		$(find "$ROOT/targets" -type f 2>/dev/null); do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		"${CROSS}readelf" -h "$f" >/dev/null 2>&1 && elfs="$elfs $f"
	done
	add_libs $elfs

	(cd "$ROOT" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$OUT/initrd.gz.tmp"
	mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
	say "initrd.gz: $(du -k "$OUT/initrd.gz" | cut -f1) KiB," \
		"$(find "$ROOT/usr/lib/aarch64-linux-gnu" -type f | wc -l) libraries, built in $(elapsed "$t") s"
}

boot() {
	[ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.gz" ] || die "run '$0 deps build' first"
	# -cpu max has PAC and BTI. pauth-impdef=on selects an implementation-
	# defined PAC algorithm that TCG runs far faster than QARMA5 (boot 3 s
	# instead of 12 s); the guest sees the same features.
	cpu=${QEMU_CPU:-max,pauth-impdef=on}
	say "booting qemu-system-aarch64 (timeout $TIMEOUT s)"
	t=$(now)
	rc=0
	# In the background so that an interrupted run does not leave qemu
	# behind (timeout is in its own process group; it passes the TERM on).
	timeout "$TIMEOUT" qemu-system-aarch64 -M virt -cpu "$cpu" -smp "${QEMU_SMP:-2}" \
		-m 1024 -nographic -no-reboot -nic none \
		-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz" \
		-append "console=ttyAMA0 panic=-1 quiet" \
		</dev/null >"$OUT/console.log" 2>&1 &
	qpid=$!
	trap 'kill "$qpid" 2>/dev/null; exit 130' INT TERM HUP
	wait "$qpid" || rc=$?
	trap - INT TERM HUP
	secs=$(elapsed "$t")
	tr -d '\r' <"$OUT/console.log" >"$OUT/console.txt"
	sed -n '/^init: up/,$p' "$OUT/console.txt" >&2
	if [ "$rc" -eq 124 ]; then
		say "FAIL: guest did not power off within $TIMEOUT s; console tail:"
		tail -n 20 "$OUT/console.txt" >&2
		exit 1
	fi
	if [ -n "$E2E" ]; then
		e2e_verdict "$secs" "$rc"
	elif grep -Eq '^GUEST-RESULT: [1-9][0-9]* passed, 0 failed$' "$OUT/console.txt"; then
		say "ok: $(grep '^GUEST-RESULT' "$OUT/console.txt") in $secs s (qemu exit $rc)"
		exit 0
	fi
	say "FAIL after $secs s (qemu exit $rc), console in $OUT/console.log"
	grep -q '^init: up' "$OUT/console.txt" || tail -n 40 "$OUT/console.txt" >&2
	exit 1
}

. "$SRC/e2e.sh"

[ $# -eq 0 ] && set -- all
if [ "$1" = e2e ]; then
	[ $# -le 2 ] || die "usage: $0 e2e [LATCH|standin]"
	e2e_setup "${2:-build/arm64/latch}"
	deps
	e2e_prepare
	build
	boot
fi
for step in "$@"; do
	case $step in
	deps) deps ;;
	build) build ;;
	boot) boot ;;
	all) deps; build; boot ;;
	*) die "unknown step '$step' (deps, build, boot, all, e2e)" ;;
	esac
done
