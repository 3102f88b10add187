/* Where separate debug information is looked for, and what to tell a user
 * whose module has none (private to symbols). */
#ifndef LATCH_DEBUGINFO_H
#define LATCH_DEBUGINFO_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>

/* The directories searched for separate debug files, by build-id
 * (DIR/.build-id/xx/rest.debug) and by .gnu_debuglink
 * (DIR/<directory of the file>/NAME): $LATCH_DEBUG_DIRS, colon-separated,
 * or /usr/lib/debug. */
#define DEBUGINFO_DIRS_ENV "LATCH_DEBUG_DIRS"
#define DEBUGINFO_DEFAULT_DIR "/usr/lib/debug"
#define DEBUGINFO_DPKG_DIR "/var/lib/dpkg/info"

/* libdwfl's search path (the file's own directory, its .debug/, then the
 * directories above, then, with root (a process's "/proc/PID/root" when
 * its root is not latch's), root's own /usr/lib/debug), malloc'd; NULL
 * when out of memory. */
char *debuginfo_search_path(const char *root);

/* Write the one-line note for a module that has no DWARF: what its
 * arguments look like, and where debug information would come from (the
 * Debian package owning path, as listed in dpkg_dir, and the build-id
 * file name under the first directory of search_path). */
void debuginfo_note(Dwfl_Module *mod, const char *path,
		    const char *search_path, const char *dpkg_dir, char *buf,
		    size_t len);

/* Write the message for a module that has no symbol table at all
 * (stripped, without .gnu_debugdata nor a separate debug file): nothing
 * in it can be probed by name. is_static: it is a statically linked
 * executable, so the C library's functions are lost too. The build-id
 * file name is under the first directory of search_path. */
void debuginfo_note_stripped(Dwfl_Module *mod, const char *path, bool is_static,
			     const char *search_path, char *buf, size_t len);

/* Write the note for a module with DWARF that does not cover func (in
 * a static executable, the C library's functions). */
void debuginfo_note_partial(const char *path, const char *func, char *buf,
			    size_t len);

/* Write the note for a module whose split DWARF (.dwo files) is
 * missing. */
void debuginfo_note_split(const char *path, char *buf, size_t len);

/* The Debian package that installed path, from dpkg_dir's *.list files,
 * without its ":arch". 0, -ENOENT, or another -errno. */
int debuginfo_package(const char *dpkg_dir, const char *path, char *pkg,
		      size_t len);

#endif
