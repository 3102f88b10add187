/* Target of the debug-information tests (tests/e2e/debuginfo.py): one
 * function with a typed signature, called three times, built and then
 * stripped in the ways systems ship binaries. Prints "pid N" first. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) int di_add(int a, const char *s)
{
	return a + (int)strlen(s);
}

__attribute__((noinline)) long di_scale(long v, unsigned char k)
{
	return v * k;
}

int main(void)
{
	long sum = 0;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		sum += di_add(i, "hello") + di_scale(i, 2);
	printf("sum %ld\n", sum);
	return 0;
}
