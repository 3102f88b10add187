/* JSON Lines output: one object per event, flushed at once so that a
 * consumer such as jq sees each call as it happens. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "output/priv.h"

struct json_sink {
	struct sink base;     /* first: the sink pointer is the json_sink */
	int err;
};

static const char *const type_names[] = {
	[EV_CALL] = "call",
	[EV_RETURN] = "return",
	[EV_UNWIND] = "unwind",
	[EV_HIT] = "hit",
	[EV_FORK] = "fork",
	[EV_EXEC] = "exec",
	[EV_EXIT] = "exit",
};

/* A process record: what a followed process did. */
static void process_fields(FILE *f, const struct event *e)
{
	const struct event_process *p = e->proc;
	char sig[16];

	switch (e->type) {
	case EV_FORK:
		fprintf(f, ",\"ppid\":%d", (int)p->ppid);
		break;
	case EV_EXEC:
		fputs(",\"exe\":", f);
		render_json_cstr(f, p->exe);
		fputs(",\"command_line\":", f);
		render_json_cstr(f, p->command_line);
		break;
	case EV_EXIT:
		if (WIFSIGNALED(p->status)) {
			render_signal(sig, sizeof(sig), WTERMSIG(p->status));
			fputs(",\"signal\":", f);
			render_json_cstr(f, sig);
		} else {
			fprintf(f, ",\"status\":%d", WEXITSTATUS(p->status));
		}
		break;
	default:
		break;
	}
}

static void args_object(FILE *f, const struct event *e)
{
	putc('{', f);
	render_json_args(f, e->args, e->nargs);
	putc('}', f);
}

/* -S: "stack":[{"pc":"0x...","func":"main+0x2a","file":"...","line":31}]
 * innermost caller first, without the keys a frame does not know. */
static void stack_array(FILE *f, const struct event *e)
{
	fputs(",\"stack\":[", f);
	for (unsigned i = 0; i < e->nstack; i++) {
		const struct stack_frame *fr = &e->stack[i];

		fputs(i ? ",{\"pc\":" : "{\"pc\":", f);
		render_json_address(f, fr->pc);
		if (fr->func) {
			fputs(",\"func\":", f);
			render_json_cstr(f, fr->func);
		}
		if (fr->file) {
			fputs(",\"file\":", f);
			render_json_cstr(f, fr->file);
		}
		if (fr->line)
			fprintf(f, ",\"line\":%u", fr->line);
		putc('}', f);
	}
	putc(']', f);
}

/* "addr":"0x...","where":"firsts.c:123","file":...,"line":123,
 * "args":{parameters},"locals":{...} */
static void hit_fields(FILE *f, const struct event *e)
{
	unsigned nparams = e->nargs - e->nlocals;

	fputs(",\"addr\":", f);
	render_json_address(f, e->fn ? e->fn->addr : 0);
	fputs(",\"where\":", f);
	render_json_cstr(f, e->fn ? e->fn->where : NULL);
	if (e->fn && e->fn->decl_file) {
		fputs(",\"file\":", f);
		render_json_cstr(f, e->fn->decl_file);
		fprintf(f, ",\"line\":%u", e->fn->decl_line);
	}
	fputs(",\"args\":{", f);
	render_json_args(f, e->args, nparams);
	fputs("},\"locals\":{", f);
	render_json_args(f, e->args + nparams, e->nlocals);
	putc('}', f);
}

static int json_event(struct sink *s, const struct event *e)
{
	struct json_sink *j = (struct json_sink *)s;
	FILE *f = s->out;

	if (j->err)
		return j->err;
	if (e->type == EV_PROCESS)
		return 0;
	errno = 0;
	fprintf(f, "{\"type\":\"%s\",\"ts\":%" PRIu64 ",\"pid\":%d,\"tid\":%d",
		type_names[e->type], e->ts_ns, (int)e->pid, (int)e->tid);
	if (e->proc) {
		process_fields(f, e);
		fputs("}\n", f);
		return render_status(f, &j->err, true);
	}
	fprintf(f, ",\"depth\":%u,\"call_id\":%" PRIu64 ",\"func\":", e->depth, e->call_id);
	render_json_cstr(f, e->fn ? e->fn->name : NULL);
	fputs(",\"module\":", f);
	render_json_cstr(f, e->fn ? e->fn->module : NULL);
	switch (e->type) {
	case EV_CALL:
		fputs(",\"args\":", f);
		args_object(f, e);
		if (e->nstack)
			stack_array(f, e);
		break;
	case EV_HIT:
		hit_fields(f, e);
		if (e->nstack)
			stack_array(f, e);
		break;
	case EV_RETURN:
		if (e->ret.kind != V_NONE) {
			fputs(",\"ret\":", f);
			render_json_value(f, &e->ret);
		}
		if (e->error)
			fputs(",\"error\":true", f);
		__attribute__((fallthrough));
	case EV_UNWIND:
		fprintf(f, ",\"dur_ns\":%" PRIu64, e->dur_ns);
		break;
	default:           /* process records: returned above */
		break;
	}
	fputs("}\n", f);
	return render_status(f, &j->err, true);
}

static int json_flush(struct sink *s)
{
	struct json_sink *j = (struct json_sink *)s;

	if (j->err)
		return j->err;
	errno = 0;
	return render_status(s->out, &j->err, true);
}

static void json_destroy(struct sink *s)
{
	free(s);
}

static int json_tick(struct sink *s, uint64_t now_ns)
{
	(void)now_ns;
	return json_flush(s);
}

static const struct sink_ops json_ops = {
	.event = json_event,
	.tick = json_tick,
	.flush = json_flush,
	.destroy = json_destroy,
};

int json_sink_new(FILE *out, struct sink **s)
{
	struct json_sink *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->base.ops = &json_ops;
	j->base.out = out;
	*s = &j->base;
	return 0;
}
