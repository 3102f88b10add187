/* aarch64 step-over planner, tested on any host from raw instruction words:
 * emulated effects on a64_regs, every branch both ways, pc-relative values,
 * out-of-line slot contents decoded back with capstone, refusals and
 * errors. Links with arch/aarch64/a64_step.c, capstone and check only. */
#include <capstone/capstone.h>
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../../arch/aarch64/a64_step.h"
#include "write_log.h"

#define ADDR 0x400800ull              /* where the trap sits */
#define SLOT 0x1400000ull             /* scratch slot, 8-byte aligned */
#define SLOT4 0x1400004ull            /* scratch slot, 4 mod 8 */
#define FAR_SLOT 0x7f0000000000ull    /* out of branch range */
#define NO_SLOT 0ull
#define FAR_ADDR 0x40000000ull      /* room for +-128 MiB around it */
#define BTYPE_11 (3ull << A64_PSTATE_BTYPE_SHIFT)

#define PACIASP 0xd503233fu
#define PACIBSP 0xd503237fu
#define BTI_C 0xd503245fu
#define NOP 0xd503201fu
#define STP_FP_LR_16 0xa9bf7bfdu      /* stp x29, x30, [sp, #-16]! */
#define MOV_FP_SP 0x910003fdu         /* mov x29, sp */
#define MUL_X0 0x9b027c20u            /* mul x0, x1, x2 */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void regs_init(struct a64_regs *r)
{
	memset(r, 0, sizeof *r);
	for (int i = 0; i < 31; i++)
		r->x[i] = 0x1111111111111111ull * (uint64_t)(i % 15 + 1) + (uint64_t)i;
	r->sp = 0x0000fffff7ff0000ull;
	r->x[29] = 0x0000fffff7ff0100ull;
	r->x[30] = 0x0000aaaa00001234ull;
	/* brk leaves pc on the trap. Arrived by `br`: BTYPE is set. */
	r->pc = ADDR;
	r->pstate = 0x60000000ull | BTYPE_11;
}

static struct a64_plan plan_ok(uint32_t insn, uint64_t slot, enum a64_kind kind)
{
	struct a64_plan p;

	ck_assert_int_eq(a64_step_plan(insn, ADDR, slot, &p), 0);
	ck_assert_int_eq(p.kind, kind);
	ck_assert_uint_eq(p.addr, ADDR);
	return p;
}

/* Emulates insn with and without a slot, allowing no memory write; returns
 * the registers after. */
static struct a64_regs emulate_pure(uint32_t insn, struct a64_regs r)
{
	struct a64_regs r2 = r;
	struct a64_plan p = plan_ok(insn, NO_SLOT, A64_EMULATE);
	struct a64_plan q = plan_ok(insn, SLOT, A64_EMULATE);
	struct wlog w = { .fail = -EPERM };

	ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, &w), 0);
	ck_assert_int_eq(a64_step_apply(&q, &r2, rec_write, &w), 0);
	ck_assert_int_eq(w.calls, 0);
	ck_assert_mem_eq(&r, &r2, sizeof r);
	return r;
}

/* The emulated step changed only pc (and consumed BTYPE). */
static void assert_only_pc(const struct a64_regs *before,
			   const struct a64_regs *after, uint64_t pc)
{
	struct a64_regs want = *before;

	want.pc = pc;
	want.pstate &= ~A64_PSTATE_BTYPE_MASK;
	ck_assert_uint_eq(after->pc, pc);
	ck_assert_mem_eq(&want, after, sizeof want);
}

static csh test_cs(void)
{
	static csh h;

	if (!h)
		ck_assert_int_eq(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h), CS_ERR_OK);
	return h;
}

/* Decodes the word at code[off] as it runs at at + off: "mnemonic op_str". */
static void slot_insn(const struct a64_plan *p, size_t off, char *out, size_t n)
{
	cs_insn *ci;

	ck_assert_uint_le(off + 4, p->code_len);
	ck_assert_uint_eq(cs_disasm(test_cs(), p->code + off, 4,
				    p->slot_addr + off, 1, &ci), 1);
	/* Truncation would only make the comparison fail, never pass. */
	if (snprintf(out, n, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "",
		     ci->op_str) < 0)
		out[0] = 0;
	cs_free(ci, 1);
}

