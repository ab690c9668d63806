# Fuzzing (cargo-fuzz + libFuzzer, nightly); included from the Makefile.
#   make fuzz-build                  build every target in fuzz/ (ASan, debug assertions)
#   make fuzz FUZZ_SECONDS=600       run each target that long (default 60)
#   make fuzz FUZZ_TARGETS=mv_ops    only some targets
#   make fuzz-smoke                  each target FUZZ_SMOKE_SECONDS (default 15) from the seeds only
# See fuzz/README.md. Needs `cargo +nightly` and cargo-fuzz (.ci/setup installs it).

FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_TARGETS       ?= $(patsubst fuzz/fuzz_targets/%.rs,%,$(wildcard fuzz/fuzz_targets/*.rs))

.PHONY: fuzz-build fuzz fuzz-smoke

# -O -a: optimized, with debug assertions and overflow checks. The header
# variable is dropped so this build never rewrites target/include/pepkit.h.
fuzz-build:
	env -u PEPKIT_HEADER_OUT $(CARGO) +nightly fuzz build -O -a

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	FUZZ_FRESH=1 fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)
