/* Shared between the symbols_*.c files. */
#ifndef LATCH_SYMBOLS_PRIV_H
#define LATCH_SYMBOLS_PRIV_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "demangle.h"
#include "probe.h"

struct func_info;

/* What identifies the process's executable among its modules. */
struct exe_id {
	char *path;          /* /proc/PID/exe's target (malloc'd), or NULL */
	struct stat st;
	bool has_st;
};

/* The zero-filled ends of the modules' data segments (symbols_bss.c). */
struct bss_range {
	uint64_t lo, hi;
	Dwfl_Module *mod;
};

struct bss_table {
	struct bss_range *v;
	size_t n;
	bool known;          /* listed (on the first lookup that needs it) */
};

struct func_batch {
	struct func_info **funcs;
	size_t n;
	struct func_batch *next;
};

/* A process's modules (symbols.c; symbols_reload.c follows their
 * changes). */
struct symtab {
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;  /* libdwfl keeps pointers to both */
	char *debuginfo_path;
	struct exe_id exe;
	struct func_batch *batches;  /* every resolve's results, until close */
	uintptr_t next_id;      /* of modules resolved (mod_entry.ud) */
	void (*notify)(const char *msg);
	Dwfl_Module **noted;    /* modules already noted as lacking DWARF */
	size_t nnoted;
	void *attachment;
	void (*release)(void *);
	struct bss_table bss;
};

void sym_free_funcs(struct func_info **funcs, size_t n);

/* A symbol's C++ names, demangled when first asked for. */
struct sym_cxx {
	struct cxx_name n;   /* both NULL for a C name */
	bool done;
};

struct mod_entry {
	Dwfl_Module *mod;
	void **ud;           /* libdwfl's user data slot: a module's id, once
			      * its probes were resolved; NULL before */
	bool fresh;          /* not resolved yet (loaded since) */
	const char *path;    /* as mapped; owned by libdwfl */
	bool is_main;
	bool hidden;         /* the dynamic linker or the vdso: never probed */
	int nsyms;           /* symbol table entries; <= 0 when stripped */
	struct sym_cxx *cxx; /* nsyms entries, or NULL until needed */
};

struct mod_list {
	struct mod_entry *v;
	size_t n, cap;
};

/* The module holding addr, in its .bss too; NULL when none does. */
Dwfl_Module *sym_module_at(Dwfl *dwfl, struct bss_table *t, uint64_t addr);
void sym_bss_free(struct bss_table *t);

void sym_exe_read(pid_t pid, struct exe_id *exe);
/* The modules reported in dwfl, classified; 0 or -ENOMEM. Release with
 * sym_free_modules. */
int sym_list_modules(Dwfl *dwfl, const struct exe_id *exe,
		     struct mod_list *l);
void sym_free_modules(struct mod_list *l);

/* A defined function symbol of a module. */
struct sym_fn {
	const char *name;    /* owned by libdwfl */
	uint64_t addr;       /* run-time address */
	bool local;
};

bool sym_function(Dwfl_Module *mod, int ndx, struct sym_fn *out);

/* The C++ names of symbol ndx (f, from sym_function) of m: 0 with *out
 * NULL for a C name, or -ENOMEM. Valid until sym_free_modules. */
int sym_cxx_name(struct mod_entry *m, int ndx, const struct sym_fn *f,
		 const struct cxx_name **out);

/* Does glob select f (symbol ndx of m)? By its symbol name, that name
 * without an "@VERSION", or a C++ function's demangled name with or
 * without its parameters or template arguments, from any scope down
 * when glob has "::".
 * 1, 0 or -ENOMEM. */
int sym_matches(const char *glob, struct mod_entry *m, int ndx,
		const struct sym_fn *f);

/* What follows the first "::" of a C++ name outside brackets ("ns::A<x::y>::f"
 * -> "A<x::y>::f"), or NULL. */
const char *sym_next_scope(const char *name);

/* The name f is shown by: demangled for C++ (malloc'd; NULL when out of
 * memory). */
char *sym_display_name(struct mod_entry *m, int ndx, const struct sym_fn *f);

/* Write the -ENOENT message for a spec that selected modules but matched
 * no function in them, with close names as suggestions. 0 or -ENOMEM. */
int sym_no_function(struct mod_entry *mods, size_t nmods,
		    const struct probe_spec *spec, char *err, size_t errlen);

/* Write the note for a LIB glob that selects no module yet, with the
 * modules loaded, for a typo to show. */
void sym_no_module(const struct mod_entry *mods, size_t nmods,
		   const struct probe_spec *spec, char *err, size_t errlen);

#endif
