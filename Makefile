# pepkit: build, test, demo, bench and install.
#   make            build libpepkit.so / libpepkit.a and the header
#   make test       everything CI runs (see tests/run_suites.sh)
#   make demo       the C and Python examples
#   make bench      ratios against CPython (and other peers) from one run
#   make install    GNU directory variables (prefix, libdir, ..., DESTDIR); see mk/install.mk
#   make uninstall  removes exactly what install wrote
#   make header     refresh the committed include/pepkit.h and pepkit_cdef.h after an API change
#
# Internal variables are prefixed PK_ so that none collides with a name a user
# passes on the command line (make LIBDIR=... or TARGET=... must not break the build).

CARGO   ?= cargo
CC      ?= cc
CXX     ?= c++

PK_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
PK_MAJOR   := $(word 1,$(subst ., ,$(PK_VERSION)))
PK_MINOR   := $(word 2,$(subst ., ,$(PK_VERSION)))
PK_SOVER   := $(if $(filter 0,$(PK_MAJOR)),0.$(PK_MINOR),$(PK_MAJOR))

PK_TARGET   := target
PK_OUT      := $(PK_TARGET)/release
PK_SHARED   := $(PK_OUT)/libpepkit.so
PK_STATIC   := $(PK_OUT)/libpepkit.a
# What rustc says a static link of libpepkit.a needs (see the lib target).
PK_NATIVE_LIBS_FILE := $(PK_OUT)/native-static-libs
PK_BUILD    := $(PK_TARGET)/c
PK_FRESH_H  := $(PK_TARGET)/include/pepkit.h
PK_FRESH_CDEF := $(PK_TARGET)/include/pepkit_cdef.h

# Every cargo run writes a fresh header and cffi declarations beside the build
# (see ffi/artifact/build.rs).
export PEPKIT_HEADER_OUT := $(CURDIR)/$(PK_FRESH_H)
export PEPKIT_CDEF_OUT := $(CURDIR)/$(PK_FRESH_CDEF)

PK_CWARN   := -Wall -Wextra -Wpedantic -Werror
PK_CFLAGS_TEST := -std=c11 $(PK_CWARN) -g -O1 -Iinclude -Ic_tests -D_GNU_SOURCE -DEXPECTED_VERSION=\"$(PK_VERSION)\"
PK_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
PK_LDLIBS_STATIC := -lpthread -ldl -lm
PK_RPATH := -Wl,-rpath,$(CURDIR)/$(PK_OUT)

PK_C_TEST_SRCS := $(wildcard c_tests/test_*.c)
PK_C_TESTS_ASAN := $(patsubst c_tests/%.c,$(PK_BUILD)/asan/%,$(PK_C_TEST_SRCS))
PK_C_TESTS_PLAIN := $(patsubst c_tests/%.c,$(PK_BUILD)/plain/%,$(PK_C_TEST_SRCS))
# The allocation-failure suite: plain build only (see c_tests/alloc_limits.c).
PK_ALLOC_LIMITS := $(PK_BUILD)/plain/alloc_limits
PK_EXAMPLE_SRCS := $(wildcard examples/*.c)
PK_EXAMPLES := $(patsubst examples/%.c,$(PK_BUILD)/examples/%,$(PK_EXAMPLE_SRCS))

.PHONY: all lib header check-header c-tests alloc-limits examples test demo bench clean FORCE

all: lib

# cargo decides what is stale; make always asks it, once per run. It runs as
# `cargo rustc` so that rustc records the native libraries a static link needs
# (pepkit.pc's Libs.private, the CMake static target) whenever it compiles the
# crate. Not --quiet: a first build takes a while and shows its progress.
PK_PRINT_NATIVE = -- --print=native-static-libs=$(CURDIR)/$(1)
lib: FORCE
	$(CARGO) rustc --release -p pepkit-capi --lib $(call PK_PRINT_NATIVE,$(PK_NATIVE_LIBS_FILE))
	@# A build that was already fresh (made by `cargo build`/`cargo test`) printed
	@# nothing: ask once more with another output path, which recompiles the crate.
	@test -s $(PK_NATIVE_LIBS_FILE) || { $(CARGO) rustc --release -p pepkit-capi --lib --quiet \
		$(call PK_PRINT_NATIVE,$(PK_NATIVE_LIBS_FILE).new) && mv $(PK_NATIVE_LIBS_FILE).new $(PK_NATIVE_LIBS_FILE); }
	@ln -sf libpepkit.so $(PK_OUT)/libpepkit.so.$(PK_SOVER)

$(PK_SHARED) $(PK_STATIC) $(PK_FRESH_H) $(PK_FRESH_CDEF): lib ;

header: lib
	cp $(PK_FRESH_H) include/pepkit.h
	cp $(PK_FRESH_CDEF) include/pepkit_cdef.h

check-header: lib
	@stale=0; for f in pepkit.h pepkit_cdef.h; do \
	  if cmp -s $(PK_TARGET)/include/$$f include/$$f; then echo "include/$$f is up to date"; \
	  else diff -u include/$$f $(PK_TARGET)/include/$$f | head -40; \
	  echo "include/$$f is stale: run 'make header' and commit it"; stale=1; fi; done; exit $$stale

$(PK_BUILD)/asan/%: c_tests/%.c c_tests/check.h include/pepkit.h $(PK_STATIC)
	@mkdir -p $(@D)
	$(CC) $(PK_CFLAGS_TEST) $(PK_SANITIZE) -o $@ $< $(PK_STATIC) $(PK_LDLIBS_STATIC)

$(PK_BUILD)/plain/%: c_tests/%.c c_tests/check.h include/pepkit.h $(PK_SHARED)
	@mkdir -p $(@D)
	$(CC) $(PK_CFLAGS_TEST) -o $@ $< -L$(PK_OUT) -lpepkit $(PK_RPATH) -lpthread

$(PK_BUILD)/examples/%: examples/%.c include/pepkit.h $(PK_SHARED)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(PK_CWARN) -O2 -Iinclude -o $@ $< -L$(PK_OUT) -lpepkit $(PK_RPATH) -lpthread -lm

c-tests: lib $(PK_C_TESTS_ASAN) $(PK_C_TESTS_PLAIN)

alloc-limits: lib $(PK_ALLOC_LIMITS)

examples: lib $(PK_EXAMPLES)

test: lib
	@tests/run_suites.sh

demo: lib $(PK_EXAMPLES)
	@examples/demo.sh

bench: lib
	@bench/run.sh

clean:
	$(CARGO) clean

include mk/venv.mk
include mk/install.mk
include mk/cxx.mk
include mk/docs.mk
include mk/python.mk
include mk/fuzz.mk mk/variants.mk
