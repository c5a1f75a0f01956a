/* results: the results journals of the akenza batches (see results.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "akenza.h"
#include "devid.h"
#include "key.h"
#include "results.h"
#include "timeutil.h"
#include "banned.h"

const struct journal_format results_registered = {
	"device_id,akenza_device_id,credential_id,fingerprint,registered",
	"a results file of akcred register", NULL};
const struct journal_format results_revoked = {
	"device_id,akenza_device_id,credential_id,fingerprint,revoked",
	"a results file of akcred credentials revoke", NULL};

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct results_row *)a)->device_id,
		      ((const struct results_row *)b)->device_id);
}

/* bsearch's: a device id against a row. */
static int
id_cmp(const void *id, const void *row)
{
	return strcmp(id, ((const struct results_row *)row)->device_id);
}

static int
is_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

void
results_clear(struct results *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].device_id);
		free(r->v[i].akenza_id);
		free(r->v[i].fingerprint);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

int
results_read(struct results *out, struct journal_reader *jr, struct err *e)
{
	char id[DEVID_MAX + 1], akenza_id[AKENZA_ID_MAX], fp[KEY_FINGERPRINT_HEX + 1];
	struct journal_record rec = {
		.f = {id, akenza_id, NULL, fp, NULL},
		.cap = {sizeof(id), sizeof(akenza_id), 0, sizeof(fp), 0},
	};
	struct results r = RESULTS_INIT;
	struct results_row *nv;
	size_t cap = 0;
	int rc;

	*out = (struct results)RESULTS_INIT;
	while ((rc = journal_next(jr, &rec, e)) == 1) {
		/* A device id, an akenza id and a kid, as the batches write them: else not ours. */
		if (rec.torn || rec.syntax != NULL || rec.nul || rec.nfields != RESULTS_FIELDS ||
		    rec.toolong || devid_check(id, NULL) != 0 || !akenza_plausible_id(akenza_id) ||
		    strlen(fp) != KEY_FINGERPRINT_HEX || !is_hex(fp))
			continue;
		if (r.n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(r.v, cap * sizeof(*nv))) == NULL)
				goto oom;
			r.v = nv;
		}
		r.v[r.n].device_id = strdup(id);
		r.v[r.n].akenza_id = strdup(akenza_id);
		r.v[r.n].fingerprint = strdup(fp);
		r.n++;
		if (r.v[r.n - 1].device_id == NULL || r.v[r.n - 1].akenza_id == NULL ||
		    r.v[r.n - 1].fingerprint == NULL)
			goto oom;
	}
	if (rc < 0) {
		results_clear(&r);
		return -1;
	}
	/* Sorted for bsearch; every row of a device is looked at, so order within one does not
	 * matter. */
	if (r.n > 0)
		qsort(r.v, r.n, sizeof(*r.v), row_cmp);
	*out = r;
	return 0;
oom:
	results_clear(&r);
	return err_set(e, AK_INTERNAL, "out of memory");
}

int
results_load(struct results *r, struct journal *j, const char *path, const struct journal_format *f,
	     struct err *e)
{
	struct journal_reader jr;
	int rc;

	*r = (struct results)RESULTS_INIT;
	if (j != NULL && j->fd >= 0) {
		if (journal_reader_open_journal(&jr, j, e) != 0)
			return -1;
	} else if (access(path, F_OK) != 0) {
		return 0;
	} else if (journal_reader_open(&jr, path, f, e) != 0) {
		return -1;
	}
	rc = results_read(r, &jr, e);
	journal_reader_close(&jr);
	return rc;
}

int
results_find(const struct results *r, const char *device_id, const char *fingerprint,
	     const char **akenza_id)
{
	const struct results_row *hit, *end = r->v + r->n;
	int done = 0;

	if (akenza_id != NULL)
		*akenza_id = NULL;
	if (r->n == 0 || (hit = bsearch(device_id, r->v, r->n, sizeof(*r->v), id_cmp)) == NULL)
		return 0;
	/* Any row of this device with this key means done. */
	while (hit > r->v && strcmp(hit[-1].device_id, device_id) == 0)
		hit--;
	for (; hit < end && strcmp(hit->device_id, device_id) == 0; hit++) {
		if (strcmp(hit->fingerprint, fingerprint) == 0)
			done = 1;
		if (akenza_id != NULL && *akenza_id == NULL)
			*akenza_id = hit->akenza_id;
	}
	return done;
}

int
results_append(struct journal *j, const char *device_id, const char *akenza_id,
	       const char *credential_id, const char *fingerprint, time_t when, struct err *e)
{
	char row[512], iso[TIMEUTIL_ISO_LEN];
	const char *f[RESULTS_FIELDS] = {device_id, akenza_id, credential_id, fingerprint,
					 timeutil_iso8601(when, iso)};
	int n;

	if ((n = journal_format_row(f, RESULTS_FIELDS, row, sizeof(row))) < 0)
		return err_set(e, AK_INTERNAL,
			       "internal error: results row too long or not one line");
	return journal_append(j, row, (size_t)n, e);
}
