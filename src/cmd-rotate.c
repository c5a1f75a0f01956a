/*
 * akcred rotate: give every device of a manifest a new key pair through
 * akenza's REST API without locking any device out -- the new public key is
 * added as a further credential before the new private key replaces the old
 * one, and the old credential is deleted last.  Each step is journaled, so
 * that a killed run is simply run again (rotate.h, rotate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "akenza.h"
#include "cmd.h"
#include "fileio.h"
#include "jwtmint.h"
#include "key.h"
#include "mqtt.h"
#include "passphrase.h"
#include "rotate.h"
#include "timeutil.h"
#include "banned.h"

static const char *const outcome_name[] = {
	[ROTATE_PENDING] = "pending",     [ROTATE_ROTATED] = "rotated",
	[ROTATE_KEPT] = "kept-old",       [ROTATE_FINISHED] = "finished",
	[ROTATE_UNCHANGED] = "unchanged", [ROTATE_NOT_STARTED] = "not-started",
	[ROTATE_PLANNED] = "dry-run",     [ROTATE_FAILED] = "failed",
};

struct opts {
	struct cmd_api api;
	struct akenza_config ak;
	time_t expires;
	char expiration[TIMEUTIL_ISO_LEN]; /* expires, as akenza takes it */
	unsigned long bits, days;
	int json, verify_login;
	struct rotate_opts r;
	struct passphrase pp; /* of encrypted private keys */
	/* --verify-login: check's broker options; --ca-file (ak.ca_file) serves both. */
	const char *host, *ca_path;
	unsigned long port;
	int plaintext;
};

