/* Functions of a process, found through ELF symbols and DWARF (libdwfl). */
#ifndef LATCH_SYMBOLS_H
#define LATCH_SYMBOLS_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "arch.h"
#include "probe.h"

struct param_info {
	char *name;              /* DWARF name, or "argN" (1-based) */
	bool has_type;
	Dwarf_Die type;          /* valid while the symtab is open */
	struct abi_type abi;
};

struct func_info {
	char *name;              /* symbol name, as matched and displayed */
	char *module;            /* path of the module's file */
	uint64_t addr;           /* run-time entry address (load bias applied) */
	bool has_dwarf;          /* params/ret come from DWARF */
	bool variadic;
	bool clone;              /* .isra/.constprop/.part: real signature
				  * differs from the source, args untrusted */
	unsigned nparams;
	struct param_info *params;
	bool has_ret;            /* false for void */
	bool ret_has_type;
	Dwarf_Die ret_type;
	struct abi_type ret_abi;
	char *signature;         /* "int parse(const char *s, int n)" */
};

struct symtab;

/* Report the modules mapped in PID (from /proc/PID/maps). 0 or -errno. */
int symtab_open(pid_t pid, struct symtab **out);
void symtab_close(struct symtab *st);

/* Resolve specs to functions. 0 on success with at least one function per
 * spec; otherwise -ENOENT (a spec matched nothing, err says which and
 * suggests close names), -ENOEXEC (a matching module has no symbols) or
 * another -errno, with a one-line message in err. Results are owned by
 * the symtab and stay valid until symtab_close. Functions that several
 * specs or aliases name appear once. */
int symtab_resolve(struct symtab *st, const struct probe_spec *specs,
		   size_t nspecs, struct func_info ***funcs, size_t *nfuncs,
		   char *err, size_t errlen);

/* Name of the function containing addr ("main+0x1c"), for messages; 0 or
 * -ENOENT. */
int symtab_describe(struct symtab *st, uint64_t addr, char *buf, size_t len);

#endif
