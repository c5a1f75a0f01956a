/*
 * results: the results journals of the akenza batches -- register's
 * registered.csv, revoke's revoked.csv -- one fsynced row per device done,
 * so that an interrupted batch can be run again and pass over what is done.
 *
 * Every such file has the same five fields, the last one named after what
 * was done: device_id,akenza_device_id,credential_id,fingerprint,<when>.
 * Only whole rows of a device id, an akenza id and a kid count: a torn last
 * line (a crash cut it, and a dry run reads without repairing) is passed
 * over, as are rows that are not a batch's.
 */
#ifndef AKCRED_RESULTS_H
#define AKCRED_RESULTS_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "journal.h"

#define RESULTS_FIELDS 5

/* register's registered.csv and revoke's revoked.csv. */
extern const struct journal_format results_registered, results_revoked;

struct results_row {
	char *device_id, *akenza_id, *fingerprint;
};

/* The rows read, sorted by device id. */
struct results {
	struct results_row *v;
	size_t n;
};
#define RESULTS_INIT                                                                               \
	{                                                                                          \
		NULL, 0                                                                            \
	}

/*
 * Read the rows of j (open, under its lock) or, if j is NULL or not open, of
 * the file at path as it is (a dry run: a missing file has no rows).
 */
int results_load(struct results *r, struct journal *j, const char *path,
		 const struct journal_format *f, struct err *e);
/* The same from a reader. */
int results_read(struct results *r, struct journal_reader *jr, struct err *e);
void results_clear(struct results *r);

/*
 * What the rows know of device_id: 1 if one of them has this fingerprint
 * (done), else 0; *akenza_id (if not NULL) the akenza id of any of its rows,
 * or NULL.
 */
int results_find(const struct results *r, const char *device_id, const char *fingerprint,
		 const char **akenza_id);

/* Append a device's row, done at when: one write, fsynced (journal_append()). */
int results_append(struct journal *j, const char *device_id, const char *akenza_id,
		   const char *credential_id, const char *fingerprint, time_t when, struct err *e);

#endif
