/*
 * jwt: checking akenza device tokens, and the rules minting shares (see jwt.h).
 *
 * Checking never trusts the token to choose how it is verified: the
 * algorithm is the one of the key, keys named in the header (jwk, jku, x5u,
 * x5c) are ignored, "none" and HMAC do not exist here, the size is bounded
 * before anything is decoded, base64url is strict, duplicate JSON members are
 * refused, and an ES256 signature must be exactly 64 bytes, converted to DER
 * as it is (r and s taken verbatim, never "repaired") for OpenSSL to verify.
 * Every problem is listed, not only the first.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "b64.h"
#include "devid.h"
#include "fileio.h"
#include "jwt.h"
#include "safetext.h"
#include "timeutil.h"
#include "banned.h"

const struct jwt_problem_info jwt_problem_codes[] = {
	{"malformed", JWT_ERROR,
	 "not a compact JWS: not three segments, not strict base64url, not JSON, or not an object"},
	{"too_long", JWT_ERROR,
	 "the token is longer than 8192 bytes (checked before anything is decoded)"},
	{"nul_byte", JWT_ERROR, "the token has a NUL byte"},
	{"whitespace", JWT_ERROR,
	 "a space, tab or line end in or around the token, but for one final line end of a file"},
	{"multiple_tokens", JWT_ERROR, "the input holds more than one token (one per line)"},
	{"json_nul", JWT_ERROR, "a member name, or alg, typ, kid, aud or sub, holds \\u0000"},
	{"duplicate_member", JWT_ERROR, "a JSON member appears twice in the header or the claims"},
	{"alg_unsupported", JWT_ERROR,
	 "alg is missing or not RS256/ES256 (none and HMAC included)"},
	{"alg_key_mismatch", JWT_ERROR,
	 "alg does not fit the key, or the key is not one akenza takes"},
	{"signature_invalid", JWT_ERROR, "the signature does not verify with the key"},
	{"signature_der_encoded", JWT_ERROR, "an ES256 signature in DER form instead of raw R||S"},
	{"signature_length", JWT_ERROR,
	 "the signature has the wrong length for its algorithm or key"},
	{"kid_missing", JWT_WARNING, "the header has no kid"},
	{"kid_mismatch", JWT_ERROR,
	 "kid is not the fingerprint of the key, or only in case (a warning with "
	 "--signature-only)"},
	{"kid_format", JWT_WARNING, "kid is not 64 lowercase hex digits (checked without a key)"},
	{"typ_unexpected", JWT_WARNING, "typ is present and not \"JWT\""},
	{"crit_unsupported", JWT_ERROR, "the header has crit: extensions that must be understood"},
	{"header_key_ignored", JWT_WARNING,
	 "the header carries a key (jwk, jku, x5u, x5c...): never used"},
	{"aud_missing", JWT_ERROR, "no aud claim"},
	{"aud_mismatch", JWT_ERROR, "aud is not https://<aud-host>/devices/<device id>"},
	{"sub_mismatch", JWT_WARNING, "sub is not the device id"},
	{"iat_missing", JWT_ERROR, "no iat claim"},
	{"iat_in_future", JWT_ERROR, "iat is later than now plus the leeway"},
	{"nbf_in_future", JWT_ERROR, "nbf is later than now plus the leeway"},
	{"exp_missing", JWT_ERROR, "no exp claim"},
	{"expired", JWT_ERROR, "exp is earlier than now minus the leeway"},
	{"exp_before_iat", JWT_ERROR, "exp is not after iat"},
	{"lifetime_too_long", JWT_WARNING, "exp - iat is above the maximum lifetime"},
	{"claim_type", JWT_ERROR,
	 "a claim or header member has the wrong JSON type (a warning for a time with a fraction)"},
	{"aud_multiple", JWT_WARNING, "aud is an array of several audiences, not one string"},
	{"cert_not_valid", JWT_ERROR,
	 "the key is a certificate outside its validity period (give or take the leeway)"},
	{NULL, JWT_ERROR, NULL},
};

/* --- the audience and the policy ------------------------------------------------ */

int
jwt_aud_host_check(const char *host, struct err *e)
{
	size_t n = strlen(host), i;
	const char *colon = strchr(host, ':');

	if (n == 0 || n > 253)
		return err_set(e, AK_INPUT, "audience host '%s' must have 1 to 253 characters",
			       host);
	for (i = 0; i < n; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' ||
		      (c == ':' && host + i == colon && i > 0 && i + 1 < n)))
			return err_set(e, AK_INPUT,
				       "audience host '%s': only letters, digits, '-', '.' and one "
				       "':port'",
				       host);
		if (colon != NULL && host + i > colon && (c < '0' || c > '9'))
			return err_set(e, AK_INPUT, "audience host '%s': the port must be a number",
				       host);
	}
	if (host[0] == '.' || host[0] == '-')
		return err_set(e, AK_INPUT, "audience host '%s' must start with a letter or digit",
			       host);
	return 0;
}

int
jwt_policy_check(const struct jwt_policy *p, struct err *e)
{
	char d[TIMEUTIL_REL_LEN];

	if (p->aud_host != NULL && jwt_aud_host_check(p->aud_host, e) != 0) {
		e->status = AK_USAGE;
		return -1;
	}
	if (p->leeway < 0 || p->leeway > JWT_LEEWAY_MAX)
		return err_set(e, AK_USAGE, "the leeway must be from 0s to 1d, not %s",
			       p->leeway < 0 ? "negative"
					     : timeutil_duration(p->leeway, d, sizeof(d)));
	if (p->max_lifetime < 0 || p->max_lifetime > TIMEUTIL_DURATION_MAX)
		return err_set(e, AK_USAGE,
			       "the maximum lifetime must be from 0 to 100 years, not %lds",
			       p->max_lifetime);
	return 0;
}

