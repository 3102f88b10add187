/* Per-function conditions (filter/filter.c) and the --rate window (core/rate.c). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "arch.h"
#include "filter/filter.h"
#include "core/rate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct probe_spec specs[8];
static unsigned nspecs;
static unsigned misfits;
static char last_why[512];

static void parse_specs(const char *const *text, unsigned n)
{
	char err[256];

	nspecs = n;
	misfits = 0;
	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(probe_parse(text[i], &specs[i], err, sizeof(err)) == 0,
			      "%s: %s", text[i], err);
}

static void free_specs(void)
{
	for (unsigned i = 0; i < nspecs; i++)
		probe_free(&specs[i]);
}

static void on_misfit(void *ctx, unsigned spec, const char *why)
{
	(void)ctx;
	(void)spec;
	misfits++;
	snprintf(last_why, sizeof(last_why), "%s", why);
}

/* A function without DWARF: its arguments are the raw registers arg1.. */
static struct func_info nodwarf(unsigned *idx, unsigned n)
{
	return (struct func_info){ .desc.name = (char *)"f", .specs = idx, .nspecs = n };
}

static struct value raw(uint64_t u)
{
	return (struct value){ .kind = V_RAW, .u = u };
}

static const struct value_limits shown = { 64, 16, 2, 0, false };

START_TEST(unconditional_wins)
{
	static const char *const text[] = { "f if arg1 > 5", "f" };
	unsigned idx[] = { 0, 1 };
	struct func_info fn = nodwarf(idx, 2);
	struct filter *f = (struct filter *)1;

	parse_specs(text, N(text));
	ck_assert_int_eq(filter_build(&fn, specs, NULL, &shown, on_misfit, NULL, &f), 0);
	ck_assert_ptr_null(f);    /* every call: nothing to evaluate */
	ck_assert_ptr_eq(filter_limits(NULL, &shown), &shown);
	free_specs();
}
END_TEST

