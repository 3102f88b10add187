/* GNU indirect functions (STT_GNU_IFUNC): glibc's strlen, memcpy and
 * friends name a resolver, which the dynamic linker ran to pick an
 * implementation (__strlen_avx2, ...) for this CPU. Relocated slots hold
 * the choice: the module's own IRELATIVE ones, whose addend is a
 * resolver, and other modules' GLOB_DAT and JUMP_SLOT ones against the
 * name, once bound. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include "symbols/priv.h"
#include "util/mem.h"

/* The relocation types that hold a resolved function address, by the
 * module's machine: IRELATIVE (the module's own calls through its PLT),
 * GLOB_DAT and JUMP_SLOT (another module's, by name), and last the
 * absolute words of data that holds the function's address. */
struct reloc_types {
	unsigned irelative, glob_dat, jump_slot, abs64;
};

enum slot_kind { SLOT_OWN, SLOT_GOT, SLOT_DATA };

static bool reloc_types(Elf *elf, struct reloc_types *t)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return false;
	switch (eh.e_machine) {
	case EM_X86_64:
		*t = (struct reloc_types){ R_X86_64_IRELATIVE, R_X86_64_GLOB_DAT,
					   R_X86_64_JUMP_SLOT, R_X86_64_64 };
		return true;
	case EM_AARCH64:
		*t = (struct reloc_types){ R_AARCH64_IRELATIVE, R_AARCH64_GLOB_DAT,
					   R_AARCH64_JUMP_SLOT, R_AARCH64_ABS64 };
		return true;
	}
	return false;
}

/* Does relocation r against a named symbol (GLOB_DAT, JUMP_SLOT) name
 * name? sh is its section, whose link is its symbol table. */
static bool names(Elf *elf, const GElf_Shdr *sh, const GElf_Rela *r, const char *name)
{
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr ssh;
	GElf_Sym sym;
	Elf_Data *d;
	const char *n;

	if (!symscn || !gelf_getshdr(symscn, &ssh) || !(d = elf_getdata(symscn, NULL)) ||
	    !gelf_getsym(d, (int)GELF_R_SYM(r->r_info), &sym))
		return false;
	n = elf_strptr(elf, ssh.sh_link, sym.st_name);
	return n && !strcmp(n, name);
}

/* Is r a relocation of that kind for f (resolver: its file address)?
 * t: the types of elf's machine. */
static bool holds(Elf *elf, const struct reloc_types *t, const GElf_Shdr *sh,
		  const GElf_Rela *r, enum slot_kind kind, GElf_Addr resolver, const char *name)
{
	unsigned type = (unsigned)GELF_R_TYPE(r->r_info);

	switch (kind) {
	case SLOT_OWN:
		return type == t->irelative && (GElf_Addr)r->r_addend == resolver;
	case SLOT_GOT:
		return (type == t->glob_dat || type == t->jump_slot) && names(elf, sh, r, name);
	case SLOT_DATA:
		return type == t->abs64 && !r->r_addend && names(elf, sh, r, name);
	}
	return false;
}

/* The run-time address of a slot of mod that holds f's implementation:
 * in its own module (SLOT_OWN), relocated IRELATIVE with f's resolver as
 * addend; in another, relocated against f's name. 0, or -ENOENT. */
static int slot_of(Dwfl_Module *mod, enum slot_kind kind, GElf_Addr resolver,
		   const char *name, uint64_t *slot)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	struct reloc_types t;

	if (!elf || !reloc_types(elf, &t))
		return -ENOENT;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;

			if (gelf_getrela(d, (int)i, &r) && holds(elf, &t, &sh, &r, kind, resolver, name)) {
				*slot = r.r_offset + bias;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* The implementation in slot, if it is one of m's functions and not the
 * resolver: a slot not relocated yet (lazy binding) holds neither. */
static bool read_choice(struct mem *mem, uint64_t slot, const struct mod_entry *m,
			const struct sym_fn *f, uint64_t *impl)
{
	Dwarf_Addr start, end;

	dwfl_module_info(m->mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
	return mem_read(mem, slot, impl, sizeof(*impl)) == sizeof(*impl) &&
	       *impl != f->addr && *impl >= start && *impl < end;
}

int sym_ifunc_target(const struct symtab *st, const struct mod_list *mods,
		     struct mod_entry *m, struct sym_fn *f)
{
	Dwarf_Addr bias;
	/* reading needs no /proc/PID/mem descriptor (util/mem.h) */
	struct mem mem = { .pid = st->files.pid, .fd = -1 };
	uint64_t slot, impl = 0;
	bool found = false;

	if (!dwfl_module_getelf(m->mod, &bias))
		return -ENOENT;
	if (!slot_of(m->mod, SLOT_OWN, f->addr - bias, f->name, &slot))
		found = read_choice(&mem, slot, m, f, &impl);
	for (int kind = SLOT_GOT; kind <= SLOT_DATA && !found; kind++)
		for (size_t i = 0; i < mods->n && !found; i++)
			if (mods->v[i].mod != m->mod &&
			    !slot_of(mods->v[i].mod, kind, 0, f->name, &slot))
				found = read_choice(&mem, slot, m, f, &impl);
	if (!found)
		return -ENOENT;
	f->resolver = f->addr;
	f->addr = impl;
	return 0;
}
