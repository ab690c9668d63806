# C++: pepkit.hpp's test under ASan/UBSan and the C++ examples.
#   make cxx-tests   target/c/cxx/test_hpp (tests/suites/23-cxx.sh runs it)
# The C++ examples (examples/*.cpp) are built by `make examples`.

PK_CXXFLAGS := -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude
PK_CXX_EXAMPLE_SRCS := $(wildcard examples/*.cpp)
PK_CXX_EXAMPLES := $(patsubst examples/%.cpp,$(PK_BUILD)/examples/%,$(PK_CXX_EXAMPLE_SRCS))

.PHONY: cxx-tests

$(PK_BUILD)/cxx/test_hpp: c_tests/test_hpp.cpp c_tests/check.h include/pepkit.hpp include/pepkit.h $(PK_STATIC)
	@mkdir -p $(@D)
	$(CXX) $(PK_CXXFLAGS) -Ic_tests -g -O1 $(PK_SANITIZE) -o $@ $< $(PK_STATIC) $(file <$(PK_NATIVE_LIBS_FILE))

cxx-tests: lib $(PK_BUILD)/cxx/test_hpp

$(PK_BUILD)/examples/%: examples/%.cpp include/pepkit.hpp include/pepkit.h $(PK_SHARED)
	@mkdir -p $(@D)
	$(CXX) $(PK_CXXFLAGS) -O2 -o $@ $< -L$(PK_OUT) -lpepkit $(PK_RPATH)

examples: $(PK_CXX_EXAMPLES)
