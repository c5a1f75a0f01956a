/* Unit tests of the jwt module: every problem code, the attacks, and minted tokens read back. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <sodium.h>

#include "b64.h"
#include "jwt.h"
#include "jwtmint.h"
#include "timeutil.h"

#define DATA "tests/data/jwt/"
#define NOW 1764000000 /* 2025-11-24T16:00:00Z */
#define AUD "https://akenza.io/devices/dev-1"

static struct key ec, rsa, ec2;

static void
load(struct key *k, const char *name)
{
	struct err e = ERR_INIT;

	*k = (struct key)KEY_INIT;
	cr_assert_eq(key_load_file(k, name, NULL, &e), 0, "%s: %s", name, e.msg);
}

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	load(&ec, DATA "ec_private.pem");
	load(&rsa, DATA "rsa_private.pem");
	load(&ec2, DATA "ec2_private.pem");
}

static void
teardown(void)
{
	key_clear(&ec);
	key_clear(&rsa);
	key_clear(&ec2);
}

TestSuite(jwt, .init = setup, .fini = teardown);

/* Mint for dev-1 at NOW with a 20-minute lifetime; returns ordinary heap memory. */
static char *
mint(const struct key *k, int no_kid, int sub)
{
	struct jwt_mint_opts o = {"dev-1", NULL, NOW, JWT_TTL_DEFAULT, no_kid, sub};
	struct err e = ERR_INIT;
	char *tok, *copy;
	size_t len;

	cr_assert_eq(jwt_mint(k, &o, &tok, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(strlen(tok), len);
	copy = strdup(tok);
	sodium_free(tok);
	return copy;
}

static void
check(const char *tok, const struct key *k, int sigonly, struct jwt_report *r)
{
	struct jwt_check_opts o = {k, "dev-1", NULL, NOW + 60, 60, 86400, sigonly};
	struct err e = ERR_INIT;

	cr_assert_eq(jwt_check(tok, strlen(tok), &o, r, &e), 0, "%s", e.msg);
}

static int
has(const struct jwt_report *r, const char *code)
{
	int i;

	for (i = 0; i < r->nproblems; i++)
		if (strcmp(r->problems[i].code, code) == 0)
			return 1;
	return 0;
}

static void
show(const struct jwt_report *r)
{
	int i;

	for (i = 0; i < r->nproblems; i++)
		fprintf(stderr, "  %s: %s\n", r->problems[i].code, r->problems[i].message);
}

/* Assert that tok gets problem code (and, if only, no other code). */
static void
expect(const char *tok, const struct key *k, const char *code, int only)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(tok, k, 0, &r);
	if (!has(&r, code) || (only && r.nproblems != 1))
		show(&r);
	cr_assert(has(&r, code), "no %s for %s", code, tok);
	if (only)
		cr_assert_eq(r.nproblems, 1, "more problems than %s", code);
	jwt_report_clear(&r);
}

static char *
b64(const char *s)
{
	static char buf[4][2048];
	static int i;
	char *out = buf[i++ % 4];

	b64url_encode(out, sizeof(buf[0]), (const unsigned char *)s, strlen(s));
	return out;
}

/* header and claims JSON, the signature segment given as is. */
static char *
forge(const char *header, const char *claims, const char *sig)
{
	static char tok[8192 + 64];

	snprintf(tok, sizeof(tok), "%s.%s.%s", b64(header), b64(claims), sig);
	return tok;
}

/* Re-sign header.claims with k, as an attacker holding the key would. */
static char *
resign(const struct key *k, const char *header, const char *claims)
{
	static char tok[8192];
	struct jwt_signer s;
	struct err e = ERR_INIT;
	unsigned char md[32], der[600], raw[512];
	size_t n, derlen = sizeof(der), rawlen;
	unsigned int mdlen;

	cr_assert_eq(jwt_signer_init(&s, k, &e), 0, "%s", e.msg);
	n = (size_t)snprintf(tok, sizeof(tok), "%s.%s", b64(header), b64(claims));
	cr_assert(EVP_Digest(tok, n, md, &mdlen, s.md, NULL));
	cr_assert(EVP_PKEY_sign(s.ctx, der, &derlen, md, mdlen) > 0);
	if (strcmp(s.alg, "ES256") == 0) {
		const unsigned char *p = der;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
		const BIGNUM *br, *bs;

		ECDSA_SIG_get0(es, &br, &bs);
		BN_bn2binpad(br, raw, 32);
		BN_bn2binpad(bs, raw + 32, 32);
		ECDSA_SIG_free(es);
		rawlen = 64;
	} else {
		memcpy(raw, der, derlen);
		rawlen = derlen;
	}
	tok[n++] = '.';
	b64url_encode(tok + n, sizeof(tok) - n, raw, rawlen);
	jwt_signer_clear(&s);
	return tok;
}

static const char *
kid_of(const struct key *k)
{
	static char fp[KEY_FINGERPRINT_HEX + 1];
	struct err e = ERR_INIT;

	cr_assert_eq(key_fingerprint(k, fp, &e), 0);
	return fp;
}

static char *
hdr(const char *alg, const struct key *k)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg,
		 kid_of(k));
	return buf;
}

static const char claims_ok[] = "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD "\"}";

/* --- minting ----------------------------------------------------------------- */

Test(jwt, mints_exactly_the_akenza_header_and_claims)
{
	char *tok = mint(&ec, 0, 0), want[256], dec[512];
	size_t n;
	struct err e = ERR_INIT;

	snprintf(want, sizeof(want), "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
		 kid_of(&ec));
	cr_assert_eq(b64url_decode((unsigned char *)dec, sizeof(dec), &n, tok, strcspn(tok, "."),
				   &e),
		     0);
	dec[n] = '\0';
	cr_assert_str_eq(dec, want);
	cr_assert_eq(b64url_decode((unsigned char *)dec, sizeof(dec), &n, strchr(tok, '.') + 1,
				   strcspn(strchr(tok, '.') + 1, "."), &e),
		     0);
	dec[n] = '\0';
	cr_assert_str_eq(dec, "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD "\"}");
	free(tok);
}

Test(jwt, mints_sub_and_leaves_kid_out_on_request)
{
	char *tok = mint(&rsa, 1, 1), dec[512];
	size_t n;
	struct err e = ERR_INIT;

	cr_assert_eq(b64url_decode((unsigned char *)dec, sizeof(dec), &n, tok, strcspn(tok, "."),
				   &e),
		     0);
	dec[n] = '\0';
	cr_assert_str_eq(dec, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	cr_assert_eq(b64url_decode((unsigned char *)dec, sizeof(dec), &n, strchr(tok, '.') + 1,
				   strcspn(strchr(tok, '.') + 1, "."), &e),
		     0);
	dec[n] = '\0';
	cr_assert_str_eq(dec, "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD
			      "\",\"sub\":\"dev-1\"}");
	free(tok);
}

Test(jwt, es256_signature_is_raw_64_bytes_and_verifies)
{
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok = mint(&ec, 0, 0);

	check(tok, &ec, 0, &r);
	cr_assert_eq(r.sig_len, 64);
	cr_assert_eq(r.sig_der, 0);
	cr_assert(r.signature_checked && r.signature_valid);
	cr_assert_eq(r.nproblems, 0);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, rs256_roundtrip)
{
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok = mint(&rsa, 0, 0);

	check(tok, &rsa, 0, &r);
	cr_assert_eq(r.sig_len, 256);
	cr_assert(r.signature_checked && r.signature_valid);
	cr_assert_eq(r.nproblems, 0);
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, refuses_to_mint_with_unsupported_or_public_keys)
{
	const char *files[] = {DATA "rsa1024_private.pem", DATA "ec384_private.pem",
			       DATA "ed25519_private.pem", DATA "ec_public.pem"};
	struct jwt_mint_opts o = {"dev-1", NULL, NOW, 1200, 0, 0};
	struct err e;
	struct key k;
	char *tok;
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		load(&k, files[i]);
		e = (struct err)ERR_INIT;
		cr_assert_eq(jwt_mint(&k, &o, &tok, &len, &e), -1, "%s", files[i]);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert_null(tok);
		key_clear(&k);
	}
}

