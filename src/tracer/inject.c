/* System calls run inside the tracee, and the scratch pages they map for
 * out-of-line instruction copies. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "util/procfs.h"
#include "tracer/priv.h"

#define SCRATCH_SIZE (64u * 1024)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Resume tid with request and wait for its next stop, keeping any signal
 * that arrives meanwhile for later delivery. */
static int step_syscall(struct tracer *t, pid_t tid)
{
	struct thread *th = thread_get(t, tid);
	int status, sig = 0;

	for (int tries = 0; tries < 16; tries++) {
		if (ptrace(PTRACE_SYSCALL, tid, 0, sig) < 0)
			return -errno;
		sig = 0;
		if (wait_task(tid, &status, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			return 0;
		if (status >> 16)
			continue;   /* an event stop: resume past it */
		/* A signal for the thread: held for later (tracer/held.c). */
		if (th && held_take(th) == -ENOMEM)
			return -ENOMEM;
	}
	return -EIO;
}

int inject_syscall(struct tracer *t, struct proc *p, pid_t tid, long nr,
		   const uint64_t args[6], long *ret)
{
	struct thread *th = thread_get(t, tid);
	struct arch_regs saved, r;
	int err;

	if (!p->syscall_insn) {
		err = procfs_find_code(p->pid, &p->mem, arch_syscall_insn,
				     arch_syscall_insn_len, arch_insn_align,
				     &p->syscall_insn);
		if (err)
			return err;
	}
	err = arch_get_regs(tid, &saved);
	if (err)
		return err;
	/* The thread leaves its stop for a system-call stop, which cannot
	 * carry a signal: one it was to be given is held instead. */
	if (th) {
		if ((err = held_take_pending(th)) != 0)
			return err;
		th->stop = STOP_OTHER;
	}
	r = saved;
	arch_syscall_setup(&r, p->syscall_insn, nr, args);
	err = arch_set_regs(tid, &r);
	if (err)
		return err;
	/* The thread leaves its stop for the injected call: one it was in,
	 * interrupted, is restarted on the way back to the program. */
	arch_syscall_restart(&saved);
	err = step_syscall(t, tid);        /* to the syscall's entry */
	if (!err)
		err = step_syscall(t, tid);  /* and its exit */
	if (!err)
		err = arch_get_regs(tid, &r);
	if (err && err != -ESRCH)
		goto restore;
	if (err)
		return err;
	*ret = arch_syscall_result(&r);
restore:
	{
		int e2 = arch_set_regs(tid, &saved);

		return err ? err : e2;
	}
}

static int map_near(struct tracer *t, struct proc *p, pid_t tid, uint64_t near,
		    uint64_t *base)
{
	/* Try free addresses below, then above, the code, ever further but
	 * within reach. */
	int64_t stride = (int64_t)(arch_slot_reach / 64);

	for (int i = 1; i <= 64; i++) {
		int64_t off = (int64_t)(i % 2 ? -1 : 1) * (int64_t)((i + 1) / 2) * stride;
		uint64_t want = ((near + (uint64_t)off) & ~(uint64_t)0xffff);
		uint64_t args[6] = { want, SCRATCH_SIZE, PROT_READ | PROT_EXEC,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				     (uint64_t)-1, 0 };
		long ret;
		int err;

		if (off < 0 && (uint64_t)-off > near)
			continue;
		err = inject_syscall(t, p, tid, arch_nr_mmap, args, &ret);
		if (err)
			return err;
		if (ret == (long)want) {
			*base = want;
			return 0;
		}
		if (ret >= 0 && ret < 4096) /* not a mapping: treat as failure */
			continue;
		if (ret > 0) {
			/* Old kernels ignore NOREPLACE and may map elsewhere. */
			uint64_t un[6] = { (uint64_t)ret, SCRATCH_SIZE, 0, 0, 0, 0 };

			inject_syscall(t, p, tid, arch_nr_munmap, un, &ret);
		}
	}
	return -ENOMEM;
}

static bool in_reach(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) + SCRATCH_SIZE < arch_slot_reach;
}

int scratch_slot(struct tracer *t, struct proc *p, pid_t tid, uint64_t near,
		 uint64_t *slot)
{
	struct scratch *s = NULL;

	for (size_t i = 0; i < p->nscratch; i++) {
		struct scratch *c = &p->scratch[i];

		if (c->used + ARCH_SLOT_SIZE <= c->size && in_reach(c->base, near)) {
			s = c;
			break;
		}
	}
	if (!s) {
		struct scratch *v = realloc(p->scratch, (p->nscratch + 1) * sizeof(*v));
		uint64_t base = 0;
		int err;

		if (!v)
			return -ENOMEM;
		p->scratch = v;
		err = map_near(t, p, tid, near, &base);
		if (err)
			return err;
		s = &p->scratch[p->nscratch++];
		*s = (struct scratch){ .base = base, .size = SCRATCH_SIZE };
	}
	*slot = s->base + s->used;
	s->used += ARCH_SLOT_SIZE;
	return 0;
}

bool scratch_contains(const struct proc *p, uint64_t addr)
{
	for (size_t i = 0; i < p->nscratch; i++)
		if (addr >= p->scratch[i].base && addr < p->scratch[i].base + p->scratch[i].size)
			return true;
	return false;
}

int scratch_unmap_all(struct tracer *t, struct proc *p, pid_t tid)
{
	int ret = 0;

	for (size_t i = 0; i < p->nscratch; i++) {
		uint64_t args[6] = { p->scratch[i].base, p->scratch[i].size, 0, 0, 0, 0 };
		long r;
		int err = inject_syscall(t, p, tid, arch_nr_munmap, args, &r);

		if (!err && r < 0)
			err = (int)r;
		if (err && !ret)
			ret = err;
	}
	free(p->scratch);
	p->scratch = NULL;
	p->nscratch = 0;
	return ret;
}
