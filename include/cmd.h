/*
 * cmd: the command table and what every command shares -- option parsing,
 * help and usage built from the table, and printing errors and warnings.
 *
 * The table is the single source of truth: dispatch, option parsing (each
 * option row names its destination, kind, default and rules), "akcred help",
 * every "--help", the shell completions and the man-page drift tests read it.
 * A command's exec runs with its option struct filled and only its operands
 * left; it fills one result, which a text and a JSON renderer print.
 *
 * Adding a command:
 *   1. src/cmd-<verb>.c defining "const struct cmd_entry cmd_<verb>_entry"
 *      (two to five lines at the top on what it does), its option struct and
 *      its CMD_OPT rows;
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
#include "p11.h"

#include <stddef.h>

#define CMD_MAX_OPTIONS 48

/*
 * What an option's value is, and so how cmd_main() parses it into the
 * command's option struct before the command runs.
 */
enum cmd_kind {
	CMD_FLAG,     /* no value: int, set to 1 */
	CMD_STRING,   /* const char *: the argument itself (a file, a name, a host) */
	CMD_UINT,     /* unsigned long, decimal, in [min, max] */
	CMD_DURATION, /* long seconds ("90", "20m", "1h30m"), at least min, at most max if not 0 */
	CMD_TIME,     /* time_t: epoch seconds or ISO 8601 UTC, after the epoch */
	CMD_PARSE,    /* the option's own parse(): 0, or a usage error said */
};

/* cmd_option.flags */
#define CMD_REQUIRED 0x1 /* "--NAME is required" when absent */

struct cmd_option {
	const char *name; /* long name, without "--" */
	int letter;       /* short option character, or 0 */
	enum cmd_kind kind;
	size_t offset, size;  /* the destination: a member of the command's option struct */
	const char *arg;      /* metavariable: "FILE", "N", "ec|rsa"; NULL for CMD_FLAG */
	const char *complete; /* completion: "@file", "@dir", or words separated by spaces */
	const char *help;     /* one line; the default is added to it */
	/* By name, where they apply: */
	long def;             /* CMD_UINT, CMD_DURATION: set before argv; shown in help unless 0 */
	const char *defstr;   /* CMD_STRING, CMD_PARSE: set (parsed) before argv; shown in help */
	long min, max;        /* CMD_UINT, CMD_DURATION */
	const char *excludes; /* option names, separated by spaces, that cannot go with this one */
	const char *needs;    /* option names, separated by spaces, that must go with this one */
	unsigned flags;
	int (*parse)(const char *arg, void *dest); /* CMD_PARSE */
};

/*
 * One row of an option table: --name of the given kind, stored in member of
 * type (the command's option struct); more fields by name after help:
 *   CMD_OPT("ttl", CMD_DURATION, struct check_opts, ttl, "DURATION", "20m 1h",
 *           "token lifetime", .def = JWT_TTL_DEFAULT, .min = 1),
 */
/* clang-format off */
#define CMD_OPT(name_, kind_, type, member, arg_, complete_, help_, ...)                           \
	{.name = (name_), .kind = (kind_), .offset = offsetof(type, member),                       \
	 .size = sizeof(((type *)0)->member), .arg = (arg_), .complete = (complete_),             \
	 .help = (help_), __VA_ARGS__}
#define CMD_OPT_END {.name = NULL}
/* clang-format on */
/*
 * --days, the validity of the self-signed certificates that keygen,
 * provision and rotate make (key_self_signed_pem), into member of type;
 * needs_ as in .needs (NULL: none).  The commands include key.h.
 */
/* clang-format off */
#define CMD_CERT_DAYS_OPTION(type, member, needs_)                                                 \
	CMD_OPT("days", CMD_UINT, type, member, "N", NULL,                                         \
		"validity in days of the certificates made", .def = KEY_CERT_DAYS_DEFAULT,         \
		.min = 1, .max = KEY_CERT_DAYS_MAX, .needs = (needs_))
/* clang-format on */
/*
 * The broker options of the commands that connect as a device (check,
 * connect), rows of one table: type has host, port, ca_file, ca_path and
 * plaintext; the commands include mqtt.h (MQTT_HOST_DEFAULT, MQTT_PORT()).
 */
/*
 * (rotate, whose --ca-file is the API's and the broker's at once, takes the
 * rows around --ca-file: CMD_BROKER_HOST_OPTIONS and CMD_BROKER_TLS_OPTIONS.)
 */
