/*
 * akcred register: upload device public keys (or certificates) to akenza
 * through its REST API -- one device, or every device of a provisioning
 * manifest -- and record akenza's device and credential ids in a results file
 * next to the manifest, one fsynced row per device, so that an interrupted
 * batch can simply be run again: what is recorded, or what akenza already
 * lists with the same fingerprint, is not registered twice.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "akenza.h"
#include "cmd.h"
#include "devid.h"
#include "fileio.h"
#include "journal.h"
#include "key.h"
#include "manifest.h"
#include "results.h"
#include "timeutil.h"
#include "banned.h"

#define RESULTS_NAME "registered.csv"

/* What became of a device: its "outcome" in --json, the first word of its line. */
enum outcome { OUT_NONE, OUT_REGISTERED, OUT_PRESENT, OUT_SKIPPED, OUT_FAILED, OUT_DRY_RUN };

static const char *const outcome_name[] = {
	[OUT_NONE] = "none",       [OUT_REGISTERED] = "registered", [OUT_PRESENT] = "present",
	[OUT_SKIPPED] = "skipped", [OUT_FAILED] = "failed",         [OUT_DRY_RUN] = "dry-run",
};

struct item {
	struct akenza_device d; /* first: on_done() finds its item from it */
	char device_id[DEVID_MAX + 1];
	char fingerprint[KEY_FINGERPRINT_HEX + 1];
	char sha1[41];
	char path[MANIFEST_PATH_MAX + 1];
	const char *algorithm;
	char *pem;
	int skipped;    /* already in the results file */
	int failed;     /* local failure before any request */
	struct err err; /* why it failed: here, or akenza's answer (d.err) */
	/* Its result: the outcome, and for a dry run the requests it would make. */
	enum outcome outcome;
	char *lookup_url;      /* NULL: its akenza id is known, no look-up */
	char *create_body;     /* NULL: a missing device is not created */
	char *credentials_url; /* listed (GET), then added (POST) */
	char *add_body;
};

struct items {
	struct item *v;
	size_t n, cap;
};

struct opts {
	const char *manifest, *device_id, *public_path, *results;
	time_t expires;
	char expiration[TIMEUTIL_ISO_LEN]; /* expires, as akenza takes it */
	int dry_run, json;
	struct cmd_api api;
	struct akenza_config ak;
};

