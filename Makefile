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
# Every folder of src/ is one subsystem (src/README: none yet; each main
# header's head comment says what the folder does).
# src/agent/ is the freestanding agent, built apart (below).
ALL_SRC := $(filter-out src/agent/%,$(wildcard src/*/*.c src/*/*/*.c arch/$(ARCH)/*.c))
# Two builds of the same sources, told apart by the files they link:
# latch loads libstdc++'s demangler at run time and exports over libcurl;
# latch-static (`make static`), one file to copy to a host, has the
# demangler linked in, no HTTP export, and a dlopen that loads nothing.
DYNAMIC_ONLY := src/symbols/demangle_dl.c src/output/otlp/http.c
STATIC_ONLY  := src/symbols/demangle_linked.c src/output/otlp/http_none.c src/util/dl_none.c
SRC     := $(filter-out $(STATIC_ONLY),$(ALL_SRC))
OBJ     := $(SRC:%.c=$(B)/%.o)
STATIC_OBJ := $(patsubst %.c,$(B)/%.o,$(filter-out $(DYNAMIC_ONLY),$(ALL_SRC)))
# libdw's and libelf's compression libraries; libstdc++ for __cxa_demangle
STATIC_LDLIBS := -ldw -lelf -lcapstone -lbz2 -llzma -lz -lstdc++ -pthread
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ   := $(SRC:%.c=$(B)/asan/%.o)
# One static archive per source folder: a unit suite links the archives and
# takes from them only what it uses (and, --as-needed, only the shared
# libraries that that needs: libcurl only for the OTLP export suite).
SRC_DIRS   := $(sort $(patsubst %/,%,$(dir $(SRC))))
LIBS       := $(SRC_DIRS:%=$(B)/%/lib.a)
ASAN_LIBS  := $(SRC_DIRS:%=$(B)/asan/%/lib.a)
UNIT_LINK  := -Wl,--as-needed -Wl,--start-group
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
# The step-over planners need no host of their architecture: their
# suites build and run everywhere (tests/unit/a64/, tests/unit/x86/).
A64_STEP   := arch/aarch64/a64_step.c
X86_STEP   := arch/x86_64/x86_step.c arch/x86_64/x86_emulate.c
X86_PATCH  := arch/x86_64/x86_patch.c arch/x86_64/x86_step.c
UNIT_ALL   := $(UNIT_SRC:tests/unit/%.c=%) test_a64_step test_x86_step test_x86_patch \
	      $(if $(filter x86_64,$(ARCH)),test_x86_agent)
# make unit T=NAME, make unit-asan T=NAME: the suites whose name has NAME
UNIT_SEL   := $(if $(T),$(foreach u,$(UNIT_ALL),$(if $(findstring $(T),$(u)),$(u))),$(UNIT_ALL))
UNIT_BIN   := $(UNIT_SEL:%=$(B)/unit/%)
UNIT_ASAN  := $(UNIT_SEL:%=$(B)/unit-asan/%)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
# The e2e target programs, built once by tests/targets/build.sh (which
# writes the list of what it built to MANIFEST) and again when a source of
# theirs changes.
TARGETS_DIR   := $(B)/targets
TARGETS_STAMP := $(TARGETS_DIR)/MANIFEST
TARGETS_SRC   := $(wildcard tests/targets/*.c tests/targets/*.cc tests/targets/*.h \
		   tests/targets/values/*.c tests/targets/values/*.cpp) tests/targets/build.sh

.PHONY: all deps static check check-static check-aarch64 unit unit-asan e2e docs-check layers demo bench clean
all: $(B)/latch

deps:
	@sh tests/deps.sh

# -MMD -MP: each object depends on the headers it includes, no more.
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -MMD -MP -c -o $@ $<

# A folder's archive holds that folder's objects only (not its subfolders').
in_dir = $(foreach o,$(2),$(if $(filter $(1)/,$(dir $(o))),$(o)))
define archive_rule
$(1)/lib.a: $(call in_dir,$(1),$(2))
	@rm -f $$@
	$(AR) rcs $$@ $$^
endef
$(foreach d,$(SRC_DIRS),$(eval $(call archive_rule,$(B)/$(d),$(OBJ))))
$(foreach d,$(SRC_DIRS),$(eval $(call archive_rule,$(B)/asan/$(d),$(ASAN_OBJ))))

CMD_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard cmd/*.c))
$(B)/latch: $(CMD_OBJ) $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Debug information stays out of the file that is copied around (symbols
# stay, for backtraces). --wrap=dlopen: libdw's dlopen is src/util/dl_none.c's.
$(B)/latch-static: $(CMD_OBJ) $(STATIC_OBJ)
	$(CC) $(CFLAGS) -static -Wl,--strip-debug -Wl,--wrap=dlopen -o $@ $^ $(STATIC_LDLIBS)

static: $(B)/latch-static
	@awk -v f=$< -v n=$$(stat -c %s $<) \
		'BEGIN { printf "%s: %d bytes (%.1f MiB)\n", f, n, n / 1048576 }'

$(B)/unit/%: tests/unit/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -Itests/unit -o $@ $< $(UNIT_EXTRA) $(UNIT_LINK) $(LIBS) -Wl,--end-group \
		$(LDLIBS) $(CHECK_LIBS)

$(B)/unit/test_a64_step: tests/unit/a64/test_a64_step.c $(A64_STEP) arch/aarch64/a64_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/test_a64_step: tests/unit/a64/test_a64_step.c $(A64_STEP) arch/aarch64/a64_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit/test_x86_step: tests/unit/x86/test_x86_step.c $(X86_STEP) arch/x86_64/x86_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/test_x86_step: tests/unit/x86/test_x86_step.c $(X86_STEP) arch/x86_64/x86_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit/test_x86_patch: tests/unit/x86/test_x86_patch.c $(X86_PATCH) arch/x86_64/x86_patch.h arch/x86_64/x86_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/test_x86_patch: tests/unit/x86/test_x86_patch.c $(X86_PATCH) arch/x86_64/x86_patch.h arch/x86_64/x86_step.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

# The agent engine's agent: freestanding, position-independent, linked
# at 0 into one flat blob, embedded as a C array (build/agent/blob.c).
# Only for a back end that has its side of it (agent_arch.h).
AGENT_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Isrc -Iarch/$(ARCH) -ffreestanding -fPIE \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-fcf-protection=none -mgeneral-regs-only -nostdlib
$(B)/agent/agent.bin: src/agent/agent.c src/agent/agent.h src/agent/agent.ld arch/$(ARCH)/agent_arch.h
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CFLAGS) -static -Wl,-T,src/agent/agent.ld -Wl,--build-id=none -o $(B)/agent/agent.elf $<
	objcopy -O binary -j .text $(B)/agent/agent.elf $@

$(B)/agent/blob.c: $(B)/agent/agent.bin
	@{ echo '/* generated from src/agent/agent.c: the agent blob */'; \
	   echo '#include <stddef.h>'; \
	   echo 'const unsigned char agent_blob[] = {'; \
	   od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	   echo '};'; \
	   echo 'const size_t agent_blob_len = sizeof(agent_blob);'; } > $@

X86_AGENT := $(X86_PATCH) $(B)/agent/blob.c
$(B)/unit/test_x86_agent: tests/unit/x86/test_x86_agent.c $(X86_AGENT) arch/x86_64/x86_patch.h src/agent/agent.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/test_x86_agent: tests/unit/x86/test_x86_agent.c $(X86_AGENT) arch/x86_64/x86_patch.h src/agent/agent.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(filter %.c,$^) -lcapstone $(CHECK_LIBS)

$(B)/unit-asan/%: tests/unit/%.c $(ASAN_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -MMD -MP -Itests/unit -o $@ $< $(UNIT_EXTRA) $(UNIT_LINK) $(ASAN_LIBS) -Wl,--end-group \
		$(LDLIBS) $(CHECK_LIBS)

# The ABI suite reads the DWARF of this object; it is never linked.
ABI_FIXTURE := $(B)/unit/abi_fixture.o
$(ABI_FIXTURE): tests/unit/fixtures/abi_fixture.c
	@mkdir -p $(dir $@)
	$(CC) -g -O0 -c -o $@ $<
$(B)/unit/test_abi $(B)/unit-asan/test_abi: private CFLAGS += -DABI_FIXTURE='"$(ABI_FIXTURE)"'
$(B)/unit/test_abi $(B)/unit-asan/test_abi: | $(ABI_FIXTURE)
# and both back ends' classifiers, whichever back end this build is
ABI_CLASSIFIERS := arch/x86_64/x86_abi.c arch/aarch64/a64_abi.c
$(B)/unit/test_abi $(B)/unit-asan/test_abi: private UNIT_EXTRA = $(ABI_CLASSIFIERS)
$(B)/unit/test_abi $(B)/unit-asan/test_abi: $(ABI_CLASSIFIERS)

unit: $(UNIT_BIN)
	@sh tests/unit/run.sh unit $(UNIT_BIN)

unit-asan: $(UNIT_ASAN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/unit/run.sh unit-asan $(UNIT_ASAN)

$(TARGETS_STAMP): $(TARGETS_SRC)
	@echo "building the e2e targets into $(TARGETS_DIR)"
	@sh tests/targets/build.sh $(TARGETS_DIR)

# make e2e T=SUBSTR: the tests whose name has SUBSTR
e2e: $(B)/latch $(B)/latch-static $(TARGETS_STAMP)
	@LATCH_E2E_STATIC=$(B)/latch-static LATCH_E2E_TARGETS=$(abspath $(TARGETS_DIR)) LATCH_E2E_PREBUILT=1 \
		sh tests/e2e/run.sh $(B)/latch $(T)

docs-check: $(B)/latch
	@sh tests/docs_check.sh $(B)/latch

# folders include only from those below them; the engine's files call
# only downward (read from the objects' symbols)
layers: $(B)/latch
	@python3 tests/layers.py $(B)

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit unit-asan e2e docs-check layers check-static check-aarch64

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

# the header dependencies that this Makefile's -MMD rules write, no other
# file of the build directory (not one left by an older layout)
-include $(wildcard $(patsubst %.o,%.d,$(OBJ) $(STATIC_OBJ) $(ASAN_OBJ) $(CMD_OBJ)) \
	$(patsubst tests/unit/%.c,$(B)/unit/%.d,$(UNIT_SRC)) \
	$(patsubst tests/unit/%.c,$(B)/unit-asan/%.d,$(UNIT_SRC)))