Test(jwt, refuses_bad_device_ids_hosts_and_lifetimes)
{
	struct jwt_mint_opts o = {"a/b", NULL, NOW, 1200, 0, 0};
	struct err e = ERR_INIT;
	char *tok;
	size_t len;

	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), -1);
	o.device_id = "dev-1";
	o.aud_host = "evil.com/x";
	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), -1);
	o.aud_host = "acme.akenza.io";
	o.ttl = 0;
	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), -1);
	o.ttl = 60;
	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), 0, "%s", e.msg);
	sodium_free(tok);
}

Test(jwt, private_cloud_audience)
{
	struct jwt_mint_opts o = {"dev-1", "acme.akenza.io", NOW, 1200, 0, 0};
	struct jwt_check_opts co = {&ec, "dev-1", "acme.akenza.io", NOW, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char *tok;
	size_t len;

	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), 0);
	cr_assert_eq(jwt_check(tok, len, &co, &r, &e), 0);
	cr_assert_eq(r.nproblems, 0);
	jwt_report_clear(&r);
	co.aud_host = NULL;
	cr_assert_eq(jwt_check(tok, len, &co, &r, &e), 0);
	cr_assert(has(&r, "aud_mismatch"));
	jwt_report_clear(&r);
	sodium_free(tok);
}

Test(jwt, aud_device_id)
{
	char host[64];

	cr_assert_str_eq(jwt_aud_device_id(AUD, host, sizeof(host)), "dev-1");
	cr_assert_str_eq(host, "akenza.io");
	cr_assert_null(jwt_aud_device_id("http://akenza.io/devices/x", NULL, 0));
	cr_assert_null(jwt_aud_device_id("https://akenza.io/devices/", NULL, 0));
	cr_assert_null(jwt_aud_device_id("https://akenza.io/devices/a/b", NULL, 0));
	cr_assert_null(jwt_aud_device_id("https:///devices/a", NULL, 0));
}

/* --- one test per problem code ----------------------------------------------- */

Test(jwt, problem_malformed)
{
	char big[JWT_TOKEN_MAX + 2];

	expect("abc", &ec, "malformed", 1);
	expect("a.b.c.d", &ec, "malformed", 1);
	expect("a.b.c.d.e", &ec, "malformed", 1);
	expect("", &ec, "malformed", 1);
	expect(forge("[1]", claims_ok, "AA"), &ec, "malformed", 0);
	expect(forge("{\"alg\":", claims_ok, "AA"), &ec, "malformed", 0);
	expect(forge(hdr("ES256", &ec), "\"x\"", "AA"), &ec, "malformed", 0);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = big[20] = '.';
	expect(big, &ec, "too_long", 1);
}

Test(jwt, problem_duplicate_member)
{
	char h[256];

	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"alg\":\"none\",\"kid\":\"%s\"}", kid_of(&ec));
	expect(forge(h, claims_ok, "AA"), &ec, "duplicate_member", 0);
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"x\",\"aud\":\"" AUD "\"}"),
	       &ec, "duplicate_member", 1);
}

Test(jwt, problem_alg_unsupported)
{
	const char *algs[] = {"none", "None", "NONE", "HS256", "PS256", "ES384", "EdDSA", "RS512"};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		expect(forge(hdr(algs[i], &ec), claims_ok, ""), &ec, "alg_unsupported", 0);
	expect(forge("{\"typ\":\"JWT\"}", claims_ok, "AA"), &ec, "alg_unsupported", 0);
	expect(forge("{\"alg\":256}", claims_ok, "AA"), &ec, "alg_unsupported", 0);
}

Test(jwt, problem_alg_key_mismatch)
{
	/* RS256 header, EC key: the key decides, the signature is not even tried. */
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok = mint(&rsa, 1, 0);

	check(tok, &ec, 0, &r);
	cr_assert(has(&r, "alg_key_mismatch"));
	cr_assert_eq(r.signature_checked, 0);
	cr_assert_not(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, problem_signature_invalid)
{
	char *tok = mint(&ec, 1, 0), *p = strrchr(tok, '.') + 5;

	*p = *p == 'A' ? 'B' : 'A';
	expect(tok, &ec, "signature_invalid", 0);
	free(tok);
	/* Signed by another key of the same kind. */
	tok = mint(&ec2, 1, 0);
	expect(tok, &ec, "signature_invalid", 0);
	free(tok);
}

Test(jwt, problem_signature_der_encoded)
{
	struct jwt_signer s;
	struct err e = ERR_INIT;
	struct jwt_report r = JWT_REPORT_INIT;
	char tok[2048];
	unsigned char md[32], der[100];
	size_t n, derlen = sizeof(der);
	unsigned int mdlen;

	/* The classic client bug: OpenSSL's DER signature put into the token as is. */
	cr_assert_eq(jwt_signer_init(&s, &ec, &e), 0);
	n = (size_t)snprintf(tok, sizeof(tok), "%s.%s", b64(hdr("ES256", &ec)), b64(claims_ok));
	cr_assert(EVP_Digest(tok, n, md, &mdlen, s.md, NULL));
	cr_assert(EVP_PKEY_sign(s.ctx, der, &derlen, md, mdlen) > 0);
	tok[n++] = '.';
	b64url_encode(tok + n, sizeof(tok) - n, der, derlen);
	jwt_signer_clear(&s);
	check(tok, &ec, 0, &r);
	cr_assert(has(&r, "signature_der_encoded"));
	cr_assert_eq(r.nproblems, 1);
	cr_assert(r.sig_der);
	cr_assert(strstr(r.problems[0].message, "it would verify") != NULL);
	jwt_report_clear(&r);
}

Test(jwt, problem_signature_length)
{
	unsigned char sig[65] = {1};
	char enc[200];

	b64url_encode(enc, sizeof(enc), sig, 63);
	expect(forge(hdr("ES256", &ec), claims_ok, enc), &ec, "signature_length", 1);
	b64url_encode(enc, sizeof(enc), sig, 65);
	expect(forge(hdr("ES256", &ec), claims_ok, enc), &ec, "signature_length", 1);
	expect(forge(hdr("ES256", &ec), claims_ok, ""), &ec, "signature_length", 1);
	b64url_encode(enc, sizeof(enc), sig, 64);
	expect(forge(hdr("RS256", &rsa), claims_ok, enc), &rsa, "signature_length", 1);
}

Test(jwt, problem_kid_missing)
{
	char *tok = mint(&ec, 1, 0);

	expect(tok, &ec, "kid_missing", 1);
	free(tok);
}

Test(jwt, problem_kid_mismatch)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(resign(&ec, hdr("ES256", &ec2), claims_ok), &ec, 0, &r);
	cr_assert(has(&r, "kid_mismatch"));
	cr_assert_eq(r.nproblems, 1);
	/* Both values are shown. */
	cr_assert(strstr(r.problems[0].message, kid_of(&ec)) != NULL);
	cr_assert(strstr(r.problems[0].message, kid_of(&ec2)) != NULL);
	jwt_report_clear(&r);
}

Test(jwt, problem_crit_unsupported)
{
	char h[256];

	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"kid\":\"%s\",\"crit\":[\"exp\"],\"exp\":1}",
		 kid_of(&ec));
	expect(resign(&ec, h, claims_ok), &ec, "crit_unsupported", 1);
}

