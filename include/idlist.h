/*
 * idlist: the device ids provision works through, one at a time in constant
 * memory -- read from a file or standard input, or generated.
 *
 * A list file has one id per line, read with the line reader (linereader.h:
 * a UTF-8 BOM at the start is skipped).  Spaces and tabs around an id and a CR
 * before the LF are ignored; blank lines and lines whose first non-blank
 * character is '#' are skipped.  Each id is checked with devid_check(); a bad
 * one is reported with its line number and the list goes on with the next
 * line.  A generated list is <prefix><number> with the number zero-padded to
 * a fixed width, so that the ids sort and stay the same from run to run.
 */
#ifndef AKCRED_IDLIST_H
#define AKCRED_IDLIST_H

#include <stddef.h>

#include "devid.h"
#include "err.h"

struct idlist;

enum idlist_next {
	IDLIST_FATAL = -2, /* cannot go on (read error) */
	IDLIST_BAD = -1,   /* this line holds no valid id (e says why, with the line); go on */
	IDLIST_END = 0,
	IDLIST_ID = 1,
};

/* Read ids from path ("-": standard input). */
int idlist_open(struct idlist **l, const char *path, struct err *e);
/* The same over data in memory (not copied); name is for messages. */
int idlist_open_mem(struct idlist **l, const char *data, size_t len, const char *name,
		    struct err *e);
/*
 * Generate count ids prefix<start>, prefix<start+1>, ... with the numbers
 * zero-padded to width digits (0: the digits of the last number).  A width
 * too small for the last number fails, unless at_least: then the numbers
 * that need more digits have them (an existing batch's numbering, extended:
 * s-1 ... s-9, then s-10).  Every id is valid, or this fails (AK_USAGE)
 * saying why.
 */
int idlist_open_seq(struct idlist **l, const char *prefix, unsigned long start, unsigned long count,
		    unsigned width, int at_least, struct err *e);
/* The next id into id, with its line (its position for generated ids): an enum idlist_next. */
int idlist_next(struct idlist *l, char id[DEVID_MAX + 1], unsigned long *line, struct err *e);
/* How many ids to expect (lines that are neither blank nor comments), 0 if not known (a pipe). */
unsigned long idlist_total(const struct idlist *l);
void idlist_close(struct idlist *l);

#endif
