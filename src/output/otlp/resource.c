/* The resource every span is sent with: what OTEL_RESOURCE_ATTRIBUTES
 * says, then what latch knows about the traced process and itself. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output/otlp/priv.h"

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

struct env_ctx {
	struct otlp_attrs *a;
	char *err;
	size_t errlen;
	bool bad;
};

/* Entries that do not parse are left out and the first of them
 * reported, the others kept. */
static int env_entry(void *arg, const struct otlp_kv *kv)
{
	struct env_ctx *c = arg;

	/* A key must name something: decoded "%00" names nothing either. */
	if (!kv->bad && strlen(kv->key) == kv->key_len)
		return set_str(c->a, kv->key, kv->value, kv->value_len);
	if (!c->bad)
		snprintf(c->err, c->errlen, ENV_ATTRS ": malformed entry '%s'", kv->member);
	c->bad = true;
	return 0;
}

static int env_attrs(struct otlp_attrs *a, char *err, size_t errlen)
{
	struct env_ctx c = { .a = a, .err = err, .errlen = errlen };
	int rc = otlp_kv_parse(getenv(ENV_ATTRS), OTLP_KV_DECODE_KEYS, env_entry, &c);

	if (rc)
		return rc;
	return c.bad ? -EINVAL : 0;
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
