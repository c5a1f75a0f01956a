/* Unit tests of the passphrase module: a file, an fd, the environment, never argv. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "passphrase.h"
#include "unit-tmpdir.h"

static void
setup(void)
{
	unsetenv(PASSPHRASE_ENV);
	unit_tmpdir_enter();
}

static void
write_file(const char *path, const char *s, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(s, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, 0600), 0);
}

TestSuite(passphrase, .init = setup, .fini = unit_tmpdir_leave);

Test(passphrase, file_gives_its_first_line_without_the_newline)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	write_file("pass", "correct horse\r\nsecond line\n", 27);
	pp.file = "pass";
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	cr_assert_str_eq(pp.value, "correct horse");
	cr_assert_eq(pp.len, 13);
	passphrase_clear(&pp);
}

Test(passphrase, file_wins_over_the_environment)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	write_file("pass", "from the file\n", 14);
	cr_assert_eq(setenv(PASSPHRASE_ENV, "from the environment", 1), 0);
	pp.file = "pass";
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	cr_assert_str_eq(pp.value, "from the file");
	passphrase_clear(&pp);
}

Test(passphrase, environment_without_a_file)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(setenv(PASSPHRASE_ENV, "env secret", 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	cr_assert_str_eq(pp.value, "env secret");
	cr_assert_eq(pp.len, 10);
	passphrase_clear(&pp);
}

/* --passphrase-file /dev/fd/N: a pipe from the caller, nothing on disk. */
Test(passphrase, file_descriptor_through_dev_fd)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;
	char path[32];
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], "piped secret\n", 13), 13);
	cr_assert_eq(close(fds[1]), 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	pp.file = path;
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	cr_assert_str_eq(pp.value, "piped secret");
	passphrase_clear(&pp);
	close(fds[0]);
}

Test(passphrase, fetched_once_then_the_same)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;
	char *first;

	cr_assert_eq(setenv(PASSPHRASE_ENV, "first", 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	first = pp.value;
	cr_assert_eq(setenv(PASSPHRASE_ENV, "second", 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	cr_assert_eq(pp.value, first);
	cr_assert_str_eq(pp.value, "first");
	passphrase_clear(&pp);
}

Test(passphrase, empty_file_refused)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	write_file("pass", "\nnot the first line\n", 20);
	pp.file = "pass";
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "passphrase file 'pass': the passphrase is empty");
	cr_assert_null(pp.value);
}

Test(passphrase, empty_environment_refused)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(setenv(PASSPHRASE_ENV, "", 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "environment variable " PASSPHRASE_ENV ": the passphrase is empty");
	cr_assert_null(pp.value);
}

Test(passphrase, longest_accepted_one_more_refused)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;
	char s[PASSPHRASE_MAX + 2];

	memset(s, 'p', PASSPHRASE_MAX + 1);
	s[PASSPHRASE_MAX] = '\0';
	cr_assert_eq(setenv(PASSPHRASE_ENV, s, 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	cr_assert_eq(pp.len, PASSPHRASE_MAX);
	passphrase_clear(&pp);

	s[PASSPHRASE_MAX] = 'p';
	s[PASSPHRASE_MAX + 1] = '\0';
	cr_assert_eq(setenv(PASSPHRASE_ENV, s, 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_not_null(strstr(e.msg, "longer than"), "%s", e.msg);
	cr_assert_null(pp.value);
}

Test(passphrase, missing_file_is_an_input_error)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(setenv(PASSPHRASE_ENV, "not used", 1), 0);
	pp.file = "nope";
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_eq(strncmp(e.msg, "passphrase file", 15), 0, "%s", e.msg);
	cr_assert_null(pp.value);
}

/*
 * With neither a file nor the variable, the only source left is the
 * terminal: without one (a new session has no controlling terminal) that
 * is a usage error naming both other sources, never a read of argv or stdin.
 */
Test(passphrase, no_terminal_names_the_other_sources)
{
	int fds[2], status;
	pid_t pid;
	char msg[ERR_MSG_MAX] = "";
	ssize_t n;

	cr_assert_eq(pipe(fds), 0);
	cr_assert((pid = fork()) >= 0);
	if (pid == 0) {
		struct passphrase pp = PASSPHRASE_INIT;
		struct err e = ERR_INIT;
		int rc;

		close(fds[0]);
		if (setsid() < 0)
			_exit(100);
		rc = passphrase_get(&pp, "k.pem", &e);
		if (write(fds[1], e.msg, strlen(e.msg)) < 0)
			_exit(101);
		_exit(rc == -1 && pp.value == NULL ? e.status : 102);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(n >= 0);
	msg[n] = '\0';
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), AK_USAGE, "exit %d: %s", WEXITSTATUS(status), msg);
	cr_assert_not_null(strstr(msg, "--passphrase-file"), "%s", msg);
	cr_assert_not_null(strstr(msg, PASSPHRASE_ENV), "%s", msg);
}

/* What passphrase_clear leaves: no pointer to the freed secret, no length. */
Test(passphrase, clear_forgets_the_secret)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(setenv(PASSPHRASE_ENV, "wipe me", 1), 0);
	cr_assert_eq(passphrase_get(&pp, "k.pem", &e), 0, "%s", e.msg);
	passphrase_clear(&pp);
	cr_assert_null(pp.value);
	cr_assert_eq(pp.len, 0);
	passphrase_clear(&pp); /* twice is harmless */
	cr_assert_null(pp.value);
}

/* A token's PIN (p11.c): the same sources under its own names. */
Test(passphrase, a_pin_comes_from_its_own_variable_and_says_pin)
{
	struct passphrase pp = {.noun = "PIN", .env = "AKCRED_PIN", .option = "--pin-file"};
	struct err e = ERR_INIT;

	setenv(PASSPHRASE_ENV, "not the pin", 1);
	setenv("AKCRED_PIN", "1234", 1);
	cr_assert_eq(passphrase_get(&pp, "token 't'", &e), 0, "%s", e.msg);
	cr_assert_str_eq(pp.value, "1234");
	passphrase_clear(&pp);
	setenv("AKCRED_PIN", "", 1);
	cr_assert_eq(passphrase_get(&pp, "token 't'", &e), -1);
	cr_assert_str_eq(e.msg, "environment variable AKCRED_PIN: the PIN is empty");
	unsetenv("AKCRED_PIN");
	unsetenv(PASSPHRASE_ENV);
}

Test(passphrase, set_takes_a_value_as_fetched)
{
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(passphrase_set(&pp, "abcd", 3, &e), 0);
	cr_assert_str_eq(pp.value, "abc");
	cr_assert_eq(pp.len, 3);
	/* Fetched: the file is not read. */
	pp.file = "no-such-file";
	cr_assert_eq(passphrase_get(&pp, "k", &e), 0);
	cr_assert_eq(passphrase_set(&pp, "", 0, &e), -1);
	cr_assert_null(pp.value);
	passphrase_clear(&pp);
}
