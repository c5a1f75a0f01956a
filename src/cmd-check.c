/*
 * akcred check: do what the device will do -- mint a token with its key,
 * connect to the broker over TLS as the device, publish one message and wait
 * for the acknowledgement -- and report every phase with its time.  When a
 * phase fails, say which, why, and what to try; when the broker refuses the
 * login, run the token checks of "jwt verify" on the token that was sent.
 *
 * check_device() runs the check of one device and fills one struct
 * check_result, which the text and the JSON renderer print.  The text view is
 * live (the token line, each phase as it ends, each downlink as it arrives):
 * check_device() calls it per event with the result as filled so far.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "devid.h"
#include "fileio.h"
#include "idset.h"
#include "journal.h"
#include "jwt.h"
#include "jwtmint.h"
#include "key.h"
#include "manifest.h"
#include "mqtt.h"
#include "passphrase.h"
#include "resolver.h"
#include "timeutil.h"
#include "workq.h"
#include "banned.h"

#define CHECK_TIMEOUT_DEFAULT 10
#define CHECK_PAYLOAD_MAX (256 * 1024)
#define CHECK_TOPIC_MAX 512
#define CHECK_JOBS_DEFAULT 16
#define CHECK_JOBS_MAX 256
#define CHECK_JOBS_MAX_S "256"
#define CHECK_RESULTS_NAME "checked.csv"

/* The options: what the command table fills, read-only once the check runs. */
struct check_opts {
	const char *device_id, *keyfile, *passphrase_file, *tokenfile;
	const char *manifest, *results; /* --manifest: the batch */
	const char *keys_token;         /* --token: its keys on a PKCS#11 token */
	unsigned long jobs;
	int all;
	const char *host, *ca_file, *ca_path, *username;
	const char *suffix, *topic, *payload, *payload_file;
	unsigned long port, qos; /* port 0: by --plaintext */
	long ttl, listen, timeout;
	int plaintext, raw, show_token, dry_run, json;
	struct jwt_mint_opts mint; /* aud_host, sub, no_kid, iat; the rest per device */
	struct p11_opts p11;       /* a --key pkcs11: URI's module and PIN */
	/* Not from the table: a batch's payload, read and judged once for every device. */
	const unsigned char *payload_data;
	size_t payload_data_len;
};

/* A downlink received with --listen. */
struct check_downlink {
	char *topic;
	char *payload; /* NUL-terminated copy; broker data, cut at a NUL byte */
	int qos;
};

/* What check_device() tells as it goes: the events of the live view. */
enum check_event {
	CHECK_EV_WARNING,  /* r->warning: say it now */
	CHECK_EV_TOKEN,    /* the token is read or minted and checked: token_* */
	CHECK_EV_SEND,     /* it is about to be sent: r->token is it, for this event only */
	CHECK_EV_PHASE,    /* r->phases[r->nphases - 1] ended */
	CHECK_EV_DOWNLINK, /* r->downlinks[r->ndownlinks - 1] arrived */
};

/*
 * The check of one device, as check_device() fills it: every renderer reads
 * this and nothing else.  Strings named "the caller's" point into the options
 * or the arguments of check_device().
 */
struct check_result {
	/* The connection tried. */
	const char *device_id, *host; /* the caller's */
	int port, plaintext, dry_run;
	char topic[CHECK_TOPIC_MAX];
	size_t payload_len;
	/* The token and jwt verify's checks on it, when token_ready. */
	int token_ready;
	int token_from_file;
	const char *token_alg; /* "ES256", or NULL: no key names it */
	struct jwt_report token_report;
	int token_errors;  /* problems in token_report of severity error */
	int minted_bad;    /* the token just minted fails them: not sent */
	const char *token; /* during CHECK_EV_SEND only (sodium memory, not ours) */
	size_t token_len;
	char fingerprint[KEY_FINGERPRINT_HEX + 1]; /* of the key the token checks used, or "" */
	/* The session, when session: mqtt_check() ran. */
	int session;
	struct mqtt_result mqtt;
	struct mqtt_phase phases[MQTT_PH_COUNT]; /* as they ended (mqtt ends each once) */
	int nphases;
	int listen; /* downlinks were listened for */
	struct check_downlink *downlinks;
	size_t ndownlinks, downlinks_size;
	/* A refused login: jwt verify's checks on the token again, and their hint. */
	int refused;
	struct jwt_report refusal_report;
	char token_hint[512];
	/* The outcome: AK_OK, or the class of what went wrong and err. */
	enum ak_status status;
	struct err err;
	char warning[ERR_MSG_MAX * 2]; /* for CHECK_EV_WARNING: as long as cmd_warn() says */
	/*
	 * The live view, called per event, or NULL: 0, or -1 with e.  A failure
	 * ends the check at CHECK_EV_SEND; at the other events it is ignored.
	 */
	int (*on_event)(const struct check_opts *o, const struct check_result *r,
			enum check_event ev, struct err *e);
	void *arg; /* the caller's, for on_event */
};
/* clang-format off */
#define CHECK_RESULT_INIT {.token_report = JWT_REPORT_INIT, .refusal_report = JWT_REPORT_INIT, \
			   .err = ERR_INIT}
/* clang-format on */

