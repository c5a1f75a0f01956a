# fuzz: the libFuzzer harnesses, and their replay as regression tests.
# Included by the Makefile.
#
#   make fuzz [FUZZ_TIME=60]   build with clang and fuzz every harness for FUZZ_TIME s
#
# tests/fuzz/fuzz-<name>.c defines LLVMFuzzerTestOneInput; its seeds and every
# input that ever crashed it live in tests/fuzz/corpus/<name>/.  "make check"
# replays them all through tests/fuzz/replay.c with the ordinary compiler.

FUZZ_SRC     = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_NAMES   = $(FUZZ_SRC:tests/fuzz/fuzz-%.c=%)
REPLAY_BIN   = $(FUZZ_NAMES:%=$(O)/replay-%)
TEST_EXTRA  += $(REPLAY_BIN)

$(O)/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c $(LIB)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c \
	    $(LIB) $(PKG_LIBS) $(LIBS_EXTRA)

FUZZ_O       = build/fuzz
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 60
FUZZ_JOBS   ?= 2
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -Iinclude -g -O1 -fno-omit-frame-pointer \
	       -fsanitize=address,undefined -fno-sanitize-recover=all $(PKG_CFLAGS)
FUZZ_MOD_OBJ = $(MODULE_SRC:src/%.c=$(FUZZ_O)/mod/%.o)
FUZZ_BIN     = $(FUZZ_NAMES:%=$(FUZZ_O)/fuzz-%)

$(FUZZ_O)/mod/%.o: src/%.c | $(O)/.deps-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

# The module objects are shared by every harness: not intermediate files that
# make would delete (and rebuild for the next harness).
.SECONDARY: $(FUZZ_MOD_OBJ)
-include $(FUZZ_MOD_OBJ:.o=.d)

$(FUZZ_O)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_MOD_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_MOD_OBJ) $(PKG_LIBS) -ldl -lpthread

.PHONY: fuzz fuzz-build deps-fuzz
deps-fuzz:
	@sh tests/deps.sh fuzz

fuzz-build: $(FUZZ_BIN)

# Each harness runs FUZZ_TIME seconds, FUZZ_JOBS at a time, on a copy of its
# corpus; a crash stops with the input saved in build/fuzz/crashes/.
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@mkdir -p $(FUZZ_O)/crashes
	@printf '%s\n' $(FUZZ_NAMES) | xargs -P $(FUZZ_JOBS) -I{} sh -c '\
	    mkdir -p $(FUZZ_O)/work/{} && cp tests/fuzz/corpus/{}/* $(FUZZ_O)/work/{}/ 2>/dev/null; \
	    $(FUZZ_O)/fuzz-{} -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	        -artifact_prefix=$(FUZZ_O)/crashes/{}- -print_final_stats=1 \
	        $(FUZZ_O)/work/{} > $(FUZZ_O)/{}.log 2>&1; rc=$$?; \
	    echo "fuzz {}: exit $$rc, $$(grep -ho "stat::number_of_executed_units: *[0-9]*" $(FUZZ_O)/{}.log | grep -o "[0-9]*$$") runs in $(FUZZ_TIME) s"; \
	    [ $$rc -eq 0 ] || { tail -n 40 $(FUZZ_O)/{}.log; exit 255; }'
