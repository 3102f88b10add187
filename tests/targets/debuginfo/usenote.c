/* Calls into libnote.so (tests/e2e/debuginfo.py). Prints "pid N" first. */
#include <stdio.h>
#include <unistd.h>

int dn_twice(int v);

__attribute__((noinline)) int un_local(int v)
{
	return v + 1;
}

int main(void)
{
	int sum = 0;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		sum += dn_twice(i) + un_local(i);
	printf("sum %d\n", sum);
	return 0;
}
