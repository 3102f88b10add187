/* latch: reading the command line into struct latch_opts. A usage error
 * exits here with status 2. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "probe/expr/expr.h"
#include "probe/probe.h"
#include "output/output.h"
#include "util/procfs.h"
#include "usage.h"

static void usage_error(const char *fmt, const char *arg)
{
	fputs("latch: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'latch --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

static unsigned long parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		usage_error(what, s);
	return v;
}

static unsigned parse_limit(const char *s, const char *what)
{
	unsigned long v = parse_count(s, what);

	if (v > 1000000)
		usage_error(what, s);
	return (unsigned)v;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* -S, -S8, -S 8, --stack, --stack=8, --stack 8: a separate N is taken
 * when it is all digits, which no probe can be. */
static unsigned parse_stack_depth(int nopt, char **argv)
{
	const char *n = optarg;
	unsigned long v;

	if (!n && optind < nopt && all_digits(argv[optind]))
		n = argv[optind++];
	if (!n)
		return LATCH_DEFAULT_STACK;
	v = parse_count(n, "invalid stack depth '%s' (1 to 1000)");
	if (v < 1 || v > LATCH_MAX_STACK)
		usage_error("invalid stack depth '%s' (1 to 1000)", n);
	return (unsigned)v;
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* --otlp, --otlp=URL, --otlp URL: a separate URL is taken when it looks
 * like one, which no probe does. */
static const char *parse_otlp_url(int nopt, char **argv)
{
	const char *u = optarg, *why = otlp_http_unavailable();

	if (why)
		usage_error("%s", why);
	if (!u && optind < nopt && is_url(argv[optind]))
		u = argv[optind++];
	if (!u)
		return "";    /* from the environment */
	if (!is_url(u))
		usage_error("invalid --otlp URL '%s' (http:// or https://)", u);
	return u;
}

static void check_otlp_protocol(const char *p)
{
	bool json;
	int rc = otlp_protocol_parse(p, &json);

	if (rc == -ENOTSUP)
		usage_error("OTLP protocol '%s' is not supported: use http/protobuf or "
			    "http/json", p);
	if (rc)
		usage_error("unknown OTLP protocol '%s' (http/protobuf or http/json)", p);
}

static void check_error_if(const char *text)
{
	struct expr *e;
	char err[256], msg[400];
	int rc = expr_parse(text, &e, err, sizeof(err));

	if (rc == -ENOMEM)
		exit(EXIT_RUNTIME);
	if (rc) {
		snprintf(msg, sizeof(msg), "--error-if '%.100s': %s", text, err);
		usage_error("%s", msg);
	}
	expr_free(e);
}

enum {
	OPT_OTLP = 256,
	OPT_OTLP_PROTOCOL,
	OPT_OTLP_FILE,
	OPT_SERVICE_NAME,
	OPT_TRACE_PARENT,
	OPT_ERROR_IF,
	OPT_PIDOF,
	OPT_DEPTH,
	OPT_MAX_PROBES,
	OPT_RATE,
	OPT_NO_RETURNS,
	OPT_NO_QOS,
	OPT_SUMMARY_INTERVAL,
};

/* -p 12,34 and -p 12 -p 34: each PID once, in the order given. */
static void add_pids(struct latch_opts *o, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		exit(EXIT_RUNTIME);
	if (!*list || list[strlen(list) - 1] == ',')
		usage_error("invalid PID list '%s'", list);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long pid = parse_count(tok, "invalid PID '%s'");
		size_t i;

		if (pid == 0 || pid > INT_MAX)
			usage_error("invalid PID '%s'", tok);
		for (i = 0; i < o->npids && o->pids[i] != (pid_t)pid; i++)
			;
		if (i < o->npids)
			continue;
		pid_t *more = realloc(o->pids, (o->npids + 1) * sizeof(*more));

		if (!more)
			exit(EXIT_RUNTIME);
		o->pids = more;
		o->pids[o->npids++] = (pid_t)pid;
	}
	free(copy);
}