static const struct cmd_option options[] = {
	CMD_OPT("manifest", CMD_STRING, struct opts, r.manifest, "FILE", "@file",
		"rotate every device of a manifest from provision", .flags = CMD_REQUIRED),
	CMD_OPT("journal", CMD_STRING, struct opts, r.journal, "FILE", "@file",
		"rotation journal (default rotation.csv next to the manifest)"),
	CMD_OPT("type", CMD_PARSE, struct opts, r.type, "ec|rsa", "ec rsa",
		"new key type (default: that of the current key)", .letter = 't',
		.parse = cmd_opt_key_type),
	CMD_OPT("bits", CMD_PARSE, struct opts, bits, "N", "2048 3072 4096",
		"RSA key size: 2048, 3072 or 4096", .letter = 'b', .defstr = "2048",
		.parse = cmd_opt_rsa_bits),
	CMD_CERT_DAYS_OPTION(struct opts, days, NULL),
	CMD_OPT("expires", CMD_PARSE, struct opts, expires, "TIME|DURATION", NULL,
		"the new credentials expire then (ISO 8601 UTC, or from now)",
		.parse = cmd_opt_expires),
	CMD_OPT("passphrase-file", CMD_STRING, struct opts, pp.file, "FILE", "@file",
		"passphrase of encrypted private keys (first line of FILE)"),
	CMD_OPT("keep-old", CMD_FLAG, struct opts, r.keep_old, NULL, NULL,
		"leave the old credentials at akenza (rotate --finish deletes them)"),
	CMD_OPT("finish", CMD_FLAG, struct opts, r.finish, NULL, NULL,
		"only delete the old credentials of devices rotated with --keep-old",
		.excludes = "keep-old type bits days expires verify-login passphrase-file"),
	CMD_OPT("verify-login", CMD_FLAG, struct opts, verify_login, NULL, NULL,
		"log in to the broker with each new key before it replaces the old one"),
	CMD_API_WORKSPACE_OPTION(struct opts),
	CMD_API_ACCESS_OPTIONS(struct opts),
	CMD_BROKER_HOST_OPTIONS(struct opts),
	CMD_BROKER_TLS_OPTIONS(struct opts),
	CMD_OPT("dry-run", CMD_FLAG, struct opts, r.dry_run, NULL, NULL,
		"show what each device would go through, change nothing"),
	CMD_OPT("json", CMD_FLAG, struct opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

/* What the run did, for the text and JSON renderers. */
struct result {
	struct rotate_device **ended;
	size_t nended, total, count[ROTATE_FAILED + 1];
	const char *journal;
	enum ak_status status;
	const char *error; /* what stopped the run, or NULL */
};

struct rotate_cmd {
	struct opts *o;
	struct result r;
	int progress;
};

/* ---- output ------------------------------------------------------------------ */

static void
progress_show(struct rotate_cmd *s)
{
	const struct result *r = &s->r;

	if (!s->o->json && r->total > 1)
		cmd_progress(&s->progress, "rotate: %zu/%zu  %zu rotated, %zu failed", r->nended,
			     r->total,
			     r->count[ROTATE_ROTATED] + r->count[ROTATE_KEPT] +
				     r->count[ROTATE_FINISHED],
			     r->count[ROTATE_FAILED]);
}

/* The steps a device found at step s still goes through. */
static void
text_plan(const struct opts *o, const struct rotate_device *d)
{
	static const char *const what[] = {
		[ROTATE_NONE] = "make a new key pair beside the current one",
		[ROTATE_MADE] = "upload its public key as a further credential",
		[ROTATE_UPLOADED] = "log in to the broker with it",
		[ROTATE_VERIFIED] = "make it the device's key; update the manifest",
		[ROTATE_SWAPPED] = "delete the old credential",
	};
	/* A certificate device's first steps (rotate.h). */
	static const char *const what_x509[] = {
		[ROTATE_NONE] = "make a new key pair and certificate beside the current ones",
		[ROTATE_MADE] = "upload its certificate as a further credential",
	};
	int s;

	cmd_println_safe(stdout, "device %s: at step '%s', fingerprint %s", d->device_id,
			 rotate_step_name(d->from), d->old_fp);
	for (s = (int)d->from; s < ROTATE_DONE; s++) {
		if ((s == ROTATE_UPLOADED && !o->verify_login) ||
		    (s == ROTATE_SWAPPED && o->r.keep_old) || (o->r.finish && s < ROTATE_SWAPPED))
			continue;
		printf("  %s\n",
		       d->cert_path[0] != '\0' && s <= ROTATE_MADE ? what_x509[s] : what[s]);
	}
}

static void
text_device(const struct opts *o, const struct rotate_device *d)
{
	if (d->outcome == ROTATE_FAILED) {
		cmd_fail(&d->err);
		return;
	}
	if (d->outcome == ROTATE_PLANNED) {
		text_plan(o, d);
		return;
	}
	printf("%-11s %s", outcome_name[d->outcome], d->device_id);
	if (d->new_fp[0] != '\0' && d->outcome != ROTATE_NOT_STARTED)
		printf("  %.12s -> %.12s", d->old_fp, d->new_fp);
	if (d->credential_id[0] != '\0' && d->outcome != ROTATE_NOT_STARTED)
		printf("  credential %s", d->credential_id);
	putchar('\n');
	cmd_print_note(stdout, 12, d->note);
	fflush(stdout);
}

static void
text_summary(const struct result *r, int dry_run)
{
	const size_t *c = r->count;

	if (dry_run) {
		printf("dry run: %zu of %zu %s to rotate, %zu unchanged, %zu failed; nothing "
		       "changed\n",
		       c[ROTATE_PLANNED], r->total, cmd_plural(r->total, "device", "devices"),
		       c[ROTATE_UNCHANGED], c[ROTATE_FAILED]);
		return;
	}
	printf("%zu %s: %zu rotated, %zu with the old credential kept, %zu finished, %zu "
	       "unchanged, %zu not started, %zu failed\n",
	       r->total, cmd_plural(r->total, "device", "devices"), c[ROTATE_ROTATED],
	       c[ROTATE_KEPT], c[ROTATE_FINISHED], c[ROTATE_UNCHANGED], c[ROTATE_NOT_STARTED],
	       c[ROTATE_FAILED]);
	cmd_println_safe(stdout, "journal      %s", r->journal);
	/* A rerun changes nothing by design: say how to rotate again, lest it seem to have. */
	if (r->total > 0 && c[ROTATE_UNCHANGED] == r->total)
		puts("hint: this journal's rotation is done for every device; to rotate them "
		     "again, name a new journal with --journal");
}

static json_t *
json_device(const struct rotate_device *d)
{
	json_t *j = json_pack("{ss ss ss ss}", "device_id", d->device_id, "outcome",
			      outcome_name[d->outcome], "step", rotate_step_name(d->step),
			      "old_fingerprint", d->old_fp);

	if (d->outcome == ROTATE_PLANNED)
		json_object_set_new(j, "from_step", json_string(rotate_step_name(d->from)));
	if (d->new_fp[0] != '\0')
		json_object_set_new(j, "new_fingerprint", json_string(d->new_fp));
	if (d->new_algorithm[0] != '\0')
		json_object_set_new(j, "algorithm", json_string(d->new_algorithm));
	if (d->akenza_id[0] != '\0')
		json_object_set_new(j, "akenza_device_id", json_string(d->akenza_id));
	if (d->credential_id[0] != '\0')
		json_object_set_new(j, "credential_id", json_string(d->credential_id));
	if (d->note[0] != '\0')
		json_object_set_new(j, "note", json_string(d->note));
	if (d->outcome == ROTATE_FAILED)
		cmd_json_error(j, &d->err, d->http_status);
	return j;
}

static void
json_result(const struct result *r, int dry_run)
{
	json_t *devices = json_array(), *j;
	size_t i;

	for (i = 0; i < r->nended; i++)
		json_array_append_new(devices, json_device(r->ended[i]));
	j = json_pack("{so si si si si si si si sb ss}", "devices", devices, "total", (int)r->total,
		      "rotated", (int)r->count[ROTATE_ROTATED], "kept_old",
		      (int)r->count[ROTATE_KEPT], "finished", (int)r->count[ROTATE_FINISHED],
		      "unchanged", (int)r->count[ROTATE_UNCHANGED], "not_started",
		      (int)r->count[ROTATE_NOT_STARTED], "failed", (int)r->count[ROTATE_FAILED],
		      "dry_run", dry_run, "journal", r->journal);
	cmd_json_run(j, r->status, r->error);
	cmd_print_json(j, JSON_INDENT(2));
	json_decref(j);
}

static void
on_ended(void *arg, struct rotate_device *d)
{
	struct rotate_cmd *s = arg;
	struct result *r = &s->r;

	r->ended[r->nended++] = d;
	r->count[d->outcome]++;
	if (!s->o->json) {
		cmd_progress_clear(&s->progress);
		text_device(s->o, d);
	}
	progress_show(s);
}

/* ---- --verify-login ------------------------------------------------------------ */

/* A broker login (CONNECT, CONNACK accepted) with a token from the key at private_path. */
static int
verify_login(void *arg, const struct rotate_device *d, const char *private_path, struct err *e)
{
	const struct opts *o = ((struct rotate_cmd *)arg)->o;
	struct jwt_mint_opts mo = {.device_id = d->device_id, .ttl = JWT_TTL_DEFAULT};
	struct mqtt_result mr;
	struct key k = KEY_INIT;
	char *token = NULL;
	size_t len;
	int rc;

	if (key_load_file(&k, private_path, o->r.pp, e) != 0)
		return -1;
	rc = jwt_mint(&k, &mo, &token, &len, e);
	key_clear(&k);
	if (rc != 0)
		return -1;
	{
		struct mqtt_opts m = {
			.host = o->host,
			.port = MQTT_PORT(o->port, o->plaintext),
			.ca_file = o->ak.ca_file,
			.ca_path = o->ca_path,
			.plaintext = o->plaintext,
			.client_id = d->device_id,
			.username = "unused",
			.password = token,
			.timeout_ms = (long)o->api.timeout * 1000,
		};

		memset(&mr, 0, sizeof(mr));
		rc = mqtt_check(&m, &mr, e);
	}
	sodium_free(token);
	if (rc != 0)
		return err_prefix(e, "the broker refused the new key, which stays beside the old "
				     "one");
	return 0;
}

/* ---- the run ----------------------------------------------------------------- */

/*
 * The status of a run in which some devices failed: 1, unless akenza was
 * never reached -- every device failed with a network or TLS error -- which
 * is the network failure (5, or 6 if all were TLS), as register says it.
 */
static enum ak_status
batch_status(const struct result *r)
{
	enum ak_status st = AK_OK;
	size_t i;

	for (i = 0; i < r->nended; i++) {
		const struct rotate_device *d = r->ended[i];

		if (d->outcome == ROTATE_UNCHANGED || d->outcome == ROTATE_NOT_STARTED)
			continue;
		if (d->outcome != ROTATE_FAILED ||
		    (d->err.status != AK_NETWORK && d->err.status != AK_TLS))
			return AK_NEGATIVE;
		st = st == AK_OK || st == d->err.status ? d->err.status : AK_NETWORK;
	}
	return st == AK_OK ? AK_NEGATIVE : st;
}

static int
rotate_cmd_run(struct rotate_cmd *s)
{
	struct opts *o = s->o;
	struct result *r = &s->r;
	struct rotate_batch *b = NULL;
	struct err e = ERR_INIT;
	char *api_key = NULL;
	size_t n;
	int status;

	o->r.ended = on_ended;
	o->r.arg = s;
	if (o->verify_login)
		o->r.verify = verify_login;
	/* A dry run reads the manifest and the journal, and sends nothing: no key. */
	if (!o->r.dry_run && (status = cmd_api_key(&o->api, &api_key)) != AK_OK)
		return status;
	o->r.ak.api_key = api_key;
	if (rotate_load(&o->r, &b, &e) != 0) {
		status = cmd_fail(&e);
		goto out;
	}
	rotate_devices(b, &n);
	r->total = n;
	r->journal = rotate_journal_path(b);
	if ((r->ended = calloc(n ? n : 1, sizeof(*r->ended))) == NULL) {
		status = cmd_error(AK_INTERNAL, "out of memory");
		goto out;
	}
	if (rotate_run(b, &e) != 0) {
		cmd_progress_clear(&s->progress);
		r->status = cmd_stopped(&e, r->total, r->nended);
		r->error = e.msg;
	} else if (r->count[ROTATE_FAILED] > 0) {
		r->status = batch_status(r);
	}
	cmd_progress_clear(&s->progress);
	if (o->json)
		json_result(r, o->r.dry_run);
	else
		text_summary(r, o->r.dry_run);
	status = r->status;
out:
	rotate_free(b);
	o->r.ak.api_key = NULL;
	if (api_key != NULL)
		sodium_free(api_key);
	return status;
}

static int
cmd_rotate_exec(void *opts, int argc, char **argv)
{
	struct opts *o = opts;
	struct rotate_cmd s = {.o = o};
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((status = cmd_check_rsa_bits(o->r.type)) != AK_OK ||
	    (status = cmd_api_setup(&o->api, &o->ak)) != AK_OK)
		return status;
	if (!o->verify_login && (cmd_given("host") || cmd_given("port") || cmd_given("ca-path") ||
				 cmd_given("plaintext")))
		return cmd_usage_error("the broker options go with --verify-login");
	if (cmd_given("expires"))
		o->r.expiration = timeutil_iso8601(o->expires, o->expiration);
	o->r.bits = (int)o->bits;
	o->r.days = (int)o->days;
	o->r.pp = &o->pp;
	o->r.ak = o->ak;
	status = rotate_cmd_run(&s);
	free(s.r.ended);
	passphrase_clear(&o->pp);
	return status;
}

const struct cmd_entry cmd_rotate_entry = {
	.name = "rotate",
	.summary = "give every device of a manifest a new key pair, nobody locked out",
	.usage = "--manifest FILE --workspace-id ID [--keep-old | --finish] [--verify-login "
		 "[broker options]] [options]",
	CMD_OPTIONS(options, struct opts),
	.flags = CMD_SECRETS,
	.exec = cmd_rotate_exec,
};
