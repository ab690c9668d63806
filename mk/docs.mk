# make docs: the API documentation (Doxygen HTML) in target/docs/html, from
# include/pepkit.h, include/pepkit.hpp and the pages in docs/. Any Doxygen
# warning fails it (docs/Doxyfile: WARN_AS_ERROR = FAIL_ON_WARNINGS).

PK_DOCS_OUT := $(PK_TARGET)/docs

.PHONY: docs

docs:
	@command -v doxygen >/dev/null || { echo "make docs needs doxygen (.ci/setup installs it)"; exit 1; }
	@rm -rf $(PK_DOCS_OUT) && mkdir -p $(PK_DOCS_OUT)
	PEPKIT_VERSION=$(PK_VERSION) PEPKIT_DOCS_OUT=$(PK_DOCS_OUT) doxygen docs/Doxyfile
	@echo "API documentation: $(PK_DOCS_OUT)/html/index.html"
