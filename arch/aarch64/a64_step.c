/* aarch64: decide how a thread stopped on a `brk #0` gets past the
 * instruction the trap covers (emulate, run a copy out of line, or refuse),
 * and perform the decision on a64_regs. See a64_step.h.
 *
 * Classification works on the instruction's bit fields rather than on
 * capstone's ids: every A64 instruction that reads the pc lives in a few
 * fixed encoding groups (pc-relative addressing, literal loads, branches),
 * so matching those groups exactly guarantees that nothing pc-relative is
 * ever copied to the slot unrelocated, whatever the decoder knows. Capstone
 * is the oracle for "is this a real instruction" on the out-of-line path
 * and the disassembler for display.
 *
 * Choices:
 * - Out-of-line copies end with a direct `b addr+4`, not an absolute
 *   `ldr x16, #8; br x16`: an indirect branch sets PSTATE.BTYPE, and on a
 *   BTI-guarded page addr+4 is almost never a landing pad, so the thread
 *   would die with SIGILL. A direct branch also clobbers no register. The
 *   price is that the slot must be within +-128 MiB, which the scratch
 *   page mapped next to each module already is (DESIGN.md).
 * - paciasp/pacibsp and the other PAC hints run out of line: the tracer
 *   cannot compute a PAC (the key stays in the kernel), and the signature
 *   depends on x30/x17 and sp or x16, never on the pc, so the copy in the
 *   slot produces exactly the value the original would have.
 * - Only hints known to have no architectural effect (nop, yield, wfe, wfi,
 *   csdb, bti) are emulated as nops; any other hint, including ones newer
 *   than this file (chkfeat writes x16), runs out of line.
 * - Literal loads are rewritten to load through the absolute address, kept
 *   as a literal in the slot, using the destination register as the base.
 *   When it cannot be the base (SIMD&FP registers, xzr) x16 is spilled to
 *   the stack below sp and restored, so no register is clobbered even at
 *   the entry of a function with a private convention (the PLT resolver
 *   receives arguments in x16/x17).
 * - Exclusive load/store is refused: the trap's exception clears the
 *   exclusive monitor, so a store-exclusive after it always fails and an
 *   LL/SC loop with a trap inside never completes. */
#include "a64_step.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define INSN_B        0x14000000u
#define INSN_LDR_LIT_X 0x58000000u   /* ldr Xt, label */
#define INSN_LDR_X    0xf9400000u    /* ldr Xt, [Xn] */
#define INSN_LDR_W    0xb9400000u    /* ldr Wt, [Xn] */
#define INSN_LDRSW    0xb9800000u    /* ldrsw Xt, [Xn] */
#define INSN_LDR_S    0xbd400000u    /* ldr St, [Xn] */
#define INSN_LDR_D    0xfd400000u    /* ldr Dt, [Xn] */
#define INSN_LDR_Q    0x3dc00000u    /* ldr Qt, [Xn] */
#define INSN_SPILL_X16 0xf81f0ff0u   /* str x16, [sp, #-16]! */
#define INSN_FILL_X16 0xf84107f0u    /* ldr x16, [sp], #16 */
#define REG_X16 16
#define REG_31 31

#define BRANCH_RANGE (1ll << 27)     /* imm26 * 4 */

/* One handle for the life of the process, as in the x86-64 back end. */
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;
static csh cs_handle;
static int cs_status = -EAGAIN;

static void cs_init(void)
{
	cs_err e = cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs_handle);

	cs_status = e == CS_ERR_OK ? 0 : e == CS_ERR_MEM ? -ENOMEM : -ENOSYS;
}

__attribute__((destructor)) static void cs_fini(void)
{
	if (cs_status == 0) {
		cs_close(&cs_handle);
		cs_status = -ESHUTDOWN;
	}
}

/* Decodes insn into ci (allocated by the caller with cs_malloc). 1 when it
 * decodes, 0 when not, negative when capstone is unavailable. */
static int cs_decode(uint32_t insn, uint64_t addr, cs_insn *ci)
{
	/* A64 instructions are little-endian whatever the data endianness. */
	uint8_t b[4] = { (uint8_t)insn, (uint8_t)(insn >> 8),
			 (uint8_t)(insn >> 16), (uint8_t)(insn >> 24) };
	const uint8_t *p = b;
	size_t n = sizeof b;

	if (!cs_disasm_iter(cs_handle, &p, &n, &addr, ci))
		return 0;
	return 1;
}

