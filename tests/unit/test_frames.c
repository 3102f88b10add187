/* The rules that pair entries with returns (tracer/frames.c), without
 * ptrace: a thread's open calls, and which of them each stop ends.
 * Stacks grow down: an outer call's sp after its return is higher. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "tracer/priv.h"

/* What end_frame was told, innermost first: 'R' returned, 'U' unwound,
 * each followed by the ended call's id. */
struct log {
	char s[64];
	size_t n;
};

static void end_frame(void *ctx, struct thread *th, enum frame_fate how)
{
	struct log *l = ctx;
	struct frame *f = frames_top(th);

	ck_assert_ptr_nonnull(f);
	ck_assert(how == FRAME_RETURNS || how == FRAME_UNWOUND);
	ck_assert_uint_lt(l->n + 2, sizeof(l->s));
	l->s[l->n++] = how == FRAME_RETURNS ? 'R' : 'U';
	l->s[l->n++] = (char)('0' + f->call_id);
	l->s[l->n] = 0;
	frame_release(f);
	th->nframes--;
}

/* A call entered with sp_after and return address ra: the abandoned
 * frames end first, as calls_entry has them, then it is pushed. */
static void enter(struct thread *th, struct log *l, uint64_t id, uint64_t sp_after,
		  uint64_t ra)
{
	struct frame f = { .sp_after = sp_after, .ra = ra, .call_id = id };

	frames_end_abandoned(th, sp_after, end_frame, l);
	if (frames_jumped_back(th, &f))
		return;
	ck_assert_int_eq(frames_push(th, &f), 0);
}

static bool leave(struct thread *th, struct log *l, uint64_t sp, uint64_t ra)
{
	return frames_end_at_return(th, sp, ra, end_frame, l);
}

/* f calls itself three times: each return ends the innermost call only. */
START_TEST(recursion_returns_innermost_first)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	enter(&th, &l, 2, 0x6fd0, 0x401234);
	enter(&th, &l, 3, 0x6fa0, 0x401234);
	ck_assert_uint_eq(th.nframes, 3);
	ck_assert(leave(&th, &l, 0x6fa0, 0x401234));
	ck_assert_str_eq(l.s, "R3");
	ck_assert(leave(&th, &l, 0x6fd0, 0x401234));
	ck_assert(leave(&th, &l, 0x7000, 0x401000));
	ck_assert_str_eq(l.s, "R3R2R1");
	ck_assert_uint_eq(th.nframes, 0);
	frames_forget(&th);
}
END_TEST

/* A return that is not the call's: a deeper one (a call latch does not
 * know of returning to the same site) or one to another site. */
START_TEST(return_elsewhere_leaves_call_open)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	enter(&th, &l, 2, 0x6fd0, 0x401234);
	ck_assert(!leave(&th, &l, 0x6fa0, 0x401234));   /* deeper */
	ck_assert(!leave(&th, &l, 0x6fd0, 0x409999));   /* another return site */
	ck_assert_str_eq(l.s, "");
	ck_assert_uint_eq(th.nframes, 2);
	frames_forget(&th);
}
END_TEST

/* longjmp from three calls deep back to the outermost's caller: the next
 * call there starts at a higher sp, and the three are unwound. */
START_TEST(longjmp_unwinds_at_next_entry)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	enter(&th, &l, 2, 0x6fd0, 0x401100);
	enter(&th, &l, 3, 0x6fa0, 0x401200);
	enter(&th, &l, 4, 0x7000, 0x401000);   /* same call site, after the jump */
	ck_assert_str_eq(l.s, "U3U2U1");
	ck_assert_uint_eq(th.nframes, 1);
	ck_assert(leave(&th, &l, 0x7000, 0x401000));
	ck_assert_str_eq(l.s, "U3U2U1R4");
	frames_forget(&th);
}
END_TEST

/* longjmp seen at a return instead: the outer call returns with the
 * inner ones' frames gone, and they end first, as unwound. */
START_TEST(longjmp_unwinds_at_outer_return)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	enter(&th, &l, 2, 0x6fd0, 0x401100);
	enter(&th, &l, 3, 0x6fa0, 0x401200);
	ck_assert(leave(&th, &l, 0x7000, 0x401000));
	ck_assert_str_eq(l.s, "U3U2R1");
	ck_assert_uint_eq(th.nframes, 0);
	frames_forget(&th);
}
END_TEST

/* A tail call: the callee enters with the caller's sp after return and
 * return address; both stay open and end at that one return. */
START_TEST(tail_call_returns_both)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	th.frames[0].fn = (const struct func_info *)0x1;
	enter(&th, &l, 2, 0x7000, 0x401000);   /* another function: fn NULL */
	ck_assert_str_eq(l.s, "");
	ck_assert_uint_eq(th.nframes, 2);
	ck_assert(leave(&th, &l, 0x7000, 0x401000));
	ck_assert_str_eq(l.s, "R2R1");
	frames_forget(&th);
}
END_TEST

/* Equal frames after abandoned deeper ones: the same call site called
 * again after a longjmp, not a tail call. */
START_TEST(equal_frame_after_abandoned_ones_ends)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	enter(&th, &l, 2, 0x6fd0, 0x401100);
	th.frames[0].fn = (const struct func_info *)0x1;
	enter(&th, &l, 3, 0x7000, 0x401000);
	ck_assert_str_eq(l.s, "U2U1");
	ck_assert_uint_eq(th.nframes, 1);
	frames_forget(&th);
}
END_TEST

/* A loop whose head is the function's first instruction jumps back to
 * it: the same function, slot and return address is the open call. */
START_TEST(jump_to_entry_is_the_same_call)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	for (int i = 0; i < 5; i++)
		enter(&th, &l, 2, 0x7000, 0x401000);   /* fn NULL, as call 1's */
	ck_assert_uint_eq(th.nframes, 1);
	ck_assert(leave(&th, &l, 0x7000, 0x401000));
	ck_assert_str_eq(l.s, "R1");
	frames_forget(&th);
}
END_TEST

/* An exception caught three frames up: the catch ends every frame at or
 * below the catching one's. */
START_TEST(unwind_hook_ends_frames_below)
{
	struct thread th = { 0 };
	struct log l = { .n = 0 };

	enter(&th, &l, 1, 0x7000, 0x401000);
	enter(&th, &l, 2, 0x6fd0, 0x401100);
	enter(&th, &l, 3, 0x6fa0, 0x401200);
	frames_end_below(&th, 0x6fd0, end_frame, &l);
	ck_assert_str_eq(l.s, "U3U2");
	ck_assert_uint_eq(th.nframes, 1);
	ck_assert_uint_eq(th.frames[0].call_id, 1);
	frames_forget(&th);
	ck_assert_ptr_null(th.frames);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frames");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, recursion_returns_innermost_first);
	tcase_add_test(tc, return_elsewhere_leaves_call_open);
	tcase_add_test(tc, longjmp_unwinds_at_next_entry);
	tcase_add_test(tc, longjmp_unwinds_at_outer_return);
	tcase_add_test(tc, tail_call_returns_both);
	tcase_add_test(tc, equal_frame_after_abandoned_ones_ends);
	tcase_add_test(tc, jump_to_entry_is_the_same_call);
	tcase_add_test(tc, unwind_hook_ends_frames_below);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
