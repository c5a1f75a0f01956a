/*
 * idset: a set of device ids with a little data each, for provision's
 * duplicate detection and its index of the manifest.  Ids are copied into
 * large blocks (no allocation per id) and found by an open-addressing hash
 * table: 100,000 ids of 16 characters take about 8 MB.  Not thread-safe.
 */
#ifndef AKCRED_IDSET_H
#define AKCRED_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset_item {
	uint64_t hash;
	unsigned long line;   /* where the id was seen first (caller's use) */
	unsigned flags;       /* caller's use; 0 when added */
	unsigned char fp[32]; /* caller's use */
	char id[];
};

struct idset_block;

struct idset {
	struct idset_item **slots;
	size_t cap, n;
	struct idset_block *blocks;
};
#define IDSET_INIT                                                                                 \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}

/* The item of id, or NULL. */
struct idset_item *idset_find(const struct idset *s, const char *id);
/* The item of id, added (zeroed but for its id) if absent: *added says which.  NULL: no memory. */
struct idset_item *idset_add(struct idset *s, const char *id, int *added);
size_t idset_count(const struct idset *s);
void idset_clear(struct idset *s);

#endif
