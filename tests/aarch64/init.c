/* /init for the arm64 test guest: mount the usual file systems, bring up
 * the loopback interface (the OTLP tests' receiver listens on 127.0.0.1;
 * the kernel gives "lo" that address when it comes up), run every
 * command listed in /tests.list (one per line, words split on blanks, lines
 * starting with '#' ignored), print their output on the console, then
 * "GUEST-RESULT: N passed, M failed" and power off.
 *
 * Leading NAME=VALUE words of a line are set in that command's environment
 * (as in sh), except TEST_TIMEOUT=SECONDS, which replaces the per-command
 * limit. A test passes when it exits with status 0 within TEST_TIMEOUT
 * seconds (default below).
 * Built static for aarch64 by tests/aarch64/guest.sh. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_TIMEOUT 120
#define MAX_ARGS 64

static void do_mount(const char *src, const char *dir, const char *type,
		     const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, opts) != 0)
		printf("init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static void loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		printf("init: socket: %s\n", strerror(errno));
		return;
	}
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		printf("init: lo: SIOCGIFFLAGS: %s\n", strerror(errno));
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			printf("init: lo: SIOCSIFFLAGS: %s\n", strerror(errno));
	}
	close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Run one command; returns 1 if it passed. */
static int run(char *line)
{
	char *argv[MAX_ARGS + 1], *envs[MAX_ARGS], cmd[4096];
	int argc = 0, nenv = 0, status, limit = TEST_TIMEOUT;
	char *save = NULL;
	double t0 = now();
	pid_t pid, w;

	snprintf(cmd, sizeof cmd, "%s", line);
	for (char *tok = strtok_r(line, " \t", &save); tok && argc + nenv < MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (argc == 0 && strchr(tok, '=') && tok[0] != '/' && tok[0] != '=') {
			if (strncmp(tok, "TEST_TIMEOUT=", 13) == 0)
				limit = atoi(tok + 13) > 0 ? atoi(tok + 13) : TEST_TIMEOUT;
			else
				envs[nenv++] = tok;
			continue;
		}
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	if (argc == 0)
		return -1;
	printf("=== RUN %s\n", cmd);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("init: fork: %s\n", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		setpgid(0, 0);
		for (int i = 0; i < nenv; i++)
			putenv(envs[i]);
		execv(argv[0], argv);
		printf("init: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	timed_out = 0;
	alarm(limit);
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
		if (timed_out) {
			printf("init: %s: timed out after %d s, killing\n",
			       argv[0], limit);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	/* Reap anything the test left behind in its process group. */
	kill(-pid, SIGKILL);
	int ok = w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (w != pid)
		printf("=== FAIL %s (waitpid: %s)\n", argv[0], strerror(errno));
	else if (WIFSIGNALED(status))
		printf("=== FAIL %s (signal %d) %.2fs\n", argv[0],
		       WTERMSIG(status), now() - t0);
	else
		printf("=== %s %s (exit %d) %.2fs\n", ok ? "PASS" : "FAIL",
		       argv[0], WEXITSTATUS(status), now() - t0);
	fflush(stdout);
	return ok;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char line[4096];
	int passed = 0, failed = 0;
	FILE *list;

	do_mount("proc", "/proc", "proc", NULL);
	do_mount("sysfs", "/sys", "sysfs", NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", NULL);
	do_mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
	/* The kernel opened /dev/console for us if the initramfs has it;
	 * reopen it now that devtmpfs is mounted, in case it did not. */
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	loopback_up();
	sigaction(SIGALRM, &sa, NULL);
	setenv("PATH", "/bin:/usr/bin", 1);
	setenv("TMPDIR", "/tmp", 1);
	printf("init: up after %.2f s of uptime\n", now());
	/* Say which CPU features (paca, bti, ...) the tests run with. */
	list = fopen("/proc/cpuinfo", "r");
	while (list && fgets(line, sizeof line, list)) {
		if (strncmp(line, "Features", 8) == 0) {
			printf("init: cpu %s", line);
			break;
		}
	}
	if (list)
		fclose(list);

	list = fopen("/tests.list", "r");
	if (!list) {
		printf("init: /tests.list: %s\n", strerror(errno));
		failed++;
	}
	while (list && fgets(line, sizeof line, list)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		int r = run(line);

		if (r > 0)
			passed++;
		else if (r == 0)
			failed++;
	}
	if (list)
		fclose(list);
	printf("GUEST-RESULT: %d passed, %d failed\n", passed, failed);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	/* PID 1 must not exit (that panics); if power-off failed, say so. */
	printf("init: reboot: %s\n", strerror(errno));
	for (;;)
		pause();
}
