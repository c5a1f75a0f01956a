/*
 * Fuzz the device id list reader (idlist.c) through a real file, as
 * "provision --ids FILE" reads it: the chunked reads, the progress total of
 * count_lines() and the line rules.  Every answer is compared with a plain
 * re-statement of idlist.h's rules over the same bytes in memory: the same
 * ids on the same lines, a bad line where the rules say so, and a total that
 * is exactly the number of ids and bad lines.
 *
 * If the first byte has its top bit set, a long comment line goes first so
 * that the input straddles the reader's 64 KiB chunk boundary.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHUNK 65536           /* idlist.c's READ_CHUNK */
#define KEPT (DEVID_MAX + 64) /* idlist.c's LINE_MAX_KEPT */

static char path[64];
static unsigned char *file;

static void
cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * The rules of idlist.h for one line (without its LF): 1 and the id, -1 for
 * a bad line, 0 for a line to skip.
 */
static int
expect_line(const unsigned char *s, size_t n, char id[DEVID_MAX + 1])
{
	size_t b = 0, e = n;

	if (n > KEPT) { /* too long to be an id: only a comment is fine */
		while (b < KEPT && blank(s[b]))
			b++;
		return b < KEPT && s[b] == '#' ? 0 : -1;
	}
	if (e > 0 && s[e - 1] == '\r')
		e--;
	while (e > b && blank(s[e - 1]))
		e--;
	while (b < e && blank(s[b]))
		b++;
	if (b == e || s[b] == '#')
		return 0;
	if (e - b > DEVID_MAX || memchr(s + b, '\0', e - b) != NULL)
		return -1;
	memcpy(id, s + b, e - b);
	id[e - b] = '\0';
	return devid_check(id, NULL) == 0 ? 1 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int done;
	char id[DEVID_MAX + 1], want[DEVID_MAX + 1];
	const unsigned char *p, *nl, *end;
	struct idlist *l;
	struct err e = ERR_INIT;
	unsigned long line, wline = 0, items = 0;
	size_t len = 0, pad = 0;
	FILE *f;
	int r, w;

	if (!done) {
		snprintf(path, sizeof(path), "%s", "/tmp/fuzz-idlist.XXXXXX");
		if ((w = mkstemp(path)) < 0)
			abort();
		close(w);
		atexit(cleanup);
		if ((file = malloc(CHUNK + (1 << 20))) == NULL)
			abort();
		done = 1;
	}
	if (size > (1 << 20))
		return 0;
	if (size > 0 && (data[0] & 0x80)) {
		/* "#xxx...\n" ending a little before the chunk boundary. */
		pad = CHUNK - 1 - (data[0] & 0x3f);
		memset(file, 'x', pad);
		file[0] = '#';
		file[pad++] = '\n';
	}
	memcpy(file + pad, data, size);
	len = pad + size;
	if ((f = fopen(path, "wb")) == NULL || fwrite(file, 1, len, f) != len || fclose(f) != 0)
		abort();

	if (idlist_open(&l, path, &e) != 0)
		abort();
	p = file;
	end = file + len;
	for (;;) {
		r = idlist_next(l, id, &line, &e);
		/* The expected next answer: skip lines the rules skip. */
		w = 0;
		while (p < end && w == 0) {
			nl = memchr(p, '\n', (size_t)(end - p));
			wline++;
			w = expect_line(p, nl ? (size_t)(nl - p) : (size_t)(end - p), want);
			p = nl ? nl + 1 : end;
		}
		if (r == IDLIST_END) {
			if (w != 0)
				abort();
			break;
		}
		if (line != wline || r == IDLIST_FATAL)
			abort();
		if (r == IDLIST_ID &&
		    (w != 1 || strcmp(id, want) != 0 || devid_check(id, NULL) != 0))
			abort();
		if (r == IDLIST_BAD && (w != -1 || e.msg[0] == '\0'))
			abort();
		items++;
	}
	/* The progress bar's total is the number of answers, no more, no less. */
	if (idlist_total(l) != items)
		abort();
	idlist_close(l);
	return 0;
}
