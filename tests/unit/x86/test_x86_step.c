/* x86-64 step-over planner (arch/x86_64/x86_step.c), on any host: planning
 * from raw bytes, emulation effects, relocation checked by decoding; and,
 * on an x86-64 host only, emulation compared with the CPU and relocated
 * code actually executed ("native" test case). */
#include <capstone/capstone.h>
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include "../../../arch/x86_64/x86_step.h"
#include "write_log.h"

#define ADDR 0x401000ull
#define SLOT 0x7f0000ull          /* a scratch slot within reach of ADDR */
#define NO_SLOT 0ull
#define JUMP_BACK_LEN 14

#define FL_CF 0x001ull
#define FL_PF 0x004ull
#define FL_AF 0x010ull
#define FL_ZF 0x040ull
#define FL_SF 0x080ull
#define FL_OF 0x800ull
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* A byte array and its length, for x86_step_plan(insn, avail, ...). */
#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), \
	sizeof((const uint8_t[]){ __VA_ARGS__ })


static void regs_init(struct x86_regs *r)
{
	memset(r, 0, sizeof *r);
	r->rax = 0x1010101010101010ull;
	r->rbx = 0x2020202020202020ull;
	r->rcx = 0x3030303030303030ull;
	r->rdx = 0x4040404040404040ull;
	r->rsi = 0x5050505050505050ull;
	r->rdi = 0x6060606060606060ull;
	r->rbp = 0x00007ffc0000f100ull;
	r->rsp = 0x00007ffc0000f000ull;
	r->r8 = 0x8888888888888888ull;
	r->r15 = 0xf0f0f0f0f0f0f0f0ull;
	r->eflags = 0x246;
	/* Where the kernel leaves rip after the int3 at ADDR. */
	r->rip = ADDR + 1;
}

/* Plans insn at ADDR with slot, expects X86_EMULATE of the right length,
 * applies it with no memory write allowed and returns the registers. */
static struct x86_regs emulate_pure(const uint8_t *insn, size_t n,
				     uint64_t slot, struct x86_regs r)
{
	struct x86_plan p;
	struct wlog w = { .fail = -EPERM };

	ck_assert_int_eq(x86_step_plan(insn, n, ADDR, slot, &p), 0);
	ck_assert_int_eq(p.kind, X86_EMULATE);
	ck_assert_uint_eq(p.len, n);
	ck_assert_int_eq(x86_step_apply(&p, &r, rec_write, &w), 0);
	ck_assert_int_eq(w.calls, 0);
	return r;
}

/* Only rip moved, to ADDR + n. */
static void assert_only_rip(const struct x86_regs *before,
			    const struct x86_regs *after, uint64_t rip)
{
	struct x86_regs want = *before;

	want.rip = rip;
	ck_assert_uint_eq(after->rip, rip);
	ck_assert_mem_eq(&want, after, sizeof want);
}

static csh test_cs(void)
{
	static csh h;

	if (!h) {
		ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
		cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	}
	return h;
}

static cs_insn *decode(const uint8_t *code, size_t n, uint64_t addr)
{
	cs_insn *ci;

	ck_assert_uint_eq(cs_disasm(test_cs(), code, n, addr, 1, &ci), 1);
	return ci;
}

static void assert_jump_back(const uint8_t *code, uint64_t slot_at,
			     uint64_t dest)
{
	static const uint8_t jmp_rip0[6] = { 0xff, 0x25, 0, 0, 0, 0 };
	cs_insn *ci;

	ck_assert_mem_eq(code, jmp_rip0, sizeof jmp_rip0);
	ck_assert_uint_eq(le64(code + 6), dest);
	ci = decode(code, JUMP_BACK_LEN, slot_at);
	ck_assert_uint_eq(ci->size, 6);
	ck_assert_str_eq(ci->mnemonic, "jmp");
	ck_assert_str_eq(ci->op_str, "qword ptr [rip]");
	cs_free(ci, 1);
}

/* -------------------------------------------------------------------- */

START_TEST(endbr64_is_emulated_as_nop)
{
	struct x86_regs r, out;

	regs_init(&r);
	out = emulate_pure(BYTES(0xf3, 0x0f, 0x1e, 0xfa), SLOT, r);
	assert_only_rip(&r, &out, ADDR + 4);
	out = emulate_pure(BYTES(0xf3, 0x0f, 0x1e, 0xfa), NO_SLOT, r);
	assert_only_rip(&r, &out, ADDR + 4);
}
END_TEST

