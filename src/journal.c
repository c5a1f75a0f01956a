/* journal: crash-safe append-only CSV files, their reader and writer (see journal.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "banned.h"

/* --- reading ------------------------------------------------------------- */

/* What one record needs besides the caller's: how full each buffer is. */
struct fill {
	size_t len[JOURNAL_FIELDS_MAX];
	size_t bytes; /* of content, kept or not */
};

static void
record_put(struct journal_record *r, struct fill *fl, int c)
{
	int i = r->nfields - 1;

	fl->bytes++;
	if (c == 0)
		r->nul = 1;
	if (i >= JOURNAL_FIELDS_MAX || r->f[i] == NULL)
		return;
	if (fl->len[i] + 1 < r->cap[i])
		r->f[i][fl->len[i]++] = (char)c;
	else if (r->toolong == 0)
		r->toolong = i + 1;
}

/*
 * Read one record (RFC 4180).  Returns 1 with a record, 0 at the end of the
 * data, LINEREADER_ERROR.  *blank says it was a blank line.  Syntax errors are
 * noted in r and the rest of the record is consumed, so that the next call
 * starts on the next record.
 */
static int
read_record(struct journal_reader *jr, struct journal_record *r, int *blank)
{
	struct fill fl = {{0}, 0};
	int c, quoted = 0, at_start = 1, after_quote = 0, i;

	r->nfields = 1;
	r->toolong = r->nul = r->torn = 0;
	r->syntax = NULL;
	jr->row_line = jr->line;
	if ((c = linereader_getc(&jr->r)) == LINEREADER_EOF)
		return 0;
	for (;; c = linereader_getc(&jr->r)) {
		if (c == LINEREADER_ERROR)
			return LINEREADER_ERROR;
		if (quoted) {
			if (c == LINEREADER_EOF) {
				r->syntax = r->syntax ? r->syntax : "a quoted field is not closed";
				r->torn = 1;
				break;
			}
			if (c == '"') {
				if (linereader_peek(&jr->r) == '"') {
					linereader_getc(&jr->r);
					record_put(r, &fl, '"');
				} else {
					quoted = 0;
					after_quote = 1;
				}
				continue;
			}
			if (c == '\n')
				jr->line++;
			record_put(r, &fl, c);
			continue;
		}
		if (c == LINEREADER_EOF) {
			r->torn = 1;
			break;
		}
		if (c == '\r' && linereader_peek(&jr->r) == '\n')
			continue; /* CRLF: the LF ends the record */
		if (c == '\n') {
			jr->line++;
			break;
		}
		if (c == ',') {
			r->nfields++;
			at_start = 1;
			after_quote = 0;
			continue;
		}
		if (after_quote) {
			r->syntax = r->syntax ? r->syntax : "text after a closing quote";
			continue;
		}
		if (c == '"') {
			if (at_start) {
				quoted = 1;
				at_start = 0;
			} else if (r->syntax == NULL) {
				r->syntax = "a quote inside an unquoted field";
			}
			continue;
		}
		at_start = 0;
		record_put(r, &fl, c);
	}
	for (i = 0; i < JOURNAL_FIELDS_MAX; i++)
		if (r->f[i] != NULL && r->cap[i] > 0)
			r->f[i][fl.len[i]] = '\0';
	*blank = r->nfields == 1 && fl.bytes == 0 && !after_quote && r->syntax == NULL;
	return 1;
}

int
journal_next(struct journal_reader *jr, struct journal_record *rec, struct err *e)
{
	int rc, blank;

	do
		rc = read_record(jr, rec, &blank);
	while (rc == 1 && blank);
	if (rc == LINEREADER_ERROR)
		return err_set(e, AK_INPUT, "cannot read '%s': %s", jr->name,
			       strerror(jr->r.error));
	return rc;
}

/* Is the record the header, field by field? */
static int
is_header(const struct journal_record *r, const char *header)
{
	const char *name = header;
	size_t n;
	int i;

	if (r->syntax != NULL || r->nul || r->toolong || r->nfields > JOURNAL_FIELDS_MAX)
		return 0;
	for (i = 0; i < r->nfields; i++) {
		if (name == NULL)
			return 0;
		n = strcspn(name, ",");
		if (strlen(r->f[i]) != n || memcmp(r->f[i], name, n) != 0)
			return 0;
		name = name[n] == ',' ? name + n + 1 : NULL;
	}
	return name == NULL;
}

