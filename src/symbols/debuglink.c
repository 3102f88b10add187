/* Separate debug files, found as libdwfl's standard search would (by
 * build-id, then by .gnu_debuglink, and the dwz file a debug file names
 * in .gnu_debugaltlink), but opened inside the root they belong to with
 * rootfs_open: the process names them, and may be hostile. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/rootfs.h"
#include "symbols/priv.h"

/* A place to look: a path under a root (sym_files' root_fd or host_fd). */
struct place {
	int fd;
	char path[PATH_MAX];
};

/* Where the file libdwfl knows as name (one of ours: "/proc/PID/root/..."
 * for one inside the process's root, a path of latch's otherwise). */
static bool place_of(const struct sym_files *f, const char *name, struct place *pl)
{
	size_t rl = strlen(f->root);
	bool inside = !strncmp(name, f->root, rl) && name[rl] == '/';

	if (!inside && !strncmp(name, "/proc/", 6))
		return false;   /* /proc/PID/map_files: no directory to look in */
	pl->fd = inside ? f->root_fd : f->host_fd;
	return snprintf(pl->path, sizeof(pl->path), "%s", inside ? name + rl : name) <
	       (int)sizeof(pl->path);
}

/* Open pl, giving libdwfl its name as place_of reads it back. */
static int try_open(const struct sym_files *f, const struct place *pl, char **name)
{
	struct stat st;
	int fd = rootfs_open(pl->fd, pl->path, &st);

	if (fd < 0)
		return -1;
	if (pl->fd == f->root_fd && f->other_root) {
		if (asprintf(name, "%s%s", f->root, pl->path) < 0)
			*name = NULL;
	} else {
		*name = strdup(pl->path);
	}
	if (!*name) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The debug directories of the search path (debuginfo_search_path's),
 * each in the root it is in: "/proc/PID/root/..." in the process's, any
 * other in latch's. Calls fn for each until it returns >= 0. */
static int each_debug_dir(const struct sym_files *f,
			  int (*fn)(const struct sym_files *, int fd, const char *dir,
				    size_t len, void *), void *arg)
{
	size_t rl = strlen(f->root);
	int fd = -1;

	for (const char *p = f->debug_path; fd < 0 && p && *p;) {
		size_t n = strcspn(p, ":");

		if (n > rl && !strncmp(p, f->root, rl) && p[rl] == '/')
			fd = fn(f, f->root_fd, p + rl, n - rl, arg);
		else if (n && p[0] == '/')
			fd = fn(f, f->host_fd, p, n, arg);
		p += p[n] ? n + 1 : n;
	}
	return fd;
}

struct lookup {
	const char *rel;       /* what to find under a directory */
	char **name;
	const char *under;     /* the path must be under a debug directory */
	int under_fd;
	bool is_under;
};

static int open_under(const struct sym_files *f, int fd, const char *dir, size_t len,
		      void *arg)
{
	struct lookup *l = arg;
	struct place pl = { .fd = fd };

	if (snprintf(pl.path, sizeof(pl.path), "%.*s/%s", (int)len, dir, l->rel) >=
	    (int)sizeof(pl.path))
		return -1;
	return try_open(f, &pl, l->name);
}

static int by_build_id(const struct sym_files *f, Dwfl_Module *mod, char **name)
{
	const unsigned char *id;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &id, &vaddr);
	char rel[2 * 64 + 32], *p = rel;
	struct lookup l = { .rel = rel, .name = name };

	if (len < 2 || len > 64)
		return -1;
	p += sprintf(p, ".build-id/%02x/", id[0]);
	for (int i = 1; i < len; i++)
		p += sprintf(p, "%02x", id[i]);
	strcpy(p, ".debug");
	return each_debug_dir(f, open_under, &l);
}

/* NAME next to the file, in its .debug/, and under each debug directory
 * by the file's own directory (the GDB rules). */
static int by_debuglink(const struct sym_files *f, const char *file, const char *link,
			char **name)
{
	struct place pl;
	char rel[PATH_MAX];
	char *slash;
	struct lookup l = { .rel = rel, .name = name };
	int fd;

	if (!rootfs_plain_name(link) || !place_of(f, file, &pl))
		return -1;
	slash = strrchr(pl.path, '/');
	if (!slash)
		return -1;
	slash[1] = '\0';
	for (int i = 0; i < 2; i++) {
		struct place c = { .fd = pl.fd };

		if (snprintf(c.path, sizeof(c.path), "%s%s%s", pl.path, i ? ".debug/" : "", link) <
		    (int)sizeof(c.path) && (fd = try_open(f, &c, name)) >= 0)
			return fd;
	}
	if (snprintf(rel, sizeof(rel), "%s%s", pl.path + 1, link) >= (int)sizeof(rel))
		return -1;
	return each_debug_dir(f, open_under, &l);
}

/* Resolve "." and ".." in path (absolute) as text. */
static void normalise(char *path)
{
	char out[PATH_MAX] = "";
	size_t n = 0;

	for (char *p = path; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2)) {
			while (n && out[--n] != '/')
				;
			out[n] = '\0';
		} else if (len && !(len == 1 && *p == '.') && n + len + 2 < sizeof(out)) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
			out[n] = '\0';
		}
		p += len + (p[len] == '/');
	}
	strcpy(path, n ? out : "/");
}

