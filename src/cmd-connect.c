/*
 * akcred connect: be the device for as long as there is something to send --
 * each line of standard input (or, with --interval, a generated message) is
 * published at QoS 1 and kept until acknowledged; downlinks are printed as
 * JSON lines; the token is refreshed by reconnecting before it expires, and
 * a lost connection is retried with backoff (devsession.h).  Status lines go
 * to standard error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "devid.h"
#include "devsession.h"
#include "fileio.h"
#include "jwt.h"
#include "jwtmint.h"
#include "key.h"
#include "mqtt.h"
#include "passphrase.h"
#include "resolver.h"
#include "timeutil.h"
#include "banned.h"

#define CONNECT_TIMEOUT_DEFAULT 10
#define CONNECT_REFUSALS_DEFAULT 3
#define CONNECT_TOPIC_MAX 512

struct connect_opts {
	const char *device_id, *keyfile, *passphrase_file;
	const char *host, *ca_file, *ca_path, *username, *suffix, *spool;
	unsigned long port, refusals;
	long ttl, timeout, interval;
	int plaintext;
	const char *aud_host;
	struct p11_opts p11; /* a --key pkcs11: URI's module and PIN */
};

static const struct cmd_option options[] = {
	CMD_OPT("device-id", CMD_STRING, struct connect_opts, device_id, "ID", NULL,
		"the device: MQTT client id and token audience", .flags = CMD_REQUIRED),
	CMD_OPT("key", CMD_STRING, struct connect_opts, keyfile, "FILE|URI", "@file",
		"the device's private key, to mint the tokens: a file or a pkcs11: URI",
		.flags = CMD_REQUIRED),
	CMD_OPT("passphrase-file", CMD_STRING, struct connect_opts, passphrase_file, "FILE",
		"@file", "passphrase of an encrypted key (first line of FILE)"),
	CMD_PKCS11_OPTIONS(struct connect_opts),
	CMD_BROKER_OPTIONS(struct connect_opts),
	CMD_OPT("ttl", CMD_DURATION, struct connect_opts, ttl, "DURATION", "20m 1h",
		"token lifetime; refreshed a fifth of it (at most 5m) before exp",
		.def = JWT_TTL_DEFAULT, .min = 1),
	CMD_OPT("aud-host", CMD_STRING, struct connect_opts, aud_host, "HOST", "akenza.io",
		"token audience host", .defstr = JWT_AUD_HOST_DEFAULT),
	CMD_OPT("username", CMD_STRING, struct connect_opts, username, "NAME", NULL,
		"MQTT user name", .defstr = "unused"),
	CMD_OPT("topic-suffix", CMD_STRING, struct connect_opts, suffix, "PATH", NULL,
		"publish to /up/device/id/<id>/PATH"),
	CMD_OPT("timeout", CMD_DURATION, struct connect_opts, timeout, "DURATION", "5s 10s 30s",
		"bound each connect, and the wait for PUBACKs before a refresh",
		.def = CONNECT_TIMEOUT_DEFAULT, .min = 1, .max = 3600),
	CMD_OPT("interval", CMD_DURATION, struct connect_opts, interval, "DURATION", "10s 1m",
		"publish a generated message this often instead of reading stdin", .min = 1),
	CMD_OPT("spool", CMD_STRING, struct connect_opts, spool, "DIR", "@dir",
		"keep unacknowledged messages in DIR across restarts"),
	CMD_OPT("refusals", CMD_UINT, struct connect_opts, refusals, "N", NULL,
		"give up after N refused logins in a row", .def = CONNECT_REFUSALS_DEFAULT,
		.min = 1, .max = 1000),
	CMD_OPT_END,
};

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* The key, loaded once; each connection mints a token with it. */
struct connect_run {
	const struct connect_opts *o;
	struct passphrase pp;
	struct key key;
};

static int
mint(void *arg, char **token, time_t *exp, struct err *e)
{
	struct connect_run *run = arg;
	struct jwt_mint_opts m = {
		.device_id = run->o->device_id,
		.aud_host = run->o->aud_host,
		.iat = time(NULL),
		.ttl = run->o->ttl,
	};
	size_t len;

	*exp = m.iat + m.ttl;
	return jwt_mint(&run->key, &m, token, &len, e);
}

