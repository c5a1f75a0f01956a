/* Unit tests of the idset module. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "idset.h"

Test(idset, adds_finds_and_tells_duplicates)
{
	struct idset s = IDSET_INIT;
	struct idset_item *a, *b;
	int added;

	cr_assert_null(idset_find(&s, "dev-1"));
	a = idset_add(&s, "dev-1", &added);
	cr_assert_not_null(a);
	cr_assert_eq(added, 1);
	cr_assert_eq(a->flags, 0);
	a->line = 7;
	b = idset_add(&s, "dev-1", &added);
	cr_assert_eq(added, 0);
	cr_assert_eq(a, b);
	cr_assert_eq(b->line, 7);
	cr_assert_eq(idset_find(&s, "dev-1"), a);
	cr_assert_null(idset_find(&s, "dev-2"));
	cr_assert_eq(idset_count(&s), 1);
	idset_clear(&s);
	cr_assert_eq(idset_count(&s), 0);
}

Test(idset, holds_many_ids)
{
	struct idset s = IDSET_INIT;
	struct idset_item *it;
	char id[32];
	int added, i;

	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "device-%06d", i);
		it = idset_add(&s, id, &added);
		cr_assert(it != NULL && added);
		it->line = (unsigned long)i;
	}
	cr_assert_eq(idset_count(&s), 100000);
	for (i = 0; i < 100000; i += 997) {
		snprintf(id, sizeof(id), "device-%06d", i);
		it = idset_find(&s, id);
		cr_assert_not_null(it);
		cr_assert_str_eq(it->id, id);
		cr_assert_eq(it->line, (unsigned long)i);
	}
	cr_assert_null(idset_find(&s, "device-100000"));
	idset_clear(&s);
}
