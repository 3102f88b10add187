/* Separate debug information: the directories libdwfl searches, and the
 * note for a module without any, naming the package and the build-id file
 * that would give its functions typed arguments. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "symbols/debuginfo.h"

/* dpkg lists files under the path they were unpacked to: on a merged-/usr
 * system "/lib/x86_64-linux-gnu/libc.so.6" is mapped as "/usr/lib/...". */
#define MAX_ALIASES 2
/* "\n/usr" + path + "\n" */
#define NEEDLE_MAX (PATH_MAX + 8)

char *debuginfo_search_path(const char *root)
{
	const char *dirs = getenv(DEBUGINFO_DIRS_ENV);
	char *path;
	int n;

	/* "" is the file's own directory, ".debug" a subdirectory of it */
	if (root)
		n = asprintf(&path, ":.debug:%s:%s%s", dirs && *dirs ? dirs : DEBUGINFO_DEFAULT_DIR,
			     root, DEBUGINFO_DEFAULT_DIR);
	else
		n = asprintf(&path, ":.debug:%s", dirs && *dirs ? dirs : DEBUGINFO_DEFAULT_DIR);
	return n < 0 ? NULL : path;
}

/* Where a build-id file goes: the first absolute directory of libdwfl's
 * search path. */
static void first_debug_dir(const char *search_path, char *buf, size_t len)
{
	const char *p = search_path;

	while (*p && *p != '/') {
		size_t n = strcspn(p, ":");

		p += p[n] ? n + 1 : n;
	}
	if (!*p)
		p = DEBUGINFO_DEFAULT_DIR;
	snprintf(buf, len, "%.*s", (int)strcspn(p, ":"), p);
}

/* Does the buffer (a .list file, between newlines) hold one of the
 * "\npath\n" needles? */
static bool lists_path(const char *text, size_t len,
		       char needles[][NEEDLE_MAX], size_t nneedles)
{
	for (size_t i = 0; i < nneedles; i++)
		if (memmem(text, len, needles[i], strlen(needles[i])))
			return true;
	return false;
}

/* The contents of dir/name, framed by newlines so that its first and
 * last lines match "\npath\n" too. NULL on error. */
static char *read_framed(int dirfd, const char *name, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < 0)
		goto close_fd;
	buf = malloc((size_t)st.st_size + 2);
	if (!buf)
		goto close_fd;
	buf[0] = '\n';
	n = pread(fd, buf + 1, (size_t)st.st_size, 0);
	if (n < 0) {
		free(buf);
		buf = NULL;
		goto close_fd;
	}
	buf[n + 1] = '\n';
	*len = (size_t)n + 2;
close_fd:
	close(fd);
	return buf;
}

static size_t make_needles(const char *path, char needles[][NEEDLE_MAX])
{
	size_t n = 0;

	snprintf(needles[n++], NEEDLE_MAX, "\n%s\n", path);
	if (!strncmp(path, "/usr/", 5))
		snprintf(needles[n++], NEEDLE_MAX, "\n%s\n", path + 4);
	else if (path[0] == '/')
		snprintf(needles[n++], NEEDLE_MAX, "\n/usr%s\n", path);
	return n;
}

int debuginfo_package(const char *dpkg_dir, const char *path, char *pkg,
		      size_t len)
{
	char needles[MAX_ALIASES][NEEDLE_MAX];
	size_t nneedles;
	struct dirent *de;
	DIR *dir;
	int rc = -ENOENT;

	if (strlen(path) + 4 > PATH_MAX)
		return -ENAMETOOLONG;
	dir = opendir(dpkg_dir);
	if (!dir)
		return -errno;
	nneedles = make_needles(path, needles);
	while (rc == -ENOENT && (de = readdir(dir))) {
		size_t nlen = strlen(de->d_name), tlen;
		char *text;

		if (nlen <= 5 || strcmp(de->d_name + nlen - 5, ".list"))
			continue;
		text = read_framed(dirfd(dir), de->d_name, &tlen);
		if (!text)
			continue;
		if (lists_path(text, tlen, needles, nneedles)) {
			/* "libc6:amd64.list" is package libc6 */
			size_t plen = strcspn(de->d_name, ":");

			if (plen > nlen - 5)
				plen = nlen - 5;
			snprintf(pkg, len, "%.*s", (int)plen, de->d_name);
			rc = 0;
		}
		free(text);
	}
	closedir(dir);
	return rc;
}

/* "ab/cdef...": the build-id as a file name under .build-id/, or "". */
static void build_id_name(Dwfl_Module *mod, char *buf, size_t len)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);
	size_t at = 0;

	buf[0] = '\0';
	if (n < 2 || len < 2 * (size_t)n + 2)
		return;
	for (int i = 0; i < n; i++) {
		at += (size_t)snprintf(buf + at, len - at, "%02x", bits[i]);
		if (i == 0)
			buf[at++] = '/';
	}
	buf[at] = '\0';
}

void debuginfo_note(Dwfl_Module *mod, const char *path,
		    const char *search_path, const char *dpkg_dir, char *buf,
		    size_t len)
{
	char pkg[128], id[2 * 64 + 2], dir[256];
	bool has_pkg = debuginfo_package(dpkg_dir, path, pkg, sizeof(pkg)) == 0;
	int at;

	build_id_name(mod, id, sizeof(id));
	first_debug_dir(search_path, dir, sizeof(dir));
	at = snprintf(buf, len, "note: no debug info for %s: arguments print "
		      "as raw registers only to conditions, else as (...)", path);
	if (at < 0 || (size_t)at >= len)
		return;
	if (has_pkg && id[0])
		snprintf(buf + at, len - (size_t)at, "; install %s-dbg (or %s-dbgsym), "
			 "or put its debug file at %s/.build-id/%s.debug",
			 pkg, pkg, dir, id);
	else if (has_pkg)
		snprintf(buf + at, len - (size_t)at, "; install %s-dbg (or %s-dbgsym)",
			 pkg, pkg);
	else if (id[0])
		snprintf(buf + at, len - (size_t)at, "; put its debug file at "
			 "%s/.build-id/%s.debug", dir, id);
	else
		snprintf(buf + at, len - (size_t)at, "; build it with -g");
}

void debuginfo_note_stripped(Dwfl_Module *mod, const char *path, bool is_static,
			     const char *search_path, char *buf, size_t len)
{
	char id[2 * 64 + 2], dir[256];
	int at;

	build_id_name(mod, id, sizeof(id));
	first_debug_dir(search_path, dir, sizeof(dir));
	if (is_static)
		at = snprintf(buf, len, "'%s' is static and stripped: no symbols, so no "
			      "function in it (libc's included) can be found", path);
	else
		at = snprintf(buf, len, "module '%s' has no symbols (stripped): its "
			      "functions cannot be found by name", path);
	if (at < 0 || (size_t)at >= len)
		return;
	if (id[0])
		snprintf(buf + at, len - (size_t)at, "; put its debug file at "
			 "%s/.build-id/%s.debug", dir, id);
	else
		snprintf(buf + at, len - (size_t)at, "; build it without -s or strip");
}

void debuginfo_note_partial(const char *path, const char *func, char *buf,
			    size_t len)
{
	snprintf(buf, len, "note: %s has no debug info for some of its functions, "
		 "e.g. %s (linked in from code built without -g, like a static "
		 "libc): their arguments print as raw registers only to conditions, "
		 "else as (...)", path, func);
}

void debuginfo_note_split(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "note: split DWARF of %s not found (its .dwo files, "
		 "next to it or in their compile directory): arguments print "
		 "as raw registers only to conditions, else as (...)", path);
}