static void assert_slot_insn(const struct a64_plan *p, size_t off,
			     const char *want)
{
	char got[96];

	slot_insn(p, off, got, sizeof got);
	ck_assert_str_eq(got, want);
}

static void assert_branch_back(const struct a64_plan *p, size_t off)
{
	char want[48];

	snprintf(want, sizeof want, "b #0x%llx",
		 (unsigned long long)(ADDR + 4));
	assert_slot_insn(p, off, want);
}

static uint32_t enc_b(uint32_t base, int64_t off, unsigned bits, unsigned shift)
{
	return base | ((uint32_t)(off >> 2) & ((1u << bits) - 1)) << shift;
}

/* ---- hints ----------------------------------------------------------- */

START_TEST(nop_space_hints_are_emulated_as_nop)
{
	static const uint32_t w[] = {
		NOP, BTI_C, 0xd503241fu /* bti */, 0xd503249fu /* bti j */,
		0xd50324dfu /* bti jc */, 0xd503203fu /* yield */,
		0xd503205fu /* wfe */, 0xd503229fu /* csdb */,
		0xf9800040u, /* prfm pldl1keep, [x2]: not a literal, OOL */
	};
	struct a64_regs r, out;

	regs_init(&r);
	for (size_t i = 0; i + 1 < sizeof w / sizeof w[0]; i++) {
		out = emulate_pure(w[i], r);
		assert_only_pc(&r, &out, ADDR + 4);
	}
	plan_ok(w[8], SLOT, A64_OOL);
}
END_TEST

START_TEST(pac_hints_run_out_of_line)
{
	static const uint32_t w[] = {
		PACIASP, PACIBSP, 0xd50323bfu /* autiasp */,
		0xd50320ffu /* xpaclri */, 0xd503251fu /* chkfeat x16 */,
		0xd503209fu /* sev */,
	};
	struct a64_regs r;

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		struct a64_plan p = plan_ok(w[i], SLOT, A64_OOL);

		ck_assert_uint_eq(p.code_len, 8);
		ck_assert_uint_eq(le32(p.code), w[i]);
		assert_branch_back(&p, 4);
		regs_init(&r);
		ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, NULL), 0);
		ck_assert_uint_eq(r.pc, SLOT);
		ck_assert_uint_eq(r.pstate & A64_PSTATE_BTYPE_MASK, 0);
		ck_assert_int_eq(a64_step_plan(w[i], ADDR, NO_SLOT, &p), -ENOSPC);
	}
	{
		struct a64_plan p = plan_ok(PACIASP, SLOT, A64_OOL);

		assert_slot_insn(&p, 0, "hint #0x19");
	}
}
END_TEST

/* ---- prologue -------------------------------------------------------- */

START_TEST(stp_pre_index_writes_pair_and_moves_sp)
{
	static const struct { uint32_t w; int t1, t2; int64_t off; } c[] = {
		{ STP_FP_LR_16, 29, 30, -16 },
		{ 0xa9ba7bfdu, 29, 30, -96 },          /* stp x29, x30, [sp, #-96]! */
		{ 0xa9817ff3u, 19, 31, 16 },           /* stp x19, xzr, [sp, #16]! */
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct a64_regs r, before;
		struct wlog w = { 0 };
		struct a64_plan p = plan_ok(c[i].w, NO_SLOT, A64_EMULATE);
		uint64_t sp;

		plan_ok(c[i].w, SLOT, A64_EMULATE);
		regs_init(&r);
		before = r;
		sp = r.sp + (uint64_t)c[i].off;
		ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, &w), 0);
		ck_assert_int_eq(w.calls, 1);
		ck_assert_uint_eq(w.addr, sp);
		ck_assert_uint_eq(w.len, 16);
		ck_assert_uint_eq(le64(w.buf), before.x[c[i].t1]);
		ck_assert_uint_eq(le64(w.buf + 8),
				  c[i].t2 == 31 ? 0 : before.x[c[i].t2]);
		before.sp = sp;
		assert_only_pc(&before, &r, ADDR + 4);
	}
}
END_TEST

