#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include "util/latency.h"

int latency_hold(void)
{
	int32_t zero = 0;
	int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, &zero, sizeof(zero)) != (ssize_t)sizeof(zero)) {
		int err = -errno;

		close(fd);
		return err ? err : -EIO;
	}
	return fd;
}

void latency_release(int handle)
{
	if (handle >= 0)
		close(handle);
}
