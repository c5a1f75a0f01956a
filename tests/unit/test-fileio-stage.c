/* Unit tests of fileio's staged directories and whole appends (used by provision). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "unit-tmpdir.h"

static int
count_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

TestSuite(fileio_stage, .init = unit_tmpdir_enter, .fini = unit_tmpdir_leave);

Test(fileio_stage, publishes_a_whole_directory_with_modes)
{
	struct fileio_dir d = FILEIO_DIR_INIT;
	struct err e = ERR_INIT;
	struct stat st;

	cr_assert_eq(mkdir("out", 0755), 0);
	cr_assert_eq(fileio_dir_stage(&d, "out/dev-1", &e), 0, "%s", e.msg);
	cr_assert_eq(strncmp(strrchr(d.tmp, '/') + 1, FILEIO_STAGE_PREFIX "dev-1.",
			     strlen(FILEIO_STAGE_PREFIX "dev-1.")),
		     0);
	cr_assert_eq(fileio_dir_add(&d, "private.pem", "secret\n", 7, 0600, &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_add(&d, "public.pem", "public\n", 7, 0644, &e), 0, "%s", e.msg);
	/* Nothing at the final name before commit. */
	cr_assert_eq(lstat("out/dev-1", &st), -1);
	cr_assert_eq(fileio_dir_commit(&d, &e), 0, "%s", e.msg);
	fileio_dir_clear(&d);
	cr_assert_eq(lstat("out/dev-1", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(stat("out/dev-1/private.pem", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat("out/dev-1/public.pem", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	cr_assert_eq(count_entries("out"), 1);
}

Test(fileio_stage, never_replaces_an_existing_directory_even_empty)
{
	struct fileio_dir d = FILEIO_DIR_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(mkdir("out", 0755), 0);
	cr_assert_eq(mkdir("out/dev-1", 0700), 0);
	cr_assert_eq(fileio_dir_stage(&d, "out/dev-1", &e), 0);
	cr_assert_eq(fileio_dir_add(&d, "private.pem", "x", 1, 0600, &e), 0);
	cr_assert_eq(fileio_dir_commit(&d, &e), -1);
	cr_assert(strstr(e.msg, "exists") != NULL, "%s", e.msg);
	fileio_dir_clear(&d);
	/* The existing one is untouched and the staged one is gone. */
	cr_assert_eq(count_entries("out/dev-1"), 0);
	cr_assert_eq(count_entries("out"), 1);
}

Test(fileio_stage, clear_before_commit_removes_everything)
{
	struct fileio_dir d = FILEIO_DIR_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(mkdir("out", 0755), 0);
	cr_assert_eq(fileio_dir_stage(&d, "out/dev-1", &e), 0);
	cr_assert_eq(fileio_dir_add(&d, "private.pem", "x", 1, 0600, &e), 0);
	cr_assert_eq(fileio_dir_add(&d, "private.pem", "y", 1, 0600, &e), -1);
	fileio_dir_clear(&d);
	cr_assert_eq(count_entries("out"), 0);
}

/* Stage and seal a deferred directory for out/<id>; its hidden name in staged. */
static void
stage_sealed(const char *id, char *staged, size_t size)
{
	struct fileio_dir d = FILEIO_DIR_INIT;
	struct err e = ERR_INIT;
	char path[64];

	snprintf(path, sizeof(path), "out/%s", id);
	cr_assert_eq(fileio_dir_stage_ex(&d, path, FILEIO_DIR_DEFER, &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_add(&d, "private.pem", "secret\n", 7, 0600, &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_add(&d, "public.pem", "public\n", 7, 0644, &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_seal(&d, staged, size, &e), 0, "%s", e.msg);
	/* Sealed: d is free, the directory stays under its hidden name. */
	cr_assert_null(d.tmp);
	cr_assert_eq(d.fd, -1);
}

Test(fileio_stage, group_commit_seals_then_publishes_after_one_sync)
{
	char a[NAME_MAX + 1], b[NAME_MAX + 1];
	struct err e = ERR_INIT;
	struct stat st;
	int dirfd;

	cr_assert_eq(mkdir("out", 0700), 0);
	stage_sealed("dev-1", a, sizeof(a));
	stage_sealed("dev-2", b, sizeof(b));
	cr_assert_eq(strncmp(a, FILEIO_STAGE_PREFIX "dev-1.", strlen(FILEIO_STAGE_PREFIX "dev-1.")),
		     0, "%s", a);
	/* Sealed is not published: the final names do not exist yet. */
	cr_assert_eq(lstat("out/dev-1", &st), -1);
	cr_assert_eq(count_entries("out"), 2);
	cr_assert_geq(dirfd = open("out", O_RDONLY | O_DIRECTORY), 0);
	cr_assert_eq(fileio_sync_fs(dirfd, "out", &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_publish(dirfd, "out", a, "dev-1", &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_publish(dirfd, "out", b, "dev-2", &e), 0, "%s", e.msg);
	close(dirfd);
	cr_assert_eq(count_entries("out"), 2);
	cr_assert_eq(stat("out/dev-1/private.pem", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat("out/dev-2/public.pem", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	cr_assert_eq(st.st_size, 7);
}

Test(fileio_stage, publish_never_replaces_and_the_sealed_one_can_be_removed)
{
	char a[NAME_MAX + 1];
	struct err e = ERR_INIT;
	int dirfd;

	cr_assert_eq(mkdir("out", 0700), 0);
	cr_assert_eq(mkdir("out/dev-1", 0700), 0);
	stage_sealed("dev-1", a, sizeof(a));
	cr_assert_geq(dirfd = open("out", O_RDONLY | O_DIRECTORY), 0);
	cr_assert_eq(fileio_dir_publish(dirfd, "out", a, "dev-1", &e), -1);
	cr_assert(strstr(e.msg, "'out/dev-1' exists") != NULL, "%s", e.msg);
	cr_assert_eq(e.status, AK_INPUT);
	close(dirfd);
	/* The existing one is untouched; what was not published goes as a leftover would. */
	cr_assert_eq(count_entries("out/dev-1"), 0);
	cr_assert_eq(fileio_dir_remove_stale("out", a, &e), 0, "%s", e.msg);
	cr_assert_eq(count_entries("out"), 1);
}

Test(fileio_stage, seal_refuses_a_directory_staged_to_commit)
{
	struct fileio_dir d = FILEIO_DIR_INIT;
	struct err e = ERR_INIT;
	char staged[NAME_MAX + 1];

	cr_assert_eq(mkdir("out", 0700), 0);
	cr_assert_eq(fileio_dir_stage(&d, "out/dev-1", &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_dir_seal(&d, staged, sizeof(staged), &e), -1);
	cr_assert_eq(e.status, AK_INTERNAL);
	fileio_dir_clear(&d);
	cr_assert_eq(count_entries("out"), 0);
}

Test(fileio_stage, removes_only_staged_leftovers)
{
	struct err e = ERR_INIT;
	FILE *f;

	cr_assert_eq(mkdir("out", 0755), 0);
	cr_assert_eq(mkdir("out/" FILEIO_STAGE_PREFIX "dev-1.Ab12Cd", 0700), 0);
	f = fopen("out/" FILEIO_STAGE_PREFIX "dev-1.Ab12Cd/private.pem", "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(fileio_dir_remove_stale("out", FILEIO_STAGE_PREFIX "dev-1.Ab12Cd", &e), 0,
		     "%s", e.msg);
	cr_assert_eq(count_entries("out"), 0);
	/* Not a staged name, or something inside that akcred never stages: left alone. */
	cr_assert_eq(mkdir("out/dev-2", 0700), 0);
	cr_assert_eq(fileio_dir_remove_stale("out", "dev-2", &e), -1);
	cr_assert_eq(mkdir("out/" FILEIO_STAGE_PREFIX "x.123456", 0700), 0);
	cr_assert_eq(mkdir("out/" FILEIO_STAGE_PREFIX "x.123456/sub", 0700), 0);
	cr_assert_eq(fileio_dir_remove_stale("out", FILEIO_STAGE_PREFIX "x.123456", &e), -1);
	cr_assert(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
	cr_assert_eq(count_entries("out"), 2);
}

Test(fileio_stage, removes_stale_batch_files_of_one_target_only)
{
	struct err e = ERR_INIT;
	FILE *f;
	const char *names[] = {".m.csv.akcred-Ab12Cd", ".m.csv.akcred-toolong1",
			       ".other.akcred-Ab12Cd", "m.csv"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_assert_not_null(f = fopen(names[i], "w"));
		fclose(f);
	}
	cr_assert_eq(fileio_batch_remove_stale("m.csv", &e), 0, "%s", e.msg);
	cr_assert_eq(access(".m.csv.akcred-Ab12Cd", F_OK), -1);
	cr_assert_eq(access(".m.csv.akcred-toolong1", F_OK), 0);
	cr_assert_eq(access(".other.akcred-Ab12Cd", F_OK), 0);
	cr_assert_eq(access("m.csv", F_OK), 0);
}

Test(fileio_stage, a_failed_append_is_taken_back)
{
	struct rlimit rl = {600, 600};
	struct err e = ERR_INIT;
	char big[400];
	struct stat st;
	int fd;

	memset(big, 'x', sizeof(big));
	cr_assert_not_null(fopen("log", "w"));
	cr_assert((fd = fileio_append_open("log", &e)) >= 0, "%s", e.msg);
	cr_assert_eq(fileio_append(fd, "log", big, sizeof(big), &e), 0, "%s", e.msg);
	/* A file size limit stands in for a full disk: the second append does not fit. */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_assert_eq(fileio_append(fd, "log", big, sizeof(big), &e), -1);
	cr_assert(strstr(e.msg, "File too large") != NULL, "%s", e.msg);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_size, (off_t)sizeof(big));
	close(fd);
}

Test(fileio_stage, append_refuses_symlinks_and_truncate_cuts)
{
	struct err e = ERR_INIT;
	struct stat st;
	int fd;

	cr_assert_not_null(fopen("real", "w"));
	cr_assert_eq(symlink("real", "link"), 0);
	cr_assert_eq(fileio_append_open("link", &e), -1);
	cr_assert((fd = fileio_append_open("real", &e)) >= 0);
	cr_assert_eq(fileio_append(fd, "real", "0123456789", 10, &e), 0);
	cr_assert_eq(fileio_truncate(fd, "real", 4, &e), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_size, 4);
	close(fd);
}