START_TEST(stp_failed_write_leaves_thread_untouched)
{
	struct a64_plan p = plan_ok(STP_FP_LR_16, NO_SLOT, A64_EMULATE);
	struct a64_regs r, before;
	struct wlog w = { .fail = -EFAULT };

	regs_init(&r);
	before = r;
	ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, &w), -EFAULT);
	ck_assert_mem_eq(&r, &before, sizeof r);
	w.fail = 3;
	ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, &w), -EIO);
	ck_assert_int_eq(a64_step_apply(&p, &r, NULL, NULL), -EINVAL);
	ck_assert_mem_eq(&r, &before, sizeof r);
}
END_TEST

START_TEST(add_sub_immediate_with_sp)
{
	struct a64_regs r, out, want;

	regs_init(&r);
	out = emulate_pure(MOV_FP_SP, r);
	want = r;
	want.x[29] = r.sp;
	assert_only_pc(&want, &out, ADDR + 4);

	out = emulate_pure(0xd10103ffu, r);           /* sub sp, sp, #0x40 */
	want = r;
	want.sp = r.sp - 0x40;
	assert_only_pc(&want, &out, ADDR + 4);

	out = emulate_pure(0xd14007ffu, r);           /* sub sp, sp, #1, lsl #12 */
	want = r;
	want.sp = r.sp - 0x1000;
	assert_only_pc(&want, &out, ADDR + 4);

	out = emulate_pure(0x910043fdu, r);           /* add x29, sp, #0x10 */
	want = r;
	want.x[29] = r.sp + 0x10;
	assert_only_pc(&want, &out, ADDR + 4);

	out = emulate_pure(0x91002020u, r);           /* add x0, x1, #8 */
	want = r;
	want.x[0] = r.x[1] + 8;
	assert_only_pc(&want, &out, ADDR + 4);

	/* Flag-setting and 32-bit forms are not emulated. */
	plan_ok(0xf10003ffu /* cmp sp, #0 */, SLOT, A64_OOL);
	plan_ok(0x11000420u /* add w0, w1, #1 */, SLOT, A64_OOL);
}
END_TEST

/* ---- pc-relative ----------------------------------------------------- */

START_TEST(adr_and_adrp_values)
{
	static const struct { uint32_t w; int rd; uint64_t want; } c[] = {
		{ 0x10000080u, 0, ADDR + 16 },                   /* adr x0, #+16 */
		{ 0x70ffffe3u, 3, ADDR - 1 },                    /* adr x3, #-1 */
		{ 0x90000011u, 17, ADDR & ~0xfffull },           /* adrp x17, #0 */
		{ 0xb0000021u, 1, (ADDR & ~0xfffull) + 0x5000 }, /* adrp x1, +5p */
		{ 0x90fffff0u, 16, (ADDR & ~0xfffull) - 0x4000 },/* adrp x16, -4p */
	};
	struct a64_regs r, out, want;

	regs_init(&r);
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		out = emulate_pure(c[i].w, r);
		want = r;
		want.x[c[i].rd] = c[i].want;
		assert_only_pc(&want, &out, ADDR + 4);
	}
	/* adr xzr discards. */
	out = emulate_pure(0x1000009fu, r);
	assert_only_pc(&r, &out, ADDR + 4);
}
END_TEST

static uint64_t lit_addr_of(const struct a64_plan *p, size_t ldr_off)
{
	uint32_t w = le32(p->code + ldr_off);

	ck_assert_uint_eq(w & 0xff000000u, 0x58000000u);
	return p->slot_addr + ldr_off + ((w >> 5 & 0x7ffff) << 2);
}

