/* cmd: the command table, dispatch by exact name, option parsing and help from the table. */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "akenza.h"
#include "cmd.h"
#include "fileio.h"
#include "jwt.h"
#include "p11.h"
#include "timeutil.h"
#include "safetext.h"
#include "banned.h"

extern const struct cmd_entry cmd_keygen_entry, cmd_fingerprint_entry, cmd_help_entry,
	cmd_version_entry, cmd_jwt_entry;
extern const struct cmd_entry cmd_provision_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_connect_entry;
extern const struct cmd_entry cmd_register_entry;
extern const struct cmd_entry cmd_credentials_entry;
extern const struct cmd_entry cmd_rotate_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_keygen_entry, &cmd_fingerprint_entry, &cmd_provision_entry, &cmd_jwt_entry,
	&cmd_check_entry,  &cmd_connect_entry,     &cmd_register_entry,  &cmd_credentials_entry,
	&cmd_rotate_entry, &cmd_help_entry,        &cmd_version_entry,   NULL,
};

/* The width of the command names in "commands:" lists. */
#define CMD_COLUMN 16

static const struct cmd_entry *current;
static char current_name[64] = "";

static const struct cmd_option help_option = {.name = "help",
					      .letter = 'h',
					      .kind = CMD_FLAG,
					      .help = "show this help"};
/* Which options of the last cmd_parse() were on its command line, by index in its table. */
static const struct cmd_option *given_table;
static unsigned long long given;

const char *
cmd_name(void)
{
	return current_name;
}

const struct cmd_entry *
cmd_current(void)
{
	return current;
}

void
cmd_puts_safe(FILE *f, const char *s)
{
	size_t n, i;
	int ok;

	/* C0 and C1 controls, bidi and format characters, invalid UTF-8: all as \xHH. */
	for (; *s != '\0'; s += n) {
		n = safetext_next(s, &ok);
		for (i = 0; i < n; i++) {
			if (ok)
				putc(s[i], f);
			else
				fprintf(f, "\\x%02x", (unsigned char)s[i]);
		}
	}
}

void
cmd_println_safe(FILE *f, const char *fmt, ...)
{
	char small[512], *big = NULL;
	const char *line = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Long lines (request bodies with a PEM in them) are whole, never cut. */
	if ((size_t)n >= sizeof(small) && (big = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		line = big;
	}
	cmd_puts_safe(f, line);
	putc('\n', f);
	free(big);
}

/*
 * A message as a JSON string: Jansson refuses bytes that are not UTF-8 (a
 * path, or a message cut inside a character), which would drop the member;
 * then the message as safetext shows it.
 */
static json_t *
message_json(const char *msg)
{
	char buf[ERR_MSG_MAX * 4 + 8];
	json_t *j = json_string(msg);

	return j != NULL ? j : json_string(safetext_escape(msg, sizeof(buf) - 8, buf, sizeof(buf)));
}

void
cmd_json_error(json_t *j, const struct err *e, long http_status)
{
	json_object_set_new(j, "status", json_string(err_status_name(e->status)));
	json_object_set_new(j, "error", message_json(e->msg));
	if (http_status > 0)
		json_object_set_new(j, "http_status", json_integer(http_status));
}

void
cmd_json_run(json_t *j, int status, const char *error)
{
	json_object_set_new(j, "status", json_string(err_status_name((enum ak_status)status)));
	if (error != NULL)
		json_object_set_new(j, "error", message_json(error));
}

int
cmd_stopped(const struct err *e, size_t total, size_t ended)
{
	cmd_fail(e);
	if (total > 1)
		cmd_error(e->status, "stopped: %zu of %zu devices not done", total - ended, total);
	return e->status;
}

void
cmd_print_note(FILE *f, int indent, const char *note)
{
	if (note[0] == '\0')
		return;
	fprintf(f, "%*snote: ", indent, "");
	cmd_puts_safe(f, note);
	putc('\n', f);
}

int
cmd_print_json(const json_t *j, size_t flags)
{
	char *s;

	if ((s = safetext_json(j, flags)) == NULL)
		return cmd_error(AK_INTERNAL, "out of memory");
	fputs(s, stdout);
	putchar('\n');
	free(s);
	return AK_OK;
}

static void
vreport(const char *what, const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX * 2];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fflush(stdout);
	fputs("akcred: ", stderr);
	if (current_name[0] != '\0')
		fprintf(stderr, "%s: ", current_name);
	if (what != NULL)
		fprintf(stderr, "%s: ", what);
	cmd_puts_safe(stderr, msg);
	putc('\n', stderr);
}

