/* x86-64 patching for the agent engine: where a traced function's entry
 * and each of its returns can be overwritten with a 5-byte jump, and the
 * code those jumps go to. Like x86_step.h, self-contained (libc and
 * capstone) so that it is unit-tested on any host.
 *
 * The entry jump goes to a trampoline that saves the registers a call may
 * use, calls the agent's recorder with a pointer to them, restores them,
 * runs the displaced instructions and jumps back. Each return's jump goes
 * to an exit stub that runs the instructions displaced before the ret,
 * records the same way, then executes the ret itself: call and return
 * stay paired, and unwinders see the program's own return addresses. */
#ifndef LATCH_X86_PATCH_H
#define LATCH_X86_PATCH_H

#include <stddef.h>
#include <stdint.h>

#define X86_PATCH_JUMP_LEN 5
#define X86_PATCH_MAX_EXITS 16
/* Largest trampoline or exit stub. */
#define X86_PATCH_CODE_MAX 256

/* The block of registers the recorder is given, offsets in bytes: xmm0-7
 * (16 bytes each), then the integer registers a call may change and the
 * flags; the word at X86_BLK_RA is the one the function's sp points to
 * (its return address), so the sp itself is block + X86_BLK_RA. */
enum {
	X86_BLK_XMM0 = 0,
	X86_BLK_R11 = 136, X86_BLK_R10 = 144, X86_BLK_R9 = 152, X86_BLK_R8 = 160,
	X86_BLK_RDI = 168, X86_BLK_RSI = 176, X86_BLK_RDX = 184, X86_BLK_RCX = 192,
	X86_BLK_RAX = 200, X86_BLK_FLAGS = 208, X86_BLK_RA = 216,
};

/* Bytes [addr, addr + len) are replaced by the jump. For an exit, the
 * last ret_len of them are the ret. */
struct x86_window {
	uint64_t addr;
	unsigned len;
	unsigned ret_len;
};

struct x86_patch {
	struct x86_window entry;
	unsigned nexits;
	struct x86_window exit[X86_PATCH_MAX_EXITS];
	char why[96];            /* -ENOTSUP: why not */
};

/* code[0..size) is the whole function at addr. outside[0..nout) are the
 * addresses that code elsewhere jumps to directly (a .cold part jumping
 * back, assembly sharing its tails): the caller finds them by scanning
 * the module (x86_scan), as one function's code cannot show them. 0 with
 * p filled; -ENOTSUP with p->why when it cannot be patched safely (too
 * short, a jump into the bytes a jump would displace, a tail call, an
 * indirect jump, an instruction that cannot be moved, too many returns);
 * -ENOMEM, -ENOSYS. */
int x86_patch_plan(const uint8_t *code, size_t size, uint64_t addr,
		   const uint64_t *outside, size_t nout, struct x86_patch *p);

/* The code that window w of the function (code[] at fn_addr, as planned)
 * jumps to, to run at `at`: it calls recorder(ctx, block) as described
 * above. exit: w is one of the exits. Into out[0..*len), at most
 * X86_PATCH_CODE_MAX bytes. 0, -ENOTSUP (a displaced operand out of reach
 * of at), -ENOMEM, -ENOSYS. */
int x86_patch_code(const uint8_t *code, uint64_t fn_addr, const struct x86_window *w,
		   int exit, uint64_t at, uint64_t ctx, uint64_t recorder,
		   uint8_t *out, size_t *len);

/* The jump at from to to; -ERANGE beyond a rel32's reach. */
int x86_patch_jump(uint64_t from, uint64_t to, uint8_t out[X86_PATCH_JUMP_LEN]);

#endif