void
jwt_policy_apply(const struct jwt_policy *p, struct jwt_check_opts *o)
{
	o->aud_host = p->aud_host;
	o->leeway = p->leeway;
	o->max_lifetime = p->max_lifetime;
}

int
jwt_audience(const char *aud_host, const char *device_id, char *buf, size_t size, struct err *e)
{
	int n;

	if (aud_host == NULL)
		aud_host = JWT_AUD_HOST_DEFAULT;
	if (device_id == NULL)
		return err_set(e, AK_INPUT, "a device id is needed");
	if (devid_check(device_id, e) != 0 || jwt_aud_host_check(aud_host, e) != 0)
		return -1;
	n = snprintf(buf, size, "https://%s/devices/%s", aud_host, device_id);
	if (n < 0 || (size_t)n >= size)
		return err_set(e, AK_INPUT, "the audience is too long");
	return 0;
}

const char *
jwt_aud_device_id(const char *aud, char *host, size_t hostsize)
{
	static const char scheme[] = "https://", path[] = "/devices/";
	const char *h, *slash;

	if (strncmp(aud, scheme, sizeof(scheme) - 1) != 0)
		return NULL;
	h = aud + sizeof(scheme) - 1;
	if ((slash = strchr(h, '/')) == NULL || slash == h ||
	    strncmp(slash, path, sizeof(path) - 1) != 0 || slash[sizeof(path) - 1] == '\0' ||
	    strchr(slash + sizeof(path) - 1, '/') != NULL)
		return NULL;
	if (host != NULL && hostsize > 0)
		snprintf(host, hostsize, "%.*s", (int)(slash - h), h);
	return slash + sizeof(path) - 1;
}

/* --- checking ---------------------------------------------------------------- */

void
jwt_report_add(struct jwt_report *r, const char *code, enum jwt_severity sev, const char *fmt, ...)
{
	struct jwt_problem *p;
	va_list ap;
	int n;

	if (r->nproblems >= JWT_PROBLEMS_MAX) {
		/* Not listed, but never forgotten: an error dropped still rejects the token. */
		r->dropped++;
		if (sev == JWT_ERROR)
			r->dropped_errors++;
		return;
	}
	p = &r->problems[r->nproblems++];
	p->code = code;
	p->severity = sev;
	va_start(ap, fmt);
	n = vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
	/* Cut short: drop a character the cut split, so the message stays valid UTF-8. */
	if (n >= (int)sizeof(p->message)) {
		size_t end = strlen(p->message), lead = end, need;
		unsigned char c;

		while (lead > 0 && end - lead < 3 &&
		       ((unsigned char)p->message[lead - 1] & 0xc0) == 0x80)
			lead--;
		if (lead > 0 && (c = (unsigned char)p->message[lead - 1]) >= 0xc0) {
			need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (end - (lead - 1) < need)
				p->message[lead - 1] = '\0';
		}
	}
}

#define ERROR(r, code, ...) jwt_report_add((r), (code), JWT_ERROR, __VA_ARGS__)
#define WARN(r, code, ...) jwt_report_add((r), (code), JWT_WARNING, __VA_ARGS__)

void
jwt_report_count(const struct jwt_report *r, int *errors, int *warnings)
{
	int i, w = 0;

	*errors = 0;
	for (i = 0; i < r->nproblems; i++)
		(*(r->problems[i].severity == JWT_ERROR ? errors : &w))++;
	/* The problems past the list's end count too: a count never hides one. */
	*errors += r->dropped_errors;
	if (warnings != NULL)
		*warnings = w + r->dropped - r->dropped_errors;
}

const char *
jwt_severity_name(enum jwt_severity s)
{
	return s == JWT_ERROR ? "error" : "warning";
}

