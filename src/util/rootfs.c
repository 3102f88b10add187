/* Files named by a traced process, opened inside its root only. A path
 * through /proc/PID/root resolves an absolute link against latch's root,
 * so a container's "/usr/lib/debug/.build-id/xx/y.debug -> /etc/shadow"
 * would hand root latch the host's file; a FIFO would block open(2)
 * forever. openat2's RESOLVE_IN_ROOT is what the kernel offers against
 * the first; O_NONBLOCK and a regular-file check against the second. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "util/rootfs.h"

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define MAX_LINKS 40     /* the kernel's own limit */

static int check_regular(int fd, struct stat *st)
{
	int err = 0;

	if (fstat(fd, st) != 0)
		err = -errno;
	else if (!S_ISREG(st->st_mode))
		err = -ENODEV;
	else if (st->st_size > ROOTFS_MAX_SIZE)
		err = -EFBIG;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* A directory fd for the components of rel (from root), none a link. */
static int walk_dirs(int root, const char *rel)
{
	char comp[NAME_MAX + 1];
	int cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	while (cur >= 0 && *rel) {
		size_t n = strcspn(rel, "/");
		int next;

		if (n > NAME_MAX) {
			close(cur);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, rel, n);
		comp[n] = '\0';
		rel += n + (rel[n] == '/');
		next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		cur = next;
	}
	return cur;
}

/* Drop the last component of rel ("a/b" -> "a", "a" -> ""). */
static void up(char *rel)
{
	char *slash = strrchr(rel, '/');

	if (slash)
		*slash = '\0';
	else
		rel[0] = '\0';
}

int rootfs_open_walk(int root, const char *path, struct stat *st)
{
	/* todo: the part of the path still to walk; rel: the directories
	 * walked so far, from root, for ".." */
	char todo[2 * PATH_MAX], rel[PATH_MAX] = "", comp[NAME_MAX + 1];
	char target[PATH_MAX];
	int cur, links = 0, err = 0;

	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return -ENAMETOOLONG;
	cur = walk_dirs(root, "");
	if (cur < 0)
		return -errno;
	for (char *p = todo; *p;) {
		size_t n = strcspn(p, "/");
		bool last = !p[n] || !p[n + strspn(p + n, "/")];
		int fd;

		if (n > NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + strspn(p + n, "/");
		if (!n || !strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			up(rel);
			close(cur);
			if ((cur = walk_dirs(root, rel)) < 0)
				return -errno;
			continue;
		}
		fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, st) != 0) {
			err = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISLNK(st->st_mode)) {
			ssize_t len = readlinkat(fd, "", target, sizeof(target) - 1);

			close(fd);
			if (len < 0 || ++links > MAX_LINKS) {
				err = len < 0 ? -errno : -ELOOP;
				break;
			}
			target[len] = '\0';
			/* the link's text, then what was left after it */
			char rest[2 * PATH_MAX];

			if (snprintf(rest, sizeof(rest), "%s/%s", target, p) >= (int)sizeof(rest)) {
				err = -ENAMETOOLONG;
				break;
			}
			memcpy(todo, rest, sizeof(todo));
			p = todo;
			if (target[0] == '/') {
				rel[0] = '\0';
				close(cur);
				if ((cur = walk_dirs(root, "")) < 0)
					return -errno;
			}
			continue;
		}
		if (last) {
			close(fd);
			/* O_NOFOLLOW and O_NONBLOCK: whatever was swapped in
			 * since cannot lead elsewhere nor block */
			fd = openat(cur, comp, OPEN_FLAGS | O_NOFOLLOW);
			err = fd < 0 ? -errno : check_regular(fd, st);
			close(cur);
			return err;
		}
		if (!S_ISDIR(st->st_mode) ||
		    strlen(rel) + n + 2 > sizeof(rel)) {
			close(fd);
			err = S_ISDIR(st->st_mode) ? -ENAMETOOLONG : -ENOTDIR;
			break;
		}
		if (rel[0])
			strcat(rel, "/");
		strcat(rel, comp);
		close(cur);
		cur = fd;
	}
	close(cur);
	return err ? err : -EISDIR;   /* the path named a directory */
}

int rootfs_open(int root, const char *path, struct stat *st)
{
	struct open_how how = {
		.flags = OPEN_FLAGS,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		return rootfs_open_walk(root, path, st);   /* an old kernel, or seccomp */
	if (fd < 0)
		return -errno;
	return check_regular((int)fd, st);
}

bool rootfs_plain_name(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}
