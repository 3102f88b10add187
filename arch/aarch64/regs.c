/* aarch64: registers, traps and injected system calls. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "arch.h"

#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
#ifndef NT_ARM_PAC_MASK
#define NT_ARM_PAC_MASK 0x406
#endif

const char arch_name[] = "aarch64";

int arch_get_regs(pid_t tid, struct arch_regs *r)
{
	struct iovec io = { &r->g, sizeof(r->g) };

	return ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &io) < 0 ? -errno : 0;
}

int arch_set_regs(pid_t tid, const struct arch_regs *r)
{
	struct iovec io = { (void *)&r->g, sizeof(r->g) };

	return ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &io) < 0 ? -errno : 0;
}

uint64_t arch_get_pc(const struct arch_regs *r) { return r->g.pc; }
void arch_set_pc(struct arch_regs *r, uint64_t pc) { r->g.pc = pc; }
uint64_t arch_get_sp(const struct arch_regs *r) { return r->g.sp; }
void arch_set_sp(struct arch_regs *r, uint64_t sp) { r->g.sp = sp; }

/* x0-x30 and sp; the pc has no DWARF number. */
unsigned arch_dwarf_regs(const struct arch_regs *r, uint64_t *regs)
{
	struct abi_piece p;

	for (unsigned i = 0; i < 32; i++) {
		arch_dwarf_reg(r, i, 8, &p);
		regs[i] = p.word;
	}
	return 32;
}

/* A return address that paciasp signed carries its authentication code in
 * the bits the kernel reports here; without pointer authentication the
 * regset does not exist. */
uint64_t arch_code_tag_mask(pid_t tid)
{
	struct { uint64_t data_mask, insn_mask; } m = { 0, 0 };
	struct iovec io = { &m, sizeof(m) };

	if (ptrace(PTRACE_GETREGSET, tid, NT_ARM_PAC_MASK, &io) < 0)
		return 0;
	return m.insn_mask;
}

/* brk #0, little-endian. */
const uint8_t arch_trap[ARCH_TRAP_MAX] = { 0x00, 0x00, 0x20, 0xd4 };
const size_t arch_trap_len = 4;

bool arch_is_trap_signal(const siginfo_t *si)
{
	return si->si_signo == SIGTRAP && si->si_code == TRAP_BRKPT;
}

/* brk leaves pc on itself. */
uint64_t arch_trap_addr(const struct arch_regs *r) { return r->g.pc; }

/* A thread about to run the instruction at a trap address has the same pc
 * as one that hit the trap there: only the siginfo can tell them apart. */
bool arch_trap_pc_ambiguous(const uint8_t *orig, size_t len)
{
	(void)orig;
	(void)len;
	return true;
}

void arch_rewind_to_trap(struct arch_regs *r, uint64_t trap_addr)
{
	r->g.pc = trap_addr;
}

/* At the first instruction the link register still holds the plain return
 * address: paciasp has not signed it yet. */
int arch_return_address(const struct arch_regs *r, mem_read_fn rd, void *ctx,
			uint64_t *ra)
{
	(void)rd;
	(void)ctx;
	*ra = r->g.regs[30];
	return 0;
}

/* bl and ret leave sp alone. */
uint64_t arch_sp_after_return(const struct arch_regs *r) { return r->g.sp; }

/* svc #0 */
const uint8_t arch_syscall_insn[] = { 0x01, 0x00, 0x00, 0xd4 };
const size_t arch_syscall_insn_len = sizeof(arch_syscall_insn);
const size_t arch_insn_align = 4;
/* The slot branches back with b, which reaches +-128 MiB. */
const uint64_t arch_slot_reach = 1ull << 26;
const long arch_nr_mmap = SYS_mmap;
const long arch_nr_munmap = SYS_munmap;

void arch_syscall_setup(struct arch_regs *r, uint64_t insn_addr, long nr,
			const uint64_t args[6])
{
	for (int i = 0; i < 6; i++)
		r->g.regs[i] = args[i];
	r->g.regs[8] = (uint64_t)nr;
	r->g.pc = insn_addr;
}

long arch_syscall_result(const struct arch_regs *r) { return (long)r->g.regs[0]; }

/* The general registers do not say; the kernel's syscall-number regset
 * does (-1 outside a system call). */
bool arch_in_syscall(pid_t tid, const struct arch_regs *r)
{
	int nr = -1;
	struct iovec io = { &nr, sizeof(nr) };

	(void)r;
	if (ptrace(PTRACE_GETREGSET, tid, NT_ARM_SYSTEM_CALL, &io) < 0)
		return true;   /* cannot tell: assume the unsafe case */
	return nr >= 0;
}

/* arm64's do_signal rewinds pc to the svc and restores x0 before the
 * stop, and forgets the call: a thread stopped there just runs it again. */
bool arch_syscall_restart(struct arch_regs *r)
{
	(void)r;
	return false;
}
