/* x86-64: vector and x87 registers, and DWARF register numbers. */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include "arch.h"

int arch_get_fpregs(pid_t tid, struct arch_fpregs *fp)
{
	return ptrace(PTRACE_GETFPREGS, tid, 0, &fp->f) < 0 ? -errno : 0;
}

void arch_fp_reg(const struct arch_fpregs *fp, unsigned reg, uint8_t out[16])
{
	memset(out, 0, 16);
	if (reg < 16) {
		memcpy(out, (const uint8_t *)fp->f.xmm_space + 16 * reg, 16);
	} else if (reg - ARCH_FP_ST0 < 8) {
		/* 80 bits of each 16-byte slot; the rest is reserved and
		 * must not leak into the value's padding */
		memcpy(out, (const uint8_t *)fp->f.st_space + 16 * (reg - ARCH_FP_ST0), 10);
	}
}

/* The psABI's DWARF numbering of the general registers, 0-15. */
static uint64_t gpr(const struct arch_regs *r, unsigned dwreg)
{
	switch (dwreg) {
	case 0: return r->g.rax;
	case 1: return r->g.rdx;
	case 2: return r->g.rcx;
	case 3: return r->g.rbx;
	case 4: return r->g.rsi;
	case 5: return r->g.rdi;
	case 6: return r->g.rbp;
	case 7: return r->g.rsp;
	case 8: return r->g.r8;
	case 9: return r->g.r9;
	case 10: return r->g.r10;
	case 11: return r->g.r11;
	case 12: return r->g.r12;
	case 13: return r->g.r13;
	case 14: return r->g.r14;
	default: return r->g.r15;
	}
}

bool arch_dwarf_reg(const struct arch_regs *r, unsigned dwreg, unsigned size,
		    struct abi_piece *p)
{
	memset(p, 0, sizeof(*p));
	if (dwreg < 16) {
		p->kind = PIECE_INT;
		p->size = size == 0 || size > 8 ? 8 : size;
		p->word = gpr(r, dwreg);
		return true;
	}
	p->kind = PIECE_FP;
	p->size = size == 0 || size > 16 ? 16 : size;
	if (dwreg >= 17 && dwreg <= 32) {          /* xmm0-15 */
		p->reg = dwreg - 17;
		return true;
	}
	if (dwreg >= 33 && dwreg <= 40) {          /* st0-7 */
		p->reg = ARCH_FP_ST0 + dwreg - 33;
		return true;
	}
	return false;
}
