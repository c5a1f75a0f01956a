/* manifest: the format of the list of provisioned devices, a journal (see manifest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "banned.h"

#define NFIELDS 5

static const char *const field_names[NFIELDS] = {"device_id", "algorithm", "fingerprint",
						 "public_key", "created"};

static const struct journal_format manifest_format = {MANIFEST_HEADER, "a manifest", NULL};

struct manifest {
	struct journal_reader jr;
	char *dir;
};

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

	if (devid_check(row->device_id, e) != 0)
		return -1;
	if (key_credential_index(row->algorithm) < 0)
		return err_set(e, AK_INPUT,
			       "unknown algorithm '%s' (EC256_PEM, RSA256_PEM, EC256_X509_PEM or "
			       "RSA256_X509_PEM)",
			       row->algorithm);
	if (!key_fingerprint_ok(row->fingerprint))
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

int
manifest_next_row(struct manifest *m, struct manifest_row *row, struct err *e)
{
	struct journal_record r = {
		.f = {row->device_id, row->algorithm, row->fingerprint, row->public_key,
		      row->created},
		.cap = {sizeof(row->device_id), sizeof(row->algorithm), sizeof(row->fingerprint),
			sizeof(row->public_key), sizeof(row->created)},
	};
	int rc;

	if ((rc = journal_next(&m->jr, &r, e)) == 0)
		return MANIFEST_END;
	if (rc < 0)
		return MANIFEST_FATAL;
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
	err_prefix(e, "'%s' line %lu", m->jr.name, m->jr.row_line);
	return MANIFEST_BAD;
}

int
manifest_each(struct manifest *m, manifest_visit_fn *visit, void *arg, struct err *e)
{
	struct manifest_row row;
	struct err bad;
	char name[32];
	int r;

	for (;;) {
		bad = (struct err)ERR_INIT;
		if ((r = manifest_next_row(m, &row, &bad)) == MANIFEST_END)
			return 0;
		if (r == MANIFEST_FATAL) {
			*e = bad;
			return -1;
		}
		if (r == MANIFEST_ROW)
			r = visit(arg, m, row.device_id, &row, NULL, e);
		else {
			snprintf(name, sizeof(name), "(line %lu)", m->jr.row_line);
			r = visit(arg, m, name, NULL, &bad, e);
		}
		if (r != 0)
			return -1;
	}
}

int
manifest_beside(const struct manifest *m, const char *name, char **path, struct err *e)
{
	if (asprintf(path, "%s/%s", m->dir, name) < 0) {
		*path = NULL;
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	return 0;
}

int
manifest_load(const char *path, manifest_visit_fn *visit, void *arg,
	      const struct manifest_file *files, struct err *e)
{
	struct manifest *m = NULL;
	int rc;

	if (manifest_open(&m, path, e) != 0)
		return -1;
	rc = manifest_each(m, visit, arg, e);
	for (; rc == 0 && files != NULL && files->name != NULL; files++)
		if (*files->path == NULL)
			rc = manifest_beside(m, files->name, files->path, e);
	manifest_close(m);
	return rc;
}

unsigned long
manifest_line(const struct manifest *m)
{
	return m->jr.row_line;
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
			       m->jr.name, m->jr.row_line);
	return 0;
}

int
manifest_beside_key(const struct manifest *m, const struct manifest_row *row, const char *name,
		    char *buf, size_t size, struct err *e)
{
	char *slash;
	size_t n, len = strlen(name) + 1;

	if (manifest_key_path(m, row, buf, size, e) != 0)
		return -1;
	slash = strrchr(buf, '/');
	n = slash != NULL ? (size_t)(slash - buf) + 1 : 0;
	if (n + len > size)
		return err_set(e, AK_INPUT, "'%s' line %lu: the public_key path is too long",
			       m->jr.name, m->jr.row_line);
	memcpy(buf + n, name, len);
	return 0;
}

int
manifest_private_key_path(const struct manifest *m, const struct manifest_row *row, char *buf,
			  size_t size, struct err *e)
{
	return manifest_beside_key(m, row, MANIFEST_PRIVATE_KEY, buf, size, e);
}

void
manifest_close(struct manifest *m)
{
	if (m == NULL)
		return;
	journal_reader_close(&m->jr);
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

/* path is NULL for data in memory. */
static int
reader_new(struct manifest **out, const char *path, const char *data, size_t len, const char *name,
	   struct err *e)
{
	struct manifest *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	m->jr = (struct journal_reader)JOURNAL_READER_INIT;
	if ((path != NULL ? journal_reader_open(&m->jr, path, &manifest_format, e)
			  : journal_reader_open_mem(&m->jr, data, len, name, &manifest_format,
						    e)) != 0) {
		free(m);
		return -1;
	}
	if ((m->dir = path == NULL || strcmp(path, "-") == 0 ? strdup(".") : dir_of(path)) ==
	    NULL) {
		manifest_close(m);
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	*out = m;
	return 0;
}

int
manifest_open(struct manifest **m, const char *path, struct err *e)
{
	return reader_new(m, path, NULL, 0, NULL, e);
}

int
manifest_open_mem(struct manifest **m, const char *data, size_t len, const char *name,
		  struct err *e)
{
	return reader_new(m, NULL, data, len, name, e);
}

/* --- writing ------------------------------------------------------------- */

int
manifest_format_row(const struct manifest_row *row, char *buf, size_t size, struct err *e)
{
	const char *const f[NFIELDS] = {row->device_id, row->algorithm, row->fingerprint,
					row->public_key, row->created};
	int n;

	if (manifest_check_row(row, e) != 0)
		return err_prefix(e, "not writing a bad manifest row");
	if ((n = journal_format_row(f, NFIELDS, buf, size)) < 0)
		return err_set(e, AK_INTERNAL,
			       "internal error: manifest row too long or not one line");
	return n;
}

int
manifest_writer_open(struct manifest_writer *w, const char *path, struct err *e)
{
	return journal_open(&w->j, path, &manifest_format, e);
}

int
manifest_append(struct manifest_writer *w, const char *rows, size_t len, struct err *e)
{
	return journal_append(&w->j, rows, len, e);
}

int
manifest_writer_fd(const struct manifest_writer *w)
{
	return w->j.fd;
}

void
manifest_writer_close(struct manifest_writer *w)
{
	journal_close(&w->j);
}

int
manifest_relpath(const char *from, const char *to, char *buf, size_t size, struct err *e)
{
	size_t common = 0, i, n = 0;
	const char *rest;
	int w;

	if (from[0] != '/' || to[0] != '/')
		return err_set(e, AK_INTERNAL, "internal error: relative path from '%s'", from);
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