/* Read the first line and check that it is the header (a BOM before it is the line reader's). */
static int
read_header(struct journal_reader *jr, const struct journal_format *f, struct err *e)
{
	char spare[JOURNAL_FIELDS_MAX][64];
	struct journal_record r;
	int i, rc, blank;

	for (i = 0; i < JOURNAL_FIELDS_MAX; i++) {
		r.f[i] = spare[i];
		r.cap[i] = sizeof(spare[i]);
	}
	jr->line = 1;
	if ((rc = read_record(jr, &r, &blank)) == LINEREADER_ERROR)
		return err_set(e, AK_INPUT, "cannot read '%s': %s", jr->name,
			       strerror(jr->r.error));
	if (rc == 0)
		return err_set(e, AK_INPUT, "'%s' is empty: not %s (no '%s' line)", jr->name,
			       f->what, f->header);
	if (is_header(&r, f->header))
		return 0;
	for (i = 0; f->older != NULL && f->older[i] != NULL; i++)
		if (is_header(&r, f->older[i])) {
			jr->version = i + 1;
			return 0;
		}
	return err_set(e, AK_INPUT, "'%s' is not %s: its first line is not '%s'", jr->name, f->what,
		       f->header);
}

static int
reader_start(struct journal_reader *jr, int fd, int own_fd, const char *data, size_t len,
	     const char *name, const struct journal_format *f, struct err *e)
{
	*jr = (struct journal_reader)JOURNAL_READER_INIT;
	jr->fd = fd;
	jr->own_fd = own_fd;
	if ((jr->name = strdup(name)) == NULL)
		goto oom;
	if (data != NULL)
		linereader_open_mem(&jr->r, data, len);
	else if (linereader_open_fd(&jr->r, fd) != 0)
		goto oom;
	if (read_header(jr, f, e) != 0) {
		journal_reader_close(jr);
		return -1;
	}
	return 0;
oom:
	journal_reader_close(jr);
	return err_set(e, AK_INTERNAL, "out of memory");
}

int
journal_reader_open(struct journal_reader *jr, const char *path, const struct journal_format *f,
		    struct err *e)
{
	int fd;

	*jr = (struct journal_reader)JOURNAL_READER_INIT;
	if ((fd = fileio_open_read(path, e)) < 0)
		return -1;
	return reader_start(jr, fd, fd != STDIN_FILENO, NULL, 0,
			    strcmp(path, "-") == 0 ? "(stdin)" : path, f, e);
}

int
journal_reader_open_mem(struct journal_reader *jr, const char *data, size_t len, const char *name,
			const struct journal_format *f, struct err *e)
{
	return reader_start(jr, -1, 0, data, len, name, f, e);
}

int
journal_reader_open_journal(struct journal_reader *jr, const struct journal *j, struct err *e)
{
	*jr = (struct journal_reader)JOURNAL_READER_INIT;
	/* Appends go to the end whatever the offset (O_APPEND): reading may move it. */
	if (lseek(j->fd, 0, SEEK_SET) != 0)
		return err_set(e, AK_INPUT, "cannot read '%s': %s", j->path, strerror(errno));
	return reader_start(jr, j->fd, 0, NULL, 0, j->path, j->format, e);
}

void
journal_reader_close(struct journal_reader *jr)
{
	if (jr->own_fd && jr->fd >= 0)
		close(jr->fd);
	linereader_clear(&jr->r);
	free(jr->name);
	*jr = (struct journal_reader)JOURNAL_READER_INIT;
}

/* --- writing ------------------------------------------------------------- */

/* Append c to buf at *n, leaving room for the final NUL; -1 if it does not fit. */
static int
put_char(char *buf, size_t size, size_t *n, char c)
{
	if (*n + 1 >= size)
		return -1;
	buf[(*n)++] = c;
	return 0;
}

/* Append s to buf at *n, quoted if needed, and its separator; -1 if it does not fit. */
static int
put_field(char *buf, size_t size, size_t *n, const char *s, int last)
{
	int q = strpbrk(s, ",\"") != NULL;

	if (strpbrk(s, "\r\n") != NULL)
		return -1; /* one row, one line: a torn tail is then a torn line (repair_tail) */

	if (q && put_char(buf, size, n, '"') != 0)
		return -1;
	for (; *s != '\0'; s++)
		if ((*s == '"' && put_char(buf, size, n, '"') != 0) ||
		    put_char(buf, size, n, *s) != 0)
			return -1;
	if (q && put_char(buf, size, n, '"') != 0)
		return -1;
	return put_char(buf, size, n, last ? '\n' : ',');
}

