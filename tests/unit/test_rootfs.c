/* Opening files a hostile process names, inside its root (util/rootfs.c): the
 * openat2 path and the component walk of older kernels, on one tree:
 *   ROOT/lib/real.so        a regular file ("inside")
 *   ROOT/lib/abs -> /lib/real.so          absolute: ROOT's own file
 *   ROOT/lib/out -> OUTSIDE/secret        absolute, to a host path
 *   ROOT/lib/up -> ../../../../../OUTSIDE/secret   climbing out
 *   ROOT/lib/rel -> ../lib/./real.so
 *   ROOT/lib/fifo, ROOT/lib/dir/          no regular files
 *   ROOT/proc-self -> /proc/self/root     a magic link
 *   OUTSIDE/secret, and OUTSIDE/lib/real.so ("outside") beside it. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/rootfs.h"

static char base[] = "/tmp/latch-rootfs-XXXXXX";
static char root[256], outside[256];
static int rootfd = -1;

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void make_tree(void)
{
	char p[512], t[512];

	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(p, sizeof(p), "%s/lib/dir", root);
	ck_assert_int_eq(mkdir(root, 0755) || mkdir(outside, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib/dir", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib/real.so", root);
	put(p, "inside");
	snprintf(p, sizeof(p), "%s/secret", outside);
	put(p, "secret");
	snprintf(p, sizeof(p), "%s/lib", outside);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib/real.so", outside);
	put(p, "outside");
	snprintf(p, sizeof(p), "%s/lib/abs", root);
	ck_assert_int_eq(symlink("/lib/real.so", p), 0);
	snprintf(p, sizeof(p), "%s/lib/out", root);
	snprintf(t, sizeof(t), "%s/secret", outside);
	ck_assert_int_eq(symlink(t, p), 0);
	snprintf(p, sizeof(p), "%s/lib/up", root);
	snprintf(t, sizeof(t), "../../../../../..%s/secret", outside);
	ck_assert_int_eq(symlink(t, p), 0);
	snprintf(p, sizeof(p), "%s/lib/rel", root);
	ck_assert_int_eq(symlink("../lib/./real.so", p), 0);
	snprintf(p, sizeof(p), "%s/lib/fifo", root);
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/proc-self", root);
	ck_assert_int_eq(symlink("/proc/self/root", p), 0);
	rootfd = open(root, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(rootfd, 0);
}

/* What open gives for path: its text, or "-ERRNO". */
static const char *opened(int (*open_fn)(int, const char *, struct stat *), const char *path)
{
	static char buf[64];
	struct stat st;
	int fd = open_fn(rootfd, path, &st);
	ssize_t n;

	if (fd < 0) {
		snprintf(buf, sizeof(buf), "-%s", strerrorname_np(-fd));
		return buf;
	}
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void check_tree(int (*open_fn)(int, const char *, struct stat *))
{
	if (rootfd < 0)
		make_tree();
	ck_assert_str_eq(opened(open_fn, "/lib/real.so"), "inside");
	ck_assert_str_eq(opened(open_fn, "lib//./real.so"), "inside");
	ck_assert_str_eq(opened(open_fn, "/../../lib/real.so"), "inside");
	ck_assert_str_eq(opened(open_fn, "/lib/abs"), "inside");
	ck_assert_str_eq(opened(open_fn, "/lib/rel"), "inside");
	/* the host's files stay out of reach */
	ck_assert_str_eq(opened(open_fn, "/lib/out"), "-ENOENT");
	ck_assert_str_eq(opened(open_fn, "/lib/up"), "-ENOENT");
	/* not regular, and opening them does not block */
	ck_assert_str_eq(opened(open_fn, "/lib/fifo"), "-ENODEV");
	ck_assert_str_eq(opened(open_fn, "/lib/dir"), "-ENODEV");
	/* a link to /proc/self/root is the root's own /proc (none) */
	ck_assert_str_eq(opened(open_fn, "/proc-self/etc/passwd"), "-ENOENT");
}

START_TEST(openat2_stays_inside) { check_tree(rootfs_open); }
END_TEST

START_TEST(walk_stays_inside) { check_tree(rootfs_open_walk); }
END_TEST

START_TEST(debug_link_names)
{
	ck_assert(rootfs_plain_name("libc.so.6.debug"));
	ck_assert(rootfs_plain_name("..debug"));
	ck_assert(!rootfs_plain_name(""));
	ck_assert(!rootfs_plain_name(NULL));
	ck_assert(!rootfs_plain_name("."));
	ck_assert(!rootfs_plain_name(".."));
	ck_assert(!rootfs_plain_name("../../../../etc/shadow"));
	ck_assert(!rootfs_plain_name("/etc/shadow"));
	ck_assert(!rootfs_plain_name("sub/x.debug"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rootfs");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;
	char cmd[300];

	tcase_add_test(tc, openat2_stays_inside);
	tcase_add_test(tc, walk_stays_inside);
	tcase_add_test(tc, debug_link_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);   /* one tree for all */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (rootfd >= 0 && system(cmd) != 0)
		failed++;
	return failed ? 1 : 0;
}
