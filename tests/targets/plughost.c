/* plughost: dlopen a plugin, call it, dlclose it, then the same with a
 * second one (tests/targets/plug.c, built as libplug_a.so and libplug_b.so).
 *
 * Usage: plughost [-w] [-W FILE] PLUG_A PLUG_B N
 *   -w       print the pid, then wait until the dynamic linker's rendezvous
 *            breakpoint (_r_debug.r_brk) differs from ld.so on disk, i.e.
 *            until a tracer watches for dlopen (20 s at most, else exit 99)
 *   -W FILE  print the pid, then wait until FILE exists (20 s at most)
 * For each plugin X (a from PLUG_A, then b from PLUG_B), with K = 1 for a
 * and 2 for b:
 *   ctor plug_X_run i=-1 -> R      the plugin's constructor's call
 *   addr X ADDR base BASE file PATH sym plug_X_run    (dladdr)
 *   call plug_X_run i=I -> R       N lines, I = 0..N-1, R = I*(2K+1)+K
 *   code X ok|modified             the plugin's code in memory equals
 *                                  its file (no trap in it) or not
 *   closed X                       after dlclose
 * then "bad N" (wrong results); exit 0 only if N is 0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include "common.h"

/* The file and file offset of addr, from /proc/self/maps. */
static int map_of(uintptr_t addr, char *path, size_t n, off_t *off)
{
	char line[PATH_MAX + 256], p[PATH_MAX];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		unsigned long lo, hi, fo;
		char perms[8];

		p[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &lo, &hi, perms, &fo, p) < 5)
			continue;
		if (addr >= lo && addr < hi && p[0] == '/') {
			snprintf(path, n, "%s", p);
			*off = (off_t)(fo + (addr - lo));
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* 1 if the 4 bytes at addr differ from the file mapped there. */
static int addr_modified(uintptr_t addr)
{
	char path[PATH_MAX];
	unsigned char disk[4];
	off_t off;
	int fd, r = 0;

	if (map_of(addr, path, sizeof path, &off) < 0 || (fd = open(path, O_RDONLY)) < 0)
		return 0;
	if (pread(fd, disk, sizeof disk, off) == (ssize_t)sizeof disk)
		r = memcmp(disk, (const void *)addr, sizeof disk) != 0;
	close(fd);
	return r;
}


static void wait_rendezvous_trap(void)
{
	long end = t_now_ms() + T_ATTACH_TIMEOUT_MS;

	while (!_r_debug.r_brk || !addr_modified(_r_debug.r_brk)) {
		if (t_now_ms() > end) {
			fprintf(stderr, "plughost: no tracer patched r_brk (%#lx) within %d ms\n",
				(unsigned long)_r_debug.r_brk, T_ATTACH_TIMEOUT_MS);
			exit(99);
		}
		t_sleep_ms(1);
	}
}

/* Returns the number of wrong results. */
static int run_plugin(const char *path, char name, int k, int n)
{
	char sym[32], ctor[32], real[PATH_MAX];
	int bad = 0;
	Dl_info di;

	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("dlopen %s: %s\n", path, dlerror());
		return 1;
	}
	snprintf(sym, sizeof sym, "plug_%c_run", name);
	snprintf(ctor, sizeof ctor, "plug_%c_ctor_result", name);
	int (*run)(int) = (int (*)(int))dlsym(h, sym);
	int *ctor_result = dlsym(h, ctor);
	if (!run || !ctor_result) {
		printf("dlsym %s: %s\n", run ? ctor : sym, dlerror());
		dlclose(h);
		return 1;
	}
	printf("ctor %s i=-1 -> %d\n", sym, *ctor_result);
	bad += *ctor_result != -(2 * k + 1) + k;
	if (!dladdr((void *)run, &di)) {
		printf("dladdr %s failed\n", sym);
		bad++;
	} else {
		printf("addr %c %p base %p file %s sym %s\n", name, (void *)run, di.dli_fbase,
		       di.dli_fname, di.dli_sname ? di.dli_sname : "?");
	}
	for (int i = 0; i < n; i++) {
		int r = run(i);

		printf("call %s i=%d -> %d\n", sym, i, r);
		bad += r != i * (2 * k + 1) + k;
	}
	printf("code %c %s\n", name,
	       realpath(path, real) && t_module_unmodified(real) ? "ok" : "modified");
	if (dlclose(h) != 0) {
		printf("dlclose %s: %s\n", path, dlerror());
		return bad + 1;
	}
	printf("closed %c\n", name);
	return bad;
}

int main(int argc, char **argv)
{
	int wait_brk = 0, opt;
	const char *wait_file = NULL;

	while ((opt = getopt(argc, argv, "wW:")) != -1) {
		switch (opt) {
		case 'w': wait_brk = 1; break;
		case 'W': wait_file = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind != 3)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	t_print_pid(stdout);
	if (wait_brk)
		wait_rendezvous_trap();
	if (wait_file && !t_wait_file(wait_file, 20000)) {
		printf("timeout waiting for %s\n", wait_file);
		return 1;
	}
	int n = atoi(argv[optind + 2]);
	int bad = run_plugin(argv[optind], 'a', 1, n);
	bad += run_plugin(argv[optind + 1], 'b', 2, n);
	printf("bad %d\n", bad);
	return bad != 0;
usage:
	fprintf(stderr, "usage: plughost [-w] [-W FILE] PLUG_A PLUG_B N\n");
	return 2;
}