json_t *
jwt_problems_json(const struct jwt_report *r, int errors_only)
{
	const struct jwt_problem *p;
	json_t *a = json_array(), *o;
	int i;

	if (a == NULL)
		return NULL;
	/* A problem is never lost: a message JSON cannot hold is replaced, the code kept. */
	for (i = 0; i < r->nproblems; i++) {
		p = &r->problems[i];
		if (errors_only && p->severity != JWT_ERROR)
			continue;
		o = json_pack("{ss ss ss}", "code", p->code, "severity",
			      jwt_severity_name(p->severity), "message", p->message);
		if (o == NULL)
			o = json_pack("{ss ss ss}", "code", p->code, "severity",
				      jwt_severity_name(p->severity), "message",
				      "(message not valid UTF-8)");
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int
jwt_report_accepted(const struct jwt_report *r)
{
	int i;

	/*
	 * A report that examined nothing accepts nothing: a caller that goes on
	 * after jwt_check() returned -1 (the report is then cleared) must not
	 * let the token in.  An examined token without a header has an error.
	 */
	if (r->header == NULL || r->dropped_errors > 0)
		return 0;
	for (i = 0; i < r->nproblems; i++)
		if (r->problems[i].severity == JWT_ERROR)
			return 0;
	return 1;
}

void
jwt_report_clear(struct jwt_report *r)
{
	json_decref(r->header);
	json_decref(r->claims);
	*r = (struct jwt_report)JWT_REPORT_INIT;
}

/*
 * An untrusted string for a message: at most 80 bytes, cut between
 * characters, with control, bidi and format characters and invalid UTF-8 as
 * \xHH (safetext.h): messages reach terminals and must stay valid UTF-8 for
 * JSON.
 */
static const char *
shown(const char *s, char *buf, size_t size)
{
	return safetext_escape(s, 80, buf, size);
}

static const char *
json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Decode one base64url segment holding a JSON object into *out. */
static void
decode_json_segment(struct jwt_report *r, const char *what, const char *seg, size_t len,
		    json_t **out, int report)
{
	unsigned char buf[JWT_TOKEN_MAX];
	struct err e = ERR_INIT;
	json_error_t jerr;
	size_t n;
	json_t *j;

	*out = NULL;
	if (b64url_decode(buf, sizeof(buf), &n, seg, len, &e) != 0) {
		ERROR(r, "malformed", "%s: %s", what, e.msg);
		return;
	}
	/*
	 * Duplicates are refused: two parsers could each take a different "alg"
	 * or "aud".  \u0000 is valid JSON and taken (check_nul() then guards
	 * the strings compared as C strings); Jansson refuses it in a member
	 * name, which gets its own code rather than "not JSON".
	 */
	j = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (j == NULL) {
		char text[2 * JSON_ERROR_TEXT_LENGTH];

		if (!report)
			return;
		/* Jansson quotes the token's bytes ("near '...'"): escaped like any untrusted text.
		 */
		safetext_escape(jerr.text, sizeof(text) - 4, text, sizeof(text));
		if (json_error_code(&jerr) == json_error_duplicate_key)
			ERROR(r, "duplicate_member", "%s: %s", what, text);
		else if (json_error_code(&jerr) == json_error_null_byte_in_key)
			ERROR(r, "json_nul", "%s: a member name holds \\u0000 (at byte %d)", what,
			      jerr.position);
		else
			ERROR(r, "malformed", "%s is not JSON: %s (at byte %d)", what, text,
			      jerr.position);
		return;
	}
	if (!json_is_object(j)) {
		if (report)
			ERROR(r, "malformed", "%s is %s, not a JSON object", what,
			      json_type_name(j));
		json_decref(j);
		return;
	}
	*out = j;
}

/*
 * A string that holds \u0000 cannot equal any value akcred expects, and C
 * string comparisons would see it cut short at the NUL: those the checks
 * compare (names[] of obj, and the elements of an array such as aud) are an
 * error.  Any other string may hold one; it is shown escaped.
 */
static void
check_nul(struct jwt_report *r, const char *what, const json_t *obj, const char *const names[])
{
	const json_t *v, *x;
	size_t i, k;

	for (i = 0; names[i] != NULL; i++) {
		if ((v = json_object_get(obj, names[i])) == NULL)
			continue;
		for (k = 0; k < (json_is_array(v) ? json_array_size(v) : 1); k++) {
			x = json_is_array(v) ? json_array_get(v, k) : v;
			if (json_is_string(x) &&
			    strlen(json_string_value(x)) != json_string_length(x)) {
				ERROR(r, "json_nul",
				      "%s %s holds \\u0000 at character %zu: no expected value has "
				      "one",
				      what, names[i], strlen(json_string_value(x)));
				break;
			}
		}
	}
}

int
jwt_es256_raw_to_der(const unsigned char raw[JWT_ES256_SIG_LEN], unsigned char **der, size_t *len,
		     struct err *e)
{
	ECDSA_SIG *es;
	BIGNUM *br = NULL, *bs = NULL;
	int n;

	*der = NULL;
	*len = 0;
	/* r and s verbatim: no stripping, no reduction, no sign fix-ups. */
	if ((es = ECDSA_SIG_new()) == NULL || (br = BN_bin2bn(raw, 32, NULL)) == NULL ||
	    (bs = BN_bin2bn(raw + 32, 32, NULL)) == NULL || !ECDSA_SIG_set0(es, br, bs)) {
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(es);
		return err_openssl(e, AK_CRYPTO, "cannot convert the signature");
	}
	n = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return err_openssl(e, AK_CRYPTO, "cannot convert the signature");
	*len = (size_t)n;
	return 0;
}

/* Verify sig over msg with k; *valid 1 or 0.  -1 only on internal failure. */
static int
verify_signature(const struct key *k, int es256_raw, const unsigned char *msg, size_t msglen,
		 const unsigned char *sig, size_t siglen, int *valid, struct err *e)
{
	unsigned char *der = NULL;
	const unsigned char *vsig = sig;
	size_t vlen = siglen;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	*valid = 0;
	if (es256_raw) {
		if (jwt_es256_raw_to_der(sig, &der, &vlen, e) != 0)
			goto out;
		vsig = der;
	}
	/* RS256 is PKCS#1 v1.5, said explicitly rather than left to OpenSSL's default. */
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(mctx, &pctx, EVP_sha256(), NULL, k->pkey) <= 0 ||
	    (key_type(k) == KEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)) {
		err_openssl(e, AK_CRYPTO, "cannot set up signature verification");
		goto out;
	}
	*valid = EVP_DigestVerify(mctx, vsig, vlen, msg, msglen) == 1;
	ERR_clear_error(); /* a bad signature is an answer, not an error */
	rc = 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* Does sig look like a DER ECDSA-Sig-Value (strict: re-encodes to the same bytes)? */
static int
looks_der(const unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	unsigned char *again = NULL;
	ECDSA_SIG *es;
	int n, same = 0;

	if (len < 8 || len > 80 || sig[0] != 0x30)
		return 0;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	if ((size_t)(p - sig) == len && (n = i2d_ECDSA_SIG(es, &again)) > 0)
		same = (size_t)n == len && memcmp(again, sig, len) == 0;
	OPENSSL_free(again);
	ECDSA_SIG_free(es);
	return same;
}

/* 64 hex digits, lowercase (akenza's fingerprints) or, with any_case, not. */
static int
is_hex64(const char *s, int any_case)
{
	size_t i;

	for (i = 0; i < KEY_FINGERPRINT_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (any_case && s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[i] == '\0';
}

int
jwt_kid_format_ok(const char *kid)
{
	return is_hex64(kid, 0);
}

enum jwt_kid_match
jwt_kid_match(const char *kid, const char *fp)
{
	if (strcmp(kid, fp) == 0)
		return JWT_KID_SAME;
	return strcasecmp(kid, fp) == 0 ? JWT_KID_CASE : JWT_KID_OTHER;
}

static void
check_header(struct jwt_report *r, const struct jwt_check_opts *o, const char **halg)
{
	static const char *const keys_in_header[] = {"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"};
	json_t *h = r->header, *v;
	char b1[96], fp[KEY_FINGERPRINT_HEX + 1];
	enum jwt_severity kid_sev = o->signature_only ? JWT_WARNING : JWT_ERROR;
	const char *s;
	size_t i;

	*halg = NULL;
	v = json_object_get(h, "alg");
	if (v == NULL)
		ERROR(r, "alg_unsupported", "the header has no alg");
	else if (!json_is_string(v))
		ERROR(r, "alg_unsupported", "alg is %s, not a string", json_type_name(v));
	else if (strcasecmp(s = json_string_value(v), "none") == 0)
		ERROR(r, "alg_unsupported", "alg '%s': an unsigned token is never accepted",
		      shown(s, b1, sizeof(b1)));
	else if (strncasecmp(s, "HS", 2) == 0)
		ERROR(r, "alg_unsupported",
		      "alg '%s': HMAC is never accepted (a public key is no secret); use RS256 or "
		      "ES256",
		      shown(s, b1, sizeof(b1)));
	else if (key_alg_type(s) == KEY_OTHER)
		ERROR(r, "alg_unsupported", "alg '%s': akenza takes only RS256 and ES256",
		      shown(s, b1, sizeof(b1)));
	else
		*halg = s;

	if (!o->signature_only && (v = json_object_get(h, "typ")) != NULL &&
	    (!json_is_string(v) || strcasecmp(json_string_value(v), "JWT") != 0))
		WARN(r, "typ_unexpected", "typ is %s%s%s, not \"JWT\"",
		     json_is_string(v) ? "'" : json_type_name(v),
		     json_is_string(v) ? shown(json_string_value(v), b1, sizeof(b1)) : "",
		     json_is_string(v) ? "'" : "");

	v = json_object_get(h, "kid");
	if (v == NULL) {
		if (!o->signature_only)
			WARN(r, "kid_missing",
			     "the header has no kid (the reference client sends the key's "
			     "fingerprint)");
	} else if (!json_is_string(v)) {
		/* For the JWS layer alone, kid is only a hint (RFC 7515 4.1.4). */
		jwt_report_add(r, "claim_type", kid_sev, "header kid is %s, not a string",
			       json_type_name(v));
	} else if (o->key != NULL) {
		struct err e = ERR_INIT;
		enum jwt_kid_match m;

		s = json_string_value(v);
		/* A kid that cannot be compared is not silently taken. */
		if (key_fingerprint(o->key, fp, &e) != 0)
			ERROR(r, "kid_mismatch", "kid '%s' cannot be compared: %s",
			      shown(s, b1, sizeof(b1)), e.msg);
		else if ((m = jwt_kid_match(s, fp)) == JWT_KID_CASE)
			jwt_report_add(r, "kid_mismatch", kid_sev,
				       "kid '%s' differs from the key's fingerprint only in case: "
				       "fingerprints are lowercase hex, compared byte for byte",
				       shown(s, b1, sizeof(b1)));
		else if (m != JWT_KID_SAME)
			jwt_report_add(r, "kid_mismatch", kid_sev,
				       "kid '%s' is not the key's fingerprint %s%s",
				       shown(s, b1, sizeof(b1)), fp,
				       o->signature_only ? " (only a hint with --signature-only)"
							 : "");
	} else if (!jwt_kid_format_ok(json_string_value(v))) {
		s = json_string_value(v);
		WARN(r, "kid_format",
		     "kid '%s' is not 64 lowercase hex digits (a SHA-256 fingerprint)%s",
		     shown(s, b1, sizeof(b1)),
		     is_hex64(s, 1) ? ": it has uppercase letters, and kids are compared byte for "
				      "byte"
				    : "");
	}

	if ((v = json_object_get(h, "crit")) != NULL)
		ERROR(r, "crit_unsupported",
		      "the header has crit (%s): no extension is understood, so the token must be "
		      "refused",
		      json_type_name(v));
	for (i = 0; i < sizeof(keys_in_header) / sizeof(keys_in_header[0]); i++)
		if (json_object_get(h, keys_in_header[i]) != NULL)
			WARN(r, "header_key_ignored",
			     "the header carries '%s': ignored, only the given key verifies",
			     keys_in_header[i]);
}

int
jwt_numeric_date(const json_t *v, time_t *t)
{
	double d;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > JWT_TIME_MAX)
			return 0;
		*t = (time_t)json_integer_value(v);
		return 1;
	}
	if (!json_is_real(v))
		return -1;
	/* Jansson never yields NaN or infinity. */
	d = json_real_value(v);
	if (!(d >= 0 && d < (double)JWT_TIME_MAX + 1))
		return 0;
	*t = (time_t)d; /* d >= 0: truncation is floor */
	return 1;
}

/* A NumericDate claim (a fraction is cut off): 1 with *t, 0 if absent or refused. */
static int
time_claim(struct jwt_report *r, const char *name, const char *missing_code, time_t *t)
{
	json_t *v = json_object_get(r->claims, name);
	int rc;

	if (v == NULL) {
		if (missing_code != NULL)
			ERROR(r, missing_code, "no %s claim", name);
		return 0;
	}
	/*
	 * RFC 7519's NumericDate may have a fraction, and PyJWT takes one: the
	 * whole seconds count, with a warning (akenza's clients send integers).
	 */
	if ((rc = jwt_numeric_date(v, t)) < 0)
		ERROR(r, "claim_type", "%s is %s, not seconds since 1970", name, json_type_name(v));
	else if (rc == 0 && json_is_real(v))
		ERROR(r, "claim_type", "%s %g is out of range", name, json_real_value(v));
	else if (rc == 0)
		ERROR(r, "claim_type", "%s %lld is out of range", name,
		      (long long)json_integer_value(v));
	else if (json_is_real(v))
		WARN(r, "claim_type",
		     "%s %.15g has a fraction: taken as %lld (whole seconds are usual)", name,
		     json_real_value(v), (long long)*t);
	return rc > 0;
}

static void
check_aud(struct jwt_report *r, const struct jwt_check_opts *o)
{
	const char *host = o->aud_host ? o->aud_host : JWT_AUD_HOST_DEFAULT;
	json_t *v = json_object_get(r->claims, "aud"), *x;
	char want[JWT_AUD_MAX], b1[96], b2[192], form[JWT_AUD_MAX], h[256];
	struct err e = ERR_INIT;
	const char *s, *found = NULL, *id;
	size_t i;
	int ok = 0;

	/*
	 * The expectation is validated, never truncated: the broker passes the
	 * MQTT client id, the attacker's choice, and a cut "want" would match a
	 * token made for the cut.  An unusable one matches no aud.
	 */
	if (jwt_aud_host_check(host, &e) != 0 ||
	    (o->device_id != NULL &&
	     jwt_audience(host, o->device_id, want, sizeof(want), &e) != 0)) {
		ERROR(r, "aud_mismatch", "no aud can match: the expected audience is unusable: %s",
		      safetext_escape(e.msg, 160, b2, sizeof(b2)));
		return;
	}
	snprintf(form, sizeof(form), "https://%s/devices/<device id>", host);
	if (v == NULL) {
		ERROR(r, "aud_missing", "no aud claim; akenza wants %s",
		      o->device_id ? want : form);
		return;
	}
	/* RFC 7519 allows an array; akenza's clients send one string. */
	for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		x = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_string(x)) {
			ERROR(r, "claim_type", "aud is %s, not a string", json_type_name(x));
			return;
		}
		s = json_string_value(x);
		if (found == NULL)
			found = s;
		if (o->device_id != NULL)
			ok |= strcmp(s, want) == 0;
		else if ((id = jwt_aud_device_id(s, h, sizeof(h))) != NULL &&
			 strcmp(h, host) == 0 && devid_check(id, NULL) == 0)
			ok = 1;
	}
	if (found == NULL) {
		ERROR(r, "aud_missing", "aud is an empty array; akenza wants %s",
		      o->device_id ? want : form);
		return;
	}
	if (json_is_array(v) && json_array_size(v) > 1)
		WARN(r, "aud_multiple",
		     "aud is an array of %zu audiences; akenza's tokens have one string",
		     json_array_size(v));
	if (!ok)
		ERROR(r, "aud_mismatch", "aud is '%s'; expected %s", shown(found, b1, sizeof(b1)),
		      o->device_id ? want : form);
}

