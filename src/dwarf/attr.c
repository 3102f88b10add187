/* DWARF attribute readers shared by the ABI classifier, the C++ class
 * rules, the function reader and the value decoder. */
#include <dwarf.h>
#include "dwarf/attr.h"

bool dw_udata_at(Dwarf_Die *die, unsigned name, Dwarf_Word *w)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, name, &a) && dwarf_formudata(&a, w) == 0;
}

Dwarf_Word dw_udata(Dwarf_Die *die, unsigned name)
{
	Dwarf_Word w = 0;

	return dw_udata_at(die, name, &w) ? w : 0;
}

bool dw_flag(Dwarf_Die *die, unsigned name)
{
	Dwarf_Attribute a;
	bool b = false;

	return dwarf_attr_integrate(die, name, &a) && dwarf_formflag(&a, &b) == 0 && b;
}

bool dw_type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_formref_die(dwarf_attr_integrate(die, DW_AT_type, &a), out);
}

bool dw_member_offset(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	*off = 0;
	if (dwarf_attr_integrate(m, DW_AT_data_member_location, &a)) {
		if (dwarf_formudata(&a, &w) != 0)
			return false;   /* a location expression: pre-DWARF 3 */
		*off = w;
	} else if (dwarf_attr_integrate(m, DW_AT_data_bit_offset, &a)) {
		if (dwarf_formudata(&a, &w) != 0)
			return false;
		*off = w / 8;
	}
	return true;
}

bool dw_is_aggregate(Dwarf_Die *type)
{
	int tag = dwarf_tag(type);

	return tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
	       tag == DW_TAG_union_type;
}

static bool is_data_member(Dwarf_Die *m)
{
	int tag = dwarf_tag(m);

	if (tag == DW_TAG_inheritance)
		return true;
	return tag == DW_TAG_member && !dwarf_hasattr(m, DW_AT_declaration) &&
	       !dwarf_hasattr(m, DW_AT_external);
}

bool dw_next_member(Dwarf_Die *m)
{
	while (dwarf_siblingof(m, m) == 0)
		if (is_data_member(m))
			return true;
	return false;
}

bool dw_first_member(Dwarf_Die *agg, Dwarf_Die *m)
{
	return dwarf_child(agg, m) == 0 && (is_data_member(m) || dw_next_member(m));
}
