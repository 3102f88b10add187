/* bench/stops.c: what one ptrace stop round trip costs, by wait-loop strategy.
 *
 *   stops [-n STOPS]
 *
 * A child runs `int3` in an endless loop under PTRACE_TRACEME; the tracer
 * takes each SIGTRAP stop (wait, PTRACE_GETREGS, PTRACE_CONT) STOPS times
 * (default 20000) per strategy, after a warm-up, with a fresh child for each
 * strategy, and prints microseconds per stop:
 *
 *   block         plain blocking waitpid
 *   poll          waitpid(WNOHANG) in a busy loop
 *   pin-tracer    tracer pinned (sched_setaffinity on itself only) to the CPU
 *                 the tracee last ran on, blocking waitpid; the tracee's
 *                 affinity is left alone, as the real tool must
 *   spin-block    WNOHANG polling for up to 20 us, then blocking waitpid
 *   idle          the tracer runs as SCHED_IDLE, blocking waitpid: a CPU that
 *                 runs only SCHED_IDLE tasks counts as idle when the kernel
 *                 places a waking task, so the tracee may be woken onto the
 *                 tracer's CPU (but a busy machine can starve the tracer)
 *   idle-pin      SCHED_IDLE and pinned to the tracee's last CPU
 *   block+qos     blocking waitpid while holding a PM QoS CPU latency
 *                 request of 0 (/dev/cpu_dma_latency; root; affects the whole
 *                 machine while held): no CPU enters an idle state with a
 *                 wake-up latency; skipped if the device cannot be opened
 *   ref-same-cpu  reference only: tracer and tracee both pinned to one CPU
 *   ref-diff-cpu  reference only: pinned to two different CPUs, blocking
 *
 * Each strategy runs in a child process of its own, so affinity and policy
 * changes do not leak into the next. For each it also prints how often the tracer ran on the CPU the tracee
 * had stopped on (sampled every 64th stop). Then the cost of single requests
 * on a stopped tracee (GETREGS, SETREGS, GETSIGINFO, PEEKDATA, a 4 KiB
 * process_vm_readv), to show where the time goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum strategy { S_BLOCK, S_POLL, S_PIN, S_SPIN, S_IDLE, S_IDLE_PIN, S_QOS, S_REF_SAME, S_REF_DIFF, S_COUNT };
static const char *const names[S_COUNT] = {
	"block", "poll", "pin-tracer", "spin-block", "idle", "idle-pin", "block+qos", "ref-same-cpu",
	"ref-diff-cpu",
};
static const char *const notes[S_COUNT] = {
	"blocking waitpid",
	"waitpid(WNOHANG) busy loop",
	"tracer pinned to the tracee's last CPU, blocking",
	"WNOHANG for up to 20 us, then blocking",
	"tracer SCHED_IDLE, blocking",
	"tracer SCHED_IDLE and pinned to the tracee's last CPU",
	"blocking, /dev/cpu_dma_latency held at 0",
	"reference: both pinned to one CPU",
	"reference: pinned to different CPUs, blocking",
};

static cpu_set_t orig_mask;
static char scratch[4096];

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "stops: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int last_cpu(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* field 2 may hold spaces */
	if (!p)
		return -1;
	/* p+2 is field 3; "processor" is field 39 */
	int field = 3;
	for (p += 2; *p && field < 39; p++)
		if (*p == ' ')
			field++;
	return atoi(p);
}

static void pin(pid_t pid, int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(pid, sizeof s, &s) < 0)
		die("sched_setaffinity");
}

static pid_t spawn(void)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sched_setaffinity(0, sizeof orig_mask, &orig_mask);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (;;)
			__asm__ volatile("int3" ::: "memory");
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st))
		die("child did not stop");
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_EXITKILL);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void wait_stop(pid_t pid, enum strategy s)
{
	int st;
	pid_t r;
	if (s == S_POLL) {
		while ((r = waitpid(pid, &st, WNOHANG)) == 0)
			;
	} else if (s == S_SPIN) {
		double t0 = now_us();
		while ((r = waitpid(pid, &st, WNOHANG)) == 0)
			if (now_us() - t0 > 20) {
				r = waitpid(pid, &st, 0);
				break;
			}
	} else {
		r = waitpid(pid, &st, 0);
	}
	if (r != pid || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		fprintf(stderr, "stops: unexpected wait status %#x\n", st);
		exit(1);
	}
}

/* One strategy on a fresh tracee: returns us/stop, or -1 if it cannot run
 * here (*why says why); *same gets the percentage of sampled stops where the
 * tracer ran on the CPU the tracee had stopped on. */