static int check_under(const struct sym_files *f, int fd, const char *dir, size_t len,
		       void *arg)
{
	struct lookup *l = arg;

	(void)f;
	if (fd == l->under_fd && !strncmp(l->under, dir, len) && l->under[len] == '/')
		l->is_under = true;
	return -1;
}

/* The dwz file, named absolute or relative to the debug file: in the same
 * root, and only under a debug directory (it is a debug file too). */
static int by_altlink(const struct sym_files *f, const char *file, const char *alt,
		      char **name)
{
	struct place pl;
	char *slash;
	struct lookup l = { 0 };

	if (!place_of(f, file, &pl))
		return -1;
	if (alt[0] == '/') {
		if (snprintf(pl.path, sizeof(pl.path), "%s", alt) >= (int)sizeof(pl.path))
			return -1;
	} else {
		char dir[PATH_MAX];

		slash = strrchr(pl.path, '/');
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - pl.path) : 0, pl.path);
		if (snprintf(pl.path, sizeof(pl.path), "%s/%s", dir, alt) >= (int)sizeof(pl.path))
			return -1;
	}
	normalise(pl.path);
	l.under = pl.path;
	l.under_fd = pl.fd;
	each_debug_dir(f, check_under, &l);
	return l.is_under ? try_open(f, &pl, name) : -1;
}

/* Nothing in any root: debuginfod, when DEBUGINFOD_URLS asks for it.
 * libdwfl's standard search asks it last; the search path it is given
 * (symtab_open) finds no file before that. */
static int by_debuginfod(Dwfl_Module *mod, void **userdata, const char *modname,
			 Dwarf_Addr base, const char *file, char **name)
{
	const char *urls = getenv("DEBUGINFOD_URLS");

	if (!urls || !*urls)
		return -1;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file, NULL, 0, name);
}

int sym_files_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			     Dwarf_Addr base, const char *file_name,
			     const char *debuglink_file, GElf_Word debuglink_crc,
			     char **debuginfo_file_name)
{
	const struct sym_files *f = *userdata;
	int fd;

	/* libdwfl opens a name left behind even when we return -1 */
	*debuginfo_file_name = NULL;
	if (!f || !file_name)
		return -1;
	/* libdwfl asks for the dwz file with no CRC (a debug link always
	 * has one) */
	if (debuglink_file && !debuglink_crc) {
		fd = by_altlink(f, file_name, debuglink_file, debuginfo_file_name);
	} else {
		fd = by_build_id(f, mod, debuginfo_file_name);
		if (fd < 0 && debuglink_file)
			fd = by_debuglink(f, file_name, debuglink_file, debuginfo_file_name);
	}
	if (fd < 0)
		fd = by_debuginfod(mod, userdata, modname, base, file_name, debuginfo_file_name);
	return fd;
}
