/* The files of a process's modules, opened as the process sees them.
 * /proc/PID/maps names each file by its path from the process's root, or
 * from the root of the process's mount namespace when latch's root is not
 * reachable from there (a container): latch, with another root, may find
 * nothing at that path, or another file. So a module's file is looked
 * for through /proc/PID/root, then at the path itself, and checked
 * against the mapping's device and inode; /proc/PID/map_files, which
 * opens the mapped file itself, covers a deleted file and one whose
 * identity the mount hides (overlayfs shows its own device). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "util/rootfs.h"
#include "symbols/priv.h"

#define DELETED " (deleted)"

static void free_maps(struct sym_files *f)
{
	for (size_t i = 0; i < f->nmaps; i++)
		free(f->maps[i].path);
	free(f->maps);
	f->maps = NULL;
	f->nmaps = 0;
}

static int add_map(struct sym_map **v, size_t *n, const struct sym_map *m)
{
	struct sym_map *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = *m;
	nv[*n].path = strdup(m->path);
	if (!nv[*n].path)
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* The file mappings of /proc/PID/maps, replacing those read before;
 * 0 or -errno (the old ones are kept then). */
static int read_maps(struct sym_files *f)
{
	char path[64], *line = NULL;
	size_t cap = 0, n = 0;
	struct sym_map *v = NULL;
	ssize_t len;
	FILE *in;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)f->pid);
	in = fopen(path, "re");
	if (!in)
		return -errno;
	while (!rc && (len = getline(&line, &cap, in)) > 0) {
		struct sym_map m;
		unsigned maj, min;
		uint64_t ino;
		int at = -1;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*x %x:%x %" SCNu64 " %n",
			   &m.start, &m.end, &maj, &min, &ino, &at) < 5 || at < 0)
			continue;
		m.path = line + at + strspn(line + at, " \t");
		if (m.path[0] != '/')
			continue;
		m.dev = makedev(maj, min);
		m.ino = (ino_t)ino;
		rc = add_map(&v, &n, &m);
	}
	free(line);
	fclose(in);
	if (rc) {
		struct sym_files tmp = { .maps = v, .nmaps = n };

		free_maps(&tmp);
		return rc;
	}
	free_maps(f);
	f->maps = v;
	f->nmaps = n;
	return 0;
}

static const struct sym_map *find_map(const struct sym_files *f,
				      const char *name, uint64_t start)
{
	for (size_t i = 0; i < f->nmaps; i++)
		if (f->maps[i].start == start && !strcmp(f->maps[i].path, name))
			return &f->maps[i];
	return NULL;
}

/* The mapping at start named name; a module reported since the last read
 * (a library loaded later) needs a new one. */
static const struct sym_map *map_of(struct sym_files *f, const char *name,
				    uint64_t start)
{
	const struct sym_map *m = find_map(f, name, start);

	if (!m && read_maps(f) == 0)
		m = find_map(f, name, start);
	return m;
}

static bool same_dir(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int sym_files_init(struct sym_files *f, pid_t pid)
{
	struct stat mine, theirs;
	char buf[PATH_MAX];
	ssize_t n;

	memset(f, 0, sizeof(*f));
	f->pid = pid;
	snprintf(f->root, sizeof(f->root), "/proc/%d/root", (int)pid);
	/* the only magic link followed: the process's root itself */
	f->root_fd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	f->host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->host_fd < 0)
		return -errno;
	/* unreadable (the process is gone): treated as sharing latch's */
	if (stat("/", &mine) != 0 || stat(f->root, &theirs) != 0 ||
	    same_dir(&mine, &theirs))
		return 0;
	f->other_root = true;
	/* A chroot: the kernel names its files with the directory's path in
	 * front ("/srv/jail/usr/lib/libc.so.6"), even where that directory
	 * is another mount namespace's and not the one latch sees there. */
	n = readlink(f->root, buf, sizeof(buf) - 1);
	if (n <= 1)
		return 0;
	buf[n] = '\0';
	if (buf[0] != '/')
		return 0;
	f->root_path = strdup(buf);
	if (!f->root_path)
		return -ENOMEM;
	f->root_len = (size_t)n;
	return 0;
}

void sym_files_free(struct sym_files *f)
{
	if (f->root_fd >= 0)
		close(f->root_fd);
	if (f->host_fd >= 0)
		close(f->host_fd);
	f->root_fd = f->host_fd = -1;
	free_maps(f);
	free(f->root_path);
	f->root_path = NULL;
}

const char *sym_files_debug_root(const struct sym_files *f)
{
	return f->other_root ? f->root : NULL;
}

static int adopt(Dwfl_Module *mod, void **userdata, const char *name,
		 Dwarf_Addr start, void *arg)
{
	(void)mod;
	(void)name;
	(void)start;
	if (!*userdata)
		*userdata = arg;
	return DWARF_CB_OK;
}

