# The e2e mode of tests/aarch64/guest.sh (sourced by it; POSIX sh):
#   sh tests/aarch64/guest.sh e2e [LATCH|standin]
# runs tests/e2e/e2e.py inside the arm64 guest against LATCH, with
# python3.11 and a static busybox taken from Debian arm64 packages and the
# targets cross-built on the host. Guest layout:
#   /latch                      the latch under test
#   /e2e/*.py, /e2e/smoke.py    the suite (e2e.py and the modules it
#                               imports, tests/otlp/receiver.py among
#                               them), and a python3 smoke test
#   /e2e/otlp_py/               the OTLP definitions compiled on the host
#                               (tests/otlp/protos.sh), for otlp.py
#   /usr/lib/python3/dist-packages/google/protobuf/
#                               python3-protobuf's pure-Python part (the
#                               guest runs it with
#                               PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python)
#   /targets/VARIANT/{O0,O2,O2-split}/  cross-built tests/targets
#   /targets/VARIANT/debuginfo/ the programs and debug files of
#                               tests/e2e/debuginfo.py, cross-built by
#                               tests/targets/debuginfo/build.sh
#   /usr/bin/python3            python3.11 and the part of its stdlib used
#   /bin/busybox + applets      sh, head, true, timeout, kill, ...
#   /usr/bin/strace, setpriv    for the already-traced and not-permitted tests
#   /static/latch-static, clean_root.sh, targets/
#                               with $LATCH_GUEST_STATIC (an arm64
#                               latch-static): tests/static/clean_root.sh
#                               and its cross-built targets

# (strace and util-linux's setpriv for the already-traced and not-permitted
# tests, which would otherwise SKIP)
# python3-protobuf and libffi8 (ctypes, which protobuf's pure-Python
# implementation imports) for the OTLP tests' receiver
E2E_PKGS="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
	  libexpat1 zlib1g busybox-static strace util-linux libcap-ng0
	  python3-protobuf libffi8"
# What e2e.py imports (directly or not; found with sys.modules after a full
# x86-64 run) beyond libpython3.11-minimal, from libpython3.11-stdlib.
# shutil tries bz2 and lzma and does without them. The OTLP tests'
# receiver (tests/otlp/receiver.py) adds http.server and what it imports,
# gzip, and for google.protobuf numbers and ctypes.
E2E_STDLIB="json shutil.py ntpath.py lib-dynload/_json.cpython-311-aarch64-linux-gnu.so
	    lib-dynload/_typing.cpython-311-aarch64-linux-gnu.so
	    http html socketserver.py mimetypes.py gzip.py _compression.py numbers.py
	    ctypes lib-dynload/_ctypes.cpython-311-aarch64-linux-gnu.so"
# busybox applets the suite, its shell pipelines and a debugging person use
E2E_APPLETS="sh ash head true false timeout kill cat ls sleep env echo
	     mkdir rm cp mv ps grep sed wc tail od hexdump uname dmesg id
	     chroot unshare mount umount mktemp find awk tr cut dirname pivot_root"

e2e_setup() {
	E2E=1
	if [ "$1" = standin ]; then
		E2E_LATCH=$SRC/standin-latch.sh
	else
		E2E_LATCH=$1
		[ -f "$E2E_LATCH" ] || die "$E2E_LATCH: no such file (build it with
	make ARCH=aarch64 CC=${CROSS}gcc B=build/arm64 build/arm64/latch, or
	use '$0 e2e standin' to test the pipeline)"
		"${CROSS}readelf" -h "$E2E_LATCH" 2>/dev/null | grep -q AArch64 ||
			die "$E2E_LATCH is not an arm64 ELF executable"
	fi
	E2E_VARIANTS=${LATCH_GUEST_VARIANTS:-default pac-bti}
	E2E_SCALE=${LATCH_E2E_SCALE:-10}
	E2E_RUN_TIMEOUT=${LATCH_E2E_RUN_TIMEOUT:-1500}
	n=0
	for v in $E2E_VARIANTS; do n=$((n + 1)); done
	TIMEOUT=${LATCH_GUEST_TIMEOUT:-$((n * E2E_RUN_TIMEOUT + 120))}
}

