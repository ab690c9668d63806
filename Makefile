# pepkit: build, test, demo, bench and install.
#   make            build libpepkit.so / libpepkit.a and the header
#   make test       everything CI runs (see tests/run_suites.sh)
#   make demo       the C and Python examples
#   make bench      ratios against CPython (and other peers) from one run
#   make install PREFIX=/usr/local DESTDIR=
#   make header     refresh the committed include/pepkit.h after an API change

CARGO   ?= cargo
CC      ?= cc
CXX     ?= c++
PREFIX  ?= /usr/local
DESTDIR ?=

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
MAJOR   := $(word 1,$(subst ., ,$(VERSION)))
MINOR   := $(word 2,$(subst ., ,$(VERSION)))
SOVER   := $(if $(filter 0,$(MAJOR)),0.$(MINOR),$(MAJOR))

TARGET   := target
LIBDIR   := $(TARGET)/release
SHARED   := $(LIBDIR)/libpepkit.so
STATIC   := $(LIBDIR)/libpepkit.a
BUILD    := $(TARGET)/c
FRESH_H  := $(TARGET)/include/pepkit.h

# Every cargo run writes a fresh header beside the build (see build.rs).
export PEPKIT_HEADER_OUT := $(CURDIR)/$(FRESH_H)

CWARN   := -Wall -Wextra -Wpedantic -Werror
CFLAGS_TEST := -std=c11 $(CWARN) -g -O1 -Iinclude -Ic_tests -D_GNU_SOURCE -DEXPECTED_VERSION=\"$(VERSION)\"
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS_STATIC := -lpthread -ldl -lm
RPATH   := -Wl,-rpath,$(CURDIR)/$(LIBDIR)

C_TEST_SRCS := $(wildcard c_tests/test_*.c)
C_TESTS_ASAN := $(patsubst c_tests/%.c,$(BUILD)/asan/%,$(C_TEST_SRCS))
C_TESTS_PLAIN := $(patsubst c_tests/%.c,$(BUILD)/plain/%,$(C_TEST_SRCS))
EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))

.PHONY: all lib header check-header c-tests examples test demo bench install clean FORCE

all: lib

# cargo decides what is stale; make always asks it, once per run.
lib: FORCE
	$(CARGO) build --release --quiet
	@ln -sf libpepkit.so $(LIBDIR)/libpepkit.so.$(SOVER)

$(SHARED) $(STATIC) $(FRESH_H): lib ;

header: lib
	cp $(FRESH_H) include/pepkit.h

check-header: lib
	@if cmp -s $(FRESH_H) include/pepkit.h; then echo "include/pepkit.h is up to date"; \
	else diff -u include/pepkit.h $(FRESH_H) | head -40; \
	echo "include/pepkit.h is stale: run 'make header' and commit it"; exit 1; fi

$(BUILD)/asan/%: c_tests/%.c c_tests/check.h include/pepkit.h $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) $(SANITIZE) -o $@ $< $(STATIC) $(LDLIBS_STATIC)

$(BUILD)/plain/%: c_tests/%.c c_tests/check.h include/pepkit.h $(SHARED)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -o $@ $< -L$(LIBDIR) -lpepkit $(RPATH) -lpthread

$(BUILD)/examples/%: examples/%.c include/pepkit.h $(SHARED)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -O2 -Iinclude -o $@ $< -L$(LIBDIR) -lpepkit $(RPATH) -lpthread -lm

c-tests: lib $(C_TESTS_ASAN) $(C_TESTS_PLAIN)

examples: lib $(EXAMPLES)

test: lib
	@tests/run_suites.sh

demo: lib $(EXAMPLES)
	@examples/demo.sh

bench: lib
	@bench/run.sh

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libpepkit.so.$(VERSION)
	ln -sf libpepkit.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libpepkit.so.$(SOVER)
	ln -sf libpepkit.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/libpepkit.so
	install -m 0644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/libpepkit.a
	install -m 0644 include/pepkit.h $(DESTDIR)$(PREFIX)/include/pepkit.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' pepkit.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/pepkit.pc

clean:
	$(CARGO) clean

include mk/venv.mk
include mk/fuzz.mk mk/variants.mk
