/* Helpers shared by the e2e target programs in tests/targets/.
 *
 * Every target prints "pid N" as its first line.  With "-w" a target waits,
 * after printing its pid, until the entry bytes of each of its traced
 * functions differ from the executable file on disk, i.e. until a tracer has
 * planted its breakpoints; that makes attach-mode tests race-free (checking
 * TracerPid alone is not enough: the tracer attaches before it patches).
 *
 * code_unmodified() compares every executable mapping of the program's own
 * file with the file itself, so a target can tell after a detach whether
 * every trap (entry and return sites) was removed.  A copy taken at start
 * would not do: in launch mode the traps are in place before main runs.
 */
#ifndef LATCH_TARGET_COMMON_H
#define LATCH_TARGET_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A traced function: a real, out-of-line call with the source signature,
 * at -O0 and at -O2 alike (no inlining, no clones, no IPA shortcuts). */
#define TRACED __attribute__((noinline, noipa, used))

/* Helpers below: not every target uses all of them. */
#define T_FN static __attribute__((unused))

T_FN void t_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

T_FN long t_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

T_FN int t_exe_path(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	if (len < 0)
		return -1;
	buf[len] = 0;
	return 0;
}

/* Mapping of our own executable that holds addr: file offset of addr. */
T_FN int t_exe_offset(const void *addr, off_t *off)
{
	char exe[PATH_MAX], line[PATH_MAX + 256];
	FILE *f;
	int found = -1;
	if (t_exe_path(exe, sizeof exe) < 0 || !(f = fopen("/proc/self/maps", "r")))
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi, fo;
		char perms[8], path[PATH_MAX];
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &lo, &hi, perms, &fo, path) < 4)
			continue;
		if (strcmp(path, exe) != 0)
			continue;
		if ((uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
			*off = (off_t)(fo + ((uintptr_t)addr - lo));
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* 1 if the first 16 bytes of fn differ from the executable file. */
T_FN int t_func_modified(const void *fn)
{
	char exe[PATH_MAX];
	unsigned char disk[16];
	off_t off;
	int fd, r = 0;
	if (t_exe_offset(fn, &off) < 0 || t_exe_path(exe, sizeof exe) < 0)
		return 0;
	if ((fd = open(exe, O_RDONLY)) < 0)
		return 0;
	if (pread(fd, disk, sizeof disk, off) == (ssize_t)sizeof disk) {
		const volatile unsigned char *mem = fn;
		for (size_t i = 0; i < sizeof disk; i++)
			if (mem[i] != disk[i])
				r = 1;
	}
	close(fd);
	return r;
}

/* 1 if every executable mapping of file (a real path) equals the file. */
T_FN int t_module_unmodified(const char *file)
{
	char line[PATH_MAX + 256];
	FILE *f;
	int fd, same = 1, seen = 0;
	if (!(f = fopen("/proc/self/maps", "r")))
		return 0;
	if ((fd = open(file, O_RDONLY)) < 0) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi, fo;
		char perms[8], path[PATH_MAX];
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &lo, &hi, perms, &fo, path) < 4)
			continue;
		if (strcmp(path, file) != 0 || !strchr(perms, 'x') || !strchr(perms, 'r'))
			continue;
		size_t len = hi - lo;
		unsigned char *buf = malloc(len);
		if (!buf) {
			same = 0;
			break;
		}
		ssize_t got = pread(fd, buf, len, (off_t)fo);
		if (got <= 0 || memcmp(buf, (const void *)lo, (size_t)got) != 0)
			same = 0;
		free(buf);
		seen++;
	}
	close(fd);
	fclose(f);
	return same && seen > 0;
}

/* 1 if every executable mapping of our own file equals the file. */
T_FN int t_code_unmodified(void)
{
	char exe[PATH_MAX];

	return t_exe_path(exe, sizeof exe) == 0 && t_module_unmodified(exe);
}

T_FN int t_tracer_pid(void)
{
	char line[256];
	int pid = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "TracerPid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* Wait (up to timeout_ms) until no tracer is attached; 1 if so. */
T_FN int t_wait_untraced(long timeout_ms)
{
	long end = t_now_ms() + timeout_ms;
	while (t_tracer_pid() != 0) {
		if (t_now_ms() > end)
			return 0;
		t_sleep_ms(2);
	}
	return 1;
}

/* Wait until every function in fns has been patched by a tracer.  On
 * timeout print a line on stderr and exit 99 so the test fails clearly. */
T_FN void t_wait_traps(const void *const *fns, int n, long timeout_ms)
{
	long end = t_now_ms() + timeout_ms;
	for (;;) {
		int all = 1;
		for (int i = 0; i < n && all; i++)
			all = t_func_modified(fns[i]);
		if (all)
			return;
		if (t_now_ms() > end) {
			fprintf(stderr, "target: no tracer patched the traced functions within %ld ms\n",
				timeout_ms);
			exit(99);
		}
		t_sleep_ms(1);
	}
}

T_FN int t_wait_file(const char *path, long timeout_ms)
{
	long end = t_now_ms() + timeout_ms;
	while (access(path, F_OK) != 0) {
		if (t_now_ms() > end)
			return 0;
		t_sleep_ms(2);
	}
	return 1;
}

T_FN void t_print_pid(FILE *out)
{
	fprintf(out, "pid %d\n", (int)getpid());
	fflush(out);
}

T_FN int t_has_arg(int argc, char **argv, const char *a)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], a) == 0)
			return 1;
	return 0;
}

#define T_ATTACH_TIMEOUT_MS 20000

#endif