static void
check_claims(struct jwt_report *r, const struct jwt_check_opts *o)
{
	time_t now = o->now ? o->now : time(NULL), iat = 0, exp = 0, nbf = 0;
	char iso[TIMEUTIL_ISO_LEN], d1[TIMEUTIL_REL_LEN], d2[TIMEUTIL_REL_LEN], b1[96];
	int has_iat, has_exp;
	json_t *v;

	check_aud(r, o);
	has_iat = time_claim(r, "iat", "iat_missing", &iat);
	has_exp = time_claim(r, "exp", "exp_missing", &exp);
	/* jwt_check() bounded now, the leeway and the lifetime, time_claim() the claims: no
	 * overflow. */
	if (has_iat && (long long)iat - now > o->leeway)
		ERROR(r, "iat_in_future",
		      "iat %s is %s in the future (leeway %s): is a clock wrong?",
		      timeutil_iso8601(iat, iso),
		      timeutil_duration((long long)iat - now, d1, sizeof(d1)),
		      timeutil_duration(o->leeway, d2, sizeof(d2)));
	if (has_exp)
		r->expired_from = exp + (time_t)o->leeway;
	if (has_exp && now >= r->expired_from)
		ERROR(r, "expired", "expired at %s, %s ago (leeway %s)", timeutil_iso8601(exp, iso),
		      timeutil_duration((long long)now - exp, d1, sizeof(d1)),
		      timeutil_duration(o->leeway, d2, sizeof(d2)));
	if (has_iat && has_exp) {
		if (exp <= iat)
			ERROR(r, "exp_before_iat", "exp is %s iat",
			      exp == iat ? "equal to" : "before");
		else if (o->max_lifetime > 0 && (long long)exp - iat > o->max_lifetime)
			WARN(r, "lifetime_too_long", "the lifetime is %s, above %s",
			     timeutil_duration((long long)exp - iat, d1, sizeof(d1)),
			     timeutil_duration(o->max_lifetime, d2, sizeof(d2)));
	}
	if (time_claim(r, "nbf", NULL, &nbf) && (long long)nbf - now > o->leeway)
		ERROR(r, "nbf_in_future", "nbf %s is %s in the future (leeway %s)",
		      timeutil_iso8601(nbf, iso),
		      timeutil_duration((long long)nbf - now, d1, sizeof(d1)),
		      timeutil_duration(o->leeway, d2, sizeof(d2)));
	if ((v = json_object_get(r->claims, "sub")) != NULL) {
		if (!json_is_string(v))
			ERROR(r, "claim_type", "sub is %s, not a string", json_type_name(v));
		else if (o->device_id != NULL && strcmp(json_string_value(v), o->device_id) != 0)
			WARN(r, "sub_mismatch", "sub '%s' is not the device id '%s'",
			     shown(json_string_value(v), b1, sizeof(b1)), o->device_id);
	}
}

