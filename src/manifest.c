/* manifest: read and append the CSV list of provisioned devices (see manifest.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "linereader.h"
#include "manifest.h"
#include "banned.h"

#define NFIELDS 5

static const char *const field_names[NFIELDS] = {"device_id", "algorithm", "fingerprint",
						 "public_key", "created"};

static const char *const algorithms[] = {"EC256_PEM", "RSA256_PEM", "EC256_X509_PEM",
					 "RSA256_X509_PEM"};

struct manifest {
	struct linereader r;
	int fd; /* -1: reading from memory */
	char *name, *dir;
	unsigned long line;	/* line of the reading position */
	unsigned long row_line; /* first line of the last row */
};

static int
next_byte(struct manifest *m)
{
	return linereader_getc(&m->r);
}

static int
peek_byte(struct manifest *m)
{
	return linereader_peek(&m->r);
}

/* One parsed record: up to NFIELDS fields, each cut to its buffer's size. */
struct record {
	char *f[NFIELDS];
	size_t cap[NFIELDS];
	size_t flen[NFIELDS];
	int nfields;	    /* fields seen, even beyond NFIELDS */
	int toolong;	    /* index + 1 of the first field that did not fit */
	int nul;	    /* a NUL byte somewhere */
	const char *syntax; /* a quoting error */
	int empty;	    /* a blank line */
};

static void
record_put(struct record *r, int c)
{
	int i = r->nfields - 1;

	if (c == 0)
		r->nul = 1;
	if (i >= NFIELDS)
		return;
	if (r->flen[i] + 1 < r->cap[i])
		r->f[i][r->flen[i]++] = (char)c;
	else if (r->toolong == 0)
		r->toolong = i + 1;
}

/*
 * Read one record (RFC 4180).  Returns 1 with a record, 0 at the end of the
 * data, -2 on a read error.  Syntax errors are noted in r and the rest of the
 * record is consumed, so that the next call starts on the next record.
 */