static int
load_key(struct connect_run *run, struct err *e)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	int rc;

	/* A token's key: its session stays open for every refresh (p11.h). */
	if (p11_is_uri(run->o->keyfile))
		rc = key_load_file(&run->key, run->o->keyfile, &run->pp, e);
	else if (fileio_read_secret(run->o->keyfile, FILEIO_KEY_MAX, &b, e) != 0)
		return -1;
	else
		rc = key_load(&run->key, b.data, b.len, run->o->keyfile, &run->pp, e);
	fileio_buf_clear(&b);
	if (rc == 0 && !run->key.is_private)
		rc = err_set(e, AK_INPUT,
			     "'%s' is a public key: the token is signed with the device's private "
			     "key",
			     run->o->keyfile);
	return rc;
}

/*
 * A refused login: what jwt verify's checks say of a token minted as the
 * refused one was (the one sent is gone), as a hint: as akcred check does.
 */
static void
refusal_hint(struct connect_run *run)
{
	struct jwt_policy pol = JWT_POLICY_INIT;
	struct jwt_check_opts co = {0};
	struct jwt_report rep = JWT_REPORT_INIT;
	struct err ignored = ERR_INIT;
	char *token = NULL, hint[512];
	time_t exp;

	if (mint(run, &token, &exp, &ignored) != 0)
		return;
	pol.aud_host = run->o->aud_host;
	jwt_policy_apply(&pol, &co);
	co.key = &run->key;
	co.device_id = run->o->device_id;
	if (jwt_check(token, strlen(token), &co, &rep, &ignored) == 0) {
		cmd_refusal_hint(&rep, run->o->device_id, hint, sizeof(hint));
		cmd_println_safe(stderr, "  hint: %s", hint);
	}
	jwt_report_clear(&rep);
	sodium_free(token);
}

/* The status lines (akcred-connect(1) lists them): standard error, one per event. */
static void
status_failed(struct connect_run *run, const struct devsession_event *ev)
{
	int i;

	if (!ev->first) {
		cmd_println_safe(stderr, "failed: %s", ev->err->msg);
		return;
	}
	/* The first of a row: the whole diagnosis, as akcred check gives it. */
	cmd_fail(ev->err);
	for (i = 0; i < ev->mqtt->nhints; i++)
		cmd_println_safe(stderr, "  hint: %s", ev->mqtt->hint[i]);
	if (ev->err->status == AK_REFUSED && ev->mqtt->failed &&
	    ev->mqtt->failed_phase == MQTT_PH_CONNACK)
		refusal_hint(run);
}

static void
on_event(const struct devsession_event *ev, void *arg)
{
	struct connect_run *run = arg;
	char exp[TIMEUTIL_ISO_LEN];

	switch (ev->type) {
	case DEVSESSION_CONNECTED:
		cmd_println_safe(stderr,
				 "connected: %s as '%s', token expires %s, refresh in %.1fs",
				 ev->address, run->o->device_id, timeutil_iso8601(ev->exp, exp),
				 (double)ev->refresh_ms / 1000.0);
		break;
	case DEVSESSION_REFRESH:
		fputs("refresh: reconnecting with a new token\n", stderr);
		break;
	case DEVSESSION_LOST:
		cmd_println_safe(stderr, "disconnected: %s", ev->err->msg);
		break;
	case DEVSESSION_FAILED:
		status_failed(run, ev);
		break;
	case DEVSESSION_RETRY:
		fprintf(stderr, "retrying in %.1fs\n", (double)ev->delay_ms / 1000.0);
		break;
	case DEVSESSION_RESENDING:
		fprintf(stderr, "resending: %lu %s not acknowledged\n", ev->count,
			cmd_plural(ev->count, "message", "messages"));
		break;
	case DEVSESSION_SPOOLED:
		cmd_println_safe(stderr, "spool: %lu %s from '%s' go first", ev->count,
				 cmd_plural(ev->count, "message", "messages"), run->o->spool);
		break;
	case DEVSESSION_INPUT_END:
		fprintf(stderr, "end of input: %lu %s to acknowledge\n", ev->count,
			cmd_plural(ev->count, "message", "messages"));
		break;
	}
}

/* A downlink: one JSON line on standard output (payload null if it is not UTF-8). */
static void
on_message(const char *topic, const void *payload, size_t len, int qos, void *arg)
{
	json_t *j = json_object(), *t = json_string(topic), *p = json_stringn(payload, len);

	(void)arg;
	if (j == NULL) {
		json_decref(t);
		json_decref(p);
		return;
	}
	json_object_set_new(j, "topic", t != NULL ? t : json_null());
	json_object_set_new(j, "payload", p != NULL ? p : json_null());
	json_object_set_new(j, "qos", json_integer(qos));
	cmd_print_json(j, JSON_COMPACT);
	fflush(stdout);
	json_decref(j);
}

