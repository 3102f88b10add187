/* Shared between the symbols_*.c files. */
#ifndef LATCH_SYMBOLS_PRIV_H
#define LATCH_SYMBOLS_PRIV_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "probe.h"

/* What identifies the process's executable among its modules. */
struct exe_id {
	char *path;          /* /proc/PID/exe's target (malloc'd), or NULL */
	struct stat st;
	bool has_st;
};

struct mod_entry {
	Dwfl_Module *mod;
	const char *path;    /* as mapped; owned by libdwfl */
	bool is_main;
	bool hidden;         /* the dynamic linker or the vdso: never probed */
	int nsyms;           /* symbol table entries; <= 0 when stripped */
};

struct mod_list {
	struct mod_entry *v;
	size_t n, cap;
};

void sym_exe_read(pid_t pid, struct exe_id *exe);
/* The modules reported in dwfl, classified; 0 or -ENOMEM. Free l->v. */
int sym_list_modules(Dwfl *dwfl, const struct exe_id *exe,
		     struct mod_list *l);

/* A defined function symbol of a module. */
struct sym_fn {
	const char *name;    /* owned by libdwfl */
	uint64_t addr;       /* run-time address */
	bool local;
};

bool sym_function(Dwfl_Module *mod, int ndx, struct sym_fn *out);

/* Write the -ENOENT message for a spec that selected modules but matched
 * no function in them, with close names as suggestions. 0 or -ENOMEM. */
int sym_no_function(const struct mod_entry *mods, size_t nmods,
		    const struct probe_spec *spec, char *err, size_t errlen);

/* Write the message for a LIB glob that selects no module. */
void sym_no_module(const struct mod_entry *mods, size_t nmods,
		   const struct probe_spec *spec, char *err, size_t errlen);

#endif
