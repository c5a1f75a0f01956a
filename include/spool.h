/*
 * spool: the messages a device session has not yet had acknowledged, kept in
 * a directory so that they survive a crash or a kill of akcred.
 *
 * One journal (journal.h) in the directory, SPOOL_FILE, with rows
 * "put,<seq>,<payload>" -- written and fsynced before the message is sent --
 * and "ack,<seq>," once its PUBACK arrived.  spool_open() reads what a
 * previous run left, hands back every message put and never acknowledged, in
 * the order it was put, and then starts the file again with only those (a
 * staged file renamed over the old one, fileio.h), so that the file does not
 * grow from run to run.  Rows are buffered by spool_put() and spool_ack() and
 * written by spool_flush(): one write and one fsync for many.  The journal's
 * lock keeps a second akcred off the same spool.
 *
 * A payload is one CSV field: it may not hold a NUL byte, a CR or an LF.
 */
#ifndef AKCRED_SPOOL_H
#define AKCRED_SPOOL_H

#include <stddef.h>

#include "err.h"
#include "journal.h"

#define SPOOL_FILE "spool.csv"

struct spool {
	struct journal j;
	char *path;
	char *rows; /* buffered rows, not yet written */
	size_t len, size;
	size_t payload_max;
	unsigned long long next_seq; /* the number the next new message gets */
};
#define SPOOL_INIT                                                                                 \
	{                                                                                          \
		JOURNAL_INIT, NULL, NULL, 0, 0, 0, 1                                               \
	}

/*
 * Open (create) the spool in dir (created if missing), calling each() for
 * every message left unacknowledged, oldest first; a non-zero return from
 * each() stops with that failure (e filled by it).  Payloads up to
 * payload_max bytes.  AK_INPUT for a spool that cannot be used.
 */
int spool_open(struct spool *sp, const char *dir, size_t payload_max,
	       int (*each)(unsigned long long seq, const char *payload, size_t len, void *arg,
			   struct err *e),
	       void *arg, struct err *e);
/* Whether payload can be spooled (no NUL, CR or LF); 0, or -1 with e (AK_INPUT). */
int spool_payload_check(const char *payload, size_t len, struct err *e);
/* Buffer the row of a new message seq (sp->next_seq is taken by the caller). */
int spool_put(struct spool *sp, unsigned long long seq, const char *payload, size_t len,
	      struct err *e);
/* Buffer the row that seq is acknowledged. */
int spool_ack(struct spool *sp, unsigned long long seq, struct err *e);
/* Write the buffered rows durably (one append and fsync); 0 if there were none. */
int spool_flush(struct spool *sp, struct err *e);
void spool_close(struct spool *sp);

#endif