int sym_files_report(struct sym_files *f, Dwfl *dwfl)
{
	int rc = dwfl_linux_proc_report(dwfl, f->pid);

	if (rc != 0)
		return rc;
	/* a failed read is tried again when a module's file is wanted */
	if (read_maps(f) == -ENOMEM)
		return ENOMEM;
	/* libdwfl hands a module's userdata to its callbacks: through it
	 * sym_files_find_elf knows the process */
	dwfl_getmodules(dwfl, adopt, f, 0);
	return 0;
}

static bool is_deleted(const char *name, size_t *len)
{
	size_t n = strlen(name), d = strlen(DELETED);

	*len = n;
	if (n <= d || strcmp(name + n - d, DELETED))
		return false;
	*len = n - d;
	return true;
}

/* /proc/PID/map_files/..., a magic link to the mapped file itself: a
 * regular file only (a mapped device may block or act on open). */
static int open_mapped(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/* An opened file and the name it was opened by. */
struct found {
	int fd;
	struct stat st;
	char name[PATH_MAX];
};

static void drop(struct found *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Seen through an overlay mount, a file has the overlay's device and
 * inode but its own size and times. */
static bool same_contents(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool is_mapped(const struct stat *st, const struct sym_map *m)
{
	return st->st_dev == m->dev && st->st_ino == m->ino;
}

static int take(struct found *c, char **opened_as)
{
	if (opened_as) {
		*opened_as = strdup(c->name);
		if (!*opened_as) {
			drop(c);
			return -ENOMEM;
		}
	}
	return c->fd;
}

/* Open the first of the paths the file may have (through the process's
 * root, then as named) that is the mapped file, or keep the first that
 * opens in *first. */
static int open_by_path(const struct sym_files *f, const char *path, size_t len,
			const struct sym_map *m, struct found *first,
			struct found *hit)
{
	struct found c;

	for (int i = f->other_root ? 0 : 1; i < 2; i++) {
		int n = i == 0 ? snprintf(c.name, sizeof(c.name), "%s%.*s", f->root, (int)len, path)
			       : snprintf(c.name, sizeof(c.name), "%.*s", (int)len, path);

		if (n < 0 || (size_t)n >= sizeof(c.name))
			continue;
		c.fd = rootfs_open(i == 0 ? f->root_fd : f->host_fd,
				   c.name + (i == 0 ? strlen(f->root) : 0), &c.st);
		if (c.fd < 0)
			continue;
		if (m && is_mapped(&c.st, m)) {
			*hit = c;
			return 0;
		}
		if (first->fd < 0)
			*first = c;
		else
			drop(&c);
	}
	return -ENOENT;
}

int sym_files_open(struct sym_files *f, const char *name, uint64_t start,
		   char **opened_as)
{
	const struct sym_map *m = map_of(f, name, start);
	struct found first = { .fd = -1 }, hit = { .fd = -1 }, mapped = { .fd = -1 };
	size_t len;
	bool deleted = is_deleted(name, &len);

	if (opened_as)
		*opened_as = NULL;
	if (open_by_path(f, name, len, m, &first, &hit) == 0) {
		drop(&first);
		return take(&hit, opened_as);
	}
	if (m) {
		snprintf(mapped.name, sizeof(mapped.name), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
			 (int)f->pid, m->start, m->end);
		/* needs CAP_SYS_ADMIN */
		mapped.fd = open_mapped(mapped.name, &mapped.st);
	}
	if (mapped.fd >= 0 && first.fd >= 0 && !deleted &&
	    same_contents(&first.st, &mapped.st)) {
		/* by its path, its separate debug file is found next to it */
		drop(&mapped);
		return take(&first, opened_as);
	}
	if (mapped.fd >= 0) {
		drop(&first);
		return take(&mapped, opened_as);
	}
	/* Unchecked, as libdwfl would open it; a deleted file's name may
	 * be taken by its replacement. */
	if (first.fd >= 0 && !deleted)
		return take(&first, opened_as);
	drop(&first);
	return -ENOENT;
}

bool sym_files_is(struct sym_files *f, const char *name, uint64_t start,
		  const struct stat *st)
{
	const struct sym_map *m = map_of(f, name, start);

	return m && is_mapped(st, m);
}

int sym_files_find_elf(Dwfl_Module *mod, void **userdata, const char *name,
		       Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct sym_files *f = *userdata;
	int fd;

	/* the vdso ("[vdso: PID]") is read from memory; a module reported
	 * other than by sym_files_report has no files to look in */
	if (!f || name[0] != '/')
		return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	fd = sym_files_open(f, name, base, file_name);
	return fd >= 0 ? fd : -1;
}

const char *sym_files_shown(const struct sym_files *f, const char *name,
			    char **owned)
{
	size_t len;
	bool deleted = is_deleted(name, &len);

	*owned = NULL;
	if (f->root_path && len > f->root_len &&
	    !strncmp(name, f->root_path, f->root_len) && name[f->root_len] == '/') {
		name += f->root_len;
		len -= f->root_len;
	}
	if (!deleted)
		return name;
	*owned = strndup(name, len);
	return *owned;
}