int
cmd_error(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
	return status;
}

int
cmd_fail(const struct err *e)
{
	return cmd_error(e->status, "%s", e->msg);
}

void
cmd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning", fmt, ap);
	va_end(ap);
}

void
cmd_p11_setup(const struct p11_opts *o, const char *key)
{
	p11_configure(o);
	/* ps shows argv to every user of the machine. */
	if (p11_uri_has_pin_value(key))
		cmd_warn("the PIN in the URI's pin-value is visible to other users (ps): use "
			 "--pin-file, " P11_PIN_ENV " or the URI's pin-source");
}

void
cmd_progress(int *shown, const char *fmt, ...)
{
	va_list ap;

	if (!isatty(STDERR_FILENO))
		return;
	fputc('\r', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	*shown = 1;
}

void
cmd_progress_clear(int *shown)
{
	if (*shown) {
		fputs("\r\033[K", stderr);
		*shown = 0;
	}
}

int
cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
	if (current != NULL) {
		cmd_print_usage(stderr, current, current_name);
		fprintf(stderr, "run 'akcred %s --help' for the options\n", current_name);
	}
	return AK_USAGE;
}

const char *
cmd_plural(unsigned long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int
cmd_parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return cmd_usage_error("--%s wants a number, not '%s'", opt, s);
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return cmd_usage_error("--%s wants a number, not '%s'", opt, s);
	if (v < min || v > max)
		return cmd_usage_error("--%s must be from %lu to %lu, not '%s'", opt, min, max, s);
	*out = v;
	return 0;
}

int
cmd_parse_duration(const char *opt, const char *s, long min, long *secs)
{
	struct err e = ERR_INIT;

	if (timeutil_parse_duration(s, secs, &e) != 0)
		return cmd_usage_error("--%s: %s", opt, e.msg);
	if (*secs < min)
		return cmd_usage_error("--%s must be at least %lds, not '%s'", opt, min, s);
	return AK_OK;
}

int
cmd_parse_time(const char *opt, const char *s, time_t *t)
{
	struct err e = ERR_INIT;

	if (timeutil_parse_time(s, t, &e) != 0)
		return cmd_usage_error("--%s: %s", opt, e.msg);
	/* 0 means "now" to the jwt module: refused rather than silently replaced. */
	if (*t == 0)
		return cmd_usage_error("--%s: time '%s' (1970-01-01T00:00:00Z) is not usable", opt,
				       s);
	return AK_OK;
}

int
cmd_parse_key_type(const char *s, enum key_type *type)
{
	if ((*type = key_name_type(s)) == KEY_OTHER)
		return cmd_usage_error("--type must be ec or rsa, not '%s'", s);
	return AK_OK;
}

int
cmd_parse_rsa_bits(const char *s, unsigned long *bits)
{
	if (cmd_parse_uint("bits", s, 0, 1UL << 20, bits) != 0)
		return AK_USAGE;
	if (*bits != 2048 && *bits != 3072 && *bits != 4096)
		return cmd_usage_error("--bits must be 2048, 3072 or 4096, not '%s'%s", s,
				       *bits < 2048 ? ": akenza needs at least 2048" : "");
	return AK_OK;
}

int
cmd_opt_key_type(const char *s, void *dest)
{
	return cmd_parse_key_type(s, dest);
}

int
cmd_opt_rsa_bits(const char *s, void *dest)
{
	return cmd_parse_rsa_bits(s, dest);
}

