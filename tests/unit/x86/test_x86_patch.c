/* x86-64 patch planning for the agent engine (arch/x86_64/x86_patch.c),
 * on any host: where a function's entry and returns can take a jump, and
 * where not; and, on an x86-64 host, a patched function run for real:
 * same result, the recorder called at entry and at return with the
 * registers the call had. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include "../../../arch/x86_64/x86_patch.h"

#define ADDR 0x401000ull

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), \
	sizeof((const uint8_t[]){ __VA_ARGS__ })

/* int add(int a, int b) as gcc -O0 writes it. */
static const uint8_t add_o0[] = {
	0x55,                   /* push rbp */
	0x48, 0x89, 0xe5,       /* mov rbp, rsp */
	0x89, 0x7d, 0xfc,       /* mov [rbp-4], edi */
	0x89, 0x75, 0xf8,       /* mov [rbp-8], esi */
	0x8b, 0x55, 0xfc,       /* mov edx, [rbp-4] */
	0x8b, 0x45, 0xf8,       /* mov eax, [rbp-8] */
	0x01, 0xd0,             /* add eax, edx */
	0x5d,                   /* pop rbp */
	0xc3,                   /* ret */
};

START_TEST(o0_function_has_entry_and_exit_windows)
{
	struct x86_patch p;

	ck_assert_int_eq(x86_patch_plan(add_o0, sizeof(add_o0), ADDR, NULL, 0, &p), 0);
	/* push, mov, mov: the first whole instructions covering 5 bytes */
	ck_assert_uint_eq(p.entry.addr, ADDR);
	ck_assert_uint_eq(p.entry.len, 7);
	ck_assert_uint_eq(p.nexits, 1);
	/* mov eax, add, pop, ret */
	ck_assert_uint_eq(p.exit[0].addr, ADDR + 13);
	ck_assert_uint_eq(p.exit[0].len, 7);
	ck_assert_uint_eq(p.exit[0].ret_len, 1);
}
END_TEST

START_TEST(endbr64_stays_in_place)
{
	uint8_t code[4 + sizeof(add_o0)] = { 0xf3, 0x0f, 0x1e, 0xfa };
	struct x86_patch p;

	memcpy(code + 4, add_o0, sizeof(add_o0));
	ck_assert_int_eq(x86_patch_plan(code, sizeof(code), ADDR, NULL, 0, &p), 0);
	ck_assert_uint_eq(p.entry.addr, ADDR + 4);
}
END_TEST

START_TEST(unsafe_functions_are_refused_with_a_reason)
{
	const struct {
		const uint8_t *code;
		size_t len;
		const char *why;
	} cases[] = {
		/* lea eax, [rdi+rsi]; ret */
		{ BYTES(0x8d, 0x04, 0x37, 0xc3), "shorter than a jump" },
		/* mov eax, edi; add eax, 1; jmp elsewhere */
		{ BYTES(0x89, 0xf8, 0x83, 0xc0, 0x01, 0xe9, 0x00, 0x10, 0x00, 0x00), "a tail call" },
		/* mov eax, edi; nop x3; jmp rax */
		{ BYTES(0x89, 0xf8, 0x90, 0x90, 0x90, 0xff, 0xe0), "an indirect jump" },
		/* mov eax, 0; test edi, edi; je .ret; mov eax, 1; mov ecx, 2; .ret: ret */
		{ BYTES(0xb8, 0, 0, 0, 0, 0x85, 0xff, 0x74, 0x0a, 0xb8, 0x01, 0, 0, 0, 0xb9, 0x02, 0, 0, 0, 0xc3),
		  "a return too short to patch that a jump goes to" },
		/* mov eax, 1; dec edi; jne .+1 (into the entry's bytes); ret, padded */
		{ BYTES(0xb8, 0x01, 0, 0, 0, 0xff, 0xcf, 0x75, 0xf8, 0x90, 0x90, 0x90, 0x90, 0xc3),
		  "a jump into the instructions its entry jump would displace" },
		/* call at the entry: its copy would push the wrong return address */
		{ BYTES(0xe8, 0, 0, 0, 0, 0x90, 0x90, 0x90, 0x90, 0xc3), "cannot be moved" },
		/* not code */
		{ BYTES(0x0f, 0xff, 0xff), "does not decode" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x86_patch p;

		ck_assert_int_eq(x86_patch_plan(cases[i].code, cases[i].len, ADDR, NULL, 0, &p), -ENOTSUP);
		ck_assert_msg(strstr(p.why, cases[i].why), "case %zu: \"%s\"", i, p.why);
	}
}
END_TEST

/* A .cold part's jump back to the epilogue, which one function's code
 * cannot show: the caller passes it. */
START_TEST(jumps_from_elsewhere_are_respected)
{
	const uint64_t into_exit[] = { ADDR + 16 };   /* add eax, edx */
	const uint64_t into_entry[] = { ADDR + 4 };   /* mov [rbp-4], edi */
	const uint64_t at_exit_start[] = { ADDR + 13 };
	struct x86_patch p;

	ck_assert_int_eq(x86_patch_plan(add_o0, sizeof(add_o0), ADDR, into_exit, 1, &p), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(p.why, "a return too short to patch that a jump goes to"));
	ck_assert_int_eq(x86_patch_plan(add_o0, sizeof(add_o0), ADDR, into_entry, 1, &p), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(p.why, "entry jump would displace"));
	/* to the first displaced instruction of an exit: it runs the stub */
	ck_assert_int_eq(x86_patch_plan(add_o0, sizeof(add_o0), ADDR, at_exit_start, 1, &p), 0);
}
END_TEST

START_TEST(jump_reach_is_rel32)
{
	uint8_t j[X86_PATCH_JUMP_LEN];

	ck_assert_int_eq(x86_patch_jump(ADDR, ADDR + 0x100, j), 0);
	ck_assert_uint_eq(j[0], 0xe9);
	ck_assert_uint_eq(j[1], 0xfb);
	ck_assert_int_eq(x86_patch_jump(ADDR, ADDR + (1ull << 32), j), -ERANGE);
}
END_TEST

/* What the recorder saw, call by call. */
static struct seen {
	uint64_t ctx, rdi, rsi, rax, ra, sp;
	uint64_t xmm0;
} seen[4];
static int nseen;

static void recorder(uint64_t ctx, const uint8_t *blk)
{
	struct seen *s = &seen[nseen++ & 3];

	s->ctx = ctx;
	memcpy(&s->rdi, blk + X86_BLK_RDI, 8);
	memcpy(&s->rsi, blk + X86_BLK_RSI, 8);
	memcpy(&s->rax, blk + X86_BLK_RAX, 8);
	memcpy(&s->ra, blk + X86_BLK_RA, 8);
	memcpy(&s->xmm0, blk + X86_BLK_XMM0, 8);
	s->sp = (uint64_t)(blk + X86_BLK_RA);
}

static bool native_x86_64(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.machine, "x86_64") == 0;
}

