/* Trap instructions planted in the tracee, and stepping over them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tracer/priv.h"

/* buf holds len bytes read at addr: put back what each of our planted
 * traps in them covers, so that decoding never sees a trap. */
static void unpatch(struct proc *p, uint64_t addr, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		struct trap *o = trap_lookup(p, addr + i);

		if (o && o->planted)
			memcpy(buf + i, o->orig, arch_trap_len < len - i ? arch_trap_len : len - i);
	}
}

/* The original bytes at addr (where no trap is planted yet). */
static int read_original(struct proc *p, uint64_t addr, struct trap *tr)
{
	ssize_t n = mem_read(&p->mem, addr, tr->orig, sizeof(tr->orig));

	if (n < (ssize_t)arch_trap_len)
		return n < 0 ? (int)n : -EFAULT;
	tr->orig_len = (size_t)n;
	unpatch(p, addr, tr->orig, tr->orig_len);
	return 0;
}

/* Some instructions can never be stepped over (an exclusive load or store
 * would loop forever): refuse before the trap is planted, not at a hit. */
static int check_steppable(struct tracer *t, const struct trap *tr)
{
	struct step_plan probe;
	int err = arch_step_plan(tr->orig, tr->orig_len, tr->addr, 0, &probe);

	if (err == -ENOSPC)
		return 0;   /* steppable from a scratch slot */
	if (err)
		return err;
	if (probe.kind == STEP_REFUSE)
		return tracer_fail(t, -ENOTSUP, "%s", probe.why);
	return 0;
}

/* The most of a function decoded to find where its instructions start. */
#define BOUNDARY_SCAN_MAX (1u << 20)

int trap_check_boundary(struct tracer *t, struct proc *p, uint64_t entry, uint64_t addr)
{
	size_t len = addr - entry + ARCH_INSN_MAX, at = 0, last = 0;
	uint8_t *code;
	int err = 0;

	if (addr < entry || addr - entry > BOUNDARY_SCAN_MAX)
		return tracer_fail(t, -EINVAL, "it is too far into its function to find its "
				   "instruction");
	code = malloc(len);
	if (!code)
		return -ENOMEM;
	if (mem_read(&p->mem, entry, code, len) < (ssize_t)(addr - entry + 1)) {
		err = tracer_fail(t, -EFAULT, "cannot read the code at 0x%llx",
				  (unsigned long long)entry);
		goto free_code;
	}
	unpatch(p, entry, code, len);
	while (entry + at < addr) {
		char text[96];
		unsigned n;

		if (arch_disasm(code + at, len - at, entry + at, text, sizeof(text), &n) || !n) {
			err = tracer_fail(t, -EINVAL, "the function's code before it does not decode");
			goto free_code;
		}
		last = at;
		at += n;
	}
	if (entry + at != addr)
		err = tracer_fail(t, -EINVAL, "it is inside an instruction (the one %llu bytes "
				  "into the function)", (unsigned long long)last);
free_code:
	free(code);
	return err;
}

int trap_plant(struct tracer *t, struct proc *p, uint64_t addr, unsigned flag,
	       struct trap **out)
{
	struct trap *tr = trap_lookup(p, addr);
	bool fresh = !tr;
	int err;

	if (tr && tr->planted) {
		tr->flags |= flag;
		goto done;
	}
	if (fresh) {
		tr = calloc(1, sizeof(*tr));
		if (!tr)
			return -ENOMEM;
		tr->addr = addr;
	}
	err = read_original(p, addr, tr);
	if (err)
		goto fail_free;
	err = check_steppable(t, tr);
	if (err)
		goto fail_free;
	err = mem_write(&p->mem, addr, arch_trap, arch_trap_len);
	if (err)
		goto fail_free;
	if (fresh && (err = hashmap_put(&p->traps, addr, tr)) != 0)
		goto fail_restore;
	tr->planted = true;
	tr->ambiguous = arch_trap_pc_ambiguous(tr->orig, tr->orig_len);
	tr->flags = flag;
	tr->planned = false;
done:
	if (out)
		*out = tr;
	return 0;

fail_restore:
	mem_write(&p->mem, addr, tr->orig, arch_trap_len);
fail_free:
	if (fresh)
		free(tr);
	return err;
}

