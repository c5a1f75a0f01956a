/*
 * akcred check: do what the device will do -- mint a token with its key,
 * connect to the broker over TLS as the device, publish one message and wait
 * for the acknowledgement -- and report every phase with its time.  When a
 * phase fails, say which, why, and what to try; when the broker refuses the
 * login, run the token checks of "jwt verify" on the token that was sent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "devid.h"
#include "fileio.h"
#include "jwt.h"
#include "key.h"
#include "mqtt.h"
#include "passphrase.h"
#include "timeutil.h"
#include "banned.h"

#define CHECK_HOST_DEFAULT "mqtt.akenza.io"
#define CHECK_PORT_DEFAULT 8883
#define CHECK_TIMEOUT_DEFAULT 10
#define CHECK_PAYLOAD_MAX (256 * 1024)

struct check {
	const char *device_id, *keyfile, *tokenfile, *host, *ca_file, *ca_path, *username;
	const char *suffix, *topic_opt, *payload_opt, *payload_file;
	unsigned long port, qos;
	long ttl, listen, timeout;
	int plaintext, raw, show_token, dry_run, json;
	struct jwt_mint_opts mint;
	struct passphrase pp;

	/* at run time */
	struct key key;         /* to mint with: one key */
	struct key_set keys;    /* with --token-file: every key of the file checks it */
	const struct key *used; /* the key of the local checks' report, or NULL */
	char *token;            /* sodium memory */
	size_t token_len;
	char topic[512], listen_topic[512];
	struct fileio_buf payload, keybuf;
	char payload_default[128];
	char token_hint[512]; /* after a refused login: what the token checks say */
	json_t *out, *phases, *downlinks;
};

#define CHECK_HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%"

