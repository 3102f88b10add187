/* Loading a shared library, as latch-static does it: never. The only
 * caller is libdw's debuginfod client, which would load libdebuginfod.so
 * (and with it libcurl and the host's libc.so) into a process whose glibc
 * is linked in and maybe of another version than the host's: glibc's
 * static dlopen needs the very glibc it was built with. The Makefile
 * links latch-static with --wrap=dlopen, so that the client's dlopen is
 * this one: it finds no library, and libdw looks for debug files on the
 * host alone. (glibc's own dlopen stays linked, unused, for its iconv
 * modules, which a program in the C locale never loads.) */
#include <stddef.h>

void *__wrap_dlopen(const char *file, int mode);

void *__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}
