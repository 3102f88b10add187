/* DWARF location expressions at a stop (dwarf/loc.c), on made-up
 * registers and memory: what each operator computes, and what is left
 * unavailable rather than guessed. */
#include <check.h>
#include <dwarf.h>
#include <string.h>
#include "dwarf/loc.h"

static uint64_t regs[32];

static bool reg(void *ctx, unsigned dwreg, uint64_t *val)
{
	(void)ctx;
	if (dwreg >= 16)
		return false;   /* a register the stop does not give */
	*val = regs[dwreg];
	return true;
}

/* Memory: 0x1000 holds 0x2000; anything else is unreadable. */
static bool mem(void *ctx, uint64_t addr, uint64_t *val)
{
	(void)ctx;
	if (addr != 0x1000)
		return false;
	*val = 0x2000;
	return true;
}

static const struct dw_loc_env env = { .reg = reg, .mem = mem };

#define OP(a) { .atom = (a) }
#define OPN(a, n) { .atom = (a), .number = (Dwarf_Word)(n) }

static struct dw_loc eval(const Dwarf_Op *ops, size_t n, bool want_ok)
{
	struct dw_loc l;

	memset(&l, 0xa5, sizeof(l));
	ck_assert_int_eq(dw_loc_eval(ops, n, &env, &l), want_ok);
	if (!want_ok)
		ck_assert_int_eq(l.kind, DWLOC_NONE);
	return l;
}

START_TEST(memory_and_registers)
{
	regs[6] = 0x7ff0;
	regs[7] = 0x7fe0;
	const Dwarf_Op breg[] = { OPN(DW_OP_breg6, -20) };
	struct dw_loc l = eval(breg, 1, true);

	ck_assert_int_eq(l.kind, DWLOC_MEMORY);
	ck_assert_uint_eq(l.addr, 0x7ff0 - 20);
	const Dwarf_Op in_reg[] = { OP(DW_OP_reg5) };
	l = eval(in_reg, 1, true);
	ck_assert_int_eq(l.kind, DWLOC_REG);
	ck_assert_uint_eq(l.reg, 5);
	const Dwarf_Op regx[] = { OPN(DW_OP_regx, 17) };
	l = eval(regx, 1, true);
	ck_assert_uint_eq(l.reg, 17);
	/* bregx: register and offset */
	const Dwarf_Op bregx[] = { { .atom = DW_OP_bregx, .number = 7, .number2 = 8 } };
	l = eval(bregx, 1, true);
	ck_assert_uint_eq(l.addr, 0x7fe8);
	/* a pointer in memory, followed */
	regs[3] = 0x1008;
	const Dwarf_Op deref[] = { OPN(DW_OP_breg3, -8), OP(DW_OP_deref) };
	l = eval(deref, 2, true);
	ck_assert_uint_eq(l.addr, 0x2000);
}
END_TEST

START_TEST(computed_values)
{
	regs[5] = 7;
	/* y = k * 11, as GCC describes a value folded away */
	const Dwarf_Op mul[] = { OPN(DW_OP_breg5, 0), OPN(DW_OP_lit0 + 11, 0), OP(DW_OP_mul),
				 OP(DW_OP_stack_value) };
	struct dw_loc l = eval(mul, 4, true);

	ck_assert_int_eq(l.kind, DWLOC_VALUE);
	ck_assert_uint_eq(l.value, 77);
	const Dwarf_Op arith[] = { OPN(DW_OP_consts, -3), OPN(DW_OP_constu, 10), OP(DW_OP_swap),
				   OP(DW_OP_minus), OPN(DW_OP_plus_uconst, 2), OP(DW_OP_dup),
				   OP(DW_OP_plus), OP(DW_OP_neg), OP(DW_OP_stack_value) };
	l = eval(arith, 9, true);
	ck_assert_uint_eq(l.value, (uint64_t)-30);   /* -((10 - -3) + 2) * 2 */
	const Dwarf_Op shifts[] = { OPN(DW_OP_consts, -64), OP(DW_OP_lit2), OP(DW_OP_shra),
				    OP(DW_OP_lit1), OP(DW_OP_over), OP(DW_OP_drop), OP(DW_OP_shl),
				    OP(DW_OP_stack_value) };
	l = eval(shifts, 8, true);
	ck_assert_uint_eq(l.value, (uint64_t)-32);
	static const uint8_t bytes[4] = { 1, 2, 3, 4 };
	const Dwarf_Op implicit[] = { { .atom = DW_OP_implicit_value, .number = 4,
					.number2 = (Dwarf_Word)(uintptr_t)bytes } };
	l = eval(implicit, 1, true);
	ck_assert_int_eq(l.kind, DWLOC_BYTES);
	ck_assert_ptr_eq(l.bytes, bytes);
	ck_assert_uint_eq(l.len, 4);
}
END_TEST

START_TEST(left_unavailable)
{
	/* pieces, entry values: not evaluated */
	const Dwarf_Op piece[] = { OP(DW_OP_reg0), OPN(DW_OP_piece, 4) };
	const Dwarf_Op entry[] = { OPN(DW_OP_GNU_entry_value, 1), OP(DW_OP_stack_value) };
	/* a register the stop does not give, memory that cannot be read */
	const Dwarf_Op noreg[] = { OPN(DW_OP_breg0 + 20, 0) };
	const Dwarf_Op nomem[] = { OPN(DW_OP_breg6, 0), OP(DW_OP_deref) };
	/* stack underflow; a value not at the end; the frame base of no
	 * function */
	const Dwarf_Op under[] = { OP(DW_OP_plus) };
	const Dwarf_Op early[] = { OP(DW_OP_lit1), OP(DW_OP_stack_value), OP(DW_OP_lit2) };
	const Dwarf_Op fbreg[] = { OPN(DW_OP_fbreg, -20) };
	const Dwarf_Op empty[] = { OP(DW_OP_nop) };

	regs[6] = 0x5000;
	eval(piece, 2, false);
	eval(entry, 2, false);
	eval(noreg, 1, false);
	eval(nomem, 2, false);
	eval(under, 1, false);
	eval(early, 3, false);
	eval(fbreg, 1, false);
	eval(empty, 1, false);
}
END_TEST

Suite *dwarf_loc_suite(void);

Suite *dwarf_loc_suite(void)
{
	Suite *s = suite_create("dwarf_loc");
	TCase *tc = tcase_create("eval");

	tcase_add_test(tc, memory_and_registers);
	tcase_add_test(tc, computed_values);
	tcase_add_test(tc, left_unavailable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(dwarf_loc_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
