/* What a C++ member function's prototype shows differently from what
 * DWARF lists: `this` is implied, its constness follows the parameter
 * list, and constructors and destructors have no return type. */
#include <dwarf.h>
#include <string.h>
#include "dwarf/typename.h"

#define MAX_QUALS 8

bool typename_is_artificial(const struct param_info *p)
{
	Dwarf_Attribute a;
	Dwarf_Die decl = p->decl;
	bool flag = false;

	return dwarf_attr_integrate(&decl, DW_AT_artificial, &a) &&
	       dwarf_formflag(&a, &flag) == 0 && flag;
}

/* " const" for `const T *this`: the qualifiers of what `this` points to. */
const char *typename_this_quals(const struct param_info *this_param)
{
	Dwarf_Attribute a;
	Dwarf_Die t = this_param->type;
	bool is_const = false, is_volatile = false;
	int n = 0;

	if (!this_param->has_type)
		return "";
	/* `this` itself may be const: skip to the pointer */
	while (dwarf_tag(&t) != DW_TAG_pointer_type && n++ < MAX_QUALS)
		if (!dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &t))
			return "";
	while (dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &t) &&
	       n++ < 2 * MAX_QUALS) {
		if (dwarf_tag(&t) == DW_TAG_const_type)
			is_const = true;
		else if (dwarf_tag(&t) == DW_TAG_volatile_type)
			is_volatile = true;
		else
			break;
	}
	return is_const && is_volatile ? " const volatile" :
	       is_const ? " const" : is_volatile ? " volatile" : "";
}

/* Length of a scope component without its template arguments. */
static size_t base_len(const char *s, size_t len)
{
	const char *lt = memchr(s, '<', len);

	return lt ? (size_t)(lt - s) : len;
}

bool typename_is_structor(const char *name)
{
	const char *prev = NULL, *last = name;
	size_t prev_len = 0;
	int depth = 0;

	/* the last two "::"-separated components, outside template
	 * arguments and parameter lists */
	for (const char *p = name; *p; p++) {
		if (*p == '<' || *p == '(')
			depth++;
		else if ((*p == '>' || *p == ')') && depth)
			depth--;
		else if (!depth && p[0] == ':' && p[1] == ':') {
			prev = last;
			prev_len = (size_t)(p - last);
			last = p + 2;
			p++;
		}
	}
	if (!prev)
		return false;
	if (*last == '~')
		last++;
	prev_len = base_len(prev, prev_len);
	return base_len(last, strlen(last)) == prev_len &&
	       !strncmp(prev, last, prev_len);
}