# Flags of each target variant.
e2e_variant_flags() {
	case $1 in
	default) echo "" ;;
	pac-bti) echo "-mbranch-protection=standard" ;;
	*) die "unknown target variant '$1' (default, pac-bti)" ;;
	esac
}

e2e_prepare() {
	t=$(now)
	command -v "$CC" >/dev/null || die "$CC not found: run '$0 deps'"
	for v in $E2E_VARIANTS; do
		flags=$(e2e_variant_flags "$v")
		rm -rf "$OUT/targets/$v"
		# v_cxx links libstdc++ dynamically, as C++ programs do: the
		# guest gets it like every other needed library, and latch's
		# demangler finds it there
		CC=$CC CXX=${CROSS}g++ STRIP=${CROSS}strip TARGET_CFLAGS=$flags \
			LATCH_E2E_SCALE=$E2E_SCALE \
			sh tests/targets/build.sh "$OUT/targets/$v" ||
			die "cross-building the targets ($v) failed"
		# the debug-information tests' files (the guest has no compiler,
		# binutils or xz; xz runs here); split DWARF's comp dirs are
		# mapped to where the guest sees them
		CC=$CC CXX=${CROSS}g++ STRIP=${CROSS}strip OBJCOPY=${CROSS}objcopy \
			NM=${CROSS}nm READELF=${CROSS}readelf TARGET_CFLAGS=$flags \
			DEBUGINFO_RUN_DIR=/targets/$v/debuginfo \
			sh tests/targets/debuginfo/build.sh "$OUT/targets/$v/debuginfo" ||
			die "cross-building the debuginfo targets ($v) failed (xz from xz-utils is needed)"
	done
	if [ -n "${LATCH_GUEST_STATIC:-}" ]; then
		"${CROSS}readelf" -l "$LATCH_GUEST_STATIC" 2>/dev/null | grep -q INTERP &&
			die "$LATCH_GUEST_STATIC is not statically linked"
		rm -rf "$OUT/static-targets"
		CC=$CC CXX=${CROSS}g++ sh tests/static/clean_root.sh --build-targets \
			"$OUT/static-targets" || die "cross-building the static targets failed"
	fi
	say "targets ($E2E_VARIANTS, LATCH_E2E_SCALE=$E2E_SCALE) cross-built in $(elapsed "$t") s"

	# The packages are downloaded once; a new candidate version (after an
	# apt-get update) is downloaded and extracted again.
	t=$(now)
	mkdir -p "$OUT/e2e/debs"
	want=""
	for p in $E2E_PKGS; do
		v=$(apt-cache policy "$p:arm64" 2>/dev/null | sed -n 's/^ *Candidate: //p')
		[ -n "$v" ] && [ "$v" != "(none)" ] || die "no candidate for $p:arm64 (apt-get update?)"
		# .deb names encode ':' in versions as %3a
		f=$(echo "${p}_${v}_arm64.deb" | sed 's/:/%3a/g')
		want="$want $f"
		[ -f "$OUT/e2e/debs/$f" ] && continue
		sandbox=""
		[ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
		(cd "$OUT/e2e/debs" && apt-get download -q $sandbox "$p:arm64=$v" >/dev/null) ||
			die "apt-get download $p:arm64=$v failed"
		rm -f "$OUT/e2e/debroot.stamp"
	done
	if [ ! -f "$OUT/e2e/debroot.stamp" ]; then
		rm -rf "$DEBROOT"
		for f in $want; do dpkg-deb -x "$OUT/e2e/debs/$f" "$DEBROOT"; done
		echo "$want" >"$OUT/e2e/debroot.stamp"
		say "downloaded and extracted $(echo $E2E_PKGS | wc -w) arm64 packages in $(elapsed "$t") s"
	fi
	[ -x "$DEBROOT/usr/bin/python3.11" ] && [ -x "$DEBROOT/bin/busybox" ] ||
		die "python3.11 or busybox missing from $DEBROOT"
	[ -f "$DEBROOT/usr/lib/python3/dist-packages/google/protobuf/json_format.py" ] ||
		die "google.protobuf missing from $DEBROOT (python3-protobuf)"

	# The OTLP definitions, compiled here (the guest has no protoc and no
	# network); protos.sh caches them in build/otlp.
	OTLP_PY=$(sh tests/otlp/protos.sh build/otlp) ||
		die "tests/otlp/protos.sh failed (protoc from protobuf-compiler and the npm registry are needed)"
}

# Called by build() with $ROOT staged: add python, busybox, latch, the
# suite, the targets, and the test lines.
stage_e2e() {
	t=$(now)
	# python3.11: the interpreter and libpython3.11-minimal's stdlib (os,
	# re, subprocess, signal, tempfile, traceback, collections, encodings,
	# ...) plus $E2E_STDLIB from -stdlib. Debian
	# builds select, _posixsubprocess, math, _random, _struct and the like
	# into the interpreter. _hashlib and _ssl (libssl) are left out:
	# hashlib falls back to its built-in hashes.
	mkdir -p "$ROOT/usr/bin" "$ROOT/usr/lib/python3.11/lib-dynload"
	cp "$DEBROOT/usr/bin/python3.11" "$ROOT/usr/bin/"
	ln -s python3.11 "$ROOT/usr/bin/python3"
	mini=""
	for f in $(cat "$OUT/e2e/debroot.stamp"); do
		case $f in libpython3.11-minimal_*) mini=$OUT/e2e/debs/$f ;; esac
	done
	dpkg-deb --fsys-tarfile "$mini" | (cd "$ROOT" && tar -x ./usr/lib/python3.11)
	rm -f "$ROOT/usr/lib/python3.11/sitecustomize.py" \
		"$ROOT"/usr/lib/python3.11/lib-dynload/_hashlib.* \
		"$ROOT"/usr/lib/python3.11/lib-dynload/_ssl.*
	for m in $E2E_STDLIB; do
		cp -R "$DEBROOT/usr/lib/python3.11/$m" "$ROOT/usr/lib/python3.11/$m"
	done
	# google.protobuf without its C extensions: the pure-Python
	# implementation, selected by the tests' environment below
	mkdir -p "$ROOT/usr/lib/python3/dist-packages"
	cp -R "$DEBROOT/usr/lib/python3/dist-packages/google" "$ROOT/usr/lib/python3/dist-packages/"
	find "$ROOT/usr/lib/python3/dist-packages/google" -name '*.so' -delete
	mkdir -p "$ROOT/e2e"
	cp -R "$OTLP_PY" "$ROOT/e2e/otlp_py"
	# Precompiled on the host (3.11 bytecode is the same in every 3.11.x):
	# unchecked-hash .pyc files are used without comparing them to the
	# sources, so the guest compiles nothing at each boot.
	if python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
		python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash \
			-s "$ROOT" -p / "$ROOT/usr/lib/python3.11" "$ROOT/usr/lib/python3/dist-packages" \
			"$ROOT/e2e/otlp_py" >/dev/null ||
			say "warning: compileall failed; the guest compiles the stdlib itself"
	fi

	cp "$DEBROOT/usr/bin/strace" "$DEBROOT/usr/bin/setpriv" "$ROOT/usr/bin/"
	cp "$DEBROOT/bin/busybox" "$ROOT/bin/busybox"
	for a in $E2E_APPLETS; do
		[ -e "$ROOT/bin/$a" ] || ln -s busybox "$ROOT/bin/$a"
	done

	cp "$E2E_LATCH" "$ROOT/latch"
	chmod 755 "$ROOT/latch"
	mkdir -p "$ROOT/e2e" "$ROOT/targets"
	cp tests/e2e/*.py tests/otlp/receiver.py "$ROOT/e2e/"
	cat >"$ROOT/e2e/smoke.py" <<-'PY'
	import json, os, re, shutil, signal, subprocess, sys, tempfile, time, traceback
	from collections import Counter
	assert json.loads(json.dumps({"a": [1, "x"]})) == {"a": [1, "x"]}
	p = subprocess.run(["sh", "-c", "head -1 /proc/version; timeout 5 true"], stdout=subprocess.PIPE)
	assert p.returncode == 0, p
	print("python-smoke: %s, %s" % (sys.version.split()[0], p.stdout.decode().split()[2]))
	PY
	for v in $E2E_VARIANTS; do
		mkdir -p "$ROOT/targets/$v"
		# O2-split: the value targets with their .dwo files; debuginfo:
		# debuginfo.py's programs, debug files and .dwo files
		for o in O0 O2 O2-split debuginfo; do cp -R "$OUT/targets/$v/$o" "$ROOT/targets/$v/"; done
		cp "$OUT/targets/$v/MANIFEST" "$ROOT/targets/$v/"
	done

	if [ -n "${LATCH_GUEST_STATIC:-}" ]; then
		mkdir -p "$ROOT/static"
		cp "$LATCH_GUEST_STATIC" "$ROOT/static/latch-static"
		cp tests/static/clean_root.sh "$ROOT/static/"
		cp -R "$OUT/static-targets" "$ROOT/static/targets"
	fi
	{
		echo "/usr/bin/python3 /e2e/smoke.py"
		# BTI enforced, traced: bti_target under /latch.
		echo "/bin/bti_check /bin/bti_target /latch"
		[ -z "${LATCH_GUEST_STATIC:-}" ] ||
			echo "STATIC_TARGETS=/static/targets /bin/sh /static/clean_root.sh /static/latch-static"
		for v in $E2E_VARIANTS; do
			# Emulated stops are ~100x slower: give each process
			# room even on a loaded host.
			echo "TEST_TIMEOUT=$E2E_RUN_TIMEOUT LATCH_E2E_PREBUILT=1" \
				"LATCH_E2E_TIMEOUT=${LATCH_E2E_TIMEOUT:-300}" \
				"LATCH_OTLP_PY=/e2e/otlp_py PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python" \
				"LATCH_E2E_TARGETS=/targets/$v LATCH_E2E_SCALE=$E2E_SCALE" \
				"${LATCH_GUEST_STATIC:+LATCH_E2E_STATIC=/static/latch-static}" \
				"/usr/bin/python3 /e2e/e2e.py /latch ${LATCH_E2E_FILTER:-}"
		done
	} >>"$ROOT/tests.list"
	say "staged python3.11 ($(du -sk "$ROOT/usr/lib/python3.11" | cut -f1) KiB)," \
		"busybox, latch, e2e.py and the targets in $(elapsed "$t") s"
}

# After the boot: every variant must have printed its own passing summary.
e2e_verdict() {
	secs=$1 rc=$2
	n=0
	for v in $E2E_VARIANTS; do n=$((n + 1)); done
	summaries=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed$' "$OUT/console.txt" || true)
	good=$(printf '%s\n' "$summaries" | grep -Ec '^e2e: [1-9][0-9]* passed, 0 failed$' || true)
	total=$(grep '^  # total' "$OUT/console.txt" | sed 's/^  # total //' | tr '\n' ' ')
	bti=$(grep -E '^bti_check: ok: ' "$OUT/console.txt" || true)
	static=ok
	if [ -n "${LATCH_GUEST_STATIC:-}" ] &&
	   ! grep -Eq '^static: [1-9][0-9]* passed, 0 failed$' "$OUT/console.txt"; then
		static=
		say "FAIL: no 'static: N passed, 0 failed' line (latch-static in a clean root)"
	fi
	if [ "$good" -eq "$n" ] && [ -n "$bti" ] && [ -n "$static" ] &&
	   grep -Eq '^GUEST-RESULT: [1-9][0-9]* passed, 0 failed$' "$OUT/console.txt"; then
		say "ok: $n e2e runs ($E2E_VARIANTS) passed; suite times: $total;" \
			"guest $secs s (qemu exit $rc)"
		say "ok: ${bti#bti_check: ok: }"
		exit 0
	fi
	[ -n "$bti" ] || say "FAIL: no 'bti_check: ok:' line (BTI-enforced test under /latch)"
	say "FAIL: e2e summaries: $(printf '%s' "$summaries" | tr '\n' ';')" \
		"$(grep '^GUEST-RESULT' "$OUT/console.txt" || echo 'no GUEST-RESULT')"
}
