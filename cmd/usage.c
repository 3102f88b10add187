/* The --help text. Keep it in step with man/latch.1 and README.md:
 * tests/docs_check.sh fails when an option is missing from any of them. */
#include "usage.h"

#include "opts.h"

void usage_print(FILE *out)
{
	fputs(
"Usage: latch [OPTIONS] -p PID PROBE...\n"
"       latch [OPTIONS] PROBE... -- COMMAND [ARG...]\n"
"Trace calls to the functions named by PROBEs, with arguments, return values\n"
"and durations, in a running process (-p) or in a COMMAND that latch starts.\n"
"\n"
"PROBE is [LIB:]GLOB [if COND] [ret COND], GLOB a shell glob on function\n"
"names. Without LIB it matches in the executable and its shared libraries;\n"
"'LIB:GLOB' only in modules whose file name matches LIB ('libc.so*:malloc');\n"
"':GLOB' only in the executable. C++ '::' is not a separator. A call is\n"
"reported when COND after 'if' holds at its entry and COND after 'ret' on\n"
"its return: C expressions on the parameters (or arg1..argN), and on\n"
"retval and dur after 'ret':\n"
"  'parse if req->len > 100 && req->path ~ \"/api/*\"'\n"
"  'lookup if key == NULL'   'read_conf ret retval < 0 || dur > 5ms'\n"
"Quote each probe as one shell argument.\n"
"\n"
"Options:\n"
"  -p, --pid PID            attach to every thread of running process PID\n"
"  -l, --list               print the functions the probes match and exit\n"
"  -o, --output FILE        write the trace to FILE, not standard output\n"
"  -f, --format FORMAT      text (default), json, chrome (a trace for Perfetto\n"
"                           UI and chrome://tracing) or folded (call stacks\n"
"                           with self times, for flame graphs)\n"
"  -n, --calls N            report N calls, detach once they have returned\n"
"  -d, --duration SECONDS   detach after SECONDS (decimals allowed)\n"
"  -c, --summary            no line per call: a table per function at the end\n"
"                           (counts, duration statistics, histogram), in text\n"
"                           or json\n"
"  -v, --verbose            with -c, print each call as well\n"
"      --summary-interval SECONDS\n"
"                           also a table of each SECONDS alone (implies -c)\n", out);
	fprintf(out,
"  -s, --string-limit N     print at most N bytes of a string (default %d)\n"
"  -A, --array N            print at most N elements of an array (default %d)\n"
"      --depth N            show structs and arrays nested N deep (default %d);\n"
"                           deeper ones print as {...}\n"
"      --max-probes N       refuse to trap more than N functions (default %d)\n"
"      --rate N             print at most N calls a second; count the rest\n"
"                           as dropped\n"
"  -S, --stack [N]          print the N innermost callers of each call\n"
"                           (default %d), with file:line from DWARF\n",
		LATCH_DEFAULT_STRLIMIT, LATCH_DEFAULT_ARRAYLIMIT,
		LATCH_DEFAULT_DEPTH, LATCH_DEFAULT_MAX_PROBES,
		LATCH_DEFAULT_STACK);
	fputs(
"      --no-returns         trap entries only: no return values, durations\n"
"                           or nesting\n"
"      --no-qos             let CPUs enter deep idle states while tracing\n"
"                           (slower stops; see NOTES in latch(1))\n"
"  -q, --quiet              no messages on standard error except errors\n"
"  -h, --help               print this help and exit\n"
"  -V, --version            print the version and exit\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  runtime failure: no such process, not permitted, nothing matched, a\n"
"     condition that names what the function lacks, more functions than\n"
"     --max-probes, a module without symbols, an error in latch\n"
"  2  usage error: bad option, malformed probe or condition\n"
"  With a COMMAND: its exit status, or 128+N if signal N killed it.\n"
"\n"
"See latch(1).\n", out);
}
