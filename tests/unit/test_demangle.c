/* C++ names: display and match forms of what the demangler prints. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/demangle.h"

struct split_case {
	const char *demangled, *display, *full, *bare;
};

static const struct split_case cases[] = {
	{ "ns::Parser::parse(char const*) const", "ns::Parser::parse",
	  "ns::Parser::parse(char const*)const", NULL },
	{ "int ns::fn<int>(int)", "ns::fn<int>", "ns::fn<int>(int)", "ns::fn" },
	{ "std::vector<int, std::allocator<int> > ns::make<int>(unsigned long)",
	  "ns::make<int>", "ns::make<int>(unsigned long)", "ns::make" },
	{ "ns::fn(long, unsigned long, char const*)", "ns::fn",
	  "ns::fn(long,unsigned long,char const*)", NULL },
	{ "std::vector<int, std::allocator<int> >::push_back(int const&)",
	  "std::vector<int, std::allocator<int> >::push_back",
	  "std::vector<int,std::allocator<int>>::push_back(int const&)",
	  "std::vector::push_back" },
	{ "ns::Functor::operator()(int)", "ns::Functor::operator()",
	  "ns::Functor::operator()(int)", NULL },
	{ "operator<<(std::ostream&, Foo const&)", "operator<<",
	  "operator<<(std::ostream&,Foo const&)", NULL },
	{ "bool operator< <Foo>(Foo const&, Foo const&)", "operator< <Foo>",
	  "operator< <Foo>(Foo const&,Foo const&)", "operator<" },
	{ "ns::Box<int>::operator<<(int)", "ns::Box<int>::operator<<",
	  "ns::Box<int>::operator<<(int)", "ns::Box::operator<<" },
	{ "Foo::operator->() const", "Foo::operator->",
	  "Foo::operator->()const", NULL },
	{ "Foo::operator char const*() const", "Foo::operator char const*",
	  "Foo::operator char const*()const", NULL },
	{ "Foo::operator std::vector<int, std::allocator<int> >()",
	  "Foo::operator std::vector<int, std::allocator<int> >",
	  "Foo::operator std::vector<int,std::allocator<int>>()",
	  "Foo::operator std::vector" },
	{ "operator new(unsigned long)", "operator new",
	  "operator new(unsigned long)", NULL },
	{ "operator delete[](void*)", "operator delete[]",
	  "operator delete[](void*)", NULL },
	{ "main::{lambda(int)#1}::operator()(int) const",
	  "main::{lambda(int)#1}::operator()",
	  "main::{lambda(int)#1}::operator()(int)const", NULL },
	{ "ns::f(int)::{lambda()#1}::operator()() const",
	  "ns::f(int)::{lambda()#1}::operator()",
	  "ns::f(int)::{lambda()#1}::operator()()const", NULL },
	{ "(anonymous namespace)::helper(int)", "(anonymous namespace)::helper",
	  "(anonymous namespace)::helper(int)", NULL },
	{ "ns::foo(int) [clone .isra.0]", "ns::foo.isra.0", "ns::foo(int)", NULL },
	{ "ns::foo(int) [clone .constprop.0] [clone .isra.0]",
	  "ns::foo.constprop.0.isra.0", "ns::foo(int)", NULL },
	{ "non-virtual thunk to Derived::f(int)",
	  "non-virtual thunk to Derived::f",
	  "non-virtual thunk to Derived::f(int)", NULL },
	{ "ns::name[abi:cxx11](int)", "ns::name", "ns::name[abi:cxx11](int)", NULL },
	{ "Foo::operator<=>(Foo const&) const", "Foo::operator<=>",
	  "Foo::operator<=>(Foo const&)const", NULL },
	{ "ns::Tmpl<(ns::Kind)1>::get()", "ns::Tmpl<(ns::Kind)1>::get",
	  "ns::Tmpl<(ns::Kind)1>::get()", "ns::Tmpl::get" },
};

START_TEST(split_forms)
{
	const struct split_case *c = &cases[_i];
	struct cxx_name n;

	ck_assert_int_eq(demangle_split(c->demangled, &n), 0);
	ck_assert_str_eq(n.display, c->display);
	ck_assert_str_eq(n.full, c->full);
	if (c->bare)
		ck_assert_str_eq(n.bare, c->bare);
	else
		ck_assert_ptr_null(n.bare);
	ck_assert(!n.generated == !strstr(c->demangled, "thunk to "));
	cxx_name_free(&n);
}
END_TEST

START_TEST(split_rejects_nameless)
{
	struct cxx_name n;

	ck_assert_int_eq(demangle_split("(int)", &n), -EINVAL);
	ck_assert_ptr_null(n.display);
	ck_assert_int_eq(demangle_split("", &n), -EINVAL);
	ck_assert_int_eq(demangle_split("virtual thunk to ", &n), -EINVAL);
}
END_TEST

START_TEST(symbols)
{
	struct cxx_name n;

	ck_assert_int_eq(demangle_symbol("_ZN2ns6Parser5parseEPKc", &n), 0);
	ck_assert_str_eq(n.display, "ns::Parser::parse");
	ck_assert_str_eq(n.full, "ns::Parser::parse(char const*)");
	cxx_name_free(&n);
	ck_assert_int_eq(demangle_symbol("_ZN2ns3fooEi.isra.0", &n), 0);
	ck_assert_str_eq(n.display, "ns::foo.isra.0");
	cxx_name_free(&n);
	ck_assert_int_eq(demangle_symbol("_Z2fnIiEvT_", &n), 0);
	ck_assert_str_eq(n.display, "fn<int>");
	ck_assert_str_eq(n.full, "fn<int>(int)");
	ck_assert_str_eq(n.bare, "fn");
	cxx_name_free(&n);
	/* C names and garbage are not C++ names */
	ck_assert_int_eq(demangle_symbol("malloc", &n), -EINVAL);
	ck_assert_int_eq(demangle_symbol("_Znot a name", &n), -EINVAL);
	ck_assert_ptr_null(n.display);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("demangle");
	TCase *tc = tcase_create("names");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, split_forms, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, split_rejects_nameless);
	tcase_add_test(tc, symbols);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