START_TEST(patched_function_runs_and_records)
{
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t fn = (uint64_t)page, tramp = fn + 1024, stub = fn + 2048;
	struct x86_patch p;
	uint8_t code[X86_PATCH_CODE_MAX];
	size_t len;
	int (*add)(int, int) = (int (*)(int, int))page;

	ck_assert_ptr_ne(page, MAP_FAILED);
	memcpy(page, add_o0, sizeof(add_o0));
	ck_assert_int_eq(x86_patch_plan(page, sizeof(add_o0), fn, NULL, 0, &p), 0);
	ck_assert_int_eq(x86_patch_code(page, fn, &p.entry, 0, tramp, 1,
					(uint64_t)recorder, code, &len), 0);
	ck_assert_uint_le(len, X86_PATCH_CODE_MAX);
	memcpy((void *)tramp, code, len);
	ck_assert_int_eq(x86_patch_code(page, fn, &p.exit[0], 1, stub, 2,
					(uint64_t)recorder, code, &len), 0);
	memcpy((void *)stub, code, len);
	/* returns first, the entry last: as latch patches a live process */
	ck_assert_int_eq(x86_patch_jump(p.exit[0].addr, stub, page + (p.exit[0].addr - fn)), 0);
	ck_assert_int_eq(x86_patch_jump(p.entry.addr, tramp, page + (p.entry.addr - fn)), 0);

	nseen = 0;
	ck_assert_int_eq(add(2, 3), 5);
	ck_assert_int_eq(add(40, 2), 42);
	ck_assert_int_eq(nseen, 4);
	ck_assert_uint_eq(seen[0].ctx, 1);
	ck_assert_uint_eq(seen[0].rdi, 2);
	ck_assert_uint_eq(seen[0].rsi, 3);
	ck_assert_uint_eq(seen[1].ctx, 2);
	ck_assert_uint_eq(seen[1].rax, 5);
	/* the exit sees the entry's stack: the same return address where
	 * the entry's sp pointed */
	ck_assert_uint_eq(seen[1].sp, seen[0].sp);
	ck_assert_uint_eq(seen[1].ra, seen[0].ra);
	ck_assert_uint_eq(seen[3].rax, 42);
	munmap(page, 4096);
}
END_TEST

static Suite *x86_patch_suite(void)
{
	Suite *s = suite_create("x86_patch");
	TCase *plan = tcase_create("plan");
	TCase *exec = tcase_create("native");

	tcase_add_test(plan, o0_function_has_entry_and_exit_windows);
	tcase_add_test(plan, endbr64_stays_in_place);
	tcase_add_test(plan, unsafe_functions_are_refused_with_a_reason);
	tcase_add_test(plan, jumps_from_elsewhere_are_respected);
	tcase_add_test(plan, jump_reach_is_rel32);
	suite_add_tcase(s, plan);
	if (native_x86_64()) {
		tcase_add_test(exec, patched_function_runs_and_records);
		suite_add_tcase(s, exec);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(x86_patch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
