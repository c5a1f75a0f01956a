/*
 * akcred credentials list|revoke: what akenza holds for a device -- each
 * credential with its fingerprint, expiration and creation, the local key's
 * marked -- and deleting one, or a compromised batch's from a list of
 * fingerprints, never a device's last credential unless forced.  Both go
 * through the akenza module's engine with register's look-up, retries and
 * back-off; a batch revoke keeps a results journal and can be run again.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "akenza.h"
#include "cmd.h"
#include "devid.h"
#include "fileio.h"
#include "journal.h"
#include "jwt.h"
#include "key.h"
#include "manifest.h"
#include "results.h"
#include "timeutil.h"
#include "banned.h"

#define REVOKED_NAME "revoked.csv"
#define REGISTERED_NAME "registered.csv"
#define FINGERPRINTS_MAX (16 * 1024 * 1024) /* a --fingerprints file: 200,000 kids and more */

/* --- shared ------------------------------------------------------------------ */

/* A device of either command. */
struct item {
	struct akenza_device d; /* first: on_done() finds its item from it */
	char device_id[DEVID_MAX + 1];
	char fingerprint[KEY_FINGERPRINT_HEX + 1]; /* the local key (list), the one to revoke */
	int failed;                                /* here, before any request */
	int skipped;                               /* in the results journal */
	int ended;
	struct err err; /* why it failed: here, or akenza's answer (d.err) */
};

struct items {
	struct item *v;
	size_t n, cap;
};

static struct item *
item_new(struct items *l, const char *device_id)
{
	struct item *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return NULL;
		l->v = nv;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	snprintf(l->v[l->n].device_id, sizeof(l->v[l->n].device_id), "%s", device_id);
	return &l->v[l->n++];
}

static void
items_free(struct items *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		akenza_device_clear(&l->v[i].d);
	free(l->v);
}

/* After the items are all there (they move no more): each device points at its own fields. */
static void
items_bind(struct items *l, enum akenza_op op)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		l->v[i].d.device_id = l->v[i].device_id;
		l->v[i].d.fingerprint = l->v[i].fingerprint;
		l->v[i].d.op = op;
	}
}

/* A kid given by the user: 64 hex digits, taken in lowercase as akenza writes them. */
static int
parse_kid(const char *s, char kid[KEY_FINGERPRINT_HEX + 1])
{
	size_t i, n = strlen(s);

	if (n != KEY_FINGERPRINT_HEX)
		return -1;
	for (i = 0; i < n; i++)
		kid[i] = (char)tolower((unsigned char)s[i]);
	kid[n] = '\0';
	return jwt_kid_format_ok(kid) ? 0 : -1;
}

/* akenza ids from the results file register keeps next to a manifest: no look-up for them. */
static int
known_akenza_ids(struct items *l, const char *path, struct err *e)
{
	struct results known = RESULTS_INIT;
	const char *aid;
	size_t i;

	if (results_load(&known, NULL, path, &results_registered, e) != 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		results_find(&known, l->v[i].device_id, "", &aid);
		if (aid != NULL && l->v[i].d.akenza_id[0] == '\0')
			snprintf(l->v[i].d.akenza_id, sizeof(l->v[i].d.akenza_id), "%s", aid);
	}
	results_clear(&known);
	return 0;
}

/*
 * The status of a run in which some devices failed: a single device's own,
 * else 1 -- unless every device sent to akenza failed to reach it, which is
 * the network (or TLS) failure any command that cannot reach its server
 * reports.
 */
static enum ak_status
failed_status(const struct items *l)
{
	enum ak_status st = AK_OK;
	size_t i, nsent = 0;

	if (l->n == 1)
		return l->v[0].err.status;
	for (i = 0; i < l->n; i++) {
		const struct item *it = &l->v[i];

		if (it->skipped || (it->failed && it->d.outcome == AKENZA_PENDING))
			continue;
		nsent++;
		if (it->d.outcome != AKENZA_FAILED ||
		    (it->err.status != AK_NETWORK && it->err.status != AK_TLS))
			return AK_NEGATIVE;
		st = st == AK_OK || st == it->err.status ? it->err.status : AK_NETWORK;
	}
	return nsent > 0 ? st : AK_NEGATIVE;
}

/*
 * Send the pending items to akenza, done called for each device as it ends:
 * AK_OK once akenza_run() has run -- to the end, or until what *stopped says
 * (not said yet) stopped it -- else the status of an API key that cannot be
 * used (said), nothing sent.
 */
