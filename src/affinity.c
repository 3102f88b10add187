#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "affinity.h"

struct affinity {
	cpu_set_t allowed;   /* latch's own mask at start */
	int current;         /* the CPU latch is pinned to, or -1 */
};

int affinity_init(struct affinity **out)
{
	struct affinity *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	if (sched_getaffinity(0, sizeof(a->allowed), &a->allowed) < 0) {
		int err = -errno;

		free(a);
		return err;
	}
	a->current = -1;
	*out = a;
	return 0;
}

/* Field 39 of /proc/PID/task/TID/stat, after the parenthesised comm,
 * which may itself contain spaces and parentheses. */
static int last_cpu(pid_t pid, pid_t tid)
{
	char path[96], buf[1024], *p;
	FILE *f;
	size_t n;
	int cpu = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* After ')' come fields 3..; the CPU is field 39. */
	for (int field = 2; field < 39 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%d", &cpu) != 1)
		return -EINVAL;
	return cpu;
}

int affinity_follow(struct affinity *a, pid_t pid, pid_t tid)
{
	cpu_set_t one;
	int cpu = last_cpu(pid, tid);

	if (cpu < 0)
		return cpu;
	if (cpu == a->current || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &a->allowed))
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return -errno;
	a->current = cpu;
	return 0;
}

void affinity_fini(struct affinity *a)
{
	if (a && a->current >= 0)
		sched_setaffinity(0, sizeof(a->allowed), &a->allowed);
	free(a);
}
