/* bench/wall.c: wall-clock time of a command, in nanoseconds.
 *
 *   wall FILE CMD [ARGS...]
 *
 * Runs CMD (standard streams inherited), writes the elapsed CLOCK_MONOTONIC
 * time in nanoseconds to FILE and exits with CMD's status (128+N if signal N
 * killed it, 127 if it could not be started). SIGINT, SIGTERM and SIGHUP do
 * not end wall itself, so that `timeout -k` still finds and kills a command
 * that ignores them rather than leaving it orphaned; they reach the command
 * through its process group as usual.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void ignore(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = ignore };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (argc < 3) {
		fprintf(stderr, "usage: wall FILE CMD [ARGS...]\n");
		return 2;
	}
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("wall: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "wall: exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("wall: waitpid");
			return 127;
		}
	long long dt = now_ns() - t0;
	FILE *f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%lld\n", dt) < 0 || fclose(f) != 0) {
		fprintf(stderr, "wall: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