START_TEST(every_nop_form_is_emulated)
{
	static const struct { uint8_t b[16]; size_t n; } nops[] = {
		{ { 0x90 }, 1 },
		{ { 0x66, 0x90 }, 2 },
		{ { 0x0f, 0x1f, 0x00 }, 3 },
		{ { 0x0f, 0x1f, 0x40, 0x00 }, 4 },
		{ { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5 },
		{ { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 6 },
		{ { 0x0f, 0x1f, 0x80, 0, 0, 0, 0 }, 7 },
		{ { 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 8 },
		{ { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 9 },
		{ { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 10 },
		{ { 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 11 },
		/* A nop whose ModRM is rip-relative still touches nothing. */
		{ { 0x0f, 0x1f, 0x05, 0x10, 0, 0, 0 }, 7 },
	};
	struct x86_regs r, out;

	regs_init(&r);
	for (size_t i = 0; i < sizeof nops / sizeof nops[0]; i++) {
		out = emulate_pure(nops[i].b, nops[i].n, NO_SLOT, r);
		assert_only_rip(&r, &out, ADDR + nops[i].n);
		out = emulate_pure(nops[i].b, nops[i].n, SLOT, r);
		assert_only_rip(&r, &out, ADDR + nops[i].n);
	}
}
END_TEST

START_TEST(lookalikes_of_nop_are_not_nops)
{
	struct x86_plan p;

	/* xchg r8d, eax: REX.B turns 90 into a real exchange. */
	ck_assert_int_eq(x86_step_plan(BYTES(0x41, 0x90), ADDR, NO_SLOT, &p),
			 -ENOSPC);
	ck_assert_int_eq(x86_step_plan(BYTES(0x41, 0x90), ADDR, SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	/* xchg eax, eax zero-extends rax in 64-bit mode. */
	ck_assert_int_eq(x86_step_plan(BYTES(0x87, 0xc0), ADDR, NO_SLOT, &p),
			 -ENOSPC);
}
END_TEST

START_TEST(push_without_slot_writes_the_stack)
{
	static const struct { uint8_t b[2]; size_t n; int reg; } pushes[] = {
		{ { 0x55 }, 1, 0 },              /* push rbp */
		{ { 0x41, 0x57 }, 2, 1 },        /* push r15 */
		{ { 0x54 }, 1, 2 },              /* push rsp */
	};
	struct x86_regs r, out;
	struct x86_plan p;

	for (size_t i = 0; i < 3; i++) {
		struct wlog w = { 0 };
		uint64_t pushed;

		regs_init(&r);
		pushed = pushes[i].reg == 0 ? r.rbp :
			 pushes[i].reg == 1 ? r.r15 : r.rsp;
		ck_assert_int_eq(x86_step_plan(pushes[i].b, pushes[i].n, ADDR,
						NO_SLOT, &p), 0);
		ck_assert_int_eq(p.kind, X86_EMULATE);
		ck_assert_uint_eq(p.len, pushes[i].n);
		out = r;
		ck_assert_int_eq(x86_step_apply(&p, &out, rec_write, &w), 0);
		ck_assert_int_eq(w.calls, 1);
		ck_assert_uint_eq(w.addr, r.rsp - 8);
		ck_assert_uint_eq(w.len, 8);
		ck_assert_uint_eq(le64(w.buf), pushed);
		ck_assert_uint_eq(out.rsp, r.rsp - 8);
		out.rsp = r.rsp;
		assert_only_rip(&r, &out, ADDR + pushes[i].n);
	}
}
END_TEST

START_TEST(push_write_error_leaves_registers_alone)
{
	struct x86_regs r, out;
	struct x86_plan p;
	struct wlog w = { .fail = -EFAULT };

	regs_init(&r);
	out = r;
	ck_assert_int_eq(x86_step_plan(BYTES(0x55), ADDR, NO_SLOT, &p), 0);
	ck_assert_int_eq(x86_step_apply(&p, &out, rec_write, &w), -EFAULT);
	ck_assert_mem_eq(&out, &r, sizeof r);
	ck_assert_int_eq(x86_step_apply(&p, &out, NULL, NULL), -EINVAL);
	ck_assert_mem_eq(&out, &r, sizeof r);
}
END_TEST

START_TEST(push_with_slot_runs_out_of_line)
{
	struct x86_regs r;
	struct x86_plan p;

	ck_assert_int_eq(x86_step_plan(BYTES(0x55), ADDR, SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	ck_assert_uint_eq(p.len, 1);
	ck_assert_uint_eq(p.code_len, 1 + JUMP_BACK_LEN);
	ck_assert_uint_eq(p.code[0], 0x55);
	assert_jump_back(p.code + 1, SLOT + 1, ADDR + 1);
	regs_init(&r);
	ck_assert_int_eq(x86_step_apply(&p, &r, NULL, NULL), 0);
	ck_assert_uint_eq(r.rip, SLOT);
}
END_TEST

START_TEST(mov_reg_reg_is_emulated)
{
	struct x86_regs r, out;

	regs_init(&r);
	/* mov rbp, rsp in both encodings */
	out = emulate_pure(BYTES(0x48, 0x89, 0xe5), SLOT, r);
	ck_assert_uint_eq(out.rbp, r.rsp);
	out.rbp = r.rbp;
	assert_only_rip(&r, &out, ADDR + 3);
	out = emulate_pure(BYTES(0x48, 0x8b, 0xec), NO_SLOT, r);
	ck_assert_uint_eq(out.rbp, r.rsp);
	/* mov rax, r8 */
	out = emulate_pure(BYTES(0x4c, 0x89, 0xc0), SLOT, r);
	ck_assert_uint_eq(out.rax, r.r8);
	out.rax = r.rax;
	assert_only_rip(&r, &out, ADDR + 3);
}
END_TEST

START_TEST(mov_32bit_is_not_emulated)
{
	struct x86_plan p;

	/* mov ebp, esp zero-extends: not the 64-bit copy. */
	ck_assert_int_eq(x86_step_plan(BYTES(0x89, 0xe5), ADDR, NO_SLOT, &p),
			 -ENOSPC);
	ck_assert_int_eq(x86_step_plan(BYTES(0x89, 0xe5), ADDR, SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
}
END_TEST

/* Hardware references, assembled into an executable page. */
static uint8_t *rwx_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_msg(p != MAP_FAILED, "mmap RWX: %s", strerror(errno));
	memset(p, 0xcc, len);
	return p;
}

typedef uint64_t (*fn2_t)(uint64_t, uint64_t);
typedef uint64_t (*fn0_t)(void);

static fn2_t as_fn2(const void *code)
{
	return (fn2_t)(uintptr_t)code;
}

START_TEST(sub_rsp_imm_sets_flags_like_the_cpu)
{
	/* mov rax, rdi; sub rax, rsi; pushfq; pop rax; ret */
	static const uint8_t sub_flags[] = {
		0x48, 0x89, 0xf8, 0x48, 0x29, 0xf0, 0x9c, 0x58, 0xc3,
	};
	static const uint64_t sps[] = {
		0, 1, 8, 0x10, 0x18, 0x100, 0x7ffc12345678ull,
		0x7fffffffffffffffull, 0x8000000000000000ull,
		0xffffffffffffffffull, 0x800000000000000full,
	};
	static const int32_t imms[] = {
		0, 1, 8, 0xf, 0x10, 0x18, 0x7f, -1, -0x80, 0x100, 0x7fffffff,
		-0x7fffffff - 1, 0x12345678,
	};
	uint8_t *page = rwx_map(4096);
	fn2_t hw = as_fn2(page);

	memcpy(page, sub_flags, sizeof sub_flags);
	for (size_t i = 0; i < sizeof sps / sizeof sps[0]; i++) {
		for (size_t j = 0; j < sizeof imms / sizeof imms[0]; j++) {
			int32_t imm = imms[j];
			uint8_t b[7] = { 0x48, 0x81, 0xec };
			size_t n;
			struct x86_regs r, out;
			uint64_t want_fl;

			if (imm >= -128 && imm <= 127) {
				b[1] = 0x83;
				b[3] = (uint8_t)imm;
				n = 4;
			} else {
				for (int k = 0; k < 4; k++)
					b[3 + k] = (uint8_t)((uint32_t)imm >> (8 * k));
				n = 7;
			}
			regs_init(&r);
			r.rsp = sps[i];
			/* Odd cases start with every arithmetic flag set, and
			 * DF set, to prove that only the six are rewritten. */
			r.eflags = (j & 1) ? 0x202 | 0x400 | FL_ARITH : 0x202;
			want_fl = hw(sps[i], (uint64_t)(int64_t)imm);
			out = emulate_pure(b, n, NO_SLOT, r);
			ck_assert_msg(out.rsp == sps[i] - (uint64_t)(int64_t)imm,
				      "rsp %#llx - %d", (unsigned long long)sps[i], imm);
			ck_assert_msg((out.eflags & FL_ARITH) == (want_fl & FL_ARITH),
				      "rsp %#llx - %d: flags %#llx, cpu %#llx",
				      (unsigned long long)sps[i], imm,
				      (unsigned long long)(out.eflags & FL_ARITH),
				      (unsigned long long)(want_fl & FL_ARITH));
			ck_assert_uint_eq(out.eflags & ~FL_ARITH,
					  r.eflags & ~FL_ARITH);
			out.rsp = r.rsp;
			out.eflags = r.eflags;
			assert_only_rip(&r, &out, ADDR + n);
		}
	}
	munmap(page, 4096);
}
END_TEST

START_TEST(sub_rsp_with_slot_runs_out_of_line)
{
	struct x86_plan p;

	ck_assert_int_eq(x86_step_plan(BYTES(0x48, 0x83, 0xec, 0x18), ADDR,
					SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	ck_assert_mem_eq(p.code, ((const uint8_t[]){ 0x48, 0x83, 0xec, 0x18 }), 4);
	assert_jump_back(p.code + 4, SLOT + 4, ADDR + 4);
}
END_TEST

START_TEST(call_rel32_pushes_the_real_return_address)
{
	static const struct { uint8_t b[5]; uint64_t target; } calls[] = {
		{ { 0xe8, 0x00, 0x01, 0x00, 0x00 }, ADDR + 5 + 0x100 },
		{ { 0xe8, 0xfb, 0xff, 0xff, 0xff }, ADDR },  /* call itself */
		{ { 0xe8, 0x00, 0x00, 0x00, 0x80 }, ADDR + 5 - 0x80000000ull },
	};

	for (size_t i = 0; i < 3; i++) {
		for (int s = 0; s < 2; s++) {
			struct x86_regs r, out;
			struct x86_plan p;
			struct wlog w = { 0 };

			regs_init(&r);
			ck_assert_int_eq(x86_step_plan(calls[i].b, 5, ADDR,
							s ? SLOT : NO_SLOT, &p), 0);
			ck_assert_int_eq(p.kind, X86_EMULATE);
			out = r;
			ck_assert_int_eq(x86_step_apply(&p, &out, rec_write, &w), 0);
			ck_assert_int_eq(w.calls, 1);
			ck_assert_uint_eq(w.addr, r.rsp - 8);
			ck_assert_uint_eq(w.len, 8);
			ck_assert_uint_eq(le64(w.buf), ADDR + 5);
			ck_assert_uint_eq(out.rsp, r.rsp - 8);
			ck_assert_uint_eq(out.rip, calls[i].target);
			out.rsp = r.rsp;
			assert_only_rip(&r, &out, calls[i].target);
		}
	}
}
END_TEST

START_TEST(call_write_error_is_propagated)
{
	struct x86_regs r, out;
	struct x86_plan p;
	struct wlog w = { .fail = -EIO };

	regs_init(&r);
	out = r;
	ck_assert_int_eq(x86_step_plan(BYTES(0xe8, 0, 1, 0, 0), ADDR, SLOT, &p), 0);
	ck_assert_int_eq(x86_step_apply(&p, &out, rec_write, &w), -EIO);
	ck_assert_mem_eq(&out, &r, sizeof r);
}
END_TEST

START_TEST(call_register_is_emulated)
{
	struct x86_regs r;
	struct x86_plan p;
	struct wlog w = { 0 };
	uint64_t sp;

	regs_init(&r);
	sp = r.rsp;
	ck_assert_int_eq(x86_step_plan(BYTES(0xff, 0xd0), ADDR, SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_EMULATE);
	ck_assert_int_eq(x86_step_apply(&p, &r, rec_write, &w), 0);
	ck_assert_uint_eq(r.rip, r.rax);
	ck_assert_uint_eq(le64(w.buf), ADDR + 2);
	ck_assert_uint_eq(r.rsp, sp - 8);
	/* call rsp goes where rsp pointed before the push. */
	regs_init(&r);
	ck_assert_int_eq(x86_step_plan(BYTES(0xff, 0xd4), ADDR, NO_SLOT, &p), 0);
	ck_assert_int_eq(x86_step_apply(&p, &r, rec_write, &w), 0);
	ck_assert_uint_eq(r.rip, sp);
	/* call r11 */
	regs_init(&r);
	r.r11 = 0x123456;
	ck_assert_int_eq(x86_step_plan(BYTES(0x41, 0xff, 0xd3), ADDR, SLOT, &p), 0);
	ck_assert_int_eq(x86_step_apply(&p, &r, rec_write, &w), 0);
	ck_assert_uint_eq(r.rip, 0x123456);
	ck_assert_uint_eq(le64(w.buf), ADDR + 3);
}
END_TEST

START_TEST(jmp_relative_and_register)
{
	struct x86_regs r, out;

	regs_init(&r);
	out = emulate_pure(BYTES(0xeb, 0x10), SLOT, r);
	assert_only_rip(&r, &out, ADDR + 2 + 0x10);
	out = emulate_pure(BYTES(0xeb, 0xfe), NO_SLOT, r);      /* jmp $ */
	assert_only_rip(&r, &out, ADDR);
	out = emulate_pure(BYTES(0xe9, 0x00, 0x10, 0x00, 0x00), SLOT, r);
	assert_only_rip(&r, &out, ADDR + 5 + 0x1000);
	out = emulate_pure(BYTES(0xe9, 0x00, 0xf0, 0xff, 0xff), SLOT, r);
	assert_only_rip(&r, &out, ADDR + 5 - 0x1000);
	out = emulate_pure(BYTES(0xf2, 0xe9, 0x00, 0x10, 0x00, 0x00), SLOT, r);
	assert_only_rip(&r, &out, ADDR + 6 + 0x1000);         /* bnd jmp */
	out = emulate_pure(BYTES(0xff, 0xe0), SLOT, r);          /* jmp rax */
	assert_only_rip(&r, &out, r.rax);
}
END_TEST

START_TEST(jcc_matches_the_cpu)
{
	/* push rdi; popfq; jcc +6; mov eax, 0; ret; mov eax, 1; ret */
	uint8_t code[] = {
		0x57, 0x9d, 0x70, 0x06, 0xb8, 0, 0, 0, 0, 0xc3,
		0xb8, 1, 0, 0, 0, 0xc3,
	};
	static const uint64_t bits[6] = { FL_CF, FL_PF, FL_AF, FL_ZF, FL_SF, FL_OF };
	uint8_t *page = rwx_map(4096);
	fn2_t hw = as_fn2(page);
	int taken_count = 0;

	for (unsigned cc = 0; cc < 16; cc++) {
		code[2] = (uint8_t)(0x70 | cc);
		memcpy(page, code, sizeof code);
		for (unsigned m = 0; m < 64; m++) {
			uint64_t fl = 0x202;
			struct x86_regs r, out;
			bool cpu;

			for (int k = 0; k < 6; k++)
				if (m & (1u << k))
					fl |= bits[k];
			cpu = hw(fl, 0) == 1;
			taken_count += cpu;
			regs_init(&r);
			r.eflags = fl;
			/* jcc rel8 */
			out = emulate_pure((const uint8_t[]){ 0x70 | cc, 0x20 }, 2,
					   SLOT, r);
			ck_assert_msg(out.rip == (cpu ? ADDR + 2 + 0x20 : ADDR + 2),
				      "cc %u flags %#llx", cc, (unsigned long long)fl);
			assert_only_rip(&r, &out, out.rip);
			/* jcc rel32, backwards */
			out = emulate_pure((const uint8_t[]){ 0x0f, 0x80 | cc, 0x00,
							      0xff, 0xff, 0xff }, 6,
					   NO_SLOT, r);
			ck_assert_msg(out.rip == (cpu ? ADDR + 6 - 0x100 : ADDR + 6),
				      "cc %u flags %#llx", cc, (unsigned long long)fl);
		}
	}
	/* Each pair of conditions splits the 64 states between them. */
	ck_assert_int_eq(taken_count, 8 * 64);
	munmap(page, 4096);
}
END_TEST

START_TEST(jrcxz_and_loop_use_rcx)
{
	struct x86_regs r, out;

	regs_init(&r);
	r.rcx = 0;
	out = emulate_pure(BYTES(0xe3, 0x10), SLOT, r);                /* jrcxz */
	assert_only_rip(&r, &out, ADDR + 2 + 0x10);
	r.rcx = 0x100000000ull;
	out = emulate_pure(BYTES(0xe3, 0x10), SLOT, r);
	assert_only_rip(&r, &out, ADDR + 2);
	out = emulate_pure(BYTES(0x67, 0xe3, 0x10), SLOT, r);          /* jecxz */
	assert_only_rip(&r, &out, ADDR + 3 + 0x10);

	/* loop: decrements, taken while nonzero */
	r.rcx = 5;
	out = emulate_pure(BYTES(0xe2, 0xf0), SLOT, r);
	ck_assert_uint_eq(out.rcx, 4);
	ck_assert_uint_eq(out.rip, ADDR + 2 - 0x10);
	r.rcx = 1;
	out = emulate_pure(BYTES(0xe2, 0xf0), SLOT, r);
	ck_assert_uint_eq(out.rcx, 0);
	ck_assert_uint_eq(out.rip, ADDR + 2);
	r.rcx = 0;
	out = emulate_pure(BYTES(0xe2, 0xf0), NO_SLOT, r);
	ck_assert_uint_eq(out.rcx, ~0ull);
	ck_assert_uint_eq(out.rip, ADDR + 2 - 0x10);
	ck_assert_uint_eq(out.eflags, r.eflags);

	/* loope / loopne also look at ZF */
	r.rcx = 5;
	r.eflags = 0x202 | FL_ZF;
	out = emulate_pure(BYTES(0xe1, 0x08), SLOT, r);
	ck_assert_uint_eq(out.rip, ADDR + 2 + 8);
	out = emulate_pure(BYTES(0xe0, 0x08), SLOT, r);
	ck_assert_uint_eq(out.rip, ADDR + 2);
	ck_assert_uint_eq(out.rcx, 4);
	r.eflags = 0x202;
	out = emulate_pure(BYTES(0xe1, 0x08), SLOT, r);
	ck_assert_uint_eq(out.rip, ADDR + 2);
	out = emulate_pure(BYTES(0xe0, 0x08), SLOT, r);
	ck_assert_uint_eq(out.rip, ADDR + 2 + 8);
}
END_TEST

/* The relocated copy, decoded at the slot, reaches the same address and
 * keeps every other operand; the jump back follows it. */
static void assert_relocated(const uint8_t *insn, size_t n, uint64_t addr,
			     uint64_t slot)
{
	struct x86_plan p;
	cs_insn *o, *c;
	const cs_x86 *xo, *xc;
	int rip_ops = 0;

	ck_assert_int_eq(x86_step_plan(insn, n, addr, slot, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	ck_assert_uint_eq(p.len, n);
	ck_assert_uint_eq(p.code_len, n + JUMP_BACK_LEN);
	o = decode(insn, n, addr);
	c = decode(p.code, n, slot);
	ck_assert_uint_eq(c->size, n);
	ck_assert_str_eq(c->mnemonic, o->mnemonic);
	xo = &o->detail->x86;
	xc = &c->detail->x86;
	ck_assert_int_eq(xc->op_count, xo->op_count);
	for (int i = 0; i < xo->op_count; i++) {
		const cs_x86_op *a = &xo->operands[i], *b = &xc->operands[i];

		ck_assert_int_eq(a->type, b->type);
		if (a->type == X86_OP_IMM)
			ck_assert_int_eq(a->imm, b->imm);
		if (a->type == X86_OP_REG)
			ck_assert_int_eq(a->reg, b->reg);
		if (a->type == X86_OP_MEM && a->mem.base == X86_REG_RIP) {
			ck_assert_int_eq(b->mem.base, X86_REG_RIP);
			ck_assert_uint_eq(addr + n + (uint64_t)a->mem.disp,
					  slot + n + (uint64_t)b->mem.disp);
			ck_assert_int_ne(a->mem.disp, b->mem.disp);
			rip_ops++;
		}
	}
	ck_assert_int_eq(rip_ops, 1);
	assert_jump_back(p.code + n, slot + n, addr + n);
	cs_free(o, 1);
	cs_free(c, 1);
}

START_TEST(rip_relative_operands_are_relocated)
{
	/* lea rax, [rip+0x10] */
	assert_relocated(BYTES(0x48, 0x8d, 0x05, 0x10, 0, 0, 0), ADDR, SLOT);
	/* slot below the original, negative displacement */
	assert_relocated(BYTES(0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff),
			 ADDR + 0x40000000, ADDR);
	/* mov rax, qword ptr [rip+0x2000] */
	assert_relocated(BYTES(0x48, 0x8b, 0x05, 0, 0x20, 0, 0), ADDR, SLOT);
	/* mov dword ptr [rip+0x10], 0x10: immediate equal to displacement */
	assert_relocated(BYTES(0xc7, 0x05, 0x10, 0, 0, 0, 0x10, 0, 0, 0),
			 ADDR, SLOT);
	/* cmp byte ptr [rip+0x10], 7 */
	assert_relocated(BYTES(0x80, 0x3d, 0x10, 0, 0, 0, 0x07), ADDR, SLOT);
	/* vmovdqa ymm0, [rip+0x10]: VEX */
	assert_relocated(BYTES(0xc5, 0xfd, 0x6f, 0x05, 0x10, 0, 0, 0),
			 ADDR, SLOT);
	/* jmp qword ptr [rip+0x10] (a PLT stub), and with notrack */
	assert_relocated(BYTES(0xff, 0x25, 0x10, 0, 0, 0), ADDR, SLOT);
	assert_relocated(BYTES(0x3e, 0xff, 0x25, 0x10, 0, 0, 0), ADDR, SLOT);
	/* push qword ptr fs:[rip+0x10] */
	assert_relocated(BYTES(0x64, 0xff, 0x35, 0x10, 0, 0, 0), ADDR, SLOT);
}
END_TEST

START_TEST(slot_out_of_reach_is_erange)
{
	struct x86_plan p;
	const uint64_t far = 3ull << 30;

	ck_assert_int_eq(x86_step_plan(BYTES(0x48, 0x8d, 0x05, 0x10, 0, 0, 0),
					ADDR, ADDR + far, &p), -ERANGE);
	ck_assert_int_eq(x86_step_plan(BYTES(0x48, 0x8d, 0x05, 0x10, 0, 0, 0),
					ADDR + far, ADDR, &p), -ERANGE);
	ck_assert_int_eq(x86_step_plan(BYTES(0xff, 0x15, 0x10, 0, 0, 0),
					ADDR, ADDR + far, &p), -ERANGE);
	/* Just in reach: target - (slot + len) == INT32_MIN */
	ck_assert_int_eq(x86_step_plan(BYTES(0x48, 0x8d, 0x05, 0, 0, 0, 0),
					ADDR, ADDR + 0x80000000ull, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	ck_assert_int_eq(x86_step_plan(BYTES(0x48, 0x8d, 0x05, 0, 0, 0, 0),
					ADDR, ADDR + 0x80000001ull, &p), -ERANGE);
	/* Without a pc-relative operand any slot will do. */
	ck_assert_int_eq(x86_step_plan(BYTES(0x48, 0x8b, 0x07), ADDR,
					ADDR + far, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
}
END_TEST

START_TEST(garbage_is_einval)
{
	struct x86_plan p;
	char buf[32];
	unsigned len;

	ck_assert_int_eq(x86_step_plan(BYTES(0x06), ADDR, SLOT, &p), -EINVAL);
	ck_assert_int_eq(x86_step_plan(BYTES(0xd6), ADDR, NO_SLOT, &p), -EINVAL);
	/* truncated call rel32 */
	ck_assert_int_eq(x86_step_plan(BYTES(0xe8, 0, 1), ADDR, SLOT, &p), -EINVAL);
	ck_assert_int_eq(x86_step_plan((const uint8_t[]){ 0x90 }, 0, ADDR, SLOT, &p),
			 -EINVAL);
	ck_assert_int_eq(x86_step_plan(BYTES(0x90), ADDR, SLOT, NULL), -EINVAL);
	ck_assert_int_eq(x86_disasm(BYTES(0x06), ADDR, buf, sizeof buf, &len),
			 -EINVAL);
}
END_TEST

START_TEST(no_slot_is_enospc_for_what_needs_one)
{
	static const struct { uint8_t b[8]; size_t n; } need[] = {
		{ { 0x48, 0x8b, 0x07 }, 3 },                  /* mov rax, [rdi] */
		{ { 0xc3 }, 1 },                              /* ret */
		{ { 0x48, 0x8d, 0x05, 0x10, 0, 0, 0 }, 7 },   /* lea rip-rel */
		{ { 0xff, 0x15, 0x10, 0, 0, 0 }, 6 },         /* call [rip] */
		{ { 0x48, 0x83, 0xc4, 0x08 }, 4 },            /* add rsp, 8 */
		{ { 0x6a, 0x01 }, 2 },                        /* push 1 */
	};
	struct x86_plan p;

	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		ck_assert_int_eq(x86_step_plan(need[i].b, need[i].n, ADDR,
						NO_SLOT, &p), -ENOSPC);
		ck_assert_int_eq(x86_step_plan(need[i].b, need[i].n, ADDR,
						SLOT, &p), 0);
		ck_assert_int_eq(p.kind, X86_OOL);
	}
}
END_TEST

START_TEST(call_through_memory_pushes_the_real_return_address)
{
	struct x86_plan p;
	cs_insn *ci;
	size_t n;

	/* call qword ptr [rip+0x10] */
	ck_assert_int_eq(x86_step_plan(BYTES(0xff, 0x15, 0x10, 0, 0, 0),
					ADDR, SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	n = cs_disasm(test_cs(), p.code, p.code_len, SLOT, 0, &ci);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(ci[0].mnemonic, "push");
	ck_assert_str_eq(ci[1].mnemonic, "mov");
	ck_assert_str_eq(ci[1].op_str, "dword ptr [rsp + 4], 0");
	ck_assert_str_eq(ci[2].mnemonic, "jmp");
	ck_assert_int_eq(ci[2].detail->x86.operands[0].mem.base, X86_REG_RIP);
	ck_assert_uint_eq(ci[2].address + ci[2].size +
			  (uint64_t)ci[2].detail->x86.operands[0].mem.disp,
			  ADDR + 6 + 0x10);
	ck_assert_uint_eq(ci[0].detail->x86.operands[0].imm, ADDR + 6);
	ck_assert_uint_eq(p.code_len, ci[2].address + ci[2].size - SLOT);
	cs_free(ci, n);

	/* call qword ptr [r12] keeps its operand */
	ck_assert_int_eq(x86_step_plan(BYTES(0x41, 0xff, 0x14, 0x24), ADDR,
					SLOT, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	n = cs_disasm(test_cs(), p.code, p.code_len, SLOT, 0, &ci);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(ci[2].mnemonic, "jmp");
	ck_assert_str_eq(ci[2].op_str, "qword ptr [r12]");
	cs_free(ci, n);
}
END_TEST

static void assert_refused(const uint8_t *insn, size_t n, uint64_t slot)
{
	struct x86_plan p;
	struct x86_regs r;

	ck_assert_int_eq(x86_step_plan(insn, n, ADDR, slot, &p), 0);
	ck_assert_int_eq(p.kind, X86_REFUSE);
	ck_assert_uint_gt(strlen(p.why), 0);
	ck_assert_ptr_null(memchr(p.why, '\n', sizeof p.why));
	regs_init(&r);
	ck_assert_int_lt(x86_step_apply(&p, &r, rec_write, NULL), 0);
}

START_TEST(unsteppable_instructions_are_refused)
{
	assert_refused(BYTES(0xcc), SLOT);                          /* int3 */
	assert_refused(BYTES(0xcc), NO_SLOT);
	assert_refused(BYTES(0xf1), SLOT);                          /* int1 */
	assert_refused(BYTES(0xc7, 0xf8, 0, 1, 0, 0), SLOT);        /* xbegin */
	assert_refused(BYTES(0xff, 0x1d, 0x10, 0, 0, 0), SLOT);     /* lcall */
	assert_refused(BYTES(0x66, 0xe9, 0x00, 0x01), SLOT);        /* jmp rel16 */
	assert_refused(BYTES(0x66, 0xe8, 0x00, 0x01), NO_SLOT);     /* call rel16 */
	assert_refused(BYTES(0x67, 0xe2, 0x05), SLOT);              /* loop ecx */
	assert_refused(BYTES(0x66, 0xff, 0xd0), SLOT);              /* call ax */
	assert_refused(BYTES(0xff, 0x54, 0x24, 0x08), SLOT);        /* call [rsp+8] */
	assert_refused(BYTES(0x67, 0x48, 0x8d, 0x05, 0x10, 0, 0, 0), SLOT);
}
END_TEST

START_TEST(disasm_gives_text_and_length)
{
	char buf[64];
	unsigned len = 0;

	ck_assert_int_eq(x86_disasm(BYTES(0x55), ADDR, buf, sizeof buf, &len), 0);
	ck_assert_str_eq(buf, "push rbp");
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(x86_disasm(BYTES(0x48, 0x89, 0xe5, 0xcc), ADDR, buf,
				     sizeof buf, &len), 0);
	ck_assert_str_eq(buf, "mov rbp, rsp");
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(x86_disasm(BYTES(0xc3), ADDR, buf, sizeof buf, &len), 0);
	ck_assert_str_eq(buf, "ret");
	ck_assert_int_eq(x86_disasm(BYTES(0xe8, 0, 1, 0, 0), ADDR, buf,
				     sizeof buf, &len), 0);
	ck_assert_str_eq(buf, "call 0x401105");
	/* a short buffer truncates, still terminated */
	ck_assert_int_eq(x86_disasm(BYTES(0x55), ADDR, buf, 5, &len), 0);
	ck_assert_str_eq(buf, "push");
}
END_TEST

START_TEST(plan_never_trusts_stale_fields)
{
	struct x86_plan p;
	struct x86_regs r;

	memset(&p, 0xa5, sizeof p);
	ck_assert_int_eq(x86_step_plan(BYTES(0x90), ADDR, SLOT, &p), 0);
	ck_assert_uint_eq(p.addr, ADDR);
	ck_assert_uint_eq(p.code_len, 0);
	/* A plan that was never filled is rejected, not applied. */
	memset(&p, 0, sizeof p);
	p.kind = X86_EMULATE;
	regs_init(&r);
	ck_assert_int_eq(x86_step_apply(&p, &r, rec_write, NULL), -EINVAL);
	p.kind = X86_OOL;
	ck_assert_int_eq(x86_step_apply(&p, &r, rec_write, NULL), -EINVAL);
}
END_TEST

/* Real execution ------------------------------------------------------ */

enum { ORIG = 0x100, CALLEE = 0x300, DATA = 0x1000, SLOT_OFF = 0x2000,
       PAGES = 3 * 4096 };

/* The function's first instruction is replaced by int3 once planned, so the
 * call can only succeed through the slot. */
static uint64_t run_through_slot(uint8_t *page, size_t orig_len)
{
	struct x86_plan p;
	uint64_t orig = (uintptr_t)(page + ORIG), slot = (uintptr_t)(page + SLOT_OFF);

	ck_assert_int_eq(x86_step_plan(page + ORIG, orig_len, orig, slot, &p), 0);
	ck_assert_int_eq(p.kind, X86_OOL);
	ck_assert_uint_le(p.code_len, X86_SLOT_SIZE);
	memcpy(page + SLOT_OFF, p.code, p.code_len);
	page[ORIG] = 0xcc;
	__builtin___clear_cache((char *)page, (char *)page + PAGES);
	return ((fn0_t)(uintptr_t)(page + SLOT_OFF))();
}

START_TEST(relocated_rip_relative_lea_runs_like_the_original)
{
	/* lea rax, [rip + DATA-(ORIG+7)]; mov rax, [rax]; ret */
	uint8_t *page = rwx_map(PAGES);
	int32_t d = DATA - (ORIG + 7);
	const uint64_t magic = 0x0123456789abcdefull;

	page[ORIG + 0] = 0x48; page[ORIG + 1] = 0x8d; page[ORIG + 2] = 0x05;
	memcpy(page + ORIG + 3, &d, 4);
	page[ORIG + 7] = 0x48; page[ORIG + 8] = 0x8b; page[ORIG + 9] = 0x00;
	page[ORIG + 10] = 0xc3;
	memcpy(page + DATA, &magic, 8);
	/* The original, run directly, returns magic... */
	ck_assert_uint_eq(((fn0_t)(uintptr_t)(page + ORIG))(), magic);
	/* ...and so does the path through the slot. */
	ck_assert_uint_eq(run_through_slot(page, 16), magic);
	munmap(page, PAGES);
}
END_TEST

START_TEST(relocated_call_through_got_returns_to_the_original)
{
	/* ORIG: call qword ptr [rip + DATA-(ORIG+6)]; ret
	 * CALLEE: mov rax, [rsp]; ret -- returns its own return address */
	uint8_t *page = rwx_map(PAGES);
	int32_t d = DATA - (ORIG + 6);
	uint64_t callee = (uintptr_t)(page + CALLEE);

	page[ORIG + 0] = 0xff; page[ORIG + 1] = 0x15;
	memcpy(page + ORIG + 2, &d, 4);
	page[ORIG + 6] = 0xc3;
	page[CALLEE + 0] = 0x48; page[CALLEE + 1] = 0x8b; page[CALLEE + 2] = 0x04;
	page[CALLEE + 3] = 0x24; page[CALLEE + 4] = 0xc3;
	memcpy(page + DATA, &callee, 8);
	ck_assert_uint_eq(((fn0_t)(uintptr_t)(page + ORIG))(),
			  (uintptr_t)(page + ORIG + 6));
	ck_assert_uint_eq(run_through_slot(page, 16), (uintptr_t)(page + ORIG + 6));
	munmap(page, PAGES);
}
END_TEST

START_TEST(relocated_rip_relative_store_hits_the_original_target)
{
	/* mov dword ptr [rip + DATA-(ORIG+10)], 0x5eed; ret */
	uint8_t *page = rwx_map(PAGES);
	int32_t d = DATA - (ORIG + 10);
	uint32_t got;

	page[ORIG + 0] = 0xc7; page[ORIG + 1] = 0x05;
	memcpy(page + ORIG + 2, &d, 4);
	page[ORIG + 6] = 0xed; page[ORIG + 7] = 0x5e; page[ORIG + 8] = 0;
	page[ORIG + 9] = 0;
	page[ORIG + 10] = 0xc3;
	run_through_slot(page, 16);
	memcpy(&got, page + DATA, 4);
	ck_assert_uint_eq(got, 0x5eed);
	munmap(page, PAGES);
}
END_TEST

static bool native_x86_64(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.machine, "x86_64") == 0;
}

static Suite *x86_step_suite(void)
{
	Suite *s = suite_create("x86_step");
	TCase *emu = tcase_create("emulate");
	TCase *ool = tcase_create("out_of_line");
	TCase *misc = tcase_create("misc");
	TCase *exec = tcase_create("native");

	tcase_add_test(emu, endbr64_is_emulated_as_nop);
	tcase_add_test(emu, every_nop_form_is_emulated);
	tcase_add_test(emu, lookalikes_of_nop_are_not_nops);
	tcase_add_test(emu, push_without_slot_writes_the_stack);
	tcase_add_test(emu, push_write_error_leaves_registers_alone);
	tcase_add_test(emu, mov_reg_reg_is_emulated);
	tcase_add_test(emu, mov_32bit_is_not_emulated);
	tcase_add_test(emu, call_rel32_pushes_the_real_return_address);
	tcase_add_test(emu, call_write_error_is_propagated);
	tcase_add_test(emu, call_register_is_emulated);
	tcase_add_test(emu, jmp_relative_and_register);
	tcase_add_test(emu, jrcxz_and_loop_use_rcx);
	suite_add_tcase(s, emu);

	tcase_add_test(ool, push_with_slot_runs_out_of_line);
	tcase_add_test(ool, sub_rsp_with_slot_runs_out_of_line);
	tcase_add_test(ool, rip_relative_operands_are_relocated);
	tcase_add_test(ool, slot_out_of_reach_is_erange);
	tcase_add_test(ool, no_slot_is_enospc_for_what_needs_one);
	tcase_add_test(ool, call_through_memory_pushes_the_real_return_address);
	suite_add_tcase(s, ool);

	tcase_add_test(misc, garbage_is_einval);
	tcase_add_test(misc, unsteppable_instructions_are_refused);
	tcase_add_test(misc, disasm_gives_text_and_length);
	tcase_add_test(misc, plan_never_trusts_stale_fields);
	suite_add_tcase(s, misc);

	/* the CPU is the reference: only where it is this one */
	if (native_x86_64()) {
		tcase_add_test(exec, sub_rsp_imm_sets_flags_like_the_cpu);
		tcase_add_test(exec, jcc_matches_the_cpu);
		tcase_add_test(exec, relocated_rip_relative_lea_runs_like_the_original);
		tcase_add_test(exec, relocated_call_through_got_returns_to_the_original);
		tcase_add_test(exec, relocated_rip_relative_store_hits_the_original_target);
		suite_add_tcase(s, exec);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(x86_step_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