START_TEST(ldr_literal_gpr_loads_through_itself)
{
	static const struct { uint32_t w; const char *load; } c[] = {
		{ 0x58000103u, "ldr x3, [x3]" },        /* ldr x3, #+32 */
		{ 0x18ffffe5u, "ldr w5, [x5]" },        /* ldr w5, #-4 */
		{ 0x98000047u, "ldrsw x7, [x7]" },      /* ldrsw x7, #+8 */
	};
	static const int64_t off[] = { 32, -4, 8 };
	static const uint64_t slots[] = { SLOT, SLOT4 };
	char want[64];

	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
			struct a64_plan p = plan_ok(c[i].w, slots[s], A64_OOL);
			uint64_t lit = lit_addr_of(&p, 0);
			unsigned rt = c[i].w & 31;
			struct a64_regs r;

			ck_assert_uint_eq(lit % 8, 0);
			ck_assert_uint_le(lit + 8, p.slot_addr + p.code_len);
			ck_assert_uint_le(p.code_len, A64_SLOT_SIZE);
			ck_assert_uint_eq(le64(p.code + (lit - p.slot_addr)),
					  ADDR + (uint64_t)off[i]);
			snprintf(want, sizeof want, "ldr x%u, #0x%llx", rt,
				 (unsigned long long)lit);
			assert_slot_insn(&p, 0, want);
			assert_slot_insn(&p, 4, c[i].load);
			assert_branch_back(&p, 8);
			regs_init(&r);
			ck_assert_int_eq(a64_step_apply(&p, &r, NULL, NULL), 0);
			ck_assert_uint_eq(r.pc, p.slot_addr);
			ck_assert_int_eq(a64_step_plan(c[i].w, ADDR, NO_SLOT, &p),
					 -ENOSPC);
		}
}
END_TEST

START_TEST(ldr_literal_simd_spills_x16)
{
	static const struct { uint32_t w; const char *load; } c[] = {
		{ 0x1c000040u, "ldr s0, [x16]" },
		{ 0x5c000041u, "ldr d1, [x16]" },
		{ 0x9c000042u, "ldr q2, [x16]" },
		{ 0x5800005fu, "ldr xzr, [x16]" },
	};
	static const uint64_t slots[] = { SLOT, SLOT4 };

	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
			struct a64_plan p = plan_ok(c[i].w, slots[s], A64_OOL);
			uint64_t lit = lit_addr_of(&p, 4);
			char want[64];

			ck_assert_uint_eq(lit % 8, 0);
			ck_assert_uint_le(p.code_len, A64_SLOT_SIZE);
			ck_assert_uint_eq(le64(p.code + (lit - p.slot_addr)),
					  ADDR + 8);
			assert_slot_insn(&p, 0, "str x16, [sp, #-0x10]!");
			snprintf(want, sizeof want, "ldr x16, #0x%llx",
				 (unsigned long long)lit);
			assert_slot_insn(&p, 4, want);
			assert_slot_insn(&p, 8, c[i].load);
			assert_slot_insn(&p, 12, "ldr x16, [sp], #0x10");
			assert_branch_back(&p, 16);
		}
}
END_TEST

START_TEST(prfm_literal_is_a_nop)
{
	struct a64_regs r, out;

	regs_init(&r);
	out = emulate_pure(0xd8000040u, r);          /* prfm pldl1keep, #8 */
	assert_only_pc(&r, &out, ADDR + 4);
}
END_TEST

/* ---- branches -------------------------------------------------------- */

START_TEST(b_and_bl)
{
	struct a64_regs r, out, want;

	regs_init(&r);
	out = emulate_pure(enc_b(0x14000000u, 0x1000, 26, 0), r);
	assert_only_pc(&r, &out, ADDR + 0x1000);
	out = emulate_pure(enc_b(0x14000000u, -0x400000, 26, 0), r);
	assert_only_pc(&r, &out, ADDR - 0x400000);
	out = emulate_pure(enc_b(0x94000000u, -8, 26, 0), r);
	want = r;
	want.x[30] = ADDR + 4;
	assert_only_pc(&want, &out, ADDR - 8);
}
END_TEST