static const struct cmd_option options[] = {
	CMD_OPT("device-id", CMD_STRING, struct check, device_id, "ID", NULL,
		"the device: MQTT client id and token audience", .flags = CMD_REQUIRED),
	CMD_OPT("key", CMD_STRING, struct check, keyfile, "FILE", "@file",
		"the device's private key, to mint the token"),
	CMD_OPT("passphrase-file", CMD_STRING, struct check, pp.file, "FILE", "@file",
		"passphrase of an encrypted key (first line of FILE)"),
	CMD_OPT("token-file", CMD_STRING, struct check, tokenfile, "FILE", "@file",
		"send the token in FILE instead of minting one", .excludes = "ttl iat sub no-kid"),
	CMD_OPT("host", CMD_STRING, struct check, host, "HOST", NULL, "broker host",
		.defstr = CHECK_HOST_DEFAULT),
	CMD_OPT("port", CMD_UINT, struct check, port, "PORT", "8883 1883",
		"broker port (default 8883, 1883 with --plaintext)", .min = 1, .max = 65535),
	CMD_OPT("ca-file", CMD_STRING, struct check, ca_file, "FILE", "@file",
		"trust these CA certificates, not the system's"),
	CMD_OPT("ca-path", CMD_STRING, struct check, ca_path, "DIR", "@dir",
		"trust the CA certificates of this hashed directory"),
	CMD_OPT("plaintext", CMD_FLAG, struct check, plaintext, NULL, NULL,
		"no TLS: unencrypted MQTT (the token in clear)", .excludes = "ca-file ca-path"),
	CMD_OPT("ttl", CMD_DURATION, struct check, ttl, "DURATION", "20m 1h", "token lifetime",
		.def = JWT_TTL_DEFAULT, .min = 1),
	CMD_OPT("aud-host", CMD_STRING, struct check, mint.aud_host, "HOST", "akenza.io",
		"token audience host", .defstr = JWT_AUD_HOST_DEFAULT),
	CMD_OPT("sub", CMD_FLAG, struct check, mint.sub, NULL, NULL,
		"add sub = device id to the token"),
	CMD_OPT("no-kid", CMD_FLAG, struct check, mint.no_kid, NULL, NULL,
		"leave kid out of the token header"),
	CMD_OPT("iat", CMD_TIME, struct check, mint.iat, "TIME", NULL,
		"mint as at TIME, like a device whose clock is off"),
	CMD_OPT("username", CMD_STRING, struct check, username, "NAME", NULL, "MQTT user name",
		.defstr = "unused"),
	CMD_OPT("topic-suffix", CMD_STRING, struct check, suffix, "PATH", NULL,
		"publish to /up/device/id/<id>/PATH"),
	CMD_OPT("topic", CMD_STRING, struct check, topic_opt, "TOPIC", NULL,
		"publish to TOPIC instead (to test a broker's ACL)", .excludes = "topic-suffix"),
	CMD_OPT("payload", CMD_STRING, struct check, payload_opt, "JSON", NULL,
		"the message (default a JSON object with the time)", .excludes = "payload-file"),
	CMD_OPT("payload-file", CMD_STRING, struct check, payload_file, "FILE", "@file",
		"the message, from FILE ('-': stdin)"),
	CMD_OPT("raw", CMD_FLAG, struct check, raw, NULL, NULL,
		"do not require the payload to be JSON"),
	CMD_OPT("qos", CMD_UINT, struct check, qos, "0|1", "0 1",
		"publish QoS (1: wait for the PUBACK)", .def = 1, .max = 1),
	CMD_OPT("listen", CMD_DURATION, struct check, listen, "DURATION", "10s 1m",
		"also subscribe to the downlink topic and print messages for DURATION", .min = 1),
	CMD_OPT("timeout", CMD_DURATION, struct check, timeout, "DURATION", "5s 10s 30s",
		"bound the connection, resolve to disconnect", .def = CHECK_TIMEOUT_DEFAULT,
		.min = 1, .max = 3600),
	CMD_OPT("show-token", CMD_FLAG, struct check, show_token, NULL, NULL,
		"print the token that is sent", .excludes = "json"),
	CMD_OPT("dry-run", CMD_FLAG, struct check, dry_run, NULL, NULL,
		"everything but connecting: key, token, trust store, DNS"),
	CMD_OPT("json", CMD_FLAG, struct check, json, NULL, NULL,
		"print one JSON object with every phase"),
	CMD_OPT_END,
};

/*
 * Phase times in JSON: whole microseconds, printed with 15 significant
 * digits (CHECK_JSON_FLAGS) so that 5.21 is not 5.2104589999653399.
 */
#define CHECK_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

static double
round_us(double ms)
{
	return (double)(long long)(ms * 1000.0 + 0.5) / 1000.0;
}

static void
on_phase(const struct mqtt_phase *ph, void *arg)
{
	struct check *c = arg;

	if (c->json) {
		json_array_append_new(c->phases,
				      json_pack("{ss sb sf ss}", "phase", mqtt_phase_name(ph->id),
						"ok", ph->ok, "ms", round_us(ph->ms), "detail",
						ph->detail));
		return;
	}
	if (!ph->ok) {
		printf("%-11s   failed\n", mqtt_phase_name(ph->id));
	} else {
		printf("%-11s %7.1f ms  ", mqtt_phase_name(ph->id), ph->ms);
		cmd_puts_safe(stdout, ph->detail);
		putchar('\n');
	}
	fflush(stdout);
}

static void
on_message(const char *topic, const void *payload, size_t len, int qos, void *arg)
{
	struct check *c = arg;
	char *text = NULL;

	/* Broker data: shown with control characters escaped. */
	if ((text = malloc(len + 1)) == NULL)
		return;
	memcpy(text, payload, len);
	text[len] = '\0';
	if (c->json) {
		json_array_append_new(c->downlinks,
				      json_pack("{ss s#? si}", "topic", topic, "payload", text,
						(int)strlen(text), "qos", qos));
	} else {
		fputs("downlink    ", stdout);
		cmd_puts_safe(stdout, topic);
		putchar(' ');
		cmd_puts_safe(stdout, text);
		putchar('\n');
		fflush(stdout);
	}
	free(text);
}

