/*
 * A private temporary directory for unit tests that touch files: made by
 * unit_tmpdir_make(), removed with everything in it by unit_tmpdir_remove()
 * (nftw, no shell).  Header-only: each test file includes it once.
 * Suites whose tests work inside it: .init = unit_tmpdir_enter,
 * .fini = unit_tmpdir_leave.
 */
#ifndef AKCRED_UNIT_TMPDIR_H
#define AKCRED_UNIT_TMPDIR_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include <sodium.h>

static char unit_tmpdir[64];

static void
unit_tmpdir_make(void)
{
	snprintf(unit_tmpdir, sizeof(unit_tmpdir), "/tmp/akcred-unit.XXXXXX");
	cr_assert_not_null(mkdtemp(unit_tmpdir));
}

static int
unit_tmpdir_rm1(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
unit_tmpdir_remove(void)
{
	cr_assert_eq(nftw(unit_tmpdir, unit_tmpdir_rm1, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static inline void
unit_tmpdir_enter(void)
{
	cr_assert(sodium_init() >= 0);
	unit_tmpdir_make();
	cr_assert_eq(chdir(unit_tmpdir), 0);
}

static inline void
unit_tmpdir_leave(void)
{
	cr_assert_eq(chdir("/"), 0);
	unit_tmpdir_remove();
}

#endif
