/* Shared between the symbols_*.c files. */
#ifndef LATCH_SYMBOLS_PRIV_H
#define LATCH_SYMBOLS_PRIV_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "core/event.h"
#include "symbols/demangle.h"
#include "symbols/symbols.h"
#include "util/hashmap.h"
#include "dwarf/index.h"
#include "probe/probe.h"

struct func_info;

/* What identifies the process's executable among its modules. */
struct exe_id {
	char *path;          /* /proc/PID/exe's target (malloc'd), or NULL */
	struct stat st;
	bool has_st;
};

/* A symbol's C++ names, demangled when first asked for. */
struct sym_cxx {
	struct cxx_name n;   /* both NULL for a C name */
	bool done;
};

struct mod_entry {
	Dwfl_Module *mod;
	const char *name;    /* as /proc/PID/maps names it; owned by libdwfl */
	uint64_t start;      /* where its first mapping starts */
	const char *path;    /* as the process sees it (sym_files_shown) */
	char *owned;         /* path, when it is not part of name */
	bool is_main;
	bool hidden;         /* the dynamic linker or the vdso: never probed */
	bool fresh;          /* loaded since the last resolve (symbols/symtab.c) */
	int nsyms;           /* symbol table entries; <= 0 when stripped */
	struct sym_cxx *cxx; /* nsyms entries, or NULL until needed */
};

struct mod_list {
	struct mod_entry *v;
	size_t n, cap;
};

/* The zero-filled ends of the modules' data segments (symbols/bss.c). */
struct bss_range {
	uint64_t lo, hi;
	Dwfl_Module *mod;
};

struct bss_table {
	struct bss_range *v;
	size_t n;
	bool known;          /* listed (on the first lookup that needs it) */
};


/* The module holding addr, in its .bss too; NULL when none does. */
Dwfl_Module *sym_module_at(Dwfl *dwfl, struct bss_table *t, uint64_t addr);
void sym_bss_free(struct bss_table *t);

/* A file mapping of the process, from /proc/PID/maps. */
struct sym_map {
	uint64_t start, end;
	dev_t dev;
	ino_t ino;
	char *path;          /* as the kernel names it, " (deleted)" included */
};

/* Where the files of a process's modules are (symbols/files.c). */
struct sym_files {
	pid_t pid;
	bool other_root;     /* its / is not latch's: a chroot or a container */
	char root[40];       /* "/proc/PID/root" */
	char *root_path;     /* its / in latch's tree (a chroot), or NULL */
	size_t root_len;
	/* its / and latch's, where every file it names is opened
	 * (util/rootfs.h); -1 when unreadable */
	int root_fd, host_fd;
	/* the debug search path (debuginfo_search_path), borrowed */
	const char *debug_path;
	struct sym_map *maps;
	size_t nmaps;
};

/* 0 or -ENOMEM; release with sym_files_free. */
int sym_files_init(struct sym_files *f, pid_t pid);
void sym_files_free(struct sym_files *f);
/* In place of dwfl_linux_proc_report(dwfl, pid), between
 * dwfl_report_begin (or _begin_add) and dwfl_report_end, with the same
 * result (0, a positive errno or -1): reports the process's modules and
 * lets sym_files_find_elf find their files. */
int sym_files_report(struct sym_files *f, Dwfl *dwfl);
/* Dwfl_Callbacks.find_elf for modules reported by sym_files_report: the
 * file through /proc/PID/root when the process has another root, by its
 * path, or through /proc/PID/map_files (a deleted file, an overlay). */
int sym_files_find_elf(Dwfl_Module *mod, void **userdata, const char *name,
		       Dwarf_Addr base, char **file_name, Elf **elfp);
/* Dwfl_Callbacks.find_debuginfo for the same modules (symbols/debuglink.c):
 * by build-id, .gnu_debuglink and .gnu_debugaltlink, each file opened
 * inside the root it belongs to (rootfs_open); then debuginfod. */
int sym_files_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			     Dwarf_Addr base, const char *file_name,
			     const char *debuglink_file, GElf_Word debuglink_crc,
			     char **debuginfo_file_name);
/* Open the file of the module name whose first mapping is at start, as
 * sym_files_find_elf does: an fd, or -errno. *opened_as (optional) gets
 * the path it was opened by (malloc'd). */
int sym_files_open(struct sym_files *f, const char *name, uint64_t start,
		   char **opened_as);
/* Is that module's file the one st describes? */
bool sym_files_is(struct sym_files *f, const char *name, uint64_t start,
		  const struct stat *st);
/* "/proc/PID/root" when the process's root is not latch's, else NULL:
 * where its own separate debug files are. */
const char *sym_files_debug_root(const struct sym_files *f);
/* A module's path as the process sees it: without a chroot's directory
 * in front, nor the " (deleted)" of a file removed since it was mapped.
 * Points into name, or is *owned (malloc'd; NULL when out of memory). */
const char *sym_files_shown(const struct sym_files *f, const char *name,
			    char **owned);

void sym_exe_read(pid_t pid, struct exe_id *exe);
/* The modules reported in dwfl, classified; 0 or -ENOMEM. Release with
 * sym_free_modules. */
int sym_list_modules(Dwfl *dwfl, const struct exe_id *exe,
		     struct sym_files *files, struct mod_list *l);
void sym_free_modules(struct mod_list *l);

