# akcred: hand-written GNU Makefile.
#
#   make            build build/default/akcred
#   make check      install missing Debian packages, build, run every test
#   make demo       install missing Debian packages, build, run the onboarding demo
#   make bench      benchmarks (figures to build/bench/)
#   make SANITIZE=address,undefined check    the same tests under sanitizers
#   make install / uninstall   PREFIX, DESTDIR, BINDIR, MANDIR, *COMPDIR
#   make lint       mandoc -Tlint on the man pages, completions up to date, code formatted
#   make format     apply .clang-format to every C file
#   make completions    regenerate completions/ from the command table

VERSION      = 0.1.0

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
PLUGINDIR   ?= $(LIBDIR)/akcred

CC          ?= cc
PKG_CONFIG  ?= pkg-config
PYTHON      ?= /usr/bin/python3
INSTALL     ?= install

# Version floors: OpenSSL 3 for the provider API, Jansson 2.13 for
# jansson_version_str(), mosquitto 2 for the broker plugin interface, and
# p11-kit's headers (p11.c loads the library at run time).
DEPS_CORE    = 'libcrypto >= 3.0' 'libssl >= 3.0' 'libsodium >= 1.0.18' 'jansson >= 2.13'
DEPS_HEADERS = 'libcurl >= 7.68' 'libmosquitto >= 2.0' 'p11-kit-1 >= 0.23.10'
DEPS_TEST    = 'criterion >= 2.3'

ifneq ($(SANITIZE),)
O           ?= build/sanitize
OPT         ?= -O1 -g
SANFLAGS     = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
FORTIFY      =
else
O           ?= build/default
OPT         ?= -O2 -g
SANFLAGS     =
FORTIFY      = -D_FORTIFY_SOURCE=2
endif

# CI builds with -Werror (CI=true is set by the CI runner).
ifeq ($(CI),true)
WERROR      ?= -Werror
endif

WARNFLAGS = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wvla -Wpointer-arith -Wwrite-strings -Wundef -Wimplicit-fallthrough \
	    -Wcast-align -Wold-style-definition $(WERROR)
HARDEN    = $(FORTIFY) -fstack-protector-strong -fstack-clash-protection -fPIC
# Lazily expanded: pkg-config runs only when something is compiled, after 'make deps'.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEPS_CORE) $(DEPS_HEADERS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(DEPS_CORE))

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -Iinclude -DAKCRED_VERSION='"$(VERSION)"' \
	      -DAKCRED_PLUGINDIR='"$(PLUGINDIR)"' \
	      $(WARNFLAGS) $(HARDEN) $(OPT) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now -Wl,--as-needed $(SANFLAGS) $(LDFLAGS)
LIBS_EXTRA  = -ldl

