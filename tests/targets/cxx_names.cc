// C++ names for latch's e2e tests (tests/e2e/debuginfo.py): namespaces,
// a class, overloads, a template and an operator, each called a known
// number of times. Prints "pid N" first, then waits for -w's file if given.
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#define PROBE __attribute__((noinline))

namespace ns {

class Parser {
public:
	explicit Parser(int base) : base_(base) {}
	PROBE int parse(const char *s) const { return base_ + (int)std::strlen(s); }
	PROBE int parse(const std::string &s, int extra) const
	{
		return base_ + (int)s.size() + extra;
	}

private:
	int base_;
};

PROBE int fn(int x) { return x * 3; }
PROBE long fn(long x, long y) { return x + y; }

template <typename T> PROBE T twice(T v) { return v + v; }

struct Vec {
	int x, y;
	PROBE bool operator==(const Vec &o) const { return x == o.x && y == o.y; }
};

} // namespace ns

int main(int argc, char **argv)
{
	ns::Parser p(10);
	ns::Vec a{1, 2}, b{1, 2};
	long sum = 0;

	std::printf("pid %d\n", (int)getpid());
	std::fflush(stdout);
	if (argc > 2 && !std::strcmp(argv[1], "-w"))
		while (access(argv[2], F_OK) != 0)
			usleep(10000);
	for (int i = 0; i < 2; i++) {
		sum += p.parse("abc");
		sum += p.parse(std::string("hello"), i);
		sum += ns::fn(i);
		sum += ns::fn(7L, (long)i);
		sum += ns::twice(i);
		sum += a == b;
	}
	std::printf("sum %ld\n", sum);
	return 0;
}
