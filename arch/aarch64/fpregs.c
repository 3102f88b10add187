/* aarch64: SIMD and floating-point registers, and DWARF register numbers. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include "arch.h"

int arch_get_fpregs(pid_t tid, struct arch_fpregs *fp)
{
	struct iovec io = { &fp->f, sizeof(fp->f) };

	return ptrace(PTRACE_GETREGSET, tid, NT_PRFPREG, &io) < 0 ? -errno : 0;
}

void arch_fp_reg(const struct arch_fpregs *fp, unsigned reg, uint8_t out[16])
{
	if (reg < 32)
		memcpy(out, &fp->f.vregs[reg], 16);
	else
		memset(out, 0, 16);
}

/* The AAPCS64 DWARF numbering: 0-30 x0-x30, 31 sp, 64-95 v0-v31. */
bool arch_dwarf_reg(const struct arch_regs *r, unsigned dwreg, unsigned size,
		    struct abi_piece *p)
{
	memset(p, 0, sizeof(*p));
	if (dwreg <= 31) {
		p->kind = PIECE_INT;
		p->size = size == 0 || size > 8 ? 8 : size;
		p->word = dwreg == 31 ? r->g.sp : r->g.regs[dwreg];
		return true;
	}
	if (dwreg >= 64 && dwreg <= 95) {
		p->kind = PIECE_FP;
		p->size = size == 0 || size > 16 ? 16 : size;
		p->reg = dwreg - 64;
		return true;
	}
	return false;
}
