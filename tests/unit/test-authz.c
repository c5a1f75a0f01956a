/* Unit tests of the authz module: the local broker's decisions, without mosquitto. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "authz.h"
#include "b64.h"
#include "jwt.h"
#include "jwtmint.h"
#include "key.h"
#include "unit-tmpdir.h"

Test(authz, publish_only_under_the_uplink_topic)
{
	cr_assert(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev1"));
	cr_assert(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev1/alerts"));
	cr_assert(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev1/a/b"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev2"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev1x"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, "up/device/id/dev1"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, "/down/device/id/dev1"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, "/up/device/id/dev1/#"));
	cr_assert_not(authz_acl("dev1", AUTHZ_PUBLISH, ""));
}

Test(authz, subscribe_only_under_the_downlink_topic)
{
	cr_assert(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/dev1/#"));
	cr_assert(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/dev1/cmd"));
	cr_assert(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/dev1/+/x"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/dev1"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/+/#"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/#"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "#"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/up/device/id/dev1/#"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "/down/device/id/dev10/#"));
	cr_assert_not(authz_acl("dev1", AUTHZ_SUBSCRIBE, "$share/g/down/device/id/dev1/#"));
	/* Delivery: the device's own downlinks, including the parent level "/#" matches. */
	cr_assert(authz_acl("dev1", AUTHZ_RECEIVE, "/down/device/id/dev1/cmd"));
	cr_assert(authz_acl("dev1", AUTHZ_RECEIVE, "/down/device/id/dev1"));
	cr_assert_not(authz_acl("dev1", AUTHZ_RECEIVE, "/down/device/id/dev2/cmd"));
	cr_assert(authz_acl("dev1", AUTHZ_UNSUBSCRIBE, "anything"));
}

Test(authz, a_client_id_that_is_not_a_device_id_gets_nothing)
{
	/* '+' or '#' in the id would turn the prefix into a wildcard. */
	cr_assert_not(authz_acl("+", AUTHZ_PUBLISH, "/up/device/id/+"));
	cr_assert_not(authz_acl("#", AUTHZ_SUBSCRIBE, "/down/device/id/#/x"));
	cr_assert_not(authz_acl("a/b", AUTHZ_PUBLISH, "/up/device/id/a/b"));
	cr_assert_not(authz_acl("", AUTHZ_PUBLISH, "/up/device/id//x"));
	cr_assert_not(authz_acl(NULL, AUTHZ_PUBLISH, "/up/device/id/x"));
}

/* A key directory with one registered key for dev1, and a second, unregistered key. */
static const char *const dir = unit_tmpdir;
static struct key k1 = KEY_INIT, k2 = KEY_INIT;

