/* idlist: device ids from a file, standard input or a numbered sequence (see idlist.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "idlist.h"
#include "linereader.h"
#include "banned.h"

/* Longer lines are consumed but not kept: no id is this long, even with spaces around it. */
#define LINE_MAX_KEPT (DEVID_MAX + 64)

struct idlist {
	/* Reading */
	struct linereader r;
	int fd; /* -1: memory or sequence */
	char *name;
	unsigned long line, total;
	/* Generating */
	int seq;
	char *prefix;
	unsigned long next;
	unsigned width;
};

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

enum line_kind { LINE_SKIP, LINE_ID };

/*
 * What a line is, and where its id (or junk) lies: the one rule for both
 * idlist_next() and the progress total.  buf holds the line's first n bytes
 * (n <= LINE_MAX_KEPT); toolong says that more followed.  A CR before the LF
 * and blanks around are ignored; a line too long to keep is a comment if its
 * first non-blank byte is '#', else a bad id -- even if it is all blanks so
 * far, since what follows is not known any more.
 */
static enum line_kind
line_kind(const char *buf, size_t *start, size_t *n, int toolong)
{
	size_t b, e = *n;

	if (!toolong) {
		if (e > 0 && buf[e - 1] == '\r')
			e--;
		while (e > 0 && blank(buf[e - 1]))
			e--;
	}
	for (b = 0; b < e && blank(buf[b]); b++)
		;
	*start = b;
	*n = e;
	if (b == e)
		return toolong ? LINE_ID : LINE_SKIP;
	return buf[b] == '#' ? LINE_SKIP : LINE_ID;
}

/* Count the id lines of a regular file, for the progress bar; the offset is put back. */
static unsigned long
count_lines(int fd)
{
	struct linereader r;
	char line[LINE_MAX_KEPT];
	unsigned long total = 0;
	size_t b, n;
	int toolong;
	off_t at = lseek(fd, 0, SEEK_CUR);

	if (at < 0 || linereader_open_fd(&r, fd) != 0)
		return 0;
	while (linereader_line(&r, line, sizeof(line), &n, &toolong) == 1)
		total += line_kind(line, &b, &n, toolong) == LINE_ID;
	linereader_clear(&r);
	if (lseek(fd, at, SEEK_SET) != at)
		return 0;
	return total;
}

static int
list_new(struct idlist **out, int fd, const char *data, size_t len, const char *name, struct err *e)
{
	struct idlist *l;
	struct stat st;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL || (l->name = strdup(name)) == NULL)
		goto oom;
	l->fd = fd;
	if (data != NULL) {
		linereader_open_mem(&l->r, data, len);
		l->total = 0;
	} else {
		if (linereader_open_fd(&l->r, fd) != 0)
			goto oom;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			l->total = count_lines(fd);
	}
	*out = l;
	return 0;
oom:
	if (l == NULL && fd > STDIN_FILENO)
		close(fd);
	idlist_close(l);
	return err_set(e, AK_INTERNAL, "out of memory");
}

int
idlist_open(struct idlist **l, const char *path, struct err *e)
{
	int fd;

	*l = NULL;
	if ((fd = fileio_open_read(path, e)) < 0)
		return -1;
	return list_new(l, fd, NULL, 0, strcmp(path, "-") == 0 ? "(stdin)" : path, e);
}

int
idlist_open_mem(struct idlist **l, const char *data, size_t len, const char *name, struct err *e)
{
	if (list_new(l, -1, data, len, name, e) != 0)
		return -1;
	(*l)->total = 0;
	return 0;
}

static unsigned
digits(unsigned long n)
{
	unsigned d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

int
idlist_open_seq(struct idlist **out, const char *prefix, unsigned long start, unsigned long count,
		unsigned width, int at_least, struct err *e)
{
	char id[DEVID_MAX + 32];
	struct idlist *l;
	unsigned long last;
	unsigned need, pad = width;

	*out = NULL;
	if (count == 0)
		return err_set(e, AK_USAGE, "--count must be at least 1");
	if (start > (unsigned long)-1 - (count - 1))
		return err_set(e, AK_USAGE, "--start %lu and --count %lu overflow", start, count);
	last = start + (count - 1);
	need = digits(last);
	if (width == 0 || (at_least && width < need))
		width = need; /* the longest id: the last one's */
	else if (width < need)
		return err_set(e, AK_USAGE, "--width %u is too small for the number %lu", width,
			       last);
	if (strlen(prefix) + width > DEVID_MAX)
		return err_set(e, AK_USAGE,
			       "the prefix and the number make ids longer than %d characters",
			       DEVID_MAX);
	/* The numbers are digits: if one id is valid, all of them are. */
	snprintf(id, sizeof(id), "%s%0*lu", prefix, (int)width, last);
	if (devid_check(id, e) != 0) {
		e->status = AK_USAGE;
		return err_prefix(e, "bad --prefix '%s'", prefix);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL || (l->prefix = strdup(prefix)) == NULL) {
		free(l);
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	l->r = (struct linereader)LINEREADER_INIT;
	l->fd = -1;
	l->seq = 1;
	l->next = start;
	l->total = count;
	l->width = pad == 0 ? width : pad; /* at_least: numbers wider than pad are not cut */
	*out = l;
	return 0;
}

int
idlist_next(struct idlist *l, char id[DEVID_MAX + 1], unsigned long *line, struct err *e)
{
	char buf[LINE_MAX_KEPT];
	size_t n, b;
	int c, toolong;

	if (l->seq) {
		if (l->line == l->total)
			return IDLIST_END;
		snprintf(id, DEVID_MAX + 1, "%s%0*lu", l->prefix, (int)l->width, l->next++);
		*line = ++l->line;
		return IDLIST_ID;
	}
	for (;;) {
		if ((c = linereader_line(&l->r, buf, sizeof(buf), &n, &toolong)) == 0)
			return IDLIST_END;
		*line = ++l->line;
		if (c == LINEREADER_ERROR) {
			err_set(e, AK_INPUT, "cannot read '%s': %s", l->name, strerror(l->r.error));
			return IDLIST_FATAL;
		}
		if (line_kind(buf, &b, &n, toolong) == LINE_SKIP)
			continue; /* blank or comment */
		if (toolong || n - b > DEVID_MAX) {
			err_set(e, AK_INPUT,
				"'%s' line %lu: the device id is longer than %d characters",
				l->name, *line, DEVID_MAX);
			return IDLIST_BAD;
		}
		memcpy(id, buf + b, n - b);
		id[n - b] = '\0';
		if (strlen(id) != n - b) {
			err_set(e, AK_INPUT, "'%s' line %lu: a NUL byte in the line", l->name,
				*line);
			return IDLIST_BAD;
		}
		if (devid_check(id, e) != 0) {
			err_prefix(e, "'%s' line %lu", l->name, *line);
			return IDLIST_BAD;
		}
		return IDLIST_ID;
	}
}

unsigned long
idlist_total(const struct idlist *l)
{
	return l->total;
}

void
idlist_close(struct idlist *l)
{
	if (l == NULL)
		return;
	if (l->fd > STDIN_FILENO)
		close(l->fd);
	linereader_clear(&l->r);
	free(l->name);
	free(l->prefix);
	free(l);
}
