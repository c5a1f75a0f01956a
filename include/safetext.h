/*
 * safetext: untrusted text (tokens, certificate fields, broker strings) made
 * safe to show on a terminal.  Valid printable UTF-8 passes; everything a
 * terminal could take as a command or that could disguise text -- C0 and C1
 * control characters, DEL, bidi and other invisible format characters, and
 * bytes that are not valid UTF-8 -- is shown as \xHH, byte by byte.
 * That one rule serves every place that shows untrusted text: the commands'
 * messages and output, and the broker plugin's log.  JSON output keeps to
 * JSON: there the same characters are \uXXXX escapes (safetext_json()).
 */
#ifndef AKCRED_SAFETEXT_H
#define AKCRED_SAFETEXT_H

#include <stddef.h>

#include <jansson.h>

/*
 * The character at p (not at its terminating NUL): its length in bytes
 * (1 to 4; 1 for an invalid byte) and, in *printable, whether it may be
 * shown as it is (0: show each of its bytes as \xHH).
 */
size_t safetext_next(const char *p, int *printable);

/*
 * s into buf (size >= 8 bytes) with every unsafe byte as \xHH, cut between
 * characters (never inside one or inside an escape) after at most max bytes
 * of output, "..." marking a cut.  The result is valid UTF-8.  Returns buf.
 */
const char *safetext_escape(const char *s, size_t max, char *buf, size_t size);

/*
 * j as JSON text (json_dumps() with flags; free() it) that is safe on a
 * terminal and still JSON: JSON_ENSURE_ASCII makes every non-ASCII character,
 * C1 controls and bidi or format characters among them, a \uXXXX escape; DEL,
 * which Jansson leaves as it is, becomes \u007F too; C0 controls are escaped
 * by Jansson.  NULL if out of memory.
 */
char *safetext_json(const json_t *j, size_t flags);

#endif
