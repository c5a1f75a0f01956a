/* linereader: buffered bytes and lines from a descriptor or memory (see linereader.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linereader.h"
#include "banned.h"

static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};

int
linereader_open_fd(struct linereader *r, int fd)
{
	*r = (struct linereader)LINEREADER_INIT;
	if ((r->buf = malloc(LINEREADER_CHUNK)) == NULL)
		return -1;
	r->fd = fd;
	return 0;
}

void
linereader_open_mem(struct linereader *r, const char *data, size_t len)
{
	*r = (struct linereader)LINEREADER_INIT;
	r->buf = (char *)data;
	r->len = len;
	r->eof = 1;
}

/* Read more after the buffered bytes (at most to the buffer's end): 0, or LINEREADER_*. */
static int
fill(struct linereader *r)
{
	ssize_t n;

	if (r->fd < 0 || r->eof)
		return LINEREADER_EOF;
	do
		n = read(r->fd, r->buf + r->len, LINEREADER_CHUNK - r->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->error = errno;
		return LINEREADER_ERROR;
	}
	if (n == 0) {
		r->eof = 1;
		return LINEREADER_EOF;
	}
	r->len += (size_t)n;
	return 0;
}

/*
 * The first bytes, gathered until there are three (a pipe may deliver one at a
 * time), and the BOM among them skipped.
 */
static int
start(struct linereader *r)
{
	int rc;

	r->started = 1;
	while (r->len < sizeof(bom) && (r->len == 0 || memcmp(r->buf, bom, r->len) == 0))
		if ((rc = fill(r)) != 0) {
			if (rc == LINEREADER_ERROR)
				return rc;
			break;
		}
	if (r->len >= sizeof(bom) && memcmp(r->buf, bom, sizeof(bom)) == 0)
		r->pos = sizeof(bom);
	return 0;
}

int
linereader_getc(struct linereader *r)
{
	int rc;

	if (!r->started && (rc = start(r)) != 0)
		return rc;
	if (r->pos == r->len) {
		if (r->fd < 0 || r->eof)
			return LINEREADER_EOF;
		r->pos = r->len = 0;
		if ((rc = fill(r)) != 0)
			return rc;
	}
	return (unsigned char)r->buf[r->pos++];
}

int
linereader_peek(struct linereader *r)
{
	int c = linereader_getc(r);

	if (c >= 0)
		r->pos--;
	return c;
}

int
linereader_line(struct linereader *r, char *buf, size_t size, size_t *n, int *toolong)
{
	int c;

	*n = 0;
	*toolong = 0;
	if ((c = linereader_getc(r)) == LINEREADER_EOF)
		return 0;
	for (; c >= 0 && c != '\n'; c = linereader_getc(r)) {
		if (*n < size)
			buf[(*n)++] = (char)c;
		else
			*toolong = 1;
	}
	return c == LINEREADER_ERROR ? LINEREADER_ERROR : 1;
}

void
linereader_clear(struct linereader *r)
{
	if (r->fd >= 0)
		free(r->buf);
	*r = (struct linereader)LINEREADER_INIT;
}