static void
setup(void)
{
	struct err e = ERR_INIT;
	char path[128];
	char *pem;
	size_t len;
	FILE *f;

	cr_assert(sodium_init() >= 0);
	unit_tmpdir_make();
	snprintf(path, sizeof(path), "%s/dev1", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(key_generate(&k1, KEY_EC, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(key_generate(&k2, KEY_EC, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(key_public_pem(&k1, &pem, &len, &e), 0);
	snprintf(path, sizeof(path), "%s/dev1/a.pem", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fwrite(pem, 1, len, f);
	fclose(f);
	free(pem);
	/* Junk next to it is skipped, not fatal. */
	snprintf(path, sizeof(path), "%s/dev1/junk.pem", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("not a key\n", f);
	fclose(f);
}

static void
teardown(void)
{
	unit_tmpdir_remove();
	key_clear(&k1);
	key_clear(&k2);
}

static char *
mint(const struct key *k, const char *id, time_t iat, int no_kid)
{
	struct jwt_mint_opts o = {id, NULL, iat, 1200, no_kid, 0};
	struct err e = ERR_INIT;
	char *tok;
	size_t len;

	cr_assert_eq(jwt_mint(k, &o, &tok, &len, &e), 0, "%s", e.msg);
	return tok;
}

static int
login(const char *id, const char *tok, struct authz_login *l)
{
	struct authz_config c = {dir, JWT_POLICY_INIT, 0};
	struct err e = ERR_INIT;

	return authz_login(&c, id, tok, l, &e);
}

TestSuite(authz_login, .init = setup, .fini = teardown);

Test(authz_login, accepts_a_token_of_the_registered_key)
{
	struct authz_login l;
	char fp[KEY_FINGERPRINT_HEX + 1], *tok = mint(&k1, "dev1", 0, 0);
	struct err e = ERR_INIT;

	cr_assert_eq(login("dev1", tok, &l), 1, "%s", l.reason);
	cr_assert_eq(key_fingerprint(&k1, fp, &e), 0);
	cr_assert_str_eq(l.kid, fp);
	sodium_free(tok);
}

Test(authz_login, without_kid_tries_each_key)
{
	struct authz_login l;
	char *tok = mint(&k1, "dev1", 0, 1);

	cr_assert_eq(login("dev1", tok, &l), 1, "%s", l.reason);
	sodium_free(tok);
	tok = mint(&k2, "dev1", 0, 1);
	cr_assert_eq(login("dev1", tok, &l), 0);
	sodium_free(tok);
}

Test(authz_login, refuses_an_unregistered_kid)
{
	struct authz_login l;
	char *tok = mint(&k2, "dev1", 0, 0);

	cr_assert_eq(login("dev1", tok, &l), 0);
	cr_assert(strstr(l.reason, "kid_unknown") != NULL, "%s", l.reason);
	sodium_free(tok);
}

Test(authz_login, refuses_an_expired_token)
{
	struct authz_login l;
	char *tok = mint(&k1, "dev1", time(NULL) - 3600, 0);

	cr_assert_eq(login("dev1", tok, &l), 0);
	cr_assert(strncmp(l.reason, "expired", 7) == 0, "%s", l.reason);
	sodium_free(tok);
}

/* The session ends at the first second the login's own check calls the token expired. */
Test(authz_login, a_session_ends_when_the_same_check_refuses_the_token)
{
	struct authz_config c = {dir, JWT_POLICY_INIT, 0};
	struct authz_login l;
	struct err e = ERR_INIT;
	time_t iat = 1790000000, ends;
	char *tok = mint(&k1, "dev1", iat, 0);
	long leeway;

	for (leeway = 0; leeway <= 120; leeway += 60) {
		c.policy.leeway = leeway;
		c.now = iat + 10;
		cr_assert_eq(authz_login(&c, "dev1", tok, &l, &e), 1, "%s", l.reason);
		ends = l.ends;
		cr_assert_eq(ends, iat + 1200 + leeway);
		c.now = ends - 1;
		cr_assert_eq(authz_login(&c, "dev1", tok, &l, &e), 1, "%s", l.reason);
		c.now = ends;
		cr_assert_eq(authz_login(&c, "dev1", tok, &l, &e), 0);
		cr_assert(strncmp(l.reason, "expired", 7) == 0, "%s", l.reason);
	}
	sodium_free(tok);
}

Test(authz_login, refuses_a_client_id_other_than_the_audience)
{
	struct authz_login l;
	char *tok = mint(&k1, "dev2", 0, 0);

	/* dev2 has no keys at all; and dev1's key signed a token for dev2. */
	cr_assert_eq(login("dev2", tok, &l), 0);
	cr_assert(strstr(l.reason, "no key is registered") != NULL, "%s", l.reason);
	cr_assert_eq(login("dev1", tok, &l), 0);
	cr_assert(strncmp(l.reason, "aud_mismatch", 12) == 0, "%s", l.reason);
	sodium_free(tok);
}

Test(authz_login, refuses_bad_ids_and_passwords)
{
	struct authz_login l;
	char *tok = mint(&k1, "dev1", 0, 0);

	cr_assert_eq(login("../dev1", tok, &l), 0);
	cr_assert(strstr(l.reason, "not a device id") != NULL, "%s", l.reason);
	cr_assert_eq(login(NULL, tok, &l), 0);
	cr_assert_eq(login("dev1", NULL, &l), 0);
	cr_assert_eq(login("dev1", "", &l), 0);
	cr_assert_eq(login("dev1", "not.a.token", &l), 0);
	cr_assert_neq(l.reason[0], '\0');
	/* A tampered signature. */
	tok[strlen(tok) - 2] = tok[strlen(tok) - 2] == 'A' ? 'B' : 'A';
	cr_assert_eq(login("dev1", tok, &l), 0);
	sodium_free(tok);
}

/* The broker and jwt verify: one rule for the kid, saying when only its case differs. */
Test(authz_login, an_uppercase_kid_is_refused_saying_it_differs_only_in_case)
{
	struct authz_login l;
	char fp[KEY_FINGERPRINT_HEX + 1], hdr[160], claims[160], tok[1024], h64[256], c64[256];
	struct err e = ERR_INIT;
	size_t i;

	cr_assert_eq(key_fingerprint(&k1, fp, &e), 0);
	for (i = 0; fp[i] != '\0'; i++)
		fp[i] = (char)toupper((unsigned char)fp[i]);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", fp);
	snprintf(claims, sizeof(claims),
		 "{\"iat\":%lld,\"exp\":%lld,\"aud\":\"https://akenza.io/devices/dev1\"}",
		 (long long)time(NULL), (long long)time(NULL) + 1200);
	b64url_encode(h64, sizeof(h64), (const unsigned char *)hdr, strlen(hdr));
	b64url_encode(c64, sizeof(c64), (const unsigned char *)claims, strlen(claims));
	/* The key is picked by kid before any signature is checked. */
	snprintf(tok, sizeof(tok), "%s.%s.AAAA", h64, c64);
	cr_assert_eq(login("dev1", tok, &l), 0);
	cr_assert(strncmp(l.reason, "kid_mismatch", 12) == 0, "%s", l.reason);
	cr_assert(strstr(l.reason, "only in case") != NULL, "%s", l.reason);
}

/*
 * A kid not in the form of a fingerprint (63 hex digits, a number) names no key: kid_unknown,
 * by jwt_check_keys' rule, not a rule of the broker's own.
 */
Test(authz_login, a_kid_that_is_not_a_fingerprint_names_no_key)
{
	static const char *const kids[] = {
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "17"};
	struct authz_login l;
	char hdr[160], claims[160], tok[1024], h64[256], c64[256];
	size_t i;

	snprintf(claims, sizeof(claims),
		 "{\"iat\":%lld,\"exp\":%lld,\"aud\":\"https://akenza.io/devices/dev1\"}",
		 (long long)time(NULL), (long long)time(NULL) + 1200);
	b64url_encode(c64, sizeof(c64), (const unsigned char *)claims, strlen(claims));
	for (i = 0; i < 2; i++) {
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":%s}",
			 kids[i]);
		b64url_encode(h64, sizeof(h64), (const unsigned char *)hdr, strlen(hdr));
		snprintf(tok, sizeof(tok), "%s.%s.AAAA", h64, c64);
		cr_assert_eq(login("dev1", tok, &l), 0);
		cr_assert(strstr(l.reason, "kid_unknown: the token's kid (not a fingerprint") ==
				  l.reason,
			  "%s", l.reason);
		cr_assert(strstr(l.reason, "device 'dev1'") != NULL, "%s", l.reason);
	}
}

/* A password that is no token is refused as such, before any key file is read. */
Test(authz_login, a_password_that_is_no_token_is_refused_before_the_keys_are_read)
{
	struct authz_login l;

	cr_assert_eq(login("dev1", "not-a-token", &l), 0);
	cr_assert(strncmp(l.reason, "malformed", 9) == 0, "%s", l.reason);
	/* dev2 has no key directory: the token is what the answer is about. */
	cr_assert_eq(login("dev2", "not-a-token", &l), 0);
	cr_assert(strncmp(l.reason, "malformed", 9) == 0, "%s", l.reason);
}

/* A password with white space around the token is refused for that, as jwt verify says. */
Test(authz_login, white_space_around_the_token_is_refused_as_such)
{
	struct authz_login l;
	char *tok = mint(&k1, "dev1", 0, 0), buf[2048], big[JWT_TOKEN_MAX + 2];

	snprintf(buf, sizeof(buf), "%s\n", tok);
	cr_assert_eq(login("dev1", buf, &l), 0);
	cr_assert(strncmp(l.reason, "whitespace", 10) == 0, "%s", l.reason);
	snprintf(buf, sizeof(buf), " %s", tok);
	cr_assert_eq(login("dev1", buf, &l), 0);
	cr_assert(strncmp(l.reason, "whitespace", 10) == 0, "%s", l.reason);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(login("dev1", big, &l), 0);
	cr_assert(strncmp(l.reason, "too_long", 8) == 0, "%s", l.reason);
	sodium_free(tok);
}

/* --- every key counts: any number of files, several keys per file ------------------ */

static void
put(const char *id, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir, id);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/%s", unit_tmpdir, id, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

static char *
public_pem(const struct key *k)
{
	struct err e = ERR_INIT;
	char *pem;
	size_t len;

	cr_assert_eq(key_public_pem(k, &pem, &len, &e), 0, "%s", e.msg);
	return pem;
}

static int
login_in(const char *id, const char *tok, struct authz_login *l)
{
	struct authz_config c = {unit_tmpdir, JWT_POLICY_INIT, 0};
	struct err e = ERR_INIT;
	int rc = authz_login(&c, id, tok, l, &e);

	cr_assert_neq(rc, -1, "%s", e.msg);
	return rc;
}

TestSuite(authz_keys, .init = unit_tmpdir_make, .fini = unit_tmpdir_remove);

/* Junk and old keys, many more than 64, in any readdir order: the real key still counts. */
Test(authz_keys, every_entry_of_a_large_directory_counts)
{
	struct key real = KEY_INIT, old = KEY_INIT;
	struct authz_login l;
	struct err e = ERR_INIT;
	char name[32], fp[KEY_FINGERPRINT_HEX + 1], *pem, *tok, want[256];
	int i, nokid;

	cr_assert_eq(key_generate(&real, KEY_EC, 0, &e), 0);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "junk-%03d.pem", i);
		put("dev9", name, "not a key\n");
		if (i == 150) {
			pem = public_pem(&real);
			put("dev9", "m-real.pem", pem);
			free(pem);
		}
		if (i % 3 == 0) { /* old keys of the device, sorted before and after the real one */
			cr_assert_eq(key_generate(&old, KEY_EC, 0, &e), 0);
			pem = public_pem(&old);
			snprintf(name, sizeof(name), "%s-%03d.pem", i % 2 ? "a-old" : "z-old", i);
			put("dev9", name, pem);
			free(pem);
			key_clear(&old);
		}
	}
	cr_assert_eq(key_fingerprint(&real, fp, &e), 0);
	snprintf(want, sizeof(want), "%s/dev9/m-real.pem", unit_tmpdir);
	for (nokid = 0; nokid < 2; nokid++) {
		tok = mint(&real, "dev9", 0, nokid);
		cr_assert_eq(login_in("dev9", tok, &l), 1, "%s", l.reason);
		cr_assert_str_eq(l.kid, fp);
		cr_assert_str_eq(l.key_file, want);
		sodium_free(tok);
	}
	key_clear(&real);
}

/* A key appended to a device's key file during a rotation counts as much as the first. */
Test(authz_keys, every_key_of_a_file_counts)
{
	struct key a = KEY_INIT, b = KEY_INIT, x = KEY_INIT;
	struct authz_login l;
	struct err e = ERR_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1], *pa, *pb, text[2048], *tok;
	int nokid;

	cr_assert_eq(key_generate(&a, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_generate(&b, KEY_RSA, 2048, &e), 0);
	cr_assert_eq(key_generate(&x, KEY_EC, 0, &e), 0);
	pa = public_pem(&a);
	pb = public_pem(&b);
	snprintf(text, sizeof(text), "%s%s", pa, pb);
	put("dev5", "keys.pem", text);
	cr_assert_eq(key_fingerprint(&b, fp, &e), 0);
	for (nokid = 0; nokid < 2; nokid++) {
		tok = mint(&b, "dev5", 0, nokid);
		cr_assert_eq(login_in("dev5", tok, &l), 1, "%s", l.reason);
		cr_assert_str_eq(l.kid, fp);
		sodium_free(tok);
		tok = mint(&a, "dev5", 0, nokid);
		cr_assert_eq(login_in("dev5", tok, &l), 1, "%s", l.reason);
		sodium_free(tok);
		/* A key in neither is refused: kid_unknown, or the signature of each key. */
		tok = mint(&x, "dev5", 0, nokid);
		cr_assert_eq(login_in("dev5", tok, &l), 0);
		cr_assert(strncmp(l.reason, nokid ? "signature_invalid" : "kid_unknown",
				  nokid ? 17 : 11) == 0,
			  "%s", l.reason);
		sodium_free(tok);
	}
	/* A block that cannot be read: the file is refused, not read as its first key. */
	snprintf(text, sizeof(text), "%s-----BEGIN PUBLIC KEY-----\nMFkw\n", pb);
	put("dev6", "keys.pem", text);
	tok = mint(&b, "dev6", 0, 0);
	cr_assert_eq(login_in("dev6", tok, &l), 0);
	cr_assert(strstr(l.reason, "unusable: ") != NULL &&
			  strstr(l.reason, "unreadable PEM data after block 1") != NULL,
		  "%s", l.reason);
	sodium_free(tok);
	/* kid_unknown says that a file was unusable: it may be the missing key. */
	put("dev6", "other.pem", pa);
	tok = mint(&b, "dev6", 0, 0);
	cr_assert_eq(login_in("dev6", tok, &l), 0);
	cr_assert(strncmp(l.reason, "kid_unknown", 11) == 0 && strstr(l.reason, "unusable") != NULL,
		  "%s", l.reason);
	sodium_free(tok);
	free(pa);
	free(pb);
	key_clear(&a);
	key_clear(&b);
	key_clear(&x);
}

/* The sample of tests/data/keyformats named file into the key directory of id. */
static void
put_sample(const char *id, const char *file)
{
	char path[256], buf[8192];
	size_t n;
	FILE *in, *out;

	snprintf(path, sizeof(path), "tests/data/keyformats/%s", file);
	cr_assert_not_null(in = fopen(path, "rb"), "%s", path);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir, id);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/%s", unit_tmpdir, id, file);
	cr_assert_not_null(out = fopen(path, "wb"), "%s", path);
	cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(out);
}

/* A key directory of what a secure element or another tool handed out: each form counts. */
Test(authz_keys, keys_in_every_form_key_h_reads_count)
{
	static const char *const forms[] = {"ec.point64.bin", "ec.point33.hex",  "ec.csr.der",
					    "ec.pub.jwk",     "authorized_keys", "set.jwks",
					    "rsa.newcsr.pem", "rsa.ssh.pub"};
	struct key ec = KEY_INIT, rsa = KEY_INIT;
	struct authz_login l;
	struct err e = ERR_INIT;
	char id[16], fp[KEY_FINGERPRINT_HEX + 1], *tok;
	size_t i;

	/* The private JWKs of the samples sign; the key directories hold the other forms. */
	cr_assert_eq(key_load_file(&ec, "tests/data/keyformats/ec.jwk", NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(key_load_file(&rsa, "tests/data/keyformats/rsa.jwk", NULL, &e), 0, "%s",
		     e.msg);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(id, sizeof(id), "form%zu", i);
		put_sample(id, forms[i]);
		tok = mint(strncmp(forms[i], "rsa", 3) == 0 ? &rsa : &ec, id, 0, 0);
		cr_assert_eq(login_in(id, tok, &l), 1, "%s: %s", forms[i], l.reason);
		cr_assert_eq(key_fingerprint(strncmp(forms[i], "rsa", 3) == 0 ? &rsa : &ec, fp, &e),
			     0);
		cr_assert_str_eq(l.kid, fp, "%s", forms[i]);
		sodium_free(tok);
	}
	/* Files of both keys: the RSA key's token logs in too. */
	tok = mint(&rsa, "form4", 0, 0);
	cr_assert_eq(login_in("form4", tok, &l), 1, "%s", l.reason);
	sodium_free(tok);
	/* A request whose signature does not verify is no key of the device. */
	put_sample("bad", "ec.csr.badsig.der");
	tok = mint(&ec, "bad", 0, 0);
	cr_assert_eq(login_in("bad", tok, &l), 0);
	cr_assert(strstr(l.reason, "signature does not verify") != NULL, "%s", l.reason);
	sodium_free(tok);
	key_clear(&ec);
	key_clear(&rsa);
}

/*
 * The open sessions of a broker that ends them at expiry: a's ends at 100,
 * b's at 200; clients are only compared.
 */
static struct authz_sessions ss = AUTHZ_SESSIONS_INIT;
static int client_a, client_b, client_c;

static void
add(const int *client, const char *id, time_t ends)
{
	struct err e = ERR_INIT;

	cr_assert_eq(authz_sessions_add(&ss, client, id, ends, &e), 0, "%s", e.msg);
}

static void
two_sessions(void)
{
	add(&client_a, "dev-a", 100);
	add(&client_b, "dev-b", 200);
}

static void
no_sessions(void)
{
	authz_sessions_clear(&ss);
}

TestSuite(authz_sessions, .init = two_sessions, .fini = no_sessions);

Test(authz_sessions, takes_out_each_session_once_it_is_over)
{
	struct authz_session s;

	add(&client_c, "dev-c", 200);
	cr_assert_eq(authz_sessions_take_over(&ss, 99, &s), 0);
	cr_assert_eq(authz_sessions_take_over(&ss, 100, &s), 1);
	cr_assert(s.client == &client_a && strcmp(s.id, "dev-a") == 0 && s.ends == 100);
	cr_assert_eq(authz_sessions_take_over(&ss, 100, &s), 0);
	/* Both over at 200: each comes out once, then none. */
	cr_assert_eq(authz_sessions_take_over(&ss, 200, &s), 1);
	cr_assert_eq(authz_sessions_take_over(&ss, 200, &s), 1);
	cr_assert_eq(authz_sessions_take_over(&ss, 200, &s), 0);
	cr_assert_eq(ss.n, 0);
}

Test(authz_sessions, a_closed_session_is_never_taken_out)
{
	struct authz_session s;

	authz_sessions_remove(&ss, &client_a);
	authz_sessions_remove(&ss, &client_c); /* not there: nothing happens */
	cr_assert_eq(authz_sessions_take_over(&ss, 150, &s), 0);
	cr_assert_eq(authz_sessions_take_over(&ss, 200, &s), 1);
	cr_assert(s.client == &client_b);
}

Test(authz_sessions, says_whether_a_clients_session_is_over)
{
	struct authz_session s;

	cr_assert_eq(authz_sessions_over(&ss, &client_a, 99, &s), 0);
	cr_assert_eq(authz_sessions_over(&ss, &client_a, 100, &s), 1);
	cr_assert(s.client == &client_a && strcmp(s.id, "dev-a") == 0 && s.ends == 100);
	cr_assert_eq(authz_sessions_over(&ss, &client_b, 150, &s), 0);
	cr_assert_eq(authz_sessions_over(&ss, &client_c, 1000, &s), 0); /* no session */
	/* Asking takes nothing out. */
	cr_assert_eq(ss.n, 2);
}

Test(authz_sessions, a_client_added_again_has_one_session_with_the_new_end)
{
	struct authz_session s;

	add(&client_a, "dev-a", 500);
	cr_assert_eq(ss.n, 2);
	cr_assert_eq(authz_sessions_take_over(&ss, 499, &s), 1);
	cr_assert(s.client == &client_b);
	cr_assert_eq(authz_sessions_take_over(&ss, 499, &s), 0);
	cr_assert_eq(authz_sessions_take_over(&ss, 500, &s), 1);
}

Test(authz_sessions, many_sessions_end_in_any_order)
{
	struct authz_session s;
	static int clients[1000];
	char id[16];
	int i, taken = 0;

	no_sessions();
	cr_assert_eq(authz_sessions_take_over(&ss, 1000, &s), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "dev-%d", i);
		add(&clients[i], id, 1000 + (i * 7919) % 1000);
	}
	for (i = 1000; i < 2000; i++) {
		while (authz_sessions_take_over(&ss, i, &s)) {
			cr_assert(s.ends <= i);
			taken++;
		}
		cr_assert_eq((int)ss.n, 1999 - i);
	}
	cr_assert_eq(taken, 1000);
}