static int
send_items(struct items *l, const struct cmd_api *api, struct akenza_config *ak,
	   void (*done)(struct akenza_device *, void *), void *arg, struct err *stopped)
{
	struct akenza_device **pending;
	char *api_key = NULL;
	size_t i, n = 0;
	int status = AK_OK;

	if ((pending = calloc(l->n ? l->n : 1, sizeof(*pending))) == NULL)
		return cmd_error(AK_INTERNAL, "out of memory");
	for (i = 0; i < l->n; i++)
		if (!l->v[i].failed && !l->v[i].skipped)
			pending[n++] = &l->v[i].d;
	if (n > 0 && (status = cmd_api_key(api, &api_key)) == AK_OK) {
		ak->api_key = api_key;
		ak->done = done;
		ak->arg = arg;
		(void)akenza_run(ak, pending, n, stopped); /* -1: *stopped says why */
		ak->api_key = NULL;
		sodium_free(api_key);
	}
	free(pending);
	return status;
}

/*
 * The kids of a --fingerprints file, sorted: one a line, blank lines and
 * '#' comments skipped, spaces around and a CR at the end ignored.
 */
struct kids {
	char (*v)[KEY_FINGERPRINT_HEX + 1];
	size_t n;
};

static int
kid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The devices of a manifest, each with its key's fingerprint -- with kids,
 * only those whose key it lists (sorted; used[i] set for each kid found) --
 * and the akenza ids register recorded next to it.  A bad row fails on its
 * own: it could be a listed device's.  results (if not NULL) is the batch's
 * own results file.
 */
struct manifest_loading {
	struct items *l;
	const struct kids *kids;
	unsigned char *used;
};

