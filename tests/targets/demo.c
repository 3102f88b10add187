/* The demo target of `make demo`: a tiny "server" that handles a fixed
 * list of requests and exits 0. Deterministic, quick, silent (the trace
 * is the output). Built with -O0 -g -fno-inline by tests/demo.sh. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum method { GET, POST, DELETE };

struct page {
	const char *path;
	const char *body;
};

struct request {
	enum method m;
	bool keepalive;
	char path[32];
};

static const struct page pages[] = {
	{ "/index.html", "<h1>hello</h1>" },
	{ "/api/users", "[\"ada\", \"grace\"]" },
};

static struct request requests[8];
static int nrequests;

/* "METHOD PATH [keep-alive]": the new request's id, or -1. */
int parse_request(const char *line, int len)
{
	static const char *const names[] = { "GET", "POST", "DELETE" };
	struct request r = { 0 };
	const char *end = line + len, *p, *sp;
	size_t n;
	int i;

	if (nrequests == (int)(sizeof requests / sizeof requests[0]))
		return -1;
	sp = memchr(line, ' ', len);
	if (!sp)
		return -1;
	for (i = 0; i < 3; i++)
		if ((size_t)(sp - line) == strlen(names[i]) &&
		    memcmp(line, names[i], sp - line) == 0)
			break;
	if (i == 3)
		return -1;
	r.m = (enum method)i;
	p = sp + 1;
	sp = memchr(p, ' ', end - p);
	n = (size_t)((sp ? sp : end) - p);
	if (n == 0 || n >= sizeof r.path || p[0] != '/')
		return -1;
	memcpy(r.path, p, n);
	r.keepalive = sp && (size_t)(end - sp - 1) == strlen("keep-alive") &&
		      memcmp(sp + 1, "keep-alive", end - sp - 1) == 0;
	requests[nrequests] = r;
	return nrequests++;
}

/* The page for key, or NULL. */
const struct page *lookup(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof pages / sizeof pages[0]; i++)
		if (strcmp(pages[i].path, key) == 0)
			return &pages[i];
	return NULL;
}

/* Handle request id: an HTTP status. */
int handle(int id, enum method m, bool keepalive)
{
	const struct page *pg = lookup(requests[id].path);

	(void)keepalive;
	if (!pg)
		return 404;
	switch (m) {
	case GET:
		return 200;
	case POST:
		return 201;
	case DELETE:
		return 204;
	}
	return 400;
}

int main(void)
{
	static const char *const lines[] = {
		"GET /index.html keep-alive",
		"POST /api/users",
		"GET /favicon.ico keep-alive",
		"BREW /coffee",
		"DELETE /api/users",
	};
	size_t i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		int id = parse_request(lines[i], (int)strlen(lines[i]));

		if (id < 0)
			continue;
		handle(id, requests[id].m, requests[id].keepalive);
	}
	return 0;
}
