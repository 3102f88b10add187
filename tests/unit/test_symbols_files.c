/* Where a process's module files are: the test's own process, a file
 * it maps and deletes, and (as root) a child in a chroot. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "symbols/priv.h"

START_TEST(shown_names)
{
	struct sym_files f = { .root_path = (char *)"/srv/jail", .root_len = 9 };
	char *owned;

	ck_assert_str_eq(sym_files_shown(&f, "/srv/jail/usr/lib/libc.so.6", &owned),
			 "/usr/lib/libc.so.6");
	ck_assert_ptr_null(owned);
	/* a sibling directory, and the root itself, keep their names */
	ck_assert_str_eq(sym_files_shown(&f, "/srv/jailer/x", &owned), "/srv/jailer/x");
	ck_assert_str_eq(sym_files_shown(&f, "/srv/jail", &owned), "/srv/jail");
	ck_assert_str_eq(sym_files_shown(&f, "/srv/jail/bin/a (deleted)", &owned), "/bin/a");
	ck_assert_ptr_nonnull(owned);
	free(owned);
	f.root_path = NULL;
	f.root_len = 0;
	ck_assert_str_eq(sym_files_shown(&f, "/srv/jail/bin/a", &owned), "/srv/jail/bin/a");
	ck_assert_str_eq(sym_files_shown(&f, "/tmp/x (deleted)", &owned), "/tmp/x");
	free(owned);
	ck_assert_str_eq(sym_files_shown(&f, "/tmp/(deleted)", &owned), "/tmp/(deleted)");
	ck_assert_ptr_null(owned);
}
END_TEST

/* The start of the first mapping of path in this process, or 0. */
static uint64_t first_mapping(const char *path)
{
	char line[PATH_MAX + 128];
	uint64_t start = 0, lo;
	FILE *f = fopen("/proc/self/maps", "r");
	int at;

	ck_assert_ptr_nonnull(f);
	while (!start && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%" SCNx64 "-%*x %*s %*x %*x:%*x %*u %n", &lo, &at) == 1 &&
		    !strcmp(line + at + strspn(line + at, " "), path))
			start = lo;
	}
	fclose(f);
	return start;
}

START_TEST(own_executable)
{
	struct sym_files f;
	char exe[PATH_MAX], *as;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	uint64_t start;
	struct stat want, got, root;
	int fd;

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	start = first_mapping(exe);
	ck_assert_uint_ne(start, 0);
	ck_assert_int_eq(sym_files_init(&f, getpid()), 0);
	ck_assert(!f.other_root);
	ck_assert_ptr_null(f.root_path);
	ck_assert_ptr_null(sym_files_debug_root(&f));
	fd = sym_files_open(&f, exe, start, &as);
	ck_assert_int_ge(fd, 0);
	/* by its path, where its separate debug files are looked for */
	ck_assert_str_eq(as, exe);
	ck_assert_int_eq(fstat(fd, &got), 0);
	ck_assert_int_eq(stat(exe, &want), 0);
	ck_assert(got.st_dev == want.st_dev && got.st_ino == want.st_ino);
	ck_assert(sym_files_is(&f, exe, start, &want));
	ck_assert_int_eq(stat("/", &root), 0);
	ck_assert(!sym_files_is(&f, exe, start, &root));
	close(fd);
	free(as);
	sym_files_free(&f);
}
END_TEST

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

START_TEST(deleted_and_replaced)
{
	char path[] = "/tmp/latch-files-XXXXXX", name[64], mapped[4096] = "the mapped one";
	char buf[32] = "", *as = NULL;
	int fd = mkstemp(path);
	struct sym_files f;
	void *map;

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(path, mapped, sizeof(mapped));
	fd = open(path, O_RDONLY);
	map = mmap(NULL, sizeof(mapped), PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	close(fd);
	/* an upgrade: the file is replaced by another under its name */
	unlink(path);
	write_file(path, "the new one", 11);
	snprintf(name, sizeof(name), "%s (deleted)", path);
	ck_assert_uint_eq(first_mapping(name), (uint64_t)(uintptr_t)map);
	ck_assert_int_eq(sym_files_init(&f, getpid()), 0);
	fd = sym_files_open(&f, name, (uint64_t)(uintptr_t)map, &as);
	if (geteuid() == 0) {
		ck_assert_int_ge(fd, 0);
		ck_assert_ptr_nonnull(strstr(as, "/map_files/"));
	}
	if (fd >= 0) {
		ck_assert_int_eq(pread(fd, buf, 14, 0), 14);
		ck_assert_str_eq(buf, "the mapped one");
		close(fd);
	} else {
		/* without CAP_SYS_ADMIN: never the replacement */
		ck_assert_int_eq(fd, -ENOENT);
	}
	free(as);
	sym_files_free(&f);
	munmap(map, sizeof(mapped));
	unlink(path);
}
END_TEST

START_TEST(process_in_chroot)
{
	char dir[] = "/tmp/latch-jail-XXXXXX", real[PATH_MAX], *owned, debug[64];
	char lib[PATH_MAX + 32];
	int go[2];
	struct sym_files f;
	pid_t pid;
	char c;

	if (geteuid() != 0)
		return;     /* chroot needs root */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(realpath(dir, real));
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[0]);
		if (chroot(dir) != 0)
			_exit(1);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]);
	ck_assert_int_eq(read(go[0], &c, 1), 1);
	close(go[0]);
	ck_assert_int_eq(sym_files_init(&f, pid), 0);
	ck_assert(f.other_root);
	ck_assert_str_eq(f.root_path, real);
	snprintf(debug, sizeof(debug), "/proc/%d/root", (int)pid);
	ck_assert_str_eq(sym_files_debug_root(&f), debug);
	snprintf(lib, sizeof(lib), "%s/lib/libc.so.6", real);
	ck_assert_str_eq(sym_files_shown(&f, lib, &owned), "/lib/libc.so.6");
	sym_files_free(&f);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("symbols_files");
	TCase *tc = tcase_create("files");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, shown_names);
	tcase_add_test(tc, own_executable);
	tcase_add_test(tc, deleted_and_replaced);
	tcase_add_test(tc, process_in_chroot);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
