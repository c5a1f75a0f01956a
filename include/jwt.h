/*
 * jwt: checking akenza device tokens -- compact JWS with RS256 or ES256 --
 * and the rules that minting (jwtmint.h) shares with it.
 *
 * jwt_check() decodes a token and lists every problem it finds as a stable
 * code (see akcred-jwt(1)); with a key it also verifies the signature, and
 * the algorithm is decided by the key, never by the header.
 * jwt_check_keys() is the kid rule for a verifier holding several keys.
 *
 * struct jwt_policy is what a verifier accepts (audience host, leeway,
 * maximum lifetime) with its defaults and ranges: jwt verify, check's
 * local checks and the broker plugin all start from JWT_POLICY_INIT.
 * jwt_frame() and jwt_read_token() are how a token is framed in a file.
 *
 * Shared with minting, so that nothing is minted that the checker refuses:
 * the audience (jwt_audience, jwt_aud_host_check), the latest time
 * (JWT_TIME_MAX) and the size of an ES256 signature.
 */
#ifndef AKCRED_JWT_H
#define AKCRED_JWT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "err.h"
#include "fileio.h"
#include "key.h"

#define JWT_AUD_HOST_DEFAULT "akenza.io"
#define JWT_TOKEN_MAX 8192   /* checked before any decoding */
#define JWT_AUD_MAX 512      /* room for "https://<aud-host>/devices/<id>" */
#define JWT_ES256_SIG_LEN 64 /* raw R||S (RFC 7518 section 3.4), never DER */
/* raw R||S as the DER ECDSA-Sig-Value X.509 and OpenSSL take (*der: OPENSSL_free() it). */
int jwt_es256_raw_to_der(const unsigned char raw[JWT_ES256_SIG_LEN], unsigned char **der,
			 size_t *len, struct err *e);

enum jwt_severity { JWT_ERROR = 0, JWT_WARNING = 1 };

#define JWT_PROBLEMS_MAX 32

struct jwt_problem {
	const char *code; /* "expired", "kid_mismatch", ... */
	enum jwt_severity severity;
	char message[256];
};

/* aud_host, leeway and max_lifetime come from a struct jwt_policy (jwt_policy_apply). */
struct jwt_check_opts {
	const struct key *key; /* NULL: decode only, no signature check */
	const char *device_id; /* expected device (aud), or NULL */
	const char *aud_host;  /* NULL: JWT_AUD_HOST_DEFAULT */
	time_t now;            /* 0: time(NULL) */
	long leeway;           /* seconds of clock skew allowed */
	long max_lifetime;     /* warn above this many seconds; 0: no check */
	int signature_only;    /* JWS layer only; claims not checked */
};

struct jwt_report {
	json_t *header; /* decoded header, or NULL if malformed */
	json_t *claims; /* decoded claims, or NULL if malformed */
	size_t token_len;
	size_t sig_len;
	int sig_der; /* the signature looks DER-encoded */
	int signature_checked;
	int signature_valid;
	struct jwt_problem problems[JWT_PROBLEMS_MAX];
	int nproblems;
	/* Problems that did not fit in problems[], and how many were errors. */
	int dropped;
	int dropped_errors; /* jwt_report_accepted() is 0 if any */
	/* signature_only: the payload, not decoded as claims (claims stays NULL). */
	int payload_opaque;
	size_t payload_len; /* its bytes once base64url-decoded */
	/*
	 * The moment from which jwt_check() calls the token expired -- exp
	 * plus the leeway -- or 0 without a readable exp: where an accepted
	 * token's session ends (the broker plugin), from the one rule.
	 */
	time_t expired_from;
};
/* clang-format off */
#define JWT_REPORT_INIT {0}
/* clang-format on */

/*
 * Decode and check token (len bytes, as the broker gets it: jwt_frame() has
 * removed the framing of a file, nothing else).  Returns 0 when the token
 * was examined -- its problems are in r -- and -1 only on an internal
 * failure (e).
 */
int jwt_check(const char *token, size_t len, const struct jwt_check_opts *o, struct jwt_report *r,
	      struct err *e);