static double run(enum strategy s, long n, int ncpu, double *same, const char **why)
{
	int qos = -1;
	if (s == S_QOS) {
		int32_t zero = 0;
		qos = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
		if (qos < 0 || write(qos, &zero, sizeof zero) != (ssize_t)sizeof zero) {
			*why = strerror(errno);
			if (qos >= 0)
				close(qos);
			return -1;
		}
	}

	pid_t pid = spawn();
	struct user_regs_struct regs;
	double t0 = 0;
	long samples = 0, hits = 0;

	if (s == S_IDLE || s == S_IDLE_PIN) {
		struct sched_param sp = { 0 };
		if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0) {
			*why = strerror(errno);
			reap(pid);
			return -1;
		}
	}
	if (s == S_REF_SAME || s == S_REF_DIFF) {
		pin(0, 0);
		pin(pid, s == S_REF_SAME || ncpu < 2 ? 0 : 1);
	}
	long warm = n / 10 + 100;
	for (long i = 0; i < n + warm; i++) {
		if (i == warm) {
			if (s == S_PIN || s == S_IDLE_PIN) {
				int cpu = last_cpu(pid);
				pin(0, cpu < 0 ? 0 : cpu);
			}
			t0 = now_us();
		}
		if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
			die("PTRACE_CONT");
		wait_stop(pid, s);
		if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
			die("PTRACE_GETREGS");
		if (i >= warm && (i & 63) == 0) {
			samples++;
			hits += last_cpu(pid) == sched_getcpu();
		}
	}
	double us = (now_us() - t0) / n;
	reap(pid);
	if (qos >= 0)
		close(qos);
	sched_setaffinity(0, sizeof orig_mask, &orig_mask);
	*same = samples ? 100.0 * hits / samples : 0;
	return us;
}

/* Cost of single requests on a tracee that stays stopped. */
static void requests(long n)
{
	pid_t pid = spawn();
	struct user_regs_struct regs;
	double t0;

	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		die("PTRACE_GETREGS");
	t0 = now_us();
	for (long i = 0; i < n; i++)
		ptrace(PTRACE_GETREGS, pid, NULL, &regs);
	printf("  %-13s %8.2f us/request\n", "GETREGS", (now_us() - t0) / n);
	t0 = now_us();
	for (long i = 0; i < n; i++)
		ptrace(PTRACE_SETREGS, pid, NULL, &regs);
	printf("  %-13s %8.2f us/request\n", "SETREGS", (now_us() - t0) / n);
	siginfo_t si;
	t0 = now_us();
	for (long i = 0; i < n; i++)
		ptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
	printf("  %-13s %8.2f us/request\n", "GETSIGINFO", (now_us() - t0) / n);
	t0 = now_us();
	for (long i = 0; i < n; i++)
		ptrace(PTRACE_PEEKDATA, pid, (void *)regs.rsp, NULL);
	printf("  %-13s %8.2f us/request\n", "PEEKDATA", (now_us() - t0) / n);
	struct iovec local = { scratch, sizeof scratch };
	struct iovec remote = { (void *)(regs.rsp & ~4095UL), sizeof scratch };
	t0 = now_us();
	for (long i = 0; i < n; i++)
		process_vm_readv(pid, &local, 1, &remote, 1, 0);
	printf("  %-13s %8.2f us/request\n", "vm_readv 4K", (now_us() - t0) / n);
	reap(pid);
}

int main(int argc, char **argv)
{
	long n = 20000;
	int opt;
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else {
			fprintf(stderr, "usage: stops [-n STOPS]\n");
			return 2;
		}
	}
	if (n < 1)
		n = 1;
	if (sched_getaffinity(0, sizeof orig_mask, &orig_mask) < 0)
		die("sched_getaffinity");
	int ncpu = CPU_COUNT(&orig_mask);

	printf("wait-loop strategies (%ld stops each, %d CPUs; one stop = int3, wait, GETREGS, CONT):\n", n, ncpu);
	for (int s = 0; s < S_COUNT; s++) {
		if (s == S_REF_DIFF && ncpu < 2)
			continue;
		fflush(stdout);
		pid_t kid = fork();
		if (kid < 0)
			die("fork");
		if (kid == 0) {
			double same = 0;
			const char *why = NULL;
			double us = run(s, n, ncpu, &same, &why);
			if (us < 0)
				printf("  %-13s  skipped: %s\n", names[s], why);
			else
				printf("  %-13s %8.2f us/stop  same CPU %3.0f%%  %s\n", names[s], us, same, notes[s]);
			fflush(stdout);
			_exit(0);
		}
		int st;
		if (waitpid(kid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			fprintf(stderr, "stops: strategy %s failed\n", names[s]);
	}
	printf("single requests on a stopped tracee:\n");
	requests(n);
	return 0;
}
