/* blocker: every thread sits in a blocking system call, for detach tests.
 *
 * Usage: blocker FIFO
 * Prints "pid N" and "poke ADDR" (where a tracer's trap would go).
 * Threads: one in read(2) on a pipe, one in poll(2) on another, one in
 * pthread_cond_wait (futex), one in nanosleep(60 s); main reads commands
 * from FIFO (created by the caller):
 *   c   call the traced poke(i) three times (i = 0, 1, 2, ... over all
 *       commands), print "poked N" (calls so far)
 *   q   wake every thread (a byte down each pipe, the condition, SIGUSR1
 *       for the sleeper, whose handler has no SA_RESTART), join them and
 *       print what each saw, then "code ok" or "code modified", and exit 0
 *       only if every thread saw what an untraced run sees:
 *         reader 'r'  poller 'p'  waiter woke  sleeper EINTR
 * A system call that a tracer left unrestarted, or restarted wrongly,
 * returns something else (an errno of 512-516, say, or early).
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include "common.h"

static int rpipe[2], ppipe[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int woken;
static char reader_got, poller_got;
static int waiter_ok, sleeper_rc, sleeper_errno;
static struct timespec sleeper_left;

TRACED int poke(int i) { return i * 3 + 1; }

static void *reader(void *arg)
{
	(void)arg;
	if (read(rpipe[0], &reader_got, 1) != 1)
		reader_got = '?';
	return NULL;
}

static void *poller(void *arg)
{
	struct pollfd pf = { .fd = ppipe[0], .events = POLLIN };

	(void)arg;
	if (poll(&pf, 1, -1) != 1 || read(ppipe[0], &poller_got, 1) != 1)
		poller_got = '?';
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!woken)
		pthread_cond_wait(&cv, &mu);
	waiter_ok = 1;
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 60, 0 };

	(void)arg;
	sleeper_rc = nanosleep(&ts, &sleeper_left);
	sleeper_errno = errno;
	return NULL;
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	pthread_t th[4];
	void *(*fns[4])(void *) = { reader, poller, waiter, sleeper };
	struct sigaction sa = { .sa_handler = on_usr1 };   /* no SA_RESTART */
	int fd, calls = 0, bad = 0;
	char c;

	if (argc != 2) {
		fprintf(stderr, "usage: blocker FIFO\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(rpipe) || pipe(ppipe) || (fd = open(argv[1], O_RDWR)) < 0) {
		perror("blocker");
		return 2;
	}
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, fns[i], NULL);
	t_print_pid(stdout);
	printf("poke %p\n", (void *)poke);
	while (read(fd, &c, 1) == 1 && c != 'q') {
		if (c != 'c')
			continue;
		for (int k = 0; k < 3; k++, calls++)
			bad += poke(calls) != calls * 3 + 1;
		printf("poked %d\n", calls);
	}
	if (write(rpipe[1], "r", 1) != 1 || write(ppipe[1], "p", 1) != 1)
		bad++;
	pthread_mutex_lock(&mu);
	woken = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_kill(th[3], SIGUSR1);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("reader '%c'\npoller '%c'\nwaiter %s\n", reader_got, poller_got,
	       waiter_ok ? "woke" : "did not wake");
	if (sleeper_rc == -1 && sleeper_errno == EINTR && sleeper_left.tv_sec < 60)
		printf("sleeper EINTR\n");
	else
		printf("sleeper returned %d, errno %d, %lld s left\n", sleeper_rc,
		       sleeper_errno, (long long)sleeper_left.tv_sec);
	printf("bad %d\n", bad);
	int same = t_code_unmodified();
	printf("%s\n", same ? "code ok" : "code modified");
	return bad || !same;
}
