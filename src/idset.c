/* idset: a compact set of device ids (see idset.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"
#include "banned.h"

#define BLOCK_SIZE (256 * 1024)

struct idset_block {
	struct idset_block *next;
	size_t used;
	_Alignas(max_align_t) unsigned char data[BLOCK_SIZE];
};

/* FNV-1a, 64 bits: fast, and ids are not chosen by an attacker who could see the table. */
static uint64_t
hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t
slot_of(const struct idset *s, uint64_t h, const char *id)
{
	size_t i = (size_t)(h ^ (h >> 32)) & (s->cap - 1);

	while (s->slots[i] != NULL &&
	       (s->slots[i]->hash != h || (id != NULL && strcmp(s->slots[i]->id, id) != 0)))
		i = (i + 1) & (s->cap - 1);
	return i;
}

struct idset_item *
idset_find(const struct idset *s, const char *id)
{
	if (s->cap == 0)
		return NULL;
	return s->slots[slot_of(s, hash_of(id), id)];
}

static int
grow(struct idset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024, i, j;
	struct idset_item **old = s->slots, **nslots;

	if ((nslots = calloc(ncap, sizeof(*nslots))) == NULL)
		return -1;
	s->slots = nslots;
	for (i = 0; i < s->cap; i++) {
		if (old[i] == NULL)
			continue;
		j = (size_t)(old[i]->hash ^ (old[i]->hash >> 32)) & (ncap - 1);
		while (nslots[j] != NULL)
			j = (j + 1) & (ncap - 1);
		nslots[j] = old[i];
	}
	s->cap = ncap;
	free(old);
	return 0;
}

static struct idset_item *
item_alloc(struct idset *s, size_t idlen)
{
	size_t need = sizeof(struct idset_item) + idlen + 1;
	struct idset_block *b = s->blocks;
	struct idset_item *it;

	need = (need + _Alignof(max_align_t) - 1) & ~(size_t)(_Alignof(max_align_t) - 1);
	if (need > BLOCK_SIZE)
		return NULL;
	if (b == NULL || BLOCK_SIZE - b->used < need) {
		if ((b = malloc(sizeof(*b))) == NULL)
			return NULL;
		b->next = s->blocks;
		b->used = 0;
		s->blocks = b;
	}
	it = (struct idset_item *)(void *)(b->data + b->used);
	b->used += need;
	return it;
}

struct idset_item *
idset_add(struct idset *s, const char *id, int *added)
{
	uint64_t h = hash_of(id);
	size_t i, len = strlen(id);
	struct idset_item *it;

	*added = 0;
	/* At most half full: probes stay short. */
	if ((s->n + 1) * 2 > s->cap && grow(s) != 0)
		return NULL;
	i = slot_of(s, h, id);
	if (s->slots[i] != NULL)
		return s->slots[i];
	if ((it = item_alloc(s, len)) == NULL)
		return NULL;
	memset(it, 0, sizeof(*it));
	it->hash = h;
	memcpy(it->id, id, len + 1);
	s->slots[i] = it;
	s->n++;
	*added = 1;
	return it;
}

size_t
idset_count(const struct idset *s)
{
	return s->n;
}

void
idset_clear(struct idset *s)
{
	struct idset_block *b, *next;

	for (b = s->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(s->slots);
	*s = (struct idset)IDSET_INIT;
}
