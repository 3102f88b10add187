/* ptrace smoke test for the arm64 guest: the parent plants `brk #0` on the
 * first instruction of a function in a traced child through /proc/PID/mem,
 * catches the SIGTRAP, checks the registers from PTRACE_GETREGSET
 * (NT_PRSTATUS: pc is the function itself since brk does not advance pc,
 * x0 and x30 are the argument and return address; NT_FPREGSET: v0 is the
 * double argument), restores the instruction with PTRACE_POKETEXT and lets
 * the child finish. Prints "ptrace-smoke: ok" and exits 0, or prints the
 * failure and exits 1.
 *
 * With -DWITH_LIBS it also calls into libcapstone, libdw and libelf, to
 * prove that a dynamically linked program finds its arm64 libraries. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/ptrace.h>
#ifdef WITH_LIBS
#include <capstone/capstone.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#endif

#ifndef __aarch64__
#error "ptrace_smoke is an aarch64 test"
#endif

#define BRK0 0xd4200000u /* brk #0 */

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("ptrace-smoke: FAIL %s:%d: ", __FILE__,     \
			       __LINE__);                                  \
			printf(__VA_ARGS__);                               \
			putchar('\n');                                     \
			failures++;                                        \
		}                                                          \
	} while (0)

__attribute__((noinline, used)) long target_fn(long a, double d)
{
	__asm__ volatile("" ::: "memory");
	return a + (long)d;
}

static int child(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		_exit(2);
	raise(SIGSTOP);
	/* The parent has planted the trap by now. */
	long r = target_fn(42, 1.0);
	_exit(r == 43 ? 0 : 3);
}

static int wait_stop(pid_t pid, int want_sig, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		printf("ptrace-smoke: FAIL waitpid (%s): %s\n", what,
		       strerror(errno));
		return -1;
	}
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != want_sig) {
		printf("ptrace-smoke: FAIL %s: status 0x%x, wanted stop by "
		       "signal %d\n", what, status, want_sig);
		return -1;
	}
	return 0;
}

int main(void)
{
	uintptr_t fn = (uintptr_t)&target_fn;
	uint32_t orig, brk = BRK0, check;
	struct user_pt_regs regs;
	struct user_fpsimd_state fp;
	struct iovec iov;
	char path[64];
	int memfd, status;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef WITH_LIBS
	{
		int major = 0, minor = 0;

		cs_version(&major, &minor);
		CHECK(major >= 4, "capstone version %d.%d", major, minor);
		CHECK(elf_version(EV_CURRENT) != EV_NONE, "elf_version");
		const char *v = dwfl_version(NULL);

		CHECK(v != NULL, "dwfl_version");
		printf("ptrace-smoke: capstone %d.%d, elfutils %s\n", major,
		       minor, v ? v : "?");
	}
#endif
	pid = fork();
	if (pid < 0) {
		printf("ptrace-smoke: FAIL fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		child();
	if (wait_stop(pid, SIGSTOP, "initial stop"))
		goto kill;

	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	memfd = open(path, O_RDWR);
	if (memfd < 0) {
		printf("ptrace-smoke: FAIL open %s: %s\n", path, strerror(errno));
		goto kill;
	}
	if (pread(memfd, &orig, 4, fn) != 4 ||
	    pwrite(memfd, &brk, 4, fn) != 4 ||
	    pread(memfd, &check, 4, fn) != 4) {
		printf("ptrace-smoke: FAIL /proc/PID/mem at %#lx: %s\n",
		       (unsigned long)fn, strerror(errno));
		goto kill;
	}
	close(memfd);
	CHECK(check == BRK0, "read back 0x%08x after planting brk", check);
	CHECK(orig != BRK0, "original instruction is already brk");

	if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0 ||
	    wait_stop(pid, SIGTRAP, "brk trap"))
		goto kill;

	iov.iov_base = &regs;
	iov.iov_len = sizeof regs;
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov) != 0) {
		printf("ptrace-smoke: FAIL GETREGSET NT_PRSTATUS: %s\n",
		       strerror(errno));
		goto kill;
	}
	CHECK(iov.iov_len == sizeof regs, "NT_PRSTATUS size %zu",
	      iov.iov_len);
	CHECK(regs.pc == fn, "pc %#llx, function at %#lx",
	      (unsigned long long)regs.pc, (unsigned long)fn);
	CHECK(regs.regs[0] == 42, "x0 = %llu, wanted 42",
	      (unsigned long long)regs.regs[0]);
	CHECK(regs.regs[30] > (uintptr_t)&child - 0x1000 &&
	      regs.regs[30] < (uintptr_t)&child + 0x1000,
	      "x30 = %#llx, not in child() at %#lx",
	      (unsigned long long)regs.regs[30], (unsigned long)&child);

	iov.iov_base = &fp;
	iov.iov_len = sizeof fp;
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_FPREGSET, &iov) != 0) {
		printf("ptrace-smoke: FAIL GETREGSET NT_FPREGSET: %s\n",
		       strerror(errno));
		goto kill;
	}
	{
		double d;

		memcpy(&d, &fp.vregs[0], sizeof d);
		CHECK(d == 1.0, "d0 = %g, wanted 1.0", d);
	}

	/* Restore with PTRACE_POKETEXT (a word: keep the next 4 bytes). */
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)fn, NULL);

	if (errno) {
		printf("ptrace-smoke: FAIL PEEKTEXT: %s\n", strerror(errno));
		goto kill;
	}
	CHECK((uint32_t)word == BRK0, "PEEKTEXT sees 0x%08x", (uint32_t)word);
	word = (long)(((unsigned long)word & ~0xffffffffUL) | orig);
	if (ptrace(PTRACE_POKETEXT, pid, (void *)fn, (void *)word) != 0) {
		printf("ptrace-smoke: FAIL POKETEXT: %s\n", strerror(errno));
		goto kill;
	}
	if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0) {
		printf("ptrace-smoke: FAIL CONT: %s\n", strerror(errno));
		goto kill;
	}
	if (waitpid(pid, &status, 0) != pid) {
		printf("ptrace-smoke: FAIL waitpid: %s\n", strerror(errno));
		return 1;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child ended with status 0x%x", status);
	if (failures)
		return 1;
	printf("ptrace-smoke: ok (brk at %#lx, pc and x0/x30/d0 as expected)\n",
	       (unsigned long)fn);
	return 0;
kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 1;
}