static const struct cmd_option options[] = {
	CMD_OPT("device-id", CMD_STRING, struct check_opts, device_id, "ID", NULL,
		"the device: MQTT client id and token audience"),
	CMD_OPT("key", CMD_STRING, struct check_opts, keyfile, "FILE|URI", "@file",
		"the device's private key, to mint the token: a file or a pkcs11: URI"),
	CMD_OPT("passphrase-file", CMD_STRING, struct check_opts, passphrase_file, "FILE", "@file",
		"passphrase of an encrypted key (first line of FILE)"),
	CMD_PKCS11_OPTIONS(struct check_opts),
	CMD_OPT("token-file", CMD_STRING, struct check_opts, tokenfile, "FILE", "@file",
		"send the token in FILE instead of minting one", .excludes = "ttl iat sub no-kid"),
	CMD_BROKER_OPTIONS(struct check_opts),
	CMD_OPT("ttl", CMD_DURATION, struct check_opts, ttl, "DURATION", "20m 1h", "token lifetime",
		.def = JWT_TTL_DEFAULT, .min = 1),
	CMD_OPT("aud-host", CMD_STRING, struct check_opts, mint.aud_host, "HOST", "akenza.io",
		"token audience host", .defstr = JWT_AUD_HOST_DEFAULT),
	CMD_OPT("sub", CMD_FLAG, struct check_opts, mint.sub, NULL, NULL,
		"add sub = device id to the token"),
	CMD_OPT("no-kid", CMD_FLAG, struct check_opts, mint.no_kid, NULL, NULL,
		"leave kid out of the token header"),
	CMD_OPT("iat", CMD_TIME, struct check_opts, mint.iat, "TIME", NULL,
		"mint as at TIME, like a device whose clock is off"),
	CMD_OPT("username", CMD_STRING, struct check_opts, username, "NAME", NULL, "MQTT user name",
		.defstr = "unused"),
	CMD_OPT("topic-suffix", CMD_STRING, struct check_opts, suffix, "PATH", NULL,
		"publish to /up/device/id/<id>/PATH"),
	CMD_OPT("topic", CMD_STRING, struct check_opts, topic, "TOPIC", NULL,
		"publish to TOPIC instead (to test a broker's ACL)", .excludes = "topic-suffix"),
	CMD_OPT("payload", CMD_STRING, struct check_opts, payload, "JSON", NULL,
		"the message (default a JSON object with the time)", .excludes = "payload-file"),
	CMD_OPT("payload-file", CMD_STRING, struct check_opts, payload_file, "FILE", "@file",
		"the message, from FILE ('-': stdin)"),
	CMD_OPT("raw", CMD_FLAG, struct check_opts, raw, NULL, NULL,
		"do not require the payload to be JSON"),
	CMD_OPT("qos", CMD_UINT, struct check_opts, qos, "0|1", "0 1",
		"publish QoS (1: wait for the PUBACK)", .def = 1, .max = 1),
	CMD_OPT("listen", CMD_DURATION, struct check_opts, listen, "DURATION", "10s 1m",
		"also subscribe to the downlink topic and print messages for DURATION", .min = 1),
	CMD_OPT("timeout", CMD_DURATION, struct check_opts, timeout, "DURATION", "5s 10s 30s",
		"bound the connection, resolve to disconnect", .def = CHECK_TIMEOUT_DEFAULT,
		.min = 1, .max = 3600),
	CMD_OPT("show-token", CMD_FLAG, struct check_opts, show_token, NULL, NULL,
		"print the token that is sent", .excludes = "json"),
	CMD_OPT("dry-run", CMD_FLAG, struct check_opts, dry_run, NULL, NULL,
		"everything but connecting: key, token, trust store, DNS"),
	CMD_OPT("json", CMD_FLAG, struct check_opts, json, NULL, NULL,
		"print one JSON object with every phase"),
	CMD_OPT("manifest", CMD_STRING, struct check_opts, manifest, "FILE", "@file",
		"check every device of a manifest from provision",
		.excludes = "device-id key token-file show-token listen"),
	CMD_OPT("token", CMD_STRING, struct check_opts, keys_token, "URI", NULL,
		"the batch's keys are on this PKCS#11 token, labelled with the ids (provision "
		"--token)",
		.needs = "manifest"),
	CMD_OPT("jobs", CMD_UINT, struct check_opts, jobs, "N", NULL,
		"devices checked at once, 1-" CHECK_JOBS_MAX_S, .def = CHECK_JOBS_DEFAULT, .min = 1,
		.max = CHECK_JOBS_MAX, .needs = "manifest"),
	CMD_OPT("results", CMD_STRING, struct check_opts, results, "FILE", "@file",
		"results file (default " CHECK_RESULTS_NAME " next to the manifest)",
		.needs = "manifest"),
	CMD_OPT("all", CMD_FLAG, struct check_opts, all, NULL, NULL,
		"check every device again, also those the results file says passed",
		.needs = "manifest"),
	CMD_OPT_END,
};
/* check_device()'s working state: what the result does not keep. */
struct check_run {
	const struct check_opts *o;
	const char *device_id, *keyfile; /* the caller's */
	struct check_result *r;
	struct passphrase *pp;  /* the caller's, or NULL: an encrypted key cannot be read */
	struct key key;         /* to mint with: one key */
	struct key_set keys;    /* with --token-file: every key of the file checks it */
	const struct key *used; /* the key of the token checks' report, or NULL */
	char *token;            /* sodium memory */
	size_t token_len;
	struct fileio_buf keybuf, payload_buf;
	const unsigned char *payload;
	char payload_default[128];
	char listen_topic[CHECK_TOPIC_MAX];
};

/* Tell the live view; 0, or -1 with e if it failed. */
static int
notify(struct check_run *run, enum check_event ev, struct err *e)
{
	struct check_result *r = run->r;

	return r->on_event != NULL ? r->on_event(run->o, r, ev, e) : 0;
}

static void __attribute__((format(printf, 2, 3)))
warning(struct check_run *run, const char *fmt, ...)
{
	struct err ignored = ERR_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(run->r->warning, sizeof(run->r->warning), fmt, ap);
	va_end(ap);
	notify(run, CHECK_EV_WARNING, &ignored);
}

static void
on_phase(const struct mqtt_phase *ph, void *arg)
{
	struct check_run *run = arg;
	struct check_result *r = run->r;
	struct err ignored = ERR_INIT;

	if (r->nphases >= MQTT_PH_COUNT)
		return;
	r->phases[r->nphases++] = *ph;
	notify(run, CHECK_EV_PHASE, &ignored);
}

static void
on_message(const char *topic, const void *payload, size_t len, int qos, void *arg)
{
	struct check_run *run = arg;
	struct check_result *r = run->r;
	struct err ignored = ERR_INIT;
	struct check_downlink *d;
	size_t n;

	/* Out of memory: the downlink is left out, the session goes on. */
	if (r->ndownlinks == r->downlinks_size) {
		n = r->downlinks_size > 0 ? 2 * r->downlinks_size : 8;
		if ((d = realloc(r->downlinks, n * sizeof(*d))) == NULL)
			return;
		r->downlinks = d;
		r->downlinks_size = n;
	}
	d = &r->downlinks[r->ndownlinks];
	if ((d->topic = strdup(topic)) == NULL || (d->payload = malloc(len + 1)) == NULL) {
		free(d->topic);
		return;
	}
	if (len > 0)
		memcpy(d->payload, payload, len);
	d->payload[len] = '\0';
	d->qos = qos;
	r->ndownlinks++;
	notify(run, CHECK_EV_DOWNLINK, &ignored);
}

/*
 * Read the inputs -- the key file, the token file -- before anything goes
 * on the network: a missing file must not cost a DNS query.
 */
static int
read_inputs(struct check_run *run, struct err *e)
{
	const char *file = run->o->tokenfile, *tok;
	struct fileio_buf b = FILEIO_BUF_INIT;
	size_t len;
	int rc = -1;

	/* A token's key is no file: get_token() has the token find it. */
	if (run->keyfile != NULL && !p11_is_uri(run->keyfile) &&
	    fileio_read_secret(run->keyfile, FILEIO_KEY_MAX, &run->keybuf, e) != 0)
		return -1;
	if (file == NULL)
		return 0;
	/* Framed as jwt verify frames it: what is sent is what the token checks see. */
	if (jwt_read_token(file, FILEIO_FIFO, &b, &tok, &len, e) != 0)
		return -1;
	/*
	 * Rejected tokens are sent all the same, to see the broker refuse them,
	 * but not these two, which cannot be sent as they are: of one longer
	 * than jwt_check's bound only the start may have been read, and the
	 * MQTT password is a C string.
	 */
	if (len == 0)
		err_set(e, AK_INPUT, "'%s' holds no token", file);
	else if (len > JWT_TOKEN_MAX) /* jwt_check's bound: too_long */
		err_set(e, AK_NEGATIVE,
			"the token in '%s' is rejected, not sent: too_long: it is longer than %d "
			"bytes",
			file, JWT_TOKEN_MAX);
	else if (memchr(tok, '\0', len) != NULL)
		err_set(e, AK_NEGATIVE,
			"the token in '%s' is rejected, not sent: nul_byte: it has a NUL byte",
			file);
	else if ((run->token = sodium_malloc(len + 1)) == NULL)
		err_set(e, AK_INTERNAL, "out of memory");
	else {
		memcpy(run->token, tok, len);
		run->token[len] = '\0';
		run->token_len = len;
		rc = 0;
	}
	fileio_buf_clear(&b);
	return rc;
}