/*
 * Read the inputs -- the key file, the token file -- before anything goes
 * on the network: a missing file must not cost a DNS query.
 */
static int
read_inputs(struct check *c)
{
	struct err e = ERR_INIT;
	struct fileio_buf b = FILEIO_BUF_INIT;
	const char *tok;
	size_t len;

	if (c->keyfile != NULL &&
	    fileio_read_secret(c->keyfile, FILEIO_KEY_MAX, &c->keybuf, &e) != 0)
		return cmd_fail(&e);
	if (c->tokenfile == NULL)
		return AK_OK;
	/* Framed as jwt verify frames it: what is sent is what the token checks see. */
	if (jwt_read_token(c->tokenfile, FILEIO_FIFO, &b, &tok, &len, &e) != 0)
		return cmd_fail(&e);
	if (len == 0) {
		fileio_buf_clear(&b);
		return cmd_error(AK_INPUT, "'%s' holds no token", c->tokenfile);
	}
	/*
	 * Rejected tokens are sent all the same, to see the broker refuse them,
	 * but not these two, which cannot be sent as they are: of one longer
	 * than jwt_check's bound only the start may have been read, and the
	 * MQTT password is a C string.
	 */
	if (len > JWT_TOKEN_MAX) { /* jwt_check's bound: too_long */
		fileio_buf_clear(&b);
		return cmd_error(AK_NEGATIVE,
				 "the token in '%s' is rejected, not sent: too_long: it is longer "
				 "than %d bytes",
				 c->tokenfile, JWT_TOKEN_MAX);
	}
	if (memchr(tok, '\0', len) != NULL) {
		fileio_buf_clear(&b);
		return cmd_error(AK_NEGATIVE,
				 "the token in '%s' is rejected, not sent: nul_byte: it has a NUL "
				 "byte",
				 c->tokenfile);
	}
	if ((c->token = sodium_malloc(len + 1)) == NULL) {
		fileio_buf_clear(&b);
		return cmd_error(AK_INTERNAL, "out of memory");
	}
	memcpy(c->token, tok, len);
	c->token[len] = '\0';
	c->token_len = len;
	fileio_buf_clear(&b);
	return AK_OK;
}

/* Decode the key and mint the token (unless one was given). */
static int
get_token(struct check *c)
{
	struct err e = ERR_INIT;

	if (c->keyfile != NULL) {
		/* A token is signed by one key; a given one is checked as jwt verify does. */
		if ((c->tokenfile == NULL ? key_load(&c->key, c->keybuf.data, c->keybuf.len,
						     c->keyfile, &c->pp, &e)
					  : key_load_all(&c->keys, c->keybuf.data, c->keybuf.len,
							 c->keyfile, &c->pp, &e)) != 0)
			return cmd_fail(&e);
		fileio_buf_clear(&c->keybuf);
		if (!c->key.is_private && c->tokenfile == NULL)
			return cmd_error(AK_INPUT,
					 "'%s' is a public key: the token is signed with the "
					 "device's private key",
					 c->keyfile);
	}
	if (c->tokenfile != NULL)
		return AK_OK;
	c->mint.device_id = c->device_id;
	c->mint.ttl = c->ttl;
	if (jwt_mint(&c->key, &c->mint, &c->token, &c->token_len, &e) != 0)
		return cmd_fail(&e);
	return AK_OK;
}

