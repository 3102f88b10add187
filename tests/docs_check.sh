#!/bin/sh
# Check that the documentation covers every option: each one, short and
# long, must appear in `BINARY --help`, in the OPTIONS section of
# man/latch.1 and in the Usage section of README.md; and the man page must
# format without a groff warning. One line per failed check, then a
# closing line "docs: N passed, M failed". Usage: tests/docs_check.sh BINARY
# Lists of options are split on blanks on purpose; nothing is a glob.
# shellcheck disable=SC2086
set -f
bin=${1:?usage: tests/docs_check.sh BINARY}
root=$(cd "$(dirname "$0")/.." && pwd)
man=$root/man/latch.1
readme=$root/README.md

# Every option latch has. Keep in step with cmd/args.c; an option that
# --help shows but this list lacks is reported too.
OPTIONS="-p --pid --pidof -t -r --relative-timestamps -T -F --follow-forks -l --list -o --output -f --format -n --calls -d --duration
-c --summary -v --verbose --summary-interval -S --stack
-s --string-limit -A --array --depth --max-probes --rate --no-returns --no-qos -q --quiet -h --help -V --version
--otlp --otlp-protocol --otlp-file --service-name --trace-parent --error-if"

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "docs: $*"; fail=$((fail + 1)); }

# Does the option $1 occur as a whole word on stdin?
has_opt() {
	grep -Eq -e "(^|[^A-Za-z0-9_-])$1([^A-Za-z0-9_-]|$)"
}

# --help output, and the options it defines (lines that start with
# blanks and an option: "  -p, --pid PID  ..." or "      --no-returns").
help=$("$bin" --help 2>/dev/null)
rc=$?
if [ $rc -ne 0 ]; then
	bad "$bin --help exits with status $rc"
elif [ -z "$help" ]; then
	bad "$bin --help prints nothing on standard output"
else
	ok
fi
help_opts=$(printf '%s\n' "$help" | sed -n \
	-e 's/^[[:space:]]*\(-[A-Za-z0-9]\)[,[:space:]].*/\1/p' \
	-e 's/^[[:space:]]*\(-[A-Za-z0-9]\)$/\1/p')
help_opts="$help_opts $(printf '%s\n' "$help" | sed -n \
	-e 's/^[[:space:]]*\(-[A-Za-z0-9],[[:space:]]*\)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p')"
help_opts=$(printf '%s\n' $help_opts | sort -u | tr '\n' ' ')

# The man page's OPTIONS section, with roff escapes for '-' and fonts
# removed; the README's Usage section (to the next level-2 heading).
man_opts=""
if [ -r "$man" ]; then
	man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | sed \
		-e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f([A-Za-z][A-Za-z]//g' \
		-e 's/\\f\[[^]]*\]//g' -e 's/\\[&%]//g')
	[ -n "$man_opts" ] || bad "man/latch.1 has no OPTIONS section"
else
	bad "man/latch.1 is missing"
fi
readme_usage=""
if [ -r "$readme" ]; then
	readme_usage=$(sed -n '/^## Usage/,/^## /p' "$readme")
	[ -n "$readme_usage" ] || bad "README.md has no Usage section"
else
	bad "README.md is missing"
fi

for o in $OPTIONS; do
	case " $help_opts " in
	*" $o "*) ok ;;
	*) bad "$o is not an option line in --help" ;;
	esac
done
for o in $help_opts; do
	case " $(printf '%s ' $OPTIONS)" in
	*" $o "*) ;;
	*) bad "$o is in --help but not in tests/docs_check.sh's list" ;;
	esac
done

all=$(printf '%s\n' $OPTIONS $help_opts | sort -u)
for o in $all; do
	if printf '%s\n' "$man_opts" | has_opt "$o"; then ok
	else bad "$o is not in the OPTIONS section of man/latch.1"; fi
	if printf '%s\n' "$readme_usage" | has_opt "$o"; then ok
	else bad "$o is not in the Usage section of README.md"; fi
done

if ! command -v groff >/dev/null 2>&1; then
	bad "groff is not installed (Debian package groff-base)"
else
	warn=$(groff -man -ww -z "$man" 2>&1)
	if [ -n "$warn" ]; then
		printf '%s\n' "$warn" | sed 's/^/docs: groff: /'
		bad "groff -man -ww -z man/latch.1 warns"
	else
		ok
	fi
fi

echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