/* --pidof NAME: every process but latch whose comm or executable's file
 * name is NAME, as pidof(8) finds them. */
static void add_pidof(struct latch_opts *o, const char *name)
{
	pid_t *found;
	size_t n;
	char list[32];

	if (!*name)
		usage_error("%s", "--pidof needs a process name");
	if (procfs_pidof(name, &found, &n))
		exit(EXIT_RUNTIME);
	if (!n) {
		fprintf(stderr, "latch: no process named '%s'\n", name);
		exit(EXIT_RUNTIME);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(list, sizeof(list), "%d", (int)found[i]);
		add_pids(o, list);
	}
	free(found);
}

/* PROBE words that are a condition's: the shell split an unquoted probe. */
static void check_split_probe(char **argv, int first, int end)
{
	for (int i = first; i < end; i++) {
		char quoted[200] = "";
		size_t len = 0;

		if (strcmp(argv[i], "if") && strcmp(argv[i], "ret"))
			continue;
		for (int k = i > first ? i - 1 : i; k < end && len < sizeof(quoted); k++)
			len += (size_t)snprintf(quoted + len, sizeof(quoted) - len, "%s%s",
						len ? " " : "", argv[k]);
		fprintf(stderr, "latch: probe '%s' is a condition's word: quote each probe "
			"with its conditions as one argument, as in '%s'\n", argv[i], quoted);
		fputs("Try 'latch --help' for more information.\n", stderr);
		exit(EXIT_USAGE);
	}
}

