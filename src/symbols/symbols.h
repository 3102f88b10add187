/* Symbols: the functions of a process, found through ELF symbols and
 * DWARF (libdwfl), from the files of its modules opened inside its root
 * (files.c), their separate debug files (debuglink.c, debuginfo.c), names
 * demangled (demangle.c) and matched to probe specs (names.c, suggest.c
 * for near misses); modules loaded later (reload.c); and callers' stacks
 * (stack.h). */
#ifndef LATCH_SYMBOLS_H
#define LATCH_SYMBOLS_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "dwarf/func.h"
#include "probe/probe.h"

struct symtab;
/* Functions that outlive their symtab (symtab_retire). */
struct func_batch;

/* Report the modules mapped in PID (from /proc/PID/maps). 0 or -errno.
 * DWARF comes from each file, or from a separate debug file found by
 * build-id or .gnu_debuglink next to it, in its .debug/ or under the
 * directories of $LATCH_DEBUG_DIRS (default /usr/lib/debug), or from
 * debuginfod when DEBUGINFOD_URLS is set; split DWARF from .dwo files. */
int symtab_open(pid_t pid, struct symtab **out);
void symtab_close(struct symtab *st);
/* Close st but keep the functions it resolved, by name and module only
 * (no DWARF), for events that still point at them; they join *kept,
 * which symtab_free_retired frees. */
void symtab_retire(struct symtab *st, struct func_batch **kept);
void symtab_free_retired(struct func_batch *kept);

/* Read the process's modules again after its dynamic linker changed
 * them: those loaded since become new (for symtab_resolve_new and
 * symtab_find_symbols); of each resolved one now gone, gone(ctx, lo, hi)
 * is told the address range. 0 or -errno (-ESRCH: the process is gone). */
int symtab_refresh(struct symtab *st,
		   void (*gone)(void *ctx, uint64_t lo, uint64_t hi), void *ctx);

/* Where one-line notes for the user go (no "latch: " prefix; NULL: none).
 * symtab_resolve gives one per module whose functions it found but which
 * has no debug information, naming where it could come from. */
void symtab_set_notify(struct symtab *st, void (*notify)(const char *msg));

/* Resolve specs to functions: a glob selects a function by its symbol
 * name, or for C++ by its demangled name with or without the parameter
 * list ("ns::fn", "ns::fn(int)"), where a glob with "::" may start at any
 * scope ("Parser::*" selects "ns::Parser::parse"). 0 on success with at
 * least one function per spec; otherwise -ENOENT (a spec matched nothing,
 * err says which and suggests close names), -ENOEXEC (a matching module
 * has no symbols) or another -errno, with a one-line message in err.
 * With some (a program started by exec), a spec that matches nothing is
 * left out, and only none matching anything is such an error.
 * Results are owned by the symtab and stay valid until symtab_close.
 * Functions that several specs or aliases name appear once. */
int symtab_resolve(struct symtab *st, const struct probe_spec *specs,
		   size_t nspecs, bool some, struct func_info ***funcs, size_t *nfuncs,
		   char *err, size_t errlen);

/* symtab_resolve for the modules that are new since the last resolve:
 * the functions they add, possibly none; never an error for a spec that
 * matches nothing. 0 or -ENOMEM. */
int symtab_resolve_new(struct symtab *st, const struct probe_spec *specs,
		       size_t nspecs, struct func_info ***funcs, size_t *nfuncs);

/* Call found(ctx, i, addr) for each definition of names[i] in a module
 * (the dynamic linker's too), only in new modules when new_only. 0 or
 * -ENOMEM. */
int symtab_find_symbols(struct symtab *st, const char *const *names, size_t n,
			bool new_only,
			void (*found)(void *ctx, size_t i, uint64_t addr), void *ctx);

/* Name of the function containing addr ("main+0x1c"), for messages; 0 or
 * -ENOENT. */
int symtab_describe(struct symtab *st, uint64_t addr, char *buf, size_t len);
/* The same for the function containing look, with the offset counted to
 * shown: a return address (shown) is described by its call (look =
 * shown - 1), which may be the last instruction of its function. */
int symtab_describe_at(struct symtab *st, uint64_t look, uint64_t shown,
		       char *buf, size_t len);
/* The source file and line of addr from DWARF line information; *file
 * stays valid while the symtab is open. 0 or -ENOENT. */
int symtab_source_line(struct symtab *st, uint64_t addr, const char **file,
		       unsigned *line);

/* The process's Dwfl, for libdwfl's unwinder (symbols/stack.c). */
Dwfl *symtab_dwfl(struct symtab *st);
/* State another module keeps with the symtab (the unwinder, which libdwfl
 * lets attach once per Dwfl): NULL until set; symtab_close calls release
 * on it once libdwfl is done with it. */
void *symtab_attachment(struct symtab *st);
void symtab_attach(struct symtab *st, void *p, void (*release)(void *));

#endif
