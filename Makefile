# procscope build: BPF objects -> one linked object -> skeleton -> userspace binary.
#   make            build ./procscope
#   make test       build and run the fast tier: unit, tools and integration tests (~5 min)
#   make check      install test dependencies, build, run every test (the fast tier, again
#                   under ASan+UBSan, fuzzing, the kernel matrix under qemu): what CI runs
#   make test-unit  tests that need neither root nor BPF
#   make test-integration   tests that load BPF (root, kernel with BTF)
#   make test-kernels       the kernel matrix: Debian's 6.1, 6.12 and 5.10 under qemu
#   make bench      overhead benchmarks against no tracing and peer tools
#   make bench-smoke        every peer tool of the benchmarks attaches and measures
#   make demo       profile the bundled demo workflow
#   make install    the binary, docs and the systemd service (PREFIX, DESTDIR)
#   make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from the running kernel
#   make format     lay out the C sources with the pinned clang-format (format-check: verify)
#   make check-layers  the stages' include direction and function lengths
#   V=1             show full commands

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
SC_ARCH := $(shell uname -m)
CLANG ?= clang
# the style is pinned to one formatter version: another may lay the same code out otherwise
CLANG_FORMAT ?= clang-format-14
BPFTOOL ?= bpftool
CC ?= gcc
CXX ?= g++
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local

