/* The modules of a process: which files are mapped, which one is the
 * executable, which are never probed, and their function symbols. */
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbols/debuginfo.h"
#include "symbols/priv.h"

void sym_exe_read(pid_t pid, struct exe_id *exe)
{
	char link[64], buf[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		exe->path = strdup(buf);
	}
	/* stat follows the link even to a deleted or renamed file */
	exe->has_st = stat(link, &exe->st) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Breakpoints in the dynamic linker would fire inside symbol binding and
 * library loading, which latch itself relies on; the vdso is not a file
 * and cannot be patched safely. */
static bool hidden_module(const char *path)
{
	static const char *const ld_globs[] = {
		"ld-linux*", "ld.so*", "ld-[0-9]*.so", "ld64.so*",
	};
	const char *base = base_name(path);

	if (path[0] == '[' || !strncmp(base, "linux-vdso", 10) ||
	    !strncmp(base, "linux-gate", 10))
		return true;
	for (size_t i = 0; i < sizeof(ld_globs) / sizeof(ld_globs[0]); i++)
		if (glob_match(ld_globs[i], base))
			return true;
	return false;
}

/* libdwfl reports every mapped file (locale archives, caches): a file
 * without libdwfl's ELF whose first bytes are not ELF either is data, not
 * a module. A file that can't be opened stays a module, to say so. */
static bool data_file(struct sym_files *files, const struct mod_entry *m)
{
	Dwarf_Addr bias;
	unsigned char magic[SELFMAG];
	int fd;
	bool data;

	if (dwfl_module_getelf(m->mod, &bias))
		return false;
	fd = sym_files_open(files, m->name, m->start, NULL);
	if (fd < 0)
		return false;
	data = read(fd, magic, sizeof(magic)) != (ssize_t)sizeof(magic) ||
	       memcmp(magic, ELFMAG, SELFMAG) != 0;
	close(fd);
	return data;
}

/* By /proc/PID/exe's path, both named by the kernel the same way, or by
 * its file being the one mapped. */
static bool is_main_module(const struct exe_id *exe, struct sym_files *files,
			   const struct mod_entry *m)
{
	if (exe->path && !strcmp(exe->path, m->name))
		return true;
	return exe->has_st && sym_files_is(files, m->name, m->start, &exe->st);
}

static int collect_module(Dwfl_Module *mod, void **ud, const char *name,
			  Dwarf_Addr start, void *arg)
{
	struct mod_list *l = arg;

	(void)ud;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct mod_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return DWARF_CB_ABORT;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct mod_entry){ .mod = mod, .name = name, .start = start,
					    .path = name };
	return DWARF_CB_OK;
}

int sym_list_modules(Dwfl *dwfl, const struct exe_id *exe,
		     struct sym_files *files, struct mod_list *l)
{
	memset(l, 0, sizeof(*l));
	if (dwfl_getmodules(dwfl, collect_module, l, 0) != 0) {
		free(l->v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct mod_entry *m = &l->v[i];

		m->hidden = !m->name || hidden_module(m->name);
		if (m->hidden)
			continue;
		m->path = sym_files_shown(files, m->name, &m->owned);
		if (!m->path) {
			sym_free_modules(l);
			return -ENOMEM;
		}
		m->is_main = is_main_module(exe, files, m);
		m->nsyms = dwfl_module_getsymtab(m->mod);
		if (m->nsyms <= 0 && data_file(files, m))
			m->hidden = true;
	}
	return 0;
}

/* An executable without a program interpreter: nothing is loaded beside
 * it, the C library is inside. */
static bool static_exe(const struct mod_entry *m)
{
	Dwarf_Addr bias;
	Elf *elf = m->is_main ? dwfl_module_getelf(m->mod, &bias) : NULL;
	size_t n;

	if (!elf || elf_getphdrnum(elf, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
			return false;
	}
	return true;
}

void sym_no_symbols(const struct mod_entry *m, const char *search_path, char *err,
		    size_t errlen)
{
	if (err && errlen)
		debuginfo_note_stripped(m->mod, m->path, static_exe(m), search_path, err,
					errlen);
}

void sym_free_modules(struct mod_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct mod_entry *m = &l->v[i];

		for (int k = 0; m->cxx && k < m->nsyms; k++)
			cxx_name_free(&m->cxx[k].n);
		free(m->cxx);
		free(m->owned);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* "f.cold" ("f.cold.3") is the unlikely part of f that GCC moved away:
 * entered by a jump from f's body, never called, so never a probe. */
static bool cold_part(const char *name)
{
	const char *c = strstr(name, ".cold");

	return c && (c[5] == '\0' || c[5] == '.');
}

bool sym_function(Dwfl_Module *mod, int ndx, struct sym_fn *out)
{
	GElf_Sym sym;
	GElf_Addr addr;
	GElf_Word shndx;
	const char *name = dwfl_module_getsym_info(mod, ndx, &sym, &addr,
						   &shndx, NULL, NULL);

	/* STT_GNU_IFUNC symbols name resolvers, not the functions callers
	 * end up in (symbols/ifunc.c finds those); size 0 marks PLT stubs
	 * and assembler labels; "f@VER" names obsolete compatibility
	 * versions, which new code never calls. */
	int type = GELF_ST_TYPE(sym.st_info);

	if (!name || !*name || strchr(name, '@') ||
	    (type != STT_FUNC && type != STT_GNU_IFUNC) || shndx == SHN_UNDEF ||
	    shndx == (GElf_Word)-1 || sym.st_size == 0 || cold_part(name))
		return false;
	*out = (struct sym_fn){
		.name = name,
		.addr = addr,
		.size = sym.st_size,
		.local = GELF_ST_BIND(sym.st_info) == STB_LOCAL,
		.ifunc = type == STT_GNU_IFUNC,
	};
	return true;
}