/* jwt verify's checks on the token, as the broker will see it. */
static int
check_token(struct check *c, struct jwt_report *r)
{
	struct jwt_policy pol = JWT_POLICY_INIT;
	struct jwt_check_opts o = {0};
	struct err e = ERR_INIT;
	struct jwt_keys_result kr;
	int rc;

	pol.aud_host = c->mint.aud_host; /* the one the token was minted for */
	jwt_policy_apply(&pol, &o);
	o.key = c->key.pkey != NULL ? &c->key : NULL;
	o.device_id = c->device_id;
	if (c->keys.n > 0)
		rc = jwt_check_keys(c->token, c->token_len, &o, c->keys.keys, c->keys.n, r, &kr,
				    &e);
	else
		rc = jwt_check(c->token, c->token_len, &o, r, &e);
	if (rc != 0)
		return cmd_fail(&e);
	c->used = c->keys.n > 0 ? &c->keys.keys[kr.key] : o.key;
	return AK_OK;
}

static void
print_problems(struct check *c, const struct jwt_report *r, int errors_only)
{
	json_t *arr = NULL;
	int i;

	if (c->json)
		arr = json_array();
	for (i = 0; i < r->nproblems; i++) {
		const struct jwt_problem *p = &r->problems[i];

		if (errors_only && p->severity != JWT_ERROR)
			continue;
		if (arr != NULL) {
			json_array_append_new(arr,
					      json_pack("{ss ss ss}", "code", p->code, "severity",
							p->severity == JWT_ERROR ? "error"
										 : "warning",
							"message", p->message));
			continue;
		}
		fprintf(stderr, "  token %s: %s: ", p->severity == JWT_ERROR ? "error" : "warning",
			p->code);
		cmd_puts_safe(stderr, p->message);
		putc('\n', stderr);
	}
	if (arr != NULL)
		json_object_set_new(c->out, "token_problems", arr);
}

/*
 * The broker refused the login: the hint the token checks give, computed
 * once into c->token_hint for both the text and the JSON printer.  With
 * errors, their codes (the problems follow); without, most likely the key
 * is not registered for the device.
 */
static void
explain_refusal(struct check *c, const struct jwt_report *r)
{
	json_t *kid = r->header ? json_object_get(r->header, "kid") : NULL;
	size_t n = sizeof(c->token_hint), used;
	int i, errors = 0;

	for (i = 0; i < r->nproblems; i++)
		errors += r->problems[i].severity == JWT_ERROR;
	if (errors > 0) {
		used = (size_t)snprintf(c->token_hint, n, "%s",
					"the token fails the checks akenza makes:");
		for (i = 0; i < r->nproblems && used < n; i++)
			if (r->problems[i].severity == JWT_ERROR)
				used += (size_t)snprintf(c->token_hint + used, n - used, " %s",
							 r->problems[i].code);
		return;
	}
	if (json_is_string(kid))
		snprintf(c->token_hint, n,
			 "the token %s: is the key with fingerprint %.128s registered with the "
			 "broker for device '%s'?",
			 r->nproblems == 0 ? "passes every local check" : "has warnings only",
			 json_string_value(kid), c->device_id);
	else
		snprintf(c->token_hint, n,
			 "the token %s: is this key registered with the broker for device '%s'?",
			 r->nproblems == 0 ? "passes every local check" : "has warnings only",
			 c->device_id);
}

