/* x86-64: stepping over a trap, through the host-independent planner in
 * x86_step.c and x86_emulate.c. */
#include <errno.h>
#include <string.h>
#include "arch.h"
#include "x86_step.h"

_Static_assert(sizeof(struct x86_regs) == sizeof(struct user_regs_struct),
	       "x86_regs mirrors user_regs_struct");
_Static_assert(X86_SLOT_SIZE <= ARCH_SLOT_SIZE, "slot fits");

int arch_step_plan(const uint8_t *insn, size_t avail, uint64_t addr,
		   uint64_t slot_addr, struct step_plan *plan)
{
	struct x86_plan *x = &plan->priv.x;
	int err = x86_step_plan(insn, avail, addr, slot_addr, x);

	plan->kind = x->kind == X86_EMULATE ? STEP_EMULATE
		     : x->kind == X86_OOL   ? STEP_OOL
					    : STEP_REFUSE;
	plan->addr = x->addr;
	plan->len = x->len;
	plan->slot_addr = x->slot_addr;
	memcpy(plan->code, x->code, x->code_len);
	plan->code_len = x->code_len;
	memcpy(plan->why, x->why, sizeof(plan->why));
	plan->why[sizeof(plan->why) - 1] = 0;
	return err;
}

int arch_step_apply(const struct step_plan *plan, struct arch_regs *r,
		    mem_write_fn wr, void *ctx)
{
	struct x86_regs regs;
	int err;

	memcpy(&regs, &r->g, sizeof(regs));
	err = x86_step_apply(&plan->priv.x, &regs, wr, ctx);
	if (!err)
		memcpy(&r->g, &regs, sizeof(regs));
	return err;
}

int arch_disasm(const uint8_t *insn, size_t avail, uint64_t addr,
		char *buf, size_t buflen, unsigned *len)
{
	return x86_disasm(insn, avail, addr, buf, buflen, len);
}
