/* hammer: threads that call a traced function as fast as they can, for
 * signal-flood, SIGKILL and permission tests.
 *
 * Usage: hammer [-t THREADS] [-n CALLS] [-r ROUNDS] [-f] [-D] [-P] STOPFILE
 *   -t  worker threads (default 8)
 *   -n  work() calls of each worker in a round (default 20000)
 *   -r  rounds to run at least (default 1)
 *   -f  flood: a thread that calls nothing traced sends SIGUSR1 to a
 *       worker every 50 us, in turn, until the workers are done; the
 *       handler (traced on_usr1) counts them; every 64 calls a worker
 *       also sleeps 100 us, so that signals land in system calls too
 *   -D  prctl(PR_SET_DUMPABLE, 0) after the pid line (a process that asks
 *       not to be inspected)
 *   -P  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY) after the pid line
 *       ("ptracer EINVAL" without the Yama module, the only one to know it)
 * Prints "pid N", then "ready" when every worker is running.  Worker k
 * calls work(k, j) for j = 0, 1, ... and checks each result.  The workers
 * meet at a barrier after each round of CALLS calls; they stop together
 * once they have run ROUNDS rounds and STOPFILE exists.  Then, once no
 * tracer is attached (10 s at most), main checks its own code and prints
 *   rounds R checksum C bad B code ok|modified
 * where C depends on R only (an untraced run with -r R and an existing
 * STOPFILE prints the same line; the signal count is not in it).  Exit 0
 * only if B is 0 and the code is ok.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "common.h"

#define MAX_THREADS 64

static int nthreads = 8;
static long calls = 20000, min_rounds = 1, rounds;
static const char *stopfile;
static volatile int running, done, stop;
static pthread_barrier_t round_end, decided;
static pid_t tids[MAX_THREADS];
static unsigned long sums[MAX_THREADS];
static int bads[MAX_THREADS];
static volatile sig_atomic_t usr1s;

TRACED long work(int k, long j) { return (k + 1) * j + 7; }
TRACED void on_usr1(int sig) { usr1s += sig == SIGUSR1; }

static void *worker(void *arg)
{
	int k = (int)(intptr_t)arg, sleeps = 0;
	unsigned long sum = 0;
	long j;

	tids[k] = (pid_t)syscall(SYS_gettid);
	__atomic_add_fetch(&running, 1, __ATOMIC_SEQ_CST);
	for (j = 0; !stop; j++) {
		if (j > 0 && j % calls == 0) {
			/* one thread decides for all, so all run the same rounds */
			if (pthread_barrier_wait(&round_end) == PTHREAD_BARRIER_SERIAL_THREAD) {
				rounds = j / calls;
				stop = rounds >= min_rounds && access(stopfile, F_OK) == 0;
			}
			pthread_barrier_wait(&decided);
			if (stop)
				break;
		}
		long r = work(k, j);

		bads[k] += r != (k + 1) * j + 7;
		sum = sum * 31 + (unsigned long)r;
		if (sleeps && j % 64 == 0)
			t_sleep_ms(0);
		sleeps = 1;
	}
	sums[k] = sum;
	return NULL;
}

static void *flooder(void *arg)
{
	struct timespec gap = { 0, 50000 };
	int k = 0;

	(void)arg;
	while (!done) {
		if (tids[k])
			syscall(SYS_tgkill, getpid(), tids[k], SIGUSR1);
		k = (k + 1) % nthreads;
		nanosleep(&gap, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS], fl;
	int flood = 0, opt, bad = 0, dumpable = 1, ptracer = 0;
	unsigned long sum = 0;

	while ((opt = getopt(argc, argv, "t:n:r:fDP")) != -1) {
		switch (opt) {
		case 't': nthreads = atoi(optarg); break;
		case 'n': calls = atol(optarg); break;
		case 'r': min_rounds = atol(optarg); break;
		case 'f': flood = 1; break;
		case 'D': dumpable = 0; break;
		case 'P': ptracer = 1; break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > MAX_THREADS || calls < 1)
		goto usage;
	stopfile = argv[optind];
	pthread_barrier_init(&round_end, NULL, (unsigned)nthreads);
	pthread_barrier_init(&decided, NULL, (unsigned)nthreads);
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	t_print_pid(stdout);
	if (!dumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		perror("PR_SET_DUMPABLE");
	if (ptracer && prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0) != 0)
		printf("ptracer %s\n", errno == EINVAL ? "EINVAL" : strerror(errno));
	for (int k = 0; k < nthreads; k++)
		pthread_create(&th[k], NULL, worker, (void *)(intptr_t)k);
	if (flood)
		pthread_create(&fl, NULL, flooder, NULL);
	while (running < nthreads)
		t_sleep_ms(1);
	printf("ready\n");
	fflush(stdout);
	for (int k = 0; k < nthreads; k++) {
		pthread_join(th[k], NULL);
		sum = sum * 31 + sums[k];
		bad += bads[k];
	}
	done = 1;
	if (flood)
		pthread_join(fl, NULL);
	int ok = t_wait_untraced(10000) && t_code_unmodified();
	printf("rounds %ld checksum %lx bad %d code %s\n", rounds, sum, bad, ok ? "ok" : "modified");
	return bad == 0 && ok ? 0 : 1;
	usage:
	fprintf(stderr, "usage: hammer [-t THREADS] [-n CALLS] [-r ROUNDS] [-f] [-D] [-P] STOPFILE\n");
	return 2;
}
