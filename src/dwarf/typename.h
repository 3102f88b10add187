/* C declarations from DWARF types, for signatures shown to the user. */
#ifndef LATCH_TYPENAME_H
#define LATCH_TYPENAME_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include "dwarf/func.h"

/* "int parse(const char *s, int n)" from fn's params, return type and
 * variadic flag; prototyped says whether "f()" means "f(void)". name is
 * the function name to show. malloc'd or NULL when out of memory. */
char *typename_signature(const struct func_info *fn, const char *name,
			 bool prototyped, bool cxx);

/* C++ member functions (dwarf/typename_cxx.c). Is p compiler-made, as `this`
 * is? */
bool typename_is_artificial(const struct param_info *p);
/* " const", " volatile", " const volatile" or "": what follows the
 * parameter list of a method whose `this` is this_param. */
const char *typename_this_quals(const struct param_info *this_param);
/* Is the demangled name a constructor or destructor ("ns::A<int>::A",
 * "ns::A::~A")? */
bool typename_is_structor(const char *name);

#endif