static int
check_signature(struct jwt_report *r, const struct jwt_check_opts *o, const char *halg,
		const char *token, size_t siglen_chars, size_t signed_len, struct err *e)
{
	unsigned char sig[JWT_TOKEN_MAX];
	const char *kalg = NULL, *alg, *why = NULL;
	struct err de = ERR_INIT;
	char desc[64];
	size_t n;
	int valid = 0, rc = 0, der_valid = 0;

	if (b64url_decode(sig, sizeof(sig), &n, token + signed_len + 1, siglen_chars, &de) != 0) {
		ERROR(r, "malformed", "signature: %s", de.msg);
		return 0;
	}
	r->sig_len = n;
	r->sig_der = looks_der(sig, n);
	if (o->key != NULL) {
		if ((kalg = key_akenza_alg(o->key, &why)) == NULL) {
			ERROR(r, "alg_key_mismatch",
			      "the key is %s, which akenza does not take: %s",
			      key_describe(o->key, desc, sizeof(desc)), why);
			goto out;
		}
		if (halg != NULL && strcmp(halg, kalg) != 0) {
			/* Its length would only repeat the mismatch. */
			ERROR(r, "alg_key_mismatch",
			      "alg is %s but the key is %s (%s): the signature is not checked",
			      halg, key_describe(o->key, desc, sizeof(desc)), kalg);
			goto out;
		}
	}
	/* The key decides; without a key the header's (supported) alg only shapes the advice. */
	alg = kalg ? kalg : halg;
	if (n == 0) {
		ERROR(r, "signature_length", "the signature is empty (an unsigned token)");
		goto out;
	}
	if (key_alg_type(alg) == KEY_EC && n != JWT_ES256_SIG_LEN) {
		if (r->sig_der) {
			if (kalg != NULL && o->key != NULL &&
			    verify_signature(o->key, 0, (const unsigned char *)token, signed_len,
					     sig, n, &der_valid, e) != 0) {
				rc = -1;
				goto out;
			}
			ERROR(r, "signature_der_encoded",
			      "the ES256 signature is %zu bytes of DER (OpenSSL's "
			      "ECDSA-Sig-Value); JWS "
			      "wants the raw 64-byte R||S (RFC 7518 3.4)%s",
			      n,
			      !kalg       ? ""
			      : der_valid ? ": converted, it would verify"
					  : ": it would not verify either");
		} else {
			ERROR(r, "signature_length", "the ES256 signature is %zu byte%s, not 64", n,
			      n == 1 ? "" : "s");
		}
		goto out;
	}
	if (key_alg_type(alg) == KEY_RSA) {
		size_t want = o->key ? (size_t)EVP_PKEY_get_size(o->key->pkey) : 0;

		if (want != 0 && n != want) {
			ERROR(r, "signature_length",
			      "the RS256 signature is %zu byte%s; the key's modulus is %zu", n,
			      n == 1 ? "" : "s", want);
			goto out;
		}
		if (want == 0 && n < 256) {
			ERROR(r, "signature_length",
			      "the RS256 signature is %zu byte%s: RSA keys of 2048 bits or more "
			      "give 256 or more",
			      n, n == 1 ? "" : "s");
			goto out;
		}
	}
	if (kalg == NULL || (halg != NULL && strcmp(halg, kalg) != 0) || halg == NULL)
		goto out;
	r->signature_checked = 1;
	if (verify_signature(o->key, key_alg_type(kalg) == KEY_EC, (const unsigned char *)token,
			     signed_len, sig, n, &valid, e) != 0) {
		rc = -1;
		goto out;
	}
	r->signature_valid = valid;
	if (!valid)
		ERROR(r, "signature_invalid", "the signature does not verify with the %s key",
		      key_describe(o->key, desc, sizeof(desc)));
out:
	sodium_memzero(sig, sizeof(sig));
	return rc;
}

