#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/procfs.h"

/* The numeric entries of directory path (pids, tids), in its order. */
static int numeric_entries(const char *path, pid_t **ids, size_t *n)
{
	size_t cap = 16, count = 0;
	pid_t *v = malloc(cap * sizeof(*v));
	DIR *d;
	struct dirent *e;

	if (!v)
		return -ENOMEM;
	d = opendir(path);
	if (!d) {
		int err = -errno;

		free(v);
		return err;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (count == cap) {
			pid_t *nv = realloc(v, 2 * cap * sizeof(*v));

			if (!nv) {
				closedir(d);
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap *= 2;
		}
		v[count++] = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	*ids = v;
	*n = count;
	return 0;
}

int procfs_list_tasks(pid_t pid, pid_t **tids, size_t *n)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	return numeric_entries(path, tids, n);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* /proc/PID/what's target into buf, NUL-terminated: its length, or <= 0. */
static ssize_t pid_link(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	n = readlink(path, buf, len - 1);
	if (n > 0)
		buf[n] = 0;
	return n;
}

/* Is name the file name of pid's executable (" (deleted)" or not)? */
static bool exe_named(pid_t pid, const char *name)
{
	char buf[4096];
	const char *base;
	ssize_t n = pid_link(pid, "exe", buf, sizeof(buf));

	if (n <= 0)
		return false;
	if (n > 10 && !strcmp(buf + n - 10, " (deleted)"))
		buf[n - 10] = 0;
	base = strrchr(buf, '/');
	return !strcmp(base ? base + 1 : buf, name);
}

int procfs_pidof(const char *name, pid_t **pids, size_t *n)
{
	pid_t *all;
	size_t count, kept = 0;
	int err = numeric_entries("/proc", &all, &count);

	if (err)
		return err;
	for (size_t i = 0; i < count; i++) {
		char comm[64];

		if (all[i] == getpid() || procfs_is_kernel_thread(all[i]) ||
		    !procfs_task_alive(all[i]))
			continue;
		if ((!procfs_comm(all[i], comm, sizeof(comm)) && !strcmp(comm, name)) ||
		    exe_named(all[i], name))
			all[kept++] = all[i];
	}
	qsort(all, kept, sizeof(*all), cmp_pid);
	*pids = all;
	*n = kept;
	return 0;
}

int procfs_auxv(pid_t pid, unsigned long type, uint64_t *val)
{
	char path[64];
	uint64_t pair[2];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fread(pair, sizeof(pair), 1, f) == 1 && pair[0] != AT_NULL) {
		if (pair[0] == type) {
			*val = pair[1];
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Mappings start on page boundaries and the buffer steps by a multiple of
 * align, so an offset in buf that is a multiple of align is an aligned
 * address. */
static int scan_range(struct mem *m, uint64_t lo, uint64_t hi,
		      const uint8_t *bytes, size_t len, size_t align,
		      uint64_t *addr)
{
	uint8_t buf[65536];
	size_t step = sizeof(buf) - 64;

	for (uint64_t at = lo; at < hi; at += step) {
		size_t want = hi - at < sizeof(buf) ? (size_t)(hi - at) : sizeof(buf);
		ssize_t n = mem_read(m, at, buf, want);

		if (n < (ssize_t)len)
			return -ENOENT;
		for (size_t off = 0; off + len <= (size_t)n; off += align) {
			if (!memcmp(buf + off, bytes, len)) {
				*addr = at + off;
				return 0;
			}
		}
		if ((size_t)n < want)
			return -ENOENT;
	}
	return -ENOENT;
}

int procfs_find_code(pid_t pid, struct mem *m, const uint8_t *bytes, size_t len,
		   size_t align, uint64_t *addr)
{
	char path[64], line[512], perms[8];
	uint64_t lo, hi;
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &lo, &hi, perms) != 3)
			continue;
		/* [vsyscall] cannot be read and traps when jumped into. */
		if (perms[2] != 'x' || strstr(line, "[vsyscall]"))
			continue;
		ret = scan_range(m, lo, hi, bytes, len, align ? align : 1, addr);
	}
	fclose(f);
	return ret;
}

int procfs_status_int(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':' &&
		    sscanf(line + klen + 1, "%d", &ret) == 1)
			break;
	fclose(f);
	return ret;
}

/* /proc/PID/stat past its "PID (COMM)" (COMM may hold anything, ')'
 * included): " STATE PPID ...", into buf; NULL if unreadable. */
static const char *stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;
	const char *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren + 1 : NULL;
}

bool procfs_task_alive(pid_t tid)
{
	char buf[512];
	const char *f = stat_fields(tid, buf, sizeof(buf));

	return f && f[1] != 'Z' && f[1] != 'X';
}

bool procfs_is_kernel_thread(pid_t pid)
{
	char buf[512];
	const char *f = stat_fields(pid, buf, sizeof(buf));
	unsigned flags = 0;

	/* the kernel's PF_KTHREAD, in the 9th field */
	return f && sscanf(f, " %*c %*d %*d %*d %*d %*d %u", &flags) == 1 &&
	       (flags & 0x00200000u);
}

bool procfs_is_nondumpable(pid_t pid)
{
	char path[64];
	struct stat st;
	int uid = procfs_status_int(pid, "Uid");

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return uid > 0 && stat(path, &st) == 0 && st.st_uid == 0;
}

int procfs_ptrace_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int procfs_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return 0;
}

char *procfs_exe(pid_t pid)
{
	char buf[4096], root[4096];
	ssize_t n = pid_link(pid, "exe", buf, sizeof(buf)), rn;

	if (n <= 0)
		return NULL;
	/* in a chroot, the path the process itself knows */
	rn = pid_link(pid, "root", root, sizeof(root));
	if (rn > 1 && rn < n && !strncmp(buf, root, (size_t)rn) && buf[rn] == '/')
		return strdup(buf + rn);
	return strdup(buf);
}

char *procfs_command_line(pid_t pid)
{
	char path[64], *buf = NULL;
	size_t cap = 0, len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	for (;;) {
		char *v;
		size_t n;

		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(buf, cap);
			if (!v)
				goto free_buf;
			buf = v;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	if (!len) {
		free(buf);
		return NULL;
	}
	/* NUL separates the arguments, and ends the last */
	while (len && !buf[len - 1])
		len--;
	for (size_t i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[len] = 0;
	return buf;

free_buf:
	fclose(f);
	free(buf);
	return NULL;
}
