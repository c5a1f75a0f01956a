/* spool: unacknowledged messages that survive a restart (see spool.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "journal.h"
#include "spool.h"
#include "banned.h"

#define SPOOL_HEADER "op,seq,payload"
#define SEQ_LEN 24 /* a decimal unsigned long long and a NUL */

static const struct journal_format spool_format = {SPOOL_HEADER, "a spool", NULL};

/* What the previous runs left: messages put and not acknowledged, oldest first. */
struct pending {
	struct {
		unsigned long long seq;
		char *payload;
		size_t len;
	} * m;
	size_t n, size;
};

static void
pending_clear(struct pending *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->m[i].payload);
	free(p->m);
}

static int
pending_add(struct pending *p, unsigned long long seq, const char *payload, struct err *e)
{
	size_t size = p->size ? 2 * p->size : 64;
	void *m;

	if (p->n == p->size) {
		if ((m = realloc(p->m, size * sizeof(*p->m))) == NULL)
			return err_set(e, AK_INTERNAL, "out of memory");
		p->m = m;
		p->size = size;
	}
	if ((p->m[p->n].payload = strdup(payload)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	p->m[p->n].seq = seq;
	p->m[p->n].len = strlen(payload);
	p->n++;
	return 0;
}

/* Acknowledgements come mostly in order: the oldest first is where to look. */
static void
pending_ack(struct pending *p, unsigned long long seq)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->m[i].seq == seq) {
			free(p->m[i].payload);
			memmove(&p->m[i], &p->m[i + 1], (p->n - i - 1) * sizeof(*p->m));
			p->n--;
			return;
		}
}

