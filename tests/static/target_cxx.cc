// The C++ program of tests/static/clean_root.sh, built without debug
// information: latch names its functions by demangling their symbols,
// which latch-static does with the demangler linked into it. Calls
// ns::twice(int) 3 times.
#include <cstdio>

namespace ns {
__attribute__((noinline, noipa, used)) int twice(int v) { return v + v; }
}

int main()
{
	int sum = 0;

	for (int i = 1; i <= 3; i++)
		sum += ns::twice(i);
	std::printf("sum %d\n", sum);
	return sum == 12 ? 0 : 1;
}
