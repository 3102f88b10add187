/* v_cxx: C++ values: a class method's `this` (followed), a method that
 * changes the object, references (int&, const S&, a reference to a
 * pointer), std::string by const reference, by value (passed by invisible
 * reference) and returned (in memory), short (in-place) and long (heap)
 * strings, namespaced functions.  The display names are demangled without
 * parameters: "ns::Shape::area".
 * Usage: v_cxx; prints "expect" lines (vexpect.h). */
#include "vexpect.h"
#include <string>

namespace ns {

struct Pt {
	int x, y;
};

class Shape {
public:
	int w, h;
	TRACED int area() const;
	TRACED void grow(int k);
};

TRACED int Shape::area() const { return w * h; }
TRACED void Shape::grow(int k) { w += k; h += k; }

TRACED int twice(int &r) { r *= 2; return r; }
TRACED int psum(const Pt &p, Pt q) { return p.x + p.y + q.x + q.y; }
TRACED size_t len_ref(const std::string &s) { return s.size(); }
TRACED size_t len_val(std::string s) { return s.size(); }
TRACED std::string make(int n) { return std::string((size_t)n, 'x') + "!"; }
TRACED double scale(double f, const double &k) { return f * k; }

namespace inner {
TRACED long deep(long v) { return -v; }
}

} // namespace ns

static void ex_shape(const ns::Shape &s) { O(); K("w"); I(s.w); K("h"); I(s.h); OE(); }
static void ex_pt(const ns::Pt &p) { O(); K("x"); I(p.x); K("y"); I(p.y); OE(); }

int main()
{
	t_print_pid(stdout);

	ns::Shape sh;
	sh.w = 3;
	sh.h = 4;
	{
		int r = sh.area();
		X("ns::Shape::area"); K("this"); TO(&sh); ex_shape(sh); TOE(); XR(); I(r); XE();
	}
	{
		ns::Shape before = sh;
		sh.grow(2);
		X("ns::Shape::grow"); K("this"); TO(&sh); ex_shape(before); TOE(); K("k"); I(2); XV();
	}
	{
		int v = 21;
		int r = ns::twice(v);
		X("ns::twice"); K("r"); TO(&v); I(21); TOE(); XR(); I(r); XE();
	}
	{
		ns::Pt p = { 1, 2 }, q = { -3, -4 };
		int r = ns::psum(p, q);
		X("ns::psum"); K("p"); TO(&p); ex_pt(p); TOE(); K("q"); ex_pt(q); XR(); I(r); XE();
	}
	{
		std::string shortstr("short \xc3\xa9!"), longstr("a longer string, allocated on the heap\n");
		size_t r = ns::len_ref(shortstr);
		X("ns::len_ref"); K("s"); TO(&shortstr); SN(shortstr.data(), shortstr.size()); TOE(); XR(); U(r); XE();
		r = ns::len_ref(longstr);
		X("ns::len_ref"); K("s"); TO(&longstr); SN(longstr.data(), longstr.size()); TOE(); XR(); U(r); XE();
		r = ns::len_val(shortstr);
		X("ns::len_val"); K("s"); SN(shortstr.data(), shortstr.size()); XR(); U(r); XE();
		r = ns::len_val(longstr);
		X("ns::len_val"); K("s"); SN(longstr.data(), longstr.size()); XR(); U(r); XE();
		std::string empty;
		r = ns::len_val(empty);
		X("ns::len_val"); K("s"); SN("", 0); XR(); U(r); XE();
	}
	{
		int ns_[] = { 3, 30 };
		for (int n : ns_) {
			std::string s = ns::make(n);
			X("ns::make"); K("n"); I(n); XR(); SN(s.data(), s.size()); XE();
		}
	}
	{
		double k = 0.1;
		double r = ns::scale(2.5, k);
		X("ns::scale"); K("f"); F64(2.5); K("k"); TO(&k); F64(k); TOE(); XR(); F64(r); XE();
	}
	{
		long r = ns::inner::deep(123456789012L);
		X("ns::inner::deep"); K("v"); I(123456789012L); XR(); I(r); XE();
	}
	return 0;
}