START_TEST(entry_return_and_or)
{
	static const char *const text[] = {
		"f if arg1 > 5", "f if arg2 == 7 ret retval == 1", "f ret dur > 1ms",
	};
	unsigned idx[] = { 0, 1, 2 };
	struct func_info fn = nodwarf(idx, 3);
	struct filter_faults faults = { 0 };
	struct value a[2];
	struct value one = raw(1), zero = raw(0);
	struct filter *f;
	uint64_t pending;

	parse_specs(text, N(text));
	ck_assert_int_eq(filter_build(&fn, specs, NULL, &shown, on_misfit, NULL, &f), 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(misfits, 0);

	/* the first rule holds at entry: report now */
	a[0] = raw(6), a[1] = raw(0);
	ck_assert_int_eq(filter_entry(f, a, 2, &pending, &faults), FILTER_REPORT);
	/* only return conditions are left: rules 2 (arg2 == 7) and 3 */
	a[0] = raw(1), a[1] = raw(7);
	ck_assert_int_eq(filter_entry(f, a, 2, &pending, &faults), FILTER_DEFER);
	ck_assert_uint_eq(pending, 6);
	ck_assert(filter_return(f, pending, a, 2, &one, 0, &faults));
	ck_assert(!filter_return(f, pending, a, 2, &zero, 1000, &faults));
	ck_assert(filter_return(f, pending, a, 2, &zero, 2000000, &faults));
	/* rule 2 failed at entry: its return condition is not asked */
	a[1] = raw(8);
	ck_assert_int_eq(filter_entry(f, a, 2, &pending, &faults), FILTER_DEFER);
	ck_assert_uint_eq(pending, 4);
	ck_assert(!filter_return(f, pending, a, 2, &one, 0, &faults));
	ck_assert_uint_eq(faults.unreadable + faults.invalid, 0);
	filter_free(f);
	free_specs();
}
END_TEST

START_TEST(reject_and_faults)
{
	static const char *const text[] = { "f if arg2 / arg1 > 1", "f if arg3[0] == 1" };
	unsigned idx[] = { 0, 1 };
	struct func_info fn = nodwarf(idx, 2);
	struct filter_faults faults = { 0 };
	struct value a[3] = { raw(0), raw(4), raw(0x10) };
	struct filter *f;
	uint64_t pending;

	parse_specs(text, N(text));
	ck_assert_int_eq(filter_build(&fn, specs, NULL, &shown, on_misfit, NULL, &f), 0);
	/* division by zero, and a raw register is nothing to index */
	ck_assert_int_eq(filter_entry(f, a, 3, &pending, &faults), FILTER_REJECT);
	ck_assert_uint_eq(pending, 0);
	ck_assert_uint_eq(faults.invalid, 2);
	a[0] = raw(2);
	ck_assert_int_eq(filter_entry(f, a, 3, &pending, &faults), FILTER_REPORT);
	a[0] = raw(6);
	ck_assert_int_eq(filter_entry(f, a, 3, &pending, &faults), FILTER_REJECT);
	ck_assert_uint_eq(faults.invalid, 3);
	ck_assert_uint_eq(faults.unreadable, 0);
	filter_free(f);
	free_specs();
}
END_TEST

START_TEST(misfits_left_out)
{
	static const char *const text[] = { "f if req > 1", "f if arg9 == 0", "f if arg2 == 0" };
	unsigned idx[] = { 0, 1, 2 };
	struct func_info fn = nodwarf(idx, 3);
	unsigned one[] = { 0 };
	struct func_info lone = nodwarf(one, 1);
	struct filter *f;

	parse_specs(text, N(text));
	ck_assert_int_eq(filter_build(&fn, specs, NULL, &shown, on_misfit, NULL, &f), 0);
	ck_assert_uint_eq(misfits, 2);
	ck_assert_msg(strstr(last_why, "f: column 6: expected arg1..arg"),
		      "message: %s", last_why);
	filter_free(f);
	/* none fits: the function is not traced */
	ck_assert_int_eq(filter_build(&lone, specs, NULL, &shown, on_misfit, NULL, &f), -ENOENT);
	ck_assert_ptr_null(f);
	free_specs();
}
END_TEST

START_TEST(limits_raised)
{
	static const char *const text[] = { "f if arg1->a->b[20] == 1" };
	unsigned idx[] = { 0 };
	struct func_info fn = nodwarf(idx, 1);
	const struct value_limits *lim;
	struct filter *f;

	parse_specs(text, N(text));
	ck_assert_int_eq(filter_build(&fn, specs, NULL, &shown, on_misfit, NULL, &f), 0);
	lim = filter_limits(f, &shown);
	ck_assert_uint_eq(lim->depth, 4);
	ck_assert_uint_eq(lim->follow_more, 2);
	ck_assert_uint_eq(lim->arraylimit, 21);
	ck_assert_uint_eq(lim->strlimit, 64);
	filter_free(f);
	free_specs();
}
END_TEST

#define SEC 1000000000ull

/* --error-if: reported calls are all reported, and their returns are
 * marked where it holds; entry conditions still choose the calls. */
START_TEST(error_if)
{
	static const char *const text[] = { "f", "g if arg1 > 5" };
	unsigned i0[] = { 0 }, i1[] = { 1 };
	struct func_info f0 = nodwarf(i0, 1), f1 = nodwarf(i1, 1);
	struct filter_faults faults = { 0 };
	struct value a[1] = { raw(9) }, neg = { .kind = V_INT, .i = -2 }, pos = raw(3);
	struct filter *f;
	uint64_t pending;

	parse_specs(text, N(text));
	ck_assert_int_eq(filter_build(&f0, specs, "retval < 0 || arg1 == 4", &shown,
				      on_misfit, NULL, &f), 0);
	ck_assert(filter_has_error(f));
	ck_assert_int_eq(filter_entry(f, a, 1, &pending, &faults), FILTER_REPORT);
	ck_assert(filter_error(f, a, 1, &neg, 0));
	ck_assert(!filter_error(f, a, 1, &pos, 0));
	a[0] = raw(4);
	ck_assert(filter_error(f, a, 1, &pos, 0));
	filter_free(f);

	ck_assert_int_eq(filter_build(&f1, specs, "dur > 1ms", &shown, on_misfit, NULL, &f), 0);
	a[0] = raw(1);
	ck_assert_int_eq(filter_entry(f, a, 1, &pending, &faults), FILTER_REJECT);
	ck_assert(filter_error(f, a, 1, &pos, 2000000));
	ck_assert(!filter_error(f, a, 1, &pos, 1000));
	filter_free(f);

	/* a function no probe's condition fits is not traced: --error-if is
	 * not judged against it */
	static const char *const bad[] = { "h if nosuch > 1" };
	unsigned ib[] = { 0 };
	struct func_info fh = nodwarf(ib, 1);

	free_specs();
	parse_specs(bad, N(bad));
	ck_assert_int_eq(filter_build(&fh, specs, "other > 0", &shown, on_misfit, NULL, &f),
			 -ENOENT);
	ck_assert_uint_eq(misfits, 1);
	ck_assert_ptr_nonnull(strstr(last_why, "nosuch"));
	free_specs();
	parse_specs(text, N(text));

	/* it does not fit: the function is still traced, without it */
	ck_assert_int_eq(filter_build(&f0, specs, "nosuch > 1", &shown, on_misfit, NULL, &f), 0);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(misfits, 1);
	ck_assert_ptr_nonnull(strstr(last_why, "nosuch"));
	ck_assert(!filter_error(NULL, a, 1, &neg, 0));
	free_specs();
}
END_TEST

START_TEST(rate_window)
{
	struct rate_window w = { 0 };

	for (int i = 0; i < 5; i++)
		ck_assert(rate_admit(&w, 0, (uint64_t)i));   /* no limit */
	ck_assert(rate_admit(&w, 3, 10 * SEC));
	ck_assert(rate_admit(&w, 3, 10 * SEC + SEC / 10));
	ck_assert(rate_admit(&w, 3, 10 * SEC + SEC / 5));
	ck_assert(!rate_admit(&w, 3, 10 * SEC + SEC / 2));
	ck_assert(!rate_admit(&w, 3, 11 * SEC - 1));
	/* a second after the first: one more, not a whole new second's worth */
	ck_assert(rate_admit(&w, 3, 11 * SEC));
	ck_assert(!rate_admit(&w, 3, 11 * SEC + SEC / 20));
	ck_assert(rate_admit(&w, 3, 11 * SEC + SEC / 10));
	ck_assert(rate_admit(&w, 3, 11 * SEC + SEC / 5));
	ck_assert(!rate_admit(&w, 3, 11 * SEC + SEC / 5 + 1));
	rate_free(&w);
	ck_assert_ptr_null(w.ts);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("filter");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, unconditional_wins);
	tcase_add_test(tc, entry_return_and_or);
	tcase_add_test(tc, reject_and_faults);
	tcase_add_test(tc, misfits_left_out);
	tcase_add_test(tc, limits_raised);
	tcase_add_test(tc, error_if);
	tcase_add_test(tc, rate_window);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