/*
 * A certificate as the key must be valid at now: the rule is
 * key_cert_valid_at(), with the token's leeway.  An error, so that verify,
 * check and the broker all refuse what a certificate no longer (or not yet)
 * vouches for.
 */
static void
check_cert(struct jwt_report *r, const struct jwt_check_opts *o)
{
	const X509 *cert = o->key != NULL ? o->key->cert : NULL;
	char b1[TIMEUTIL_ISO_LEN] = "(unreadable)", b2[TIMEUTIL_ISO_LEN] = "(unreadable)";
	char b3[TIMEUTIL_ISO_LEN], d[TIMEUTIL_REL_LEN];
	time_t now = o->now ? o->now : time(NULL), nb, na;
	enum key_cert_time v;

	if (cert == NULL || (v = key_cert_valid_at(o->key, now, o->leeway)) == KEY_CERT_VALID)
		return;
	if (key_cert_validity(o->key, &nb, &na) == 0) {
		timeutil_iso8601(nb, b1);
		timeutil_iso8601(na, b2);
	}
	ERROR(r, "cert_not_valid",
	      "the certificate is valid from %s to %s: at %s it %s (leeway %s)", b1, b2,
	      timeutil_iso8601(now, b3),
	      v == KEY_CERT_EXPIRED         ? "has expired"
	      : v == KEY_CERT_NOT_YET_VALID ? "is not valid yet"
					    : "cannot be told valid",
	      timeutil_duration(o->leeway, d, sizeof(d)));
	ERR_clear_error();
}

