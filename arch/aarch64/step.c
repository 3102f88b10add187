/* aarch64: stepping over a trap, through the host-independent planner in
 * a64_step.c. */
#include <errno.h>
#include <string.h>
#include "a64_step.h"
#include "arch.h"

_Static_assert(sizeof(struct a64_regs) == sizeof(struct user_pt_regs),
	       "a64_regs mirrors user_pt_regs");
_Static_assert(A64_SLOT_SIZE <= ARCH_SLOT_SIZE, "slot fits");

static uint32_t word_of(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static void to_arch(const struct a64_plan *a, struct step_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = a->kind == A64_EMULATE ? STEP_EMULATE
		  : a->kind == A64_OOL   ? STEP_OOL
					 : STEP_REFUSE;
	p->addr = a->addr;
	p->len = 4;
	p->priv.a = *a;
	p->slot_addr = a->slot_addr;
	memcpy(p->code, a->code, a->code_len);
	p->code_len = a->code_len;
	memcpy(p->why, a->why, sizeof(p->why) < sizeof(a->why) ? sizeof(p->why) : sizeof(a->why));
	p->why[sizeof(p->why) - 1] = 0;
}

int arch_step_plan(const uint8_t *insn, size_t avail, uint64_t addr,
		   uint64_t slot_addr, struct step_plan *plan)
{
	struct a64_plan a;
	int err;

	if (avail < 4)
		return -EINVAL;
	err = a64_step_plan(word_of(insn), addr, slot_addr, &a);
	if (err)
		return err;
	to_arch(&a, plan);
	return 0;
}

int arch_step_apply(const struct step_plan *plan, struct arch_regs *r,
		    mem_write_fn wr, void *ctx)
{
	struct a64_regs regs;
	int err;

	memcpy(&regs, &r->g, sizeof(regs));
	err = a64_step_apply(&plan->priv.a, &regs, wr, ctx);
	if (!err)
		memcpy(&r->g, &regs, sizeof(regs));
	return err;
}

int arch_disasm(const uint8_t *insn, size_t avail, uint64_t addr,
		char *buf, size_t buflen, unsigned *len)
{
	if (avail < 4)
		return -EINVAL;
	*len = 4;
	return a64_disasm(word_of(insn), addr, buf, buflen);
}
