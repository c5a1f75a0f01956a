/*
 * linereader: buffered reading of a text stream -- an open descriptor or data
 * in memory -- a byte or a line at a time, in constant memory.  The one
 * reader under idlist (id files) and journal (CSV: manifests, results files).
 *
 * A UTF-8 byte order mark at the very start of the stream is skipped: editors
 * on Windows save one, and it must not become part of the first line (an id
 * "\xef\xbb\xbfdev-1", a header that does not match).  A BOM anywhere else is
 * data.
 */
#ifndef AKCRED_LINEREADER_H
#define AKCRED_LINEREADER_H

#include <stddef.h>

#define LINEREADER_CHUNK 65536

enum {
	LINEREADER_EOF = -1,
	LINEREADER_ERROR = -2, /* read(2) failed: linereader.error is its errno */
};

struct linereader {
	int fd;    /* -1: reading from memory */
	char *buf; /* LINEREADER_CHUNK bytes, or the caller's data */
	size_t len, pos;
	int eof, error;
	int started; /* the start (and its BOM) has been looked at */
};
/* clang-format off */
#define LINEREADER_INIT {-1, NULL, 0, 0, 0, 0, 0}
/* clang-format on */

/* Read from fd (not closed by the reader).  -1 if out of memory. */
int linereader_open_fd(struct linereader *r, int fd);
/* Read data (not copied: it must outlive the reader). */
void linereader_open_mem(struct linereader *r, const char *data, size_t len);
/* The next byte, LINEREADER_EOF or LINEREADER_ERROR. */
int linereader_getc(struct linereader *r);
/* The same without consuming it. */
int linereader_peek(struct linereader *r);
/*
 * The next line without its LF: its first size bytes into buf, their count in
 * *n, and *toolong set if more followed (consumed, not kept).  Returns 1 for a
 * line (also a last one without LF), 0 at the end, LINEREADER_ERROR.
 */
int linereader_line(struct linereader *r, char *buf, size_t size, size_t *n, int *toolong);
/* Free the buffer (the descriptor stays open). */
void linereader_clear(struct linereader *r);

#endif