static const struct cmd_option options[] = {
	CMD_OPT("manifest", CMD_STRING, struct opts, manifest, "FILE", "@file",
		"register every device of a manifest from provision"),
	CMD_OPT("device-id", CMD_STRING, struct opts, device_id, "ID", NULL,
		"register one device (with --public)", .excludes = "manifest"),
	CMD_OPT("public", CMD_STRING, struct opts, public_path, "FILE", "@file",
		"its public key or certificate (PEM or DER)", .excludes = "manifest"),
	CMD_OPT("data-flow-id", CMD_STRING, struct opts, ak.data_flow_id, "ID", NULL,
		"data flow of created devices"),
	CMD_OPT("create-devices", CMD_FLAG, struct opts, ak.create_devices, NULL, NULL,
		"create devices missing from akenza (MQTT connectivity)",
		.needs = "workspace-id data-flow-id"),
	CMD_OPT("credential-name", CMD_STRING, struct opts, ak.credential_name, "NAME", NULL,
		"name of the credentials (default akcred-<kid prefix>)"),
	CMD_OPT("expires", CMD_PARSE, struct opts, expires, "TIME|DURATION", NULL,
		"the credentials expire then (ISO 8601 UTC) or after DURATION",
		.parse = cmd_opt_expires),
	CMD_API_OPTIONS(struct opts),
	CMD_OPT("results", CMD_STRING, struct opts, results, "FILE", "@file",
		"results file (default registered.csv next to the manifest)"),
	CMD_OPT("dry-run", CMD_FLAG, struct opts, dry_run, NULL, NULL,
		"show the requests, send nothing"),
	CMD_OPT("json", CMD_FLAG, struct opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

/*
 * What a run did, which the text and the JSON renderers print: every device
 * in the order its outcome came, and the counts.
 */
struct result {
	struct item **ended;
	size_t nended, total, added, present, skipped, failed;
	int dry_run;
	const struct akenza_config *ak; /* where a dry run's requests would go */
	const char *results_path;       /* where outcomes are recorded, or NULL */
	enum ak_status status;
	const char *error; /* what stopped the run, or NULL */
};

struct register_batch {
	struct opts *o;
	struct items items;
	struct journal results;
	char *results_path;
	struct err results_err; /* first failure to record a result */
	struct err fatal;       /* what stopped the run */
	struct result r;
	int progress; /* a progress line is on stderr */
};

/* ---- results file ---------------------------------------------------------- */

static void
results_record(struct register_batch *s, const struct akenza_device *d)
{
	if (s->results.fd < 0 || s->results_err.status != AK_OK)
		return;
	results_append(&s->results, d->device_id, d->akenza_id, d->credential_id, d->fingerprint,
		       time(NULL), &s->results_err);
}

/* ---- output ------------------------------------------------------------------ */

static void
progress_clear(struct register_batch *s)
{
	cmd_progress_clear(&s->progress);
}

static void
progress_show(struct register_batch *s)
{
	const struct result *r = &s->r;

	if (!s->o->json && r->total > 1)
		cmd_progress(&s->progress,
			     "register: %zu/%zu  %zu registered, %zu already there, %zu failed",
			     r->nended, r->total, r->added, r->present + r->skipped, r->failed);
}

/* A dry run's requests; paths, the URL and the bodies (a credential name) may hold anything. */
static void
text_requests(const struct result *r, const struct item *it)
{
	cmd_println_safe(stdout, "device %s: %s, fingerprint %s, from %s", it->device_id,
			 it->algorithm, it->fingerprint, it->path);
	if (it->lookup_url != NULL)
		cmd_println_safe(stdout, "  GET  %s", it->lookup_url);
	if (it->create_body != NULL) {
		cmd_println_safe(stdout, "  POST %s" AKENZA_PATH_DEVICES " (if not found)",
				 r->ak->api_url);
		cmd_println_safe(stdout, "       %s", it->create_body);
	}
	cmd_println_safe(stdout, "  GET  %s", it->credentials_url);
	cmd_println_safe(stdout, "  POST %s (unless listed)", it->credentials_url);
	cmd_println_safe(stdout, "       %s", it->add_body);
}

/* A device's lines, as soon as its outcome is known. */
static void
text_device(const struct result *r, const struct item *it)
{
	const struct akenza_device *d = &it->d;

	if (it->outcome == OUT_FAILED) {
		cmd_fail(&it->err);
		return;
	}
	if (it->outcome == OUT_DRY_RUN) {
		text_requests(r, it);
		return;
	}
	/* A batch counts what its results file holds; a dry run shows all it would pass over. */
	if (it->outcome == OUT_SKIPPED && !r->dry_run && r->total > 1)
		return;
	printf("%-10s %s", outcome_name[it->outcome], it->device_id);
	if (d->akenza_id[0] != '\0')
		printf("  device %s", d->akenza_id);
	if (d->credential_id[0] != '\0')
		printf("  credential %s", d->credential_id);
	if (d->created)
		fputs("  (device created)", stdout);
	putchar('\n');
	cmd_print_note(stdout, 11, d->note);
	/* Line by line, also into a pipe: a watcher sees progress, a kill loses nothing shown. */
	fflush(stdout);
}

static void
text_summary(const struct result *r)
{
	size_t n = r->total - r->skipped - r->failed;

	if (r->dry_run)
		printf("dry run: %zu %s would be registered, %zu skipped, %zu failed; "
		       "headers include x-api-key (not shown)\n",
		       n, cmd_plural(n, "device", "devices"), r->skipped, r->failed);
	else if (r->total > 1)
		printf("%zu devices: %zu registered, %zu already there, %zu skipped (results "
		       "file), "
		       "%zu failed\n",
		       r->total, r->added, r->present, r->skipped, r->failed);
}

static json_t *
json_requests(const struct item *it)
{
	json_t *j = json_pack("{ss ss ss ss}", "device_id", it->device_id, "outcome",
			      outcome_name[it->outcome], "algorithm", it->algorithm, "fingerprint",
			      it->fingerprint);

	if (it->lookup_url != NULL)
		json_object_set_new(j, "lookup", json_sprintf("GET %s", it->lookup_url));
	if (it->create_body != NULL)
		json_object_set_new(j, "create_device", json_loads(it->create_body, 0, NULL));
	json_object_set_new(j, "add_credential", json_loads(it->add_body, 0, NULL));
	return j;
}

static json_t *
json_device(const struct item *it)
{
	const struct akenza_device *d = &it->d;
	json_t *j;

	if (it->outcome == OUT_DRY_RUN)
		return json_requests(it);
	j = json_pack("{ss ss ss}", "device_id", it->device_id, "outcome",
		      outcome_name[it->outcome], "fingerprint", it->fingerprint);
	if (d->akenza_id[0] != '\0')
		json_object_set_new(j, "akenza_device_id", json_string(d->akenza_id));
	if (d->credential_id[0] != '\0')
		json_object_set_new(j, "credential_id", json_string(d->credential_id));
	if (d->created)
		json_object_set_new(j, "device_created", json_true());
	if (d->note[0] != '\0')
		json_object_set_new(j, "note", json_string(d->note));
	if (it->outcome == OUT_FAILED)
		cmd_json_error(j, &it->err, d->http_status);
	return j;
}

/* The whole result as one JSON object. */
static void
json_result(const struct result *r)
{
	json_t *devices = json_array(), *j;
	size_t i;

	for (i = 0; i < r->nended; i++)
		json_array_append_new(devices, json_device(r->ended[i]));
	j = json_pack("{so si si si si si}", "devices", devices, "total", (int)r->total,
		      "registered", (int)r->added, "present", (int)r->present, "skipped",
		      (int)r->skipped, "failed", (int)r->failed);
	if (r->results_path != NULL)
		json_object_set_new(j, "results", json_string(r->results_path));
	cmd_json_run(j, r->status, r->error);
	cmd_print_json(j, JSON_INDENT(2));
	json_decref(j);
}

/* A device has its outcome: counted, and shown at once in text. */
static void
device_ended(struct register_batch *s, struct item *it, enum outcome outcome)
{
	struct result *r = &s->r;

	it->outcome = outcome;
	r->ended[r->nended++] = it;
	r->added += outcome == OUT_REGISTERED;
	r->present += outcome == OUT_PRESENT;
	r->skipped += outcome == OUT_SKIPPED;
	r->failed += outcome == OUT_FAILED;
	if (!s->o->json) {
		progress_clear(s);
		text_device(r, it);
	}
}

static void
on_done(struct akenza_device *d, void *arg)
{
	struct register_batch *s = arg;
	struct item *it = (struct item *)(void *)d; /* d is the first member of its item */

	if (d->outcome == AKENZA_ADDED || d->outcome == AKENZA_PRESENT) {
		results_record(s, d);
		device_ended(s, it, d->outcome == AKENZA_ADDED ? OUT_REGISTERED : OUT_PRESENT);
	} else {
		it->err = d->err;
		device_ended(s, it, OUT_FAILED);
	}
	progress_show(s);
}

/* ---- input ------------------------------------------------------------------ */

static struct item *
item_new(struct items *l)
{
	struct item *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return NULL;
		l->v = nv;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static void
items_free(struct items *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].pem);
		free(l->v[i].lookup_url);
		free(l->v[i].create_body);
		free(l->v[i].credentials_url);
		free(l->v[i].add_body);
	}
	free(l->v);
}