/* clang-format off */
#define CMD_BROKER_HOST_OPTIONS(type)                                                              \
	CMD_OPT("host", CMD_STRING, type, host, "HOST", NULL, "broker host",                       \
		.defstr = MQTT_HOST_DEFAULT),                                                      \
	CMD_OPT("port", CMD_UINT, type, port, "PORT", "8883 1883",                                 \
		"broker port (default 8883, 1883 with --plaintext)", .min = 1, .max = 65535)
#define CMD_BROKER_TLS_OPTIONS(type)                                                               \
	CMD_OPT("ca-path", CMD_STRING, type, ca_path, "DIR", "@dir",                               \
		"trust the CA certificates of this hashed directory"),                             \
	CMD_OPT("plaintext", CMD_FLAG, type, plaintext, NULL, NULL,                                \
		"no TLS: unencrypted MQTT (the token in clear)", .excludes = "ca-file ca-path")
#define CMD_BROKER_OPTIONS(type)                                                                   \
	CMD_BROKER_HOST_OPTIONS(type),                                                             \
	CMD_OPT("ca-file", CMD_STRING, type, ca_file, "FILE", "@file",                             \
		"trust these CA certificates, not the system's"),                                  \
	CMD_BROKER_TLS_OPTIONS(type)
/* clang-format on */

/*
 * The PKCS#11 options of every command that takes a private key ("--key
 * pkcs11:..."): type has a struct p11_opts p11.  The command calls
 * cmd_p11_setup() before it loads the key.
 */
/* clang-format off */
#define CMD_PKCS11_OPTIONS(type)                                                                   \
	CMD_OPT("pkcs11-module", CMD_STRING, type, p11.module, "PATH", "@file",                    \
		"PKCS#11 module of a pkcs11: key (default $" P11_MODULE_ENV ", then p11-kit's)"),   \
	CMD_OPT("pin-file", CMD_STRING, type, p11.pin_file, "FILE", "@file",                       \
		"the token's PIN (first line of FILE; else $" P11_PIN_ENV " or a prompt)")
/* clang-format on */
/* Configure p11 from those options, warning if key is a URI with a PIN in it (pin-value). */
void cmd_p11_setup(const struct p11_opts *o, const char *key);

/*
 * akenza's API and device look-up options (register, credentials, rotate),
 * rows of one table: type has a struct cmd_api api and a struct
 * akenza_config ak, and an option --device-id; the commands include
 * akenza.h.  cmd_api_setup() checks them and fills ak; cmd_api_key() reads
 * the key.
 */
struct cmd_api {
	const char *api_key_file, *akenza_id;
	unsigned long jobs, timeout, retries;
};
/* clang-format off */
#define CMD_API_OPTIONS(type)                                                                      \
	CMD_API_WORKSPACE_OPTION(type),                                                            \
	CMD_OPT("akenza-device-id", CMD_STRING, type, api.akenza_id, "ID", NULL,                   \
		"the device's akenza id, if known (no look-up)", .needs = "device-id"),            \
	CMD_API_ACCESS_OPTIONS(type)
/* The rows of a command of batches only (rotate): no --device-id, no --akenza-device-id. */
#define CMD_API_WORKSPACE_OPTION(type)                                                             \
	CMD_OPT("workspace-id", CMD_STRING, type, ak.workspace_id, "ID", NULL,                     \
		"akenza workspace to find devices in")
#define CMD_API_ACCESS_OPTIONS(type)                                                               \
	CMD_OPT("api-url", CMD_STRING, type, ak.api_url, "URL", NULL, "akenza API",                \
		.defstr = AKENZA_API_URL_DEFAULT),                                                 \
	CMD_OPT("api-key-file", CMD_STRING, type, api.api_key_file, "FILE", "@file",               \
		"read the API key from FILE's first line (else $AKCRED_API_KEY)"),                 \
	CMD_OPT("ca-file", CMD_STRING, type, ak.ca_file, "FILE", "@file",                          \
		"trust anchors instead of the system store"),                                      \
	CMD_OPT("jobs", CMD_UINT, type, api.jobs, "N", NULL, "devices in progress at once, 1-64", \
		.letter = 'j', .def = AKENZA_JOBS_DEFAULT, .min = 1, .max = 64),                   \
	CMD_OPT("timeout", CMD_UINT, type, api.timeout, "SECONDS", NULL,                           \
		"time limit of one request", .def = AKENZA_TIMEOUT_DEFAULT_MS / 1000, .min = 1,    \
		.max = 3600),                                                                      \
	CMD_OPT("retries", CMD_UINT, type, api.retries, "N", NULL,                                 \
		"retries after 5xx or network errors", .def = AKENZA_RETRIES_DEFAULT, .max = 20)
