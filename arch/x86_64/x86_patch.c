/* x86-64 patch planning and trampoline code for the agent engine
 * (x86_patch.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x86_patch.h"
#include "x86_step.h"

/* A function worth patching has far fewer instructions than this. */
#define SCAN_MAX 65536

static int refuse(struct x86_patch *p, const char *why)
{
	snprintf(p->why, sizeof(p->why), "%s", why);
	return -ENOTSUP;
}

/* The function's instructions and the jumps into it from elsewhere. */
struct body {
	const struct x86_insn_info *v;
	size_t n;
	const uint64_t *outside;
	size_t nout;
};

/* Does a direct jump or call go to [lo, hi)? */
static bool entered(const struct body *b, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < b->n; i++) {
		enum x86_insn_kind k = b->v[i].kind;

		if ((k == X86_I_JMP || k == X86_I_JCC || k == X86_I_CALL) &&
		    b->v[i].target >= lo && b->v[i].target < hi)
			return true;
	}
	for (size_t i = 0; i < b->nout; i++)
		if (b->outside[i] >= lo && b->outside[i] < hi)
			return true;
	return false;
}

/* Can instruction i be displaced (copied elsewhere and run there)? */
static bool movable(const uint8_t *code, uint64_t addr, const struct x86_insn_info *in)
{
	uint8_t out[X86_INSN_MAX];
	unsigned len;
	const char *why;

	/* relocated for a copy next to the original: only the kind of
	 * instruction is checked here, reach once the copy's place is known */
	return in->kind == X86_I_OTHER &&
	       x86_relocate(code + (in->addr - addr), in->len, in->addr, in->addr,
			    out, &len, &why) == 0;
}

static bool overlaps(const struct x86_window *w, uint64_t lo, uint64_t hi)
{
	return w->len && lo < w->addr + w->len && w->addr < hi;
}

/* Instructions from the first on (after an endbr64, which indirect
 * calls need in place), until they cover a jump. Nothing may jump to any
 * of them: not even to the first, which would be no new call. */
static int plan_entry(const uint8_t *code, uint64_t addr, const struct body *b,
		      struct x86_patch *p)
{
	const struct x86_insn_info *v = b->v;
	size_t n = b->n;
	size_t i = v[0].kind == X86_I_ENDBR ? 1 : 0;
	uint64_t start = i < n ? v[i].addr : addr;
	unsigned len = 0;

	for (; i < n && len < X86_PATCH_JUMP_LEN; i++) {
		if (v[i].kind == X86_I_RET)
			return refuse(p, "shorter than a jump before its first return");
		if (!movable(code, addr, &v[i]))
			return refuse(p, "an instruction at its entry that cannot be moved");
		len += v[i].len;
	}
	if (len < X86_PATCH_JUMP_LEN)
		return refuse(p, "shorter than a jump");
	if (entered(b, start, start + len))
		return refuse(p, "a jump into the instructions its entry jump would displace");
	p->entry = (struct x86_window){ .addr = start, .len = len };
	return 0;
}

/* The ret at v[r] and as many instructions before it as a jump needs,
 * none entered but the first, none of the entry's. */
static int plan_exit(const uint8_t *code, uint64_t addr, const struct body *b, size_t r,
		     struct x86_patch *p)
{
	const struct x86_insn_info *v = b->v;
	struct x86_window w = { .addr = v[r].addr, .len = v[r].len, .ret_len = v[r].len };

	for (size_t i = r; w.len < X86_PATCH_JUMP_LEN; ) {
		if (i == 0 || !movable(code, addr, &v[--i]))
			return refuse(p, "a return after an instruction that cannot be moved");
		w.addr = v[i].addr;
		w.len += v[i].len;
	}
	if (entered(b, w.addr + 1, w.addr + w.len))
		return refuse(p, "a return too short to patch that a jump goes to");
	if (overlaps(&p->entry, w.addr, w.addr + w.len))
		return refuse(p, "a return inside the bytes its entry jump displaces");
	if (p->nexits == X86_PATCH_MAX_EXITS)
		return refuse(p, "too many returns");
	p->exit[p->nexits++] = w;
	return 0;
}

int x86_patch_plan(const uint8_t *code, size_t size, uint64_t addr,
		   const uint64_t *outside, size_t nout, struct x86_patch *p)
{
	size_t n = 0, cap = size < SCAN_MAX ? size : SCAN_MAX;
	struct x86_insn_info *v = calloc(cap ? cap : 1, sizeof(*v));
	int err;

	memset(p, 0, sizeof(*p));
	if (!v)
		return -ENOMEM;
	err = x86_scan(code, size, addr, v, cap, &n);
	if (err == -EINVAL || err == -E2BIG)
		err = refuse(p, err == -EINVAL ? "its code does not decode from start to end"
					       : "too long to scan");
	if (err)
		goto free_v;
	for (size_t i = 0; i < n; i++) {
		const struct x86_insn_info *in = &v[i];
		bool inside = in->target >= addr && in->target < addr + size;

		err = -ENOTSUP;
		if (in->kind == X86_I_JMP_IND)
			err = refuse(p, "an indirect jump, whose targets are unknown");
		else if ((in->kind == X86_I_JMP || in->kind == X86_I_JCC) && !inside)
			err = refuse(p, "a tail call (a jump out of the function)");
		else
			err = 0;
		if (err)
			goto free_v;
	}
	struct body b = { v, n, outside, nout };

	err = plan_entry(code, addr, &b, p);
	for (size_t i = 0; !err && i < n; i++)
		if (v[i].kind == X86_I_RET)
			err = plan_exit(code, addr, &b, i, p);
	/* every window's bytes are instructions of ours to replace; each
	 * pair is apart (an exit never reaches back into another: no ret
	 * inside a window but its own) */
	if (!err && !p->nexits)
		err = refuse(p, "no return to patch");
free_v:
	free(v);
	return err;
}

