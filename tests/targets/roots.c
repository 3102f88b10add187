/* roots: a small program traced where its files are hard to find (in a
 * chroot, in a private mount namespace, after its file was deleted) and
 * in the forms that lack what a dynamic -g build has (statically linked,
 * stripped, with only a MiniDebugInfo symbol table); see
 * tests/e2e/roots.py and tests/targets/build.sh.
 *
 * Usage: roots [-c DIR] [-w]
 * -c DIR: chroot to DIR and exec /roots there (a copy of this program)
 * with the other arguments, before anything else.
 * Output: "pid N", then for each of the 3 calls of rt_visit
 *     "call rt_visit I NAME COLOR -> R"
 * (COLOR the enumerator's name) and, for each of the 2 calls of puts,
 *     "puts 0xADDR"
 * (the address of the string passed, printed before the call) followed by
 * the line puts writes.
 *
 * -w waits until a tracer has patched rt_visit and puts. Unlike
 * common.h's t_wait_traps it compares their bytes with a copy taken before
 * the pid line, not with the executable file: in a chroot without /proc,
 * or once the file is deleted, there is no file to read.
 */
#include "common.h"

enum rt_color { RT_RED, RT_GREEN, RT_BLUE };

static const char *const color_names[] = { "RT_RED", "RT_GREEN", "RT_BLUE" };

TRACED int rt_visit(int i, const char *name, enum rt_color color)
{
	return 100 * (int)strlen(name) + 10 * i + (int)color;
}

#define NWATCH 2
#define WATCH_BYTES 16

static void wait_patched(const void *const *fns, const unsigned char (*orig)[WATCH_BYTES])
{
	long end = t_now_ms() + T_ATTACH_TIMEOUT_MS;

	for (;;) {
		int all = 1;

		for (int k = 0; k < NWATCH && all; k++)
			all = memcmp((const void *)fns[k], orig[k], WATCH_BYTES) != 0;
		if (all)
			return;
		if (t_now_ms() > end) {
			fprintf(stderr, "target: no tracer patched rt_visit and puts within %d ms\n",
				T_ATTACH_TIMEOUT_MS);
			exit(99);
		}
		t_sleep_ms(1);
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "alpha", "beta", "gamma" };
	static const char *const lines[] = { "roots: first line", "roots: second line" };
	/* volatile: the compiler may not read these bytes once and keep them */
	const void *const volatile fns[NWATCH] = { (const void *)rt_visit, (const void *)puts };
	unsigned char orig[NWATCH][WATCH_BYTES];

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		if (chroot(argv[2]) != 0 || chdir("/") != 0) {
			perror("roots: chroot");
			return 98;
		}
		argv[2] = (char *)"/roots";
		execv(argv[2], argv + 2);
		perror("roots: exec /roots");
		return 98;
	}
	for (int k = 0; k < NWATCH; k++)
		memcpy(orig[k], (const void *)fns[k], WATCH_BYTES);
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w"))
		wait_patched((const void *const *)fns, (const unsigned char (*)[WATCH_BYTES])orig);
	for (int i = 0; i < 3; i++) {
		enum rt_color c = (enum rt_color)((i + 1) % 3);
		int r = rt_visit(i, names[i], c);

		printf("call rt_visit %d %s %s -> %d\n", i, names[i], color_names[c], r);
	}
	for (int i = 0; i < 2; i++) {
		printf("puts %p\n", (const void *)lines[i]);
		puts(lines[i]);
	}
	return 0;
}