/* No problem of severity JWT_ERROR: akenza would accept the token. */
int jwt_report_accepted(const struct jwt_report *r);
/* The errors and warnings of r, those past the end of its list included (warnings may be NULL). */
void jwt_report_count(const struct jwt_report *r, int *errors, int *warnings);
/* "error" or "warning". */
const char *jwt_severity_name(enum jwt_severity s);
/*
 * r's problems as a JSON array of {code, severity, message} (only the errors
 * if errors_only), as every --json shows them; NULL when out of memory.
 */
json_t *jwt_problems_json(const struct jwt_report *r, int errors_only);
void jwt_report_clear(struct jwt_report *r);

/* The latest time anything here takes: 9999-12-31T23:59:59Z (iat, exp, nbf, now). */
#define JWT_TIME_MAX 253402300799LL
/*
 * A NumericDate (iat, exp, nbf) as the checker takes it: 1 with *t, whole
 * seconds (a fraction cut off); 0 if out of 0 .. JWT_TIME_MAX; -1 if v is
 * not a number.  The one rule for reading a time claim: jwt decode shows
 * times by it.
 */
int jwt_numeric_date(const json_t *v, time_t *t);

/*
 * jwt_check() in detail:
 * - leeway and max_lifetime must be 0 .. TIMEUTIL_DURATION_MAX and now
 *   0 .. JWT_TIME_MAX: otherwise -1 with e (AK_USAGE), nothing examined.
 * - Unless signature_only, device_id and aud_host are validated
 *   (devid_check, jwt_aud_host_check, the audience not too long) before any
 *   comparison: an unusable one -- such as an MQTT client id too long for
 *   an audience -- is never truncated or compared but reported as an
 *   aud_mismatch error, so the token is not accepted and a broker refuses
 *   the login.
 * - jwt_report_accepted() is 0 for a report jwt_check() did not fill (it
 *   returned -1, or was never called) and when an error did not fit in
 *   problems[] (dropped_errors).
 */

/*
 * A verifier's token policy.  akenza documents neither a clock-skew
 * allowance nor a maximum lifetime; these mirror Google Cloud IoT Core,
 * whose design akenza's follows, as defaults one can change: a leeway of a
 * minute and a warning (lifetime_too_long, never a refusal) above 24 hours.
 * The leeway is at most a day: beyond that, exp no longer means anything.
 */
#define JWT_LEEWAY_DEFAULT 60
#define JWT_LEEWAY_MAX 86400
#define JWT_MAX_LIFETIME_DEFAULT 86400

struct jwt_policy {
	const char *aud_host; /* NULL: JWT_AUD_HOST_DEFAULT */
	long leeway;          /* seconds of clock skew allowed, 0 .. JWT_LEEWAY_MAX */
	long max_lifetime;    /* warn above this many seconds; 0: no check */
};
/* clang-format off */
#define JWT_POLICY_INIT {NULL, JWT_LEEWAY_DEFAULT, JWT_MAX_LIFETIME_DEFAULT}
/* clang-format on */

/*
 * Are p's values usable: the aud host (jwt_aud_host_check), the leeway
 * 0 .. JWT_LEEWAY_MAX, the maximum lifetime 0 .. TIMEUTIL_DURATION_MAX?
 * -1 with e (AK_USAGE) saying which is not.
 */
int jwt_policy_check(const struct jwt_policy *p, struct err *e);
/* Set o's aud_host, leeway and max_lifetime from p; the other fields are left alone. */
void jwt_policy_apply(const struct jwt_policy *p, struct jwt_check_opts *o);

/* What a token's kid said about a set of keys (jwt_check_keys). */
enum jwt_kid_outcome {
	JWT_KID_NAMED,     /* the kid is the fingerprint of keys[key] */
	JWT_KID_CASE_ONLY, /* it differs from the fingerprint of keys[key] only in case */
	JWT_KID_UNKNOWN,   /* 64 hex digits, but the fingerprint of none of the keys */
	JWT_KID_ABSENT,    /* the header has no kid: each key was tried */
	JWT_KID_NOT_FP,    /* not a string of 64 hex digits: it names none of the keys */
};

struct jwt_keys_result {
	enum jwt_kid_outcome kid;
	size_t key;    /* the key the report is about */
	long used;     /* key, if the kid rule chose it to check the token; else -1 */
	int tried_all; /* each key was tried: no kid, or --signature-only and a kid naming none */
};

