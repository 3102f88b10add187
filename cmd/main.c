/* latch: the command line. Only this file exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "expr.h"
#include "opts.h"
#include "latency.h"
#include "output.h"
#include "probe.h"
#include "tracer.h"
#include "usage.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

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
	const char *u = optarg;

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
};

static void parse_args(int argc, char **argv, struct latch_opts *o)
{
	static const struct option longs[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "calls", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "string-limit", required_argument, NULL, 's' },
		{ "array", required_argument, NULL, 'A' },
		{ "depth", required_argument, NULL, 'D' },
		{ "max-probes", required_argument, NULL, 'M' },
		{ "rate", required_argument, NULL, 'r' },
		{ "stack", optional_argument, NULL, 'S' },
		{ "no-returns", no_argument, NULL, 'R' },
		{ "no-qos", no_argument, NULL, 'Q' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "summary", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "summary-interval", required_argument, NULL, 'I' },
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
	while ((c = getopt_long(nopt, argv, "p:lo:f:n:d:s:A:S::qcvhV", longs, NULL)) != -1) {
		switch (c) {
		case 'p': {
			unsigned long pid = parse_count(optarg, "invalid PID '%s'");

			if (pid == 0 || pid > INT_MAX)
				usage_error("invalid PID '%s'", optarg);
			o->pid = (pid_t)pid;
			break;
		}
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
		case 'D': o->limits.depth = parse_limit(optarg, "invalid depth '%s'"); break;
		case 'M':
			o->max_probes = parse_limit(optarg, "invalid probe limit '%s'");
			if (!o->max_probes)
				usage_error("invalid probe limit '%s'", optarg);
			break;
		case 'r':
			o->rate = parse_limit(optarg, "invalid rate '%s'");
			if (!o->rate)
				usage_error("invalid rate '%s'", optarg);
			break;
		case 'S': o->stack_depth = parse_stack_depth(nopt, argv); break;
		case 'R': o->no_returns = true; break;
		case 'Q': o->no_qos = true; break;
		case 'q': o->quiet = true; break;
		case 'c': o->summary = true; break;
		case 'v': o->verbose = true; break;
		case 'I':
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
	if (o->summary && o->format != FMT_TEXT && o->format != FMT_JSON)
		usage_error("%s", "-c prints tables in text or json");
	o->nprobes = (size_t)(nopt - optind);
	if (!o->nprobes)
		usage_error("%s", "no probe given");
	if (o->pid && o->argv)
		usage_error("%s", "give either -p PID or -- COMMAND, not both");
	if (!o->pid && (!o->argv || !o->argv[0]))
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

static void on_stop_signal(int sig)
{
	(void)sig;
	tracer_stop_requested = 1;
}

static void on_tick(int sig)
{
	(void)sig;
	tracer_tick = 1;
}

/* No SA_RESTART: the signals must interrupt waitpid. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct itimerval tick = { { 0, 100000 }, { 0, 100000 } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &tick, NULL);
}

/* -c: the table; -c -v: each call too, then the table. */
static int open_output(const struct latch_opts *o, FILE *out, struct sink **s)
{
	struct sink *calls, *summary;
	int err;

	/* -l prints a list, not a trace: nothing around it, in any format. */
	if (o->list)
		return sink_open(FMT_TEXT, out, s);
	if (!o->summary)
		return sink_open(o->format, out, s);
	err = summary_sink_open(o->format, out,
				(uint64_t)(o->summary_interval * 1e9), &summary);
	if (err || !o->verbose) {
		*s = summary;
		return err;
	}
	err = sink_open(o->format, out, &calls);
	if (err)
		goto destroy_summary;
	err = tee_sink_open(calls, summary, s);
	if (err)
		goto destroy_calls;
	return 0;

destroy_calls:
	calls->ops->destroy(calls);
destroy_summary:
	summary->ops->destroy(summary);
	return err;
}

static void warn(const char *msg)
{
	fprintf(stderr, "latch: %s\n", msg);
}

/* Whether the closing counts are printed: not after an error. */
static bool closing_counts;

static void report(const char *msg)
{
	if (closing_counts)
		warn(msg);
}

/* The output, and the spans of --otlp and --otlp-file beside it. 0, or
 * -errno with err set. */
static int open_sinks(const struct latch_opts *o, FILE *out, FILE *otlp_file,
		      struct sink **s, char *err, size_t errlen)
{
	struct otlp_sink_config oc = {
		.url = o->otlp_url,
		.protocol = o->otlp_protocol,
		.file = otlp_file,
		.service_name = o->service_name,
		.trace_parent = o->trace_parent,
		.error_if = o->error_if,
		.no_returns = o->no_returns,
		.warn = o->quiet ? NULL : warn,
		.report = report,
	};
	struct sink *output, *spans;
	int rc = open_output(o, out, &output);

	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	if (o->list || (!o->otlp_url && !otlp_file)) {
		*s = output;
		return 0;
	}
	rc = otlp_sink_open(&oc, &spans, err, errlen);
	if (rc)
		goto destroy_output;
	/* the spans first: a tee's first sink never sees calls that only
	 * summaries count */
	rc = tee_sink_open(spans, output, s);
	if (!rc)
		return 0;
	snprintf(err, errlen, "out of memory");
	spans->ops->destroy(spans);
destroy_output:
	output->ops->destroy(output);
	return rc;
}

