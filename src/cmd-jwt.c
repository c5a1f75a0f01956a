/*
 * akcred jwt mint|decode|verify: make the token akenza expects, show what a
 * token says, and tell every reason akenza would refuse one.  mint signs with
 * the device's private key; decode needs no key and verifies nothing; verify
 * checks the signature with the given key and every claim, exit 0 only if
 * akenza would accept the token.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "devid.h"
#include "fileio.h"
#include "jwt.h"
#include "key.h"
#include "passphrase.h"
#include "safetext.h"
#include "timeutil.h"
#include "banned.h"

/* --- shared ---------------------------------------------------------------------- */

/*
 * The token from the operand: itself, "-" or nothing for stdin, "@FILE" for a
 * file, framed by jwt_frame() (jwt.h): nothing is trimmed that a broker
 * would not trim.  b holds the data read, if any.
 */
static int
read_token(const char *arg, struct fileio_buf *b, const char **tok, size_t *len)
{
	struct err e = ERR_INIT;

	if (arg == NULL || strcmp(arg, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return cmd_usage_error(
				"no token: give it as an operand, '@FILE' or on stdin");
		if (jwt_read_token("-", FILEIO_STDIN, b, tok, len, &e) != 0)
			return cmd_fail(&e);
	} else if (arg[0] == '@') {
		if (jwt_read_token(arg + 1, FILEIO_FIFO, b, tok, len, &e) != 0)
			return cmd_fail(&e);
	} else {
		*tok = arg;
		*len = jwt_frame(arg, strlen(arg), JWT_FROM_ARG);
	}
	return AK_OK;
}

static int
load_key(const char *path, struct passphrase *pp, struct key *k)
{
	struct err e = ERR_INIT;

	if (key_load_file(k, path, pp, &e) != 0)
		return cmd_fail(&e);
	return AK_OK;
}

/* Is v a time the checker takes (1970 to 9999)?  Others are shown as out of range. */
static int
time_in_range(json_int_t v)
{
	return v >= 0 && v <= JWT_TIME_MAX;
}

/*
 * A time claim in whole seconds, a fraction cut off as the checker does: 1
 * with *secs, 0 if out of range, -1 if v is not a number.
 */
static int
claim_seconds(const json_t *v, json_int_t *secs)
{
	double d;

	if (json_is_integer(v)) {
		*secs = json_integer_value(v);
		return time_in_range(*secs);
	}
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	if (!(d >= 0 && d < (double)JWT_TIME_MAX + 1))
		return 0;
	*secs = (json_int_t)d;
	return 1;
}

/* One time claim as its value, ISO 8601 and relative to now (null if out of range). */
static json_t *
time_json(json_t *v, time_t now)
{
	char iso[TIMEUTIL_ISO_LEN], rel[TIMEUTIL_REL_LEN];
	json_int_t t;

	if (claim_seconds(v, &t) != 1)
		return json_pack("{sO sn sn}", "value", v, "utc", "relative");
	return json_pack("{sO ss ss}", "value", v, "utc", timeutil_iso8601((time_t)t, iso),
			 "relative", timeutil_relative((time_t)t, now, rel, sizeof(rel)));
}

/*
 * exp - iat of the claims into *secs: 0, or -1 if either is missing, not a
 * number, or the difference does not fit (integers at the ends of int64).
 */
static int
claims_lifetime(const json_t *claims, json_int_t *secs)
{
	json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");
	json_int_t i, e;

	if (json_is_integer(iat) && json_is_integer(exp))
		return __builtin_sub_overflow(json_integer_value(exp), json_integer_value(iat),
					      secs)
			       ? -1
			       : 0;
	if (claim_seconds(iat, &i) != 1 || claim_seconds(exp, &e) != 1)
		return -1;
	*secs = e - i;
	return 0;
}

static json_t *
problems_json(const struct jwt_report *r)
{
	json_t *a = json_array(), *p;
	int i;

	if (a == NULL)
		return NULL;
	/* A problem is never lost: a message JSON cannot hold is replaced, the code kept. */
	for (i = 0; i < r->nproblems; i++) {
		const char *sev = r->problems[i].severity == JWT_ERROR ? "error" : "warning";

		p = json_pack("{ss ss ss}", "code", r->problems[i].code, "severity", sev, "message",
			      r->problems[i].message);
		if (p == NULL)
			p = json_pack("{ss ss ss}", "code", r->problems[i].code, "severity", sev,
				      "message", "(message not valid UTF-8)");
		if (p == NULL || json_array_append_new(a, p) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void
print_problems(const struct jwt_report *r)
{
	int i;

	for (i = 0; i < r->nproblems; i++) {
		printf("  %-7s %s: ", r->problems[i].severity == JWT_ERROR ? "error" : "warning",
		       r->problems[i].code);
		cmd_puts_safe(stdout, r->problems[i].message);
		putchar('\n');
	}
	if (r->dropped > 0)
		printf("  and %d more %s (%d %s) not listed\n", r->dropped,
		       cmd_plural((unsigned long)r->dropped, "problem", "problems"),
		       r->dropped_errors,
		       cmd_plural((unsigned long)r->dropped_errors, "error", "errors"));
}

static void
count_problems(const struct jwt_report *r, int *errors, int *warnings)
{
	int i;

	*errors = *warnings = 0;
	for (i = 0; i < r->nproblems; i++)
		(*(r->problems[i].severity == JWT_ERROR ? errors : warnings))++;
	*errors += r->dropped_errors;
	*warnings += r->dropped - r->dropped_errors;
}

static const char *
sig_form(const struct jwt_report *r)
{
	if (r->sig_der)
		return "der";
	if (r->sig_len == 64)
		return "raw";
	return "other";
}

/* Details that decode and verify both show, as JSON. */
static json_t *
details_json(const struct jwt_report *r, time_t now)
{
	json_t *j = json_object(), *times = json_object(), *v;
	static const char *const names[] = {"iat", "nbf", "exp"};
	const char *id;
	char host[256];
	json_int_t lifetime;
	size_t i;

	json_object_set(j, "header", r->header ? r->header : json_null());
	json_object_set(j, "claims", r->claims ? r->claims : json_null());
	for (i = 0; r->claims && i < sizeof(names) / sizeof(names[0]); i++)
		if (json_is_number(v = json_object_get(r->claims, names[i])))
			json_object_set_new(times, names[i], time_json(v, now));
	json_object_set_new(j, "times", times);
	if (r->claims && json_is_number(json_object_get(r->claims, "iat")) &&
	    json_is_number(json_object_get(r->claims, "exp")))
		json_object_set_new(j, "lifetime",
				    claims_lifetime(r->claims, &lifetime) == 0
					    ? json_integer(lifetime)
					    : json_null());
	if (r->claims && json_is_string(v = json_object_get(r->claims, "aud")) &&
	    strlen(json_string_value(v)) == json_string_length(v) &&
	    (id = jwt_aud_device_id(json_string_value(v), host, sizeof(host))) != NULL)
		json_object_set_new(j, "device_id", json_string(id));
	json_object_set_new(j, "signature",
			    json_pack("{sI ss}", "length", (json_int_t)r->sig_len, "form",
				      sig_form(r)));
	if (r->payload_opaque)
		json_object_set_new(j, "payload_length", json_integer((json_int_t)r->payload_len));
	json_object_set_new(j, "token_length", json_integer((json_int_t)r->token_len));
	json_object_set_new(j, "problems", problems_json(r));
	if (r->dropped > 0)
		json_object_set_new(j, "problems_not_listed",
				    json_pack("{si si}", "count", r->dropped, "errors",
					      r->dropped_errors));
	return j;
}

static void
print_json_block(const char *title, json_t *j)
{
	char *s;
	const char *p, *nl;

	printf("%s:\n", title);
	if (j == NULL) {
		puts("  (not decodable)");
		return;
	}
	/* ASCII only, DEL escaped too: a hostile token must not reach the terminal as control
	 * or bidi characters. */
	if ((s = safetext_json(j, JSON_INDENT(2))) == NULL)
		return;
	for (p = s; *p != '\0'; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		printf("  %.*s\n", (int)(nl ? (size_t)(nl - p) : strlen(p)), p);
	}
	free(s);
}

/* Human details: times, lifetime, device id, signature, length. */
static void
print_details(const struct jwt_report *r, time_t now)
{
	static const char *const names[] = {"iat", "nbf", "exp"};
	char iso[TIMEUTIL_ISO_LEN], rel[TIMEUTIL_REL_LEN], d[TIMEUTIL_REL_LEN], host[256];
	const char *id;
	json_t *v, *iat, *exp;
	json_int_t lifetime, t;
	char num[32];
	size_t i;

	print_json_block("header", r->header);
	if (r->payload_opaque)
		printf("payload: %zu bytes, opaque (--signature-only)\n", r->payload_len);
	else
		print_json_block("claims", r->claims);
	if (r->claims != NULL) {
		puts("times:");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (!json_is_number(v = json_object_get(r->claims, names[i])))
				continue;
			if (json_is_integer(v))
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(v));
			else
				snprintf(num, sizeof(num), "%.15g", json_real_value(v));
			if (claim_seconds(v, &t) != 1) {
				printf("  %-9s %-12s (out of range)\n", names[i], num);
				continue;
			}
			timeutil_relative((time_t)t, now, rel, sizeof(rel));
			printf("  %-9s %-12s %s  (%s%s)\n", names[i], num,
			       timeutil_iso8601((time_t)t, iso),
			       strcmp(names[i], "exp") != 0 ? ""
			       : (time_t)t > now            ? "expires "
							    : "expired ",
			       rel);
		}
		iat = json_object_get(r->claims, "iat");
		exp = json_object_get(r->claims, "exp");
		if (json_is_number(iat) && json_is_number(exp))
			printf("  %-9s %s\n", "lifetime",
			       claims_lifetime(r->claims, &lifetime) == 0
				       ? timeutil_duration(lifetime, d, sizeof(d))
				       : "(out of range)");
		if (json_is_string(v = json_object_get(r->claims, "aud")) &&
		    strlen(json_string_value(v)) == json_string_length(v) &&
		    (id = jwt_aud_device_id(json_string_value(v), host, sizeof(host))) != NULL) {
			fputs("device id: ", stdout);
			cmd_puts_safe(stdout, id);
			fputs(" (from aud, host ", stdout);
			cmd_puts_safe(stdout, host);
			puts(")");
		}
	}
	printf("signature: %zu %s, %s\n", r->sig_len, cmd_plural(r->sig_len, "byte", "bytes"),
	       r->sig_der         ? "DER-encoded (OpenSSL's form; JWS ES256 wants raw R||S)"
	       : r->sig_len == 64 ? "raw R||S as ES256 wants"
				  : "not ES256-sized (RS256 signatures are the modulus size)");
	if (r->token_len > JWT_TOKEN_MAX) /* perhaps only its start was read */
		printf("token: more than %d bytes\n", JWT_TOKEN_MAX);
	else
		printf("token: %zu bytes\n", r->token_len);
}

/* --- mint ------------------------------------------------------------------------ */

struct mint_opts {
	struct jwt_mint_opts mint;
	const char *keyfile, *pubfile;
	struct passphrase pp;
	int json;
};

static const struct cmd_option mint_options[] = {
	CMD_OPT("device-id", CMD_STRING, struct mint_opts, mint.device_id, "ID", NULL,
		"the device id (aud, and sub with --sub)", .flags = CMD_REQUIRED),
	CMD_OPT("key", CMD_STRING, struct mint_opts, keyfile, "FILE", "@file",
		"the device's private key (RSA 2048+ or EC P-256)", .flags = CMD_REQUIRED),
	CMD_OPT("public", CMD_STRING, struct mint_opts, pubfile, "FILE", "@file",
		"check that FILE is the key's public half"),
	CMD_OPT("passphrase-file", CMD_STRING, struct mint_opts, pp.file, "FILE", "@file",
		"passphrase of an encrypted key (first line of FILE)"),
	CMD_OPT("ttl", CMD_DURATION, struct mint_opts, mint.ttl, "DURATION", "20m 1h 24h",
		"lifetime: exp = iat + DURATION", .def = JWT_TTL_DEFAULT, .min = 1),
	CMD_OPT("aud-host", CMD_STRING, struct mint_opts, mint.aud_host, "HOST", "akenza.io",
		"audience host, <customer>.akenza.io for a private cloud",
		.defstr = JWT_AUD_HOST_DEFAULT),
	CMD_OPT("sub", CMD_FLAG, struct mint_opts, mint.sub, NULL, NULL, "add sub = device id"),
	CMD_OPT("no-kid", CMD_FLAG, struct mint_opts, mint.no_kid, NULL, NULL,
		"leave kid out of the header"),
	CMD_OPT("iat", CMD_TIME, struct mint_opts, mint.iat, "TIME", NULL,
		"mint as at TIME (epoch seconds or ISO 8601 UTC)"),
	CMD_OPT("json", CMD_FLAG, struct mint_opts, json, NULL, NULL,
		"print token, header, claims and expiry as JSON"),
	CMD_OPT_END,
};

static int
mint_json(const char *tok, size_t len, const struct jwt_mint_opts *o, const struct jwt_report *r)
{
	char iat[TIMEUTIL_ISO_LEN], exp[TIMEUTIL_ISO_LEN];
	json_t *rest;
	char *s;
	int rc = AK_OK;

	rest = json_pack("{sO sO ss ss sI}", "header", r->header, "claims", r->claims, "issued_at",
			 timeutil_iso8601(o->iat, iat), "expires_at",
			 timeutil_iso8601(o->iat + o->ttl, exp), "lifetime", (json_int_t)o->ttl);
	if (rest == NULL || (s = safetext_json(rest, JSON_INDENT(2))) == NULL) {
		json_decref(rest);
		return cmd_error(AK_INTERNAL, "out of memory");
	}
	/* The token goes straight from sodium memory to the descriptor, not through stdio. */
	fputs("{\n  \"token\": \"", stdout);
	fflush(stdout);
	if (fileio_write_all(STDOUT_FILENO, tok, len) != 0)
		rc = cmd_error(AK_INPUT, "cannot write to standard output: %s", strerror(errno));
	printf("\",%s\n", s + 1);
	free(s);
	json_decref(rest);
	return rc;
}

static int
cmd_jwt_mint_exec(void *opts, int argc, char **argv)
{
	struct mint_opts *mo = opts;
	struct jwt_mint_opts o = mo->mint;
	struct passphrase *pp = &mo->pp;
	struct key k = KEY_INIT, pub = KEY_INIT;
	struct jwt_report r = JWT_REPORT_INIT;
	struct jwt_check_opts co = {0};
	struct err e = ERR_INIT;
	const char *keyfile = mo->keyfile, *pubfile = mo->pubfile;
	char *tok = NULL, d[TIMEUTIL_REL_LEN];
	size_t len = 0;
	int json = mo->json, status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if (devid_check(o.device_id, &e) != 0 ||
	    (o.aud_host != NULL && jwt_aud_host_check(o.aud_host, &e) != 0)) {
		e.status = AK_USAGE;
		return cmd_usage_error("%s", e.msg);
	}
	if (o.iat == 0)
		o.iat = time(NULL);
	/* The verifier takes times up to 9999: nothing it would refuse is minted. */
	if ((long long)o.iat + o.ttl > JWT_TIME_MAX)
		return cmd_usage_error("--iat and --ttl: exp would be after 9999-12-31T23:59:59Z");
	if (o.ttl > JWT_MAX_LIFETIME_DEFAULT)
		cmd_warn(
			"a lifetime of %s: akenza documents no maximum, but designs like it refuse "
			"more than 24h",
			timeutil_duration(o.ttl, d, sizeof(d)));

	if ((status = load_key(keyfile, pp, &k)) != AK_OK)
		goto out;
	if (pubfile != NULL) {
		if ((status = load_key(pubfile, NULL, &pub)) != AK_OK)
			goto out;
		if (!key_same_public(&k, &pub)) {
			status = cmd_error(AK_INPUT, "'%s' is not the public key of '%s'", pubfile,
					   keyfile);
			goto out;
		}
	}
	if (jwt_mint(&k, &o, &tok, &len, &e) != 0) {
		status = cmd_fail(&e);
		goto out;
	}
	if (json) {
		/* Decoded again by the checker: the JSON shows what the token says. */
		co.now = o.iat;
		if (jwt_check(tok, len, &co, &r, &e) != 0) {
			status = cmd_fail(&e);
			goto out;
		}
		status = mint_json(tok, len, &o, &r);
	} else {
		fflush(stdout);
		if (fileio_write_all(STDOUT_FILENO, tok, len) != 0 ||
		    fileio_write_all(STDOUT_FILENO, "\n", 1) != 0)
			status = cmd_error(AK_INPUT, "cannot write to standard output: %s",
					   strerror(errno));
	}
out:
	if (tok != NULL)
		sodium_free(tok);
	jwt_report_clear(&r);
	key_clear(&k);
	key_clear(&pub);
	passphrase_clear(pp);
	return status;
}

static const struct cmd_entry cmd_jwt_mint_entry = {
	.name = "mint",
	.summary = "mint the token a device sends as its MQTT password",
	.usage = "--device-id ID --key FILE [--public FILE] [--passphrase-file FILE]\n"
		 "\t[--ttl DURATION] [--aud-host HOST] [--sub] [--no-kid] [--iat TIME] [--json]",
	.options = mint_options,
	.opts_size = sizeof(struct mint_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_jwt_mint_exec,
};

/* --- decode ---------------------------------------------------------------------- */

struct decode_opts {
	time_t at;
	int json;
};

static const struct cmd_option decode_options[] = {
	CMD_OPT("at", CMD_TIME, struct decode_opts, at, "TIME", NULL,
		"show times relative to TIME instead of now"),
	CMD_OPT("json", CMD_FLAG, struct decode_opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

static int
cmd_jwt_decode_exec(void *opts, int argc, char **argv)
{
	const struct decode_opts *d = opts;
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct jwt_policy pol = JWT_POLICY_INIT;
	struct jwt_check_opts o = {0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	const char *tok;
	size_t len;
	json_t *j;
	int status, errors, warnings;

	o.now = d->at;
	if (argc > 1)
		return cmd_usage_error("one token at a time");
	jwt_policy_apply(&pol, &o);
	if ((status = read_token(argc > 0 ? argv[0] : NULL, &b, &tok, &len)) != AK_OK)
		return status;
	if (o.now == 0)
		o.now = time(NULL);
	if (jwt_check(tok, len, &o, &r, &e) != 0) {
		status = cmd_fail(&e);
		goto out;
	}
	count_problems(&r, &errors, &warnings);
	if (d->json) {
		j = details_json(&r, o.now);
		json_object_set_new(j, "verified", json_false());
		cmd_print_json(j, JSON_INDENT(2));
		json_decref(j);
	} else {
		puts("NOT VERIFIED: decoded without a key (use 'akcred jwt verify --key')");
		print_details(&r, o.now);
		if (r.nproblems == 0)
			puts("problems: none seen without a key");
		else {
			printf("problems: %d %s, %d %s\n", errors,
			       cmd_plural((unsigned long)errors, "error", "errors"), warnings,
			       cmd_plural((unsigned long)warnings, "warning", "warnings"));
			print_problems(&r);
		}
	}
	status = errors ? AK_NEGATIVE : AK_OK;
out:
	jwt_report_clear(&r);
	fileio_buf_clear(&b);
	return status;
}

static const struct cmd_entry cmd_jwt_decode_entry = {
	.name = "decode",
	.summary = "show what a token says, without verifying it",
	.usage = "[--at TIME] [--json] [TOKEN | @FILE | -]",
	.options = decode_options,
	.opts_size = sizeof(struct decode_opts),
	.flags = CMD_SECRETS, /* a token is a password */
	.exec = cmd_jwt_decode_exec,
	.operands = "@token",
};

/* --- verify ---------------------------------------------------------------------- */

struct verify_opts {
	const char *keyfile, *device_id;
	struct jwt_policy pol;
	time_t at;
	int signature_only, json;
	struct passphrase pp;
};

static const struct cmd_option verify_options[] = {
	CMD_OPT("key", CMD_STRING, struct verify_opts, keyfile, "FILE", "@file",
		"public key, private key or certificate of the device"),
	CMD_OPT("device-id", CMD_STRING, struct verify_opts, device_id, "ID", NULL,
		"the device the token must be for (aud)"),
	CMD_OPT("aud-host", CMD_STRING, struct verify_opts, pol.aud_host, "HOST", "akenza.io",
		"audience host", .defstr = JWT_AUD_HOST_DEFAULT),
	CMD_OPT("leeway", CMD_DURATION, struct verify_opts, pol.leeway, "DURATION", "0 60s 5m",
		"clock skew allowed", .def = JWT_LEEWAY_DEFAULT),
	CMD_OPT("at", CMD_TIME, struct verify_opts, at, "TIME", NULL,
		"evaluate as at TIME (epoch seconds or ISO 8601 UTC)"),
	CMD_OPT("max-lifetime", CMD_DURATION, struct verify_opts, pol.max_lifetime, "DURATION",
		"1h 24h", "warn about longer lifetimes; 0: never", .def = JWT_MAX_LIFETIME_DEFAULT),
	CMD_OPT("signature-only", CMD_FLAG, struct verify_opts, signature_only, NULL, NULL,
		"check the JWS layer only (structure, alg, key, signature)"),
	CMD_OPT("passphrase-file", CMD_STRING, struct verify_opts, pp.file, "FILE", "@file",
		"passphrase of an encrypted private key (first line of FILE)"),
	CMD_OPT("json", CMD_FLAG, struct verify_opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

/* Which key of a file of several the report is about, and why: from what the kid named. */
static void
print_key_choice(const struct jwt_keys_result *kr, size_t n, int errors)
{
	const char *kid = kr->kid == JWT_KID_NOT_FP ? "none has the token's kid (not a fingerprint)"
						    : "none has the token's kid";

	if (kr->used < 0 && kr->kid == JWT_KID_CASE_ONLY)
		printf(" (key %zu of %zu in the file: its fingerprint differs from the token's kid "
		       "only in case)",
		       kr->key + 1, n);
	else if (kr->used < 0)
		printf(" (first of %zu keys in the file: %s)", n, kid);
	else if (kr->kid == JWT_KID_NAMED)
		printf(" (key %zu of %zu in the file%s)", kr->key + 1, n,
		       errors ? ", the one with the token's kid: the others were not tried" : "");
	else if (kr->kid == JWT_KID_ABSENT)
		printf(" (key %zu of %zu in the file%s)", kr->key + 1, n,
		       errors ? "; none of them accepts the token" : "");
	else /* --signature-only: a kid naming none is a hint, each key was tried */
		printf(" (key %zu of %zu in the file; %s, so each was tried%s)", kr->key + 1, n,
		       kid, errors ? " and none accepts the token" : "");
}

static int
cmd_jwt_verify_exec(void *opts, int argc, char **argv)
{
	struct verify_opts *vo = opts;
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct passphrase *pp = &vo->pp;
	struct key_set ks = KEY_SET_INIT;
	const struct key *k;
	struct jwt_keys_result kr;
	struct jwt_policy pol = vo->pol;
	struct jwt_check_opts o = {.device_id = vo->device_id,
				   .now = vo->at,
				   .signature_only = vo->signature_only};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	const char *keyfile = vo->keyfile, *tok, *kalg, *why;
	char fp[KEY_FINGERPRINT_HEX + 1], iso[TIMEUTIL_ISO_LEN], d[TIMEUTIL_REL_LEN], desc[64];
	size_t len;
	json_t *j;
	int json = vo->json, status, errors, warnings;

	if (keyfile == NULL)
		return cmd_usage_error(
			"--key is required (to read a token without one: akcred jwt decode)");
	if (argc > 1)
		return cmd_usage_error("one token at a time");
	if (o.device_id != NULL && devid_check(o.device_id, &e) != 0)
		return cmd_usage_error("--device-id: %s", e.msg);
	if (jwt_policy_check(&pol, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	jwt_policy_apply(&pol, &o);
	/* Every key of the file counts, by the broker's rule (jwt_check_keys). */
	if (key_load_file_all(&ks, keyfile, pp, &e) != 0) {
		status = cmd_fail(&e);
		goto out;
	}
	if ((status = read_token(argc > 0 ? argv[0] : NULL, &b, &tok, &len)) != AK_OK)
		goto out;
	if (o.now == 0)
		o.now = time(NULL);
	if (jwt_check_keys(tok, len, &o, ks.keys, ks.n, &r, &kr, &e) != 0) {
		status = cmd_fail(&e);
		goto out;
	}
	k = &ks.keys[kr.key]; /* the key the report is about */
	if (key_fingerprint(k, fp, &e) != 0) {
		status = cmd_fail(&e);
		goto out;
	}
	count_problems(&r, &errors, &warnings);
	kalg = key_akenza_alg(k, &why);
	if (json) {
		j = details_json(&r, o.now);
		json_object_set_new(j, "accepted", json_boolean(jwt_report_accepted(&r)));
		json_object_set_new(j, "signature_checked", json_boolean(r.signature_checked));
		json_object_set_new(j, "signature_valid", json_boolean(r.signature_valid));
		json_object_set_new(j, "signature_only", json_boolean(o.signature_only));
		json_object_set_new(j, "at", json_string(timeutil_iso8601(o.now, iso)));
		json_object_set_new(j, "leeway", json_integer(o.leeway));
		json_object_set_new(j, "max_lifetime", json_integer(o.max_lifetime));
		json_object_set_new(j, "key",
				    json_pack("{ss ss so}", "description",
					      key_describe(k, desc, sizeof(desc)), "fingerprint",
					      fp, "algorithm",
					      kalg ? json_string(kalg) : json_null()));
		if (ks.n > 1) { /* which of the file's keys; null: none has the token's kid */
			json_object_set_new(j, "keys_in_file", json_integer((json_int_t)ks.n));
			json_object_set_new(j, "key_index",
					    kr.used >= 0 ? json_integer(kr.used + 1) : json_null());
		}
		cmd_print_json(j, JSON_INDENT(2));
		json_decref(j);
	} else {
		if (errors == 0)
			fputs("token accepted", stdout);
		else
			printf("token REJECTED: %d %s", errors,
			       cmd_plural((unsigned long)errors, "error", "errors"));
		if (warnings)
			printf("%s%d %s", errors ? ", " : " with ", warnings,
			       cmd_plural((unsigned long)warnings, "warning", "warnings"));
		putchar('\n');
		print_problems(&r);
		printf("checked: %s at %s, leeway %s, key %s %s",
		       o.signature_only ? "signature only" : "signature and claims",
		       timeutil_iso8601(o.now, iso), timeutil_duration(o.leeway, d, sizeof(d)),
		       key_describe(k, desc, sizeof(desc)), fp);
		if (ks.n > 1)
			print_key_choice(&kr, ks.n, errors);
		putchar('\n');
		if (!o.signature_only && o.device_id == NULL)
			puts("note: no --device-id: any device id in aud is taken");
	}
	status = jwt_report_accepted(&r) ? AK_OK : AK_NEGATIVE;
out:
	jwt_report_clear(&r);
	fileio_buf_clear(&b);
	key_set_clear(&ks);
	passphrase_clear(pp);
	return status;
}

static const struct cmd_entry cmd_jwt_verify_entry = {
	.name = "verify",
	.summary = "tell whether akenza would accept a token, and every reason if not",
	.usage =
		"--key FILE [--device-id ID] [--aud-host HOST] [--leeway DURATION] [--at TIME]\n"
		"\t[--max-lifetime DURATION] [--signature-only] [--passphrase-file FILE] [--json]\n"
		"\t[TOKEN | @FILE | -]",
	.options = verify_options,
	.opts_size = sizeof(struct verify_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_jwt_verify_exec,
	.operands = "@token",
};

static const struct cmd_entry *const jwt_children[] = {
	&cmd_jwt_mint_entry,
	&cmd_jwt_decode_entry,
	&cmd_jwt_verify_entry,
	NULL,
};

const struct cmd_entry cmd_jwt_entry = {
	.name = "jwt",
	.summary = "mint, decode and verify akenza device tokens",
	.usage = "mint|decode|verify [options]",
	.children = jwt_children,
};
