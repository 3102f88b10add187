#!/bin/sh
# Run every unit-suite binary given; print the totals as one closing line.
label=$1; shift
pass=0; fail=0; status=0
for t in "$@"; do
	out=$(CK_FORK=yes "$t" 2>&1); rc=$?
	summary=$(echo "$out" | grep -E '^[0-9]+%: Checks')
	echo "$(basename "$t"): $summary"
	[ $rc -ne 0 ] && { echo "$out" | grep -vE '^(Running suite|[0-9]+%: Checks)'; status=1; }
	counts=$(echo "$summary" | sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p')
	if [ -n "$counts" ]; then
		set -- $counts
		pass=$((pass + $1 - $2 - $3)); fail=$((fail + $2 + $3))
	else
		fail=$((fail + 1))
	fi
done
echo "$label: $pass passed, $fail failed"
exit $status