/*
 * Check token with a set of keys, as a verifier that holds several keys for
 * one device does -- the broker with a device's key files, jwt verify and
 * check with a file of several keys: accepted if it is accepted with any of
 * them.  A token with a kid is tried only with the keys whose fingerprint is
 * that kid; one without, with each key in turn; with o->signature_only, a
 * kid that names none of the keys is only a hint, and each key is tried.
 * o->key is ignored.  r is the report of the key that accepted, or else of
 * the most telling refusal (a key whose signature verified: the claims are
 * then the reason; else the first key tried); res says what the kid named
 * and which key r is about.  res->used is -1 when the kid names none of the
 * keys and they were not tried: r is then the report of the key whose
 * fingerprint differs from the kid only in case if there is one, else of
 * keys[0] (kid_mismatch, saying which).  nkeys == 1 is jwt_check() with
 * keys[0].  Returns as jwt_check().  The kid rule is here alone: the broker
 * words its refusal from res.
 */
int jwt_check_keys(const char *token, size_t len, const struct jwt_check_opts *o,
		   const struct key *keys, size_t nkeys, struct jwt_report *r,
		   struct jwt_keys_result *res, struct err *e);

/* "https://<aud-host>/devices/<id>" into buf; -1 with e (AK_INPUT) if id or host is unusable. */
int jwt_audience(const char *aud_host, const char *device_id, char *buf, size_t size,
		 struct err *e);
/* Is host usable as --aud-host (letters, digits, '-', '.', an optional :port)? */
int jwt_aud_host_check(const char *host, struct err *e);

/*
 * The device id in an audience of the form "https://<host>/devices/<id>"
 * (host copied into host[hostsize] if host is not NULL), or NULL.  Points
 * into aud.
 */
const char *jwt_aud_device_id(const char *aud, char *host, size_t hostsize);

/*
 * How a token comes in.  The rule, the same for jwt decode, jwt verify and
 * check --token-file: one final line terminator ("\n" or "\r\n") of a file
 * or of standard input is framing and is dropped; every other byte is the
 * token, as a broker comparing the password byte for byte sees it, and
 * jwt_check() reports white space (whitespace), a NUL (nul_byte), several
 * lines (multiple_tokens) and a token over JWT_TOKEN_MAX (too_long).
 */
enum jwt_source { JWT_FROM_ARG, JWT_FROM_FILE };
/* Of input (len bytes), the length that is the token. */
size_t jwt_frame(const char *in, size_t len, enum jwt_source from);
/*
 * Read a token from path ("-" is standard input with FILEIO_STDIN in flags)
 * into b, in sodium memory, and frame it: *tok, *len.  At most
 * JWT_INPUT_MAX + 1 bytes are read, whatever the size of the file: a longer
 * one gives a *len over JWT_TOKEN_MAX, which jwt_check() calls too_long.
 * -1 with e (AK_INPUT) only when the file cannot be read.
 */
#define JWT_INPUT_MAX (JWT_TOKEN_MAX + 2) /* a token and "\r\n" */
int jwt_read_token(const char *path, unsigned flags, struct fileio_buf *b, const char **tok,
		   size_t *len, struct err *e);

/*
 * A kid against a key's fingerprint, byte for byte as a broker picks the key
 * (akenza's fingerprints are lowercase hex): the same, the same but for the
 * case of letters (still no match, but worth saying), or other.
 */
enum jwt_kid_match { JWT_KID_SAME, JWT_KID_CASE, JWT_KID_OTHER };
enum jwt_kid_match jwt_kid_match(const char *kid, const char *fp);
/* Is kid in the form of a fingerprint: 64 lowercase hex digits? */
int jwt_kid_format_ok(const char *kid);

/* Each problem code with its severity and a one-line meaning, NULL-terminated (man page, tests). */
struct jwt_problem_info {
	const char *code;
	enum jwt_severity severity;
	const char *meaning;
};
extern const struct jwt_problem_info jwt_problem_codes[];

/* Add a problem to r (the check command adds its own); ignored when r is full. */
void jwt_report_add(struct jwt_report *r, const char *code, enum jwt_severity sev, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

#endif
