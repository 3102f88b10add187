/* Is a C++ class passed by invisible reference? The Itanium C++ ABI says
 * so when its copy or move constructor or its destructor is non-trivial.
 * DWARF 5 producers may state it (DW_AT_calling_convention); GCC does not,
 * so it is worked out from the member functions the class declares. */
#include <dwarf.h>
#include <string.h>
#include "dwarf/abi.h"
#include "dwarf/attr.h"

#define MAX_DEPTH 8

/* The class (or array-of-class) type under a member's or base's type. */
static bool class_type(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;
	Dwarf_Die t;

	for (int i = 0; i < MAX_DEPTH; i++) {
		if (!dwarf_formref_die(dwarf_attr(die, DW_AT_type, &a), &t) ||
		    dwarf_peel_type(&t, out) != 0)
			return false;
		if (dwarf_tag(out) != DW_TAG_array_type)
			break;
		die = out;
	}
	return dw_is_aggregate(out);
}

/* S(const S &) or S(S &&): one parameter besides `this`, a reference to
 * a type of the class's name. */
static bool copy_or_move_ctor(Dwarf_Die *fn, const char *cls)
{
	Dwarf_Die p, ref, t;
	Dwarf_Attribute a;
	unsigned n = 0;
	bool match = false;

	if (dwarf_child(fn, &p) != 0)
		return false;
	do {
		if (dwarf_tag(&p) != DW_TAG_formal_parameter ||
		    dw_flag(&p, DW_AT_artificial))
			continue;
		if (n++)
			return false;
		if (!dwarf_formref_die(dwarf_attr(&p, DW_AT_type, &a), &ref))
			return false;
		if (dwarf_tag(&ref) != DW_TAG_reference_type &&
		    dwarf_tag(&ref) != DW_TAG_rvalue_reference_type)
			return false;
		if (!dwarf_formref_die(dwarf_attr(&ref, DW_AT_type, &a), &t) ||
		    dwarf_peel_type(&t, &t) != 0)
			return false;
		match = dwarf_diename(&t) && !strcmp(dwarf_diename(&t), cls);
	} while (dwarf_siblingof(&p, &p) == 0);
	return match;
}

static bool nontrivial_member_fn(Dwarf_Die *fn, const char *cls)
{
	const char *name = dwarf_diename(fn);

	/* virtual functions bring a vtable pointer the copy must set */
	if (dw_udata(fn, DW_AT_virtuality))
		return true;
	if (dw_flag(fn, DW_AT_artificial) || dw_flag(fn, DW_AT_deleted) ||
	    dw_udata(fn, DW_AT_defaulted) == DW_DEFAULTED_in_class || !name)
		return false;
	if (name[0] == '~')
		return true;
	return cls && !strcmp(name, cls) && copy_or_move_ctor(fn, cls);
}

static bool nontrivial(Dwarf_Die *cls, int depth)
{
	const char *name = dwarf_diename(cls);
	Dwarf_Die child, t;

	if (depth > MAX_DEPTH || dwarf_child(cls, &child) != 0)
		return false;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			if (nontrivial_member_fn(&child, name))
				return true;
			break;
		case DW_TAG_inheritance:
			if (dw_udata(&child, DW_AT_virtuality))
				return true;
			__attribute__((fallthrough));
		case DW_TAG_member:
			/* implicit members are non-trivial when a base's or
			 * a field's are */
			if (!dw_flag(&child, DW_AT_declaration) &&
			    class_type(&child, &t) && nontrivial(&t, depth + 1))
				return true;
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

bool dw_cxx_by_reference(Dwarf_Die *cls)
{
	Dwarf_Word cc = dw_udata(cls, DW_AT_calling_convention);

	if (cc == DW_CC_pass_by_reference)
		return true;
	if (cc == DW_CC_pass_by_value)
		return false;
	return nontrivial(cls, 0);
}
