# fakep11: a PKCS#11 module whose token's PIN is locked, for tests/cli/p11-locked.sh
# (SoftHSM2 never locks one), or one in front of SoftHSM2 that fails where a test
# asks (tests/cli/p11-faults.sh).  Built with p11-kit's pkcs11.h, like p11.c.
FAKEP11 = $(O)/fakep11.so
TEST_EXTRA += $(FAKEP11)

$(FAKEP11): tests/tools/fakep11.c | $(O)/.deps-ok
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNFLAGS) -O2 -g -fPIC -shared \
	    $(shell $(PKG_CONFIG) --cflags p11-kit-1) -o $@ $<
