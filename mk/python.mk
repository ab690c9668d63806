# The Python package (python/); included from the Makefile.
#   make wheel   target/wheels/pepkit-<version>-py3-none-<platform>.whl with libpepkit.so bundled

PYTHON ?= python3
WHEEL_DIR := $(PK_TARGET)/wheels

.PHONY: wheel

wheel: lib
	@mkdir -p $(WHEEL_DIR)
	PEPKIT_PREBUILT=$(CURDIR)/$(PK_SHARED) $(PYTHON) python/_backend/pepkit_build.py $(WHEEL_DIR)