static int cs_known(uint32_t insn, uint64_t addr)
{
	cs_insn *ci;
	int ok;

	pthread_once(&cs_once, cs_init);
	if (cs_status)
		return cs_status;
	ci = cs_malloc(cs_handle);
	if (!ci)
		return -ENOMEM;
	ok = cs_decode(insn, addr, ci);
	cs_free(ci, 1);
	return ok;
}

static int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);

	v &= (1ull << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int refuse(struct a64_plan *plan, const char *why)
{
	plan->kind = A64_REFUSE;
	snprintf(plan->why, sizeof plan->why, "%s", why);
	return 0;
}

static int emulate_as(struct a64_plan *plan, int op)
{
	plan->kind = A64_EMULATE;
	plan->op = op;
	return 0;
}

static int branch_to(struct a64_plan *plan, int op, int64_t off)
{
	plan->target = plan->addr + (uint64_t)off;
	return emulate_as(plan, op);
}

/* Hints with no architectural effect, which a nop reproduces exactly:
 * nop, yield, wfe, wfi (both may complete at once), csdb (the trap's
 * exception is already a stronger barrier), bti, bti c/j/jc (the landing
 * pad check was done when the trap was reached). */
static bool hint_is_nop(unsigned imm)
{
	switch (imm) {
	case 0: case 1: case 2: case 3: case 20:
	case 32: case 34: case 36: case 38:
		return true;
	default:
		return false;
	}
}

/* Encodings capstone 4 predates that are well-formed, do not read the pc
 * and run correctly from a slot: LSE atomics and compare-and-swap (v8.1),
 * ldapr (v8.3), retaa/retab and braa/brab (v8.3, no link). Without this
 * list no trap could go on such an instruction. */
static bool post_capstone4(uint32_t w)
{
	return (w & 0x3f200c00u) == 0x38200000u ||   /* ldadd..swp family */
	       (w & 0x3fa07c00u) == 0x08a07c00u ||   /* cas{a,l,al}{b,h} */
	       (w & 0xbfa07c00u) == 0x08207c00u ||   /* casp{a,l,al} */
	       (w & 0x3ffffc00u) == 0x38bfc000u ||   /* ldapr{b,h} */
	       (w & 0xfffffbffu) == 0xd65f0bffu ||   /* retaa, retab */
	       (w & 0xfffff800u) == 0xd61f0800u ||   /* braaz, brabz */
	       (w & 0xfffff800u) == 0xd71f0800u;     /* braa, brab */
}

/* Branch back from the slot word at slot_off to addr + 4. */
static int put_branch_back(struct a64_plan *plan, size_t slot_off)
{
	uint64_t from = plan->slot_addr + slot_off;
	int64_t off = (int64_t)(plan->addr + 4 - from);

	if (off < -BRANCH_RANGE || off >= BRANCH_RANGE) {
		refuse(plan, "scratch slot out of branch range");
		return -ERANGE;
	}
	put_le32(plan->code + slot_off,
		 INSN_B | ((uint32_t)(off >> 2) & 0x03ffffffu));
	return 0;
}

static int need_slot(struct a64_plan *plan)
{
	if (plan->slot_addr)
		return 0;
	snprintf(plan->why, sizeof plan->why, "needs a scratch slot");
	return -ENOSPC;
}

static int plan_ool(struct a64_plan *plan)
{
	int err = need_slot(plan);

	if (err)
		return err;
	put_le32(plan->code, plan->insn);
	err = put_branch_back(plan, 4);
	if (err)
		return err;
	plan->code_len = 8;
	plan->kind = A64_OOL;
	return 0;
}

/* ldr (literal) of every kind, prfm excepted: the slot loads the absolute
 * address kept as a literal, then loads through it. */
static int plan_ldr_literal(struct a64_plan *plan, uint64_t target)
{
	uint32_t w = plan->insn, rt = w & 31, load;
	unsigned opc = w >> 30;
	bool simd = w & (1u << 26);
	bool spill = simd || rt == REG_31;
	uint32_t base = spill ? REG_X16 : rt;
	size_t n = 0, lit;
	int err;

	if (simd)
		load = opc == 0 ? INSN_LDR_S : opc == 1 ? INSN_LDR_D : INSN_LDR_Q;
	else
		load = opc == 0 ? INSN_LDR_W : opc == 1 ? INSN_LDR_X : INSN_LDRSW;
	err = need_slot(plan);
	if (err)
		return err;
	/* Words: [spill], ldr base, lit, load, [fill], b back. */
	lit = spill ? 20 : 12;
	if ((plan->slot_addr + lit) & 7)
		lit += 4;
	if (spill) {
		put_le32(plan->code + n, INSN_SPILL_X16);
		n += 4;
	}
	put_le32(plan->code + n, INSN_LDR_LIT_X |
		 (uint32_t)(((lit - n) >> 2) << 5) | base);
	n += 4;
	put_le32(plan->code + n, load | base << 5 | rt);
	n += 4;
	if (spill) {
		put_le32(plan->code + n, INSN_FILL_X16);
		n += 4;
	}
	err = put_branch_back(plan, n);
	if (err)
		return err;
	n += 4;
	/* Padding before an aligned literal is never executed; keep it a
	 * nop anyway so that a disassembly of the slot reads sensibly. */
	if (n < lit)
		put_le32(plan->code + n, 0xd503201fu);
	put_le64(plan->code + lit, target);
	plan->code_len = lit + 8;
	plan->kind = A64_OOL;
	return 0;
}

static int classify(struct a64_plan *plan)
{
	uint32_t w = plan->insn;
	uint64_t addr = plan->addr;
	int known;

	/* hint #imm (nop, yield, bti, paciasp...): always valid; unallocated
	 * hints execute as nops. */
	if ((w & 0xfffff01fu) == 0xd503201fu) {
		if (hint_is_nop((w >> 5) & 0x7f))
			return emulate_as(plan, A64_EMU_NOP);
		return plan_ool(plan);
	}
	if ((w & 0xffe0001fu) == 0xd4200000u)
		return refuse(plan, "the original instruction is itself a breakpoint");

	/* stp Xt1, Xt2, [sp, #imm]! */
	if ((w & 0xffc003e0u) == 0xa98003e0u) {
		plan->reg_a = w & 31;
		plan->reg_b = (w >> 10) & 31;
		plan->imm = sext(w >> 15, 7) * 8;
		return emulate_as(plan, A64_EMU_STP_PRE);
	}
	/* add/sub Xd|SP, Xn|SP, #imm{, lsl #12}: mov x29, sp and sub sp. */
	if ((w & 0xbf800000u) == 0x91000000u) {
		int64_t imm = (int64_t)((w >> 10) & 0xfff) << ((w >> 22 & 1) * 12);

		plan->reg_a = w & 31;
		plan->reg_b = (w >> 5) & 31;
		plan->imm = (w & (1u << 30)) ? -imm : imm;
		return emulate_as(plan, A64_EMU_ADD_IMM);
	}
	/* adr, adrp */
	if ((w & 0x1f000000u) == 0x10000000u) {
		int64_t imm = sext((w >> 5 & 0x7ffff) << 2 | (w >> 29 & 3), 21);

		plan->reg_a = w & 31;
		if (w >> 31)
			plan->target = (addr & ~0xfffull) + (uint64_t)(imm * 4096);
		else
			plan->target = addr + (uint64_t)imm;
		return emulate_as(plan, A64_EMU_SET);
	}
	/* ldr (literal): GPR, SIMD&FP, ldrsw, prfm */
	if ((w & 0x3b000000u) == 0x18000000u) {
		uint64_t target = addr + (uint64_t)(sext(w >> 5, 19) * 4);

		if ((w >> 26 & 1) && (w >> 30) == 3)
			goto undecodable;
		/* A prefetch has no architectural effect and never faults. */
		if (!(w >> 26 & 1) && (w >> 30) == 3)
			return emulate_as(plan, A64_EMU_NOP);
		return plan_ldr_literal(plan, target);
	}
	/* b, bl */
	if ((w & 0x7c000000u) == 0x14000000u)
		return branch_to(plan, (w >> 31) ? A64_EMU_BL : A64_EMU_B,
				 sext(w, 26) * 4);
	/* b.cond, bc.cond */
	if ((w & 0xff000000u) == 0x54000000u) {
		plan->imm = w & 15;
		return branch_to(plan, A64_EMU_BCOND, sext(w >> 5, 19) * 4);
	}
	/* cbz, cbnz */
	if ((w & 0x7e000000u) == 0x34000000u) {
		plan->reg_a = w & 31;
		plan->imm = (w >> 31) ? 64 : 32;
		return branch_to(plan, (w >> 24 & 1) ? A64_EMU_CBNZ : A64_EMU_CBZ,
				 sext(w >> 5, 19) * 4);
	}
	/* tbz, tbnz */
	if ((w & 0x7e000000u) == 0x36000000u) {
		plan->reg_a = w & 31;
		plan->imm = (w >> 31) << 5 | (w >> 19 & 31);
		return branch_to(plan, (w >> 24 & 1) ? A64_EMU_TBNZ : A64_EMU_TBZ,
				 sext(w >> 5, 14) * 4);
	}
	/* br, blr, ret Xn (plain forms) */
	if ((w & 0xff9ffc1fu) == 0xd61f0000u) {
		static const int ops[] = { A64_EMU_BR, A64_EMU_BLR, A64_EMU_RET };
		unsigned opc = w >> 21 & 3;

		if (opc < 3) {
			plan->reg_a = w >> 5 & 31;
			return emulate_as(plan, ops[opc]);
		}
	}
	/* blraa, blrab, blraaz, blrabz: the link would point into the slot and
	 * the tracer cannot authenticate the target itself. */
	if ((w & 0xfffff800u) == 0xd63f0800u || (w & 0xfffff800u) == 0xd73f0800u)
		return refuse(plan, "authenticated call (blra*): cannot authenticate or relocate the link");
	/* Load/store exclusive register and pair (o2 == 0, and not casp). */
	if ((w & 0x3f800000u) == 0x08000000u &&
	    (!(w & (1u << 21)) || (w >> 31)))
		return refuse(plan, "exclusive load/store (LL/SC): the trap clears the monitor, the sequence would never succeed");

	known = cs_known(w, addr);
	if (known < 0)
		return known;
	if (!known && !post_capstone4(w))
		goto undecodable;
	return plan_ool(plan);
undecodable:
	snprintf(plan->why, sizeof plan->why, "word 0x%08x does not decode", w);
	return -EINVAL;
}

int a64_step_plan(uint32_t insn, uint64_t addr, uint64_t slot_addr,
		  struct a64_plan *plan)
{
	if (!plan)
		return -EINVAL;
	memset(plan, 0, sizeof *plan);
	plan->kind = A64_REFUSE;
	plan->addr = addr;
	plan->insn = insn;
	plan->slot_addr = slot_addr;
	if ((addr | slot_addr) & 3) {
		snprintf(plan->why, sizeof plan->why, "misaligned address");
		return -EINVAL;
	}
	return classify(plan);
}

int a64_cond_holds(unsigned cond, uint64_t pstate)
{
	bool n = pstate & A64_PSTATE_N, z = pstate & A64_PSTATE_Z;
	bool c = pstate & A64_PSTATE_C, v = pstate & A64_PSTATE_V;
	bool r;

	switch ((cond & 15) >> 1) {
	case 0: r = z; break;
	case 1: r = c; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = c && !z; break;
	case 5: r = n == v; break;
	case 6: r = n == v && !z; break;
	default: r = true; break;
	}
	/* The low bit negates, except for 1111, which is "always" too. */
	if ((cond & 1) && (cond & 15) != 15)
		r = !r;
	return r;
}

static uint64_t xzr(const struct a64_regs *r, int n)
{
	return n == REG_31 ? 0 : r->x[n];
}

static int store_pair(const struct a64_plan *p, struct a64_regs *r,
		      int (*wr)(void *, uint64_t, const void *, size_t),
		      void *ctx)
{
	uint64_t sp = r->sp + (uint64_t)p->imm;
	uint8_t buf[16];
	int err;

	if (!wr)
		return -EINVAL;
	put_le64(buf, xzr(r, p->reg_a));
	put_le64(buf + 8, xzr(r, p->reg_b));
	/* Memory first: a failed write leaves the thread as it was. */
	err = wr(ctx, sp, buf, sizeof buf);
	if (err)
		return err < 0 ? err : -EIO;
	r->sp = sp;
	return 0;
}

static int emulate(const struct a64_plan *p, struct a64_regs *r,
		   int (*wr)(void *, uint64_t, const void *, size_t),
		   void *ctx, uint64_t *pc, unsigned *btype)
{
	uint64_t next = p->addr + 4, v;
	bool taken;
	int err;

	if (p->reg_a < 0 || p->reg_a > REG_31 || p->reg_b < 0 ||
	    p->reg_b > REG_31)
		return -EINVAL;
	*pc = next;
	switch (p->op) {
	case A64_EMU_NOP:
		return 0;
	case A64_EMU_ADD_IMM:
		v = (p->reg_b == REG_31 ? r->sp : r->x[p->reg_b]) + (uint64_t)p->imm;
		if (p->reg_a == REG_31)
			r->sp = v;
		else
			r->x[p->reg_a] = v;
		return 0;
	case A64_EMU_STP_PRE:
		err = store_pair(p, r, wr, ctx);
		return err;
	case A64_EMU_SET:
		if (p->reg_a != REG_31)
			r->x[p->reg_a] = p->target;
		return 0;
	case A64_EMU_B:
		*pc = p->target;
		return 0;
	case A64_EMU_BL:
		r->x[30] = next;
		*pc = p->target;
		return 0;
	case A64_EMU_BCOND:
		taken = a64_cond_holds((unsigned)p->imm, r->pstate);
		break;
	case A64_EMU_CBZ:
	case A64_EMU_CBNZ:
		v = xzr(r, p->reg_a);
		if (p->imm == 32)
			v = (uint32_t)v;
		taken = (v == 0) == (p->op == A64_EMU_CBZ);
		break;
	case A64_EMU_TBZ:
	case A64_EMU_TBNZ:
		if (p->imm < 0 || p->imm > 63)
			return -EINVAL;
		v = xzr(r, p->reg_a) >> p->imm & 1;
		taken = (v == 0) == (p->op == A64_EMU_TBZ);
		break;
	case A64_EMU_BR:
		/* The CPU sets BTYPE 01 or 11 depending on the register and on
		 * whether this page is guarded, which the tracer does not know:
		 * 01 is accepted by every landing pad that accepts 11, so a
		 * target with no landing pad still faults as it should. */
		*pc = xzr(r, p->reg_a);
		*btype = 1;
		return 0;
	case A64_EMU_BLR:
		/* Read before the link: `blr x30` jumps to the old x30. */
		*pc = xzr(r, p->reg_a);
		r->x[30] = next;
		*btype = 2;
		return 0;
	case A64_EMU_RET:
		*pc = xzr(r, p->reg_a);
		return 0;
	default:
		return -EINVAL;
	}
	if (taken)
		*pc = p->target;
	return 0;
}

int a64_step_apply(const struct a64_plan *plan, struct a64_regs *r,
		   int (*wr)(void *ctx, uint64_t addr, const void *buf,
			     size_t len),
		   void *ctx)
{
	struct a64_regs out;
	unsigned btype = 0;
	uint64_t pc;
	int err;

	if (!plan || !r)
		return -EINVAL;
	out = *r;
	switch (plan->kind) {
	case A64_OOL:
		if (!plan->slot_addr || !plan->code_len)
			return -EINVAL;
		pc = plan->slot_addr;
		break;
	case A64_EMULATE:
		err = emulate(plan, &out, wr, ctx, &pc, &btype);
		if (err)
			return err;
		break;
	case A64_REFUSE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	/* The trapped instruction counts as executed, which resets BTYPE;
	 * a thread that reached the trap through `br` would otherwise be
	 * checked again at addr+4 or at the slot and die with SIGILL. */
	out.pstate = (out.pstate & ~A64_PSTATE_BTYPE_MASK) |
		     (uint64_t)btype << A64_PSTATE_BTYPE_SHIFT;
	out.pc = pc;
	*r = out;
	return 0;
}

/* Names capstone 4 prints as "hint #n". */
static const char *hint_name(unsigned imm)
{
	switch (imm) {
	case 7: return "xpaclri";
	case 8: return "pacia1716";
	case 10: return "pacib1716";
	case 12: return "autia1716";
	case 14: return "autib1716";
	case 24: return "paciaz";
	case 25: return "paciasp";
	case 26: return "pacibz";
	case 27: return "pacibsp";
	case 28: return "autiaz";
	case 29: return "autiasp";
	case 30: return "autibz";
	case 31: return "autibsp";
	case 32: return "bti";
	case 34: return "bti c";
	case 36: return "bti j";
	case 38: return "bti jc";
	default: return NULL;
	}
}

int a64_disasm(uint32_t insn, uint64_t addr, char *buf, size_t len)
{
	const char *name = NULL;
	cs_insn *ci;
	int ok;

	if (!buf && len)
		return -EINVAL;
	if ((insn & 0xfffff01fu) == 0xd503201fu)
		name = hint_name((insn >> 5) & 0x7f);
	if (name) {
		if (len)
			snprintf(buf, len, "%s", name);
		return 0;
	}
	pthread_once(&cs_once, cs_init);
	if (cs_status)
		return cs_status;
	ci = cs_malloc(cs_handle);
	if (!ci)
		return -ENOMEM;
	ok = cs_decode(insn, addr, ci);
	/* Truncation is acceptable for display. */
	if (ok && len)
		snprintf(buf, len, "%s%s%s", ci->mnemonic,
			 ci->op_str[0] ? " " : "", ci->op_str);
	else if (!ok && post_capstone4(insn) && len)
		snprintf(buf, len, ".inst 0x%08x", insn);
	cs_free(ci, 1);
	return ok || post_capstone4(insn) ? 0 : -EINVAL;
}