/* Load it->path, check it against what the manifest says (alg, fp may be NULL). */
static int
item_load(struct item *it, const char *alg, const char *fp, struct err *e)
{
	struct key k = KEY_INIT;
	int rc = -1;

	if (key_load_file(&k, it->path, NULL, e) != 0)
		goto out;
	if (k.is_private) {
		err_set(e, AK_INPUT, "'%s' is a private key: register uploads public keys only",
			it->path);
		goto out;
	}
	if (akenza_credential_pem(&k, &it->pem, &it->algorithm, e) != 0) {
		err_prefix(e, "'%s'", it->path);
		goto out;
	}
	if (key_fingerprint(&k, it->fingerprint, e) != 0)
		goto out;
	if (k.cert != NULL)
		key_cert_sha1(&k, it->sha1);
	if (alg != NULL && strcmp(alg, it->algorithm) != 0) {
		err_set(e, AK_INPUT, "the manifest says %s but '%s' is %s", alg, it->path,
			it->algorithm);
		goto out;
	}
	if (fp != NULL && strcmp(fp, it->fingerprint) != 0) {
		err_set(e, AK_INPUT, "the manifest's fingerprint %s is not that of '%s' (%s)", fp,
			it->path, it->fingerprint);
		goto out;
	}
	rc = 0;
out:
	key_clear(&k);
	return rc;
}

