/* bench/qos.c: run a command while holding a PM QoS CPU latency request of 0.
 *
 *   qos CMD [ARGS...]
 *
 * Opens /dev/cpu_dma_latency, writes 0 and keeps the file open while CMD
 * runs, which keeps every CPU out of idle states with a wake-up latency
 * (HLT in a VM, C-states on metal); the request ends when this process
 * exits. Needs root. Exits with CMD's status, or 125 if the request could not
 * be made (the reason on stderr), so the benchmark can say why it skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: qos CMD [ARGS...]\n");
		return 2;
	}
	int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	int32_t zero = 0;
	if (fd < 0 || write(fd, &zero, sizeof zero) != (ssize_t)sizeof zero) {
		fprintf(stderr, "qos: /dev/cpu_dma_latency: %s\n", strerror(errno));
		return 125;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("qos: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "qos: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
