/* The command line. */
#ifndef LATCH_ARGS_H
#define LATCH_ARGS_H

#include "core/opts.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* Fill o from argv, or exit: 2 after a usage error (with a message), 0
 * after --help or --version, 1 when out of memory. */
void parse_args(int argc, char **argv, struct latch_opts *o);

#endif
