/*
 * manifest: the list of provisioned devices -- written by "provision", read
 * by "register".
 *
 * The format is fixed: RFC 4180 CSV, first line exactly
 *
 *   device_id,algorithm,fingerprint,public_key,created
 *
 * then one row per device: the device id (devid_check()); akenza's credential
 * algorithm (EC256_PEM, RSA256_PEM, EC256_X509_PEM, RSA256_X509_PEM); the
 * 64-hex-digit lowercase fingerprint; the path of the public key, or of the
 * certificate for the X509 algorithms, relative to the manifest's directory
 * ("dev-001/public.pem"); the creation time, ISO 8601 UTC
 * ("2026-11-24T14:13:27Z").  Lines end with LF.
 *
 * The manifest is a journal (journal.h): the rules of reading and writing it
 * -- RFC 4180 as read (quoted fields, CRLF, a last line without its line end,
 * a UTF-8 byte order mark, blank lines), the header created atomically, one
 * writer at a time (flock), rows appended whole and fsynced, a torn last line
 * cut off when it is opened for writing -- are the journal's; this module adds
 * what makes a row a manifest row.  Reading streams one row at a time in
 * constant memory and validates every field; an absolute public_key path is
 * accepted too.  A bad row is reported with its line number and skipped, so
 * that a caller may go on with the next one.  Fields are quoted when they
 * need it (a path may hold a comma; a device id never does).
 */
#ifndef AKCRED_MANIFEST_H
#define AKCRED_MANIFEST_H

#include <stddef.h>

#include "devid.h"
#include "err.h"
#include "journal.h"
#include "key.h"
#include "timeutil.h"

#define MANIFEST_HEADER "device_id,algorithm,fingerprint,public_key,created"
#define MANIFEST_NAME "manifest.csv" /* default name in the output directory */
/*
 * A device's files in the directory of its public_key (provision's layout):
 * the private key, the public key, and for the X509 algorithms the
 * certificate, which public_key then names.
 */
#define MANIFEST_PRIVATE_KEY "private.pem"
#define MANIFEST_PUBLIC_KEY "public.pem"
#define MANIFEST_CERT "cert.pem"
#define MANIFEST_ALG_MAX 15 /* strlen("RSA256_X509_PEM") */
#define MANIFEST_PATH_MAX 1024
/* A formatted row is never longer than this (quoting may double the path). */
#define MANIFEST_ROW_MAX                                                                           \
	(DEVID_MAX + MANIFEST_ALG_MAX + KEY_FINGERPRINT_HEX + 2 * MANIFEST_PATH_MAX +              \
	 TIMEUTIL_ISO_LEN + 16)

struct manifest_row {
	char device_id[DEVID_MAX + 1];
	char algorithm[MANIFEST_ALG_MAX + 1];
	char fingerprint[KEY_FINGERPRINT_HEX + 1];
	char public_key[MANIFEST_PATH_MAX + 1];
	char created[TIMEUTIL_ISO_LEN];
};

/* --- reading ------------------------------------------------------------- */

struct manifest; /* a reader */

enum manifest_next {
	MANIFEST_FATAL = -2, /* cannot go on: unreadable, not a manifest, bad quoting at the end */
	MANIFEST_BAD = -1, /* this row is bad (e says why, with its line); the next call goes on */
	MANIFEST_END = 0,
	MANIFEST_ROW = 1,
};

/* Open path ("-": standard input) and check its first line.  AK_INPUT on failure. */
int manifest_open(struct manifest **m, const char *path, struct err *e);
/* The same over data in memory (not copied: it must outlive the reader); name is for messages. */
int manifest_open_mem(struct manifest **m, const char *data, size_t len, const char *name,
		      struct err *e);