/* Reference written from the condition names, independent of the code. */
static int ref_cond(unsigned c, int n, int z, int cf, int v)
{
	switch (c) {
	case 0x0: return z;                  /* eq */
	case 0x1: return !z;                 /* ne */
	case 0x2: return cf;                 /* hs */
	case 0x3: return !cf;                /* lo */
	case 0x4: return n;                  /* mi */
	case 0x5: return !n;                 /* pl */
	case 0x6: return v;                  /* vs */
	case 0x7: return !v;                 /* vc */
	case 0x8: return cf && !z;           /* hi */
	case 0x9: return !cf || z;           /* ls */
	case 0xa: return n == v;             /* ge */
	case 0xb: return n != v;             /* lt */
	case 0xc: return !z && n == v;       /* gt */
	case 0xd: return z || n != v;        /* le */
	default: return 1;                   /* al, nv */
	}
}

START_TEST(b_cond_every_condition_every_nzcv)
{
	int taken_seen[16] = { 0 }, fallthrough_seen[16] = { 0 };

	for (unsigned c = 0; c < 16; c++) {
		uint32_t w = enc_b(0x54000000u, -0x40, 19, 5) | c;

		for (unsigned f = 0; f < 16; f++) {
			struct a64_regs r, out;
			int want;

			regs_init(&r);
			r.pstate = (uint64_t)f << 28 | BTYPE_11;
			want = ref_cond(c, f >> 3 & 1, f >> 2 & 1, f >> 1 & 1, f & 1);
			out = emulate_pure(w, r);
			assert_only_pc(&r, &out, want ? ADDR - 0x40 : ADDR + 4);
			(want ? taken_seen : fallthrough_seen)[c]++;
		}
		ck_assert_int_gt(taken_seen[c], 0);
		if (c < 14)
			ck_assert_int_gt(fallthrough_seen[c], 0);
	}
}
END_TEST

START_TEST(cbz_cbnz_both_ways_both_widths)
{
	uint32_t cbz_x2 = enc_b(0xb4000000u, 0x80, 19, 5) | 2;
	uint32_t cbnz_x2 = enc_b(0xb5000000u, 0x80, 19, 5) | 2;
	uint32_t cbz_w2 = enc_b(0x34000000u, -0x80, 19, 5) | 2;
	uint32_t cbnz_w2 = enc_b(0x35000000u, -0x80, 19, 5) | 2;
	struct a64_regs r, out;

	regs_init(&r);
	r.x[2] = 0;
	assert_only_pc(&r, (out = emulate_pure(cbz_x2, r), &out), ADDR + 0x80);
	assert_only_pc(&r, (out = emulate_pure(cbnz_x2, r), &out), ADDR + 4);
	assert_only_pc(&r, (out = emulate_pure(cbz_w2, r), &out), ADDR - 0x80);
	assert_only_pc(&r, (out = emulate_pure(cbnz_w2, r), &out), ADDR + 4);
	/* Only the high half set: zero as a W register, not as an X one. */
	r.x[2] = 0xffffffff00000000ull;
	assert_only_pc(&r, (out = emulate_pure(cbz_x2, r), &out), ADDR + 4);
	assert_only_pc(&r, (out = emulate_pure(cbnz_x2, r), &out), ADDR + 0x80);
	assert_only_pc(&r, (out = emulate_pure(cbz_w2, r), &out), ADDR - 0x80);
	assert_only_pc(&r, (out = emulate_pure(cbnz_w2, r), &out), ADDR + 4);
	r.x[2] = 1;
	assert_only_pc(&r, (out = emulate_pure(cbz_w2, r), &out), ADDR + 4);
	assert_only_pc(&r, (out = emulate_pure(cbnz_w2, r), &out), ADDR - 0x80);
}
END_TEST