static int
parse_seq(const char *s, unsigned long long *seq)
{
	char *end;

	if (s[0] < '1' || s[0] > '9')
		return -1;
	errno = 0;
	*seq = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* Read the rows of the open journal into p; sp->next_seq after the highest seen. */
static int
read_rows(struct spool *sp, struct pending *p, char *payload, struct err *e)
{
	struct journal_reader jr = JOURNAL_READER_INIT;
	char op[8], seqs[SEQ_LEN];
	struct journal_record r = {
		.f = {op, seqs, payload},
		.cap = {sizeof(op), sizeof(seqs), sp->payload_max + 1},
	};
	unsigned long long seq;
	int rc;

	if (journal_reader_open_journal(&jr, &sp->j, e) != 0)
		return -1;
	while ((rc = journal_next(&jr, &r, e)) == 1) {
		if (r.torn) /* a put that a crash interrupted: never sent */
			continue;
		if (r.syntax != NULL || r.nul || r.nfields != 3 || r.toolong ||
		    parse_seq(seqs, &seq) != 0 ||
		    (strcmp(op, "put") != 0 && strcmp(op, "ack") != 0)) {
			rc = err_set(e, AK_INPUT, "'%s' line %lu: not a row of a spool", sp->path,
				     jr.row_line);
			break;
		}
		if (seq >= sp->next_seq)
			sp->next_seq = seq + 1;
		if (strcmp(op, "ack") == 0)
			pending_ack(p, seq);
		else if ((rc = pending_add(p, seq, payload, e)) != 0)
			break;
	}
	journal_reader_close(&jr);
	return rc < 0 ? -1 : 0;
}

/* Start the file again with only the pending rows: staged, then renamed over it. */
static int
compact(struct spool *sp, const struct pending *p, struct err *e)
{
	struct fileio_batch b = FILEIO_BATCH_INIT;
	const size_t hl = strlen(SPOOL_HEADER) + 1;
	char *all;
	size_t i, total;
	int rc;

	for (i = 0; i < p->n; i++)
		if (spool_put(sp, p->m[i].seq, p->m[i].payload, p->m[i].len, e) != 0)
			return -1;
	total = hl + sp->len;
	if ((all = malloc(total)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	memcpy(all, SPOOL_HEADER "\n", hl);
	if (sp->len > 0)
		memcpy(all + hl, sp->rows, sp->len);
	sp->len = 0;
	/* fileio will not replace a file another descriptor holds locked: ours too. */
	journal_close(&sp->j);
	rc = fileio_batch_add(&b, sp->path, all, total, 0600, e);
	free(all);
	if (rc == 0)
		rc = fileio_batch_commit(&b, 1, e);
	fileio_batch_clear(&b);
	if (rc != 0)
		return -1;
	return journal_open(&sp->j, sp->path, &spool_format, e);
}

int
spool_open(struct spool *sp, const char *dir, size_t payload_max,
	   int (*each)(unsigned long long seq, const char *payload, size_t len, void *arg,
		       struct err *e),
	   void *arg, struct err *e)
{
	struct pending p = {NULL, 0, 0};
	char *payload = NULL;
	size_t i, n = strlen(dir) + sizeof(SPOOL_FILE) + 1;
	int rc = -1;

	*sp = (struct spool)SPOOL_INIT;
	sp->payload_max = payload_max;
	if ((sp->path = malloc(n)) == NULL || (payload = malloc(payload_max + 1)) == NULL) {
		err_set(e, AK_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(sp->path, n, "%s/%s", dir, SPOOL_FILE);
	if (fileio_mkdir(dir, 0700, e) != 0 ||
	    journal_open(&sp->j, sp->path, &spool_format, e) != 0 ||
	    read_rows(sp, &p, payload, e) != 0 || compact(sp, &p, e) != 0)
		goto out;
	for (i = 0; i < p.n; i++)
		if (each(p.m[i].seq, p.m[i].payload, p.m[i].len, arg, e) != 0)
			goto out;
	rc = 0;
out:
	free(payload);
	pending_clear(&p);
	if (rc != 0)
		spool_close(sp);
	return rc;
}

int
spool_payload_check(const char *payload, size_t len, struct err *e)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (payload[i] == '\0' || payload[i] == '\r' || payload[i] == '\n')
			return err_set(e, AK_INPUT,
				       "the message has a %s: a spool keeps text lines only",
				       payload[i] == '\0' ? "NUL byte" : "line end");
	return 0;
}

/* Append one row of fields to the buffer. */
static int
buffer_row(struct spool *sp, const char *const f[3], size_t payload_len, struct err *e)
{
	size_t need = 2 * payload_len + 64, size;
	char *rows;
	int n;

	if (sp->size - sp->len < need) {
		size = sp->size + need > 2 * sp->size ? sp->size + need : 2 * sp->size;
		if ((rows = realloc(sp->rows, size)) == NULL)
			return err_set(e, AK_INTERNAL, "out of memory");
		sp->rows = rows;
		sp->size = size;
	}
	if ((n = journal_format_row(f, 3, sp->rows + sp->len, sp->size - sp->len)) < 0)
		return err_set(e, AK_INPUT, "the message cannot be spooled");
	sp->len += (size_t)n;
	return 0;
}

int
spool_put(struct spool *sp, unsigned long long seq, const char *payload, size_t len, struct err *e)
{
	char seqs[SEQ_LEN];
	const char *f[3] = {"put", seqs, payload};

	if (len > sp->payload_max)
		return err_set(e, AK_INPUT, "the message is longer than %zu bytes",
			       sp->payload_max);
	if (spool_payload_check(payload, len, e) != 0)
		return -1;
	snprintf(seqs, sizeof(seqs), "%llu", seq);
	return buffer_row(sp, f, len, e);
}

int
spool_ack(struct spool *sp, unsigned long long seq, struct err *e)
{
	char seqs[SEQ_LEN];
	const char *f[3] = {"ack", seqs, ""};

	snprintf(seqs, sizeof(seqs), "%llu", seq);
	return buffer_row(sp, f, 0, e);
}

int
spool_flush(struct spool *sp, struct err *e)
{
	if (sp->len == 0)
		return 0;
	if (journal_append(&sp->j, sp->rows, sp->len, e) != 0)
		return -1;
	sp->len = 0;
	return 0;
}

void
spool_close(struct spool *sp)
{
	journal_close(&sp->j);
	free(sp->path);
	free(sp->rows);
	*sp = (struct spool)SPOOL_INIT;
}