/* The next row into row: an enum manifest_next.  Messages read "'<path>' line N: ...". */
int manifest_next_row(struct manifest *m, struct manifest_row *row, struct err *e);
/* Line on which the row last returned (or rejected) starts. */
unsigned long manifest_line(const struct manifest *m);
/* The directory relative public_key paths start from ("." for "-"). */
const char *manifest_dir(const struct manifest *m);
/* row->public_key as a path usable from the current directory, into buf. */
int manifest_key_path(const struct manifest *m, const struct manifest_row *row, char *buf,
		      size_t size, struct err *e);
/*
 * The device's private key, MANIFEST_PRIVATE_KEY beside row->public_key, as a
 * path usable from the current directory, into buf.
 */
int manifest_private_key_path(const struct manifest *m, const struct manifest_row *row, char *buf,
			      size_t size, struct err *e);
/* The file name (MANIFEST_PUBLIC_KEY, ...) beside row->public_key, the same way, into buf. */
int manifest_beside_key(const struct manifest *m, const struct manifest_row *row, const char *name,
			char *buf, size_t size, struct err *e);
void manifest_close(struct manifest *m);

/*
 * The rest of m's rows, for a batch in which a bad row fails on its own and
 * the others go on (check, register, credentials revoke/list): visit(arg, m,
 * name, row, bad, e) for each, with row the row read and bad NULL, or, for a
 * bad row, row NULL and bad saying why (with its line).  name is the row's
 * device id, or "(line N)" for a bad row: what a batch reports it as.  0 at
 * the end; -1 with e at a manifest that cannot be read on, or as soon as
 * visit returns -1 (its e).
 */
typedef int manifest_visit_fn(void *arg, const struct manifest *m, const char *name,
			      const struct manifest_row *row, const struct err *bad, struct err *e);
int manifest_each(struct manifest *m, manifest_visit_fn *visit, void *arg, struct err *e);
/* *path (free() it): the file name in the manifest's directory (a batch's results file). */
int manifest_beside(const struct manifest *m, const char *name, char **path, struct err *e);
/*
 * A file of a batch that lives beside its manifest by default (a results
 * file): *path, unless the caller set it already (--results FILE), becomes
 * name in the manifest's directory.
 */
struct manifest_file {
	const char *name;
	char **path; /* free() it */
};
/*
 * A batch's manifest read whole, as check, register and credentials read
 * theirs: path opened, visit called for each row (manifest_each()), then
 * each of files (up to one whose name is NULL; files may be NULL) given its
 * path, and closed.  0, or -1 with e.
 */
int manifest_load(const char *path, manifest_visit_fn *visit, void *arg,
		  const struct manifest_file *files, struct err *e);

/* Check one row's fields as the reader does (AK_INPUT, message without a line number). */
int manifest_check_row(const struct manifest_row *row, struct err *e);

/* --- writing ------------------------------------------------------------- */

struct manifest_writer {
	struct journal j;
};
#define MANIFEST_WRITER_INIT                                                                       \
	{                                                                                          \
		JOURNAL_INIT                                                                       \
	}

/*
 * Open path for appending (journal_open): created with its header line if it
 * does not exist; an existing file must start with the header; a torn last
 * line is cut off; locked against a second writer (AK_INPUT if taken).
 */
int manifest_writer_open(struct manifest_writer *w, const char *path, struct err *e);
/* Format row (checked) as one CSV line with its LF into buf; returns its length or -1. */
int manifest_format_row(const struct manifest_row *row, char *buf, size_t size, struct err *e);
/* Append len bytes of complete formatted rows: one write, then fsync. */
int manifest_append(struct manifest_writer *w, const char *rows, size_t len, struct err *e);
/* The manifest open and flocked by w (for fileio_batch_hold). */
int manifest_writer_fd(const struct manifest_writer *w);
void manifest_writer_close(struct manifest_writer *w);

/*
 * The relative path from directory from to path to, both absolute and
 * canonical (realpath): "dev-1/public.pem", "../out/dev-1/public.pem".
 */
int manifest_relpath(const char *from, const char *to, char *buf, size_t size, struct err *e);

#endif
