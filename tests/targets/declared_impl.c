/* declared's dc_add, built without -g (see declared.c). */
__attribute__((noinline)) int dc_add(int a, int b)
{
	return a + b;
}
