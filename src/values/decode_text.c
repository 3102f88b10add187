/* Text values: C strings, counted buffers and char arrays, each bounded
 * by the string limit (-s). */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "values/priv.h"
#include "dwarf/attr.h"

bool dec_char_like(Dwarf_Die *t)
{
	Dwarf_Word enc;

	if (dwarf_tag(t) != DW_TAG_base_type || dwarf_bytesize(t) != 1)
		return false;
	enc = dw_udata(t, DW_AT_encoding);
	return enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
}

bool dec_points_to_text(Dwarf_Die *ptr)
{
	Dwarf_Die t, next;

	if (!dw_type_of(ptr, &t))
		return false;   /* void * */
	for (int depth = 0; depth < 16; depth++) {
		int tag = dwarf_tag(&t);

		if (tag == DW_TAG_typedef) {
			const char *n = dwarf_diename(&t);

			if (n && strstr(n, "int8_t"))
				return false;
		} else if (tag != DW_TAG_const_type &&
			   tag != DW_TAG_volatile_type &&
			   tag != DW_TAG_restrict_type &&
			   tag != DW_TAG_atomic_type) {
			return dec_char_like(&t);
		}
		if (!dw_type_of(&t, &next))
			return false;
		t = next;
	}
	return false;
}

/* Keep bytes as v's text; values may live until their call returns, so
 * only what is shown is kept. */
static int keep(struct value *v, const void *bytes, size_t n)
{
	v->text = malloc(n ? n : 1);
	if (!v->text)
		return -ENOMEM;
	memcpy(v->text, bytes, n);
	v->len = n;
	return 0;
}

/* Up to want bytes at addr into v (a V_STR from addr): the bytes read,
 * or 0 with v marked unreadable. *buf is malloc'd for the caller. */
static ssize_t read_text(const struct values_src *src, uint64_t addr,
			 size_t want, struct value *v, char **buf)
{
	ssize_t n;

	v->kind = V_STR;
	v->u = addr;
	*buf = malloc(want ? want : 1);
	if (!*buf)
		return -ENOMEM;
	if (!want)
		return 0;
	n = src->rd(src->rdctx, addr, *buf, want);
	if (n <= 0) {
		v->unreadable = true;
		return 0;
	}
	return n;
}

int dec_read_string(const struct values_src *src, uint64_t addr,
		    struct value *v)
{
	char *buf, *nul;
	ssize_t n = read_text(src, addr, src->lim->strlimit, v, &buf);
	int rc = 0;

	if (n < 0)
		return (int)n;
	if (!v->unreadable) {
		nul = memchr(buf, '\0', (size_t)n);
		/* No NUL in what could be read: at the limit, or at the end
		 * of the mapping, the string goes on beyond what is shown. */
		v->truncated = !nul;
		rc = keep(v, buf, nul ? (size_t)(nul - buf) : (size_t)n);
	}
	free(buf);
	return rc;
}

int dec_read_counted(const struct values_src *src, uint64_t addr, uint64_t len,
		     struct value *v)
{
	size_t want = len < src->lim->strlimit ? (size_t)len : src->lim->strlimit;
	char *buf;
	ssize_t n = read_text(src, addr, want, v, &buf);
	int rc = 0;

	if (n < 0)
		return (int)n;
	if (!v->unreadable) {
		v->truncated = (uint64_t)n < len;
		rc = keep(v, buf, (size_t)n);
	}
	free(buf);
	return rc;
}

int dec_char_array(const struct values_src *src, const uint8_t *buf,
		   size_t n, struct value *v)
{
	const uint8_t *nul = memchr(buf, '\0', n);
	size_t len = nul ? (size_t)(nul - buf) : n;

	v->kind = V_STR;
	if (len > src->lim->strlimit) {
		len = src->lim->strlimit;
		v->truncated = true;
	}
	return keep(v, buf, len);
}