Test(jwt, problem_aud_missing)
{
	expect(resign(&ec, hdr("ES256", &ec), "{\"iat\":1764000000,\"exp\":1764001200}"), &ec,
	       "aud_missing", 1);
}

Test(jwt, problem_aud_mismatch)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"https://akenza.io/devices/"
		     "dev-2\"}"),
	      &ec, 0, &r);
	cr_assert(has(&r, "aud_mismatch"));
	cr_assert_eq(r.nproblems, 1);
	cr_assert(strstr(r.problems[0].message, "dev-2") && strstr(r.problems[0].message, AUD));
	jwt_report_clear(&r);
}

Test(jwt, problem_iat_missing)
{
	expect(resign(&ec, hdr("ES256", &ec), "{\"exp\":1764001200,\"aud\":\"" AUD "\"}"), &ec,
	       "iat_missing", 1);
}

Test(jwt, problem_iat_in_future)
{
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1764000200,\"exp\":1764001200,\"aud\":\"" AUD "\"}"),
	       &ec, "iat_in_future", 1);
	/* Within the leeway: fine. */
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1764000120,\"exp\":1764001200,\"aud\":\"" AUD "\",\"sub\":\"x\"}"),
	       &ec, "sub_mismatch", 1);
}

Test(jwt, problem_exp_missing)
{
	expect(resign(&ec, hdr("ES256", &ec), "{\"iat\":1764000000,\"aud\":\"" AUD "\"}"), &ec,
	       "exp_missing", 1);
}

Test(jwt, problem_expired)
{
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1763990000,\"exp\":1764000000,\"aud\":\"" AUD "\"}"),
	       &ec, "expired", 1);
}

Test(jwt, problem_exp_before_iat)
{
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1764000000,\"exp\":1763999999,\"aud\":\"" AUD "\"}"),
	       &ec, "exp_before_iat", 0);
}

Test(jwt, problem_lifetime_too_long)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1764172800,\"aud\":\"" AUD "\"}"),
	      &ec, 0, &r);
	cr_assert(has(&r, "lifetime_too_long"));
	cr_assert_eq(r.nproblems, 1);
	cr_assert(jwt_report_accepted(&r), "a warning must not reject");
	jwt_report_clear(&r);
}

Test(jwt, problem_claim_type)
{
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":\"1764000000\",\"exp\":1764001200,\"aud\":\"" AUD "\"}"),
	       &ec, "claim_type", 1);
	expect(resign(&ec, hdr("ES256", &ec), "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":7}"),
	       &ec, "claim_type", 1);
}

Test(jwt, reports_every_problem_not_just_the_first)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(forge("{\"alg\":\"none\"}", "{\"iat\":\"x\",\"aud\":\"https://evil/devices/a\"}", ""),
	      &ec, 0, &r);
	cr_assert(has(&r, "alg_unsupported"));
	cr_assert(has(&r, "signature_length"));
	cr_assert(has(&r, "claim_type"));
	cr_assert(has(&r, "exp_missing"));
	cr_assert(has(&r, "aud_mismatch"));
	cr_assert(has(&r, "kid_missing"));
	jwt_report_clear(&r);
}

/* --- attacks ------------------------------------------------------------------- */

Test(jwt, attack_hmac_with_the_public_key_as_secret)
{
	/* HS256 "signed" with the public key: refused before any MAC is computed. */
	struct jwt_report r = JWT_REPORT_INIT;

	check(forge(hdr("HS256", &ec), claims_ok, "c2lnbmF0dXJlLW9mLTMyLWJ5dGVzLWxvbmctZXhhbXBsZQ"),
	      &ec, 0, &r);
	cr_assert(has(&r, "alg_unsupported"));
	cr_assert_eq(r.signature_checked, 0);
	cr_assert_not(jwt_report_accepted(&r));
	jwt_report_clear(&r);
}

Test(jwt, attack_embedded_jwk_is_never_used)
{
	/* Signed with ec2 and carrying "its" key in the header: still checked with ec. */
	char h[512];
	struct jwt_report r = JWT_REPORT_INIT;

	snprintf(
		h, sizeof(h),
		"{\"alg\":\"ES256\",\"kid\":\"%s\",\"jwk\":{\"kty\":\"EC\"},\"jku\":\"https://x/\","
		"\"x5u\":\"https://x/\",\"x5c\":[\"AA\"]}",
		kid_of(&ec));
	check(resign(&ec2, h, claims_ok), &ec, 0, &r);
	cr_assert(has(&r, "signature_invalid"));
	cr_assert(has(&r, "header_key_ignored"));
	jwt_report_clear(&r);
}

Test(jwt, attack_strict_base64url)
{
	char *tok = mint(&ec, 0, 0), buf[4096];
	size_t hl = strcspn(tok, ".");

	/* Padding on the header. */
	snprintf(buf, sizeof(buf), "%.*s==%s", (int)hl, tok, tok + hl);
	expect(buf, &ec, "malformed", 1);
	/* A stray character, a space (its own code: the broker sees it too), a '+' */
	snprintf(buf, sizeof(buf), "%.*s %s", (int)hl, tok, tok + hl);
	expect(buf, &ec, "whitespace", 1);
	snprintf(buf, sizeof(buf), "%s", tok);
	buf[3] = '+';
	expect(buf, &ec, "malformed", 1);
	/* Signature padded. */
	snprintf(buf, sizeof(buf), "%s=", tok);
	expect(buf, &ec, "malformed", 1);
	free(tok);
}

Test(jwt, attack_non_canonical_trailing_bits)
{
	/* 64 bytes encode to 86 characters whose last carries 4 unused bits: set one. */
	char *tok = mint(&ec, 0, 0), *last = tok + strlen(tok) - 1;
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int v = (int)(strchr(alphabet, *last) - alphabet);

	cr_assert_eq(v & 0xf, 0);
	*last = alphabet[v | 1];
	expect(tok, &ec, "malformed", 1);
	free(tok);
}

Test(jwt, attack_es256_high_s_or_zero_is_not_repaired)
{
	/* r = 0 or s = 0, or r >= n: OpenSSL refuses; we pass them on verbatim. */
	unsigned char sig[64];
	char enc[100];

	memset(sig, 0, sizeof(sig));
	b64url_encode(enc, sizeof(enc), sig, 64);
	expect(forge(hdr("ES256", &ec), claims_ok, enc), &ec, "signature_invalid", 1);
	memset(sig, 0xff, sizeof(sig));
	b64url_encode(enc, sizeof(enc), sig, 64);
	expect(forge(hdr("ES256", &ec), claims_ok, enc), &ec, "signature_invalid", 1);
}

Test(jwt, signature_only_ignores_claims)
{
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok = resign(&ec, "{\"alg\":\"ES256\"}", "not json at all");

	check(tok, &ec, 1, &r);
	cr_assert_eq(r.nproblems, 0);
	cr_assert(r.signature_valid);
	jwt_report_clear(&r);
}

