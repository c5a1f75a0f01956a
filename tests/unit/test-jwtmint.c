/*
 * Unit tests of the jwtmint module: the signer and its buffer.  The tokens'
 * content is tested in test-jwt.c, read back by the checker.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <sodium.h>

#include "devid.h"
#include "jwt.h"
#include "jwtmint.h"

#define DATA "tests/data/jwt/"
#define NOW 1764000000 /* 2025-11-24T16:00:00Z */

static struct key k;

static void
load_key(const char *name)
{
	struct err e = ERR_INIT;

	cr_assert_geq(sodium_init(), 0);
	k = (struct key)KEY_INIT;
	cr_assert_eq(key_load_file(&k, name, NULL, &e), 0, "%s: %s", name, e.msg);
}

static void
setup_ec(void)
{
	load_key(DATA "ec_private.pem");
}

static void
setup_rsa4096(void)
{
	load_key(DATA "rsa4096_private.pem");
}

static void
teardown(void)
{
	key_clear(&k);
}

/* The largest signature and the longest audience and sub still fit jwt_signer_token_max(). */
Test(jwtmint, token_max_holds_the_longest_token, .init = setup_rsa4096, .fini = teardown)
{
	char id[DEVID_MAX + 1], host[254], *buf;
	struct jwt_mint_opts o = {id, host, NOW, 3600, 0, 1};
	struct jwt_signer s;
	struct err e = ERR_INIT;
	size_t len, max;

	memset(id, 'd', DEVID_MAX);
	id[DEVID_MAX] = '\0';
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	cr_assert_eq(jwt_signer_init(&s, &k, &e), 0, "%s", e.msg);
	max = jwt_signer_token_max(&s);
	cr_assert_not_null(buf = sodium_malloc(max));
	cr_assert_eq(jwt_signer_mint_buf(&s, &o, buf, max, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(strlen(buf), len);
	cr_assert_lt(len, max);
	sodium_free(buf);
	jwt_signer_clear(&s);
}

/* A mint that fails leaves no part of a token in the caller's buffer. */
Test(jwtmint, a_failed_mint_wipes_the_buffer, .init = setup_ec, .fini = teardown)
{
	struct jwt_mint_opts o = {"dev-1", NULL, NOW, 1200, 0, 0};
	struct jwt_signer s;
	struct err e = ERR_INIT;
	char buf[200];
	size_t i, len = 1;

	cr_assert_eq(jwt_signer_init(&s, &k, &e), 0, "%s", e.msg);
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(jwt_signer_mint_buf(&s, &o, buf, sizeof(buf), &len, &e), -1);
	cr_assert_eq(len, 0);
	for (i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], '\0', "byte %zu left", i);
	jwt_signer_clear(&s);
}

/* One signer, many tokens: the same header each time, a fresh ES256 signature. */
Test(jwtmint, a_signer_is_reused_token_after_token, .init = setup_ec, .fini = teardown)
{
	struct jwt_mint_opts o = {"dev-1", NULL, NOW, 1200, 0, 0};
	struct jwt_signer s;
	struct err e = ERR_INIT;
	char *t1, *t2;
	size_t l1, l2;

	cr_assert_eq(jwt_signer_init(&s, &k, &e), 0, "%s", e.msg);
	cr_assert_str_eq(s.alg, "ES256");
	cr_assert_eq(jwt_signer_mint(&s, &o, &t1, &l1, &e), 0, "%s", e.msg);
	o.iat = NOW + 1;
	cr_assert_eq(jwt_signer_mint(&s, &o, &t2, &l2, &e), 0, "%s", e.msg);
	cr_assert_eq(strcspn(t1, "."), strcspn(t2, "."));
	cr_assert_eq(memcmp(t1, t2, strcspn(t1, ".")), 0, "the header changed");
	cr_assert_str_neq(strrchr(t1, '.'), strrchr(t2, '.'));
	sodium_free(t1);
	sodium_free(t2);
	jwt_signer_clear(&s);
	cr_assert_null(s.ctx);
}

/* jwt_mint() is a signer used once: RS256 is deterministic, so the tokens are equal. */
Test(jwtmint, jwt_mint_is_a_signer_used_once)
{
	struct jwt_mint_opts o = {"dev-1", "acme.akenza.io", NOW, 1200, 0, 1};
	struct jwt_signer s;
	struct err e = ERR_INIT;
	char *t1, *t2;
	size_t l1, l2;

	load_key(DATA "rsa_private.pem");
	cr_assert_eq(jwt_mint(&k, &o, &t1, &l1, &e), 0, "%s", e.msg);
	cr_assert_eq(jwt_signer_init(&s, &k, &e), 0, "%s", e.msg);
	cr_assert_eq(jwt_signer_mint(&s, &o, &t2, &l2, &e), 0, "%s", e.msg);
	cr_assert_eq(l1, l2);
	cr_assert_str_eq(t1, t2);
	sodium_free(t1);
	sodium_free(t2);
	jwt_signer_clear(&s);
	key_clear(&k);
}