/* A defined function symbol of a module. */
struct sym_fn {
	const char *name;    /* owned by libdwfl */
	uint64_t addr;       /* run-time address */
	uint64_t size;
	bool local;
	bool ifunc;          /* STT_GNU_IFUNC: addr is its resolver's */
	uint64_t resolver;   /* after sym_ifunc_target: the resolver */
};

bool sym_function(Dwfl_Module *mod, int ndx, struct sym_fn *out);

/* symbols/sites.c: a site found for a spec, at addr inside function f
 * (symbol ndx of m); 0 or -errno. */
typedef int (*site_found_fn)(void *ctx, struct mod_entry *m, int ndx,
			     const struct sym_fn *f, uint64_t addr);
/* The sites a PROBE_LINE spec, or a PROBE_ADDR one without a function
 * glob, names in m: for a line, the lowest address of each function where
 * its code is (or that of the next line with code, *line then says which;
 * *file_seen is set if the file has code in m); for an address, that one.
 * How many, or -errno. */
int sym_find_sites(struct mod_entry *m, const struct probe_spec *spec,
		   unsigned *line, bool *file_seen, site_found_fn found, void *ctx);
/* funcs[i], of module mods[i], without DWARF at its address: the
 * prototype a declaration of its name elsewhere in the module gives
 * (symbols/declared.c). 0 or -ENOMEM. */
int sym_fill_declared(struct mod_entry **mods, struct func_info **funcs, size_t n);
struct symtab;
struct mod_list;
/* An IFUNC f of m, one of mods: point f at the implementation the
 * process's dynamic linker chose (symbols/ifunc.c), keeping the
 * resolver; 0, -ENOENT when the choice is not to be found, or -errno. */
int sym_ifunc_target(const struct symtab *st, const struct mod_list *mods,
		     struct mod_entry *m, struct sym_fn *f);

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

/* Write the message for a module selected by a probe that has no
 * function symbols at all (stripped). */
void sym_no_symbols(const struct mod_entry *m, const char *search_path, char *err,
		    size_t errlen);

/* Write the note for a LIB glob that selects no module yet, with the
 * modules loaded, for a typo to show. */
void sym_no_module(const struct mod_entry *mods, size_t nmods,
		   const struct probe_spec *spec, char *err, size_t errlen);

/* A module as libdwfl tells it apart from others. */
struct known_mod {
	char *name;
	uint64_t lo, hi;
};

struct func_batch {
	struct func_info **funcs;
	size_t n;
	struct func_batch *next;
};

/* A process's modules (symbols/symtab.c; symbols/reload.c follows their
 * changes). */
/* symbols/addrs.c: symbols by address, a table per module. */
struct sym_addrs {
	struct hashmap mods;    /* Dwfl_Module pointer -> its table */
};
/* The sized symbol of mod holding addr (the innermost; a global before
 * its aliases), and addr's offset in it: 0, -ENOENT, -ENOMEM. */
int sym_addr_name(struct sym_addrs *ix, Dwfl_Module *mod, uint64_t addr,
		  const char **name, uint64_t *off);
/* Forget every table: modules may be gone. */
void sym_addrs_clear(struct sym_addrs *ix);

struct symtab {
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;  /* libdwfl keeps pointers to both */
	char *debuginfo_path;
	struct exe_id exe;
	struct sym_files files;
	struct func_batch *batches;  /* every resolve's results, until close */
	/* the modules whose probes were resolved, as libdwfl tells them
	 * apart: those not among them are new (loaded since) */
	struct known_mod *known;
	size_t nknown;
	void (*notify)(const char *msg);
	Dwfl_Module **noted;    /* modules already noted as lacking DWARF */
	size_t nnoted;
	void *attachment;
	void (*release)(void *);
	struct bss_table bss;
	struct dw_index dwarf;      /* subprograms by unit, for resolving */
	struct sym_addrs addrs;     /* symbols by address, for naming pointers */
};

void sym_free_funcs(struct func_info **funcs, size_t n);
/* (Re)read the process's modules into st->dwfl: 0 or -errno (-ESRCH:
 * the process is gone). */
int sym_report(struct symtab *st);
/* Which modules of mods are new since the last resolve (symbols/reload.c);
 * remember the new ones as resolved (0 or -ENOMEM); forget them all. */
void sym_mark_fresh(struct symtab *st, struct mod_list *mods);
int sym_remember(struct symtab *st, const struct mod_list *mods);
void sym_forget_known(struct symtab *st);

/* Stacks: shared by stack.c (unwinding) and stack_syms.c (naming frames). */
/* A pc found by unwinding, before it is named. */
struct raw_frame {
	uint64_t pc;
	bool activation;       /* interrupted there (signal), not a return address */
};

/* What the pcs seen so far show, for the life of a symtab: symbol and
 * line lookups cost more than unwinding, and the same call sites come
 * back call after call. Zeroed to start. */
struct frame_syms {
	struct hashmap map;    /* pc (| activation bit) -> private entry */
};

/* The frames v[0..n) as events carry them, into *out (NULL for n = 0).
 * 0 or -ENOMEM. */
int frame_syms_resolve(struct frame_syms *c, struct symtab *st,
		       const struct raw_frame *v, unsigned n,
		       struct stack_frame **out);
void frame_syms_free(struct frame_syms *c);

#endif
