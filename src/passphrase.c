/* passphrase: file, environment or terminal prompt; kept in sodium memory. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "passphrase.h"
#include "banned.h"

static const char *
noun(const struct passphrase *pp)
{
	return pp->noun != NULL ? pp->noun : "passphrase";
}

static const char *
env_name(const struct passphrase *pp)
{
	return pp->env != NULL ? pp->env : PASSPHRASE_ENV;
}

static int
set_value(struct passphrase *pp, const char *s, size_t len, struct err *e)
{
	if (len == 0)
		return err_set(e, AK_INPUT, "the %s is empty", noun(pp));
	if (len > PASSPHRASE_MAX)
		return err_set(e, AK_INPUT, "the %s is longer than %d bytes", noun(pp),
			       PASSPHRASE_MAX);
	if ((pp->value = sodium_malloc(len + 1)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	memcpy(pp->value, s, len);
	pp->value[len] = '\0';
	pp->len = len;
	return 0;
}

/* Read one line from the terminal with echo off into buf (sodium memory). */
static int
tty_read(int fd, const char *prompt, char *buf, size_t size, const char *what, struct err *e)
{
	struct termios saved, quiet;
	size_t n = 0;
	ssize_t r;
	char c;
	int restore;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return err_set(e, AK_INPUT, "cannot prompt on the terminal: %s", strerror(errno));
	restore = tcgetattr(fd, &saved) == 0;
	if (restore) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSANOW, &quiet);
	}
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	sodium_memzero(&c, sizeof(c));
	if (restore)
		tcsetattr(fd, TCSANOW, &saved);
	if (write(fd, "\n", 1) < 0) {
		/* The newline is cosmetic. */
	}
	if (r < 0)
		return err_set(e, AK_INPUT, "cannot read the %s: %s", what, strerror(errno));
	return 0;
}

static int
prompt(struct passphrase *pp, const char *what, struct err *e)
{
	char prompt1[256], prompt2[256];
	char *a = NULL, *b = NULL;
	int fd, rc = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(e, AK_USAGE,
			       "a %s is needed for %s and there is no terminal to ask on: use %s "
			       "FILE or set %s",
			       noun(pp), what,
			       pp->option != NULL ? pp->option : "--passphrase-file", env_name(pp));
	if ((a = sodium_malloc(PASSPHRASE_MAX + 2)) == NULL ||
	    (b = sodium_malloc(PASSPHRASE_MAX + 2)) == NULL) {
		err_set(e, AK_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(prompt1, sizeof(prompt1), "%s for %s: ", noun(pp), what);
	snprintf(prompt2, sizeof(prompt2), "%s for %s again: ", noun(pp), what);
	if (tty_read(fd, prompt1, a, PASSPHRASE_MAX + 2, noun(pp), e) != 0)
		goto out;
	if (pp->confirm) {
		if (tty_read(fd, prompt2, b, PASSPHRASE_MAX + 2, noun(pp), e) != 0)
			goto out;
		if (strlen(a) != strlen(b) || sodium_memcmp(a, b, strlen(a)) != 0) {
			err_set(e, AK_INPUT, "the %ss do not match", noun(pp));
			goto out;
		}
	}
	rc = set_value(pp, a, strlen(a), e);
out:
	if (a != NULL)
		sodium_free(a);
	if (b != NULL)
		sodium_free(b);
	close(fd);
	return rc;
}

int
passphrase_get(struct passphrase *pp, const char *what, struct err *e)
{
	struct fileio_buf buf = FILEIO_BUF_INIT;
	const char *env;
	size_t len;
	int rc;

	if (pp->value != NULL)
		return 0;
	if (pp->file != NULL) {
		if (fileio_read_secret(pp->file, PASSPHRASE_MAX + 2, &buf, e) != 0)
			return err_prefix(e, "%s file", noun(pp));
		/* The first line; a trailing newline (and CR) is not part of it. */
		len = strcspn((char *)buf.data, "\r\n");
		rc = set_value(pp, (char *)buf.data, len, e);
		fileio_buf_clear(&buf);
		if (rc != 0)
			return err_prefix(e, "%s file '%s'", noun(pp), pp->file);
		return 0;
	}
	if ((env = getenv(env_name(pp))) != NULL)
		return set_value(pp, env, strlen(env), e) == 0
			       ? 0
			       : err_prefix(e, "environment variable %s", env_name(pp));
	return prompt(pp, what, e);
}

int
passphrase_set(struct passphrase *pp, const char *s, size_t len, struct err *e)
{
	passphrase_clear(pp);
	return set_value(pp, s, len, e);
}

void
passphrase_clear(struct passphrase *pp)
{
	if (pp->value != NULL)
		sodium_free(pp->value);
	pp->value = NULL;
	pp->len = 0;
}