/* As if removed, with the memory left as it is. */
static void unplant(struct trap *tr)
{
	/* The record stays: a thread may already be stopped on this trap
	 * and report it later. */
	tr->planted = false;
	tr->planned = false;
	tr->flags = 0;
	tr->ret_refs = 0;
	tr->fn = NULL;
	tr->filter = NULL;
}

int trap_remove(struct proc *p, struct trap *tr)
{
	int err;

	if (!tr->planted)
		return 0;
	err = mem_write(&p->mem, tr->addr, tr->orig, arch_trap_len);
	if (err)
		return err;
	unplant(tr);
	return 0;
}

int traps_remove_all(struct proc *p)
{
	size_t pos = 0;
	struct trap *tr;
	int ret = 0;

	while ((tr = hashmap_next(&p->traps, &pos, NULL))) {
		int err = trap_remove(p, tr);

		if (err && err != -ESRCH && !ret)
			ret = err;
	}
	return ret;
}

void traps_drop_range(struct proc *p, uint64_t lo, uint64_t hi)
{
	size_t pos = 0;
	struct trap *tr;
	uint8_t now[ARCH_INSN_MAX];

	while ((tr = hashmap_next(&p->traps, &pos, NULL))) {
		if (tr->addr < lo || tr->addr >= hi || !tr->planted)
			continue;
		/* Unmapped, or another module's code there now: nothing of
		 * ours is left. Still our trap: the module only looks gone
		 * (its extent in the maps changed), so put the code back. */
		if (mem_read(&p->mem, tr->addr, now, arch_trap_len) == (ssize_t)arch_trap_len &&
		    !memcmp(now, arch_trap, arch_trap_len))
			mem_write(&p->mem, tr->addr, tr->orig, arch_trap_len);
		unplant(tr);
	}
}

int traps_copy(struct proc *to, const struct proc *from)
{
	size_t pos = 0;
	struct trap *tr;

	while ((tr = hashmap_next(&from->traps, &pos, NULL))) {
		struct trap *c = malloc(sizeof(*c));

		if (!c)
			return -ENOMEM;
		*c = *tr;
		/* the child's frames start empty */
		c->ret_refs = 0;
		if (hashmap_put(&to->traps, c->addr, c)) {
			free(c);
			return -ENOMEM;
		}
	}
	return 0;
}

void trap_return_unref(struct proc *p, uint64_t addr)
{
	struct trap *tr = trap_lookup(p, addr);

	if (tr && tr->ret_refs)
		tr->ret_refs--;
}

static int plan(struct tracer *t, struct proc *p, pid_t tid, struct trap *tr)
{
	uint64_t slot = 0;
	int err = scratch_slot(t, p, tid, tr->addr, &slot);

	if (err == -ENOSPC || err == -ENOMEM || err == -ENOENT)
		slot = 0;   /* no scratch page: emulation may still do */
	else if (err)
		return err;
	err = arch_step_plan(tr->orig, tr->orig_len, tr->addr, slot, &tr->plan);
	if (err == -ENOSPC)
		return tracer_fail(t, -ENOSPC, "cannot step over the instruction at 0x%llx without a scratch page",
				   (unsigned long long)tr->addr);
	if (err)
		return err;
	if (tr->plan.kind == STEP_REFUSE)
		return tracer_fail(t, -ENOTSUP, "cannot trace at 0x%llx: %s",
				   (unsigned long long)tr->addr, tr->plan.why);
	if (tr->plan.kind == STEP_OOL) {
		err = mem_write(&p->mem, tr->plan.slot_addr, tr->plan.code,
				tr->plan.code_len);
		if (err)
			return err;
	}
	tr->planned = true;
	return 0;
}

int trap_step_over(struct tracer *t, struct proc *p, pid_t tid, struct trap *tr,
		   struct arch_regs *r)
{
	int err;

	if (!tr->planned && (err = plan(t, p, tid, tr)) != 0)
		return err;
	return arch_step_apply(&tr->plan, r, mem_write, &p->mem);
}
