# failmalloc: the allocation-failure shim of tests/cli/errors-malloc.sh
# (LD_PRELOAD).  Not in sanitizer builds: ASan and UBSan's runtimes replace
# malloc themselves.
FAILMALLOC = $(O)/failmalloc.so
ifeq ($(SANITIZE),)
TEST_EXTRA += $(FAILMALLOC)
endif

$(FAILMALLOC): tests/tools/failmalloc.c | $(O)/.deps-ok
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNFLAGS) -O2 -g -fPIC -shared -o $@ $<
