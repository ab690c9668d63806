# make install / make uninstall, with the GNU directory variables:
#   make install prefix=/usr libdir=/usr/lib64 DESTDIR=/tmp/stage
# PREFIX is kept as an alias of prefix. The work is done by mk/install.sh,
# which writes a manifest of every file, link and directory it created;
# make uninstall (with the same variables) removes exactly those.

PREFIX       ?= /usr/local
prefix       ?= $(PREFIX)
exec_prefix  ?= $(prefix)
bindir       ?= $(exec_prefix)/bin
libdir       ?= $(exec_prefix)/lib
includedir   ?= $(prefix)/include
datarootdir  ?= $(prefix)/share
mandir       ?= $(datarootdir)/man
docdir       ?= $(datarootdir)/doc/pepkit
pkgconfigdir ?= $(libdir)/pkgconfig
cmakedir     ?= $(libdir)/cmake/pepkit
# Detached debug info, laid out as gdb looks for it under a debug-file-directory
# of $(libdir)/debug: $(debugdir)/<dir of the binary>/<binary>.debug.
debugdir     ?= $(libdir)/debug
bashcompdir  ?= $(datarootdir)/bash-completion/completions
zshcompdir   ?= $(datarootdir)/zsh/site-functions
fishcompdir  ?= $(datarootdir)/fish/vendor_completions.d
DESTDIR      ?=

.PHONY: install uninstall

PK_INSTALL_ENV = DESTDIR='$(DESTDIR)' prefix='$(prefix)' exec_prefix='$(exec_prefix)' \
	bindir='$(bindir)' libdir='$(libdir)' includedir='$(includedir)' \
	datarootdir='$(datarootdir)' mandir='$(mandir)' docdir='$(docdir)' \
	pkgconfigdir='$(pkgconfigdir)' cmakedir='$(cmakedir)' debugdir='$(debugdir)' \
	bashcompdir='$(bashcompdir)' zshcompdir='$(zshcompdir)' fishcompdir='$(fishcompdir)' \
	PK_OUT='$(PK_OUT)' PK_BUILD='$(PK_BUILD)' PK_VERSION='$(PK_VERSION)' PK_SOVER='$(PK_SOVER)' \
	PK_NATIVE_LIBS_FILE='$(PK_NATIVE_LIBS_FILE)' CC='$(CC)'

install: lib
	@$(PK_INSTALL_ENV) sh mk/install.sh install

uninstall:
	@$(PK_INSTALL_ENV) sh mk/install.sh uninstall
