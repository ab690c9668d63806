# venv targets; included from the Makefile (include mk/venv.mk).
#   make venv-demo   create a venv with the pyvenv example and run its python
#   make venv-bench  bench/venv.sh (also called by bench/run.sh)

VENV_DEMO_DIR := $(PK_TARGET)/demo/venv

.PHONY: venv-demo venv-bench

venv-demo: lib $(PK_BUILD)/examples/pyvenv
	@rm -rf $(VENV_DEMO_DIR)
	$(PK_BUILD)/examples/pyvenv --clear $(VENV_DEMO_DIR)
	$(VENV_DEMO_DIR)/bin/python -c 'import sys; print("python", sys.version.split()[0], "in", sys.prefix)'
	$(VENV_DEMO_DIR)/bin/pip --version

venv-bench: lib $(PK_BUILD)/examples/pyvenv
	@bench/venv.sh