int
cmd_opt_expires(const char *s, void *dest)
{
	struct err e = ERR_INIT;
	time_t now = time(NULL), t;
	long secs;

	/* A number alone is a time (epoch seconds); a duration has its units. */
	if (timeutil_parse_time(s, &t, &e) != 0) {
		if (strspn(s, "0123456789") == strlen(s) ||
		    timeutil_parse_duration(s, &secs, NULL) != 0)
			return cmd_usage_error("--expires wants a time (ISO 8601 UTC or epoch "
					       "seconds) or a duration like 90d, not '%s'",
					       s);
		t = now + secs;
	}
	if (t <= now)
		return cmd_usage_error("--expires '%s' is not in the future", s);
	*(time_t *)dest = t;
	return AK_OK;
}

int
cmd_api_setup(const struct cmd_api *api, struct akenza_config *ak)
{
	const struct akenza_config defaults = AKENZA_CONFIG_INIT;
	/* Ids go into URLs and request bodies as they are. */
	const struct {
		const char *name, *value;
	} ids[] = {
		{"akenza-device-id", api->akenza_id},
		{"workspace-id", ak->workspace_id},
	};
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i].value != NULL && !akenza_plausible_id(ids[i].value))
			return cmd_usage_error("--%s '%s' is not an akenza id", ids[i].name,
					       ids[i].value);
	if (ak->workspace_id == NULL && api->akenza_id == NULL)
		return cmd_usage_error("--workspace-id is needed to find devices in akenza");
	if (strncasecmp(ak->api_url, "https://", 8) != 0 || ak->api_url[8] == '\0')
		return cmd_usage_error("--api-url must be an https:// URL, not '%s'", ak->api_url);
	/* A missing trust anchor file is an input error now, not a TLS failure later. */
	if (ak->ca_file != NULL) {
		if (fileio_read(ak->ca_file, FILEIO_KEY_MAX * 4, &b, &e) != 0)
			return cmd_fail(&e);
		fileio_buf_clear(&b);
	}
	/* What the options do not set stays as the akenza module has it. */
	ak->max_rate_limited = defaults.max_rate_limited;
	ak->backoff_base_ms = defaults.backoff_base_ms;
	ak->backoff_cap_ms = defaults.backoff_cap_ms;
	ak->jobs = (int)api->jobs;
	ak->timeout_ms = (long)api->timeout * 1000;
	ak->max_retries = (unsigned)api->retries;
	return AK_OK;
}

int
cmd_api_key(const struct cmd_api *api, char **key)
{
	struct err e = ERR_INIT;
	unsigned loose;

	if (akenza_api_key(api->api_key_file, key, &loose, &e) != 0)
		return cmd_fail(&e);
	if (loose != 0)
		cmd_warn("'%s' can be read by others (mode %03o): chmod 600 it", api->api_key_file,
			 loose);
	return AK_OK;
}

int
cmd_check_rsa_bits(enum key_type type)
{
	if (cmd_given("bits") && type != KEY_RSA)
		return cmd_usage_error("--bits is for RSA keys (--type rsa); EC keys are P-256");
	return AK_OK;
}

/*
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions, adjacent transpositions) of a and b, as git
 * uses for its suggestions; CMD_SUGGEST_MAX + 1 for names too long to matter.
 */
#define CMD_SUGGEST_MAX 2
#define CMD_NAME_MAX 64

size_t
cmd_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[3][CMD_NAME_MAX + 1], v;

	if (la > CMD_NAME_MAX || lb > CMD_NAME_MAX)
		return CMD_SUGGEST_MAX + 1;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

/*
 * The candidate closest to name, if it is at most CMD_SUGGEST_MAX edits away
 * and not changed beyond recognition (fewer edits than its length); else NULL.
 * Only for messages: look-up stays exact.
 */
static const char *
suggest(const char *name, const char *cand, const char *best, size_t *bestd)
{
	size_t d = cmd_distance(name, cand);

	if (d <= CMD_SUGGEST_MAX && d < strlen(cand) && d < *bestd) {
		*bestd = d;
		return cand;
	}
	return best;
}