void parse_args(int argc, char **argv, struct latch_opts *o)
{
	static const struct option longs[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow-forks", no_argument, NULL, 'F' },
		{ "list", no_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "calls", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "string-limit", required_argument, NULL, 's' },
		{ "array", required_argument, NULL, 'A' },
		{ "pidof", required_argument, NULL, OPT_PIDOF },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "max-probes", required_argument, NULL, OPT_MAX_PROBES },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "stack", optional_argument, NULL, 'S' },
		{ "no-returns", no_argument, NULL, OPT_NO_RETURNS },
		{ "no-qos", no_argument, NULL, OPT_NO_QOS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "summary", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "summary-interval", required_argument, NULL, OPT_SUMMARY_INTERVAL },
		{ "relative-timestamps", no_argument, NULL, 'r' },
		{ "otlp", optional_argument, NULL, OPT_OTLP },
		{ "otlp-protocol", required_argument, NULL, OPT_OTLP_PROTOCOL },
		{ "otlp-file", required_argument, NULL, OPT_OTLP_FILE },
		{ "service-name", required_argument, NULL, OPT_SERVICE_NAME },
		{ "trace-parent", required_argument, NULL, OPT_TRACE_PARENT },
		{ "error-if", required_argument, NULL, OPT_ERROR_IF },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int nopt = argc, c;
	unsigned ts = 0;
	char *end;

	/* Everything after "--" is the command, never options or probes. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			nopt = i;
			o->argv = argv + i + 1;
			break;
		}
	}
	o->limits.strlimit = LATCH_DEFAULT_STRLIMIT;
	o->limits.arraylimit = LATCH_DEFAULT_ARRAYLIMIT;
	o->limits.depth = LATCH_DEFAULT_DEPTH;
	o->max_probes = LATCH_DEFAULT_MAX_PROBES;
	while ((c = getopt_long(nopt, argv, "p:Flo:f:n:d:s:A:S::qcvtrThV", longs, NULL)) != -1) {
		switch (c) {
		case 'p': add_pids(o, optarg); break;
		case OPT_PIDOF: add_pidof(o, optarg); break;
		case 't': ts++; break;
		case 'r': o->style.relative = true; break;
		case 'T': break;   /* durations end every line already */
		case 'F': o->follow_forks = true; break;
		case 'l': o->list = true; break;
		case 'o': o->output_path = optarg; break;
		case 'f':
			if (output_format_parse(optarg, &o->format))
				usage_error("unknown format '%s' (text, json, chrome or folded)", optarg);
			break;
		case 'n': o->max_calls = parse_count(optarg, "invalid call count '%s'"); break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration > 0))
				usage_error("invalid duration '%s'", optarg);
			break;
		case 's': o->limits.strlimit = parse_count(optarg, "invalid string limit '%s'"); break;
		case 'A': o->limits.arraylimit = parse_limit(optarg, "invalid array limit '%s'"); break;
		case OPT_DEPTH: o->limits.depth = parse_limit(optarg, "invalid depth '%s'"); break;
		case OPT_MAX_PROBES:
			o->max_probes = parse_limit(optarg, "invalid probe limit '%s'");
			if (!o->max_probes)
				usage_error("invalid probe limit '%s'", optarg);
			break;
		case OPT_RATE:
			o->rate = parse_limit(optarg, "invalid rate '%s'");
			if (!o->rate)
				usage_error("invalid rate '%s'", optarg);
			break;
		case 'S': o->stack_depth = parse_stack_depth(nopt, argv); break;
		case OPT_NO_RETURNS: o->no_returns = true; break;
		case OPT_NO_QOS: o->no_qos = true; break;
		case 'q': o->quiet = true; break;
		case 'c': o->summary = true; break;
		case 'v': o->verbose = true; break;
		case OPT_SUMMARY_INTERVAL:
			/* Periodic tables make no sense without the table. */
			o->summary = true;
			errno = 0;
			o->summary_interval = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(o->summary_interval > 0 && o->summary_interval <= 1e9))
				usage_error("invalid summary interval '%s'", optarg);
			break;
		case OPT_OTLP: o->otlp_url = parse_otlp_url(nopt, argv); break;
		case OPT_OTLP_PROTOCOL:
			check_otlp_protocol(optarg);
			o->otlp_protocol = optarg;
			break;
		case OPT_OTLP_FILE: o->otlp_file = optarg; break;
		case OPT_SERVICE_NAME: o->service_name = optarg; break;
		case OPT_TRACE_PARENT:
			if (otlp_traceparent_check(optarg))
				usage_error("invalid --trace-parent '%s' (00-TRACEID-SPANID-FLAGS)",
					    optarg);
			o->trace_parent = optarg;
			break;
		case OPT_ERROR_IF:
			check_error_if(optarg);
			o->error_if = optarg;
			break;
		case 'h': usage_print(stdout); exit(0);
		case 'V': printf("latch %s\n", LATCH_VERSION); exit(0);
		default:
			fputs("Try 'latch --help' for more information.\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	if (ts > 3)
		usage_error("%s", "-t is given at most three times (-ttt)");
	o->style.clock = ts == 1 ? CLOCK_HMS : ts == 2 ? CLOCK_HMS_US : ts == 3 ? CLOCK_EPOCH_US :
			 o->style.relative ? CLOCK_NONE : CLOCK_HMS_US;
	if (o->summary && o->format != FMT_TEXT && o->format != FMT_JSON)
		usage_error("%s", "-c prints tables in text or json");
	o->nprobes = (size_t)(nopt - optind);
	if (!o->nprobes)
		usage_error("%s", "no probe given");
	check_split_probe(argv, optind, nopt);
	if (o->npids && o->argv)
		usage_error("%s", "give either -p PID or -- COMMAND, not both");
	if (!o->npids && (!o->argv || !o->argv[0]))
		usage_error("%s", "give -p PID or -- COMMAND");
	if (o->error_if && o->no_returns)
		usage_error("%s", "--error-if needs the returns; drop --no-returns");
	o->probes = calloc(o->nprobes, sizeof(*o->probes));
	if (!o->probes)
		exit(EXIT_RUNTIME);
	for (size_t i = 0; i < o->nprobes; i++) {
		char err[256];

		if (probe_parse(argv[optind + (int)i], &o->probes[i], err, sizeof(err)))
			usage_error("%s", err);
		if (o->probes[i].ret_at && o->no_returns)
			usage_error("probe '%s': a return condition needs the returns; "
				    "drop --no-returns", o->probes[i].text);
	}
}