START_TEST(tbz_tbnz_low_and_high_bits)
{
	uint32_t tbz3_0 = enc_b(0x36000000u, 0x20, 14, 5) | 3;
	uint32_t tbnz3_0 = enc_b(0x37000000u, 0x20, 14, 5) | 3;
	/* bit 63: b5 = 1, b40 = 31 */
	uint32_t tbz3_63 = enc_b(0xb6f80000u, -0x20, 14, 5) | 3;
	uint32_t tbnz3_63 = enc_b(0xb7f80000u, -0x20, 14, 5) | 3;
	struct a64_regs r, out;

	regs_init(&r);
	r.x[3] = 0x8000000000000000ull;
	assert_only_pc(&r, (out = emulate_pure(tbz3_0, r), &out), ADDR + 0x20);
	assert_only_pc(&r, (out = emulate_pure(tbnz3_0, r), &out), ADDR + 4);
	assert_only_pc(&r, (out = emulate_pure(tbz3_63, r), &out), ADDR + 4);
	assert_only_pc(&r, (out = emulate_pure(tbnz3_63, r), &out), ADDR - 0x20);
	r.x[3] = 1;
	assert_only_pc(&r, (out = emulate_pure(tbz3_0, r), &out), ADDR + 4);
	assert_only_pc(&r, (out = emulate_pure(tbnz3_0, r), &out), ADDR + 0x20);
	assert_only_pc(&r, (out = emulate_pure(tbz3_63, r), &out), ADDR - 0x20);
	assert_only_pc(&r, (out = emulate_pure(tbnz3_63, r), &out), ADDR + 4);
	/* The disassembler agrees on the bit number. */
	{
		char buf[64];

		ck_assert_int_eq(a64_disasm(tbnz3_63, ADDR, buf, sizeof buf), 0);
		ck_assert_str_eq(buf, "tbnz x3, #0x3f, #0x4007e0");
	}
}
END_TEST

START_TEST(register_branches)
{
	struct a64_regs r, out, want;

	regs_init(&r);
	r.x[1] = 0x500000;
	out = emulate_pure(0xd61f0020u, r);          /* br x1 */
	want = r;
	want.pstate = (want.pstate & ~A64_PSTATE_BTYPE_MASK) |
		      1ull << A64_PSTATE_BTYPE_SHIFT;
	want.pc = 0x500000;
	ck_assert_mem_eq(&out, &want, sizeof out);

	out = emulate_pure(0xd63f03c0u, r);          /* blr x30 */
	want = r;
	want.x[30] = ADDR + 4;
	want.pc = r.x[30];
	want.pstate = (want.pstate & ~A64_PSTATE_BTYPE_MASK) |
		      2ull << A64_PSTATE_BTYPE_SHIFT;
	ck_assert_mem_eq(&out, &want, sizeof out);

	out = emulate_pure(0xd65f03c0u, r);          /* ret */
	assert_only_pc(&r, &out, r.x[30]);
	/* retaa needs no pc: out of line, although capstone 4 lacks it. */
	plan_ok(0xd65f0bffu, SLOT, A64_OOL);
}
END_TEST

/* ---- out of line, refusals, errors ---------------------------------- */

START_TEST(other_instructions_run_out_of_line)
{
	static const struct { uint32_t w; const char *text; } c[] = {
		{ MUL_X0, "mul x0, x1, x2" },
		{ 0xaa0103e0u, "mov x0, x1" },
		{ 0xa9017bfdu, "stp x29, x30, [sp, #0x10]" },
		{ 0xf9400020u, "ldr x0, [x1]" },
		{ 0xc8dffc20u, "ldar x0, [x1]" },
		{ 0xd4000001u, "svc #0" },
	};
	struct a64_regs r;

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct a64_plan p = plan_ok(c[i].w, SLOT, A64_OOL);
		struct a64_regs before;

		ck_assert_uint_eq(p.code_len, 8);
		assert_slot_insn(&p, 0, c[i].text);
		assert_branch_back(&p, 4);
		regs_init(&r);
		before = r;
		ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, NULL), 0);
		assert_only_pc(&before, &r, SLOT);
		ck_assert_int_eq(a64_step_plan(c[i].w, ADDR, NO_SLOT, &p), -ENOSPC);
		ck_assert_str_eq(p.why, "needs a scratch slot");
	}
	/* LSE atomics postdate capstone 4 but run fine from a slot. */
	plan_ok(0xf8200020u /* ldadd x0, x0, [x1] */, SLOT, A64_OOL);
	plan_ok(0xc8a07c41u /* cas x0, x1, [x2] */, SLOT, A64_OOL);
	plan_ok(0x48207c82u /* casp x0, x1, x2, x3, [x4] */, SLOT, A64_OOL);
}
END_TEST

