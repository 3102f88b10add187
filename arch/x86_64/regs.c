/* x86-64: registers, traps and injected system calls. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include "arch.h"

const char arch_name[] = "x86_64";

int arch_get_regs(pid_t tid, struct arch_regs *r)
{
	return ptrace(PTRACE_GETREGS, tid, 0, &r->g) < 0 ? -errno : 0;
}

int arch_set_regs(pid_t tid, const struct arch_regs *r)
{
	return ptrace(PTRACE_SETREGS, tid, 0, &r->g) < 0 ? -errno : 0;
}

uint64_t arch_get_pc(const struct arch_regs *r) { return r->g.rip; }
void arch_set_pc(struct arch_regs *r, uint64_t pc) { r->g.rip = pc; }
uint64_t arch_get_sp(const struct arch_regs *r) { return r->g.rsp; }
void arch_set_sp(struct arch_regs *r, uint64_t sp) { r->g.rsp = sp; }

unsigned arch_dwarf_regs(const struct arch_regs *r, uint64_t *regs)
{
	struct abi_piece p;

	for (unsigned i = 0; i < 16; i++) {
		arch_dwarf_reg(r, i, 8, &p);
		regs[i] = p.word;
	}
	/* 16 is the return-address column, which stands for rip */
	regs[16] = r->g.rip;
	return 17;
}

/* No tags in x86-64 code addresses (LAM tags data pointers only). */
uint64_t arch_code_tag_mask(pid_t tid)
{
	(void)tid;
	return 0;
}

const uint8_t arch_trap[ARCH_TRAP_MAX] = { 0xcc };
const size_t arch_trap_len = 1;

bool arch_is_trap_signal(const siginfo_t *si)
{
	/* int3 raises SIGTRAP with SI_KERNEL; kill/tgkill carry SI_USER or
	 * SI_TKILL and must reach the program. */
	return si->si_signo == SIGTRAP && si->si_code == SI_KERNEL;
}

/* int3 leaves rip just past itself. */
uint64_t arch_trap_addr(const struct arch_regs *r) { return r->g.rip - 1; }

bool arch_trap_pc_ambiguous(const uint8_t *orig, size_t len)
{
	char text[64];
	unsigned n = 0;

	/* int3 leaves rip at addr + 1, mid-instruction unless the original
	 * is one byte long and falls through (ret does not). */
	if (arch_disasm(orig, len, 0, text, sizeof(text), &n) < 0)
		return true;
	return n == 1 && orig[0] != 0xc3 && orig[0] != 0xcb;
}

void arch_rewind_to_trap(struct arch_regs *r, uint64_t trap_addr)
{
	r->g.rip = trap_addr;
}

int arch_return_address(const struct arch_regs *r, mem_read_fn rd, void *ctx,
			uint64_t *ra)
{
	ssize_t n = rd(ctx, r->g.rsp, ra, sizeof(*ra));

	if (n < 0)
		return (int)n;
	return n == sizeof(*ra) ? 0 : -EFAULT;
}

/* `ret` pops the return address that `call` pushed. */
uint64_t arch_sp_after_return(const struct arch_regs *r) { return r->g.rsp + 8; }

const uint8_t arch_syscall_insn[] = { 0x0f, 0x05 };
const size_t arch_syscall_insn_len = sizeof(arch_syscall_insn);
const size_t arch_insn_align = 1;
/* rel32 reaches +-2 GiB. */
const uint64_t arch_slot_reach = 1ull << 30;
const long arch_nr_mmap = SYS_mmap;
const long arch_nr_munmap = SYS_munmap;

void arch_syscall_setup(struct arch_regs *r, uint64_t insn_addr, long nr,
			const uint64_t args[6])
{
	r->g.rax = (uint64_t)nr;
	/* -1 tells the kernel this is no interrupted call to restart. */
	r->g.orig_rax = (uint64_t)-1;
	r->g.rdi = args[0];
	r->g.rsi = args[1];
	r->g.rdx = args[2];
	r->g.r10 = args[3];
	r->g.r8 = args[4];
	r->g.r9 = args[5];
	r->g.rip = insn_addr;
}

long arch_syscall_result(const struct arch_regs *r) { return (long)r->g.rax; }

bool arch_in_syscall(pid_t tid, const struct arch_regs *r)
{
	(void)tid;
	return (long)r->g.orig_rax >= 0;
}

/* The kernel's own codes for an interrupted call (include/linux/errno.h),
 * which never reach user space. */
enum { ERESTARTSYS_ = 512, ERESTARTNOINTR_ = 513, ERESTARTNOHAND_ = 514,
       ERESTART_RESTARTBLOCK_ = 516 };

/* What arch_do_signal_or_restart does when no handler runs: the call (or
 * restart_syscall, which resumes a sleep where it was) again, from the
 * syscall instruction. */
bool arch_syscall_restart(struct arch_regs *r)
{
	if ((long)r->g.orig_rax < 0)
		return false;
	switch ((long)r->g.rax) {
	case -ERESTARTSYS_:
	case -ERESTARTNOINTR_:
	case -ERESTARTNOHAND_:
		r->g.rax = r->g.orig_rax;
		break;
	case -ERESTART_RESTARTBLOCK_:
		r->g.rax = SYS_restart_syscall;
		break;
	default:
		return false;
	}
	r->g.rip -= arch_syscall_insn_len;
	r->g.orig_rax = (uint64_t)-1;
	return true;
}
