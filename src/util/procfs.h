/* Facts about a process read from /proc. */
#ifndef LATCH_PROCFS_H
#define LATCH_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "util/mem.h"

/* The thread ids in /proc/PID/task; 0 or -errno. *tids is malloc'd. */
int procfs_list_tasks(pid_t pid, pid_t **tids, size_t *n);
/* Every process but latch itself whose comm or executable's file name
 * is name (kernel threads and zombies left out), by pid; 0 or -errno.
 * *pids is malloc'd. */
int procfs_pidof(const char *name, pid_t **pids, size_t *n);
/* An AT_* value from /proc/PID/auxv; 0, -ENOENT or -errno. */
int procfs_auxv(pid_t pid, unsigned long type, uint64_t *val);
/* Address of the first occurrence of bytes at a multiple of align in an
 * executable mapping; 0 or -ENOENT. */
int procfs_find_code(pid_t pid, struct mem *m, const uint8_t *bytes, size_t len,
		   size_t align, uint64_t *addr);
/* A decimal field of /proc/PID/status ("TracerPid", "Tgid"): >= 0, or
 * -errno (-ENOENT without that field). */
int procfs_status_int(pid_t pid, const char *key);
/* Is task tid still running (not gone, nor a zombie)? */
bool procfs_task_alive(pid_t tid);
/* Is pid a kernel thread (no user space, nothing to trace)? */
bool procfs_is_kernel_thread(pid_t pid);
/* Has pid made itself not dumpable (PR_SET_DUMPABLE 0, or a change of
 * user IDs)? Its /proc/PID files then belong to root, whoever runs it. */
bool procfs_is_nondumpable(pid_t pid);
/* /proc/sys/kernel/yama/ptrace_scope, or -1 without Yama. */
int procfs_ptrace_scope(void);
/* The process's name (comm), into buf; 0 or -errno. */
int procfs_comm(pid_t pid, char *buf, size_t len);
/* /proc/PID/exe (as the process sees it, inside its root), and cmdline
 * with its arguments joined by spaces (malloc'd; NULL when unreadable,
 * e.g. for a zombie). */
char *procfs_exe(pid_t pid);
char *procfs_command_line(pid_t pid);

#endif
