/* GNU indirect functions (STT_GNU_IFUNC): glibc's strlen, memcpy and
 * friends name a resolver, which the dynamic linker ran at start to pick
 * an implementation (__strlen_avx2, ...) for this CPU. The module's own
 * IRELATIVE relocations hold the choice: each one's addend is a resolver,
 * and the slot it relocated now holds what that resolver returned. */
#include <elf.h>
#include <errno.h>
#include "symbols/priv.h"
#include "util/mem.h"

/* The IRELATIVE relocation type of the module's machine; 0: unknown. */
static unsigned irelative_type(Elf *elf)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return 0;
	switch (eh.e_machine) {
	case EM_X86_64: return R_X86_64_IRELATIVE;
	case EM_AARCH64: return R_AARCH64_IRELATIVE;
	}
	return 0;
}

/* The run-time address of the slot an IRELATIVE relocation with addend
 * resolver (a file address) relocated: 0, or -ENOENT when there is none. */
static int irelative_slot(Dwfl_Module *mod, GElf_Addr resolver, uint64_t *slot)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	unsigned type = elf ? irelative_type(elf) : 0;

	if (!type)
		return -ENOENT;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;

			if (!gelf_getrela(d, (int)i, &r) || GELF_R_TYPE(r.r_info) != type ||
			    (GElf_Addr)r.r_addend != resolver)
				continue;
			*slot = r.r_offset + bias;
			return 0;
		}
	}
	return -ENOENT;
}

int sym_ifunc_target(const struct symtab *st, struct mod_entry *m, struct sym_fn *f)
{
	Dwarf_Addr start, end, bias;
	struct mem mem;
	uint64_t slot, impl = 0;
	int rc;

	dwfl_module_info(m->mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
	if (!dwfl_module_getelf(m->mod, &bias))
		return -ENOENT;
	rc = irelative_slot(m->mod, f->addr - bias, &slot);
	if (rc)
		return rc;
	rc = mem_open(&mem, st->files.pid);
	if (rc)
		return rc;
	if (mem_read(&mem, slot, &impl, sizeof(impl)) != sizeof(impl))
		rc = -EFAULT;
	mem_close(&mem);
	/* not relocated yet, or pointing out of the module: no choice made */
	if (!rc && (impl == f->addr || impl < start || impl >= end))
		rc = -ENOENT;
	if (rc)
		return rc;
	f->resolver = f->addr;
	f->addr = impl;
	return 0;
}