static int
manifest_item(void *arg, const struct manifest *m, const char *name, const struct manifest_row *row,
	      const struct err *bad, struct err *e)
{
	struct manifest_loading *ml = arg;
	const char(*hit)[KEY_FINGERPRINT_HEX + 1] = NULL;
	struct item *it;

	(void)m;
	if (bad == NULL && ml->kids != NULL &&
	    (hit = bsearch(row->fingerprint, ml->kids->v, ml->kids->n, sizeof(*ml->kids->v),
			   kid_cmp)) == NULL)
		return 0;
	if ((it = item_new(ml->l, name)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (bad != NULL) { /* it could be a listed device's: it fails on its own */
		it->failed = 1;
		it->err = *bad;
		return 0;
	}
	if (hit != NULL)
		ml->used[hit - ml->kids->v] = 1;
	snprintf(it->fingerprint, sizeof(it->fingerprint), "%s", row->fingerprint);
	return 0;
}

static int
load_manifest(struct items *l, const char *path, const struct kids *kids, unsigned char *used,
	      const struct manifest_file *results, struct err *e)
{
	struct manifest_loading ml = {l, kids, used};
	char *registered = NULL;
	struct manifest_file files[3] = {{REGISTERED_NAME, &registered}};
	int rc;

	if (results != NULL)
		files[1] = *results;
	rc = manifest_load(path, manifest_item, &ml, files, e);
	if (rc == 0)
		rc = known_akenza_ids(l, registered, e);
	free(registered);
	return rc;
}

/* --- list -------------------------------------------------------------------- */

struct list_opts {
	const char *manifest, *device_id, *key_path;
	long within;
	int json;
	struct cmd_api api;
	struct akenza_config ak;
};

static const struct cmd_option list_options[] = {
	CMD_OPT("device-id", CMD_STRING, struct list_opts, device_id, "ID", NULL,
		"the device whose credentials to list"),
	CMD_OPT("manifest", CMD_STRING, struct list_opts, manifest, "FILE", "@file",
		"every device of a manifest, its key's credential marked", .excludes = "device-id"),
	CMD_OPT("key", CMD_STRING, struct list_opts, key_path, "FILE", "@file",
		"the device's key (public or private, or a certificate): its credential marked",
		.needs = "device-id"),
	CMD_OPT("expiring-within", CMD_DURATION, struct list_opts, within, "DURATION", "7d 30d",
		"only credentials that expire within DURATION (or have): exit 1 if any"),
	CMD_API_OPTIONS(struct list_opts),
	CMD_OPT("json", CMD_FLAG, struct list_opts, json, NULL, NULL,
		"print one JSON object, each device with its list"),
	CMD_OPT_END,
};

/*
 * What list computes, which the text and the JSON renderers print: the
 * devices that have an outcome -- all of them, unless the run stopped.
 */
struct listing {
	const struct items *l;
	time_t now;
	int filter; /* --expiring-within */
	long within;
	size_t shown, failed;
	const char *error; /* what stopped the run, or NULL */
};

/* Listed, failed at akenza or failed here: not a device a stopped run did not reach. */
static int
has_outcome(const struct item *it)
{
	return it->ended || it->failed;
}

static int
shown(const struct listing *r, const struct akenza_credential *c)
{
	return !r->filter || (c->has_expires && c->expires <= r->now + r->within);
}

static int
is_local(const struct item *it, const struct akenza_credential *c)
{
	return it->fingerprint[0] != '\0' && akenza_credential_matches(c, it->fingerprint, NULL);
}

static const char *
or_dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

static void
list_text(const struct listing *r)
{
	char rel[TIMEUTIL_REL_LEN], dur[32];
	size_t i, k, n;

	for (i = 0; i < r->l->n; i++) {
		const struct item *it = &r->l->v[i];
		const struct akenza_device *d = &it->d;

		if (!has_outcome(it))
			continue;
		if (it->err.status != AK_OK) {
			cmd_fail(&it->err);
			continue;
		}
		for (k = n = 0; k < d->ncreds; k++)
			n += shown(r, &d->creds[k]);
		if (r->filter && n == 0)
			continue;
		cmd_println_safe(stdout, "device %s (akenza %s): %zu %s%s", it->device_id,
				 d->akenza_id, n, cmd_plural(n, "credential", "credentials"),
				 r->filter ? " expiring" : "");
		for (k = 0; k < d->ncreds; k++) {
			const struct akenza_credential *c = &d->creds[k];

			if (!shown(r, c))
				continue;
			cmd_println_safe(stdout, "  %s  %s  %s  expires %s%s%s%s  created %s%s",
					 c->id, or_dash(c->name), or_dash(c->algorithm),
					 c->expiration[0] != '\0' ? c->expiration : "never",
					 c->has_expires ? " (" : "",
					 c->has_expires ? timeutil_relative(c->expires, r->now, rel,
									    sizeof(rel))
							: "",
					 c->has_expires ? ")" : "", or_dash(c->created),
					 is_local(it, c) ? "  (the local key)" : "");
			cmd_println_safe(stdout, "      fingerprint %s", or_dash(c->fingerprint));
		}
	}
	if (r->filter)
		printf("%zu %s %s within %s\n", r->shown,
		       cmd_plural(r->shown, "credential", "credentials"),
		       r->shown == 1 ? "expires" : "expire",
		       timeutil_duration(r->within, dur, sizeof(dur)));
}

static json_t *
opt_string(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
list_json_device(const struct listing *r, const struct item *it)
{
	const struct akenza_device *d = &it->d;
	json_t *j = json_pack("{ss}", "device_id", it->device_id), *a, *c;
	size_t k;

	if (it->err.status != AK_OK) {
		cmd_json_error(j, &it->err, d->http_status);
		return j;
	}
	json_object_set_new(j, "akenza_device_id", json_string(d->akenza_id));
	if (it->fingerprint[0] != '\0')
		json_object_set_new(j, "local_fingerprint", json_string(it->fingerprint));
	a = json_array();
	for (k = 0; k < d->ncreds; k++) {
		const struct akenza_credential *e = &d->creds[k];

		if (!shown(r, e))
			continue;
		c = json_pack("{ss so so so so so so sb}", "id", e->id, "name", opt_string(e->name),
			      "algorithm", opt_string(e->algorithm), "fingerprint",
			      opt_string(e->fingerprint), "kid", opt_string(e->kid), "expiration",
			      opt_string(e->expiration), "created", opt_string(e->created), "local",
			      is_local(it, e));
		json_array_append_new(a, c);
	}
	json_object_set_new(j, "credentials", a);
	return j;
}

static int
list_json(const struct listing *r, enum ak_status status)
{
	json_t *devices = json_array(), *j;
	size_t i;
	int rc;

	for (i = 0; i < r->l->n; i++)
		if (has_outcome(&r->l->v[i]))
			json_array_append_new(devices, list_json_device(r, &r->l->v[i]));
	j = json_pack("{so si si}", "devices", devices, "total", (int)r->l->n, "failed",
		      (int)r->failed);
	if (r->filter) {
		json_object_set_new(j, "expiring_within", json_integer(r->within));
		json_object_set_new(j, "expiring", json_integer((json_int_t)r->shown));
	}
	cmd_json_run(j, status, r->error);
	rc = cmd_print_json(j, JSON_INDENT(2));
	json_decref(j);
	return rc;
}

static void
list_done(struct akenza_device *d, void *arg)
{
	struct item *it = (struct item *)(void *)d; /* d is the first member of its item */

	(void)arg;
	it->ended = 1;
	if (d->outcome != AKENZA_LISTED)
		it->err = d->err;
}

static int
list_load(struct items *l, const struct list_opts *o, struct err *e)
{
	struct item *it;
	struct key k = KEY_INIT;

	if (o->manifest != NULL)
		return load_manifest(l, o->manifest, NULL, NULL, NULL, e);
	if ((it = item_new(l, o->device_id)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (o->api.akenza_id != NULL)
		snprintf(it->d.akenza_id, sizeof(it->d.akenza_id), "%s", o->api.akenza_id);
	if (o->key_path != NULL) {
		if (key_load_file(&k, o->key_path, NULL, e) != 0 ||
		    key_fingerprint(&k, it->fingerprint, e) != 0) {
			key_clear(&k);
			return -1;
		}
		key_clear(&k);
	}
	return 0;
}

static int
cmd_credentials_list_exec(void *opts, int argc, char **argv)
{
	struct list_opts *o = opts;
	struct items l = {0};
	struct listing r = {.l = &l, .now = time(NULL)};
	enum ak_status status;
	struct err e = ERR_INIT, stopped = ERR_INIT;
	size_t i, k, nended = 0;
	int rc;

	(void)argc;
	(void)argv;
	if ((o->manifest != NULL) == (o->device_id != NULL))
		return cmd_usage_error("give either --device-id ID or --manifest FILE");
	if (o->device_id != NULL && devid_check(o->device_id, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if ((rc = cmd_api_setup(&o->api, &o->ak)) != AK_OK)
		return rc;
	r.filter = cmd_given("expiring-within");
	r.within = o->within;
	if (list_load(&l, o, &e) != 0) {
		items_free(&l);
		return cmd_fail(&e);
	}
	items_bind(&l, AKENZA_OP_LIST);
	if ((rc = send_items(&l, &o->api, &o->ak, list_done, NULL, &stopped)) != AK_OK) {
		items_free(&l);
		return rc;
	}
	for (i = 0; i < l.n; i++) {
		nended += has_outcome(&l.v[i]);
		r.failed += l.v[i].err.status != AK_OK;
		for (k = 0; k < l.v[i].d.ncreds; k++)
			r.shown += r.filter && shown(&r, &l.v[i].d.creds[k]);
	}
	/* A stopped run still shows what it listed, as register shows what it did. */
	if (stopped.status != AK_OK) {
		status = cmd_stopped(&stopped, l.n, nended);
		r.error = stopped.msg;
	} else if (r.failed > 0) {
		status = failed_status(&l);
	} else {
		status = r.filter && r.shown > 0 ? AK_NEGATIVE : AK_OK;
	}
	if (o->json)
		rc = list_json(&r, status);
	else
		list_text(&r);
	items_free(&l);
	return rc != AK_OK ? rc : (int)status;
}

static const struct cmd_entry cmd_credentials_list_entry = {
	.name = "list",
	.summary = "list the credentials akenza holds for devices, the local key's marked",
	.usage = "--device-id ID [--key FILE] (--workspace-id ID | --akenza-device-id ID)\n"
		 "\t[--expiring-within DURATION] [options] [--json]\n"
		 "--manifest FILE --workspace-id ID [--expiring-within DURATION] [options] "
		 "[--json]",
	CMD_OPTIONS(list_options, struct list_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_credentials_list_exec,
};

/* --- revoke ------------------------------------------------------------------ */

struct revoke_opts {
	const char *device_id, *fingerprint, *credential_id, *manifest, *fingerprints, *results;
	int force, dry_run, json;
	struct cmd_api api;
	struct akenza_config ak;
};

static const struct cmd_option revoke_options[] = {
	CMD_OPT("device-id", CMD_STRING, struct revoke_opts, device_id, "ID", NULL,
		"the device whose credential to delete"),
	CMD_OPT("fingerprint", CMD_STRING, struct revoke_opts, fingerprint, "KID", NULL,
		"the credential of this key (its 64-hex-digit kid)", .needs = "device-id"),
	CMD_OPT("credential-id", CMD_STRING, struct revoke_opts, credential_id, "ID", NULL,
		"the credential with this akenza id", .needs = "device-id",
		.excludes = "fingerprint"),
	CMD_OPT("manifest", CMD_STRING, struct revoke_opts, manifest, "FILE", "@file",
		"the devices of a manifest ...", .excludes = "device-id", .needs = "fingerprints"),
	CMD_OPT("fingerprints", CMD_STRING, struct revoke_opts, fingerprints, "FILE", "@file",
		"... whose keys this file lists (one kid a line)", .needs = "manifest"),
	CMD_OPT("results", CMD_STRING, struct revoke_opts, results, "FILE", "@file",
		"results file (default revoked.csv next to the manifest)", .needs = "manifest"),
	CMD_OPT("force", CMD_FLAG, struct revoke_opts, force, NULL, NULL,
		"delete a device's last credential too (it can no longer connect)"),
	CMD_API_OPTIONS(struct revoke_opts),
	CMD_OPT("dry-run", CMD_FLAG, struct revoke_opts, dry_run, NULL, NULL,
		"show the requests, send nothing"),
	CMD_OPT("json", CMD_FLAG, struct revoke_opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

/* What became of a device: its "outcome" in --json, the first word of its line. */
enum outcome { OUT_REVOKED, OUT_GONE, OUT_SKIPPED, OUT_FAILED, OUT_DRY_RUN };

static const char *const outcome_name[] = {
	[OUT_REVOKED] = "revoked", [OUT_GONE] = "gone",       [OUT_SKIPPED] = "skipped",
	[OUT_FAILED] = "failed",   [OUT_DRY_RUN] = "dry-run",
};

struct revoke {
	struct revoke_opts *o;
	struct items l;
	struct journal results;
	char *results_path;
	struct err results_err; /* first failure to record a result */
	struct err stopped;     /* what stopped the run */
	size_t count[OUT_DRY_RUN + 1];
	json_t *devices; /* --json */
};

static enum outcome
outcome_of(const struct item *it)
{
	if (it->skipped)
		return OUT_SKIPPED;
	if (it->err.status != AK_OK)
		return OUT_FAILED;
	return it->d.outcome == AKENZA_DELETED ? OUT_REVOKED : OUT_GONE;
}

/* A device's requests in a dry run; "{akenzaDeviceId}" is what the look-up gives. */
static void
revoke_plan(const struct revoke *s, const struct item *it)
{
	const struct akenza_config *c = &s->o->ak;
	const char *aid = it->d.akenza_id[0] != '\0' ? it->d.akenza_id : "{akenzaDeviceId}";
	char *u = NULL;

	if (it->d.delete_id != NULL)
		cmd_println_safe(stdout, "device %s: credential %s", it->device_id,
				 it->d.delete_id);
	else
		cmd_println_safe(stdout, "device %s: the credential of fingerprint %s",
				 it->device_id, it->fingerprint);
	if (it->d.akenza_id[0] == '\0')
		cmd_println_safe(stdout, "  GET    %s" AKENZA_PATH_LOOKUP, c->api_url,
				 c->workspace_id, it->device_id);
	if (asprintf(&u, "%s" AKENZA_PATH_CREDENTIALS, c->api_url, aid) < 0)
		return;
	cmd_println_safe(stdout, "  GET    %s", u);
	cmd_println_safe(stdout, "  DELETE %s/%s%s", u,
			 it->d.delete_id != NULL ? it->d.delete_id : "{credentialId}",
			 it->d.allow_last ? "" : " (unless it is the device's last credential)");
	free(u);
}

static json_t *
revoke_json_device(const struct item *it, enum outcome out)
{
	const struct akenza_device *d = &it->d;
	json_t *j = json_pack("{ss ss}", "device_id", it->device_id, "outcome", outcome_name[out]);

	if (it->fingerprint[0] != '\0')
		json_object_set_new(j, "fingerprint", json_string(it->fingerprint));
	if (d->akenza_id[0] != '\0')
		json_object_set_new(j, "akenza_device_id", json_string(d->akenza_id));
	if (d->credential_id[0] != '\0' || d->delete_id != NULL)
		json_object_set_new(j, "credential_id",
				    json_string(d->credential_id[0] != '\0' ? d->credential_id
									    : d->delete_id));
	if (d->note[0] != '\0')
		json_object_set_new(j, "note", json_string(d->note));
	if (out == OUT_FAILED)
		cmd_json_error(j, &it->err, d->http_status);
	return j;
}

/* A device has its outcome: counted, and shown at once in text. */
static void
revoke_ended(struct revoke *s, struct item *it, enum outcome out)
{
	const struct akenza_device *d = &it->d;

	it->ended = 1;
	s->count[out]++;
	if (s->o->json) {
		json_array_append_new(s->devices, revoke_json_device(it, out));
		return;
	}
	if (out == OUT_FAILED) {
		cmd_fail(&it->err);
	} else if (out == OUT_DRY_RUN) {
		revoke_plan(s, it);
	} else if (out != OUT_SKIPPED || s->l.n == 1) {
		if (out == OUT_REVOKED)
			cmd_println_safe(stdout, "%-8s %s  credential %s", outcome_name[out],
					 it->device_id, d->credential_id);
		else if (out == OUT_GONE)
			cmd_println_safe(stdout, "%-8s %s  akenza holds no such credential",
					 outcome_name[out], it->device_id);
		else
			cmd_println_safe(stdout, "%-8s %s  (in %s)", outcome_name[out],
					 it->device_id, s->results_path);
		cmd_print_note(stdout, 9, d->note);
	}
	/* Line by line, also into a pipe: a watcher sees progress, a kill loses nothing shown. */
	fflush(stdout);
}

static void
revoke_done(struct akenza_device *d, void *arg)
{
	struct revoke *s = arg;
	struct item *it = (struct item *)(void *)d; /* d is the first member of its item */

	switch (d->outcome) {
	case AKENZA_DELETED:
	case AKENZA_GONE:
		/* Done either way: recorded, so that a rerun passes over it. */
		if (s->results.fd >= 0 && s->results_err.status == AK_OK)
			results_append(&s->results, it->device_id, d->akenza_id, d->credential_id,
				       it->fingerprint, time(NULL), &s->results_err);
		break;
	case AKENZA_LAST:
		err_set(&it->err, AK_NEGATIVE,
			"device '%s': credential %s is its last one: without it the device "
			"cannot connect; not deleted (--force deletes it)",
			it->device_id, d->credential_id);
		break;
	default:
		it->err = d->err;
		break;
	}
	revoke_ended(s, it, outcome_of(it));
}

static int
kids_read(struct kids *k, const char *path, struct err *e)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	const char *p, *end, *nl, *s, *t;
	char line[KEY_FINGERPRINT_HEX + 1];
	unsigned long lineno = 0;
	size_t cap = 0;
	void *nv;

	if (fileio_read(path, FINGERPRINTS_MAX, &b, e) != 0)
		return -1;
	p = (const char *)b.data;
	end = p + b.len;
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		for (s = p; s < nl && (*s == ' ' || *s == '\t'); s++)
			;
		for (t = nl; t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'); t--)
			;
		if (s == t || *s == '#')
			continue;
		if (k->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(k->v, cap * sizeof(*k->v))) == NULL) {
				fileio_buf_clear(&b);
				return err_set(e, AK_INTERNAL, "out of memory");
			}
			k->v = nv;
		}
		if (t - s == KEY_FINGERPRINT_HEX)
			memcpy(line, s, KEY_FINGERPRINT_HEX);
		line[t - s == KEY_FINGERPRINT_HEX ? KEY_FINGERPRINT_HEX : 0] = '\0';
		if (parse_kid(line, k->v[k->n]) != 0) {
			fileio_buf_clear(&b);
			return err_set(e, AK_INPUT,
				       "'%s' line %lu: not a fingerprint (64 hex digits)", path,
				       lineno);
		}
		k->n++;
	}
	fileio_buf_clear(&b);
	if (k->n == 0)
		return err_set(e, AK_INPUT, "'%s' lists no fingerprints", path);
	qsort(k->v, k->n, sizeof(*k->v), kid_cmp);
	return 0;
}

/* The manifest's devices whose key is listed; kids that no device has fail on their own. */
static int
revoke_load_manifest(struct revoke *s, struct err *e)
{
	const struct manifest_file results = {REVOKED_NAME, &s->results_path};
	struct kids k = {0};
	struct item *it;
	unsigned char *used = NULL;
	size_t i;
	int rc = -1;

	if (kids_read(&k, s->o->fingerprints, e) != 0)
		goto out;
	if ((used = calloc(k.n, 1)) == NULL) {
		err_set(e, AK_INTERNAL, "out of memory");
		goto out;
	}
	if (load_manifest(&s->l, s->o->manifest, &k, used, &results, e) != 0)
		goto out;
	for (i = 0; i < k.n; i++) {
		if (used[i])
			continue;
		if ((it = item_new(&s->l, "(none)")) == NULL) {
			err_set(e, AK_INTERNAL, "out of memory");
			goto out;
		}
		snprintf(it->fingerprint, sizeof(it->fingerprint), "%s", k.v[i]);
		it->failed = 1;
		err_set(&it->err, AK_INPUT, "fingerprint %s: no device of '%s' has it", k.v[i],
			s->o->manifest);
	}
	rc = 0;
out:
	free(used);
	free(k.v);
	return rc;
}

/* The results journal: opened (and locked) for a run, only read by a dry run. */
static int
revoke_results(struct revoke *s, struct err *e)
{
	struct results done = RESULTS_INIT;
	size_t i;

	if (!s->o->dry_run && journal_open(&s->results, s->results_path, &results_revoked, e) != 0)
		return -1;
	if (results_load(&done, &s->results, s->results_path, &results_revoked, e) != 0)
		return -1;
	for (i = 0; i < s->l.n; i++)
		if (!s->l.v[i].failed &&
		    results_find(&done, s->l.v[i].device_id, s->l.v[i].fingerprint, NULL))
			s->l.v[i].skipped = 1;
	results_clear(&done);
	return 0;
}

static int
revoke_load(struct revoke *s, struct err *e)
{
	const struct revoke_opts *o = s->o;
	struct item *it;
	size_t i;

	if (o->results != NULL && (s->results_path = strdup(o->results)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (o->manifest != NULL) {
		if (revoke_load_manifest(s, e) != 0 || revoke_results(s, e) != 0)
			return -1;
	} else {
		if ((it = item_new(&s->l, o->device_id)) == NULL)
			return err_set(e, AK_INTERNAL, "out of memory");
		if (o->fingerprint != NULL)
			parse_kid(o->fingerprint, it->fingerprint); /* checked already */
		if (o->api.akenza_id != NULL)
			snprintf(it->d.akenza_id, sizeof(it->d.akenza_id), "%s", o->api.akenza_id);
	}
	items_bind(&s->l, AKENZA_OP_DELETE);
	for (i = 0; i < s->l.n; i++) {
		s->l.v[i].d.delete_id = o->credential_id;
		s->l.v[i].d.allow_last = o->force;
	}
	return 0;
}

static void
revoke_summary(const struct revoke *s, enum ak_status status)
{
	const size_t *c = s->count;
	json_t *j;

	if (s->o->json) {
		j = json_pack("{sO si si si si si}", "devices", s->devices, "total", (int)s->l.n,
			      "revoked", (int)c[OUT_REVOKED], "gone", (int)c[OUT_GONE], "skipped",
			      (int)c[OUT_SKIPPED], "failed", (int)c[OUT_FAILED]);
		if (s->results_path != NULL && !s->o->dry_run)
			json_object_set_new(j, "results", json_string(s->results_path));
		/* What stopped the run, as register names it: akenza, or the results file. */
		cmd_json_run(j, status,
			     s->stopped.status != AK_OK       ? s->stopped.msg
			     : s->results_err.status != AK_OK ? s->results_err.msg
							      : NULL);
		cmd_print_json(j, JSON_INDENT(2));
		json_decref(j);
	} else if (s->o->dry_run) {
		printf("dry run: %zu %s would be revoked, %zu skipped, %zu failed; "
		       "headers include x-api-key (not shown)\n",
		       c[OUT_DRY_RUN], cmd_plural(c[OUT_DRY_RUN], "credential", "credentials"),
		       c[OUT_SKIPPED], c[OUT_FAILED]);
	} else if (s->l.n > 1) {
		printf("%zu devices: %zu revoked, %zu already gone, %zu skipped (results file), "
		       "%zu failed\n",
		       s->l.n, c[OUT_REVOKED], c[OUT_GONE], c[OUT_SKIPPED], c[OUT_FAILED]);
	}
}

/* What the table's rules cannot say: 0, or a usage error (said). */
static int
revoke_check(struct revoke_opts *o)
{
	char kid[KEY_FINGERPRINT_HEX + 1];
	struct err e = ERR_INIT;

	if ((o->manifest != NULL) == (o->device_id != NULL))
		return cmd_usage_error(
			"give either --device-id ID (--fingerprint KID | "
			"--credential-id ID) or --manifest FILE --fingerprints FILE");
	if (o->device_id != NULL && o->fingerprint == NULL && o->credential_id == NULL)
		return cmd_usage_error("--device-id needs --fingerprint KID or --credential-id ID");
	if (o->device_id != NULL && devid_check(o->device_id, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if (o->fingerprint != NULL && parse_kid(o->fingerprint, kid) != 0)
		return cmd_usage_error("--fingerprint '%s' is not a kid (64 hex digits)",
				       o->fingerprint);
	if (o->credential_id != NULL && !akenza_plausible_id(o->credential_id))
		return cmd_usage_error("--credential-id '%s' is not an akenza id",
				       o->credential_id);
	return cmd_api_setup(&o->api, &o->ak);
}

static int
cmd_credentials_revoke_exec(void *opts, int argc, char **argv)
{
	struct revoke_opts *o = opts;
	struct revoke s = {.o = o,
			   .results = JOURNAL_INIT,
			   .results_err = ERR_INIT,
			   .stopped = ERR_INIT};
	enum ak_status status = AK_OK;
	struct err e = ERR_INIT;
	char *api_key = NULL;
	size_t i;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = revoke_check(o)) != AK_OK)
		return rc;
	if (o->json && (s.devices = json_array()) == NULL)
		return cmd_error(AK_INTERNAL, "out of memory");
	if (revoke_load(&s, &e) != 0) {
		rc = cmd_fail(&e);
		goto out;
	}
	/* Local failures and skips come first; the rest goes to akenza. */
	for (i = 0; i < s.l.n; i++)
		if (s.l.v[i].failed || s.l.v[i].skipped)
			revoke_ended(&s, &s.l.v[i], outcome_of(&s.l.v[i]));
	if (o->dry_run) {
		/* The run's own check of the key: a dry run that passes means the run can start. */
		if (s.count[OUT_FAILED] + s.count[OUT_SKIPPED] < s.l.n) {
			if ((rc = cmd_api_key(&o->api, &api_key)) != AK_OK)
				goto out;
			sodium_free(api_key);
		}
		for (i = 0; i < s.l.n; i++)
			if (!s.l.v[i].ended)
				revoke_ended(&s, &s.l.v[i], OUT_DRY_RUN);
	} else if ((rc = send_items(&s.l, &o->api, &o->ak, revoke_done, &s, &s.stopped)) != AK_OK) {
		goto out;
	} else if (s.stopped.status != AK_OK) {
		status = cmd_stopped(&s.stopped, s.l.n,
				     s.count[OUT_REVOKED] + s.count[OUT_GONE] +
					     s.count[OUT_SKIPPED] + s.count[OUT_FAILED]);
	}
	if (s.results_err.status != AK_OK) {
		cmd_fail(&s.results_err);
		if (status == AK_OK)
			status = s.results_err.status;
	}
	if (status == AK_OK && s.count[OUT_FAILED] > 0)
		status = failed_status(&s.l);
	revoke_summary(&s, status);
	rc = status;
out:
	json_decref(s.devices);
	journal_close(&s.results);
	free(s.results_path);
	items_free(&s.l);
	return rc;
}

static const struct cmd_entry cmd_credentials_revoke_entry = {
	.name = "revoke",
	.summary = "delete a device's credential at akenza, or a batch's by fingerprint",
	.usage = "--device-id ID (--fingerprint KID | --credential-id ID)\n"
		 "\t(--workspace-id ID | --akenza-device-id ID) [--force] [--dry-run] [options]\n"
		 "--manifest FILE --fingerprints FILE --workspace-id ID [--force] [--dry-run]\n"
		 "\t[options]",
	CMD_OPTIONS(revoke_options, struct revoke_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_credentials_revoke_exec,
};

static const struct cmd_entry *const credentials_children[] = {
	&cmd_credentials_list_entry,
	&cmd_credentials_revoke_entry,
	NULL,
};

const struct cmd_entry cmd_credentials_entry = {
	.name = "credentials",
	.summary = "list and revoke the credentials akenza holds for devices",
	.usage = "list|revoke [options]",
	.children = credentials_children,
};