/* clang-format on */
struct akenza_config;
/*
 * What the table's rules cannot say of the API options -- ids that go into
 * URLs, an https:// URL, a readable --ca-file, a workspace to look devices
 * up in -- then ak filled from them (the rest as AKENZA_CONFIG_INIT has it).
 * AK_OK, or the status (said).
 */
int cmd_api_setup(const struct cmd_api *api, struct akenza_config *ak);
/* The API key into sodium memory (akenza_api_key()), a warning said if others can read it. */
int cmd_api_key(const struct cmd_api *api, char **key);
/*
 * --expires TIME|DURATION, a CMD_PARSE function (dest: time_t): epoch
 * seconds or ISO 8601 UTC, or a duration from now with its units ("90d"); in
 * the future.
 */
int cmd_opt_expires(const char *s, void *dest);

/* In a cmd_entry: the option table and the struct its rows fill, named together. */
#define CMD_OPTIONS(table, type) .options = (table), .opts_size = sizeof(type)

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
	size_t opts_size;                 /* the struct the options' CMD_FIELDs are in */
	unsigned flags;
	/*
	 * Runs with its option struct filled (defaults, then argv) and its
	 * operands in argv[0..argc-1]; returns an error class.
	 */
	int (*exec)(void *opts, int argc, char **argv);
	const struct cmd_entry *const *children; /* "jwt mint", ...; NULL-terminated */
	/*
	 * Completion of operands: "@file", "@command", "@token" (a token, '-' or
	 * @FILE: completed as @FILE, the '@' kept), or NULL: the command takes
	 * no operands (cmd_main() refuses them).
	 */
	const char *operands;
};

extern const struct cmd_entry *const cmd_table[];

/*
 * Parse argv (argv[0] is the command name) by entry's options into opts:
 * defaults first, then each option by its kind, then the table's rules
 * (required, excludes, operands).  AK_OK with *ind the index of the first
 * operand; else the status to exit with now: AK_OK after --help (printed),
 * AK_USAGE after a usage error (said), AK_INTERNAL for a table whose
 * destination does not fit its kind.
 */
int cmd_parse(const struct cmd_entry *entry, int argc, char **argv, void *opts, int *ind);
/* Whether option --name was on the command line cmd_parse() last read. */
int cmd_given(const char *name);
/*
 * AK_OK if every option of entry has a destination inside its option struct
 * that fits its kind (cmd_parse() checks before it writes); else said.
 */
int cmd_entry_check(const struct cmd_entry *entry);

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
/*
 * A batch's progress line on standard error, redrawn in place at each call,
 * only when standard error is a terminal; *shown says whether one is there,
 * and cmd_progress_clear() removes it before other output.
 */
void cmd_progress(int *shown, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_progress_clear(int *shown);
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
/* The same, as CMD_PARSE functions (dest: enum key_type, unsigned long). */
int cmd_opt_key_type(const char *s, void *dest);
int cmd_opt_rsa_bits(const char *s, void *dest);
/* --bits is for RSA keys: a usage error if it was given and type is not KEY_RSA. */
int cmd_check_rsa_bits(enum key_type type);

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

/*
 * A failed item's members in a batch's --json: "status" (err_status_name),
 * "error" (e's message) and, if the server answered, "http_status".
 */
void cmd_json_error(json_t *j, const struct err *e, long http_status);
/*
 * A batch's run in its --json (register, credentials, rotate): "status"
 * (err_status_name) and, if something stopped the run before every device
 * had its outcome, "error" (error not NULL: what stopped it).  The devices
 * in "devices" are those that have one; "total" counts them all.
 */
void cmd_json_run(json_t *j, int status, const char *error);
/*
 * What stopped a batch's run, said: e, then, for a batch of more than one
 * device, "stopped: N of TOTAL devices not done" (ended: those with an
 * outcome).  Returns e's status.
 */
int cmd_stopped(const struct err *e, size_t total, size_t ended);
/*
 * A batch device's note (what akenza's answers add to its outcome) on a line
 * of its own below the device's: indent spaces (past the outcome column),
 * "note: " and the note through cmd_puts_safe(); nothing for an empty note.
 */
void cmd_print_note(FILE *f, int indent, const char *note);

struct jwt_report;
/*
 * After a refused login, the hint that the checks of the token sent give
 * (check and connect): with errors, their codes; without, most likely the
 * key is not registered for the device.
 */
void cmd_refusal_hint(const struct jwt_report *rep, const char *device_id, char *buf, size_t n);

/* Help texts, from the table. */
/* o's help line with its default, as --help and the completions show it; returns buf. */
const char *cmd_option_help(const struct cmd_option *o, char *buf, size_t size);
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
