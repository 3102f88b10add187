/* loop: a long loop of calls to the traced step(int), for detach tests.
 *
 * Usage: loop [-w] [-W FILE] [-r RESULTFILE] [-c | -k] ITER
 *   -w       print the pid, then wait until step() is patched by a tracer
 *   -W FILE  print the pid, then wait until FILE exists (20 s at most)
 *   -r FILE  write every line of output to FILE instead of stdout (so that
 *            a pipe shared with the tracer carries only the trace)
 *   -c       after the loop, wait (10 s at most) until no tracer is attached,
 *            then compare the executable's code in memory with the file:
 *            prints "tracer gone" or "still traced", then "code ok" or
 *            "code modified"
 *   -k       like -c but without waiting for the tracer to go (for a target
 *            that stays traced by something else): "code ok" or "code modified"
 * Output: "pid N", ..., "count ITER", "bad 0"; exit 0 only if every step()
 * result was right (and, with -c, the tracer is gone and the code is ok).
 */
#include "common.h"

TRACED int step(int i) { return i * 7 + 3; }

int main(int argc, char **argv)
{
	int wait_traps = 0, check = 0, code_only = 0, opt;
	const char *wait_file = NULL, *result = NULL;
	while ((opt = getopt(argc, argv, "wW:r:ck")) != -1) {
		switch (opt) {
		case 'w': wait_traps = 1; break;
		case 'W': wait_file = optarg; break;
		case 'r': result = optarg; break;
		case 'c': check = 1; break;
		case 'k': code_only = 1; break;
		default:
			fprintf(stderr, "usage: loop [-w] [-W FILE] [-r RESULTFILE] [-c | -k] ITER\n");
			return 2;
		}
	}
	long iter = optind < argc ? atol(argv[optind]) : 1000;
	FILE *out = stdout;
	if (result && !(out = fopen(result, "w"))) {
		perror(result);
		return 2;
	}
	t_print_pid(out);
	if (wait_traps) {
		static const void *const traced[] = { (void *)step };
		t_wait_traps(traced, 1, T_ATTACH_TIMEOUT_MS);
	}
	if (wait_file && !t_wait_file(wait_file, 20000)) {
		fprintf(out, "timeout waiting for %s\n", wait_file);
		return 1;
	}
	long count = 0, bad = 0;
	for (long i = 0; i < iter; i++) {
		int r = step((int)i);
		if (r != (int)i * 7 + 3)
			bad++;
		count++;
	}
	fprintf(out, "count %ld\n", count);
	fprintf(out, "bad %ld\n", bad);
	int rc = bad != 0;
	if (check) {
		int gone = t_wait_untraced(10000);
		int same = t_code_unmodified();
		fprintf(out, "%s\n", gone ? "tracer gone" : "still traced");
		fprintf(out, "%s\n", same ? "code ok" : "code modified");
		rc |= !gone || !same;
	} else if (code_only) {
		int same = t_code_unmodified();
		fprintf(out, "%s\n", same ? "code ok" : "code modified");
		rc |= !same;
	}
	fclose(out);
	return rc;
}
