# Test shims (LD_PRELOAD), not in sanitizer builds: ASan and UBSan's runtimes
# must come first in the process and replace malloc themselves.
#   failmalloc: the allocation-failure shim of tests/cli/errors-malloc.sh
#   syncshim:   the recorder of syncs, renames and writes of
#               tests/cli/provision-durability.sh
FAILMALLOC = $(O)/failmalloc.so
SYNCSHIM = $(O)/syncshim.so
ifeq ($(SANITIZE),)
TEST_EXTRA += $(FAILMALLOC) $(SYNCSHIM)
endif

$(FAILMALLOC): tests/tools/failmalloc.c | $(O)/.deps-ok
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNFLAGS) -O2 -g -fPIC -shared -o $@ $<

$(SYNCSHIM): tests/tools/syncshim.c | $(O)/.deps-ok
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNFLAGS) -O2 -g -fPIC -shared -o $@ $< -ldl