static void print_list(const struct tracer *t, FILE *out)
{
	for (size_t i = 0; i < t->nfuncs; i++) {
		const struct func_info *f = t->funcs[i];

		fprintf(out, "%s  [%s 0x%llx]\n", f->signature ? f->signature : f->name,
			f->module, (unsigned long long)f->addr);
	}
}

static void print_counts(const struct tracer_counts *n)
{
	const struct filter_faults *f = &n->faults;
	char faults[96] = "";

	if (f->unreadable && f->invalid)
		snprintf(faults, sizeof(faults), " (%llu unreadable, %llu invalid)",
			 (unsigned long long)f->unreadable, (unsigned long long)f->invalid);
	else if (f->unreadable || f->invalid)
		snprintf(faults, sizeof(faults), " (%llu %s)",
			 (unsigned long long)(f->unreadable + f->invalid),
			 f->unreadable ? "unreadable" : "invalid");
	fprintf(stderr, "latch: %llu calls seen, %llu printed, %llu filtered%s, %llu dropped; "
		"%llu returns, %llu unwinds, %llu stops\n",
		(unsigned long long)n->seen, (unsigned long long)n->calls,
		(unsigned long long)n->filtered, faults, (unsigned long long)n->dropped,
		(unsigned long long)n->returns, (unsigned long long)n->unwinds,
		(unsigned long long)n->stops);
}

static int fail(struct tracer *t)
{
	fprintf(stderr, "latch: %s\n", t->err[0] ? t->err : "internal error");
	return EXIT_RUNTIME;
}

static int wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_RUNTIME;
}

/* -p: resolve before attaching, so that bad probes never touch the target. */
static int start_attach(struct tracer *t, pid_t pid)
{
	int err;

	t->pid = pid;
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		snprintf(t->err, sizeof(t->err), "no such process: %d", (int)pid);
		return -ESRCH;
	}
	err = tracer_resolve(t);
	if (err == -EACCES || err == -EPERM) {
		tracer_explain_eperm(t, pid);
		return err;
	}
	if (err || t->opts->list)
		return err;
	err = tracer_attach(t, pid);
	if (!err)
		err = tracer_plant_probes(t);
	return err;
}

int main(int argc, char **argv)
{
	struct latch_opts o = { 0 };
	struct tracer t;
	struct sink *sink = NULL;
	FILE *out = stdout, *otlp_file = NULL;
	char why[512];
	enum run_end end = RUN_TARGET_GONE;
	int status = 0, err, qos = -1;
	double deadline = 0;

	parse_args(argc, argv, &o);
	if (o.output_path && !(out = fopen(o.output_path, "we"))) {
		fprintf(stderr, "latch: cannot open %s: %s\n", o.output_path, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (o.otlp_file && !o.list && !(otlp_file = fopen(o.otlp_file, "we"))) {
		fprintf(stderr, "latch: cannot open %s: %s\n", o.otlp_file, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (open_sinks(&o, out, otlp_file, &sink, why, sizeof(why))) {
		fprintf(stderr, "latch: %s\n", why);
		return EXIT_RUNTIME;
	}
	install_signals();
	tracer_init(&t, &o, sink);
	if (!o.quiet)
		t.warn = warn;
	err = o.pid ? start_attach(&t, o.pid) : tracer_launch(&t, o.argv);
	if (err) {
		status = fail(&t);
		goto detach;
	}
	if (o.pid && o.list) {
		print_list(&t, out);
		goto close;
	}
	if (o.duration > 0)
		deadline = (double)mono_ns() / 1e9 + o.duration;
	if (!o.no_qos && !o.list)
		qos = latency_hold();   /* best effort: needs root */
	/* Summary tables start when tracing does, not at the first event. */
	t.output_err = sink->ops->tick(sink, real_ns());
	tracer_announce(&t);
	end = tracer_run(&t, deadline);
	latency_release(qos);
	if (end == RUN_ERROR)
		status = fail(&t);
	else if (o.list)
		print_list(&t, out);
detach:
	if (t.threads.count) {
		if (t.launched && (o.list || end == RUN_ERROR || err)) {
			/* The command never got to run main: do not let it. */
			kill(t.pid, SIGKILL);
		} else if (tracer_detach(&t) && !status) {
			status = fail(&t);
		}
	}
	if (t.launched && !t.exited && t.pid > 0) {
		int ws = 0;

		wait_task(t.pid, &ws, 0);
		t.exited = true;
		t.exit_status = ws;
	}
	if (t.launched && !status && !o.list)
		status = wait_status(t.exit_status);
close:
	if (sink->ops->flush(sink) == -EPIPE)
		t.output_err = -EPIPE;
	closing_counts = !o.quiet && !o.list && !err && end != RUN_ERROR;
	if (closing_counts)
		print_counts(&t.n);
	sink->ops->destroy(sink);     /* --otlp's counts come after ours */
	if (out != stdout)
		fclose(out);
	if (otlp_file)
		fclose(otlp_file);
	tracer_fini(&t);
	for (size_t i = 0; i < o.nprobes; i++)
		probe_free(&o.probes[i]);
	free(o.probes);
	return status;
}
