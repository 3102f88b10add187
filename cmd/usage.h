/* The --help text. Private to cmd/. */
#ifndef LATCH_CMD_USAGE_H
#define LATCH_CMD_USAGE_H

#include <stdio.h>

/* Print the --help text to out. */
void usage_print(FILE *out);

#endif