/* A certificate outside its validity period (beyond the leeway) rejects the token. */
Test(jwt, certificate_outside_its_validity_rejects)
{
	struct jwt_mint_opts mo = {"dev-1", NULL, 0, JWT_TTL_DEFAULT, 0, 0};
	struct jwt_check_opts o = {NULL, "dev-1", NULL, 0, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct key cert = KEY_INIT;
	struct err e = ERR_INIT;
	time_t nb, na;
	char *pem, *tok;
	size_t len;
	int i;

	cr_assert_eq(key_self_signed_pem(&ec, "dev-1", 1, &pem, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(key_load(&cert, (unsigned char *)pem, len, "cert", NULL, &e), 0, "%s", e.msg);
	free(pem);
	cr_assert_eq(key_cert_validity(&cert, &nb, &na), 0);
	o.key = &cert;
	/* Within the period, then one leeway after its end: the token itself is still fresh. */
	for (i = 0; i < 2; i++) {
		mo.iat = i == 0 ? nb : na + 30;
		o.now = i == 0 ? nb + 60 : na + 61 + 30;
		cr_assert_eq(jwt_mint(&ec, &mo, &tok, &len, &e), 0, "%s", e.msg);
		cr_assert_eq(jwt_check(tok, len, &o, &r, &e), 0, "%s", e.msg);
		sodium_free(tok);
		if (i == 0) {
			cr_assert(jwt_report_accepted(&r));
		} else {
			cr_assert_not(jwt_report_accepted(&r));
			cr_assert_eq(r.nproblems, 1);
			cr_assert_str_eq(r.problems[0].code, "cert_not_valid");
			cr_assert_eq(r.problems[0].severity, JWT_ERROR);
			cr_assert(strstr(r.problems[0].message, "it has expired (leeway 1m)") !=
					  NULL,
				  "%s", r.problems[0].message);
		}
		jwt_report_clear(&r);
	}
	key_clear(&cert);
}

/* Several keys: a kid names one, a token without kid is tried with each; any accepts. */
Test(jwt, check_keys_accepts_with_any_key)
{
	struct jwt_check_opts o = {NULL, "dev-1", NULL, NOW + 60, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct key set[2];
	struct err e = ERR_INIT;
	char *tok;
	struct jwt_keys_result kr;
	int nokid;

	set[0] = ec2;
	set[1] = ec;
	for (nokid = 0; nokid < 2; nokid++) {
		tok = mint(&ec, nokid, 0);
		cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0, "%s",
			     e.msg);
		cr_assert(jwt_report_accepted(&r));
		cr_assert_eq(kr.used, 1);
		jwt_report_clear(&r);
		free(tok);
		/* Signed by a key not in the set: refused; with a kid, no key is named (-1). */
		tok = mint(&rsa, nokid, 0);
		cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0);
		cr_assert_not(jwt_report_accepted(&r));
		cr_assert_eq(kr.used, nokid ? 0 : -1);
		jwt_report_clear(&r);
		/* One key: jwt_check's report; -1 only for a kid that is not that key's. */
		cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, &rsa, 1, &r, &kr, &e), 0);
		cr_assert(jwt_report_accepted(&r));
		cr_assert_eq(kr.used, 0);
		jwt_report_clear(&r);
		cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, &ec, 1, &r, &kr, &e), 0);
		cr_assert_not(jwt_report_accepted(&r));
		cr_assert_eq(kr.used, nokid ? 0 : -1);
		jwt_report_clear(&r);
		free(tok);
	}
}

/* What the kid named, for the broker and jwt verify to word their answer from. */
Test(jwt, check_keys_says_what_the_kid_named)
{
	struct jwt_check_opts o = {NULL, "dev-1", NULL, NOW + 60, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct jwt_keys_result kr;
	struct key set[2];
	struct err e = ERR_INIT;
	char *tok;

	set[0] = ec2;
	set[1] = ec;
	tok = mint(&ec, 0, 0);
	cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0, "%s", e.msg);
	cr_assert(kr.kid == JWT_KID_NAMED && kr.key == 1 && kr.used == 1 && !kr.tried_all);
	jwt_report_clear(&r);
	free(tok);
	tok = mint(&ec, 1, 0);
	cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0);
	cr_assert(kr.kid == JWT_KID_ABSENT && kr.key == 1 && kr.used == 1 && kr.tried_all);
	jwt_report_clear(&r);
	free(tok);
	tok = mint(&rsa, 0, 0);
	cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0);
	cr_assert(kr.kid == JWT_KID_UNKNOWN && kr.key == 0 && kr.used == -1 && !kr.tried_all);
	cr_assert_not(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	/* --signature-only: a kid naming none is a hint, every key is tried. */
	o.signature_only = 1;
	set[1] = rsa;
	cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0);
	cr_assert(kr.kid == JWT_KID_NAMED && kr.used == 1);
	jwt_report_clear(&r);
	set[1] = ec;
	cr_assert_eq(jwt_check_keys(tok, strlen(tok), &o, set, 2, &r, &kr, &e), 0);
	cr_assert(kr.kid == JWT_KID_UNKNOWN && kr.used == 0 && kr.tried_all);
	cr_assert_not(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, every_problem_code_is_documented_in_the_table)
{
	const char *codes[] = {"malformed",        "duplicate_member",  "alg_unsupported",
			       "alg_key_mismatch", "signature_invalid", "signature_der_encoded",
			       "signature_length", "kid_missing",       "kid_mismatch",
			       "aud_missing",      "aud_mismatch",      "iat_missing",
			       "iat_in_future",    "exp_missing",       "expired",
			       "exp_before_iat",   "lifetime_too_long", "claim_type",
			       "crit_unsupported", "aud_multiple",      "cert_not_valid"};
	size_t i, j;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		for (j = 0; jwt_problem_codes[j].code != NULL; j++)
			if (strcmp(jwt_problem_codes[j].code, codes[i]) == 0)
				break;
		cr_assert_not_null(jwt_problem_codes[j].code, "%s missing", codes[i]);
	}
}

/* --- RFC 7515 known answers ------------------------------------------------------- */

