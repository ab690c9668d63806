# More builds of the library under test; included from the Makefile.
#   make lib-checked         target/checked/libpepkit.{so,a}: release + debug assertions + overflow checks
#   make c-tests-checked     the C tests (gcc ASan+UBSan) linked with it      -> suite 23-c-checked
#                            (the oracle suites load its .so: suite 41-oracle-checked)
#   make lib-rust-asan       libpepkit.a with the Rust code itself ASan-instrumented (nightly)
#   make c-tests-rust-asan   the C tests (gcc ASan+UBSan) linked with that     -> suite 24-c-rust-asan
# Each build has its own profile or target dir, so none disturbs target/release.
# Only the library is built, and the header variable is dropped so these
# builds never rewrite target/include/pepkit.h.

CHECKED_DIR    := $(PK_TARGET)/checked
CHECKED_SHARED := $(CHECKED_DIR)/libpepkit.so
CHECKED_STATIC := $(CHECKED_DIR)/libpepkit.a
C_TESTS_CHECKED := $(patsubst c_tests/%.c,$(PK_BUILD)/checked/%,$(PK_C_TEST_SRCS))

RUST_ASAN_TRIPLE := x86_64-unknown-linux-gnu
RUST_ASAN_DIR    := $(PK_TARGET)/rust-asan
RUST_ASAN_STATIC := $(RUST_ASAN_DIR)/$(RUST_ASAN_TRIPLE)/release/libpepkit.a
C_TESTS_RUST_ASAN := $(patsubst c_tests/%.c,$(PK_BUILD)/rust-asan/%,$(PK_C_TEST_SRCS))
# An explicit --target keeps RUSTFLAGS off the build script (cbindgen is not
# instrumented); the ASan runtime comes from gcc's -fsanitize=address at link
# time (Rust does not bundle one into a staticlib).
RUST_ASAN_FLAGS  := -Zsanitizer=address -Cforce-frame-pointers=yes

.PHONY: lib-checked c-tests-checked lib-rust-asan c-tests-rust-asan

lib-checked: FORCE
	env -u PEPKIT_HEADER_OUT $(CARGO) build --profile checked -p pepkit-capi --lib --quiet

$(CHECKED_SHARED) $(CHECKED_STATIC): lib-checked ;

$(PK_BUILD)/checked/%: c_tests/%.c c_tests/check.h include/pepkit.h $(CHECKED_STATIC)
	@mkdir -p $(@D)
	$(CC) $(PK_CFLAGS_TEST) $(PK_SANITIZE) -o $@ $< $(CHECKED_STATIC) $(PK_LDLIBS_STATIC)

c-tests-checked: lib-checked $(C_TESTS_CHECKED)

lib-rust-asan: FORCE
	env -u PEPKIT_HEADER_OUT RUSTFLAGS="$(RUST_ASAN_FLAGS)" $(CARGO) +nightly rustc --release -p pepkit-capi --lib \
		--crate-type staticlib --target $(RUST_ASAN_TRIPLE) --target-dir $(RUST_ASAN_DIR) --quiet

$(RUST_ASAN_STATIC): lib-rust-asan ;

$(PK_BUILD)/rust-asan/%: c_tests/%.c c_tests/check.h include/pepkit.h $(RUST_ASAN_STATIC)
	@mkdir -p $(@D)
	$(CC) $(PK_CFLAGS_TEST) $(PK_SANITIZE) -o $@ $< $(RUST_ASAN_STATIC) $(PK_LDLIBS_STATIC)

# The canary proves the Rust code is instrumented and the runtimes agree: it
# makes pepkit's Rust code read past a block, which ASan must report.
$(PK_BUILD)/rust-asan/canary: tests/rust_asan_canary.c include/pepkit.h $(RUST_ASAN_STATIC)
	@mkdir -p $(@D)
	$(CC) $(PK_CFLAGS_TEST) $(PK_SANITIZE) -o $@ $< $(RUST_ASAN_STATIC) $(PK_LDLIBS_STATIC)

c-tests-rust-asan: lib-rust-asan $(C_TESTS_RUST_ASAN) $(PK_BUILD)/rust-asan/canary
