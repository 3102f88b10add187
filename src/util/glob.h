/* Shell-glob matching. */
#ifndef LATCH_GLOB_H
#define LATCH_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* Does s match glob (*, ?, [...] with ! or ^, \ escapes)? */
bool glob_match(const char *glob, const char *s);
/* The same for the len bytes at s. With prefix, true also when all of s
 * is matched by a beginning of glob: some continuation of s might match
 * (for strings cut at the string limit). */
bool glob_match_n(const char *glob, const char *s, size_t len, bool prefix);
/* The end of the bracket expression whose '[' is just before p: just past
 * its ']', or NULL when it has none. */
const char *glob_bracket_end(const char *p);

#endif