static char *
slurp_line(const char *path)
{
	static char buf[2048];
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s", path);
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

Test(jwt, rfc7515_a2_rs256_signing_is_byte_exact)
{
	/* PKCS#1 v1.5 is deterministic: our signing path must give the RFC's signature. */
	static const char a2_header[] = "{\"alg\":\"RS256\"}";
	static const char a2_claims[] = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
					"\"http://example.com/is_root\":true}";
	struct key k;
	char *want = slurp_line("tests/data/rfc7515/a2.jws");

	load(&k, "tests/data/rfc7515/a2-rsa-private.pem");
	cr_assert_str_eq(resign(&k, a2_header, a2_claims), want);
	key_clear(&k);
}

Test(jwt, rfc7515_examples_verify_signature_only)
{
	const char *tokens[] = {"tests/data/rfc7515/a2.jws", "tests/data/rfc7515/a3.jws"};
	const char *keys[] = {"tests/data/rfc7515/a2-rsa-public.pem",
			      "tests/data/rfc7515/a3-ec-public.pem"};
	struct jwt_report r;
	struct key k;
	size_t i;

	for (i = 0; i < 2; i++) {
		load(&k, keys[i]);
		r = (struct jwt_report)JWT_REPORT_INIT;
		check(slurp_line(tokens[i]), &k, 1, &r);
		cr_assert_eq(r.nproblems, 0, "%s", tokens[i]);
		cr_assert(r.signature_valid);
		jwt_report_clear(&r);
		/* As an akenza token: refused, expired in 2011. */
		check(slurp_line(tokens[i]), &k, 0, &r);
		cr_assert(has(&r, "expired"));
		jwt_report_clear(&r);
		key_clear(&k);
	}
}

Test(jwt, minted_json_parses_back_as_the_claims_given)
{
	/* The JSON is printed, not built: Jansson must read back exactly what was meant. */
	struct jwt_mint_opts o = {"a_b.c:d@e-1", "acme.akenza.io:8443", NOW, 3600, 0, 1};
	struct jwt_report r = JWT_REPORT_INIT;
	struct jwt_check_opts co = {&rsa, "a_b.c:d@e-1", "acme.akenza.io:8443", NOW, 60, 86400, 0};
	struct err e = ERR_INIT;
	char *tok;
	size_t len;

	cr_assert_eq(jwt_mint(&rsa, &o, &tok, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(jwt_check(tok, len, &co, &r, &e), 0);
	cr_assert_eq(r.nproblems, 0);
	cr_assert_eq(json_object_size(r.header), 3);
	cr_assert_str_eq(json_string_value(json_object_get(r.header, "kid")), kid_of(&rsa));
	cr_assert_eq(json_object_size(r.claims), 4);
	cr_assert_eq(json_integer_value(json_object_get(r.claims, "exp")), NOW + 3600);
	cr_assert_str_eq(json_string_value(json_object_get(r.claims, "aud")),
			 "https://acme.akenza.io:8443/devices/a_b.c:d@e-1");
	cr_assert_str_eq(json_string_value(json_object_get(r.claims, "sub")), "a_b.c:d@e-1");
	jwt_report_clear(&r);
	sodium_free(tok);
}

Test(jwt, es256_der_to_raw_holds_for_short_and_padded_integers)
{
	/*
	 * r and s are 33 DER bytes half the time (a leading zero) and shorter
	 * than 32 bytes one time in 128 or so: 3000 tokens see every case, and
	 * each must verify.
	 */
	struct jwt_mint_opts o = {"dev-1", NULL, NOW, 1200, 0, 0};
	struct jwt_check_opts co = {&ec, NULL, NULL, NOW, 60, 0, 1};
	struct jwt_report r;
	struct jwt_signer s;
	struct err e = ERR_INIT;
	char buf[1024];
	size_t len;
	int i;

	cr_assert_eq(jwt_signer_init(&s, &ec, &e), 0);
	for (i = 0; i < 3000; i++) {
		cr_assert_eq(jwt_signer_mint_buf(&s, &o, buf, sizeof(buf), &len, &e), 0, "%s",
			     e.msg);
		cr_assert_eq(jwt_check(buf, len, &co, &r, &e), 0);
		cr_assert(r.signature_valid && r.nproblems == 0, "token %d: %s", i, buf);
		jwt_report_clear(&r);
	}
	/* Too small a buffer fails and leaves nothing behind. */
	cr_assert_eq(jwt_signer_mint_buf(&s, &o, buf, 100, &len, &e), -1);
	jwt_signer_clear(&s);
}

/* --- security review fixes ------------------------------------------------------- */

/* m holds no C0/C1 control, DEL, bidi override or invalid UTF-8: safe for terminals and JSON. */
static void
assert_clean(const char *m)
{
	json_t *j = json_string(m);
	const unsigned char *p;

	cr_assert_not_null(j, "not valid UTF-8: %s", m);
	json_decref(j);
	for (p = (const unsigned char *)m; *p != '\0'; p++) {
		cr_assert(*p >= 0x20 && *p != 0x7f, "control byte in %s", m);
		cr_assert(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "C1 control in %s", m);
		cr_assert(!(p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae),
			  "bidi override in %s", m);
	}
}

static const struct jwt_problem *
problem(const struct jwt_report *r, const char *code)
{
	int i;

	for (i = 0; i < r->nproblems; i++)
		if (strcmp(r->problems[i].code, code) == 0)
			return &r->problems[i];
	cr_assert_fail("no %s", code);
	return NULL;
}

Test(jwt, messages_escape_c1_bidi_and_jansson_errors)
{
	struct jwt_report r = JWT_REPORT_INIT;
	const struct jwt_problem *p;
	char h[256];

	/* U+009B (CSI) in alg, U+202E (RLO) in typ, as JSON escapes Jansson decodes. */
	snprintf(h, sizeof(h), "{\"alg\":\"\\u009b31mX\",\"typ\":\"a\\u202eb\",\"kid\":\"%s\"}",
		 kid_of(&ec));
	check(forge(h, claims_ok, "AAAA"), &ec, 0, &r);
	p = problem(&r, "alg_unsupported");
	assert_clean(p->message);
	cr_assert(strstr(p->message, "\\xc2\\x9b31mX"), "%s", p->message);
	p = problem(&r, "typ_unexpected");
	assert_clean(p->message);
	cr_assert(strstr(p->message, "a\\xe2\\x80\\xaeb"), "%s", p->message);
	jwt_report_clear(&r);
	/* Jansson quotes the token's raw bytes in its error text. */
	check(forge(hdr("ES256", &ec), "{\"a\":\x1b[2J\xc2\x9b}", "AAAA"), &ec, 0, &r);
	p = problem(&r, "malformed");
	assert_clean(p->message);
	jwt_report_clear(&r);
}

Test(jwt, long_strings_are_cut_between_characters)
{
	struct jwt_report r = JWT_REPORT_INIT;
	char h[512], typ[100], big[400];

	/* 79 bytes then "é": the 80-byte cut must not split it (JSON then lost the problem). */
	memset(typ, 'a', 79);
	memcpy(typ + 79, "\xc3\xa9", 3);
	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"typ\":\"%s\",\"kid\":\"%s\"}", typ,
		 kid_of(&ec));
	check(resign(&ec, h, claims_ok), &ec, 0, &r);
	assert_clean(problem(&r, "typ_unexpected")->message);
	jwt_report_clear(&r);
	/* The 256-byte message buffer cuts between characters too. */
	memset(big, 'b', 254);
	memcpy(big + 254, "\xe2\x82\xac", 4);
	jwt_report_add(&r, "kid_format", JWT_WARNING, "%s", big);
	assert_clean(r.problems[0].message);
	cr_assert_eq(strlen(r.problems[0].message), 254);
	/* A character the cut did not split stays. */
	memcpy(big + 253, "\xc3\xa9x", 4);
	jwt_report_add(&r, "kid_format", JWT_WARNING, "%s", big);
	cr_assert_eq(strlen(r.problems[1].message), 255);
	assert_clean(r.problems[1].message);
}

static int
check_opts(const char *tok, const struct jwt_check_opts *o, struct jwt_report *r, struct err *e)
{
	*e = (struct err)ERR_INIT;
	return jwt_check(tok, strlen(tok), o, r, e);
}

/* expired_from is where the expired rule starts to hold: the last second before it is fine. */
Test(jwt, expired_from_is_exp_plus_the_leeway)
{
	const char *tok = resign(&ec, hdr("ES256", &ec),
				 "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD "\"}");
	struct jwt_check_opts o = {&ec, "dev-1", NULL, 1764001200 + 59, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(check_opts(tok, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(jwt_report_accepted(&r));
	cr_assert_eq(r.expired_from, 1764001200 + 60);
	jwt_report_clear(&r);
	o.now = 1764001200 + 60;
	cr_assert_eq(check_opts(tok, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(has(&r, "expired"));
	cr_assert_eq(r.expired_from, 1764001200 + 60);
	jwt_report_clear(&r);
}

Test(jwt, an_unusable_expected_device_id_matches_no_aud)
{
	static const char prefix[] = "https://akenza.io/devices/";
	struct jwt_check_opts o = {&ec, NULL, NULL, NOW + 60, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char longid[601], claims[1024], aud[512], *tok;

	/* A 600-character MQTT client id; the token's aud is its cut to 511 bytes. */
	memset(longid, 'A', 600);
	longid[600] = '\0';
	snprintf(aud, sizeof(aud), "%s%.*s", prefix, (int)(511 - strlen(prefix)), longid);
	cr_assert_eq(strlen(aud), 511);
	snprintf(claims, sizeof(claims), "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"%s\"}",
		 aud);
	o.device_id = longid;
	cr_assert_eq(check_opts(resign(&ec, hdr("ES256", &ec), claims), &o, &r, &e), 0, "%s",
		     e.msg);
	cr_assert(!jwt_report_accepted(&r), "a truncated audience was accepted");
	cr_assert(has(&r, "aud_mismatch"));
	jwt_report_clear(&r);
	/* An id devid_check refuses, and a host jwt_aud_host_check refuses, match nothing. */
	o.device_id = "a b";
	cr_assert_eq(check_opts(resign(&ec, hdr("ES256", &ec),
				       "{\"iat\":1764000000,\"exp\":1764001200,"
				       "\"aud\":\"https://akenza.io/devices/a b\"}"),
				&o, &r, &e),
		     0);
	cr_assert(!jwt_report_accepted(&r));
	cr_assert(has(&r, "aud_mismatch"));
	jwt_report_clear(&r);
	o.device_id = "dev-1";
	o.aud_host = "akenza.io/x";
	cr_assert_eq(check_opts(resign(&ec, hdr("ES256", &ec),
				       "{\"iat\":1764000000,\"exp\":1764001200,"
				       "\"aud\":\"https://akenza.io/x/devices/dev-1\"}"),
				&o, &r, &e),
		     0);
	cr_assert(!jwt_report_accepted(&r));
	cr_assert(has(&r, "aud_mismatch"));
	jwt_report_clear(&r);
	/* --signature-only does not look at the claims, so neither at the expectation. */
	o.signature_only = 1;
	tok = mint(&ec, 0, 0);
	cr_assert_eq(check_opts(tok, &o, &r, &e), 0);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, check_refuses_times_and_leeways_that_could_overflow)
{
	struct jwt_check_opts o = {&ec, "dev-1", NULL, NOW + 60, 60, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char *tok = mint(&ec, 0, 0);
	long bad_durations[] = {LONG_MAX, LONG_MIN, -1, TIMEUTIL_DURATION_MAX + 1};
	time_t bad_times[] = {-1, (time_t)JWT_TIME_MAX + 1, (time_t)INT64_MAX, (time_t)INT64_MIN};
	size_t i;

	for (i = 0; i < sizeof(bad_durations) / sizeof(bad_durations[0]); i++) {
		o.leeway = bad_durations[i];
		cr_assert_eq(check_opts(tok, &o, &r, &e), -1, "leeway %ld", bad_durations[i]);
		cr_assert_eq(e.status, AK_USAGE);
		o.leeway = 60;
		o.max_lifetime = bad_durations[i];
		cr_assert_eq(check_opts(tok, &o, &r, &e), -1, "max_lifetime %ld", bad_durations[i]);
		o.max_lifetime = 86400;
	}
	for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		o.now = bad_times[i];
		cr_assert_eq(check_opts(tok, &o, &r, &e), -1, "now %lld", (long long)bad_times[i]);
	}
	/* The extremes that are allowed give answers, not overflows. */
	o.now = (time_t)JWT_TIME_MAX;
	o.leeway = TIMEUTIL_DURATION_MAX;
	o.max_lifetime = TIMEUTIL_DURATION_MAX;
	cr_assert_eq(check_opts(tok, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(has(&r, "expired"));
	jwt_report_clear(&r);
	o.now = 1;
	cr_assert_eq(check_opts(tok, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(jwt_report_accepted(&r), "iat within a century of leeway");
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, never_mints_an_exp_its_verifier_refuses)
{
	struct jwt_mint_opts o = {"dev-1", NULL, (time_t)JWT_TIME_MAX - 60, 61, 0, 0};
	struct err e = ERR_INIT;
	char *tok;
	size_t len;

	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), -1, "exp after 9999 minted");
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "9999"), "%s", e.msg);
	o.ttl = 60; /* exactly the last second */
	cr_assert_eq(jwt_mint(&ec, &o, &tok, &len, &e), 0, "%s", e.msg);
	sodium_free(tok);
}

Test(jwt, a_nul_byte_is_its_own_problem)
{
	struct jwt_report r = JWT_REPORT_INIT;
	struct jwt_check_opts o = {&ec, "dev-1", NULL, NOW + 60, 60, 86400, 0};
	struct err e = ERR_INIT;
	char *tok = mint(&ec, 0, 0), buf[4096];
	size_t n = strlen(tok);

	memcpy(buf, tok, n);
	buf[n] = '\0';
	buf[n + 1] = '\0';
	cr_assert_eq(jwt_check(buf, n + 2, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(has(&r, "nul_byte"));
	cr_assert(strstr(r.problems[0].message, "NUL byte at offset"), "%s", r.problems[0].message);
	cr_assert(!jwt_report_accepted(&r));
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, a_full_problem_list_still_rejects)
{
	struct jwt_report r = JWT_REPORT_INIT;
	int i;

	r.header = json_object(); /* as if decoded */
	for (i = 0; i < JWT_PROBLEMS_MAX; i++)
		jwt_report_add(&r, "kid_missing", JWT_WARNING, "warning %d", i);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_add(&r, "expired", JWT_ERROR, "the error that did not fit");
	cr_assert_eq(r.nproblems, JWT_PROBLEMS_MAX);
	cr_assert_eq(r.dropped, 1);
	cr_assert_eq(r.dropped_errors, 1);
	cr_assert(!jwt_report_accepted(&r), "a dropped error was forgotten");
	jwt_report_clear(&r);
}

Test(jwt, a_report_jwt_check_did_not_fill_accepts_nothing)
{
	struct jwt_check_opts o = {&ec, "dev-1", NULL, NOW + 60, LONG_MAX, 86400, 0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char *tok = mint(&ec, 0, 0);

	cr_assert(!jwt_report_accepted(&r), "an empty report accepted");
	/* A caller that ignores the -1 (the reviewer's harness did) still refuses. */
	cr_assert_eq(check_opts(tok, &o, &r, &e), -1);
	cr_assert(!jwt_report_accepted(&r), "a report of a failed check accepted");
	o.leeway = 60;
	cr_assert_eq(check_opts(tok, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, a_kid_that_cannot_be_compared_is_a_mismatch)
{
	struct key broken = KEY_INIT;
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1], *tok;

	/* A key with no SubjectPublicKeyInfo: no fingerprint can be computed. */
	broken.pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL,
						   (const unsigned char *)"0123456789abcdef", 16);
	cr_assert_not_null(broken.pkey);
	cr_assert_neq(key_fingerprint(&broken, fp, &e), 0);
	check(tok = mint(&ec, 0, 0), &broken, 0, &r);
	cr_assert(has(&r, "kid_mismatch"), "the kid check was skipped");
	cr_assert(!jwt_report_accepted(&r));
	jwt_report_clear(&r);
	key_clear(&broken);
	free(tok);
}

Test(jwt, fractional_times_are_floored_with_a_warning)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000.75,\"exp\":1764001200.5,\"aud\":\"" AUD "\"}"),
	      &ec, 0, &r);
	cr_assert_eq(r.nproblems, 2);
	cr_assert_eq(r.problems[0].severity, JWT_WARNING);
	cr_assert_str_eq(r.problems[0].code, "claim_type");
	cr_assert(strstr(r.problems[1].message, "taken as 1764001200"), "%s",
		  r.problems[1].message);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	/* Floored, not rounded: exp 1764000059.9 is expired at NOW + 60 with no leeway left. */
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1763990000,\"exp\":1764000000.9,\"aud\":\"" AUD "\"}"),
	       &ec, "expired", 0);
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1764000121.5,\"exp\":1764001200,\"aud\":\"" AUD "\"}"),
	       &ec, "iat_in_future", 0);
	/* Out of range stays an error. */
	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1e300,\"aud\":\"" AUD "\"}"),
	      &ec, 0, &r);
	cr_assert(has(&r, "claim_type"));
	cr_assert(!jwt_report_accepted(&r));
	jwt_report_clear(&r);
	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":-0.5,\"exp\":1764001200,\"aud\":\"" AUD "\"}"),
	      &ec, 0, &r);
	cr_assert(!jwt_report_accepted(&r));
	jwt_report_clear(&r);
}