static void put_le(uint8_t *o, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

int x86_patch_jump(uint64_t from, uint64_t to, uint8_t out[X86_PATCH_JUMP_LEN])
{
	int64_t d = (int64_t)(to - (from + X86_PATCH_JUMP_LEN));

	if (d < INT32_MIN || d > INT32_MAX)
		return -ERANGE;
	out[0] = 0xe9;
	put_le(out + 1, (uint64_t)d, 4);
	return 0;
}

struct emit {
	uint8_t *o;
	size_t n;
};

static void put(struct emit *e, const uint8_t *b, size_t len)
{
	memcpy(e->o + e->n, b, len);
	e->n += len;
}

#define PUT(e, ...) put(e, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Save, call recorder(ctx, block), restore: the block as x86_patch.h
 * lays it out. sp is 8 past a multiple of 16 at a call's entry and at
 * its ret alike, so the 216 bytes below it leave the call aligned. */
static void emit_record(struct emit *e, uint64_t ctx, uint64_t recorder)
{
	PUT(e, 0x9c, 0x50, 0x51, 0x52, 0x56, 0x57,       /* pushfq, rax rcx rdx rsi rdi */
	    0x41, 0x50, 0x41, 0x51, 0x41, 0x52, 0x41, 0x53, /* r8 r9 r10 r11 */
	    0x48, 0x81, 0xec, 0x88, 0x00, 0x00, 0x00);   /* sub rsp, 136 */
	for (uint8_t i = 0; i < 8; i++)                  /* movdqu [rsp+16i], xmmi */
		PUT(e, 0xf3, 0x0f, 0x7f, (uint8_t)(0x44 | i << 3), 0x24, (uint8_t)(16 * i));
	PUT(e, 0x48, 0xbf);                              /* mov rdi, ctx */
	put_le(e->o + e->n, ctx, 8);
	e->n += 8;
	PUT(e, 0x48, 0x89, 0xe6, 0x48, 0xb8);            /* mov rsi, rsp; mov rax, recorder */
	put_le(e->o + e->n, recorder, 8);
	e->n += 8;
	PUT(e, 0xff, 0xd0);                              /* call rax */
	for (uint8_t i = 0; i < 8; i++)                  /* movdqu xmmi, [rsp+16i] */
		PUT(e, 0xf3, 0x0f, 0x6f, (uint8_t)(0x44 | i << 3), 0x24, (uint8_t)(16 * i));
	PUT(e, 0x48, 0x81, 0xc4, 0x88, 0x00, 0x00, 0x00, /* add rsp, 136 */
	    0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58, /* r11 r10 r9 r8 */
	    0x5f, 0x5e, 0x5a, 0x59, 0x58, 0x9d);         /* rdi rsi rdx rcx rax, popfq */
}

/* The instructions of [from, to) of the function, relocated to run here. */
static int emit_displaced(struct emit *e, const uint8_t *code, uint64_t fn_addr,
			  uint64_t from, uint64_t to, uint64_t at)
{
	while (from < to) {
		const char *why;
		unsigned len;
		int err = x86_relocate(code + (from - fn_addr), to - from, from, at + e->n,
				       e->o + e->n, &len, &why);

		if (err)
			return err;
		e->n += len;
		from += len;
	}
	return 0;
}

int x86_patch_code(const uint8_t *code, uint64_t fn_addr, const struct x86_window *w,
		   int exit, uint64_t at, uint64_t ctx, uint64_t recorder,
		   uint8_t *out, size_t *len)
{
	struct emit e = { out, 0 };
	uint64_t end = w->addr + w->len, back = end;
	int err;

	if (exit) {
		err = emit_displaced(&e, code, fn_addr, w->addr, end - w->ret_len, at);
		if (err)
			return err;
		emit_record(&e, ctx, recorder);
		put(&e, code + (end - w->ret_len - fn_addr), w->ret_len);
		*len = e.n;
		return 0;
	}
	emit_record(&e, ctx, recorder);
	err = emit_displaced(&e, code, fn_addr, w->addr, end, at);
	if (err)
		return err;
	if (x86_patch_jump(at + e.n, back, e.o + e.n) == 0) {
		e.n += X86_PATCH_JUMP_LEN;
	} else {
		PUT(&e, 0xff, 0x25, 0, 0, 0, 0);             /* jmp [rip+0] */
		put_le(e.o + e.n, back, 8);
		e.n += 8;
	}
	*len = e.n;
	return 0;
}
