/* declared's dc_add, built without -g (see declared.c). */
__attribute__((noinline)) int dc_add(int a, int b)
{
	return a + b;
}

/* dc_twice is another name of dc_double, as glibc's getpid is of
 * __getpid: only dc_double is declared where it is called. */
__attribute__((noinline)) int dc_double(int x)
{
	return 2 * x;
}
extern int dc_twice(int x) __attribute__((alias("dc_double")));