Test(jwt, several_audiences_are_a_warning)
{
	struct jwt_report r = JWT_REPORT_INIT;

	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":[\"https://x.example\",\"" AUD
		     "\"]}"),
	      &ec, 0, &r);
	cr_assert(has(&r, "aud_multiple"));
	cr_assert_eq(r.nproblems, 1);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	/* One audience in an array is what RFC 7519 allows: no warning. */
	expect(resign(&ec, hdr("ES256", &ec),
		      "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":[\"" AUD
		      "\"],\"sub\":\"x\"}"),
	       &ec, "sub_mismatch", 1);
}

/* --- framing: the token as the broker gets it ------------------------------------ */

/* check() on tok followed by tail (framed as a file is), with the report in r. */
static void
check_framed(const char *tok, const char *tail, struct jwt_report *r)
{
	struct jwt_check_opts o = {&ec, "dev-1", NULL, NOW + 60, 60, 86400, 0};
	struct err e = ERR_INIT;
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s%s", tok, tail);

	cr_assert_eq(jwt_check(buf, jwt_frame(buf, (size_t)n, JWT_FROM_FILE), &o, r, &e), 0, "%s",
		     e.msg);
}

Test(jwt, frame_drops_one_final_line_end_of_a_file)
{
	cr_assert_eq(jwt_frame("abc\n", 4, JWT_FROM_FILE), 3);
	cr_assert_eq(jwt_frame("abc\r\n", 5, JWT_FROM_FILE), 3);
	cr_assert_eq(jwt_frame("abc\n\n", 5, JWT_FROM_FILE), 4);
	cr_assert_eq(jwt_frame("abc\r", 4, JWT_FROM_FILE), 4);
	cr_assert_eq(jwt_frame("abc ", 4, JWT_FROM_FILE), 4);
	cr_assert_eq(jwt_frame("", 0, JWT_FROM_FILE), 0);
	/* An operand has no framing. */
	cr_assert_eq(jwt_frame("abc\n", 4, JWT_FROM_ARG), 4);
}

