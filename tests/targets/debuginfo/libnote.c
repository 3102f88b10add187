/* A shared library shipped without debug information, for the note that
 * says where it would come from (tests/e2e/debuginfo.py). */
__attribute__((noinline)) int dn_twice(int v)
{
	return 2 * v;
}
