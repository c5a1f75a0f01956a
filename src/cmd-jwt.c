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
#include "jwtmint.h"
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

/*
 * exp - iat of the claims into *secs: 0, or -1 if either is missing, not a
 * number, or the difference does not fit (integers at the ends of int64).
 */
static int
claims_lifetime(const json_t *claims, json_int_t *secs)
{
	json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");
	time_t i, e;

	if (json_is_integer(iat) && json_is_integer(exp))
		return __builtin_sub_overflow(json_integer_value(exp), json_integer_value(iat),
					      secs)
			       ? -1
			       : 0;
	if (jwt_numeric_date(iat, &i) != 1 || jwt_numeric_date(exp, &e) != 1)
		return -1;
	*secs = e - i;
	return 0;
}

/*
 * What decode and verify show of a report besides their verdict, worked out
 * once for the text and the JSON view: the time claims, the lifetime, the
 * device id in aud, how many errors and warnings.
 */
#define VIEW_TIMES 3

struct view_time {
	const char *name; /* "iat", "nbf", "exp" */
	json_t *value;    /* the claim as the token has it (the report's) */
	int in_range;     /* a time the checker takes: t is it in whole seconds */
	time_t t;
};

struct token_view {
	const struct jwt_report *r;
	time_t now;
	struct view_time times[VIEW_TIMES]; /* the time claims that are numbers */
	size_t ntimes;
	int has_lifetime; /* iat and exp are numbers: a lifetime is shown */
	int lifetime_ok;  /* ... and lifetime is exp - iat; else it is out of range */
	json_int_t lifetime;
	const char *device_id; /* of aud "https://<host>/devices/<id>", or NULL */
	char host[256];
	int errors, warnings;
};

static void
view_fill(struct token_view *v, const struct jwt_report *r, time_t now)
{
	static const char *const names[VIEW_TIMES] = {"iat", "nbf", "exp"};
	struct view_time *vt;
	json_t *x;
	size_t i;

	*v = (struct token_view){.r = r, .now = now};
	jwt_report_count(r, &v->errors, &v->warnings);
	if (r->claims == NULL)
		return;
	for (i = 0; i < VIEW_TIMES; i++) {
		if (!json_is_number(x = json_object_get(r->claims, names[i])))
			continue;
		vt = &v->times[v->ntimes++];
		*vt = (struct view_time){names[i], x, 0, 0};
		vt->in_range = jwt_numeric_date(x, &vt->t) == 1;
	}
	v->has_lifetime = json_is_number(json_object_get(r->claims, "iat")) &&
			  json_is_number(json_object_get(r->claims, "exp"));
	v->lifetime_ok = v->has_lifetime && claims_lifetime(r->claims, &v->lifetime) == 0;
	/* A string with \u0000 would be read cut short: no device id is taken from it. */
	if (json_is_string(x = json_object_get(r->claims, "aud")) &&
	    strlen(json_string_value(x)) == json_string_length(x))
		v->device_id = jwt_aud_device_id(json_string_value(x), v->host, sizeof(v->host));
}

/* --- shared: the text view ------------------------------------------------------- */