Test(jwt, whitespace_around_the_token_is_rejected_as_the_broker_would)
{
	const char *tails[] = {" ", "\t", " \n", "\n\n", "\r\n\r\n", "\r"};
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok = mint(&ec, 0, 0), lead[4096];
	size_t i;

	check_framed(tok, "\n", &r);
	cr_assert(jwt_report_accepted(&r) && r.nproblems == 0);
	jwt_report_clear(&r);
	check_framed(tok, "\r\n", &r);
	cr_assert(jwt_report_accepted(&r) && r.nproblems == 0);
	jwt_report_clear(&r);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		check_framed(tok, tails[i], &r);
		cr_assert(has(&r, "whitespace"), "tail %zu not seen", i);
		/* The rest is still checked: the signature of the token inside is good. */
		cr_assert_eq(r.nproblems, 1);
		cr_assert(r.signature_valid);
		cr_assert(!jwt_report_accepted(&r));
		jwt_report_clear(&r);
	}
	snprintf(lead, sizeof(lead), " %s", tok);
	check_framed(lead, "", &r);
	cr_assert(has(&r, "whitespace") && !jwt_report_accepted(&r));
	cr_assert(strstr(r.problems[0].message, "starts with a space"), "%s",
		  r.problems[0].message);
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, two_tokens_on_two_lines_are_not_a_jwe)
{
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok = mint(&ec, 0, 0), two[4096];

	snprintf(two, sizeof(two), "%s\n%s", tok, tok);
	check_framed(two, "\n", &r);
	cr_assert(has(&r, "multiple_tokens"));
	cr_assert_eq(r.nproblems, 1);
	cr_assert(strstr(r.problems[0].message, "2 tokens"), "%s", r.problems[0].message);
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, an_uppercase_kid_differs_only_in_case)
{
	struct jwt_report r = JWT_REPORT_INIT;
	struct jwt_check_opts o = {NULL, "dev-1", NULL, NOW + 60, 60, 86400, 0};
	struct err e = ERR_INIT;
	char h[256], up[KEY_FINGERPRINT_HEX + 1], *tok;
	size_t i;

	for (i = 0; i <= KEY_FINGERPRINT_HEX; i++)
		up[i] = (char)toupper((unsigned char)kid_of(&ec)[i]);
	cr_assert_eq(jwt_kid_match(up, kid_of(&ec)), JWT_KID_CASE);
	cr_assert_eq(jwt_kid_match(kid_of(&ec), kid_of(&ec)), JWT_KID_SAME);
	snprintf(h, sizeof(h), "%s", kid_of(&ec2));
	cr_assert_eq(jwt_kid_match(h, kid_of(&ec)), JWT_KID_OTHER);
	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", up);
	tok = strdup(resign(&ec, h, claims_ok));
	check(tok, &ec, 0, &r);
	cr_assert(has(&r, "kid_mismatch") && !jwt_report_accepted(&r));
	cr_assert(strstr(r.problems[0].message, "only in case"), "%s", r.problems[0].message);
	jwt_report_clear(&r);
	/* Without a key: kid_format says it is the case. */
	cr_assert_eq(jwt_check(tok, strlen(tok), &o, &r, &e), 0);
	cr_assert(has(&r, "kid_format"));
	cr_assert(strstr(r.problems[0].message, "uppercase"), "%s", r.problems[0].message);
	jwt_report_clear(&r);
	free(tok);
}

Test(jwt, signature_only_takes_any_payload_and_a_foreign_kid)
{
	const char *payloads[] = {"", "foo", "\xff\xfe\x80\x01", "[1,2]", "{\"a\":"};
	struct jwt_report r = JWT_REPORT_INIT;
	char *tok;
	size_t i;

	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		check(resign(&ec, "{\"alg\":\"ES256\"}", payloads[i]), &ec, 1, &r);
		cr_assert_eq(r.nproblems, 0, "payload %zu", i);
		cr_assert(r.signature_valid && jwt_report_accepted(&r));
		cr_assert(r.payload_opaque && r.claims == NULL);
		cr_assert_eq(r.payload_len, strlen(payloads[i]));
		jwt_report_clear(&r);
	}
	/* A kid that is not an akenza fingerprint (RFC 7520's), or not a string: a warning. */
	tok = resign(&ec, "{\"alg\":\"ES256\",\"kid\":\"bilbo.baggins@hobbiton.example\"}", "foo");
	check(tok, &ec, 1, &r);
	cr_assert(has(&r, "kid_mismatch") && r.problems[0].severity == JWT_WARNING);
	cr_assert(jwt_report_accepted(&r) && r.signature_valid);
	jwt_report_clear(&r);
	check(resign(&ec, "{\"alg\":\"ES256\",\"kid\":7}", "foo"), &ec, 1, &r);
	cr_assert(has(&r, "claim_type") && jwt_report_accepted(&r));
	jwt_report_clear(&r);
	/* As an akenza token the same kid is an error. */
	check(resign(&ec, "{\"alg\":\"ES256\",\"kid\":\"bilbo.baggins@hobbiton.example\"}",
		     claims_ok),
	      &ec, 0, &r);
	cr_assert(has(&r, "kid_mismatch") && !jwt_report_accepted(&r));
	jwt_report_clear(&r);
}

Test(jwt, a_u0000_in_json_is_json)
{
	struct jwt_report r = JWT_REPORT_INIT;
	char *s;

	/* In a claim nothing compares: taken, and shown escaped. */
	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD
		     "\",\"note\":\"a\\u0000b\"}"),
	      &ec, 0, &r);
	cr_assert_eq(r.nproblems, 0);
	cr_assert(jwt_report_accepted(&r));
	s = json_dumps(r.claims, JSON_ENSURE_ASCII | JSON_COMPACT);
	cr_assert(strstr(s, "\"a\\u0000b\""), "%s", s);
	free(s);
	jwt_report_clear(&r);
	/* In aud it would be compared cut short: its own error, never "not JSON". */
	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD "\\u0000x\"}"),
	      &ec, 0, &r);
	cr_assert(has(&r, "json_nul") && !has(&r, "malformed") && !jwt_report_accepted(&r));
	jwt_report_clear(&r);
	check(resign(&ec, "{\"alg\":\"ES256\\u0000\"}", claims_ok), &ec, 0, &r);
	cr_assert(has(&r, "json_nul") && !has(&r, "malformed") && !jwt_report_accepted(&r));
	jwt_report_clear(&r);
	/* Jansson takes no NUL in a member name. */
	check(resign(&ec, hdr("ES256", &ec),
		     "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"" AUD "\",\"a\\u0000\":1}"),
	      &ec, 0, &r);
	cr_assert(has(&r, "json_nul") && !has(&r, "malformed") && !jwt_report_accepted(&r));
	jwt_report_clear(&r);
}

