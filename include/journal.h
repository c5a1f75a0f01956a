/*
 * journal: an append-only CSV file that survives a crash at any moment.  The
 * one mechanism under provision's manifest (manifest.h), register's results
 * file, and whatever a later command journals; the owner of a format names its
 * header and judges the fields of its rows, the journal does the rest.
 *
 * Format: RFC 4180 CSV whose first line, the header, names the fields.  Read
 * as RFC 4180 allows -- quoted fields with "" for a quote (a quoted field may
 * hold a line end), CRLF line ends, a last line without its line end -- plus
 * a UTF-8 byte order mark (skipped by the line reader, linereader.h) and
 * blank lines (skipped).  The header matches if its fields are the format's
 * names, quoted or not; reader and writer test it the same way.  Written with
 * LF line ends, a field quoted only if it needs it (a comma, a quote, a line
 * end).
 *
 * Writing: journal_open() creates a missing file with its header through
 * fileio's staged batch (a temp file linked in place: the header is there
 * whole or the file is not; one that another process creates meanwhile is
 * used), opens it for appending (a regular file, no symlink), locks it (flock,
 * not waiting) against a second writer, refuses it unless it starts with the
 * header, and cuts off a torn tail: a last line without its line end is an
 * append that a crash interrupted and that was never acknowledged.
 * journal_append() writes whole rows, one write(2) and then fsync
 * (fileio_append), so each row is either there whole or, after a crash, such
 * a torn tail.
 *
 * Reading streams one record at a time in constant memory -- from a file,
 * standard input, memory, or an open journal under its lock -- into buffers
 * the caller binds, and counts lines for messages.  It notes what is wrong
 * with a record (quoting, a NUL byte, a field too long for its buffer, the
 * number of fields, a torn last line) and leaves judging it to the format's
 * owner.
 */
#ifndef AKCRED_JOURNAL_H
#define AKCRED_JOURNAL_H

#include <stddef.h>

#include "err.h"
#include "linereader.h"

#define JOURNAL_FIELDS_MAX 10 /* fields a record binds; more are counted, not kept */

/*
 * A format grows by new fields under a new header; its older headers stay
 * readable.  A file keeps the header it was created with (a journal is
 * never rewritten), so its owner writes each file's rows in the version
 * that its header names (journal.version, journal_reader.version).
 */
struct journal_format {
	const char *header; /* the first line without its line end: names, comma-separated */
	const char *what;   /* for messages: "a manifest" */
	/* Earlier headers still accepted, NULL-terminated (NULL: none); version n is older[n - 1].
	 */
	const char *const *older;
};

/* --- writing ------------------------------------------------------------- */

struct journal {
	int fd;
	char *path;
	const struct journal_format *format;
	int version; /* of the file's header: 0 the format's header, n its older[n - 1] */
};
#define JOURNAL_INIT                                                                               \
	{                                                                                          \
		-1, NULL, NULL, 0                                                                  \
	}

/* Open path for appending as described above (AK_INPUT on failure, also if locked). */
int journal_open(struct journal *j, const char *path, const struct journal_format *f,
		 struct err *e);
/* Append len bytes of complete rows, each ending with its LF: one write, then fsync. */
int journal_append(struct journal *j, const char *rows, size_t len, struct err *e);
void journal_close(struct journal *j);

/*
 * Format n fields as one CSV line with its LF into buf, NUL-terminated;
 * returns its length, or -1 if it does not fit or a field holds a CR or LF
 * (every row is one line, so that a crash can only tear the last line).
 */
int journal_format_row(const char *const fields[], int n, char *buf, size_t size);

/* --- reading ------------------------------------------------------------- */

/* One record, read into the caller's buffers (f[i] NULL: field i is not kept). */
struct journal_record {
	char *f[JOURNAL_FIELDS_MAX];
	size_t cap[JOURNAL_FIELDS_MAX]; /* buffer sizes, the NUL included */
	int nfields;                    /* fields seen, even beyond JOURNAL_FIELDS_MAX */
	int toolong;                    /* index + 1 of the first field that did not fit */
	int nul;                        /* a NUL byte somewhere in the record */
	const char *syntax;             /* the first quoting error, or NULL */
	int torn;                       /* the data ended inside the record, before a line end */
};

struct journal_reader {
	struct linereader r;
	int fd, own_fd; /* own_fd: journal_reader_close() closes fd */
	char *name;
	unsigned long line;     /* line of the reading position */
	unsigned long row_line; /* line on which the last record starts */
	int version;            /* of the header read, as journal.version */
};
#define JOURNAL_READER_INIT                                                                        \
	{                                                                                          \
		LINEREADER_INIT, -1, 0, NULL, 1, 0, 0                                              \
	}

/* Open path ("-": standard input, named "(stdin)") and check its header (any version).  AK_INPUT.
 */
int journal_reader_open(struct journal_reader *jr, const char *path, const struct journal_format *f,
			struct err *e);
/* The same over data in memory (not copied: it must outlive the reader); name is for messages. */
int journal_reader_open_mem(struct journal_reader *jr, const char *data, size_t len,
			    const char *name, const struct journal_format *f, struct err *e);
/* The rows of an open journal from its start (the journal stays open; its lock holds). */
int journal_reader_open_journal(struct journal_reader *jr, const struct journal *j, struct err *e);
/*
 * The next record into rec (blank lines are skipped): 1, 0 at the end of the
 * data, -1 if it cannot be read (AK_INPUT).  The fields are NUL-terminated,
 * cut to their buffers.
 */
int journal_next(struct journal_reader *jr, struct journal_record *rec, struct err *e);
void journal_reader_close(struct journal_reader *jr);

#endif
