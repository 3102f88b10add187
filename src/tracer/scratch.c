/* Scratch pages: anonymous executable mappings that latch makes in the
 * tracee, within branch reach of the code, for out-of-line copies of the
 * instructions its traps displace. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "tracer/priv.h"

#define SCRATCH_SIZE (64u * 1024)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

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