/* The one token policy: its defaults, its ranges, and what it sets in jwt_check_opts. */
Test(jwt_policy, defaults_are_a_minute_of_leeway_and_a_day_of_lifetime)
{
	struct jwt_policy p = JWT_POLICY_INIT;
	struct err e = ERR_INIT;

	cr_assert_null(p.aud_host);
	cr_assert_eq(p.leeway, 60);
	cr_assert_eq(p.max_lifetime, 86400);
	cr_assert_eq(jwt_policy_check(&p, &e), 0);
}

Test(jwt_policy, leeway_from_zero_to_a_day)
{
	struct jwt_policy p = JWT_POLICY_INIT;
	struct err e = ERR_INIT;
	long bad[] = {-1, JWT_LEEWAY_MAX + 1, LONG_MAX, LONG_MIN};
	size_t i;

	p.leeway = 0;
	cr_assert_eq(jwt_policy_check(&p, &e), 0);
	p.leeway = 86400;
	cr_assert_eq(jwt_policy_check(&p, &e), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		p.leeway = bad[i];
		cr_assert_eq(jwt_policy_check(&p, &e), -1, "leeway %ld", bad[i]);
		cr_assert_eq(e.status, AK_USAGE);
		cr_assert(strstr(e.msg, "leeway") != NULL, "%s", e.msg);
	}
}

Test(jwt_policy, max_lifetime_from_zero_to_a_century)
{
	struct jwt_policy p = JWT_POLICY_INIT;
	struct err e = ERR_INIT;

	p.max_lifetime = 0;
	cr_assert_eq(jwt_policy_check(&p, &e), 0);
	p.max_lifetime = TIMEUTIL_DURATION_MAX;
	cr_assert_eq(jwt_policy_check(&p, &e), 0);
	p.max_lifetime = TIMEUTIL_DURATION_MAX + 1;
	cr_assert_eq(jwt_policy_check(&p, &e), -1);
	cr_assert_eq(e.status, AK_USAGE);
	e = (struct err)ERR_INIT;
	p.max_lifetime = -1;
	cr_assert_eq(jwt_policy_check(&p, &e), -1);
	cr_assert(strstr(e.msg, "maximum lifetime") != NULL, "%s", e.msg);
}

Test(jwt_policy, aud_host_is_checked_as_a_usage_error)
{
	struct jwt_policy p = JWT_POLICY_INIT;
	struct err e = ERR_INIT;

	p.aud_host = "acme.akenza.io:8443";
	cr_assert_eq(jwt_policy_check(&p, &e), 0);
	p.aud_host = "acme/akenza.io";
	cr_assert_eq(jwt_policy_check(&p, &e), -1);
	cr_assert_eq(e.status, AK_USAGE);
	cr_assert(strstr(e.msg, "audience host") != NULL, "%s", e.msg);
}

Test(jwt_policy, apply_sets_the_policy_fields_only)
{
	const struct jwt_policy p = {"acme.akenza.io", 120, 3600};
	struct jwt_check_opts o = {NULL, "dev-1", NULL, NOW, 0, 0, 1};

	jwt_policy_apply(&p, &o);
	cr_assert_str_eq(o.aud_host, "acme.akenza.io");
	cr_assert_eq(o.leeway, 120);
	cr_assert_eq(o.max_lifetime, 3600);
	cr_assert_str_eq(o.device_id, "dev-1");
	cr_assert_eq(o.now, NOW);
	cr_assert_eq(o.signature_only, 1);
}

/* The leeway the policy sets is the one jwt_check applies: exp + leeway is the limit. */
Test(jwt_policy, leeway_applied_by_jwt_check, .init = setup, .fini = teardown)
{
	struct jwt_mint_opts m = {"dev-1", NULL, NOW, 600, 0, 0};
	struct jwt_policy p = JWT_POLICY_INIT;
	struct jwt_check_opts o = {0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char *tok = NULL;
	size_t len;

	cr_assert_eq(jwt_mint(&ec, &m, &tok, &len, &e), 0, "%s", e.msg);
	jwt_policy_apply(&p, &o);
	o.key = &ec;
	o.device_id = "dev-1";
	o.now = NOW + 600 + 59;
	cr_assert_eq(jwt_check(tok, len, &o, &r, &e), 0, "%s", e.msg);
	cr_assert(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	o.now = NOW + 600 + 60;
	cr_assert_eq(jwt_check(tok, len, &o, &r, &e), 0, "%s", e.msg);
	cr_assert_not(jwt_report_accepted(&r));
	jwt_report_clear(&r);
	sodium_free(tok);
}

Test(jwt, numeric_date_is_whole_seconds_from_1970_to_9999)
{
	json_t *j = json_loads("[0, 1764000000.9, 253402300799, -1, 253402300800, 1e300, \"1\"]", 0,
			       NULL);
	const int want[] = {1, 1, 1, 0, 0, 0, -1};
	const time_t secs[] = {0, 1764000000, 253402300799};
	time_t t;
	size_t i;

	cr_assert_not_null(j);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_eq(jwt_numeric_date(json_array_get(j, i), &t), want[i], "element %zu", i);
		if (want[i] == 1)
			cr_assert_eq(t, secs[i], "element %zu", i);
	}
	json_decref(j);
}

/* One count and one JSON view of a report's problems, for jwt, check and the plugin alike. */
Test(jwt, counts_and_json_include_what_the_list_dropped)
{
	struct jwt_report r = JWT_REPORT_INIT;
	json_t *all, *errs;
	int i, errors, warnings;

	for (i = 0; i < JWT_PROBLEMS_MAX; i++)
		jwt_report_add(&r, "kid_missing", JWT_WARNING, "warning %d", i);
	jwt_report_add(&r, "expired", JWT_ERROR, "past the list's end");
	jwt_report_add(&r, "kid_missing", JWT_WARNING, "past the list's end too");
	jwt_report_count(&r, &errors, &warnings);
	cr_assert_eq(errors, 1, "a dropped error still counts");
	cr_assert_eq(warnings, JWT_PROBLEMS_MAX + 1);
	jwt_report_count(&r, &errors, NULL);
	cr_assert_eq(errors, 1);
	cr_assert_str_eq(jwt_severity_name(JWT_ERROR), "error");
	cr_assert_str_eq(jwt_severity_name(JWT_WARNING), "warning");

	all = jwt_problems_json(&r, 0);
	errs = jwt_problems_json(&r, 1);
	cr_assert_not_null(all);
	cr_assert_eq(json_array_size(all), JWT_PROBLEMS_MAX);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "severity")),
			 "warning");
	cr_assert_eq(json_array_size(errs), 0, "the listed problems hold no error");
	json_decref(all);
	json_decref(errs);
	jwt_report_clear(&r);

	/* A message JSON cannot hold is replaced; the problem and its code stay. */
	jwt_report_add(&r, "aud_mismatch", JWT_ERROR, "aud '%s'", "\xff\xfe");
	all = jwt_problems_json(&r, 1);
	cr_assert_eq(json_array_size(all), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "code")),
			 "aud_mismatch");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "message")),
			 "(message not valid UTF-8)");
	json_decref(all);
	jwt_report_clear(&r);
}
