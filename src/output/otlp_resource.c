/* The resource every span is sent with: what OTEL_RESOURCE_ATTRIBUTES
 * says, then what latch knows about the traced process and itself. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output/otlp_priv.h"

#define ENV_ATTRS "OTEL_RESOURCE_ATTRIBUTES"

/* The index of key in a, or a->n. */
static size_t find(const struct otlp_attrs *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].key, key))
			break;
	return i;
}

static void drop(struct otlp_attrs *a, const char *key)
{
	size_t i = find(a, key);

	if (i == a->n)
		return;
	free(a->v[i].key);
	if (a->v[i].kind == OTLP_STR)
		free(a->v[i].s);
	memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(a->v[0]));
	a->n--;
}

/* A key set twice keeps the later value: receivers are not required to
 * cope with duplicates. */
static int set_str(struct otlp_attrs *a, const char *key, const char *s, size_t len)
{
	drop(a, key);
	return otlp_attrs_str(a, key, s, len);
}

static int set_cstr(struct otlp_attrs *a, const char *key, const char *s)
{
	return set_str(a, key, s, strlen(s));
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The n bytes at s, trimmed and percent-decoded, into out (n + 1 bytes);
 * the decoded length, or -EINVAL for a '%' without two hex digits. */
static ssize_t decode(const char *s, size_t n, char *out)
{
	const char *e = s + n;
	char *o = out;
	int hi, lo;

	while (s < e && blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		e--;
	for (; s < e; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		hi = e - s > 2 ? hexval(s[1]) : -1;
		lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0)
			return -EINVAL;
		*o++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*o = '\0';
	return o - out;
}

/* One "key=value", trimmed; -EINVAL when it is not one. */
static int env_entry(struct otlp_attrs *a, const char *entry, char *scratch)
{
	const char *eq = strchr(entry, '=');
	char *key = scratch, *val;
	ssize_t klen, vlen;

	if (!eq)
		return -EINVAL;
	klen = decode(entry, (size_t)(eq - entry), key);
	/* A key must name something: decoded "%00" names nothing either. */
	if (klen <= 0 || strlen(key) != (size_t)klen)
		return -EINVAL;
	val = key + klen + 1;
	vlen = decode(eq + 1, strlen(eq + 1), val);
	if (vlen < 0)
		return -EINVAL;
	return set_str(a, key, val, (size_t)vlen);
}

/* "k=v,k2=v2": entries that do not parse are left out and the first of
 * them reported, the others kept. */
static int env_attrs(struct otlp_attrs *a, char *err, size_t errlen)
{
	const char *env = getenv(ENV_ATTRS);
	char *copy, *scratch, *entry, *next;
	bool bad = false;
	int ret = 0;

	if (!env || !*env)
		return 0;
	copy = strdup(env);
	if (!copy)
		return -ENOMEM;
	/* Decoding never lengthens: the whole variable holds any entry's
	 * key and value, each with its NUL. */
	scratch = malloc(strlen(env) + 2);
	if (!scratch) {
		ret = -ENOMEM;
		goto free_copy;
	}
	for (entry = copy; entry; entry = next) {
		next = strchr(entry, ',');
		if (next)
			*next++ = '\0';
		entry = trim(entry);
		if (!*entry)
			continue;
		ret = env_entry(a, entry, scratch);
		if (ret == -EINVAL) {
			if (!bad)
				snprintf(err, errlen, ENV_ATTRS ": malformed entry '%s'", entry);
			bad = true;
			ret = 0;
		} else if (ret) {
			break;
		}
	}
	free(scratch);
free_copy:
	free(copy);
	if (ret)
		return ret;
	return bad ? -EINVAL : 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* --service-name, OTEL_SERVICE_NAME, the resource's own service.name,
 * then the process; NULL to keep the resource's. */
static const char *service(const struct otlp_attrs *a, const struct otlp_process *p,
			   const char *given)
{
	const char *env = getenv("OTEL_SERVICE_NAME");
	size_t i = find(a, "service.name");

	if (given && *given)
		return given;
	if (env && *env)
		return env;
	if (i < a->n && a->v[i].kind == OTLP_STR && a->v[i].len)
		return NULL;
	if (p->comm && *p->comm)
		return p->comm;
	if (p->exe && *base_name(p->exe))
		return base_name(p->exe);
	return "unknown_service";
}

static int own_attrs(struct otlp_attrs *a, const struct otlp_process *p,
		     const char *service_name)
{
	const char *name = service(a, p, service_name);
	char host[HOST_NAME_MAX + 1];
	int err = 0;

	if (name)
		err = set_cstr(a, "service.name", name);
	if (!err && p->pid > 0) {
		drop(a, "process.pid");
		err = otlp_attrs_int(a, "process.pid", p->pid);
	}
	if (!err && p->exe)
		err = set_cstr(a, "process.executable.path", p->exe);
	if (!err && p->command_line)
		err = set_cstr(a, "process.command_line", p->command_line);
	if (!err && !gethostname(host, sizeof(host))) {
		host[sizeof(host) - 1] = '\0';
		err = set_cstr(a, "host.name", host);
	}
	if (!err)
		err = set_cstr(a, "telemetry.sdk.name", "latch");
	if (!err)
		err = set_cstr(a, "telemetry.sdk.version", LATCH_VERSION);
	return err;
}

int otlp_resource_build(struct otlp_attrs *a, const struct otlp_process *p,
			const char *service_name, char *err, size_t errlen)
{
	int env = env_attrs(a, err, errlen), own;

	/* Bad entries were reported and left out: the rest still stands. */
	if (env && env != -EINVAL)
		return env;
	own = own_attrs(a, p, service_name);
	return own ? own : env;
}
