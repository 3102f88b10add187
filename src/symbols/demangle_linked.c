/* The demangler of latch-static: libstdc++'s, linked in from libstdc++.a,
 * because a static executable cannot load libstdc++.so. */
#include <stddef.h>
#include "symbols/demangle.h"

/* <cxxabi.h> is C++; the function has C linkage. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *cxa_demangle(const char *mangled, int *status)
{
	return __cxa_demangle(mangled, NULL, NULL, status);
}
