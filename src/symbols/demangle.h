/* C++ symbol names as people write them. */
#ifndef LATCH_DEMANGLE_H
#define LATCH_DEMANGLE_H

#include <stdbool.h>

/* The readable forms of a mangled name:
 *   display  "ns::Parser::parse", without return type or parameters, with
 *            a compiler clone's suffix kept ("ns::fn.isra.0");
 *   full     "ns::Parser::parse(char const*,int) const", as matched by
 *            globs that give the parameters: without the spaces that a
 *            probe cannot hold, but between two words;
 *   bare     display without template arguments ("ns::Box::get" for
 *            "ns::Box<int>::get"), as matched by globs that give none;
 *            NULL when the same as display. */
struct cxx_name {
	char *display;
	char *full;
	char *bare;
	bool generated;   /* a thunk or other code the compiler made around a
			   * function: "non-virtual thunk to ns::f" */
};

/* 0 and the forms of a mangled C++ symbol; -EINVAL when sym is not one
 * (a C name, or no demangler on this system); -ENOMEM. */
int demangle_symbol(const char *sym, struct cxx_name *out);

/* Split what the demangler printed ("int ns::f<int>(int) [clone .isra.0]")
 * into the forms. 0, -EINVAL when it is not a function's name, or
 * -ENOMEM. Separate from demangle_symbol for the tests. */
int demangle_split(const char *demangled, struct cxx_name *out);

void cxx_name_free(struct cxx_name *n);

/* The C++ runtime's __cxa_demangle of a mangled name: a malloc'ed string,
 * or NULL with *status -1 (out of memory) or another negative value (not
 * a name it knows, or no demangler). The Makefile links one of two:
 * symbols/demangle_dl.c, which loads libstdc++'s at run time (latch links no C++
 * runtime), or symbols/demangle_linked.c, which has it linked in (latch-static,
 * which cannot load libraries). */
char *cxa_demangle(const char *mangled, int *status);

#endif
