/* Value trees as JSON: scalars as JSON scalars, structs as objects,
 * arrays as arrays; a pointer that carries more than its address is an
 * object with "ptr" and one of "sym", "to", "unreadable". */
#include <inttypes.h>
#include "output/priv.h"

void render_json_address(FILE *f, uint64_t a)
{
	fprintf(f, "\"0x%" PRIx64 "\"", a);
}

static void render_pointer(FILE *f, const struct value *v)
{
	if (!v->u) {
		fputs("null", f);
		return;
	}
	if (!v->unreadable && !v->nkids && !v->text) {
		render_json_address(f, v->u);
		return;
	}
	fputs("{\"ptr\":", f);
	render_json_address(f, v->u);
	if (v->unreadable) {
		fputs(",\"unreadable\":true", f);
	} else if (v->nkids) {
		fputs(",\"to\":", f);
		render_json_value(f, &v->kids[0]);
	} else {
		fputs(",\"sym\":", f);
		render_json_cstr(f, v->text);
	}
	putc('}', f);
}

static void render_string(FILE *f, const struct value *v)
{
	if (v->unreadable) {
		fputs("{\"ptr\":", f);
		render_json_address(f, v->u);
		fputs(",\"unreadable\":true}", f);
	} else if (!v->text) {
		fputs("null", f);
	} else if (v->truncated) {
		fputs("{\"str\":", f);
		render_json_string(f, v->text, v->len);
		fputs(",\"truncated\":true}", f);
	} else {
		render_json_string(f, v->text, v->len);
	}
}

static void render_struct(FILE *f, const struct value *v)
{
	putc('{', f);
	for (unsigned i = 0; i < v->nkids; i++) {
		if (i)
			putc(',', f);
		render_json_cstr(f, v->kids[i].name ? v->kids[i].name : "");
		putc(':', f);
		render_json_value(f, &v->kids[i]);
	}
	putc('}', f);
}

static void render_array(FILE *f, const struct value *v)
{
	putc('[', f);
	for (unsigned i = 0; i < v->nkids; i++) {
		if (i)
			putc(',', f);
		render_json_value(f, &v->kids[i]);
	}
	if (v->truncated)
		fputs(v->nkids ? ",\"...\"" : "\"...\"", f);
	putc(']', f);
}

void render_json_value(FILE *f, const struct value *v)
{
	char buf[128];

	switch (v->kind) {
	case V_NONE:
		fputs("null", f);
		break;
	case V_INT:
		fprintf(f, "%" PRId64, v->i);
		break;
	case V_UINT:
		fprintf(f, "%" PRIu64, v->u);
		break;
	case V_BOOL:
		fputs(v->u ? "true" : "false", f);
		break;
	case V_CHAR:
		render_json_char(f, v->i);
		break;
	case V_ENUM:
		if (v->text)
			render_json_cstr(f, v->text);
		else
			fprintf(f, "%" PRId64, v->i);
		break;
	case V_FLOAT:
		render_float(buf, sizeof(buf), v);
		/* JSON has no NaN or infinity */
		if (buf[0] == 'n' || buf[0] == 'i' || buf[1] == 'i')
			render_json_cstr(f, buf);
		else
			fputs(buf, f);
		break;
	case V_PTR:
		render_pointer(f, v);
		break;
	case V_STR:
		render_string(f, v);
		break;
	case V_STRUCT:
		render_struct(f, v);
		break;
	case V_ARRAY:
		render_array(f, v);
		break;
	case V_OPAQUE:
		fputs("\"{...}\"", f);
		break;
	case V_RAW:
		render_json_address(f, v->u);
		break;
	case V_UNAVAIL:
		fputs(v->unreadable ? "\"<unreadable>\"" : "\"<optimised out>\"", f);
		break;
	case V_VARARGS:
		fputs("\"...\"", f);
		break;
	}
}

void render_json_args(FILE *f, const struct value *args, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct value *v = &args[i];

		if (i)
			putc(',', f);
		if (v->kind == V_VARARGS)
			fputs("\"...\"", f);
		else if (v->name)
			render_json_cstr(f, v->name);
		else
			fprintf(f, "\"arg%u\"", i + 1);
		putc(':', f);
		render_json_value(f, v);
	}
}
