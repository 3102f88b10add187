/* The OTel environment variables' "key=value,..." lists, split and
 * decoded once for every variable that uses them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "output/otlp/priv.h"

int otlp_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	char *e;

	while (blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && blank(e[-1]))
		*--e = '\0';
	return s;
}

/* The n bytes at s, trimmed and, with escapes, percent-decoded, into out
 * (n + 1 bytes); the decoded length, or -EINVAL for a '%' without two
 * hex digits. */
static ssize_t decode(const char *s, size_t n, bool escapes, char *out)
{
	const char *e = s + n;
	char *o = out;
	int hi, lo;

	while (s < e && blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		e--;
	for (; s < e; s++) {
		if (*s != '%' || !escapes) {
			*o++ = *s;
			continue;
		}
		hi = e - s > 2 ? otlp_hex_digit(s[1]) : -1;
		lo = hi < 0 ? -1 : otlp_hex_digit(s[2]);
		if (lo < 0)
			return -EINVAL;
		*o++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*o = '\0';
	return o - out;
}

/* The key and value of member into scratch (strlen(member) + 1 bytes,
 * as decoding never lengthens); false when it is no "key=value". */
static bool split(const char *member, unsigned flags, char *scratch, struct otlp_kv *kv)
{
	const char *eq = strchr(member, '=');
	ssize_t klen, vlen;

	if (!eq)
		return false;
	klen = decode(member, (size_t)(eq - member), flags & OTLP_KV_DECODE_KEYS, scratch);
	if (klen <= 0)
		return false;
	vlen = decode(eq + 1, strlen(eq + 1), true, scratch + klen + 1);
	if (vlen < 0)
		return false;
	kv->key = scratch;
	kv->key_len = (size_t)klen;
	kv->value = scratch + klen + 1;
	kv->value_len = (size_t)vlen;
	return true;
}

int otlp_kv_parse(const char *list, unsigned flags,
		  int (*fn)(void *arg, const struct otlp_kv *kv), void *arg)
{
	size_t len = list ? strlen(list) : 0;
	char *copy, *member, *next;
	struct otlp_kv kv;
	int rc = 0;

	if (!len)
		return 0;
	/* The list, cut into members in place, then room for the key and
	 * value of any one of them. */
	copy = malloc(2 * (len + 1));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, list, len + 1);
	for (member = copy; member && !rc; member = next) {
		next = strchr(member, ',');
		if (next)
			*next++ = '\0';
		member = trim(member);
		/* Empty members, as in "a=b,,c=d" or a trailing comma, say nothing. */
		if (!*member)
			continue;
		kv = (struct otlp_kv){ .member = member, .key = "", .value = "" };
		kv.bad = !split(member, flags, copy + len + 1, &kv);
		rc = fn(arg, &kv);
	}
	free(copy);
	return rc;
}
