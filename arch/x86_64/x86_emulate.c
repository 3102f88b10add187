/* x86-64: carry a thread past a trap by performing the original
 * instruction's effect on its registers (X86_EMULATE), or by sending it to
 * the relocated copy in its scratch slot (X86_OOL). */
#include <errno.h>
#include <stddef.h>
#include "x86_step.h"

#define ARITH_FLAGS (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | \
		     X86_FLAG_SF | X86_FLAG_OF)

uint64_t x86_sub_flags(uint64_t eflags, uint64_t a, uint64_t b)
{
	uint64_t r = a - b;
	uint64_t f = eflags & ~(uint64_t)ARITH_FLAGS;

	if (a < b)
		f |= X86_FLAG_CF;
	/* PF looks at the low byte only and is set for an even bit count. */
	if (!__builtin_parity((unsigned)(r & 0xff)))
		f |= X86_FLAG_PF;
	/* AF is the borrow out of bit 3, visible as a difference in bit 4. */
	if ((a ^ b ^ r) & 0x10)
		f |= X86_FLAG_AF;
	if (r == 0)
		f |= X86_FLAG_ZF;
	if (r >> 63)
		f |= X86_FLAG_SF;
	/* Signed overflow: operands of different signs and a result whose
	 * sign differs from the minuend's. */
	if (((a ^ b) & (a ^ r)) >> 63)
		f |= X86_FLAG_OF;
	return f;
}

bool x86_cond(unsigned cc, uint64_t eflags)
{
	bool cf = eflags & X86_FLAG_CF, pf = eflags & X86_FLAG_PF;
	bool zf = eflags & X86_FLAG_ZF, sf = eflags & X86_FLAG_SF;
	bool of = eflags & X86_FLAG_OF;
	bool v;

	/* Conditions come in pairs; the low bit negates. */
	switch ((cc & 0xf) >> 1) {
	case 0: v = of; break;
	case 1: v = cf; break;
	case 2: v = zf; break;
	case 3: v = cf || zf; break;
	case 4: v = sf; break;
	case 5: v = pf; break;
	case 6: v = sf != of; break;
	default: v = zf || sf != of; break;
	}
	return (cc & 1) ? !v : v;
}

static uint64_t *gpr(struct x86_regs *g, int idx)
{
	switch (idx) {
	case X86_RAX: return &g->rax;
	case X86_RCX: return &g->rcx;
	case X86_RDX: return &g->rdx;
	case X86_RBX: return &g->rbx;
	case X86_RSP: return &g->rsp;
	case X86_RBP: return &g->rbp;
	case X86_RSI: return &g->rsi;
	case X86_RDI: return &g->rdi;
	case X86_R8: return &g->r8;
	case X86_R9: return &g->r9;
	case X86_R10: return &g->r10;
	case X86_R11: return &g->r11;
	case X86_R12: return &g->r12;
	case X86_R13: return &g->r13;
	case X86_R14: return &g->r14;
	case X86_R15: return &g->r15;
	default: return NULL;
	}
}

/* Writes v below rsp and only then moves rsp, so that a failed write leaves
 * the thread exactly as it was. */
static int push64(struct x86_regs *g, uint64_t v,
		  x86_write_fn wr, void *ctx)
{
	uint8_t le[8];
	uint64_t sp = g->rsp - 8;
	int err;

	if (!wr)
		return -EINVAL;
	/* Byte by byte so that the tracee's byte order does not depend on the
	 * tracer's. */
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	err = wr(ctx, sp, le, sizeof le);
	if (err)
		return err < 0 ? err : -EIO;
	g->rsp = sp;
	return 0;
}

static int emulate(const struct x86_plan *p, struct x86_regs *g,
		   x86_write_fn wr, void *ctx)
{
	uint64_t next = p->addr + p->len;
	uint64_t *a = gpr(g, p->reg_a), *b = gpr(g, p->reg_b);
	uint64_t v;
	bool taken;
	int err;

	switch (p->op) {
	case X86_EMU_NOP:
		g->rip = next;
		return 0;
	case X86_EMU_MOV:
		if (!a || !b)
			return -EINVAL;
		*a = *b;
		g->rip = next;
		return 0;
	case X86_EMU_JMP:
		g->rip = p->target;
		return 0;
	case X86_EMU_JMP_REG:
		if (!a)
			return -EINVAL;
		g->rip = *a;
		return 0;
	case X86_EMU_JCC:
		g->rip = x86_cond((unsigned)p->imm, g->eflags) ? p->target : next;
		return 0;
	case X86_EMU_JRCXZ:
		g->rip = g->rcx == 0 ? p->target : next;
		return 0;
	case X86_EMU_JECXZ:
		g->rip = (uint32_t)g->rcx == 0 ? p->target : next;
		return 0;
	case X86_EMU_LOOP:
		/* The count is decremented whatever the outcome; flags are
		 * read, never written. */
		g->rcx -= 1;
		taken = g->rcx != 0;
		if (p->imm == X86_LOOPE)
			taken = taken && (g->eflags & X86_FLAG_ZF);
		else if (p->imm == X86_LOOPNE)
			taken = taken && !(g->eflags & X86_FLAG_ZF);
		g->rip = taken ? p->target : next;
		return 0;
	case X86_EMU_CALL:
		err = push64(g, next, wr, ctx);
		if (err)
			return err;
		g->rip = p->target;
		return 0;
	case X86_EMU_CALL_REG:
		if (!a)
			return -EINVAL;
		/* Read before the push: `call rsp` jumps to the old rsp. */
		v = *a;
		err = push64(g, next, wr, ctx);
		if (err)
			return err;
		g->rip = v;
		return 0;
	case X86_EMU_PUSH:
		if (!a)
			return -EINVAL;
		/* `push rsp` stores the value rsp had before the push. */
		err = push64(g, *a, wr, ctx);
		if (err)
			return err;
		g->rip = next;
		return 0;
	case X86_EMU_SUB_IMM:
		if (!a)
			return -EINVAL;
		v = *a;
		g->eflags = x86_sub_flags(g->eflags, v, (uint64_t)p->imm);
		*a = v - (uint64_t)p->imm;
		g->rip = next;
		return 0;
	default:
		return -EINVAL;
	}
}

int x86_step_apply(const struct x86_plan *plan, struct x86_regs *r,
		    x86_write_fn wr, void *ctx)
{
	if (!plan || !r)
		return -EINVAL;
	switch (plan->kind) {
	case X86_OOL:
		if (!plan->slot_addr || !plan->code_len)
			return -EINVAL;
		r->rip = plan->slot_addr;
		return 0;
	case X86_EMULATE:
		return emulate(plan, r, wr, ctx);
	case X86_REFUSE:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}
