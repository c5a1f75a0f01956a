# bench: the in-process signing benchmark, bench-jwt (tests/bench/jwt.sh runs it).
BENCH_EXTRA += $(O)/bench-jwt

$(O)/bench/%.o: tests/bench/%.c | $(O)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/bench-jwt: $(O)/bench/bench-jwt.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LIBS_EXTRA)

-include $(O)/bench/bench-jwt.d