/* The line end framing a file's last line, or 0. */
static size_t
final_eol(const char *in, size_t len)
{
	if (len >= 2 && in[len - 2] == '\r' && in[len - 1] == '\n')
		return 2;
	return len >= 1 && in[len - 1] == '\n' ? 1 : 0;
}

size_t
jwt_frame(const char *in, size_t len, enum jwt_source from)
{
	/* An operand is the bytes the shell gave: nothing of it is framing. */
	return from == JWT_FROM_FILE ? len - final_eol(in, len) : len;
}

int
jwt_read_token(const char *path, unsigned flags, struct fileio_buf *b, const char **tok,
	       size_t *len, struct err *e)
{
	/*
	 * At most JWT_INPUT_MAX + 1 bytes are read, whatever the file's size:
	 * what does not fit is a token too long (an answer, exit 1), not a
	 * file error.
	 */
	if (fileio_read_ex(path, JWT_INPUT_MAX, flags | FILEIO_SECRET | FILEIO_HEAD, b, e) != 0)
		return -1;
	*tok = (const char *)b->data;
	*len = b->len > JWT_INPUT_MAX ? b->len : jwt_frame(*tok, b->len, JWT_FROM_FILE);
	return 0;
}

static const char *
byte_name(char c, char *buf, size_t size)
{
	switch (c) {
	case ' ':
		return "a space";
	case '\t':
		return "a tab";
	case '\r':
		return "a carriage return";
	case '\n':
		return "a line feed";
	default:
		snprintf(buf, size, "a byte \\x%02x", (unsigned char)c);
		return buf;
	}
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * The bytes of the token as a broker, which compares the password byte for
 * byte, takes them: a NUL, several lines, or white space are errors, never
 * trimmed away.  Returns -1 when the token cannot be examined further;
 * otherwise *token and *len are what is left once white space at either end
 * is set aside (already reported), so that its other problems are seen too.
 */
static int
check_bytes(struct jwt_report *r, const char **token, size_t *len)
{
	const char *t = *token, *p;
	size_t n = *len, i, start, end, lines = 0;
	char b1[16];

	/* A C string stops at a NUL: what one reader sees, another would not. */
	if ((p = memchr(t, '\0', n)) != NULL) {
		ERROR(r, "nul_byte", "the token has a NUL byte at offset %zu", (size_t)(p - t));
		return -1;
	}
	for (i = 0; i < n; i = (size_t)(p - t) + 1) {
		size_t k, ll;

		p = memchr(t + i, '\n', n - i);
		ll = p != NULL ? (size_t)(p - t) - i : n - i;

		for (k = 0; k < ll && is_ws(t[i + k]); k++)
			;
		lines += k < ll;
		if (p == NULL)
			break;
	}
	if (lines > 1) {
		ERROR(r, "multiple_tokens",
		      "the input holds %zu tokens, one per line: give one at a time (a broker "
		      "takes the password whole)",
		      lines);
		return -1;
	}
	for (start = 0; start < n && is_ws(t[start]); start++)
		;
	for (end = n; end > start && is_ws(t[end - 1]); end--)
		;
	if (start > 0)
		ERROR(r, "whitespace",
		      "the token starts with %s: a broker compares the password byte for byte",
		      byte_name(t[0], b1, sizeof(b1)));
	if (end < n)
		ERROR(r, "whitespace",
		      "the token ends with %s (offset %zu): %sa broker compares the password "
		      "byte for byte",
		      byte_name(t[end], b1, sizeof(b1)), end,
		      t[end] == '\n' || t[end] == '\r' ? "only one line end at the end of a file "
							 "or standard input is dropped, and "
						       : "");
	for (i = start; i < end; i++)
		if (is_ws(t[i])) {
			ERROR(r, "whitespace", "the token has %s at offset %zu",
			      byte_name(t[i], b1, sizeof(b1)), i);
			return -1;
		}
	if (start == end)
		return -1;
	*token = t + start;
	*len = end - start;
	return 0;
}

/* --signature-only: the payload is only checked to be strict base64url, and counted. */
static void
decode_payload(struct jwt_report *r, const char *seg, size_t len)
{
	unsigned char buf[JWT_TOKEN_MAX];
	struct err e = ERR_INIT;

	if (b64url_decode(buf, sizeof(buf), &r->payload_len, seg, len, &e) != 0)
		ERROR(r, "malformed", "payload: %s", e.msg);
	r->payload_opaque = 1;
	sodium_memzero(buf, sizeof(buf));
}

int
jwt_check(const char *token, size_t len, const struct jwt_check_opts *o, struct jwt_report *r,
	  struct err *e)
{
	static const char *const header_strings[] = {"alg", "typ", "kid", NULL};
	static const char *const claim_strings[] = {"aud", "sub", NULL};
	const char *d1, *d2, *halg = NULL;
	size_t i, dots = 0;

	*r = (struct jwt_report)JWT_REPORT_INIT;
	/* Bounded first: the time arithmetic below then cannot overflow. */
	if (o->leeway < 0 || o->leeway > TIMEUTIL_DURATION_MAX)
		return err_set(e, AK_USAGE, "the leeway must be from 0 to 100 years, not %lds",
			       o->leeway);
	if (o->max_lifetime < 0 || o->max_lifetime > TIMEUTIL_DURATION_MAX)
		return err_set(e, AK_USAGE,
			       "the maximum lifetime must be from 0 to 100 years, not %lds",
			       o->max_lifetime);
	if (o->now < 0 || (long long)o->now > JWT_TIME_MAX)
		return err_set(e, AK_USAGE, "the time %lld is out of range (1970 to 9999)",
			       (long long)o->now);
	r->token_len = len;
	/* Bounded before anything is decoded. */
	if (len > JWT_TOKEN_MAX) {
		ERROR(r, "too_long", "the token is longer than %d bytes", JWT_TOKEN_MAX);
		return 0;
	}
	if (len == 0) {
		ERROR(r, "malformed", "the token is empty");
		return 0;
	}
	if (check_bytes(r, &token, &len) != 0)
		return 0;
	for (i = 0; i < len; i++)
		dots += token[i] == '.';
	if (dots != 2) {
		ERROR(r, "malformed",
		      "%zu segment%s; a compact JWS has exactly 3 (header.claims.signature)%s",
		      dots + 1, dots == 0 ? "" : "s",
		      dots == 4 ? ": this looks like an encrypted JWE" : "");
		return 0;
	}
	d1 = memchr(token, '.', len);
	d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token));

	decode_json_segment(r, "header", token, (size_t)(d1 - token), &r->header, 1);
	/* --signature-only: the payload is opaque bytes, not even looked at as JSON. */
	if (o->signature_only)
		decode_payload(r, d1 + 1, (size_t)(d2 - d1 - 1));
	else
		decode_json_segment(r, "claims", d1 + 1, (size_t)(d2 - d1 - 1), &r->claims, 1);
	if (r->header != NULL) {
		check_nul(r, "header", r->header, header_strings);
		check_header(r, o, &halg);
	}
	if (r->claims != NULL)
		check_nul(r, "claim", r->claims, claim_strings);
	if (check_signature(r, o, halg, token, len - (size_t)(d2 + 1 - token), (size_t)(d2 - token),
			    e) != 0) {
		jwt_report_clear(r);
		return -1;
	}
	check_cert(r, o);
	if (r->claims != NULL && !o->signature_only)
		check_claims(r, o);
	return 0;
}

