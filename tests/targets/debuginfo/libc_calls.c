/* Calls libc's open and malloc with known arguments, for the test of
 * libc's separate debug information (tests/e2e/debuginfo.py). Prints
 * "pid N" first; with "-w FILE", waits for FILE to exist before the
 * calls. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;
	void *p;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	if (argc > 2 && !strcmp(argv[1], "-w"))
		while (access(argv[2], F_OK) != 0)
			usleep(10000);
	fd = open("/etc/hosts", O_RDONLY);
	p = malloc(4096);
	printf("open %s, malloc %s\n", fd >= 0 ? "ok" : "failed", p ? "ok" : "failed");
	free(p);
	if (fd >= 0)
		close(fd);
	return 0;
}
