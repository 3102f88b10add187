/* Which module an address is in, .bss included. /proc/PID/maps shows the
 * zero-filled end of a data segment, past its last page from the file,
 * as anonymous memory, so libdwfl puts it in no module and a pointer to
 * a global there would go unnamed. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include "symbols/priv.h"

static int add_range(struct bss_table *t, Dwfl_Module *mod, uint64_t lo, uint64_t hi)
{
	struct bss_range *v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->v = v;
	t->v[t->n++] = (struct bss_range){ lo, hi, mod };
	return 0;
}

static int collect(Dwfl_Module *mod, void **userdata, const char *name,
		   Dwarf_Addr start, void *arg)
{
	struct bss_table *t = arg;
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t n;

	(void)userdata;
	(void)name;
	(void)start;
	if (!elf || elf_getphdrnum(elf, &n) != 0)
		return DWARF_CB_OK;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    ph.p_memsz <= ph.p_filesz)
			continue;
		if (add_range(t, mod, bias + ph.p_vaddr + ph.p_filesz,
			      bias + ph.p_vaddr + ph.p_memsz))
			return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

Dwfl_Module *sym_module_at(Dwfl *dwfl, struct bss_table *t, uint64_t addr)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);

	if (mod)
		return mod;
	/* the modules do not change while the symtab is open: list their
	 * .bss once, on the first address that is in none */
	if (!t->known) {
		t->known = true;
		dwfl_getmodules(dwfl, collect, t, 0);
	}
	for (size_t i = 0; i < t->n; i++)
		if (addr >= t->v[i].lo && addr < t->v[i].hi)
			return t->v[i].mod;
	return NULL;
}

void sym_bss_free(struct bss_table *t)
{
	free(t->v);
	*t = (struct bss_table){ 0 };
}