OUT := build
BIN := procscope
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -Ibpf -Ivmlinux/$(ARCH) -MMD -MP
# CFLAGS, LDFLAGS (and EXTRA_CFLAGS, EXTRA_LDFLAGS) are the builder's, as usual:
# `make CFLAGS='-O1 -g -fsanitize=address'` replaces them, never the flags the build
# needs, which are kept apart in PS_CFLAGS
CFLAGS ?= -O2 -g
LDFLAGS ?=
# truncated report text from snprintf is intended: -Wno-format-truncation
PS_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wno-format-truncation -D_GNU_SOURCE -DPROCSCOPE_VERSION='"$(VERSION)"' -Iinclude -Isrc -I$(OUT) -MMD -MP \
	$(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
ALL_CFLAGS = $(PS_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
# libyaml reads --web-config, libcrypt checks its users' bcrypt hashes. Opened only when
# used (dlopen), not linked: libmicrohttpd (and the TLS libraries under it) for
# --prometheus, libstdc++ for __cxa_demangle (C++ frame names).
LDLIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -lm \
	-lpthread -lyaml -lcrypt

# core.bpf.c defines the shared maps: it goes first, as libbpf 1.1's linker cannot
# resolve an extern map that appears before its definition
BPF_SRCS := bpf/core.bpf.c $(filter-out bpf/core.bpf.c,$(sort $(wildcard bpf/*.bpf.c)))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL := $(OUT)/procscope.skel.h

# src/ is in stages, one folder each, in the order data flows (docs/design.md, *Layout*):
# lib, model, host, symbols, analysis, render, kernel, app; make check-layers keeps
# each folder's includes pointing down. Modules that see the skeleton are the kernel
# layer's session, collection, recent past and --check; everything else is testable without root.
STAGES := lib model host symbols analysis render kernel app
KERNEL_SRCS := src/kernel/session.c src/kernel/session_collect.c src/kernel/support.c \
	src/kernel/past.c
# what drives a session: linked into procscope only (the unit tests have no kernel)
DRIVER_SRCS := src/app/run.c src/app/tracing.c src/app/report.c src/kernel/events.c
MAIN_SRC := src/app/main.c
SYSCALL_TABLE := src/lib/syscall_table_$(SC_ARCH).c
ALL_SRCS := $(sort $(foreach d,$(STAGES),$(wildcard src/$(d)/*.c)))
LIB_SRCS := $(filter-out $(KERNEL_SRCS) $(DRIVER_SRCS) $(MAIN_SRC) $(wildcard src/lib/syscall_table_*.c),$(ALL_SRCS)) \
	$(SYSCALL_TABLE)
LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRCS))
KERNEL_OBJS := $(patsubst %.c,$(OUT)/%.o,$(KERNEL_SRCS) $(DRIVER_SRCS))

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(patsubst %.c,$(OUT)/%.o,$(UNIT_SRCS))
WORKLOAD_SRCS := $(filter-out tests/workloads/stackslib.c,$(sort $(wildcard tests/workloads/*.c)))
WORKLOADS := $(patsubst tests/workloads/%.c,tests/workloads/bin/%,$(WORKLOAD_SRCS))
# the stacks workload, built the ways a profiler must cope with
WL_STACKS := tests/workloads/bin/stacks-nopie tests/workloads/bin/stacks-stripped \
	tests/workloads/bin/stacks-lib tests/workloads/bin/libpstest.so \
	tests/workloads/bin/stacks-nofp tests/workloads/bin/stacks-nofp-lib \
	tests/workloads/bin/libpsnofp.so tests/workloads/bin/stacks-nofp-linked \
	tests/workloads/bin/stacks-nofp-bid tests/workloads/bin/sortmap
WL_CFLAGS := -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE
# as distributions build: optimized, no frame pointers (unwinding needs the unwind tables)
WL_NOFP_CFLAGS := -O2 -g -fomit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE

.PHONY: deb all clean install check check-layers test test-all test-unit test-integration test-kernels bench bench-smoke run-bench demo run-demo vmlinux \
	fuzz fuzz-build fuzzers check-sanitize sanitize-build \
	install deps format format-check workloads

all: $(BIN) $(OUT)/procscope.8 $(OUT)/procscope.bash

# procscope(8) and the bash completion, written from the option table (src/app/docgen.c)
DOC_DATE := $(shell git log -1 --format=%cs 2>/dev/null || date +%F)
$(OUT)/gendocs: $(OUT)/tools/gendocs.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/procscope.8: $(OUT)/gendocs
	$(call msg,GEN,$@)
	$(Q)$< man $(DOC_DATE) > $@.tmp && mv $@.tmp $@

$(OUT)/procscope.bash: $(OUT)/gendocs
	$(call msg,GEN,$@)
	$(Q)$< bash > $@.tmp && mv $@.tmp $@

$(BIN): $(OUT)/src/app/main.o $(KERNEL_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/procscope.bpf.o: $(BPF_OBJS)
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(SKEL): $(OUT)/procscope.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name procscope_bpf > $@.tmp && mv $@.tmp $@

$(KERNEL_OBJS) $(OUT)/src/app/main.o: $(SKEL)

# the HTML report's script and style (src/render/html/), as C strings for src/render/html.c
HTML_ASSETS := src/render/html/app.js src/render/html/style.css
$(OUT)/html_assets.h: $(HTML_ASSETS) | $(OUT)/src
	$(call msg,GEN,$@)
	$(Q)for f in $(HTML_ASSETS); do \
		echo "static const char html_$$(basename $$f | tr .- __)[] ="; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
		echo ";"; \
	done > $@.tmp && mv $@.tmp $@

$(OUT)/src/render/html.o: $(OUT)/html_assets.h

$(OUT)/%.o: %.c | $(OUT)/src $(OUT)/tests/unit
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUT)/bpf $(OUT)/src $(OUT)/tests/unit tests/workloads/bin:
	$(Q)mkdir -p $@

$(OUT)/unit_tests: $(UNIT_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

tests/workloads/bin/%: tests/workloads/%.c tests/workloads/wl_common.h | tests/workloads/bin
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) $< -o $@ -lpthread

tests/workloads/bin/stacks-nopie: tests/workloads/stacks.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) -fno-pie -no-pie $< -o $@

# .symtab stripped: names only from .dynsym (-rdynamic puts the functions there)
tests/workloads/bin/stacks-stripped: tests/workloads/stacks.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) -rdynamic $< -o $@ && strip --strip-all $@

tests/workloads/bin/libpstest.so: tests/workloads/stackslib.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) -shared -fPIC $< -o $@

tests/workloads/bin/stacks-lib: tests/workloads/stacks.c tests/workloads/bin/libpstest.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_CFLAGS) -DCHAIN_IN_LIB $< -o $@ -Ltests/workloads/bin -lpstest \
		-Wl,-rpath,'$$ORIGIN'

tests/workloads/bin/stacks-nofp: tests/workloads/stacks.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_NOFP_CFLAGS) $< -o $@

tests/workloads/bin/libpsnofp.so: tests/workloads/stackslib.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_NOFP_CFLAGS) -shared -fPIC $< -o $@

tests/workloads/bin/stacks-nofp-lib: tests/workloads/stacks.c tests/workloads/bin/libpsnofp.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_NOFP_CFLAGS) -DCHAIN_IN_LIB $< -o $@ -Ltests/workloads/bin -lpsnofp \
		-Wl,-rpath,'$$ORIGIN'

# stripped of every symbol; they are in a debug file next to it, named by .gnu_debuglink
tests/workloads/bin/stacks-nofp-linked: tests/workloads/stacks.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_NOFP_CFLAGS) -DVARIANT='"linked"' $< -o $@.full && \
		objcopy --only-keep-debug $@.full $@.debug && strip --strip-all $@.full -o $@ && \
		objcopy --add-gnu-debuglink=$@.debug $@ && rm -f $@.full

# stripped; its debug file under bin/debug/.build-id/xx/yyyy.debug (PROCSCOPE_DEBUG_DIR)
tests/workloads/bin/stacks-nofp-bid: tests/workloads/stacks.c tests/workloads/wl_common.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(WL_NOFP_CFLAGS) -DVARIANT='"build-id"' $< -o $@.full && \
		id=$$(readelf -n $@.full | awk '/Build ID/ { print $$3 }') && \
		d=tests/workloads/bin/debug/.build-id/$$(echo $$id | cut -c1-2) && mkdir -p $$d && \
		objcopy --only-keep-debug $@.full $$d/$$(echo $$id | cut -c3-).debug && \
		strip --strip-all $@.full -o $@ && rm -f $@.full

tests/workloads/bin/sortmap: tests/workloads/sortmap.cc | tests/workloads/bin
	$(call msg,CXX,$@)
	$(Q)$(CXX) -O2 -g -Wall -Wextra -Werror $< -o $@

workloads: $(WORKLOADS) $(WL_STACKS)

test-unit: $(OUT)/unit_tests
	$(Q)$(OUT)/unit_tests

test-integration: procscope workloads
	$(Q)bash tests/integration/run.sh

test-kernels: procscope workloads
	$(Q)bash tests/kernels/run.sh

# check and demo install what they need first (idempotent), then build in a fresh make
# so that pkg-config sees the freshly installed libraries.
check:
	$(Q)tools/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory test-all

# make test, the sanitized build's tests, the fuzzers, the bench smoke and the kernel
# matrix, with one count line for all
test-all: format-check check-layers procscope $(OUT)/procscope.8 $(OUT)/procscope.bash $(OUT)/unit_tests workloads sanitize-build fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/run-all.sh --sanitize --fuzz --bench --kernels

# every tracer the benchmarks compare with attaches and measures (bench/smoke.sh)
bench-smoke: procscope workloads
	$(Q)bash bench/smoke.sh

test: format-check check-layers procscope $(OUT)/procscope.8 $(OUT)/procscope.bash $(OUT)/unit_tests workloads
	$(Q)bash tests/run-all.sh

# the stages of src/ include only what is below them, and no function runs over 120
# lines (docs/design.md, *Layout*); part of make test and make check
check-layers:
	$(Q)tools/check-layers.sh
	$(Q)tools/check-functions.sh

bench:
	$(Q)tools/install-deps.sh bench
	$(Q)$(MAKE) --no-print-directory run-bench

run-bench: procscope workloads
	$(Q)bash bench/run.sh

demo:
	$(Q)tools/install-deps.sh build
	$(Q)$(MAKE) --no-print-directory run-demo

run-demo: procscope workloads
	$(Q)./procscope -- bash tests/workloads/demo.sh

deps:
	$(Q)tools/install-deps.sh all

vmlinux:
	$(Q)tools/gen-vmlinux.sh $(ARCH)

FORMAT_SRCS = $(filter-out $(wildcard src/lib/syscall_table_*.c),$(wildcard bpf/*.c bpf/*.h include/*.h \
	src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/workloads/*.c tests/workloads/*.h \
	tests/fuzz/*.c tests/fuzz/*.h tools/*.c))

format:
	$(Q)$(CLANG_FORMAT) -i $(FORMAT_SRCS)

# every C file as the pinned clang-format lays it out (.clang-format); part of make check
format-check:
	$(Q)bad=$$(for f in $(FORMAT_SRCS); do $(CLANG_FORMAT) "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format-check: not formatted as $(CLANG_FORMAT) would ('make format'):" $$bad; exit 1; fi

# libFuzzer harnesses (tests/fuzz), with ASan and UBSan, built by clang in build/fuzz;
# each runs FUZZ_SECONDS on its seed corpus (tests/fuzz/run.sh)
FUZZ_OUT := build/fuzz
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30

fuzz-build:
	$(Q)$(MAKE) --no-print-directory OUT=$(FUZZ_OUT) CC=$(CLANG) \
		CFLAGS='$(SAN_FLAGS) -fsanitize=fuzzer-no-link -Wno-unknown-warning-option' fuzzers

fuzzers: $(patsubst tests/fuzz/%.c,$(OUT)/%,$(FUZZ_SRCS))

$(OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJS)
	$(call msg,FUZZ,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $< $(LIB_OBJS) $(LDLIBS) -o $@

fuzz: fuzz-build workloads
	$(Q)bash tests/fuzz/run.sh $(FUZZ_OUT) $(FUZZ_SECONDS)

# procscope and the unit tests built with ASan and UBSan in build/san; the unit and
# integration tests run against them
SAN_OUT := build/san

sanitize-build:
	$(Q)$(MAKE) --no-print-directory OUT=$(SAN_OUT) BIN=$(SAN_OUT)/procscope \
		CFLAGS='$(SAN_FLAGS)' $(SAN_OUT)/procscope $(SAN_OUT)/unit_tests

check-sanitize: sanitize-build workloads
	$(Q)bash tests/run-all.sh --sanitized-only

# The binary, the documentation, and the service: a systemd unit (procscope.service),
# its options (/etc/default/procscope) and alert rules (/etc/procscope/alerts), the last
# two only if not there yet (they are the administrator's).
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/procscope
install: procscope $(OUT)/procscope.8 $(OUT)/procscope.bash
	install -D -m 0755 procscope $(DESTDIR)$(PREFIX)/sbin/procscope
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/docs
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@DOCDIR@|$(DOCDIR)|g' dist/procscope.service.in \
		> $(DESTDIR)$(UNITDIR)/procscope.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/procscope.service
	install -D -m 0644 $(OUT)/procscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/procscope.8
	install -D -m 0644 $(OUT)/procscope.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/procscope
	install -D -m 0644 dist/grafana/procscope.json \
		$(DESTDIR)$(PREFIX)/share/procscope/grafana/procscope.json
	install -D -m 0644 dist/prometheus/procscope.rules.yml \
		$(DESTDIR)$(PREFIX)/share/procscope/prometheus/procscope.rules.yml
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/procscope ] || \
		install -D -m 0644 dist/procscope.default $(DESTDIR)$(SYSCONFDIR)/default/procscope
	[ -e $(DESTDIR)$(SYSCONFDIR)/procscope/alerts ] || \
		install -D -m 0644 dist/alerts $(DESTDIR)$(SYSCONFDIR)/procscope/alerts

# The Debian package (debian/, debhelper), built from a copy of the tree's files --
# dpkg-buildpackage writes its results beside the tree it builds: build/procscope_*.deb
deb:
	$(call msg,DEB,$(OUT)/procscope_$(VERSION)_amd64.deb)
	$(Q)rm -rf $(OUT)/deb && mkdir -p $(OUT)/deb/procscope-$(VERSION)
	$(Q)git ls-files -z --cached --others --exclude-standard | \
		xargs -0 cp -P --parents -t $(OUT)/deb/procscope-$(VERSION)
	$(Q)cd $(OUT)/deb/procscope-$(VERSION) && dpkg-buildpackage -b -us -uc \
		> ../build.log 2>&1 || { tail -n 40 ../build.log; exit 1; }
	$(Q)mv $(OUT)/deb/procscope_$(VERSION)_amd64.deb $(OUT)/

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUT) procscope tests/workloads/bin

-include $(wildcard $(OUT)/bpf/*.d $(OUT)/src/*/*.d $(OUT)/tests/unit/*.d)