static int
read_record(struct manifest *m, struct record *r)
{
	int c, quoted = 0, at_start = 1, after_quote = 0, i;

	for (i = 0; i < NFIELDS; i++)
		r->flen[i] = 0;
	r->nfields = 1;
	r->toolong = r->nul = r->empty = 0;
	r->syntax = NULL;
	m->row_line = m->line;
	if ((c = next_byte(m)) == -1)
		return 0;
	for (;; c = next_byte(m)) {
		if (c == -2)
			return -2;
		if (quoted) {
			if (c == -1) {
				r->syntax = r->syntax ? r->syntax : "a quoted field is not closed";
				break;
			}
			if (c == '"') {
				if (peek_byte(m) == '"') {
					next_byte(m);
					record_put(r, '"');
				} else {
					quoted = 0;
					after_quote = 1;
				}
				continue;
			}
			if (c == '\n')
				m->line++;
			record_put(r, c);
			continue;
		}
		if (c == -1)
			break;
		if (c == '\r' && peek_byte(m) == '\n')
			continue; /* CRLF: the LF ends the record */
		if (c == '\n') {
			m->line++;
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
		record_put(r, c);
	}
	for (i = 0; i < NFIELDS; i++)
		r->f[i][r->flen[i]] = '\0';
	r->empty = r->nfields == 1 && r->flen[0] == 0 && !after_quote && r->syntax == NULL;
	return 1;
}

int
manifest_algorithm_ok(const char *alg)
{
	size_t i;

	for (i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (strcmp(alg, algorithms[i]) == 0)
			return 1;
	return 0;
}

static int
iso_ok(const char *s)
{
	/* YYYY-MM-DDTHH:MM:SSZ */
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (strlen(s) != sizeof(pattern) - 1)
		return 0;
	for (i = 0; pattern[i] != '\0'; i++) {
		if (pattern[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pattern[i])
			return 0;
	}
	return 1;
}

int
manifest_check_row(const struct manifest_row *row, struct err *e)
{
	const unsigned char *p;
	size_t i;

	if (devid_check(row->device_id, e) != 0)
		return -1;
	if (!manifest_algorithm_ok(row->algorithm))
		return err_set(e, AK_INPUT,
			       "unknown algorithm '%s' (EC256_PEM, RSA256_PEM, EC256_X509_PEM or "
			       "RSA256_X509_PEM)",
			       row->algorithm);
	for (i = 0; i < KEY_FINGERPRINT_HEX; i++) {
		char c = row->fingerprint[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
	}
	if (i != KEY_FINGERPRINT_HEX || row->fingerprint[i] != '\0')
		return err_set(e, AK_INPUT, "fingerprint '%s' is not 64 lowercase hex digits",
			       row->fingerprint);
	if (row->public_key[0] == '\0')
		return err_set(e, AK_INPUT, "the public_key path is empty");
	for (p = (const unsigned char *)row->public_key; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return err_set(e, AK_INPUT, "the public_key path has a control character");
	if (!iso_ok(row->created))
		return err_set(e, AK_INPUT,
			       "created '%s' is not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)",
			       row->created);
	return 0;
}

static void
record_bind(struct record *r, struct manifest_row *row, char *spare[NFIELDS], size_t sparecap)
{
	int i;

	if (row != NULL) {
		r->f[0] = row->device_id;
		r->cap[0] = sizeof(row->device_id);
		r->f[1] = row->algorithm;
		r->cap[1] = sizeof(row->algorithm);
		r->f[2] = row->fingerprint;
		r->cap[2] = sizeof(row->fingerprint);
		r->f[3] = row->public_key;
		r->cap[3] = sizeof(row->public_key);
		r->f[4] = row->created;
		r->cap[4] = sizeof(row->created);
		return;
	}
	for (i = 0; i < NFIELDS; i++) {
		r->f[i] = spare[i];
		r->cap[i] = sparecap;
	}
}

int
manifest_next_row(struct manifest *m, struct manifest_row *row, struct err *e)
{
	struct record r;
	int rc;

	record_bind(&r, row, NULL, 0);
	do {
		rc = read_record(m, &r);
		if (rc == 0)
			return MANIFEST_END;
		if (rc < 0) {
			err_set(e, AK_INPUT, "cannot read '%s': %s", m->name,
				strerror(m->r.error));
			return MANIFEST_FATAL;
		}
	} while (r.empty);
	if (r.syntax != NULL)
		err_set(e, AK_INPUT, "%s", r.syntax);
	else if (r.nul)
		err_set(e, AK_INPUT, "a NUL byte in the row");
	else if (r.nfields != NFIELDS)
		err_set(e, AK_INPUT, "%d field%s, expected %d (%s)", r.nfields,
			r.nfields == 1 ? "" : "s", NFIELDS, MANIFEST_HEADER);
	else if (r.toolong != 0)
		err_set(e, AK_INPUT, "the %s field is too long", field_names[r.toolong - 1]);
	else if (manifest_check_row(row, e) == 0)
		return MANIFEST_ROW;
	err_prefix(e, "'%s' line %lu", m->name, m->row_line);
	return MANIFEST_BAD;
}

unsigned long
manifest_line(const struct manifest *m)
{
	return m->row_line;
}

const char *
manifest_dir(const struct manifest *m)
{
	return m->dir;
}

int
manifest_key_path(const struct manifest *m, const struct manifest_row *row, char *buf, size_t size,
		  struct err *e)
{
	int n;

	if (row->public_key[0] == '/' || strcmp(m->dir, ".") == 0)
		n = snprintf(buf, size, "%s", row->public_key);
	else
		n = snprintf(buf, size, "%s/%s", m->dir, row->public_key);
	if (n < 0 || (size_t)n >= size)
		return err_set(e, AK_INPUT, "'%s' line %lu: the public_key path is too long",
			       m->name, m->row_line);
	return 0;
}

void
manifest_close(struct manifest *m)
{
	if (m == NULL)
		return;
	if (m->fd > STDIN_FILENO)
		close(m->fd);
	linereader_clear(&m->r);
	free(m->name);
	free(m->dir);
	free(m);
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Check the first line: the header (a byte order mark before it is the line reader's). */
static int
read_header(struct manifest *m, struct err *e)
{
	char spare[NFIELDS][32], *sp[NFIELDS];
	struct record r;
	int i, rc;

	for (i = 0; i < NFIELDS; i++)
		sp[i] = spare[i];
	record_bind(&r, NULL, sp, sizeof(spare[0]));
	m->line = 1;
	if ((rc = read_record(m, &r)) < 0)
		return err_set(e, AK_INPUT, "cannot read '%s': %s", m->name,
			       strerror(m->r.error));
	if (rc == 0)
		return err_set(e, AK_INPUT, "'%s' is empty: not a manifest (no '%s' line)", m->name,
			       MANIFEST_HEADER);
	if (r.syntax != NULL || r.nfields != NFIELDS || r.toolong)
		goto bad;
	for (i = 0; i < NFIELDS; i++)
		if (strcmp(r.f[i], field_names[i]) != 0)
			goto bad;
	return 0;
bad:
	return err_set(e, AK_INPUT, "'%s' is not a manifest: its first line is not '%s'", m->name,
		       MANIFEST_HEADER);
}

static int
reader_new(struct manifest **out, int fd, const char *data, size_t len, const char *name,
	   struct err *e)
{
	struct manifest *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto oom;
	m->fd = fd;
	m->line = 1;
	if ((m->name = strdup(name)) == NULL ||
	    (m->dir = fd == STDIN_FILENO || data != NULL ? strdup(".") : dir_of(name)) == NULL)
		goto oom;
	if (data != NULL)
		linereader_open_mem(&m->r, data, len);
	else if (linereader_open_fd(&m->r, fd) != 0)
		goto oom;
	if (read_header(m, e) != 0) {
		manifest_close(m);
		return -1;
	}
	*out = m;
	return 0;
oom:
	if (m == NULL && fd > STDIN_FILENO)
		close(fd);
	manifest_close(m);
	return err_set(e, AK_CRYPTO, "out of memory");
}

int
manifest_open(struct manifest **m, const char *path, struct err *e)
{
	int fd;

	*m = NULL;
	if ((fd = fileio_open_read(path, e)) < 0)
		return -1;
	return reader_new(m, fd, NULL, 0, strcmp(path, "-") == 0 ? "(stdin)" : path, e);
}

int
manifest_open_mem(struct manifest **m, const char *data, size_t len, const char *name,
		  struct err *e)
{
	return reader_new(m, -1, data, len, name, e);
}

/* --- writing ------------------------------------------------------------- */

static int
needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* Append s to buf at *n, quoted if needed; -1 if it does not fit. */
static int
put_field(char *buf, size_t size, size_t *n, const char *s, int last)
{
	int q = needs_quotes(s);

	if (q) {
		if (*n + 1 >= size)
			return -1;
		buf[(*n)++] = '"';
	}
	for (; *s != '\0'; s++) {
		if (*n + 2 >= size)
			return -1;
		if (*s == '"')
			buf[(*n)++] = '"';
		buf[(*n)++] = *s;
	}
	if (*n + 2 >= size)
		return -1;
	if (q)
		buf[(*n)++] = '"';
	buf[(*n)++] = last ? '\n' : ',';
	return 0;
}

int
manifest_format_row(const struct manifest_row *row, char *buf, size_t size, struct err *e)
{
	const char *f[NFIELDS] = {row->device_id, row->algorithm, row->fingerprint, row->public_key,
				  row->created};
	size_t n = 0;
	int i;

	if (manifest_check_row(row, e) != 0)
		return err_prefix(e, "not writing a bad manifest row");
	for (i = 0; i < NFIELDS; i++)
		if (put_field(buf, size, &n, f[i], i == NFIELDS - 1) != 0)
			return err_set(e, AK_CRYPTO, "internal error: manifest row too long");
	buf[n] = '\0';
	return (int)n;
}

/* Is the first line of the file the header?  (Read as the reader does: BOM and CRLF allowed.) */
static int
header_ok(int fd)
{
	struct linereader r;
	char buf[sizeof(MANIFEST_HEADER) + 1];
	size_t n;
	int toolong, ok;

	if (lseek(fd, 0, SEEK_SET) != 0 || linereader_open_fd(&r, fd) != 0)
		return 0;
	ok = linereader_line(&r, buf, sizeof(buf), &n, &toolong) == 1 && !toolong;
	linereader_clear(&r);
	if (ok && n > 0 && buf[n - 1] == '\r')
		n--;
	return ok && n == strlen(MANIFEST_HEADER) && memcmp(buf, MANIFEST_HEADER, n) == 0;
}

/* Cut a torn last line (no line end) off: it is an append that never completed. */
static int
repair_tail(struct manifest_writer *w, struct err *e)
{
	char buf[4096];
	struct stat st;
	off_t end, start;
	ssize_t n, i;

	if (fstat(w->fd, &st) != 0)
		return err_set(e, AK_INPUT, "cannot stat '%s': %s", w->path, strerror(errno));
	end = st.st_size;
	while (end > 0) {
		start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		if ((n = pread(w->fd, buf, (size_t)(end - start), start)) != end - start)
			return err_set(e, AK_INPUT, "cannot read '%s': %s", w->path,
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
	if (end == 0)
		return err_set(e, AK_INPUT, "'%s' is not a manifest: its first line is not '%s'",
			       w->path, MANIFEST_HEADER);
	return fileio_truncate(w->fd, w->path, end, e);
}

int
manifest_writer_open(struct manifest_writer *w, const char *path, struct err *e)
{
	struct fileio_batch b = FILEIO_BATCH_INIT;
	struct stat st;
	int rc;

	if ((w->path = strdup(path)) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT) {
			err_set(e, AK_INPUT, "cannot check '%s': %s", path, strerror(errno));
			goto fail;
		}
		/* Created whole (temp file + link): there is never a manifest without its header.
		 */
		rc = fileio_batch_add(&b, path, MANIFEST_HEADER "\n", strlen(MANIFEST_HEADER) + 1,
				      0644, e);
		if (rc == 0 && fileio_batch_commit(&b, 0, e) != 0 && lstat(path, &st) != 0)
			rc = -1; /* a manifest created meanwhile by someone else is fine */
		fileio_batch_clear(&b);
		if (rc != 0)
			goto fail;
	}
	if ((w->fd = fileio_append_open(path, e)) < 0)
		goto fail;
	if (flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
		err_set(e, AK_INPUT, "'%s' is in use by another akcred process", path);
		goto fail;
	}
	if (!header_ok(w->fd)) {
		err_set(e, AK_INPUT, "'%s' is not a manifest: its first line is not '%s'", path,
			MANIFEST_HEADER);
		goto fail;
	}
	if (repair_tail(w, e) != 0)
		goto fail;
	return 0;
fail:
	manifest_writer_close(w);
	return -1;
}

int
manifest_append(struct manifest_writer *w, const char *rows, size_t len, struct err *e)
{
	return fileio_append(w->fd, w->path, rows, len, e);
}

void
manifest_writer_close(struct manifest_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	*w = (struct manifest_writer)MANIFEST_WRITER_INIT;
}

int
manifest_relpath(const char *from, const char *to, char *buf, size_t size, struct err *e)
{
	size_t common = 0, i, n = 0;
	const char *rest;
	int w;

	if (from[0] != '/' || to[0] != '/')
		return err_set(e, AK_CRYPTO, "internal error: relative path from '%s'", from);
	/* The longest common prefix that ends at a component boundary. */
	for (i = 0;; i++) {
		if ((from[i] == '\0' || from[i] == '/') && (to[i] == '\0' || to[i] == '/'))
			common = i;
		if (from[i] == '\0' || to[i] == '\0' || from[i] != to[i])
			break;
	}
	rest = to + common;
	while (*rest == '/')
		rest++;
	buf[0] = '\0';
	/* One ".." for every component of from after the common part. */
	for (i = common; from[i] != '\0'; i++) {
		if (from[i] == '/' && from[i + 1] != '\0' && from[i + 1] != '/') {
			w = snprintf(buf + n, size - n, "../");
			if (w < 0 || (size_t)w >= size - n)
				goto toolong;
			n += (size_t)w;
		}
	}
	w = snprintf(buf + n, size - n, "%s", *rest != '\0' ? rest : n > 0 ? "" : ".");
	if (w < 0 || (size_t)w >= size - n)
		goto toolong;
	n += (size_t)w;
	if (n > 1 && buf[n - 1] == '/')
		buf[n - 1] = '\0';
	return 0;
toolong:
	return err_set(e, AK_INPUT, "the path of '%s' relative to '%s' is too long", to, from);
}
