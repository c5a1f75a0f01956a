/*
 * Fuzz the manifest reader (register reads manifests it did not write) and
 * the id-list reader: never a crash or an overflow, every row returned passes
 * the field checks and survives a write and a read back unchanged, every id
 * returned is a valid device id.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idlist.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const struct manifest_row *row)
{
	static char buf[sizeof(MANIFEST_HEADER) + MANIFEST_ROW_MAX + 2] = MANIFEST_HEADER "\n";
	size_t h = strlen(MANIFEST_HEADER) + 1;
	struct manifest_row back;
	struct manifest *m;
	struct err e = ERR_INIT;
	int n;

	if (manifest_check_row(row, &e) != 0)
		abort();
	if ((n = manifest_format_row(row, buf + h, sizeof(buf) - h, &e)) <= 0)
		abort();
	if (manifest_open_mem(&m, buf, h + (size_t)n, "rt", &e) != 0 ||
	    manifest_next_row(m, &back, &e) != MANIFEST_ROW ||
	    strcmp(back.device_id, row->device_id) != 0 ||
	    strcmp(back.algorithm, row->algorithm) != 0 ||
	    strcmp(back.fingerprint, row->fingerprint) != 0 ||
	    strcmp(back.public_key, row->public_key) != 0 ||
	    strcmp(back.created, row->created) != 0 ||
	    manifest_next_row(m, &back, &e) != MANIFEST_END)
		abort();
	manifest_close(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[DEVID_MAX + 1];
	struct manifest_row row;
	struct manifest *m;
	struct idlist *l;
	struct err e = ERR_INIT;
	unsigned long line, last = 0;
	int r, i;

	if (manifest_open_mem(&m, (const char *)data, size, "fuzz", &e) == 0) {
		for (i = 0; i < 100000; i++) {
			r = manifest_next_row(m, &row, &e);
			if (r == MANIFEST_ROW)
				round_trip(&row);
			else if (r == MANIFEST_BAD && e.msg[0] == '\0')
				abort();
			else if (r == MANIFEST_END || r == MANIFEST_FATAL)
				break;
		}
		manifest_close(m);
	} else if (e.msg[0] == '\0') {
		abort();
	}
	if (idlist_open_mem(&l, (const char *)data, size, "fuzz", &e) != 0)
		abort();
	while ((r = idlist_next(l, id, &line, &e)) != IDLIST_END) {
		if (line <= last || r == IDLIST_FATAL)
			abort();
		last = line;
		if (r == IDLIST_ID && devid_check(id, &e) != 0)
			abort();
	}
	idlist_close(l);
	return 0;
}
