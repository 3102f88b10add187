/* Tracee memory access. */
#ifndef LATCH_MEM_H
#define LATCH_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads up to len bytes; returns bytes read (a prefix: stops at the first
 * unreadable page) or -errno when nothing could be read. */
typedef ssize_t (*mem_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);
/* Writes exactly len bytes or fails; 0 or -errno. */
typedef int (*mem_write_fn)(void *ctx, uint64_t addr, const void *buf, size_t len);

struct mem {
	pid_t pid;
	int fd;          /* /proc/PID/mem, for writing code */
};

int mem_open(struct mem *m, pid_t pid);
void mem_close(struct mem *m);
ssize_t mem_read(void *mem, uint64_t addr, void *buf, size_t len);
/* Writes through /proc/PID/mem, which may patch read-only text. */
int mem_write(void *mem, uint64_t addr, const void *buf, size_t len);

#endif