/* One row of the manifest: a device to register, or a bad row failed on its own. */
static int
manifest_item(void *arg, const struct manifest *m, const char *name, const struct manifest_row *row,
	      const struct err *bad, struct err *e)
{
	struct register_batch *s = arg;
	struct item *it;
	struct err re = ERR_INIT;

	if ((it = item_new(&s->items)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	snprintf(it->device_id, sizeof(it->device_id), "%s", name);
	if (bad != NULL) {
		it->failed = 1;
		it->err = *bad;
	} else if (manifest_key_path(m, row, it->path, sizeof(it->path), &re) != 0 ||
		   item_load(it, row->algorithm, row->fingerprint, &re) != 0) {
		it->failed = 1;
		err_set(&it->err, re.status, "device '%s': %s", it->device_id, re.msg);
	}
	return 0;
}

static int
item_ptr_cmp(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;
	int c = strcmp(x->device_id, y->device_id);

	/* Ties in manifest order: the first row of a device is the one kept. */
	return c != 0 ? c : (x < y ? -1 : x > y);
}

static int
mark_duplicates(struct items *l)
{
	struct item **p;
	size_t i;

	if (l->n < 2)
		return 0;
	if ((p = malloc(l->n * sizeof(*p))) == NULL)
		return -1;
	for (i = 0; i < l->n; i++)
		p[i] = &l->v[i];
	qsort(p, l->n, sizeof(*p), item_ptr_cmp);
	for (i = 1; i < l->n; i++) {
		if (strcmp(p[i]->device_id, p[i - 1]->device_id) != 0 || p[i]->failed ||
		    p[i]->device_id[0] == '(')
			continue;
		p[i]->failed = 1;
		err_set(&p[i]->err, AK_INPUT, "device '%s': listed twice in the manifest",
			p[i]->device_id);
	}
	free(p);
	return 0;
}

/* ---- the run ----------------------------------------------------------------- */

/* The devices to register, loaded and checked, each pointed at by its akenza_device. */
static int
load_items(struct register_batch *s, struct err *e)
{
	const struct opts *o = s->o;
	const struct manifest_file results[] = {{RESULTS_NAME, &s->results_path}, {NULL, NULL}};
	struct item *it;
	size_t i;

	if (o->results != NULL && (s->results_path = strdup(o->results)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (o->manifest != NULL) {
		if (manifest_load(o->manifest, manifest_item, s, results, e) != 0)
			return -1;
	} else {
		if ((it = item_new(&s->items)) == NULL)
			return err_set(e, AK_INTERNAL, "out of memory");
		snprintf(it->device_id, sizeof(it->device_id), "%s", o->device_id);
		snprintf(it->path, sizeof(it->path), "%s", o->public_path);
		if (item_load(it, NULL, NULL, e) != 0)
			return -1;
		if (o->api.akenza_id != NULL)
			snprintf(it->d.akenza_id, sizeof(it->d.akenza_id), "%s", o->api.akenza_id);
	}
	/* One device, one row: a manifest listing a device twice is a mistake. */
	if (mark_duplicates(&s->items) != 0)
		return err_set(e, AK_INTERNAL, "out of memory");
	/* The items stay where they are from here on. */
	for (i = 0; i < s->items.n; i++) {
		it = &s->items.v[i];
		it->d.device_id = it->device_id;
		it->d.algorithm = it->algorithm;
		it->d.public_pem = it->pem;
		it->d.fingerprint = it->fingerprint;
		it->d.cert_sha1 = it->sha1[0] != '\0' ? it->sha1 : NULL;
		it->d.expiration = o->expiration[0] != '\0' ? o->expiration : NULL;
	}
	s->r.total = s->items.n;
	if ((s->r.ended = calloc(s->items.n ? s->items.n : 1, sizeof(*s->r.ended))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	return 0;
}

/* What the results file knows of it: done with this key, or its akenza id (no look-up). */
static void
item_known(struct item *it, const struct results *known)
{
	const char *aid;

	if (results_find(known, it->device_id, it->fingerprint, &aid))
		it->skipped = 1;
	/* A new key for a known device: no need to look the device up. */
	if (aid != NULL && it->d.akenza_id[0] == '\0')
		snprintf(it->d.akenza_id, sizeof(it->d.akenza_id), "%s", aid);
}

/* The results file: opened (and locked) for a run, only read by a dry run. */
static int
load_results(struct register_batch *s, struct err *e)
{
	struct results known = RESULTS_INIT;
	size_t i;

	if (s->results_path == NULL)
		return 0;
	if (!s->o->dry_run &&
	    journal_open(&s->results, s->results_path, &results_registered, e) != 0)
		return -1;
	if (results_load(&known, &s->results, s->results_path, &results_registered, e) != 0)
		return -1;
	for (i = 0; i < s->items.n; i++)
		if (!s->items.v[i].failed)
			item_known(&s->items.v[i], &known);
	results_clear(&known);
	return 0;
}

/* A device that failed here, or that the results file holds, ends before any request. */
static int
ended_here(struct register_batch *s, struct item *it)
{
	if (it->failed)
		device_ended(s, it, OUT_FAILED);
	else if (it->skipped)
		device_ended(s, it, OUT_SKIPPED);
	return it->failed || it->skipped;
}

/* Devices that go to akenza: neither failed before any request nor in the results file. */
static size_t
count_pending(const struct register_batch *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->items.n; i++)
		n += !s->items.v[i].failed && !s->items.v[i].skipped;
	return n;
}

/*
 * The requests a dry run shows for it, those akenza_run() starts with;
 * "{akenzaDeviceId}" stands for the id that the look-up or creation gives.
 */
static int
item_plan(struct item *it, const struct akenza_config *c)
{
	int known = it->d.akenza_id[0] != '\0';
	const char *aid = known ? it->d.akenza_id : "{akenzaDeviceId}";
	char *u;

	if (!known) {
		if (asprintf(&u, "%s" AKENZA_PATH_LOOKUP, c->api_url, c->workspace_id,
			     it->device_id) < 0)
			return -1;
		it->lookup_url = u;
	}
	if (asprintf(&u, "%s" AKENZA_PATH_CREDENTIALS, c->api_url, aid) < 0)
		return -1;
	it->credentials_url = u;
	if (c->create_devices && !known &&
	    (it->create_body = akenza_request_body(c, &it->d, 1, NULL)) == NULL)
		return -1;
	it->add_body = akenza_request_body(c, &it->d, 0, aid);
	return it->add_body != NULL ? 0 : -1;
}

/* 0 with the result filled, or the exit status (said). */
static int
register_dry_run(struct register_batch *s)
{
	struct result *r = &s->r;
	char *api_key = NULL;
	size_t i;
	int status;

	/* The run's own check of the key: a dry run that passes means the run can start. */
	if (count_pending(s) > 0) {
		if ((status = cmd_api_key(&s->o->api, &api_key)) != AK_OK)
			return status;
		sodium_free(api_key);
	}
	for (i = 0; i < s->items.n; i++) {
		if (ended_here(s, &s->items.v[i]))
			continue;
		if (item_plan(&s->items.v[i], &s->o->ak) != 0)
			return cmd_error(AK_INTERNAL, "out of memory");
		device_ended(s, &s->items.v[i], OUT_DRY_RUN);
	}
	r->status = r->failed ? (r->total == 1 ? AK_INPUT : AK_NEGATIVE) : AK_OK;
	return 0;
}

/*
 * The status of a batch in which some devices failed: 1, unless akenza was
 * never reached -- every device sent to it failed with a network or TLS
 * error -- which is the network failure (5, or 6 if all were TLS) that any
 * command that cannot reach its server reports.
 */
static enum ak_status
batch_status(const struct register_batch *s, size_t npending)
{
	enum ak_status st = AK_OK;
	size_t i;

	if (npending == 0 || s->r.added > 0 || s->r.present > 0)
		return AK_NEGATIVE;
	for (i = 0; i < s->items.n; i++) {
		const struct item *it = &s->items.v[i];

		if (it->failed || it->skipped)
			continue;
		if (it->outcome != OUT_FAILED ||
		    (it->err.status != AK_NETWORK && it->err.status != AK_TLS))
			return AK_NEGATIVE;
		if (st == AK_OK || st == it->err.status)
			st = it->err.status;
		else
			st = AK_NETWORK;
	}
	return st;
}

/* The status of a run that akenza_run() ended with status; what stopped it is said. */
static enum ak_status
run_status(struct register_batch *s, enum ak_status status, size_t npending)
{
	struct result *r = &s->r;

	if (s->results_err.status != AK_OK) {
		cmd_fail(&s->results_err);
		if (status == AK_OK)
			status = s->results_err.status;
	}
	if (status != AK_OK) {
		if (s->fatal.status != AK_OK)
			cmd_stopped(&s->fatal, r->total, r->nended);
		r->error = s->fatal.status != AK_OK ? s->fatal.msg : s->results_err.msg;
		return status;
	}
	if (r->failed == 0)
		return AK_OK;
	return r->total == 1 ? s->items.v[0].err.status : batch_status(s, npending);
}

/* 0 with the result filled, or the exit status (said). */
static int
register_send(struct register_batch *s)
{
	struct akenza_config *c = &s->o->ak;
	struct akenza_device **pending;
	enum ak_status status = AK_OK;
	char *api_key = NULL;
	size_t i, npending = 0;
	int key_status;

	/* Local failures and skips come first; the rest goes to akenza. */
	if ((pending = calloc(s->items.n ? s->items.n : 1, sizeof(*pending))) == NULL)
		return cmd_error(AK_INTERNAL, "out of memory");
	for (i = 0; i < s->items.n; i++)
		if (!ended_here(s, &s->items.v[i]))
			pending[npending++] = &s->items.v[i].d;
	progress_show(s);
	if (npending > 0) {
		if ((key_status = cmd_api_key(&s->o->api, &api_key)) != AK_OK) {
			free(pending);
			progress_clear(s);
			return key_status;
		}
		c->api_key = api_key;
		c->done = on_done;
		c->arg = s;
		if (akenza_run(c, pending, npending, &s->fatal) != 0)
			status = s->fatal.status;
		c->api_key = NULL;
		sodium_free(api_key);
	}
	free(pending);
	progress_clear(s);
	s->r.status = run_status(s, status, npending);
	return 0;
}

static int
register_run(struct register_batch *s)
{
	struct result *r = &s->r;
	struct err e = ERR_INIT;
	int status;

	if (load_items(s, &e) != 0 || load_results(s, &e) != 0)
		return cmd_fail(&e);
	r->dry_run = s->o->dry_run;
	r->ak = &s->o->ak;
	r->results_path = s->o->dry_run ? NULL : s->results_path;
	if ((status = s->o->dry_run ? register_dry_run(s) : register_send(s)) != 0)
		return status;
	if (s->o->json)
		json_result(r);
	else
		text_summary(r);
	return r->status;
}

/* ---- the command ------------------------------------------------------------- */

/* A credential name goes into JSON: UTF-8, and nothing that would garble a listing. */
static int
credential_name_ok(const char *name)
{
	json_t *t = json_string(name);
	int ok = t != NULL && name[0] != '\0' && strpbrk(name, "\t\n\r") == NULL &&
		 strlen(name) <= 200;

	json_decref(t);
	return ok;
}

/* What the table's rules cannot say: 0, or a usage error (said). */
static int
check_options(struct opts *o)
{
	struct err e = ERR_INIT;

	if ((o->manifest != NULL) == (o->device_id != NULL || o->public_path != NULL))
		return cmd_usage_error(
			"give either --manifest FILE or --device-id ID --public FILE");
	if (o->manifest == NULL && (o->device_id == NULL || o->public_path == NULL))
		return cmd_usage_error("--device-id and --public go together");
	if (o->device_id != NULL && devid_check(o->device_id, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	/* Ids go into URLs and request bodies as they are. */
	if (o->ak.data_flow_id != NULL && !akenza_plausible_id(o->ak.data_flow_id))
		return cmd_usage_error("--data-flow-id '%s' is not an akenza id",
				       o->ak.data_flow_id);
	if (o->ak.credential_name != NULL && !credential_name_ok(o->ak.credential_name))
		return cmd_usage_error(
			"--credential-name must be 1 to 200 bytes of UTF-8 text on one line");
	return cmd_api_setup(&o->api, &o->ak);
}

static int
cmd_register_exec(void *opts, int argc, char **argv)
{
	struct opts *o = opts;
	struct register_batch s = {.o = o,
				   .results = JOURNAL_INIT,
				   .results_err = ERR_INIT,
				   .fatal = ERR_INIT};
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((status = check_options(o)) != 0)
		return status;
	if (cmd_given("expires"))
		timeutil_iso8601(o->expires, o->expiration);
	status = register_run(&s);
	journal_close(&s.results);
	free(s.results_path);
	free(s.r.ended);
	items_free(&s.items);
	return status;
}

const struct cmd_entry cmd_register_entry = {
	.name = "register",
	.summary = "upload device public keys to akenza through its REST API",
	.usage =
		"--manifest FILE --workspace-id ID [--create-devices --data-flow-id ID] [options]\n"
		"--device-id ID --public FILE (--workspace-id ID | --akenza-device-id ID) "
		"[options]",
	CMD_OPTIONS(options, struct opts),
	.flags = CMD_SECRETS,
	.exec = cmd_register_exec,
};