const char *
cmd_suggest(const struct cmd_entry *const *table, const char *name)
{
	const char *best = NULL;
	size_t bestd = CMD_SUGGEST_MAX + 1;

	for (; table != NULL && *table != NULL; table++)
		best = suggest(name, (*table)->name, best, &bestd);
	return best;
}

/* The option of the table being parsed closest to name (without "--"), or NULL. */
static const char *
suggest_option(const char *name)
{
	const struct cmd_option *o;
	const char *best = NULL;
	size_t bestd = CMD_SUGGEST_MAX + 1;

	for (o = given_table; o != NULL && o->name != NULL; o++)
		best = suggest(name, o->name, best, &bestd);
	return suggest(name, help_option.name, best, &bestd);
}

static int
unknown_option(const char *tok, size_t len)
{
	char name[CMD_NAME_MAX + 1];
	const char *s;

	snprintf(name, sizeof(name), "%.*s", (int)(len > 2 ? len - 2 : 0), tok + 2);
	if ((s = suggest_option(name)) != NULL)
		return cmd_usage_error("unknown option '%.*s' (did you mean '--%s'?)", (int)len,
				       tok, s);
	return cmd_usage_error("unknown option '%.*s'", (int)len, tok);
}

const struct cmd_entry *
cmd_lookup(const struct cmd_entry *const *table, const char *name)
{
	/* Exact names only: a script must never run a command akcred guessed. */
	for (; table != NULL && *table != NULL; table++)
		if (strcmp((*table)->name, name) == 0)
			return *table;
	return NULL;
}

void
cmd_print_usage(FILE *f, const struct cmd_entry *entry, const char *path)
{
	const char *u = entry->usage, *nl;
	const char *lead = "usage:";

	do {
		nl = strchr(u, '\n');
		if (*u == '\t') /* a continuation, under the start of the options */
			fprintf(f, "%*s", (int)(strlen("usage: akcred  ") + strlen(path)), "");
		else
			fprintf(f, "%s akcred %s%s", lead, path, *u ? " " : "");
		u += *u == '\t';
		fprintf(f, "%.*s\n", (int)(nl ? (size_t)(nl - u) : strlen(u)), u);
		lead = "      ";
		u = nl ? nl + 1 : NULL;
	} while (u != NULL);
}

/* Options and their help: an option too long for the column has its help on the next line. */
#define CMD_OPTION_COLUMN 26

const char *
cmd_option_help(const struct cmd_option *o, char *buf, size_t size)
{
	char d[32];
	const char *def = o->defstr;

	/* The default comes from the table, as cmd_parse() sets it: never a second copy. */
	if (o->kind == CMD_UINT && o->def != 0) {
		snprintf(d, sizeof(d), "%ld", o->def);
		def = d;
	} else if (o->kind == CMD_DURATION && o->def != 0) {
		def = timeutil_duration(o->def, d, sizeof(d));
	}
	if (def != NULL)
		snprintf(buf, size, "%s (default %s)", o->help, def);
	else
		snprintf(buf, size, "%s", o->help);
	return buf;
}

