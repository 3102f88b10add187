/* signal: signals delivered while traced.
 *
 * Usage: signal [-w] [handler|stop|die]
 * handler (default):
 *   sig_outer(5) raises SIGUSR1; the traced handler on_usr1(10) calls
 *   in_handler(10) = 30; sig_outer returns 5 + 30 = 35.
 *   sig_spin(7) spins until a SIGALRM (setitimer, 20 ms) arrives; the traced
 *   handler on_alrm(14) calls in_handler(14) = 42; sig_spin returns 49.
 *   Expected nesting: sig_* depth 0, on_* depth 1, in_handler depth 2.
 * stop:
 *   the process calls tick(i) in a loop while a forked child (which calls
 *   nothing traced) sends it SIGSTOP, checks it is stopped and makes no
 *   progress for 300 ms, sends SIGCONT and checks it progresses again.
 * die:
 *   tick(1), then raise(SIGTERM) with the default action: killed, status
 *   128+15 from a shell.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "common.h"

static volatile sig_atomic_t got_usr1, got_alrm;

TRACED int in_handler(int x) { return x * 3; }
TRACED void on_usr1(int sig) { got_usr1 = in_handler(sig); }
TRACED void on_alrm(int sig) { got_alrm = in_handler(sig); }

TRACED int sig_outer(int n)
{
	raise(SIGUSR1);
	return n + got_usr1;
}

TRACED long sig_spin(int n)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	long end = t_now_ms() + 10000;
	while (!got_alrm && t_now_ms() < end)
		;
	return n + got_alrm;
}

TRACED int tick(int i) { return i * 2 + 1; }

static int mode_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_alrm;
	sigaction(SIGALRM, &sa, NULL);

	int r = sig_outer(5);
	printf("sig_outer 5 -> %d (handler got %d)\n", r, (int)got_usr1);
	long s = sig_spin(7);
	printf("sig_spin 7 -> %ld (handler got %d)\n", s, (int)got_alrm);
	return r == 35 && s == 49 ? 0 : 1;
}

struct shared {
	volatile long counter;
	volatile int stopped_state;  /* state letter from /proc/PPID/stat */
	volatile int frozen, resumed;
};

static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static __attribute__((noinline, noreturn)) void stop_child(struct shared *sh, pid_t parent)
{
	t_sleep_ms(100);
	kill(parent, SIGSTOP);
	t_sleep_ms(250);
	sh->stopped_state = proc_state(parent);
	long c1 = sh->counter;
	t_sleep_ms(300);
	long c2 = sh->counter;
	sh->frozen = c1 == c2;
	kill(parent, SIGCONT);
	t_sleep_ms(200);
	sh->resumed = sh->counter > c2;
	_exit(0);
}

static int mode_stop(void)
{
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pid_t parent = getpid();
	fflush(stdout);
	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0)
		stop_child(sh, parent);
	int bad = 0, status;
	long end = t_now_ms() + 20000;
	for (int i = 0;; i++) {
		if (tick(i) != i * 2 + 1)
			bad++;
		sh->counter++;
		if (waitpid(child, &status, WNOHANG) == child)
			break;
		if (t_now_ms() > end) {
			printf("stop: child did not finish\n");
			kill(child, SIGKILL);
			return 1;
		}
		t_sleep_ms(1);
	}
	int st = sh->stopped_state;
	printf("stop: parent stopped: %s\n", st == 'T' || st == 't' ? "yes" : "no");
	printf("stop: no progress while stopped: %s\n", sh->frozen ? "yes" : "no");
	printf("stop: progress after SIGCONT: %s\n", sh->resumed ? "yes" : "no");
	printf("stop: tick results %s\n", bad ? "wrong" : "ok");
	if (st != 'T' && st != 't')
		fprintf(stderr, "signal: state while stopped was '%c'\n", st);
	return !(st == 'T' || st == 't') || !sh->frozen || !sh->resumed || bad;
}

static int mode_die(void)
{
	printf("die: tick 1 -> %d\n", tick(1));
	printf("die: raise SIGTERM\n");
	fflush(stdout);
	signal(SIGTERM, SIG_DFL);
	raise(SIGTERM);
	printf("die: still alive (wrong)\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = "handler";
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-w") != 0)
			mode = argv[i];
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w")) {
		/* wait for the functions this mode calls */
		static const void *const handler_fns[] = {
			(void *)in_handler, (void *)on_usr1, (void *)on_alrm,
			(void *)sig_outer, (void *)sig_spin,
		};
		static const void *const tick_fns[] = { (void *)tick };
		if (strcmp(mode, "handler") == 0)
			t_wait_traps(handler_fns, sizeof handler_fns / sizeof handler_fns[0],
				     T_ATTACH_TIMEOUT_MS);
		else
			t_wait_traps(tick_fns, 1, T_ATTACH_TIMEOUT_MS);
	}
	if (strcmp(mode, "handler") == 0)
		return mode_handler();
	if (strcmp(mode, "stop") == 0)
		return mode_stop();
	if (strcmp(mode, "die") == 0)
		return mode_die();
	fprintf(stderr, "usage: signal [-w] [handler|stop|die]\n");
	return 2;
}