int
jwt_check_keys(const char *token, size_t len, const struct jwt_check_opts *o,
	       const struct key *keys, size_t nkeys, struct jwt_report *r,
	       struct jwt_keys_result *res, struct err *e)
{
	struct jwt_check_opts ko = *o;
	struct jwt_report kr;
	char kid[KEY_FINGERPRINT_HEX + 1] = "", fp[KEY_FINGERPRINT_HEX + 1];
	json_t *jk;
	size_t i;
	int rank, best = 0, named = 0;

	*r = (struct jwt_report)JWT_REPORT_INIT;
	*res = (struct jwt_keys_result){JWT_KID_ABSENT, 0, -1, 0};
	if (nkeys == 0)
		return err_set(e, AK_INTERNAL, "internal error: no key to check the token with");
	/* The kid first, from the header alone: a kid names one key, the others are not tried. */
	ko.key = NULL;
	if (jwt_check(token, len, &ko, &kr, e) != 0)
		return -1;
	if (kr.header != NULL && (jk = json_object_get(kr.header, "kid")) != NULL) {
		res->kid = JWT_KID_NOT_FP;
		if (json_is_string(jk) && is_hex64(json_string_value(jk), 1)) {
			memcpy(kid, json_string_value(jk), sizeof(kid));
			res->kid = JWT_KID_UNKNOWN;
		}
	}
	jwt_report_clear(&kr);
	for (i = 0; kid[0] != '\0' && i < nkeys; i++) {
		if (key_fingerprint(&keys[i], fp, e) != 0)
			return -1;
		if (jwt_kid_match(kid, fp) == JWT_KID_SAME) {
			named = 1;
			res->kid = JWT_KID_NAMED;
		} else if (jwt_kid_match(kid, fp) == JWT_KID_CASE && res->kid == JWT_KID_UNKNOWN) {
			res->kid = JWT_KID_CASE_ONLY;
			res->key = i;
		}
	}
	/* A kid naming none refuses, saying so with the nearest key; --signature-only: a hint. */
	if (res->kid != JWT_KID_NAMED && res->kid != JWT_KID_ABSENT && !o->signature_only) {
		ko.key = &keys[res->kid == JWT_KID_CASE_ONLY ? res->key : 0];
		return jwt_check(token, len, &ko, r, e);
	}
	res->tried_all = !named;
	for (i = 0; i < nkeys && best < 3; i++) {
		if (named) {
			if (key_fingerprint(&keys[i], fp, e) != 0) {
				jwt_report_clear(r);
				return -1;
			}
			if (jwt_kid_match(kid, fp) != JWT_KID_SAME)
				continue;
		}
		ko.key = &keys[i];
		if (jwt_check(token, len, &ko, &kr, e) != 0) {
			jwt_report_clear(r);
			return -1;
		}
		rank = jwt_report_accepted(&kr) ? 3 : kr.signature_valid ? 2 : 1;
		if (rank > best) {
			jwt_report_clear(r);
			*r = kr;
			res->key = i;
			res->used = (long)i;
			best = rank;
		} else {
			jwt_report_clear(&kr);
		}
	}
	return 0;
}
