/* Value trees as text, as people read them in a debugger. */
#include <inttypes.h>
#include "output/priv.h"

static void render_kids(FILE *f, const struct value *v, const char *open,
			const char *close)
{
	fputs(open, f);
	for (unsigned i = 0; i < v->nkids; i++) {
		if (i)
			fputs(", ", f);
		if (v->kids[i].name)
			fprintf(f, "%s=", v->kids[i].name);
		render_text_value(f, &v->kids[i]);
	}
	if (v->truncated)
		fputs(v->nkids ? ", ..." : "...", f);
	fputs(close, f);
}

static void render_pointer(FILE *f, const struct value *v)
{
	if (!v->u) {
		fputs("NULL", f);
		return;
	}
	fprintf(f, "0x%" PRIx64, v->u);
	if (v->unreadable)
		fputs(" <unreadable>", f);
	else if (v->nkids) {
		fputs(" -> ", f);
		render_text_value(f, &v->kids[0]);
	} else if (v->text)
		fprintf(f, " <%s>", v->text);
}

void render_text_value(FILE *f, const struct value *v)
{
	char buf[128];

	switch (v->kind) {
	case V_NONE:
		fputs("<void>", f);
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
		render_char_literal(f, v->i);
		break;
	case V_ENUM:
		if (v->text)
			fputs(v->text, f);
		else
			fprintf(f, "%" PRId64, v->i);
		break;
	case V_FLOAT:
		render_float(buf, sizeof(buf), v);
		fputs(buf, f);
		break;
	case V_PTR:
		render_pointer(f, v);
		break;
	case V_STR:
		if (v->unreadable) {
			fprintf(f, "0x%" PRIx64 " <unreadable>", v->u);
		} else if (!v->text) {
			fputs("NULL", f);
		} else {
			putc('"', f);
			render_c_escaped(f, v->text, v->len);
			fputs(v->truncated ? "\"..." : "\"", f);
		}
		break;
	case V_STRUCT:
		render_kids(f, v, "{", "}");
		break;
	case V_ARRAY:
		render_kids(f, v, "[", "]");
		break;
	case V_OPAQUE:
		fputs("{...}", f);
		break;
	case V_RAW:
		fprintf(f, "0x%" PRIx64, v->u);
		break;
	case V_UNAVAIL:
		fputs(v->unreadable ? "<unreadable>" : "<optimised out>", f);
		break;
	case V_VARARGS:
		fputs("...", f);
		break;
	}
}

void render_text_args(FILE *f, const struct value *args, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		if (args[i].kind != V_VARARGS && args[i].name)
			fprintf(f, "%s=", args[i].name);
		render_text_value(f, &args[i]);
	}
}