START_TEST(slot_out_of_range_or_misaligned)
{
	struct a64_plan p;

	ck_assert_int_eq(a64_step_plan(MUL_X0, ADDR, FAR_SLOT, &p), -ERANGE);
	ck_assert_int_eq(p.kind, A64_REFUSE);
	ck_assert_int_eq(a64_step_plan(0x58000103u, ADDR, FAR_SLOT, &p), -ERANGE);
	/* Just inside and just outside +-128 MiB of the branch back. */
	ck_assert_int_eq(a64_step_plan(MUL_X0, FAR_ADDR, FAR_ADDR - (1ull << 27) + 4,
				       &p), 0);
	ck_assert_int_eq(a64_step_plan(MUL_X0, FAR_ADDR, FAR_ADDR - (1ull << 27),
				       &p), -ERANGE);
	ck_assert_int_eq(a64_step_plan(MUL_X0, FAR_ADDR, FAR_ADDR + (1ull << 27),
				       &p), 0);
	ck_assert_int_eq(a64_step_plan(MUL_X0, FAR_ADDR, FAR_ADDR + (1ull << 27) + 4,
				       &p), -ERANGE);
	ck_assert_int_eq(a64_step_plan(MUL_X0, ADDR, SLOT + 2, &p), -EINVAL);
	/* Emulated instructions do not care about the slot. */
	plan_ok(STP_FP_LR_16, FAR_SLOT, A64_EMULATE);
}
END_TEST

START_TEST(exclusives_are_refused)
{
	static const uint32_t w[] = {
		0xc85f7c20u, /* ldxr x0, [x1] */
		0xc85ffc20u, /* ldaxr x0, [x1] */
		0xc8027c20u, /* stxr w2, x0, [x1] */
		0xc802fc20u, /* stlxr w2, x0, [x1] */
		0x885f7c20u, /* ldxr w0, [x1] */
		0x085f7c20u, /* ldxrb w0, [x1] */
		0x4802fc20u, /* stlxrh w2, w0, [x1] */
		0xc87f0c20u, /* ldxp x0, x3, [x1] */
		0xc87f8c20u, /* ldaxp x0, x3, [x1] */
		0xc8220c20u, /* stxp w2, x0, x3, [x1] */
		0xc8228c20u, /* stlxp w2, x0, x3, [x1] */
	};
	char buf[64];

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		struct a64_plan p;

		/* Refused with or without a slot, never -ENOSPC. */
		p = plan_ok(w[i], NO_SLOT, A64_REFUSE);
		p = plan_ok(w[i], SLOT, A64_REFUSE);
		ck_assert_ptr_nonnull(strstr(p.why, "exclusive"));
		ck_assert_int_eq(a64_disasm(w[i], ADDR, buf, sizeof buf), 0);
		ck_assert(strncmp(buf, "ld", 2) == 0 || strncmp(buf, "st", 2) == 0);
		ck_assert_int_eq(a64_step_apply(&p, &(struct a64_regs){ 0 },
						rec_write, NULL), -EOPNOTSUPP);
	}
}
END_TEST

START_TEST(other_refusals)
{
	struct a64_plan p;

	p = plan_ok(0xd4200000u, SLOT, A64_REFUSE);    /* brk #0 */
	ck_assert_ptr_nonnull(strstr(p.why, "breakpoint"));
	p = plan_ok(0xd63f081fu, SLOT, A64_REFUSE);    /* blraaz x0 */
	ck_assert_ptr_nonnull(strstr(p.why, "blra"));
	p = plan_ok(0xd73f0820u, NO_SLOT, A64_REFUSE); /* blraa x1, x0 */
}
END_TEST