# Modules (no argv, no printing) go into a static library that the binary,
# the unit tests, the fuzzers and the broker plugin all link.
CMD_SRC    = src/main.c src/cmd.c $(wildcard src/cmd-*.c)
MODULE_SRC = $(filter-out $(CMD_SRC),$(wildcard src/*.c))
CMD_OBJ    = $(CMD_SRC:src/%.c=$(O)/%.o)
MODULE_OBJ = $(MODULE_SRC:src/%.c=$(O)/%.o)
LIB        = $(O)/libakcred.a
BIN        = $(O)/akcred

UNIT_SRC   = $(wildcard tests/unit/test-*.c)
UNIT_OBJ   = $(UNIT_SRC:tests/unit/%.c=$(O)/unit/%.o)
UNIT_BIN   = $(O)/unit-tests

# Fragments add targets and *_EXTRA prerequisites; plain 'make' still means 'all'.
.DEFAULT_GOAL := all
-include mk/*.mk

.PHONY: all check test unit cli memcheck demo bench install uninstall clean lint completions \
	deps deps-build deps-check deps-demo deps-bench deps-lint format
.DELETE_ON_ERROR:

all: $(BIN)

$(O)/.deps-ok:
	@mkdir -p $(O)
	@$(PKG_CONFIG) --exists $(DEPS_CORE) $(DEPS_HEADERS) || { \
	    echo "akcred: missing build dependencies:" >&2; \
	    $(PKG_CONFIG) --print-errors --exists $(DEPS_CORE) $(DEPS_HEADERS) 2>&1 | sed 's/^/  /' >&2; \
	    echo "run 'make deps' (Debian: installs them with apt-get)" >&2; exit 1; }
	@touch $@

$(O)/%.o: src/%.c | $(O)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(MODULE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(PKG_LIBS) $(LIBS_EXTRA)

$(O)/unit/%.o: tests/unit/%.c | $(O)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(shell $(PKG_CONFIG) --cflags $(DEPS_TEST)) \
	    -MMD -MP -c -o $@ $<

# The unit tests link the commands too (all but main.c), for the option
# parsers of src/cmd.c (tests/unit/test-cmd.c).
UNIT_CMD_OBJ = $(filter-out $(O)/main.o,$(CMD_OBJ))

$(UNIT_BIN): $(UNIT_OBJ) $(UNIT_CMD_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(UNIT_CMD_OBJ) $(LIB) $(PKG_LIBS) $(LIBS_EXTRA) \
	    $(shell $(PKG_CONFIG) --libs $(DEPS_TEST))

-include $(CMD_OBJ:.o=.d) $(MODULE_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)

# --- dependencies: Debian packages, installed only when missing -----------
deps deps-build:
	@sh tests/deps.sh build
deps-check:
	@sh tests/deps.sh check
deps-demo:
	@sh tests/deps.sh demo
deps-bench:
	@sh tests/deps.sh bench
deps-lint:
	@sh tests/deps.sh lint

# --- tests ------------------------------------------------------------------
check: deps-check
	@$(MAKE) --no-print-directory test

test: all $(UNIT_BIN) $(TEST_EXTRA)
	@echo "== unit tests ($(O))"
	$(UNIT_BIN) --jobs 2
	@echo "== command-line tests ($(O))"
	AKCRED=$(abspath $(BIN)) O=$(abspath $(O)) PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) \
	    sh tests/cli/run.sh

unit: all $(UNIT_BIN)
	$(UNIT_BIN)

cli: all $(TEST_EXTRA)
	AKCRED=$(abspath $(BIN)) O=$(abspath $(O)) PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) \
	    sh tests/cli/run.sh $(T)

# The CLI tests with akcred under valgrind memcheck.
memcheck: all $(TEST_EXTRA)
	VALGRIND=1 AKCRED=$(abspath $(BIN)) O=$(abspath $(O)) PYTHON=$(PYTHON) \
	    sh tests/cli/run.sh $(T)

demo: deps-demo
	@$(MAKE) --no-print-directory all $(DEMO_EXTRA)
	AKCRED=$(abspath $(BIN)) O=$(abspath $(O)) sh tests/demo.sh

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BENCH_EXTRA)
	AKCRED=$(abspath $(BIN)) O=$(abspath $(O)) PYTHON=$(PYTHON) sh tests/bench/run.sh

# --- documentation and format ---------------------------------------------------
# Every C file of the repository, as clang-format (.clang-format) writes it.
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find src include tests -name '*.[ch]')

format:
	clang-format -i $(FORMAT_FILES)

lint: deps-lint
	@$(MAKE) --no-print-directory all
	@clang-format --dry-run -Werror $(FORMAT_FILES) || { echo "not formatted: make format" >&2; exit 1; }
	mandoc -Tlint -W warning man/*.1 man/*.7
	@for p in man/*.1 man/*.7; do \
	    w=$$({ groff -ww -z -mandoc $$p; groff -ww -z -Tutf8 -rLL=78n -mandoc $$p; } 2>&1); \
	    [ -z "$$w" ] || { echo "$$w" >&2; exit 1; }; \
	done
	@for sh in bash zsh fish; do \
	    f=completions/$$(case $$sh in bash) echo akcred.bash;; zsh) echo _akcred;; fish) echo akcred.fish;; esac); \
	    $(BIN) help --completion $$sh | cmp -s - $$f || { echo "$$f is out of date: make completions" >&2; exit 1; }; \
	done

completions: all
	$(BIN) help --completion bash > completions/akcred.bash
	$(BIN) help --completion zsh > completions/_akcred
	$(BIN) help --completion fish > completions/akcred.fish

# --- install ------------------------------------------------------------------
install: all $(INSTALL_EXTRA)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) -m 755 $(BIN) $(DESTDIR)$(BINDIR)/akcred
	$(INSTALL) -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	$(if $(wildcard man/*.7),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man7 && $(INSTALL) -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7/)
	$(INSTALL) -m 644 completions/akcred.bash $(DESTDIR)$(BASHCOMPDIR)/akcred
	$(INSTALL) -m 644 completions/_akcred $(DESTDIR)$(ZSHCOMPDIR)/_akcred
	$(INSTALL) -m 644 completions/akcred.fish $(DESTDIR)$(FISHCOMPDIR)/akcred.fish

uninstall: $(UNINSTALL_EXTRA)
	rm -f $(DESTDIR)$(BINDIR)/akcred
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/akcred $(DESTDIR)$(ZSHCOMPDIR)/_akcred \
	    $(DESTDIR)$(FISHCOMPDIR)/akcred.fish

clean:
	rm -rf build
