# latch: one Makefile. `make` builds, `make check` tests everything,
# `make demo` traces the bundled demo, `make bench` compares with peers,
# `make static` builds build/latch-static, one file to copy to a host.
ARCH    ?= $(shell uname -m)
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Isrc -Icmd -Iarch/$(ARCH) -D_GNU_SOURCE
LDLIBS  := -ldw -lelf -lcapstone -lcurl -pthread
VERSION := 0.1.0
CFLAGS  += -DLATCH_VERSION='"$(VERSION)"'

B       := build
ALL_SRC := $(wildcard src/*.c src/output/*.c arch/$(ARCH)/*.c)
# Two builds of the same sources, told apart by the files they link:
# latch loads libstdc++'s demangler at run time and exports over libcurl;
# latch-static (`make static`), one file to copy to a host, has the
# demangler linked in, no HTTP export, and a dlopen that loads nothing.
DYNAMIC_ONLY := src/demangle_dl.c src/output/otlp_http.c
STATIC_ONLY  := src/demangle_linked.c src/output/otlp_http_none.c src/dl_none.c
SRC     := $(filter-out $(STATIC_ONLY),$(ALL_SRC))
OBJ     := $(SRC:%.c=$(B)/%.o)
STATIC_OBJ := $(patsubst %.c,$(B)/%.o,$(filter-out $(DYNAMIC_ONLY),$(ALL_SRC)))
# libdw's and libelf's compression libraries; libstdc++ for __cxa_demangle
STATIC_LDLIBS := -ldw -lelf -lcapstone -lbz2 -llzma -lz -lstdc++ -pthread
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ   := $(SRC:%.c=$(B)/asan/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
# The aarch64 decoder needs no aarch64 host: its suite runs everywhere.
A64_STEP   := arch/aarch64/a64_step.c
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%) $(B)/unit/test_a64_step
UNIT_ASAN  := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-asan/%) $(B)/unit-asan/test_a64_step
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

.PHONY: all deps static check check-static check-aarch64 unit unit-asan e2e docs-check demo bench clean
all: $(B)/latch

deps:
	@sh tests/deps.sh

$(B)/%.o: %.c $(wildcard cmd/*.h src/*.h src/output/*.h arch/$(ARCH)/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/asan/%.o: %.c $(wildcard src/*.h src/output/*.h arch/$(ARCH)/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

CMD_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard cmd/*.c))
$(B)/latch: $(CMD_OBJ) $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Debug information stays out of the file that is copied around (symbols
# stay, for backtraces). --wrap=dlopen: libdw's dlopen is src/dl_none.c's.
$(B)/latch-static: $(CMD_OBJ) $(STATIC_OBJ)
	$(CC) $(CFLAGS) -static -Wl,--strip-debug -Wl,--wrap=dlopen -o $@ $^ $(STATIC_LDLIBS)

static: $(B)/latch-static
	@awk -v f=$< -v n=$$(stat -c %s $<) \
		'BEGIN { printf "%s: %d bytes (%.1f MiB)\n", f, n, n / 1048576 }'

$(B)/unit/%: tests/unit/%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(B)/unit/test_a64_step: tests/unit/a64/test_a64_step.c $(A64_STEP) arch/aarch64/a64_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/test_a64_step: tests/unit/a64/test_a64_step.c $(A64_STEP) arch/aarch64/a64_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/%: tests/unit/%.c $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# The ABI suite reads the DWARF of this object; it is never linked.
ABI_FIXTURE := $(B)/unit/abi_fixture.o
$(ABI_FIXTURE): tests/unit/fixtures/abi_fixture.c
	@mkdir -p $(dir $@)
	$(CC) -g -O0 -c -o $@ $<
$(B)/unit/test_abi $(B)/unit-asan/test_abi: private CFLAGS += -DABI_FIXTURE='"$(ABI_FIXTURE)"'
$(B)/unit/test_abi $(B)/unit-asan/test_abi: | $(ABI_FIXTURE)

unit: $(UNIT_BIN)
	@sh tests/unit/run.sh unit $(UNIT_BIN)

unit-asan: $(UNIT_ASAN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/unit/run.sh unit-asan $(UNIT_ASAN)

e2e: $(B)/latch $(B)/latch-static
	@LATCH_E2E_STATIC=$(B)/latch-static sh tests/e2e/run.sh $(B)/latch

docs-check: $(B)/latch
	@sh tests/docs_check.sh $(B)/latch

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit unit-asan e2e docs-check check-static check-aarch64

# latch-static chrooted into a directory without the libraries it links
check-static: static
	@sh tests/static/clean_root.sh $(B)/latch-static

# The same end-to-end suite inside an arm64 kernel under qemu: cross-build
# latch and the targets, boot, run, power off (tests/aarch64/guest.sh).
A64_B := $(B)/arm64
check-aarch64:
	@sh tests/aarch64/guest.sh deps
	@$(MAKE) --no-print-directory ARCH=aarch64 CC=aarch64-linux-gnu-gcc B=$(A64_B) $(A64_B)/latch $(A64_B)/latch-static
	@LATCH_GUEST_STATIC=$(A64_B)/latch-static sh tests/aarch64/guest.sh e2e $(A64_B)/latch

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(B)/latch

bench:
	@LATCH_BENCH_DEPS=1 sh tests/deps.sh
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(B)/latch

clean:
	rm -rf $(B)