static int
prepare_payload(struct check_run *run, struct err *e)
{
	const struct check_opts *o = run->o;
	size_t *len = &run->r->payload_len;
	char now[TIMEUTIL_ISO_LEN];
	json_error_t je;
	json_t *j;

	if (o->payload_data != NULL) {
		run->payload = o->payload_data; /* a batch's, read once */
		*len = o->payload_data_len;
	} else if (o->payload_file != NULL) {
		if (fileio_read(o->payload_file, CHECK_PAYLOAD_MAX, &run->payload_buf, e) != 0)
			return -1;
		run->payload = run->payload_buf.data;
		*len = run->payload_buf.len;
	} else {
		if (o->payload == NULL)
			snprintf(run->payload_default, sizeof(run->payload_default),
				 "{\"check\":\"akcred\",\"time\":\"%s\"}",
				 timeutil_iso8601(time(NULL), now));
		run->payload = (const unsigned char *)(o->payload ? o->payload
								  : run->payload_default);
		*len = strlen((const char *)run->payload);
	}
	if (o->raw)
		return 0;
	/* akenza's data flows expect a JSON object: catch a typo before the broker drops it. */
	j = json_loadb((const char *)run->payload, *len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return err_set(e, AK_INPUT,
			       "the payload is not JSON: %s (line %d, column %d); --raw sends it "
			       "anyway",
			       je.text, je.line, je.column);
	if (!json_is_object(j))
		warning(run, "the payload is JSON but not an object; akenza expects an object");
	json_decref(j);
	return 0;
}

/* Decode the key and mint the token (unless one was given). */
static int
get_token(struct check_run *run, struct err *e)
{
	const struct check_opts *o = run->o;
	struct jwt_mint_opts m = o->mint;
	char shown[1024];

	if (run->keyfile != NULL) {
		/* A token is signed by one key; a given one is checked as jwt verify does. */
		if (p11_is_uri(run->keyfile)
			    ? (o->tokenfile == NULL
				       ? key_load_file(&run->key, run->keyfile, run->pp, e)
				       : key_load_file_all(&run->keys, run->keyfile, run->pp, e)) !=
				      0
			    : (o->tokenfile == NULL
				       ? key_load(&run->key, run->keybuf.data, run->keybuf.len,
						  run->keyfile, run->pp, e)
				       : key_load_all(&run->keys, run->keybuf.data, run->keybuf.len,
						      run->keyfile, run->pp, e)) != 0)
			return -1;
		fileio_buf_clear(&run->keybuf);
		if (!run->key.is_private && o->tokenfile == NULL)
			return err_set(
				e, AK_INPUT,
				"'%s' is a public key: the token is signed with the device's "
				"private key",
				p11_name_shown(run->keyfile, shown, sizeof(shown)));
	}
	if (o->tokenfile != NULL)
		return 0;
	m.device_id = run->device_id;
	m.ttl = o->ttl;
	return jwt_mint(&run->key, &m, &run->token, &run->token_len, e) != 0 ? -1 : 0;
}

/* jwt verify's checks on the token, as the broker will see it. */
static int
check_token(struct check_run *run, struct jwt_report *rep, struct err *e)
{
	struct jwt_policy pol = JWT_POLICY_INIT;
	struct jwt_check_opts co = {0};
	struct jwt_keys_result kr;
	int rc;

	pol.aud_host = run->o->mint.aud_host; /* the one the token was minted for */
	jwt_policy_apply(&pol, &co);
	co.key = run->key.pkey != NULL ? &run->key : NULL;
	co.device_id = run->device_id;
	if (run->keys.n > 0)
		rc = jwt_check_keys(run->token, run->token_len, &co, run->keys.keys, run->keys.n,
				    rep, &kr, e);
	else
		rc = jwt_check(run->token, run->token_len, &co, rep, e);
	if (rc != 0)
		return -1;
	run->used = run->keys.n > 0 ? &run->keys.keys[kr.key] : co.key;
	return 0;
}

/*
 * The token, read or minted, judged as the broker will judge it and told to
 * the live view before it is sent.
 */
static int
token_stage(struct check_run *run, struct err *e)
{
	const struct check_opts *o = run->o;
	struct check_result *r = run->r;
	struct err ignored = ERR_INIT;
	int rc;

	if (get_token(run, e) != 0 || check_token(run, &r->token_report, e) != 0)
		return -1;
	jwt_report_count(&r->token_report, &r->token_errors, NULL);
	if (run->used != NULL && key_fingerprint(run->used, r->fingerprint, &ignored) != 0)
		r->fingerprint[0] = '\0';
	/* With --iat the problems (expired, issued in the future) are the point. */
	if (o->tokenfile == NULL && o->mint.iat == 0 && r->token_errors > 0) {
		r->minted_bad = 1;
		return err_set(e, AK_INTERNAL,
			       "the token just minted does not pass its own checks");
	}
	r->token_ready = 1;
	r->token_from_file = o->tokenfile != NULL;
	r->token_alg = run->used ? key_type_alg(key_type(run->used)) : NULL;
	notify(run, CHECK_EV_TOKEN, &ignored);
	if (r->token_errors > 0 && o->tokenfile != NULL)
		warning(run, "the token in '%s' has problems; sending it anyway:", o->tokenfile);
	else if (r->token_errors > 0)
		warning(run, "the token minted with --iat has problems; sending it anyway:");
	r->token = run->token;
	r->token_len = run->token_len;
	rc = notify(run, CHECK_EV_SEND, e);
	r->token = NULL;
	r->token_len = 0;
	return rc;
}

/* Connect, log in, publish (or with --dry-run only prepare), and explain a refusal. */
static int
session(struct check_run *run, struct err *e)
{
	const struct check_opts *o = run->o;
	struct check_result *r = run->r;
	struct err ignored = ERR_INIT;
	struct mqtt_opts mo = {
		.host = o->host,
		.port = r->port,
		.ca_file = o->ca_file,
		.ca_path = o->ca_path,
		.plaintext = o->plaintext,
		.client_id = run->device_id,
		.username = o->username,
		.password = run->token,
		.topic = r->topic,
		.payload = run->payload,
		.payload_len = r->payload_len,
		.qos = (int)o->qos,
		.timeout_ms = o->timeout * 1000,
		.dry_run = o->dry_run,
		.on_phase = on_phase,
		.on_message = on_message,
		.arg = run,
	};

	if (r->listen) {
		if (devid_downlink_filter(run->device_id, run->listen_topic,
					  sizeof(run->listen_topic), e) != 0)
			return -1;
		mo.listen_topic = run->listen_topic;
		mo.listen_ms = o->listen * 1000;
	}
	r->session = 1;
	if (mqtt_check(&mo, &r->mqtt, e) == 0)
		return 0;
	/* Refused at login: what is wrong with the token sent, as jwt verify would say. */
	if (e->status == AK_REFUSED && r->mqtt.failed && r->mqtt.failed_phase == MQTT_PH_CONNACK &&
	    check_token(run, &r->refusal_report, &ignored) == 0) {
		r->refused = 1;
		cmd_refusal_hint(&r->refusal_report, r->device_id, r->token_hint,
				 sizeof(r->token_hint));
	}
	return -1;
}

/* The topic published to: --topic, or the device's uplink topic (and --topic-suffix). */
static int
check_topic(const struct check_opts *o, const char *device_id, char *buf, size_t size,
	    struct err *e)
{
	if (o->topic == NULL)
		return devid_uplink_topic(device_id, o->suffix, buf, size, e);
	snprintf(buf, size, "%s", o->topic);
	return 0;
}

/*
 * Check one device with the options o, its key in keyfile (or NULL with
 * --token-file), the passphrase of an encrypted key from pp (fetched there
 * if it is not yet; NULL: none): fill r, telling r->on_event as it goes.
 * Returns r->status.
 */
static int
check_device(const struct check_opts *o, const char *device_id, const char *keyfile,
	     struct passphrase *pp, struct check_result *r)
{
	struct check_run run = {
		.o = o,
		.device_id = device_id,
		.keyfile = keyfile,
		.r = r,
		.pp = pp,
		.key = KEY_INIT,
		.keys = KEY_SET_INIT,
		.keybuf = FILEIO_BUF_INIT,
		.payload_buf = FILEIO_BUF_INIT,
	};

	r->device_id = device_id;
	r->host = o->host;
	r->port = (int)MQTT_PORT(o->port, o->plaintext);
	r->plaintext = o->plaintext;
	r->dry_run = o->dry_run;
	r->listen = o->listen > 0;
	/*
	 * The token first, then the connection, in one thread: on a busy machine
	 * handing the connection's preparation to a thread of its own costs more
	 * than the overlap with the token work saves.
	 */
	if (devid_check(device_id, &r->err) != 0 ||
	    check_topic(o, device_id, r->topic, sizeof(r->topic), &r->err) != 0 ||
	    read_inputs(&run, &r->err) != 0 || prepare_payload(&run, &r->err) != 0 ||
	    token_stage(&run, &r->err) != 0 || session(&run, &r->err) != 0)
		r->status = r->err.status;
	else
		r->status = AK_OK;
	if (run.token != NULL)
		sodium_free(run.token);
	fileio_buf_clear(&run.payload_buf);
	fileio_buf_clear(&run.keybuf);
	key_clear(&run.key);
	key_set_clear(&run.keys);
	return r->status;
}

static void
check_result_clear(struct check_result *r)
{
	size_t i;

	jwt_report_clear(&r->token_report);
	jwt_report_clear(&r->refusal_report);
	for (i = 0; i < r->ndownlinks; i++) {
		free(r->downlinks[i].topic);
		free(r->downlinks[i].payload);
	}
	free(r->downlinks);
	r->downlinks = NULL;
	r->ndownlinks = r->downlinks_size = 0;
}

/* The i-th hint: the session's, then the token checks' after a refused login; NULL after. */
static const char *
result_hint(const struct check_result *r, int i)
{
	if (i < r->mqtt.nhints)
		return r->mqtt.hint[i];
	return i == r->mqtt.nhints && r->token_hint[0] != '\0' ? r->token_hint : NULL;
}

/* The text view: stdout the lines of the token and the phases, stderr the rest. */

static void
text_token(const struct check_result *r)
{
	json_t *jexp = r->token_report.claims ? json_object_get(r->token_report.claims, "exp")
					      : NULL;
	char exp[TIMEUTIL_ISO_LEN], rel[TIMEUTIL_REL_LEN];

	printf("%-11s %7s     %s, %s token for '%s'", "token", "",
	       r->token_from_file ? "from file" : "minted", r->token_alg ? r->token_alg : "a",
	       r->device_id);
	if (json_is_integer(jexp))
		printf(", expires %s (%s)", timeutil_iso8601((time_t)json_integer_value(jexp), exp),
		       timeutil_relative((time_t)json_integer_value(jexp), time(NULL), rel,
					 sizeof(rel)));
	putchar('\n');
}

static void
text_problems(const struct jwt_report *rep, int errors_only)
{
	int i;

	for (i = 0; i < rep->nproblems; i++) {
		const struct jwt_problem *p = &rep->problems[i];

		if (errors_only && p->severity != JWT_ERROR)
			continue;
		fprintf(stderr, "  token %s: %s: ", jwt_severity_name(p->severity), p->code);
		cmd_puts_safe(stderr, p->message);
		putc('\n', stderr);
	}
}

static void
text_phase(const struct mqtt_phase *ph)
{
	if (!ph->ok) {
		printf("%-11s   failed\n", mqtt_phase_name(ph->id));
		return;
	}
	printf("%-11s %7.1f ms  ", mqtt_phase_name(ph->id), ph->ms);
	cmd_puts_safe(stdout, ph->detail);
	putchar('\n');
}

/* Broker data: shown with control characters escaped. */
static void
text_downlink(const struct check_downlink *d)
{
	fputs("downlink    ", stdout);
	cmd_puts_safe(stdout, d->topic);
	putchar(' ');
	cmd_puts_safe(stdout, d->payload);
	putchar('\n');
}

/* What is sent: its problems, if it has errors, and with --show-token itself. */
static int
text_send(const struct check_opts *o, const struct check_result *r, struct err *e)
{
	if (r->token_errors > 0)
		text_problems(&r->token_report, 0);
	if (!o->show_token)
		return 0;
	fflush(stdout);
	if (fileio_write_all(STDOUT_FILENO, r->token, r->token_len) != 0)
		return err_set(e, AK_INPUT, "cannot write to standard output: %s", strerror(errno));
	putchar('\n');
	return 0;
}

/*
 * The live view (check_result.on_event): warnings in both views, as they
 * come; the text view's lines as their events happen.
 */
static int
live_event(const struct check_opts *o, const struct check_result *r, enum check_event ev,
	   struct err *e)
{
	if (ev == CHECK_EV_WARNING) {
		cmd_warn("%s", r->warning);
		return 0;
	}
	if (o->json) /* it prints the finished result only */
		return 0;
	switch (ev) {
	case CHECK_EV_TOKEN:
		text_token(r);
		break;
	case CHECK_EV_SEND:
		return text_send(o, r, e);
	case CHECK_EV_PHASE:
		text_phase(&r->phases[r->nphases - 1]);
		break;
	case CHECK_EV_DOWNLINK:
		text_downlink(&r->downlinks[r->ndownlinks - 1]);
		break;
	default:
		return 0;
	}
	fflush(stdout);
	return 0;
}

/* The text view's end: the outcome, the hints, and after a refused login the token's problems. */
static void
render_text(const struct check_result *r)
{
	const char *h;
	int i;

	if (r->minted_bad)
		text_problems(&r->token_report, 1);
	if (r->status != AK_OK)
		cmd_fail(&r->err);
	else if (r->dry_run)
		cmd_println_safe(stdout,
				 "ok: key, token, trust store and address of %s are ready; nothing "
				 "was sent",
				 r->host);
	else
		cmd_println_safe(stdout, "ok: '%s' connected to %s and published %zu %s to %s",
				 r->device_id, r->mqtt.address, r->payload_len,
				 cmd_plural(r->payload_len, "byte", "bytes"), r->topic);
	if (!r->session)
		return;
	for (i = 0; (h = result_hint(r, i)) != NULL; i++) {
		if (h[0] == '\0')
			continue;
		fputs("  hint: ", stderr);
		cmd_puts_safe(stderr, h);
		putc('\n', stderr);
	}
	if (r->refused)
		text_problems(&r->refusal_report, 0);
}

/*
 * The JSON view.  Phase times: whole microseconds, printed with 15
 * significant digits (CHECK_JSON_FLAGS) so that 5.21 is not
 * 5.2104589999653399.
 */
#define CHECK_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

static double
round_us(double ms)
{
	return (double)(long long)(ms * 1000.0 + 0.5) / 1000.0;
}

/* Broker data that JSON may not hold (not UTF-8) is null. */
static json_t *
json_text(const char *s)
{
	json_t *j = json_string(s);

	return j != NULL ? j : json_null();
}

/* What the session says: the outcome, the hints, the address, CONNACK and TLS details. */
static void
json_session(json_t *out, const struct check_result *r)
{
	const struct mqtt_result *m = &r->mqtt;
	json_t *hints = json_array(), *tls;
	char exp[TIMEUTIL_ISO_LEN];
	const char *h;
	int i;

	json_object_set_new(out, "ok", json_boolean(r->status == AK_OK));
	if (r->status != AK_OK) {
		json_object_set_new(out, "status", json_integer(err_exit_status(r->status)));
		json_object_set_new(out, "status_name", json_string(err_status_name(r->status)));
		json_object_set_new(out, "error", json_string(r->err.msg));
		if (m->failed)
			json_object_set_new(out, "failed_phase",
					    json_string(mqtt_phase_name(m->failed_phase)));
	}
	for (i = 0; (h = result_hint(r, i)) != NULL; i++)
		json_array_append_new(hints, json_string(h));
	json_object_set_new(out, "hints", hints);
	if (m->address[0] != '\0')
		json_object_set_new(out, "address", json_string(m->address));
	if (m->connack >= 0)
		json_object_set_new(out, "connack", json_integer(m->connack));
	if (m->tls.have_cert || m->tls.protocol[0] != '\0') {
		tls = json_pack("{ss ss ss ss ss}", "protocol", m->tls.protocol, "cipher",
				m->tls.cipher, "subject", m->tls.subject, "issuer", m->tls.issuer,
				"names", m->tls.names);
		if (m->tls.have_cert)
			json_object_set_new(tls, "not_after",
					    json_string(timeutil_iso8601(m->tls.not_after, exp)));
		json_object_set_new(out, "tls", tls);
	}
}

/* The JSON view: one object, printed when the check is over. */
static void
render_json(const struct check_result *r)
{
	const struct jwt_report *problems = r->refused ? &r->refusal_report : &r->token_report;
	json_t *out, *arr;
	size_t i;
	int k;

	/* What stopped the check before the session is said as in the text view. */
	if (!r->session)
		cmd_fail(&r->err);
	out = json_pack("{ss ss si ss ss sb}", "device_id", r->device_id, "host", r->host, "port",
			r->port, "topic", r->topic, "transport", r->plaintext ? "tcp" : "tls",
			"dry_run", r->dry_run);
	if (r->minted_bad) {
		json_object_set_new(out, "token_problems", jwt_problems_json(&r->token_report, 1));
	} else if (r->token_ready) {
		json_object_set_new(out, "token_checked", json_boolean(r->token_errors == 0));
		if (r->token_errors > 0)
			json_object_set_new(out, "token_problems", jwt_problems_json(problems, 0));
	}
	if (r->session)
		json_session(out, r);
	/* Without errors before sending, the problems of a refused login come last. */
	if (r->refused && r->token_errors == 0)
		json_object_set_new(out, "token_problems", jwt_problems_json(problems, 0));
	arr = json_array();
	for (k = 0; k < r->nphases; k++)
		json_array_append_new(arr,
				      json_pack("{ss sb sf ss}", "phase",
						mqtt_phase_name(r->phases[k].id), "ok",
						r->phases[k].ok, "ms", round_us(r->phases[k].ms),
						"detail", r->phases[k].detail));
	json_object_set_new(out, "phases", arr);
	if (r->listen) {
		arr = json_array();
		for (i = 0; i < r->ndownlinks; i++)
			json_array_append_new(arr,
					      json_pack("{so so si}", "topic",
							json_text(r->downlinks[i].topic), "payload",
							json_text(r->downlinks[i].payload), "qos",
							r->downlinks[i].qos));
		json_object_set_new(out, "downlinks", arr);
	}
	cmd_print_json(out, CHECK_JSON_FLAGS);
	json_decref(out);
}

/* ---- the batch: every device of a manifest ----------------------------------- */

/*
 * check --manifest checks every device of a provision manifest, its private
 * key beside its public key (manifest_private_key_path), as check_device()
 * checks one, "jobs" at a time on workq's threads, against one broker.
 *
 * Threads.  Devices share nothing but the options: each session has its own
 * libmosquitto client, its own TLS context (tlsclient: the context's
 * callbacks record that session only) and its own resolver thread.
 * libmosquitto is loaded and initialised once, under dlib's lock; given our
 * own SSL_CTX without its defaults, it runs none of its process-wide OpenSSL
 * set-up per connection.  OpenSSL 3, glibc's resolver and libsodium are
 * thread-safe.  The passphrase is fetched before the workers start and only
 * read by them.  The first device that gets as far as the network is checked
 * alone, in this thread: the probe of the broker, and the first use of
 * libmosquitto's and OpenSSL's TLS, whose lazy set-up so runs in one thread.
 * Workers print nothing and touch only their own item; the collector (or,
 * before and after the workers, this thread) prints each device's line, counts
 * it and appends its row to the results file, a group at a time.
 */
#define BATCH_GROUP 64
#define BATCH_ROW_MAX (DEVID_MAX + KEY_FINGERPRINT_HEX + 2 * ERR_MSG_MAX + 96)
#define BATCH_STREAK_MIN 8 /* devices in a row that cannot reach the broker stop the run */
#define RESULTS_HEADER "device_id,fingerprint,result,status,phase,checked,error"
#define RESULTS_FIELDS 7

static const struct journal_format results_format = {RESULTS_HEADER,
						     "a results file of akcred check", NULL};

enum batch_outcome { BATCH_NOT_CHECKED, BATCH_PASSED, BATCH_FAILED, BATCH_SKIPPED };

static const char *const batch_outcome_name[] = {
	[BATCH_NOT_CHECKED] = "not_checked",
	[BATCH_PASSED] = "passed",
	[BATCH_FAILED] = "failed",
	[BATCH_SKIPPED] = "skipped",
};

struct batch_item {
	char device_id[DEVID_MAX + 1];
	char fingerprint[KEY_FINGERPRINT_HEX + 1]; /* the manifest's */
	char *keyfile;                             /* its private key; NULL for a bad row */
	enum batch_outcome outcome;
	enum ak_status status; /* failed: the class the check of the device alone exits with */
	const char *phase;     /* failed: "manifest", "token", "session" or a session phase */
	char *error, *hint;    /* failed: why, and what to try (or NULL) */
	double ms;             /* the check's wall time */
	int reached;           /* the check got an answer from the broker (or resolved it) */
	int unreachable;       /* it failed as every device fails while the broker is away */
};

/* The batch, and its result: what both views print. */
struct check_batch {
	struct check_opts *o;
	struct batch_item *items; /* in manifest order */
	size_t n, cap;
	struct passphrase pp;
	struct journal results;
	char *results_path; /* written: not with --dry-run */
	int record;
	struct err results_err; /* the first failure to record a row */
	char *rows;             /* BATCH_GROUP rows */
	struct workq *q;
	size_t passed, failed, skipped, checked;
	unsigned streak, streak_max;
	int stopped; /* the broker cannot be reached: stop says why */
	struct err stop;
	char stop_hint[256];
	double started, seconds;
};

/* A device that fails before it is checked: a bad row, or one listed twice. */
static void
batch_item_fail(struct batch_item *it, const char *phase, const struct err *e)
{
	it->outcome = BATCH_FAILED;
	it->status = e->status;
	it->phase = phase;
	it->error = strdup(e->msg);
}

static struct batch_item *
batch_item_new(struct check_batch *b)
{
	struct batch_item *v;
	size_t cap;

	if (b->n == b->cap) {
		cap = b->cap > 0 ? 2 * b->cap : 256;
		if ((v = realloc(b->items, cap * sizeof(*v))) == NULL)
			return NULL;
		b->items = v;
		b->cap = cap;
	}
	memset(&b->items[b->n], 0, sizeof(b->items[0]));
	return &b->items[b->n++];
}

struct batch_loading {
	struct check_batch *b;
	struct idset ids; /* the devices seen, each with the line it was first on */
};

/*
 * One manifest row as an item: its key found, a second listing of a device
 * refused; a bad row is reported and counted as failed, the others go on.
 */
static int
batch_item_load(void *arg, const struct manifest *m, const char *name,
		const struct manifest_row *row, const struct err *bad, struct err *e)
{
	struct batch_loading *l = arg;
	char path[2 * MANIFEST_PATH_MAX + 32];
	struct batch_item *it;
	struct idset_item *seen;
	struct err re = ERR_INIT;
	int added;

	if ((it = batch_item_new(l->b)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	snprintf(it->device_id, sizeof(it->device_id), "%s", name);
	if (bad != NULL) {
		batch_item_fail(it, "manifest", bad);
		return 0;
	}
	if ((seen = idset_add(&l->ids, row->device_id, &added)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	snprintf(it->fingerprint, sizeof(it->fingerprint), "%s", row->fingerprint);
	if (!added) {
		err_set(&re, AK_INPUT,
			"'%s' line %lu: device '%s' is listed twice (first on line %lu)",
			l->b->o->manifest, manifest_line(m), row->device_id, seen->line);
		batch_item_fail(it, "manifest", &re);
	} else if (l->b->o->keys_token != NULL
			   ? p11_object_uri(l->b->o->keys_token, row->device_id, path, sizeof(path),
					    &re) != 0
			   : manifest_private_key_path(m, row, path, sizeof(path), &re) != 0) {
		batch_item_fail(it, "manifest", &re);
	} else if ((it->keyfile = strdup(path)) == NULL) {
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	seen->line = added ? manifest_line(m) : seen->line;
	return 0;
}

/* The manifest's devices, and the results file's path (default: beside the manifest). */
static int
batch_load(struct check_batch *b, struct err *e)
{
	struct batch_loading l = {b, IDSET_INIT};
	const struct manifest_file results[] = {{CHECK_RESULTS_NAME, &b->results_path},
						{NULL, NULL}};
	int rc;

	if (b->o->results != NULL && (b->results_path = strdup(b->o->results)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	rc = manifest_load(b->o->manifest, batch_item_load, &l, results, e);
	idset_clear(&l.ids);
	return rc;
}

/*
 * The devices that passed when they were last checked, with the key they
 * were checked with (the flags of their idset item: 1 passed, fp the key's
 * fingerprint).  The last row of a device is what holds; a torn last line
 * (a crash cut it; a dry run reads without repairing) or a row that is not
 * ours is passed over.
 */
static int
batch_results_read(struct check_batch *b, struct idset *passed, struct err *e)
{
	char id[DEVID_MAX + 1], fp[KEY_FINGERPRINT_HEX + 1], res[16];
	struct journal_record r = {.f = {id, fp, res},
				   .cap = {sizeof(id), sizeof(fp), sizeof(res)}};
	struct journal_reader jr = JOURNAL_READER_INIT;
	struct idset_item *x;
	size_t len;
	int rc, added;

	if ((b->record ? journal_reader_open_journal(&jr, &b->results, e)
		       : journal_reader_open(&jr, b->results_path, &results_format, e)) != 0)
		return -1;
	while ((rc = journal_next(&jr, &r, e)) == 1) {
		if (r.torn || r.syntax != NULL || r.nul || r.nfields != RESULTS_FIELDS ||
		    r.toolong || devid_check(id, NULL) != 0)
			continue;
		if ((x = idset_add(passed, id, &added)) == NULL) {
			rc = err_set(e, AK_INTERNAL, "out of memory");
			break;
		}
		x->flags = strcmp(res, batch_outcome_name[BATCH_PASSED]) == 0 &&
			   sodium_hex2bin(x->fp, sizeof(x->fp), fp, strlen(fp), NULL, &len, NULL) ==
				   0 &&
			   len == sizeof(x->fp);
	}
	journal_reader_close(&jr);
	return rc < 0 ? -1 : 0;
}

/*
 * Open the results file (a dry run only reads it, if it is there) and, unless
 * --all, skip the devices it says passed with the key the manifest lists now.
 */
static int
batch_results_open(struct check_batch *b, struct err *e)
{
	struct idset passed = IDSET_INIT;
	const struct idset_item *x;
	unsigned char fp[32];
	size_t i, len;
	int rc = 0;

	b->record = !b->o->dry_run;
	if (b->record && journal_open(&b->results, b->results_path, &results_format, e) != 0)
		return -1;
	if (b->o->all || (!b->record && access(b->results_path, F_OK) != 0))
		return 0;
	if (batch_results_read(b, &passed, e) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < b->n; i++) {
		struct batch_item *it = &b->items[i];

		if (it->keyfile == NULL || (x = idset_find(&passed, it->device_id)) == NULL ||
		    !x->flags)
			continue;
		if (sodium_hex2bin(fp, sizeof(fp), it->fingerprint, strlen(it->fingerprint), NULL,
				   &len, NULL) == 0 &&
		    len == sizeof(fp) && memcmp(fp, x->fp, sizeof(fp)) == 0)
			it->outcome = BATCH_SKIPPED;
	}
	idset_clear(&passed);
	return rc;
}

/* The results row of a checked device, into buf: its length, or -1. */
static int
batch_row(const struct batch_item *it, char *buf, size_t size)
{
	char status[8], when[TIMEUTIL_ISO_LEN], error[ERR_MSG_MAX];
	const char *f[RESULTS_FIELDS] = {it->device_id,
					 it->fingerprint,
					 batch_outcome_name[it->outcome],
					 status,
					 it->phase != NULL ? it->phase : "",
					 timeutil_iso8601(time(NULL), when),
					 error};
	size_t i;

	snprintf(status, sizeof(status), "%d",
		 it->outcome == BATCH_PASSED ? 0 : err_exit_status(it->status));
	/* A row is one line: a line end in a broker's text becomes a space. */
	snprintf(error, sizeof(error), "%s", it->error != NULL ? it->error : "");
	for (i = 0; error[i] != '\0'; i++)
		if (error[i] == '\n' || error[i] == '\r')
			error[i] = ' ';
	return journal_format_row(f, RESULTS_FIELDS, buf, size);
}

/* Append rows (whole lines): one write, one fsync; the first failure is kept and said at the end.
 */
static void
batch_record(struct check_batch *b, const char *rows, size_t len)
{
	if (b->record && len > 0 && b->results_err.status == AK_OK)
		journal_append(&b->results, rows, len, &b->results_err);
}

/* A device's line, as it ends. */
static void
text_batch_device(const struct batch_item *it)
{
	if (it->outcome == BATCH_PASSED) {
		cmd_println_safe(stdout, "ok      %s  %.1f ms", it->device_id, it->ms);
	} else {
		cmd_println_safe(stdout, "failed  %s  %s: %s (exit %d)", it->device_id, it->phase,
				 it->error != NULL ? it->error : "out of memory",
				 err_exit_status(it->status));
		if (it->hint != NULL)
			cmd_println_safe(stdout, "  hint: %s", it->hint);
	}
	fflush(stdout);
}

/*
 * A device has ended: counted and shown.  Devices in a row that cannot reach
 * the broker -- as many as run at once, at least BATCH_STREAK_MIN -- mean it
 * went away: the run stops, and the devices not yet checked stay so.
 */
static void
batch_ended(struct check_batch *b, struct batch_item *it)
{
	b->checked += it->outcome == BATCH_PASSED || (it->outcome == BATCH_FAILED && it->keyfile);
	b->passed += it->outcome == BATCH_PASSED;
	b->failed += it->outcome == BATCH_FAILED;
	if (!b->o->json)
		text_batch_device(it);
	b->streak = it->unreachable ? b->streak + 1 : 0;
	if (b->streak < b->streak_max || b->stopped)
		return;
	b->stopped = 1;
	err_set(&b->stop, it->status,
		"the broker stopped answering: %u devices in a row failed: %s", b->streak,
		it->error != NULL ? it->error : "");
	if (b->q != NULL)
		workq_fail(b->q, &b->stop);
}

/* Would every device fail so?  The broker is not reached, or no session can start. */
static int
batch_unreachable(const struct check_result *r)
{
	if (!r->session || r->status == AK_OK)
		return 0;
	if (!r->mqtt.failed) /* before the first phase: the trust store, libmosquitto */
		return r->status != AK_NEGATIVE && r->status != AK_REFUSED;
	return r->mqtt.failed_phase <= MQTT_PH_TLS &&
	       (r->status == AK_NETWORK || r->status == AK_TLS);
}

/* What check_device() tells a batch's device: the key must be the manifest's. */
struct batch_device {
	struct batch_item *it;
	int live; /* this thread may print: its warnings are said */
};

static int
batch_event(const struct check_opts *o, const struct check_result *r, enum check_event ev,
	    struct err *e)
{
	const struct batch_device *d = r->arg;
	char shown[1024];

	(void)o;
	if (ev == CHECK_EV_WARNING && d->live)
		cmd_warn("%s", r->warning);
	if (ev != CHECK_EV_SEND || strcmp(r->fingerprint, d->it->fingerprint) == 0)
		return 0;
	return err_set(e, AK_INPUT,
		       "'%s' is not the key the manifest lists: its fingerprint is %s, the "
		       "manifest's %s",
		       p11_name_shown(d->it->keyfile, shown, sizeof(shown)),
		       r->fingerprint[0] ? r->fingerprint : "unknown", d->it->fingerprint);
}

/* Check one device of the batch into its item (any thread: nothing else is touched). */
static void
batch_check(struct check_batch *b, struct batch_item *it, struct passphrase *pp, int live)
{
	struct batch_device d = {it, live};
	struct check_result r = CHECK_RESULT_INIT;
	double t0 = timeutil_now_ms();
	const char *h;
	int i;

	r.on_event = batch_event;
	r.arg = &d;
	check_device(b->o, it->device_id, it->keyfile, pp, &r);
	it->ms = timeutil_now_ms() - t0;
	it->unreachable = batch_unreachable(&r);
	it->reached = r.session && !it->unreachable;
	if (r.status == AK_OK) {
		it->outcome = BATCH_PASSED;
	} else {
		it->outcome = BATCH_FAILED;
		it->status = r.status;
		it->phase = !r.session      ? "token"
			    : r.mqtt.failed ? mqtt_phase_name(r.mqtt.failed_phase)
					    : "session";
		it->error = strdup(r.err.msg);
		/* The token checks' hint after a refused login, else the session's first. */
		for (i = 0, h = NULL; result_hint(&r, i) != NULL; i++)
			if (result_hint(&r, i)[0] != '\0' && (h == NULL || r.refused))
				h = result_hint(&r, i);
		it->hint = h != NULL ? strdup(h) : NULL;
	}
	check_result_clear(&r);
}

static void
batch_work(void *arg, const void *job, void *result)
{
	struct check_batch *b = arg;
	size_t i;

	memcpy(&i, job, sizeof(i));
	/* The passphrase is only read here: fetched, or not needed by the first keys. */
	batch_check(b, &b->items[i], b->pp.value != NULL ? &b->pp : NULL, 0);
	memcpy(result, &i, sizeof(i));
}

static void
batch_collect(void *arg, void *results, size_t n)
{
	struct check_batch *b = arg;
	size_t i, k, used = 0;
	int len;

	for (k = 0; k < n; k++) {
		memcpy(&i, (char *)results + k * sizeof(i), sizeof(i));
		batch_ended(b, &b->items[i]);
		if ((len = batch_row(&b->items[i], b->rows + used, BATCH_ROW_MAX)) > 0)
			used += (size_t)len;
	}
	batch_record(b, b->rows, used);
}

/*
 * The probe: devices one at a time, in this thread, until one reaches the
 * broker.  One that cannot reach it, or whose key's passphrase cannot be
 * asked for, stops the run (not checked, not shown: the run's one error says
 * why).  Returns the index after the probe.
 */
static size_t
batch_probe(struct check_batch *b)
{
	struct batch_item *it;
	size_t i;
	int len;

	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		if (it->outcome != BATCH_NOT_CHECKED)
			continue;
		batch_check(b, it, &b->pp, 1);
		/* Or no passphrase can be had: the same for every device, said once. */
		if (it->unreachable || (it->outcome == BATCH_FAILED && it->status == AK_USAGE)) {
			b->stopped = 1;
			err_set(&b->stop, it->status, "%s",
				it->error ? it->error : "out of memory");
			snprintf(b->stop_hint, sizeof(b->stop_hint), "%s",
				 it->hint ? it->hint : "");
			it->outcome = BATCH_NOT_CHECKED;
			return b->n;
		}
		batch_ended(b, it);
		if ((len = batch_row(it, b->rows, BATCH_ROW_MAX)) > 0)
			batch_record(b, b->rows, (size_t)len);
		if (it->reached)
			return i + 1;
	}
	return b->n;
}

/* The devices after the probe, on the work queue.  0, or -1 with e (threads). */
static int
batch_parallel(struct check_batch *b, size_t from, struct err *e)
{
	struct workq_conf c = {
		.job_size = sizeof(size_t),
		.result_size = sizeof(size_t),
		.results_max = 4 * BATCH_GROUP,
		.group = BATCH_GROUP,
		.work = batch_work,
		.collect = batch_collect,
		.arg = b,
	};
	size_t i, pending = 0;

	for (i = from; i < b->n; i++)
		pending += b->items[i].outcome == BATCH_NOT_CHECKED;
	if (pending == 0 || b->stopped)
		return 0;
	c.workers = (unsigned)(pending < b->o->jobs ? pending : b->o->jobs);
	c.cpu = c.workers; /* no CPU tokens taken: the workers wait on the network */
	c.jobs_max = 2 * (size_t)c.workers;
	if (workq_start(&b->q, &c, e) != 0)
		return -1;
	for (i = from; i < b->n; i++)
		if (b->items[i].outcome == BATCH_NOT_CHECKED && workq_put(b->q, &i) != 0)
			break;
	if (workq_finish(b->q, e) != 0 && !b->stopped)
		return -1;
	b->q = NULL;
	return 0;
}

/* Check the batch: the failures found loading it, the probe, the rest.  Returns the status. */
static int
batch_run(struct check_batch *b)
{
	struct err e = ERR_INIT;
	size_t i;

	b->streak_max = b->o->jobs > BATCH_STREAK_MIN ? (unsigned)b->o->jobs : BATCH_STREAK_MIN;
	b->started = timeutil_now_ms();
	for (i = 0; i < b->n; i++) {
		b->skipped += b->items[i].outcome == BATCH_SKIPPED;
		if (b->items[i].outcome == BATCH_FAILED)
			batch_ended(b, &b->items[i]);
	}
	if (batch_parallel(b, batch_probe(b), &e) != 0) {
		b->seconds = (timeutil_now_ms() - b->started) / 1000.0;
		return cmd_fail(&e);
	}
	b->seconds = (timeutil_now_ms() - b->started) / 1000.0;
	if (b->stopped) {
		cmd_fail(&b->stop);
		if (b->stop_hint[0] != '\0')
			cmd_println_safe(stderr, "  hint: %s", b->stop_hint);
		return b->stop.status;
	}
	if (b->results_err.status != AK_OK)
		return cmd_fail(&b->results_err);
	return b->failed > 0 ? AK_NEGATIVE : AK_OK;
}

static size_t
batch_not_checked(const struct check_batch *b)
{
	return b->n - b->passed - b->failed - b->skipped;
}

static void
text_batch_summary(const struct check_batch *b)
{
	double rate = b->seconds > 0 ? (double)b->checked / b->seconds : 0;

	printf("%zu %s: %zu passed, %zu failed, %zu skipped (passed before), %zu not checked "
	       "(%.1f s, %.0f devices/s)\n",
	       b->n, cmd_plural(b->n, "device", "devices"), b->passed, b->failed, b->skipped,
	       batch_not_checked(b), b->seconds, rate);
	if (b->record)
		cmd_println_safe(stdout, "results     %s", b->results_path);
}

static json_t *
json_batch_device(const struct batch_item *it)
{
	json_t *d = json_pack("{ss sb ss}", "device_id", it->device_id, "ok",
			      it->outcome == BATCH_PASSED || it->outcome == BATCH_SKIPPED, "result",
			      batch_outcome_name[it->outcome]);

	if (it->keyfile != NULL)
		json_object_set_new(d, "fingerprint", json_string(it->fingerprint));
	if (it->outcome == BATCH_PASSED || (it->outcome == BATCH_FAILED && it->keyfile != NULL))
		json_object_set_new(d, "ms", json_real(round_us(it->ms)));
	if (it->outcome != BATCH_FAILED)
		return d;
	json_object_set_new(d, "phase", json_string(it->phase));
	json_object_set_new(d, "status", json_integer(err_exit_status(it->status)));
	json_object_set_new(d, "status_name", json_string(err_status_name(it->status)));
	json_object_set_new(d, "error", json_text(it->error != NULL ? it->error : ""));
	if (it->hint != NULL)
		json_object_set_new(d, "hint", json_text(it->hint));
	return d;
}

/* The JSON view: one object, the devices in manifest order. */
static void
json_batch(const struct check_batch *b, int status)
{
	json_t *devices = json_array(), *j;
	size_t i;

	for (i = 0; i < b->n; i++)
		json_array_append_new(devices, json_batch_device(&b->items[i]));
	j = json_pack("{ss ss si so si si si si si}", "manifest", b->o->manifest, "host",
		      b->o->host, "port", (int)b->o->port, "devices", devices, "total", (int)b->n,
		      "passed", (int)b->passed, "failed", (int)b->failed, "skipped",
		      (int)b->skipped, "not_checked", (int)batch_not_checked(b));
	json_object_set_new(j, "seconds", json_real(round_us(b->seconds * 1000.0) / 1000.0));
	json_object_set_new(j, "devices_per_second",
			    json_real(b->seconds > 0 ? round_us((double)b->checked / b->seconds)
						     : 0));
	if (b->record)
		json_object_set_new(j, "results", json_string(b->results_path));
	json_object_set_new(j, "status", json_integer(err_exit_status((enum ak_status)status)));
	json_object_set_new(j, "status_name", json_string(err_status_name((enum ak_status)status)));
	if (b->stopped)
		json_object_set_new(j, "error", json_text(b->stop.msg));
	cmd_print_json(j, CHECK_JSON_FLAGS);
	json_decref(j);
}

static void
batch_clear(struct check_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->items[i].keyfile);
		free(b->items[i].error);
		free(b->items[i].hint);
	}
	free(b->items);
	free(b->results_path);
	free(b->rows);
	journal_close(&b->results);
	passphrase_clear(&b->pp);
}

/* check --manifest: the batch, read, checked and shown; returns the exit status. */
static int
cmd_check_batch(struct check_opts *o)
{
	struct check_batch b = {.o = o,
				.pp = {.file = o->passphrase_file},
				.results = JOURNAL_INIT,
				.results_err = ERR_INIT,
				.stop = ERR_INIT};
	struct fileio_buf payload = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;
	int status;

	/* Read once, for every device (standard input can be read only once). */
	if (o->payload_file != NULL) {
		if (fileio_read(o->payload_file, CHECK_PAYLOAD_MAX, &payload, &e) != 0)
			return cmd_fail(&e);
		o->payload_data = payload.data;
		o->payload_data_len = payload.len;
	}
	/*
	 * A passphrase that asks nobody (a file, the environment) is read now, so
	 * that every worker has it; a prompt waits for the first encrypted key.
	 */
	if (((o->passphrase_file != NULL || getenv(PASSPHRASE_ENV) != NULL) &&
	     passphrase_get(&b.pp, "the batch", &e) != 0) ||
	    (o->keys_token != NULL && p11_open(o->keys_token, &e) != 0) ||
	    (b.rows = malloc(BATCH_GROUP * BATCH_ROW_MAX)) == NULL || batch_load(&b, &e) != 0 ||
	    batch_results_open(&b, &e) != 0) {
		if (e.status == AK_OK)
			err_set(&e, AK_INTERNAL, "out of memory");
		status = cmd_fail(&e);
	} else {
		o->port = MQTT_PORT(o->port, o->plaintext);
		status = batch_run(&b);
		if (o->json)
			json_batch(&b, status);
		else
			text_batch_summary(&b);
	}
	batch_clear(&b);
	fileio_buf_clear(&payload);
	return status;
}

/* The command line's rules that the table cannot say: AK_OK, or a usage error (said). */
static int
check_usage(const struct check_opts *o)
{
	struct err e = ERR_INIT;
	char topic[CHECK_TOPIC_MAX];

	if (o->keys_token != NULL && !p11_is_uri(o->keys_token))
		return cmd_usage_error("--token takes a PKCS#11 URI (pkcs11:token=LABEL), not '%s'",
				       o->keys_token);
	if (o->device_id == NULL && o->manifest == NULL)
		return cmd_usage_error("--device-id is required (or --manifest)");
	if (o->manifest == NULL && o->keyfile == NULL && o->tokenfile == NULL)
		return cmd_usage_error("--key is required (or --token-file)");
	if ((o->device_id != NULL && devid_check(o->device_id, &e) != 0) ||
	    (o->mint.aud_host != NULL && jwt_aud_host_check(o->mint.aud_host, &e) != 0))
		return cmd_usage_error("%s", e.msg);
	if (resolver_host_check(o->host, &e) != 0)
		return cmd_usage_error("--host '%s': %s", o->host, e.msg);
	/* With --manifest, each device's topic is made with the device; its suffix rule now. */
	if (o->device_id == NULL &&
	    devid_uplink_topic("", o->suffix, topic, sizeof(topic), &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if (o->topic != NULL && (o->topic[0] == '\0' || strpbrk(o->topic, "+#") != NULL))
		return cmd_usage_error("--topic '%s': not a topic to publish to", o->topic);
	if (o->device_id != NULL && check_topic(o, o->device_id, topic, sizeof(topic), &e) != 0)
		return cmd_usage_error("%s", e.msg);
	return AK_OK;
}

static int
cmd_check_exec(void *opts, int argc, char **argv)
{
	struct check_opts *o = opts;
	struct passphrase pp = {.file = o->passphrase_file};
	struct check_result r = CHECK_RESULT_INIT;
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((status = check_usage(o)) != AK_OK)
		return status;
	if (o->plaintext && !o->json)
		cmd_warn("--plaintext: no TLS, the token travels unencrypted");
	if (o->manifest != NULL) {
		cmd_p11_setup(&o->p11, o->keys_token);
		return cmd_check_batch(o);
	}
	r.on_event = live_event;
	cmd_p11_setup(&o->p11, o->keyfile);
	status = check_device(o, o->device_id, o->keyfile, &pp, &r);
	passphrase_clear(&pp);
	if (o->json)
		render_json(&r);
	else
		render_text(&r);
	check_result_clear(&r);
	return status;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.summary = "connect to the broker as the device and publish a test message",
	.usage = "--device-id ID --key FILE|URI [--passphrase-file FILE] [--token-file FILE]\n"
		 "\t[--pkcs11-module PATH] [--pin-file FILE]\n"
		 "\t[--host HOST] [--port PORT] [--ca-file FILE] [--ca-path DIR] [--plaintext]\n"
		 "\t[--ttl DURATION] [--aud-host HOST] [--sub] [--no-kid] [--iat TIME] [--username "
		 "NAME]\n"
		 "\t[--topic-suffix PATH | --topic TOPIC] [--payload JSON | --payload-file FILE] "
		 "[--raw]\n"
		 "\t[--qos 0|1] [--listen DURATION] [--timeout DURATION] [--show-token] "
		 "[--dry-run] [--json]\n"
		 "--manifest FILE [--token URI] [--jobs N] [--results FILE] [--all] "
		 "[--passphrase-file FILE]\n"
		 "\t[broker, token and message options as above] [--dry-run] [--json]",
	CMD_OPTIONS(options, struct check_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_check_exec,
};
