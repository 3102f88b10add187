/* plug: a plugin for plughost, built twice from this one source:
 *   -DNAME=a -DK=1 -> libplug_a.so    plug_a_run(i) = 3 * i + 1
 *   -DNAME=b -DK=2 -> libplug_b.so    plug_b_run(i) = 5 * i + 2
 * The two differ only in a constant and one letter of each name, so their
 * layouts are identical: loaded one after the other's dlclose, plug_b_run
 * lands where plug_a_run was (plughost prints both addresses).
 *
 * Its constructor calls plug_NAME_run(-1) and keeps the result in
 * plug_NAME_ctor_result: a tracer that handles the module before its
 * constructors run (issue 7) reports that call too.
 */
#include "common.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(suffix) CAT(CAT(plug_, NAME), suffix)

TRACED int FN(_run)(int i)
{
	return i * (2 * K + 1) + K;
}

int FN(_ctor_result);

__attribute__((constructor)) static void on_load(void)
{
	FN(_ctor_result) = FN(_run)(-1);
}