static void
print_problems(const struct jwt_report *r)
{
	int i;

	for (i = 0; i < r->nproblems; i++) {
		printf("  %-7s %s: ", jwt_severity_name(r->problems[i].severity),
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

/* "  exp       1795512000   2026-11-24T09:20:00Z  (expired 6h8m ago)" */
static void
print_time(const struct view_time *vt, time_t now)
{
	char iso[TIMEUTIL_ISO_LEN], rel[TIMEUTIL_REL_LEN], num[32];

	if (json_is_integer(vt->value))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(vt->value));
	else
		snprintf(num, sizeof(num), "%.15g", json_real_value(vt->value));
	if (!vt->in_range) {
		printf("  %-9s %-12s (out of range)\n", vt->name, num);
		return;
	}
	timeutil_relative(vt->t, now, rel, sizeof(rel));
	printf("  %-9s %-12s %s  (%s%s)\n", vt->name, num, timeutil_iso8601(vt->t, iso),
	       strcmp(vt->name, "exp") != 0 ? ""
	       : vt->t > now                ? "expires "
					    : "expired ",
	       rel);
}

/* Header, claims, times, lifetime, device id, signature, length. */
static void
print_details(const struct token_view *v)
{
	const struct jwt_report *r = v->r;
	char d[TIMEUTIL_REL_LEN];
	size_t i;

	print_json_block("header", r->header);
	if (r->payload_opaque)
		printf("payload: %zu bytes, opaque (--signature-only)\n", r->payload_len);
	else
		print_json_block("claims", r->claims);
	if (r->claims != NULL) {
		puts("times:");
		for (i = 0; i < v->ntimes; i++)
			print_time(&v->times[i], v->now);
		if (v->has_lifetime)
			printf("  %-9s %s\n", "lifetime",
			       v->lifetime_ok ? timeutil_duration(v->lifetime, d, sizeof(d))
					      : "(out of range)");
		if (v->device_id != NULL) {
			fputs("device id: ", stdout);
			cmd_puts_safe(stdout, v->device_id);
			fputs(" (from aud, host ", stdout);
			cmd_puts_safe(stdout, v->host);
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

/* --- shared: the JSON view ------------------------------------------------------- */

/* One time claim as its value, ISO 8601 and relative to now (null if out of range). */
static json_t *
time_json(const struct view_time *vt, time_t now)
{
	char iso[TIMEUTIL_ISO_LEN], rel[TIMEUTIL_REL_LEN];

	if (!vt->in_range)
		return json_pack("{sO sn sn}", "value", vt->value, "utc", "relative");
	return json_pack("{sO ss ss}", "value", vt->value, "utc", timeutil_iso8601(vt->t, iso),
			 "relative", timeutil_relative(vt->t, now, rel, sizeof(rel)));
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

/* The view as JSON: what decode and verify print the same. */
static json_t *
details_json(const struct token_view *v)
{
	const struct jwt_report *r = v->r;
	json_t *j, *times = json_object();
	size_t i;

	for (i = 0; i < v->ntimes; i++)
		json_object_set_new(times, v->times[i].name, time_json(&v->times[i], v->now));
	j = json_pack("{sO sO so}", "header", r->header ? r->header : json_null(), "claims",
		      r->claims ? r->claims : json_null(), "times", times);
	if (j == NULL)
		return NULL;
	if (v->has_lifetime)
		json_object_set_new(j, "lifetime",
				    v->lifetime_ok ? json_integer(v->lifetime) : json_null());
	if (v->device_id != NULL)
		json_object_set_new(j, "device_id", json_string(v->device_id));
	json_object_set_new(j, "signature",
			    json_pack("{sI ss}", "length", (json_int_t)r->sig_len, "form",
				      sig_form(r)));
	if (r->payload_opaque)
		json_object_set_new(j, "payload_length", json_integer((json_int_t)r->payload_len));
	json_object_set_new(j, "token_length", json_integer((json_int_t)r->token_len));
	json_object_set_new(j, "problems", jwt_problems_json(r, 0));
	if (r->dropped > 0)
		json_object_set_new(j, "problems_not_listed",
				    json_pack("{si si}", "count", r->dropped, "errors",
					      r->dropped_errors));
	return j;
}

/* Print the view as JSON with the members of more after it (stolen, may be NULL). */
static int
print_view_json(const struct token_view *v, json_t *more)
{
	json_t *j = details_json(v);
	int status;

	if (j == NULL || more == NULL || json_object_update(j, more) != 0)
		status = cmd_error(AK_INTERNAL, "out of memory");
	else
		status = cmd_print_json(j, JSON_INDENT(2));
	json_decref(more);
	json_decref(j);
	return status;
}

/* --- mint ------------------------------------------------------------------------ */

struct mint_opts {
	struct jwt_mint_opts mint;
	const char *keyfile, *pubfile;
	struct passphrase pp;
	struct p11_opts p11;
	int json;
};

static const struct cmd_option mint_options[] = {
	CMD_OPT("device-id", CMD_STRING, struct mint_opts, mint.device_id, "ID", NULL,
		"the device id (aud, and sub with --sub)", .flags = CMD_REQUIRED),
	CMD_OPT("key", CMD_STRING, struct mint_opts, keyfile, "FILE|URI", "@file",
		"the device's private key (RSA 2048+ or EC P-256): a file or a pkcs11: URI",
		.flags = CMD_REQUIRED),
	CMD_OPT("public", CMD_STRING, struct mint_opts, pubfile, "FILE", "@file",
		"check that FILE is the key's public half"),
	CMD_OPT("passphrase-file", CMD_STRING, struct mint_opts, pp.file, "FILE", "@file",
		"passphrase of an encrypted key (first line of FILE)"),
	CMD_PKCS11_OPTIONS(struct mint_opts),
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

/* What mint made: the token, and the options it was minted with (iat filled in). */
struct mint_result {
	struct jwt_mint_opts o;
	char *tok; /* sodium memory: the token is a password */
	size_t len;
	struct jwt_report r; /* the token decoded again by the checker (--json only) */
};

/* The options as minting takes them: usage errors, iat now if not given, a warning. */
static int
mint_check_opts(struct jwt_mint_opts *o)
{
	struct err e = ERR_INIT;
	char d[TIMEUTIL_REL_LEN];

	if (devid_check(o->device_id, &e) != 0 ||
	    (o->aud_host != NULL && jwt_aud_host_check(o->aud_host, &e) != 0))
		return cmd_usage_error("%s", e.msg);
	if (o->iat == 0)
		o->iat = time(NULL);
	/* The verifier takes times up to 9999: nothing it would refuse is minted. */
	if ((long long)o->iat + o->ttl > JWT_TIME_MAX)
		return cmd_usage_error("--iat and --ttl: exp would be after 9999-12-31T23:59:59Z");
	if (o->ttl > JWT_MAX_LIFETIME_DEFAULT)
		cmd_warn(
			"a lifetime of %s: akenza documents no maximum, but designs like it refuse "
			"more than 24h",
			timeutil_duration(o->ttl, d, sizeof(d)));
	return AK_OK;
}

/* The private key into k, and --public checked to be its public half. */
static int
mint_load_key(struct mint_opts *mo, struct key *k)
{
	struct key pub = KEY_INIT;
	int status;

	if ((status = load_key(mo->keyfile, &mo->pp, k)) != AK_OK || mo->pubfile == NULL)
		return status;
	if ((status = load_key(mo->pubfile, NULL, &pub)) == AK_OK && !key_same_public(k, &pub))
		status = cmd_error(AK_INPUT, "'%s' is not the public key of '%s'", mo->pubfile,
				   mo->keyfile);
	key_clear(&pub);
	return status;
}

static int
mint_fill(struct mint_result *m, const struct key *k, int decode)
{
	struct jwt_check_opts co = {.now = m->o.iat};
	struct err e = ERR_INIT;

	if (jwt_mint(k, &m->o, &m->tok, &m->len, &e) != 0)
		return cmd_fail(&e);
	/* Only the JSON view shows what the token says: the text view spends nothing on it. */
	if (decode && jwt_check(m->tok, m->len, &co, &m->r, &e) != 0)
		return cmd_fail(&e);
	return AK_OK;
}

/* The token goes straight from sodium memory to the descriptor, not through stdio. */
static int
write_out(const char *buf, size_t len)
{
	fflush(stdout);
	if (fileio_write_all(STDOUT_FILENO, buf, len) != 0)
		return cmd_error(AK_INPUT, "cannot write to standard output: %s", strerror(errno));
	return AK_OK;
}

static int
mint_text(const struct mint_result *m)
{
	int status = write_out(m->tok, m->len);

	return status == AK_OK ? write_out("\n", 1) : status;
}

static int
mint_json(const struct mint_result *m)
{
	char iat[TIMEUTIL_ISO_LEN], exp[TIMEUTIL_ISO_LEN];
	json_t *rest;
	char *s;
	int status;

	rest = json_pack("{sO sO ss ss sI}", "header", m->r.header, "claims", m->r.claims,
			 "issued_at", timeutil_iso8601(m->o.iat, iat), "expires_at",
			 timeutil_iso8601(m->o.iat + m->o.ttl, exp), "lifetime",
			 (json_int_t)m->o.ttl);
	if (rest == NULL || (s = safetext_json(rest, JSON_INDENT(2))) == NULL) {
		json_decref(rest);
		return cmd_error(AK_INTERNAL, "out of memory");
	}
	/* The token is printed in the object's place, first; the rest follows from its "{". */
	fputs("{\n  \"token\": \"", stdout);
	if ((status = write_out(m->tok, m->len)) == AK_OK)
		printf("\",%s\n", s + 1);
	free(s);
	json_decref(rest);
	return status;
}

static int
cmd_jwt_mint_exec(void *opts, int argc, char **argv)
{
	struct mint_opts *mo = opts;
	struct mint_result m = {.o = mo->mint, .r = JWT_REPORT_INIT};
	struct key k = KEY_INIT;
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((status = mint_check_opts(&m.o)) != AK_OK)
		return status;
	cmd_p11_setup(&mo->p11, mo->keyfile);
	if ((status = mint_load_key(mo, &k)) == AK_OK &&
	    (status = mint_fill(&m, &k, mo->json)) == AK_OK)
		status = mo->json ? mint_json(&m) : mint_text(&m);
	if (m.tok != NULL)
		sodium_free(m.tok);
	jwt_report_clear(&m.r);
	key_clear(&k);
	passphrase_clear(&mo->pp);
	return status;
}

static const struct cmd_entry cmd_jwt_mint_entry = {
	.name = "mint",
	.summary = "mint the token a device sends as its MQTT password",
	.usage = "--device-id ID --key FILE|URI [--public FILE] [--passphrase-file FILE]\n"
		 "\t[--pkcs11-module PATH] [--pin-file FILE]\n"
		 "\t[--ttl DURATION] [--aud-host HOST] [--sub] [--no-kid] [--iat TIME] [--json]",
	CMD_OPTIONS(mint_options, struct mint_opts),
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
decode_text(const struct token_view *v)
{
	puts("NOT VERIFIED: decoded without a key (use 'akcred jwt verify --key')");
	print_details(v);
	if (v->r->nproblems == 0) {
		puts("problems: none seen without a key");
		return AK_OK;
	}
	printf("problems: %d %s, %d %s\n", v->errors,
	       cmd_plural((unsigned long)v->errors, "error", "errors"), v->warnings,
	       cmd_plural((unsigned long)v->warnings, "warning", "warnings"));
	print_problems(v->r);
	return AK_OK;
}

static int
decode_json(const struct token_view *v)
{
	return print_view_json(v, json_pack("{sb}", "verified", 0));
}

static int
cmd_jwt_decode_exec(void *opts, int argc, char **argv)
{
	const struct decode_opts *d = opts;
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct jwt_policy pol = JWT_POLICY_INIT;
	struct jwt_check_opts o = {.now = d->at};
	struct jwt_report r = JWT_REPORT_INIT;
	struct token_view v;
	struct err e = ERR_INIT;
	const char *tok;
	size_t len;
	int status;

	if (argc > 1)
		return cmd_usage_error("one token at a time");
	jwt_policy_apply(&pol, &o);
	if ((status = read_token(argc > 0 ? argv[0] : NULL, &b, &tok, &len)) != AK_OK)
		return status;
	if (o.now == 0)
		o.now = time(NULL);
	if (jwt_check(tok, len, &o, &r, &e) != 0) {
		status = cmd_fail(&e);
	} else {
		view_fill(&v, &r, o.now);
		status = d->json ? decode_json(&v) : decode_text(&v);
		if (status == AK_OK && v.errors > 0)
			status = AK_NEGATIVE;
	}
	jwt_report_clear(&r);
	fileio_buf_clear(&b);
	return status;
}

static const struct cmd_entry cmd_jwt_decode_entry = {
	.name = "decode",
	.summary = "show what a token says, without verifying it",
	.usage = "[--at TIME] [--json] [TOKEN | @FILE | -]",
	CMD_OPTIONS(decode_options, struct decode_opts),
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
	struct p11_opts p11;
};

static const struct cmd_option verify_options[] = {
	CMD_OPT("key", CMD_STRING, struct verify_opts, keyfile, "FILE|URI", "@file",
		"public key, private key or certificate of the device: a file or a pkcs11: URI"),
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
	CMD_PKCS11_OPTIONS(struct verify_opts),
	CMD_OPT("json", CMD_FLAG, struct verify_opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

/* What verify found: the report of the key it is about (jwt_check_keys), and that key. */
struct verify_result {
	const struct jwt_check_opts *o; /* as checked: now, leeway, ... filled in */
	struct jwt_report r;
	struct jwt_keys_result kr;
	struct token_view view; /* of r */
	const struct key *k;    /* the key r is about */
	size_t nkeys;           /* keys in the file */
	char fp[KEY_FINGERPRINT_HEX + 1], desc[64];
	const char *kalg; /* k's akenza algorithm, or NULL: akenza does not take k */
};

/* Every key of the file counts, by the broker's rule (jwt_check_keys). */
static int
verify_fill(struct verify_result *v, const struct key_set *ks, const char *tok, size_t len)
{
	struct err e = ERR_INIT;
	const char *why;

	if (jwt_check_keys(tok, len, v->o, ks->keys, ks->n, &v->r, &v->kr, &e) != 0)
		return cmd_fail(&e);
	v->k = &ks->keys[v->kr.key];
	v->nkeys = ks->n;
	if (key_fingerprint(v->k, v->fp, &e) != 0)
		return cmd_fail(&e);
	key_describe(v->k, v->desc, sizeof(v->desc));
	v->kalg = key_akenza_alg(v->k, &why);
	view_fill(&v->view, &v->r, v->o->now);
	return AK_OK;
}

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
verify_text(const struct verify_result *v)
{
	const struct jwt_check_opts *o = v->o;
	int errors = v->view.errors, warnings = v->view.warnings;
	char iso[TIMEUTIL_ISO_LEN], d[TIMEUTIL_REL_LEN];

	if (errors == 0)
		fputs("token accepted", stdout);
	else
		printf("token REJECTED: %d %s", errors,
		       cmd_plural((unsigned long)errors, "error", "errors"));
	if (warnings)
		printf("%s%d %s", errors ? ", " : " with ", warnings,
		       cmd_plural((unsigned long)warnings, "warning", "warnings"));
	putchar('\n');
	print_problems(&v->r);
	printf("checked: %s at %s, leeway %s, key %s %s",
	       o->signature_only ? "signature only" : "signature and claims",
	       timeutil_iso8601(o->now, iso), timeutil_duration(o->leeway, d, sizeof(d)), v->desc,
	       v->fp);
	if (v->nkeys > 1)
		print_key_choice(&v->kr, v->nkeys, errors);
	putchar('\n');
	if (!o->signature_only && o->device_id == NULL)
		puts("note: no --device-id: any device id in aud is taken");
	return AK_OK;
}

static int
verify_json(const struct verify_result *v)
{
	const struct jwt_check_opts *o = v->o;
	char iso[TIMEUTIL_ISO_LEN];
	json_t *more;

	more = json_pack("{sb sb sb sb ss sI sI s{ss ss so}}", "accepted",
			 jwt_report_accepted(&v->r), "signature_checked", v->r.signature_checked,
			 "signature_valid", v->r.signature_valid, "signature_only",
			 o->signature_only, "at", timeutil_iso8601(o->now, iso), "leeway",
			 (json_int_t)o->leeway, "max_lifetime", (json_int_t)o->max_lifetime, "key",
			 "description", v->desc, "fingerprint", v->fp, "algorithm",
			 v->kalg ? json_string(v->kalg) : json_null());
	/* Which of the file's keys; null: none has the token's kid. */
	if (more != NULL && v->nkeys > 1 &&
	    json_object_update_new(more, json_pack("{sI so}", "keys_in_file", (json_int_t)v->nkeys,
						   "key_index",
						   v->kr.used >= 0 ? json_integer(v->kr.used + 1)
								   : json_null())) != 0) {
		json_decref(more);
		more = NULL;
	}
	return print_view_json(&v->view, more);
}

static int
cmd_jwt_verify_exec(void *opts, int argc, char **argv)
{
	struct verify_opts *vo = opts;
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct key_set ks = KEY_SET_INIT;
	struct jwt_check_opts o = {.device_id = vo->device_id,
				   .now = vo->at,
				   .signature_only = vo->signature_only};
	struct verify_result v = {.o = &o, .r = JWT_REPORT_INIT};
	struct err e = ERR_INIT;
	const char *tok;
	size_t len;
	int status;

	if (vo->keyfile == NULL)
		return cmd_usage_error(
			"--key is required (to read a token without one: akcred jwt decode)");
	if (argc > 1)
		return cmd_usage_error("one token at a time");
	if (o.device_id != NULL && devid_check(o.device_id, &e) != 0)
		return cmd_usage_error("--device-id: %s", e.msg);
	if (jwt_policy_check(&vo->pol, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	jwt_policy_apply(&vo->pol, &o);
	cmd_p11_setup(&vo->p11, vo->keyfile);
	if (key_load_file_all(&ks, vo->keyfile, &vo->pp, &e) != 0)
		status = cmd_fail(&e);
	else if ((status = read_token(argc > 0 ? argv[0] : NULL, &b, &tok, &len)) == AK_OK) {
		if (o.now == 0)
			o.now = time(NULL);
		if ((status = verify_fill(&v, &ks, tok, len)) == AK_OK)
			status = vo->json ? verify_json(&v) : verify_text(&v);
		if (status == AK_OK && !jwt_report_accepted(&v.r))
			status = AK_NEGATIVE;
	}
	jwt_report_clear(&v.r);
	fileio_buf_clear(&b);
	key_set_clear(&ks);
	passphrase_clear(&vo->pp);
	return status;
}

static const struct cmd_entry cmd_jwt_verify_entry = {
	.name = "verify",
	.summary = "tell whether akenza would accept a token, and every reason if not",
	.usage = "--key FILE|URI [--device-id ID] [--aud-host HOST] [--leeway DURATION] [--at "
		 "TIME]\n"
		 "\t[--max-lifetime DURATION] [--signature-only] [--passphrase-file FILE]\n"
		 "\t[--pkcs11-module PATH] [--pin-file FILE] [--json] [TOKEN | @FILE | -]",
	CMD_OPTIONS(verify_options, struct verify_opts),
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