static void
print_option(FILE *f, const struct cmd_option *o)
{
	char left[80], help[256];
	int n;

	if (o->letter != 0)
		n = snprintf(left, sizeof(left), "-%c, --%s", o->letter, o->name);
	else
		n = snprintf(left, sizeof(left), "    --%s", o->name);
	if (o->kind != CMD_FLAG && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
	cmd_option_help(o, help, sizeof(help));
	if (strlen(left) > CMD_OPTION_COLUMN)
		fprintf(f, "  %s\n  %-*s %s\n", left, CMD_OPTION_COLUMN, "", help);
	else
		fprintf(f, "  %-*s %s\n", CMD_OPTION_COLUMN, left, help);
}

void
cmd_print_help(FILE *f, const struct cmd_entry *entry, const char *path)
{
	const struct cmd_option *o;
	const struct cmd_entry *const *c;

	cmd_print_usage(f, entry, path);
	fprintf(f, "\n%s\n", entry->summary);
	if (entry->children != NULL) {
		fputs("\ncommands:\n", f);
		for (c = entry->children; *c != NULL; c++)
			fprintf(f, "  %-12s %s\n", (*c)->name, (*c)->summary);
	}
	fputs("\noptions:\n", f);
	for (o = entry->options; o != NULL && o->name != NULL; o++)
		print_option(f, o);
	print_option(f, &help_option);
	fprintf(f, "\nsee akcred-%.*s(1)\n", (int)strcspn(path, " "), path);
}

void
cmd_print_commands(FILE *f)
{
	const struct cmd_entry *const *t, *const *c;
	char name[64];

	fputs("commands:\n", f);
	for (t = cmd_table; *t != NULL; t++) {
		if ((*t)->children == NULL) {
			fprintf(f, "  %-*s %s\n", CMD_COLUMN, (*t)->name, (*t)->summary);
			continue;
		}
		for (c = (*t)->children; *c != NULL; c++) {
			snprintf(name, sizeof(name), "%s %s", (*t)->name, (*c)->name);
			fprintf(f, "  %-*s %s\n", CMD_COLUMN, name, (*c)->summary);
		}
	}
}

/* The size of the destination each kind writes; 0: any (CMD_PARSE's own). */
static size_t
kind_size(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_FLAG:
		return sizeof(int);
	case CMD_STRING:
		return sizeof(const char *);
	case CMD_UINT:
		return sizeof(unsigned long);
	case CMD_DURATION:
		return sizeof(long);
	case CMD_TIME:
		return sizeof(time_t);
	case CMD_PARSE:
		break;
	}
	return 0;
}

int
cmd_entry_check(const struct cmd_entry *entry)
{
	const struct cmd_option *o;

	for (o = entry->options; o != NULL && o->name != NULL; o++) {
		if (o->offset + o->size > entry->opts_size ||
		    (o->kind == CMD_PARSE ? o->parse == NULL : o->size != kind_size(o->kind)))
			return cmd_error(AK_INTERNAL,
					 "option --%s: its destination does not fit its kind",
					 o->name);
		if ((o->kind == CMD_FLAG) != (o->arg == NULL))
			return cmd_error(AK_INTERNAL,
					 "option --%s: a value needs a name, a flag none", o->name);
	}
	return AK_OK;
}

/* Store the value arg of option o (NULL for a flag) in its destination in opts. */
static int
store(const struct cmd_option *o, const char *arg, void *opts)
{
	char *dest = (char *)opts + o->offset, d[32];
	const int one = 1;
	unsigned long u;
	long l;
	time_t t;
	int status;

	switch (o->kind) {
	case CMD_FLAG:
		memcpy(dest, &one, sizeof(one));
		break;
	case CMD_STRING:
		memcpy(dest, &arg, sizeof(arg));
		break;
	case CMD_UINT:
		if (cmd_parse_uint(o->name, arg, (unsigned long)o->min,
				   o->max != 0 ? (unsigned long)o->max : ULONG_MAX, &u) != 0)
			return AK_USAGE;
		memcpy(dest, &u, sizeof(u));
		break;
	case CMD_DURATION:
		if ((status = cmd_parse_duration(o->name, arg, o->min, &l)) != AK_OK)
			return status;
		if (o->max != 0 && l > o->max)
			return cmd_usage_error("--%s must be at most %s, not '%s'", o->name,
					       timeutil_duration(o->max, d, sizeof(d)), arg);
		memcpy(dest, &l, sizeof(l));
		break;
	case CMD_TIME:
		if ((status = cmd_parse_time(o->name, arg, &t)) != AK_OK)
			return status;
		memcpy(dest, &t, sizeof(t));
		break;
	case CMD_PARSE:
		return o->parse(arg, dest) != 0 ? AK_USAGE : AK_OK;
	}
	return AK_OK;
}

