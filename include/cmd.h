/*
 * cmd: the command table and what every command shares -- option parsing,
 * help and usage built from the table, and printing errors and warnings.
 *
 * The table is the single source of truth: dispatch, "akcred help", every
 * "--help", the shell completions and the man-page drift tests read it.
 *
 * Adding a command:
 *   1. src/cmd-<verb>.c defining "const struct cmd_entry cmd_<verb>_entry"
 *      (two to five lines at the top on what it does);
 *   2. add it to cmd_table[] in src/cmd.c (or to its parent's children);
 *   3. man/akcred-<verb>.1, listed in akcred.1 SEE ALSO;
 *   4. regenerate the completions: make completions;
 *   5. tests: tests/cli/<verb>-*.sh, and unit tests for any new module.
 */
#ifndef AKCRED_CMD_H
#define AKCRED_CMD_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "err.h"
#include "key.h"

#define CMD_MAX_OPTIONS 48

/* Option ids of options without a short form start here. */
#define CMD_OPT_LONG 256
/* Returned by cmd_getopt() when the command must stop now with args->status. */
#define CMD_OPT_EXIT (-2)

struct cmd_option {
	const char *name;     /* long name, without "--" */
	int id;               /* returned by cmd_getopt(); the short option character if any */
	int has_arg;          /* 0 or 1 */
	const char *arg;      /* metavariable: "FILE", "N", "ec|rsa" */
	const char *complete; /* completion: "@file", "@dir", or words separated by spaces */
	const char *help;     /* one line */
};

/* Set-up a command asks for before it runs. */
#define CMD_SECRETS 0x1 /* holds secrets: no core dumps */

struct cmd_entry {
	const char *name;
	const char *summary; /* one line, lowercase, no full stop */
	/*
	 * After "akcred <name> ".  Lines separated by \n are alternative forms;
	 * a line that starts with \t continues the form above it.
	 */
	const char *usage;
	const struct cmd_option *options; /* ends with an entry whose name is NULL */
	unsigned flags;
	int (*exec)(int argc, char **argv);      /* argv[0] is the command name */
	const struct cmd_entry *const *children; /* "jwt mint", ...; NULL-terminated */
	/*
	 * Completion of operands: "@file", "@command", "@token" (a token, '-' or
	 * @FILE: completed as @FILE, the '@' kept), or NULL: none.
	 */
	const char *operands;
};

extern const struct cmd_entry *const cmd_table[];

/* Parser state for one command's argv. */
struct cmd_args {
	int argc;
	char **argv;
	const char *arg; /* the option's argument */
	int status;      /* with CMD_OPT_EXIT */
	int ind;         /* after the loop: index of the first operand */
};
/* clang-format off */
#define CMD_ARGS_INIT(c, v) {(c), (v), NULL, 0, 1}
/* clang-format on */

/*
 * Next option of the running command (getopt_long over its table): the
 * option's id, -1 after the last option (operands start at args->ind), or
 * CMD_OPT_EXIT after "--help" (status 0, help printed) or a usage error
 * (status 2, message printed).
 */
int cmd_getopt(struct cmd_args *args);

/* Run argv (argv[0] = "akcred"); returns the exit status. */
int cmd_main(int argc, char **argv);

/* The running command: "keygen", "jwt mint". */
const char *cmd_name(void);
const struct cmd_entry *cmd_current(void);

/* Print e as "akcred: <cmd>: <message>"; returns its class (cmd_main: the exit status). */
int cmd_fail(const struct err *e);
/* Print "akcred: <cmd>: <message>"; returns status. */
int cmd_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "akcred: <cmd>: warning: <message>". */
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: message, the usage lines, status 2. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* one if n is 1, else many: "1 device", "2 devices" (never "1 devices"). */
const char *cmd_plural(unsigned long n, const char *one, const char *many);

/* Parse an unsigned decimal option value in [min, max]; usage error otherwise. */
int cmd_parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
		   unsigned long *out);
/* A duration ("90", "20m", "1h30m", ...) of at least min seconds; usage error otherwise. */
int cmd_parse_duration(const char *opt, const char *s, long min, long *secs);
/* A time (epoch seconds or ISO 8601 UTC) after 1970-01-01T00:00:00Z; usage error otherwise. */
int cmd_parse_time(const char *opt, const char *s, time_t *t);
/* --type ec|rsa and --bits 2048|3072|4096 (keygen, provision); usage error otherwise. */
int cmd_parse_key_type(const char *s, enum key_type *type);
int cmd_parse_rsa_bits(const char *s, unsigned long *bits);

/*
 * Write s to f with control characters (C0, C1, DEL), bidi and format
 * characters and invalid UTF-8 shown as \xHH (see safetext.h): s may come
 * from hostile input.
 */
void cmd_puts_safe(FILE *f, const char *s);
/*
 * Format one line and print it as cmd_puts_safe() does, then a newline: for
 * output lines that carry untrusted text (paths, device ids, server strings).
 * fmt has no newline of its own (it would be shown as \x0a).
 */
void cmd_println_safe(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Print j and a newline to standard output, as every --json does: through
 * safetext_json() (JSON_ENSURE_ASCII, so C1 controls, bidi and format
 * characters are \uXXXX escapes; DEL as \u007F).  AK_OK, or AK_INTERNAL (said).
 */
int cmd_print_json(const json_t *j, size_t flags);

/* Help texts, from the table. */
void cmd_print_usage(FILE *f, const struct cmd_entry *entry, const char *path);
void cmd_print_help(FILE *f, const struct cmd_entry *entry, const char *path);
void cmd_print_commands(FILE *f);
/* Find "name" or "parent child" in the table (exact names only). */
const struct cmd_entry *cmd_lookup(const struct cmd_entry *const *table, const char *name);
/*
 * For "did you mean" in error messages only (look-up stays exact): the name
 * in table closest to name, at most two edits away (Damerau-Levenshtein, as
 * git does), or NULL.
 */
const char *cmd_suggest(const struct cmd_entry *const *table, const char *name);
size_t cmd_distance(const char *a, const char *b);

#endif