/* The command line's rules that the table cannot say: AK_OK, or a usage error (said). */
static int
connect_usage(const struct connect_opts *o)
{
	struct err e = ERR_INIT;

	if (devid_check(o->device_id, &e) != 0 || jwt_aud_host_check(o->aud_host, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if (resolver_host_check(o->host, &e) != 0)
		return cmd_usage_error("--host '%s': %s", o->host, e.msg);
	return AK_OK;
}

/* SIGINT and SIGTERM end the session cleanly; not restarted, so that a wait ends at once. */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The last line: what was acknowledged, and what was not. */
static int
summary(const struct connect_opts *o, const struct devsession_stats *st, int rc,
	const struct err *e)
{
	if (rc != 0 && !st->told)
		cmd_fail(e);
	if (rc == 0 && !st->stopped) {
		fprintf(stderr, "done: %lu %s acknowledged\n", st->published,
			cmd_plural(st->published, "message", "messages"));
		return AK_OK;
	}
	if (st->pending > 0 && o->spool != NULL)
		cmd_println_safe(stderr, "stopped: %lu %s not acknowledged, kept in the spool '%s'",
				 st->pending, cmd_plural(st->pending, "message", "messages"),
				 o->spool);
	else
		fprintf(stderr, "stopped: %lu %s not acknowledged\n", st->pending,
			cmd_plural(st->pending, "message", "messages"));
	if (rc != 0)
		return e->status;
	return st->pending > 0 ? AK_NEGATIVE : AK_OK;
}

static int
cmd_connect_exec(void *opts, int argc, char **argv)
{
	const struct connect_opts *o = opts;
	struct connect_run run = {.o = o, .pp = {.file = o->passphrase_file}, .key = KEY_INIT};
	char topic[CONNECT_TOPIC_MAX], listen[CONNECT_TOPIC_MAX];
	struct devsession_stats st;
	struct err e = ERR_INIT;
	int status;
	struct devsession_opts d = {
		.mqtt =
			{
				.host = o->host,
				.port = (int)MQTT_PORT(o->port, o->plaintext),
				.ca_file = o->ca_file,
				.ca_path = o->ca_path,
				.plaintext = o->plaintext,
				.client_id = o->device_id,
				.username = o->username,
				.qos = 1,
				.listen_topic = listen,
				.timeout_ms = o->timeout * 1000,
			},
		.topic = topic,
		.ttl = o->ttl,
		.input_fd = o->interval > 0 ? -1 : 0,
		.interval_ms = o->interval * 1000,
		.spool_dir = o->spool,
		.refusals_max = (unsigned)o->refusals,
		.mint = mint,
		.on_event = on_event,
		.on_message = on_message,
		.arg = &run,
		.stop = &stop_flag,
	};

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((status = connect_usage(o)) != AK_OK)
		return status;
	if (devid_uplink_topic(o->device_id, o->suffix, topic, sizeof(topic), &e) != 0 ||
	    devid_downlink_filter(o->device_id, listen, sizeof(listen), &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if (o->plaintext)
		cmd_warn("--plaintext: no TLS, the token travels unencrypted");
	cmd_p11_setup(&o->p11, o->keyfile);
	if (load_key(&run, &e) != 0) {
		status = cmd_fail(&e);
	} else {
		catch_signals();
		status = summary(o, &st, devsession_run(&d, &st, &e), &e);
	}
	key_clear(&run.key);
	passphrase_clear(&run.pp);
	return status;
}

const struct cmd_entry cmd_connect_entry = {
	.name = "connect",
	.summary = "stay connected as the device: publish stdin, print downlinks",
	.usage = "--device-id ID --key FILE|URI [--passphrase-file FILE]\n"
		 "\t[--pkcs11-module PATH] [--pin-file FILE]\n"
		 "\t[--host HOST] [--port PORT] [--ca-file FILE] [--ca-path DIR] [--plaintext]\n"
		 "\t[--ttl DURATION] [--aud-host HOST] [--username NAME] [--topic-suffix PATH]\n"
		 "\t[--timeout DURATION] [--interval DURATION] [--spool DIR] [--refusals N]",
	CMD_OPTIONS(options, struct connect_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_connect_exec,
};