/* The table's defaults, before argv: what help says is what the command gets. */
static int
store_defaults(const struct cmd_option *options, void *opts)
{
	const struct cmd_option *o;
	char *dest;
	int status;

	for (o = options; o != NULL && o->name != NULL; o++) {
		dest = (char *)opts + o->offset;
		if ((o->kind == CMD_UINT || o->kind == CMD_DURATION) && o->def != 0) {
			unsigned long u = (unsigned long)o->def;
			long l = o->def;

			if (o->kind == CMD_UINT)
				memcpy(dest, &u, sizeof(u));
			else
				memcpy(dest, &l, sizeof(l));
		} else if (o->defstr != NULL && (status = store(o, o->defstr, opts)) != AK_OK) {
			return status;
		}
	}
	return AK_OK;
}

/* The index of option name in options, or -1. */
static int
option_index(const struct cmd_option *options, const char *name, size_t len)
{
	int i;

	for (i = 0; options != NULL && options[i].name != NULL; i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return i;
	return -1;
}

static int
letter_index(const struct cmd_option *options, int letter)
{
	int i;

	for (i = 0; options[i].letter != letter; i++)
		;
	return i;
}

int
cmd_given(const char *name)
{
	int i = option_index(given_table, name, strlen(name));

	return i >= 0 && (given >> i & 1);
}

/* The next name of a list separated by spaces: *x and *len start at the list and 0. */
static int
next_name(const char **x, size_t *len)
{
	*x += *len;
	*x += strspn(*x, " ");
	*len = strcspn(*x, " ");
	return **x != '\0';
}

/* "--a, --b and --c" from "a b c". */
static void
name_list(const char *names, char *buf, size_t size)
{
	const char *x = names, *rest;
	size_t len = 0, n = 0;

	buf[0] = '\0';
	while (n < size && next_name(&x, &len)) {
		rest = x + len + strspn(x + len, " ");
		n += (size_t)snprintf(buf + n, size - n, "%s--%.*s",
				      n == 0          ? ""
				      : *rest == '\0' ? " and "
						      : ", ",
				      (int)len, x);
	}
}

/* The table's rules once argv is read: required options, what excludes or needs what. */
static int
check_rules(const struct cmd_option *options)
{
	const struct cmd_option *o;
	const char *x;
	char names[256];
	size_t len;
	int i, j;

	for (i = 0, o = options; o != NULL && o->name != NULL; o++, i++) {
		if ((o->flags & CMD_REQUIRED) && !(given >> i & 1))
			return cmd_usage_error("--%s is required", o->name);
		if (!(given >> i & 1))
			continue;
		for (x = o->excludes, len = 0; x != NULL && next_name(&x, &len);)
			if ((j = option_index(options, x, len)) >= 0 && (given >> j & 1))
				return cmd_usage_error("--%s and --%.*s exclude each other",
						       o->name, (int)len, x);
		for (x = o->needs, len = 0; x != NULL && next_name(&x, &len);) {
			if ((j = option_index(options, x, len)) >= 0 && !(given >> j & 1)) {
				name_list(o->needs, names, sizeof(names));
				return cmd_usage_error("--%s needs %s", o->name, names);
			}
		}
	}
	return AK_OK;
}

/*
 * getopt_long's tables for options: a long option comes back as its index
 * plus CMD_OPT_BASE, a short one as its letter (found by letter_index()).
 */
#define CMD_OPT_BASE 256
#define CMD_OPT_HELP (CMD_OPT_BASE + CMD_MAX_OPTIONS)

static int
build_getopt(const struct cmd_option *options, struct option *longopts, char *shortopts)
{
	const struct cmd_option *o;
	size_t n = 0, s = 0;

	/* ':' first: a missing argument is told apart from an unknown option. */
	shortopts[s++] = ':';
	for (o = options; o != NULL && o->name != NULL; o++, n++) {
		if (n == CMD_MAX_OPTIONS)
			return cmd_error(AK_INTERNAL, "more than %d options", CMD_MAX_OPTIONS);
		longopts[n] = (struct option){o->name,
					      o->kind != CMD_FLAG ? required_argument : no_argument,
					      NULL, CMD_OPT_BASE + (int)n};
		if (o->letter != 0) {
			shortopts[s++] = (char)o->letter;
			if (o->kind != CMD_FLAG)
				shortopts[s++] = ':';
		}
	}
	longopts[n++] = (struct option){"help", no_argument, NULL, CMD_OPT_HELP};
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	shortopts[s++] = 'h';
	shortopts[s] = '\0';
	return AK_OK;
}

/* A usage error for getopt_long's ':' (missing value) or '?' (unknown option). */
static int
getopt_error(int c, char **argv)
{
	const char *tok = argv[optind - 1];
	size_t len = strcspn(tok, "=");

	/* getopt_long sets optopt for long options too: tell them apart by argv. */
	if (strncmp(tok, "--", 2) == 0)
		return c == ':' ? cmd_usage_error("option '%.*s' needs a value", (int)len, tok)
				: unknown_option(tok, len);
	return c == ':' ? cmd_usage_error("option '-%c' needs a value", optopt)
			: cmd_usage_error("unknown option '-%c'", optopt);
}

/*
 * Exact long names only, as for commands: getopt_long would take
 * "--api-key SECRET" for "--api-key-file SECRET" and then name the secret in
 * its error message.  Only the name is ever printed.
 */
static int
abbreviated(char **argv, const char *name)
{
	const char *tok = argv[optind - 1];
	size_t len;

	if (optarg != NULL && optarg == tok && optind >= 2)
		tok = argv[optind - 2];
	len = strcspn(tok + 2, "=");
	if (strncmp(tok, "--", 2) == 0 && strlen(name) == len && strncmp(tok + 2, name, len) == 0)
		return AK_OK;
	return unknown_option(tok, len + 2);
}

int
cmd_parse(const struct cmd_entry *entry, int argc, char **argv, void *opts, int *ind)
{
	struct option longopts[CMD_MAX_OPTIONS + 2];
	char shortopts[CMD_MAX_OPTIONS * 2 + 4];
	const struct cmd_option *options = entry->options;
	int c, i, status;

	given_table = options;
	given = 0;
	if ((status = cmd_entry_check(entry)) != AK_OK ||
	    (status = build_getopt(options, longopts, shortopts)) != AK_OK ||
	    (status = store_defaults(options, opts)) != AK_OK)
		return status;
	optind = 0; /* glibc: start afresh, as for a new argv (the unit tests parse many) */
	opterr = 0;
	for (;;) {
		i = -1;
		c = getopt_long(argc, argv, shortopts, longopts, &i);
		if (c == -1)
			break;
		if (c == ':' || c == '?')
			return getopt_error(c, argv);
		if (i >= 0 && (status = abbreviated(argv, longopts[i].name)) != AK_OK)
			return status;
		if (c == CMD_OPT_HELP || c == 'h') {
			cmd_print_help(stdout, entry, current_name);
			*ind = -1;
			return AK_OK;
		}
		if (c < CMD_OPT_BASE) /* a short option: its index by its letter */
			c = letter_index(options, c);
		else
			c -= CMD_OPT_BASE;
		if ((status = store(&options[c], optarg, opts)) != AK_OK)
			return status;
		given |= 1ULL << c;
	}
	if ((status = check_rules(options)) != AK_OK)
		return status;
	if (entry->operands == NULL && optind < argc)
		return cmd_usage_error("unexpected operand '%s'", argv[optind]);
	*ind = optind;
	return AK_OK;
}

/* Parse entry's options into a fresh option struct and run it. */
static int
run(const struct cmd_entry *entry, int argc, char **argv)
{
	void *opts;
	int ind = 1, status;

	if ((opts = calloc(1, entry->opts_size != 0 ? entry->opts_size : 1)) == NULL)
		return cmd_error(AK_INTERNAL, "out of memory");
	status = cmd_parse(entry, argc, argv, opts, &ind);
	if (status == AK_OK && ind >= 0)
		status = entry->exec(opts, argc - ind, argv + ind);
	/* A token's session ends with the command (nothing to do if none was opened). */
	p11_shutdown();
	free(opts);
	return status;
}

/* Commands holding secrets must not leave them in a core file. */
static void
no_core_dumps(void)
{
	struct rlimit rl = {0, 0};

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* An unknown command, or sub-command of parent: the closest name, and what there is. */
static int
unknown_command(const struct cmd_entry *parent, const char *name)
{
	const struct cmd_entry *const *c, *in = NULL;
	const char *s = cmd_suggest(parent ? parent->children : cmd_table, name);

	/* "akcred verify": a sub-command named without its command. */
	for (c = cmd_table; parent == NULL && s == NULL && *c != NULL; c++)
		if ((s = cmd_suggest((*c)->children, name)) != NULL)
			in = *c;
	fputs("akcred: ", stderr);
	if (parent != NULL)
		fprintf(stderr, "%s: ", parent->name);
	fputs("unknown command '", stderr);
	cmd_puts_safe(stderr, name);
	fputc('\'', stderr);
	if (s != NULL)
		fprintf(stderr, " (did you mean '%s%s%s'?)", in ? in->name : "", in ? " " : "", s);
	fputc('\n', stderr);
	if (parent == NULL) {
		cmd_print_commands(stderr);
		return AK_USAGE;
	}
	fputs("commands:\n", stderr);
	for (c = parent->children; *c != NULL; c++)
		fprintf(stderr, "  %s %-*s %s\n", parent->name,
			CMD_COLUMN - 1 - (int)strlen(parent->name), (*c)->name, (*c)->summary);
	return AK_USAGE;
}

int
cmd_main(int argc, char **argv)
{
	const struct cmd_entry *entry, *child;

	if (argc < 2) {
		fputs("usage: akcred <command> [options]\n", stderr);
		cmd_print_commands(stderr);
		return AK_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		argv[1] = (char *)"help";
	else if (strcmp(argv[1], "--version") == 0)
		argv[1] = (char *)"version";
	if ((entry = cmd_lookup(cmd_table, argv[1])) == NULL)
		return unknown_command(NULL, argv[1]);
	argc--;
	argv++;
	snprintf(current_name, sizeof(current_name), "%s", entry->name);
	if (entry->children != NULL) {
		current = entry;
		if (argc < 2) {
			cmd_usage_error("a command is needed");
			cmd_print_help(stderr, entry, entry->name);
			return AK_USAGE;
		}
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			cmd_print_help(stdout, entry, entry->name);
			return AK_OK;
		}
		if ((child = cmd_lookup(entry->children, argv[1])) == NULL)
			return unknown_command(entry, argv[1]);
		snprintf(current_name, sizeof(current_name), "%s %s", entry->name, child->name);
		entry = child;
		argc--;
		argv++;
	}
	current = entry;
	if (entry->flags & CMD_SECRETS)
		no_core_dumps();
	/* The one place a class becomes an exit status (AK_INTERNAL exits 4). */
	return err_exit_status(run(entry, argc, argv));
}

void
cmd_refusal_hint(const struct jwt_report *rep, const char *device_id, char *buf, size_t n)
{
	json_t *kid = rep->header ? json_object_get(rep->header, "kid") : NULL;
	size_t used;
	int i, errors = 0;

	jwt_report_count(rep, &errors, NULL);
	if (errors > 0) {
		used = (size_t)snprintf(buf, n, "%s", "the token fails the checks akenza makes:");
		for (i = 0; i < rep->nproblems && used < n; i++)
			if (rep->problems[i].severity == JWT_ERROR)
				used += (size_t)snprintf(buf + used, n - used, " %s",
							 rep->problems[i].code);
		return;
	}
	snprintf(buf, n, "the token %s: is %s%.128s registered with the broker for device '%s'?",
		 rep->nproblems == 0 ? "passes every local check" : "has warnings only",
		 json_is_string(kid) ? "the key with fingerprint " : "this key",
		 json_is_string(kid) ? json_string_value(kid) : "", device_id);
}