int
journal_format_row(const char *const fields[], int n, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		if (put_field(buf, size, &len, fields[i], i == n - 1) != 0)
			return -1;
	if (size == 0)
		return -1;
	buf[len] = '\0';
	return (int)len;
}

/* Does the file start with a header of the format (which version)?  Read as every reader does. */
static int
check_header(struct journal *j, struct err *e)
{
	struct journal_reader jr;

	if (journal_reader_open_journal(&jr, j, e) != 0)
		return -1;
	j->version = jr.version;
	journal_reader_close(&jr);
	return 0;
}

/* Cut a torn last line (no line end) off: it is an append that never completed. */
static int
repair_tail(struct journal *j, struct err *e)
{
	char buf[4096];
	struct stat st;
	off_t end, start;
	ssize_t n, i;

	if (fstat(j->fd, &st) != 0)
		return err_set(e, AK_INPUT, "cannot stat '%s': %s", j->path, strerror(errno));
	end = st.st_size;
	while (end > 0) {
		start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		if ((n = pread(j->fd, buf, (size_t)(end - start), start)) != end - start)
			return err_set(e, AK_INPUT, "cannot read '%s': %s", j->path,
				       n < 0 ? strerror(errno) : "short read");
		for (i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				break;
		if (i >= 0) {
			end = start + i + 1;
			break;
		}
		end = start;
	}
	if (end == st.st_size)
		return 0;
	/* Not even the header is whole: never ours (ours is created whole). */
	if (end == 0)
		return err_set(e, AK_INPUT, "'%s' is not %s: its first line is not '%s'", j->path,
			       j->format->what, j->format->header);
	return fileio_truncate(j->fd, j->path, end, e);
}

/* Create path holding just its header, whole (temp file + link), unless it exists by then. */
static int
create(const char *path, const struct journal_format *f, struct err *e)
{
	struct fileio_batch b = FILEIO_BATCH_INIT;
	size_t n = strlen(f->header);
	struct stat st;
	char *h;
	int rc;

	if ((h = malloc(n + 1)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	memcpy(h, f->header, n);
	h[n] = '\n';
	rc = fileio_batch_add(&b, path, h, n + 1, 0644, e);
	if (rc == 0 && fileio_batch_commit(&b, 0, e) != 0 && lstat(path, &st) != 0)
		rc = -1; /* one created meanwhile by someone else is fine */
	fileio_batch_clear(&b);
	free(h);
	return rc;
}

/*
 * Open path and flock it -- and make sure the lock is of the file still at
 * path: one replaced whole (rotate rewrites the manifest, renaming a new
 * file over it) between our open and our lock would take our rows to a file
 * nobody reads again.  The replacer holds the old file's lock until its
 * rename is done, so the new file is there once we have that lock.
 */
static int
lock_current(struct journal *j, const char *path, struct err *e)
{
	struct stat held, now;
	int tries;

	for (tries = 0; tries < 10; tries++) {
		if ((j->fd = fileio_append_open(path, e)) < 0)
			return -1;
		if (flock(j->fd, LOCK_EX | LOCK_NB) != 0)
			return err_set(e, AK_INPUT, "'%s' is in use by another akcred process",
				       path);
		if (fstat(j->fd, &held) == 0 && lstat(path, &now) == 0 &&
		    held.st_dev == now.st_dev && held.st_ino == now.st_ino)
			return 0;
		close(j->fd);
		j->fd = -1;
	}
	return err_set(e, AK_INPUT, "'%s' keeps being replaced by another process", path);
}

int
journal_open(struct journal *j, const char *path, const struct journal_format *f, struct err *e)
{
	struct stat st;

	*j = (struct journal)JOURNAL_INIT;
	j->format = f;
	if ((j->path = strdup(path)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT) {
			err_set(e, AK_INPUT, "cannot check '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (create(path, f, e) != 0)
			goto fail;
	}
	if (lock_current(j, path, e) != 0 || check_header(j, e) != 0 || repair_tail(j, e) != 0)
		goto fail;
	return 0;
fail:
	journal_close(j);
	return -1;
}

int
journal_append(struct journal *j, const char *rows, size_t len, struct err *e)
{
	return fileio_append(j->fd, j->path, rows, len, e);
}

void
journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	*j = (struct journal)JOURNAL_INIT;
}
