/* declared: dc_add is defined in declared_impl.c, built without -g, so
 * the DWARF at its address is none; this unit, built with -g, declares
 * its prototype (the case of glibc's assembly system call stubs, whose
 * callers' units declare them). dc_double has a second name, dc_twice,
 * that no unit declares. Prints "pid N", then "call dc_add a=A b=B -> R"
 * for (2, 3) and (40, 2), and "call dc_double x=21 -> 42"; exits 0. */
#include "common.h"

int dc_add(int a, int b);
int dc_double(int x);

int main(void)
{
	t_print_pid(stdout);
	printf("call dc_add a=2 b=3 -> %d\n", dc_add(2, 3));
	printf("call dc_add a=40 b=2 -> %d\n", dc_add(40, 2));
	printf("call dc_double x=21 -> %d\n", dc_double(21));
	return 0;
}
