/*
 * safetext: untrusted text (tokens, certificate fields, broker strings) made
 * safe to show on a terminal.  Valid printable UTF-8 passes; everything a
 * terminal could take as a command or that could disguise text -- C0 and C1
 * control characters, DEL, bidi and other invisible format characters, and
 * bytes that are not valid UTF-8 -- is shown as \xHH, byte by byte.
 */
#ifndef AKCRED_SAFETEXT_H
#define AKCRED_SAFETEXT_H

#include <stddef.h>

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

#endif
