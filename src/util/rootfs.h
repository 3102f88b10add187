/* Opening files that an untrusted process names (its executable, its
 * libraries, their debug links and build-id files), as that process would
 * find them and no further: latch runs as root, and a container's owner
 * controls every link and special file in it. */
#ifndef LATCH_ROOTFS_H
#define LATCH_ROOTFS_H

#include <stdbool.h>
#include <sys/stat.h>

/* Larger files are refused: no ELF or debug file is this big. */
#define ROOTFS_MAX_SIZE (16ll << 30)

/* Open path for reading as if root (a directory fd) were "/": absolute
 * links and ".." never leave it, /proc-style magic links are not
 * followed, nothing can block (O_NONBLOCK, O_NOCTTY), and only a regular
 * file of at most ROOTFS_MAX_SIZE bytes is accepted (-ENODEV, -EFBIG
 * otherwise). *st gets its stat. A file descriptor, or -errno. */
int rootfs_open(int root, const char *path, struct stat *st);

/* The same without openat2(2) (kernels before 5.6): a walk of the path
 * one component at a time with O_NOFOLLOW, links read and resolved
 * inside root. rootfs_open falls back to it by itself. */
int rootfs_open_walk(int root, const char *path, struct stat *st);

/* Is name a valid .gnu_debuglink: a plain file name, no directory part? */
bool rootfs_plain_name(const char *name);

#endif
