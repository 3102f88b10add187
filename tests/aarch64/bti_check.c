/* BTI-enforced test for the arm64 guest (tests/aarch64/guest.sh):
 *
 *   bti_check TARGET [LATCH]
 *
 * TARGET is tests/aarch64/bti_target (freestanding, linked with -z
 * force-bti, so its text is mapped with PROT_BTI). Checks, in order:
 *   1. the CPU has BTI (/proc/cpuinfo "bti");
 *   2. `TARGET probe`, which branches with blr to an instruction that is not
 *      a landing pad, dies with SIGILL: BTI is really enforced;
 *   3. TARGET alone exits 0 and prints "bti_target: sum S calls F N ...";
 *   4. with LATCH: `LATCH -f json -o TRACE 'bti_*' -- TARGET` exits 0, the
 *      target prints the same line, and the trace holds, for every function
 *      F, exactly N call and N return records (and nothing else).
 * A landing pad lost or a BTYPE left set when latch steps over its trap
 * would kill the target with SIGILL in step 4.
 * Prints "bti_check: ok ..." and exits 0 only if everything held. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE "/tmp/bti_trace.json"
#define MAXF 8

static int failed;

#define FAIL(...) do { printf("bti_check: FAIL: " __VA_ARGS__); \
		       putchar('\n'); failed = 1; } while (0)

/* Run argv with stdout into buf; returns the wait status or -1. */
static int run(char *const argv[], char *buf, size_t size)
{
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "bti_check: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, size - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			len += n;
	buf[len] = 0;
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static const char *describe(int st)
{
	static char s[64];

	if (st == -1)
		snprintf(s, sizeof s, "could not run");
	else if (WIFSIGNALED(st))
		snprintf(s, sizeof s, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(s, sizeof s, "exit %d", WEXITSTATUS(st));
	return s;
}

struct func {
	char name[64];
	long want, calls, rets;
};

/* "bti_target: sum S calls NAME N NAME N ...\n" */
static int parse(const char *out, long *sum, struct func *f, int *nf)
{
	const char *p = strstr(out, "bti_target: sum ");
	int used;

	if (!p || sscanf(p, "bti_target: sum %ld calls%n", sum, &used) != 1)
		return -1;
	p += used;
	*nf = 0;
	while (*nf < MAXF && sscanf(p, " %63s %ld%n", f[*nf].name, &f[*nf].want,
				    &used) == 2) {
		f[*nf].calls = f[*nf].rets = 0;
		(*nf)++;
		p += used;
	}
	return *nf > 0 && *p == '\n' ? 0 : -1;
}

static int cpu_has_bti(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int yes = 0;

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "Features", 8) == 0 &&
		    (strstr(line, " bti ") || strstr(line, " bti\n")))
			yes = 1;
	if (f)
		fclose(f);
	return yes;
}

int main(int argc, char **argv)
{
	static char out[4096], out2[4096], line[8192];
	struct func f[MAXF];
	long sum, total = 0;
	int nf, st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bti_check TARGET [LATCH]\n");
		return 2;
	}
	if (!cpu_has_bti())
		FAIL("the CPU does not report bti in /proc/cpuinfo");

	char *probe[] = { argv[1], "probe", NULL };
	st = run(probe, out, sizeof out);
	if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL)
		printf("bti_check: BTI enforced: blr to a non-landing pad: %s\n",
		       describe(st));
	else
		FAIL("probe (blr to a non-landing pad) should die with SIGILL: %s; output: %s",
		     describe(st), out);

	char *plain[] = { argv[1], NULL };
	st = run(plain, out, sizeof out);
	printf("bti_check: untraced: %s: %s", describe(st), out);
	if (st != 0)
		FAIL("untraced target: %s", describe(st));
	if (parse(out, &sum, f, &nf) != 0) {
		FAIL("cannot parse the target's output");
		return 1;
	}
	for (int i = 0; i < nf; i++)
		total += f[i].want;
	if (argc < 3) {
		if (!failed)
			printf("bti_check: ok (untraced only): %ld calls\n", total);
		return failed;
	}

	unlink(TRACE);
	char *traced[] = { argv[2], "-f", "json", "-o", TRACE, "bti_*", "--",
			   argv[1], NULL };
	printf("bti_check: running %s -f json -o %s 'bti_*' -- %s\n", argv[2],
	       TRACE, argv[1]);
	st = run(traced, out2, sizeof out2);
	printf("bti_check: traced: %s: %s", describe(st), out2);
	if (st != 0)
		FAIL("latch (or the target under it): %s", describe(st));
	if (strcmp(out, out2) != 0)
		FAIL("traced output differs from the untraced one");

	FILE *t = fopen(TRACE, "r");
	long lines = 0, other = 0;

	if (!t) {
		FAIL("%s: %s", TRACE, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, t)) {
		char name[64];
		const char *p = strstr(line, "\"func\":\"");
		int call = strncmp(line, "{\"type\":\"call\",", 15) == 0;
		int ret = strncmp(line, "{\"type\":\"return\",", 17) == 0;
		int i;

		lines++;
		if (!p || sscanf(p + 8, "%63[^\"]", name) != 1 || !(call || ret)) {
			if (other++ < 5)
				printf("bti_check: unexpected record: %s", line);
			continue;
		}
		for (i = 0; i < nf && strcmp(f[i].name, name) != 0; i++)
			;
		if (i == nf) {
			if (other++ < 5)
				printf("bti_check: unexpected function: %s", line);
			continue;
		}
		if (call)
			f[i].calls++;
		else
			f[i].rets++;
	}
	fclose(t);
	printf("bti_check: trace: %ld records\n", lines);
	if (other)
		FAIL("%ld unexpected records", other);
	for (int i = 0; i < nf; i++) {
		printf("bti_check:   %-12s made %5ld calls; trace: %5ld call, %5ld return\n",
		       f[i].name, f[i].want, f[i].calls, f[i].rets);
		if (f[i].calls != f[i].want || f[i].rets != f[i].want)
			FAIL("%s: %ld calls made, %ld call and %ld return records",
			     f[i].name, f[i].want, f[i].calls, f[i].rets);
	}
	if (!failed)
		printf("bti_check: ok: %ld calls, %ld records, under enforced BTI\n",
		       total, lines);
	return failed;
}
