/* Tracee memory: process_vm_readv for data, /proc/PID/mem for code. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>
#include "util/mem.h"

#define PAGE 4096u

int mem_open(struct mem *m, pid_t pid)
{
	char path[64];

	m->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	m->fd = open(path, O_RDWR | O_CLOEXEC);
	return m->fd < 0 ? -errno : 0;
}

void mem_close(struct mem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static ssize_t read_once(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

ssize_t mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = ctx;
	ssize_t n = read_once(m->pid, addr, buf, len);

	if (n == (ssize_t)len || len == 0)
		return n;
	/* A range that crosses into an unmapped page fails as a whole or
	 * stops short: retry page by page so the readable prefix survives. */
	size_t done = n > 0 ? (size_t)n : 0;
	int err = n < 0 ? errno : EFAULT;

	while (done < len) {
		uint64_t at = addr + done;
		size_t chunk = PAGE - (at % PAGE);

		if (chunk > len - done)
			chunk = len - done;
		n = read_once(m->pid, at, (char *)buf + done, chunk);
		if (n <= 0) {
			if (n < 0)
				err = errno;
			break;
		}
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	return done > 0 ? (ssize_t)done : -err;
}

int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct mem *m = ctx;
	ssize_t n = pwrite(m->fd, buf, len, (off_t)addr);

	if (n < 0)
		return -errno;
	/* Nothing written at all: the address space is gone, the process
	 * has exited (unmapped addresses fail with EIO instead) */
	if (n == 0 && len)
		return -ESRCH;
	return (size_t)n == len ? 0 : -EIO;
}