static int
prepare_payload(struct check *c)
{
	struct err e = ERR_INIT;
	json_error_t je;
	json_t *j;
	char now[TIMEUTIL_ISO_LEN];

	if (c->payload_file != NULL) {
		if (fileio_read(c->payload_file, CHECK_PAYLOAD_MAX, &c->payload, &e) != 0)
			return cmd_fail(&e);
	} else if (c->payload_opt != NULL) {
		c->payload.data = (unsigned char *)c->payload_opt;
		c->payload.len = strlen(c->payload_opt);
	} else {
		snprintf(c->payload_default, sizeof(c->payload_default),
			 "{\"check\":\"akcred\",\"time\":\"%s\"}",
			 timeutil_iso8601(time(NULL), now));
		c->payload.data = (unsigned char *)c->payload_default;
		c->payload.len = strlen(c->payload_default);
	}
	if (c->raw)
		return AK_OK;
	/* akenza's data flows expect a JSON object: catch a typo before the broker drops it. */
	j = json_loadb((const char *)c->payload.data, c->payload.len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return cmd_error(AK_INPUT,
				 "the payload is not JSON: %s (line %d, column %d); --raw "
				 "sends it anyway",
				 je.text, je.line, je.column);
	if (!json_is_object(j))
		cmd_warn("the payload is JSON but not an object; akenza expects an object");
	json_decref(j);
	return AK_OK;
}

static int
write_token(const struct check *c)
{
	fflush(stdout);
	if (fileio_write_all(STDOUT_FILENO, c->token, c->token_len) != 0)
		return cmd_error(AK_INPUT, "cannot write to standard output: %s", strerror(errno));
	return AK_OK;
}

/* The hints, and in JSON the address, CONNACK and TLS details. */
static void
report_result(struct check *c, const struct mqtt_result *res)
{
	char exp[TIMEUTIL_ISO_LEN];
	int i;

	if (c->json) {
		json_t *hints = json_array(), *tls;

		for (i = 0; i < res->nhints; i++)
			json_array_append_new(hints, json_string(res->hint[i]));
		if (c->token_hint[0] != '\0')
			json_array_append_new(hints, json_string(c->token_hint));
		json_object_set_new(c->out, "hints", hints);
		if (res->address[0] != '\0')
			json_object_set_new(c->out, "address", json_string(res->address));
		if (res->connack >= 0)
			json_object_set_new(c->out, "connack", json_integer(res->connack));
		if (res->tls.have_cert || res->tls.protocol[0] != '\0') {
			tls = json_pack("{ss ss ss ss ss}", "protocol", res->tls.protocol, "cipher",
					res->tls.cipher, "subject", res->tls.subject, "issuer",
					res->tls.issuer, "names", res->tls.names);
			if (res->tls.have_cert)
				json_object_set_new(tls, "not_after",
						    json_string(timeutil_iso8601(res->tls.not_after,
										 exp)));
			json_object_set_new(c->out, "tls", tls);
		}
	} else {
		for (i = 0; i <= res->nhints; i++) {
			const char *h = i < res->nhints ? res->hint[i] : c->token_hint;

			if (h[0] == '\0')
				continue;
			fputs("  hint: ", stderr);
			cmd_puts_safe(stderr, h);
			putc('\n', stderr);
		}
	}
}

static int
check_device(struct check *c)
{
	struct mqtt_opts mo = {0};
	struct mqtt_result res;
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	char exp[TIMEUTIL_ISO_LEN], rel[TIMEUTIL_REL_LEN];
	json_t *jexp;
	const char *alg;
	int status, i, errors = 0, refused;

	if ((status = read_inputs(c)) != AK_OK || (status = prepare_payload(c)) != AK_OK)
		return status;
	mo.host = c->host;
	mo.port = (int)c->port;
	mo.ca_file = c->ca_file;
	mo.ca_path = c->ca_path;
	mo.plaintext = c->plaintext;
	mo.client_id = c->device_id;
	mo.username = c->username;
	mo.topic = c->topic;
	mo.payload = c->payload.data;
	mo.payload_len = c->payload.len;
	mo.qos = (int)c->qos;
	if (c->listen > 0) {
		snprintf(c->listen_topic, sizeof(c->listen_topic), "/down/device/id/%s/#",
			 c->device_id);
		mo.listen_topic = c->listen_topic;
		mo.listen_ms = c->listen * 1000;
	}
	mo.timeout_ms = c->timeout * 1000;
	mo.dry_run = c->dry_run;
	mo.on_phase = on_phase;
	mo.on_message = on_message;
	mo.arg = c;

	/*
	 * The token first, then the connection, in one thread: on a busy machine
	 * handing the connection's preparation to a thread of its own costs more
	 * than the overlap with the token work saves.
	 */
	if ((status = get_token(c)) != AK_OK || (status = check_token(c, &r)) != AK_OK)
		goto out;

	/* The token as the broker will judge it. */
	for (i = 0; i < r.nproblems; i++)
		errors += r.problems[i].severity == JWT_ERROR;
	/* With --iat the problems (expired, issued in the future) are the point. */
	if (c->tokenfile == NULL && c->mint.iat == 0 && errors > 0) {
		print_problems(c, &r, 1);
		status = cmd_error(AK_INTERNAL,
				   "the token just minted does not pass its own checks");
		goto out;
	}
	if (c->json) {
		json_object_set_new(c->out, "token_checked", json_boolean(errors == 0));
	} else {
		jexp = r.claims ? json_object_get(r.claims, "exp") : NULL;
		alg = c->used ? key_type_alg(key_type(c->used)) : NULL;
		printf("%-11s %7s     %s, %s token for '%s'", "token", "",
		       c->tokenfile ? "from file" : "minted", alg ? alg : "a", c->device_id);
		if (json_is_integer(jexp))
			printf(", expires %s (%s)",
			       timeutil_iso8601((time_t)json_integer_value(jexp), exp),
			       timeutil_relative((time_t)json_integer_value(jexp), time(NULL), rel,
						 sizeof(rel)));
		putchar('\n');
		fflush(stdout);
	}
	if (errors > 0) {
		if (c->tokenfile != NULL)
			cmd_warn("the token in '%s' has problems; sending it anyway:",
				 c->tokenfile);
		else
			cmd_warn("the token minted with --iat has problems; sending it anyway:");
		print_problems(c, &r, 0);
	}
	jwt_report_clear(&r);
	if (c->show_token && !c->json) {
		if ((status = write_token(c)) != AK_OK)
			goto out;
		putchar('\n');
	}

	mo.password = c->token;
	if (mqtt_check(&mo, &res, &e) == 0) {
		if (c->json) {
			json_object_set_new(c->out, "ok", json_true());
		} else if (c->dry_run) {
			cmd_println_safe(stdout,
					 "ok: key, token, trust store and address of %s are ready; "
					 "nothing was sent",
					 c->host);
		} else {
			cmd_println_safe(stdout,
					 "ok: '%s' connected to %s and published %zu %s to %s",
					 c->device_id, res.address, c->payload.len,
					 cmd_plural(c->payload.len, "byte", "bytes"), c->topic);
		}
		status = AK_OK;
	} else {
		status = e.status;
		if (c->json) {
			json_object_set_new(c->out, "ok", json_false());
			json_object_set_new(c->out, "status",
					    json_integer(err_exit_status(e.status)));
			json_object_set_new(c->out, "status_name",
					    json_string(err_status_name(e.status)));
			json_object_set_new(c->out, "error", json_string(e.msg));
			if (res.failed)
				json_object_set_new(c->out, "failed_phase",
						    json_string(mqtt_phase_name(res.failed_phase)));
		} else {
			cmd_fail(&e);
		}
	}
	/* Refused at login: show what is wrong with the token sent, as jwt verify would. */
	refused = status == AK_REFUSED && res.failed && res.failed_phase == MQTT_PH_CONNACK &&
		  check_token(c, &r) == AK_OK;
	if (refused)
		explain_refusal(c, &r);
	report_result(c, &res);
	if (refused)
		print_problems(c, &r, 0);
out:
	jwt_report_clear(&r);
	return status;
}

static int
cmd_check_exec(void *opts, int argc, char **argv)
{
	struct check c = *(struct check *)opts;
	struct err e = ERR_INIT;
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	c.pp = (struct passphrase){.file = c.pp.file};
	c.key = (struct key)KEY_INIT;
	c.keys = (struct key_set)KEY_SET_INIT;
	c.payload = (struct fileio_buf)FILEIO_BUF_INIT;
	c.keybuf = (struct fileio_buf)FILEIO_BUF_INIT;
	if (c.keyfile == NULL && c.tokenfile == NULL)
		return cmd_usage_error("--key is required (or --token-file)");
	if (devid_check(c.device_id, &e) != 0 ||
	    (c.mint.aud_host != NULL && jwt_aud_host_check(c.mint.aud_host, &e) != 0))
		return cmd_usage_error("%s", e.msg);
	/* Letters, digits and the punctuation of names and IP literals, nothing else. */
	if (c.host[0] == '\0' || c.host[strspn(c.host, CHECK_HOST_CHARS)] != '\0')
		return cmd_usage_error("--host '%s': not a host name or address", c.host);
	if (c.suffix != NULL &&
	    (c.suffix[0] == '\0' || c.suffix[0] == '/' || strpbrk(c.suffix, "+#") != NULL))
		return cmd_usage_error("--topic-suffix '%s': a topic path without a leading '/' "
				       "and without the wildcards '+' and '#'",
				       c.suffix);
	if (c.topic_opt != NULL && (c.topic_opt[0] == '\0' || strpbrk(c.topic_opt, "+#") != NULL))
		return cmd_usage_error("--topic '%s': not a topic to publish to", c.topic_opt);
	if (c.topic_opt != NULL)
		snprintf(c.topic, sizeof(c.topic), "%s", c.topic_opt);
	else if ((size_t)snprintf(c.topic, sizeof(c.topic), "/up/device/id/%s%s%s", c.device_id,
				  c.suffix ? "/" : "", c.suffix ? c.suffix : "") >= sizeof(c.topic))
		return cmd_usage_error("--topic-suffix is too long");
	if (c.port == 0)
		c.port = c.plaintext ? 1883 : CHECK_PORT_DEFAULT;
	if (c.plaintext && !c.json)
		cmd_warn("--plaintext: no TLS, the token travels unencrypted");

	if (c.json) {
		c.out = json_pack("{ss ss si ss ss sb}", "device_id", c.device_id, "host", c.host,
				  "port", (int)c.port, "topic", c.topic, "transport",
				  c.plaintext ? "tcp" : "tls", "dry_run", c.dry_run);
		c.phases = json_array();
		c.downlinks = json_array();
	}
	status = check_device(&c);
	if (c.json) {
		json_object_set_new(c.out, "phases", c.phases);
		if (c.listen > 0)
			json_object_set_new(c.out, "downlinks", c.downlinks);
		else
			json_decref(c.downlinks);
		cmd_print_json(c.out, CHECK_JSON_FLAGS);
		json_decref(c.out);
	}
	if (c.token != NULL)
		sodium_free(c.token);
	if (c.payload_file != NULL)
		fileio_buf_clear(&c.payload);
	fileio_buf_clear(&c.keybuf);
	key_clear(&c.key);
	key_set_clear(&c.keys);
	passphrase_clear(&c.pp);
	return status;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.summary = "connect to the broker as the device and publish a test message",
	.usage = "--device-id ID --key FILE [--passphrase-file FILE] [--token-file FILE]\n"
		 "\t[--host HOST] [--port PORT] [--ca-file FILE] [--ca-path DIR] [--plaintext]\n"
		 "\t[--ttl DURATION] [--aud-host HOST] [--sub] [--no-kid] [--iat TIME] [--username "
		 "NAME]\n"
		 "\t[--topic-suffix PATH | --topic TOPIC] [--payload JSON | --payload-file FILE] "
		 "[--raw]\n"
		 "\t[--qos 0|1] [--listen DURATION] [--timeout DURATION] [--show-token] "
		 "[--dry-run] [--json]",
	.options = options,
	.opts_size = sizeof(struct check),
	.flags = CMD_SECRETS,
	.exec = cmd_check_exec,
};