START_TEST(undecodable_words)
{
	static const uint32_t w[] = {
		0x00000000u, 0xffffffffu,
		0xdc000040u, /* ldr literal, SIMD opc 11: unallocated */
	};
	struct a64_plan p;
	char buf[32];

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		ck_assert_int_eq(a64_step_plan(w[i], ADDR, SLOT, &p), -EINVAL);
		ck_assert_int_eq(a64_step_plan(w[i], ADDR, NO_SLOT, &p), -EINVAL);
		ck_assert_int_eq(a64_disasm(w[i], ADDR, buf, sizeof buf), -EINVAL);
	}
	ck_assert_int_eq(a64_step_plan(NOP, ADDR, SLOT, NULL), -EINVAL);
}
END_TEST

START_TEST(bad_plans_are_rejected)
{
	struct a64_regs r;
	struct a64_plan p;

	regs_init(&r);
	memset(&p, 0, sizeof p);
	ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, NULL), -EINVAL);
	p = plan_ok(MUL_X0, SLOT, A64_OOL);
	p.slot_addr = 0;
	ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, NULL), -EINVAL);
	p = plan_ok(NOP, SLOT, A64_EMULATE);
	p.op = 0;
	ck_assert_int_eq(a64_step_apply(&p, &r, rec_write, NULL), -EINVAL);
	ck_assert_int_eq(a64_step_apply(NULL, &r, rec_write, NULL), -EINVAL);
	ck_assert_uint_eq(r.pc, ADDR);
}
END_TEST

START_TEST(disassembly_for_display)
{
	static const struct { uint32_t w; const char *text; } c[] = {
		{ PACIASP, "paciasp" },
		{ PACIBSP, "pacibsp" },
		{ BTI_C, "bti c" },
		{ NOP, "nop" },
		{ STP_FP_LR_16, "stp x29, x30, [sp, #-0x10]!" },
		{ MOV_FP_SP, "mov x29, sp" },
		{ 0xf8200020u, ".inst 0xf8200020" },
	};
	char buf[64], small[4];

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		ck_assert_int_eq(a64_disasm(c[i].w, ADDR, buf, sizeof buf), 0);
		ck_assert_str_eq(buf, c[i].text);
	}
	ck_assert_int_eq(a64_disasm(STP_FP_LR_16, ADDR, small, sizeof small), 0);
	ck_assert_str_eq(small, "stp");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("a64_step");
	TCase *t = tcase_create("core");

	tcase_add_test(t, nop_space_hints_are_emulated_as_nop);
	tcase_add_test(t, pac_hints_run_out_of_line);
	tcase_add_test(t, stp_pre_index_writes_pair_and_moves_sp);
	tcase_add_test(t, stp_failed_write_leaves_thread_untouched);
	tcase_add_test(t, add_sub_immediate_with_sp);
	tcase_add_test(t, adr_and_adrp_values);
	tcase_add_test(t, ldr_literal_gpr_loads_through_itself);
	tcase_add_test(t, ldr_literal_simd_spills_x16);
	tcase_add_test(t, prfm_literal_is_a_nop);
	tcase_add_test(t, b_and_bl);
	tcase_add_test(t, b_cond_every_condition_every_nzcv);
	tcase_add_test(t, cbz_cbnz_both_ways_both_widths);
	tcase_add_test(t, tbz_tbnz_low_and_high_bits);
	tcase_add_test(t, register_branches);
	tcase_add_test(t, other_instructions_run_out_of_line);
	tcase_add_test(t, slot_out_of_range_or_misaligned);
	tcase_add_test(t, exclusives_are_refused);
	tcase_add_test(t, other_refusals);
	tcase_add_test(t, undecodable_words);
	tcase_add_test(t, bad_plans_are_rejected);
	tcase_add_test(t, disassembly_for_display);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
