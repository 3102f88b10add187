/* The demangler of the dynamically linked latch: latch is C and links no
 * C++ runtime, but a target with C++ code has libstdc++ on the system, so
 * its __cxa_demangle is loaded on first use. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include "symbols/demangle.h"

typedef char *cxa_demangle_fn(const char *mangled, char *buf, size_t *len,
			      int *status);

static cxa_demangle_fn *demangler(void)
{
	static cxa_demangle_fn *fn;
	static bool tried;
	void *h;

	/* latch is single-threaded: no once-guard needed */
	if (tried)
		return fn;
	tried = true;
	*(void **)&fn = dlsym(RTLD_DEFAULT, "__cxa_demangle");
	if (fn)
		return fn;
	h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (h)
		*(void **)&fn = dlsym(h, "__cxa_demangle");
	return fn;
}

char *cxa_demangle(const char *mangled, int *status)
{
	cxa_demangle_fn *fn = demangler();

	if (!fn) {
		*status = -2;    /* what it says of a name it cannot read */
		return NULL;
	}
	return fn(mangled, NULL, NULL, status);
}
