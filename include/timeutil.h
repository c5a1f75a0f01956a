/*
 * timeutil: time formats shown to and read from users; reentrant (gmtime and
 * friends are banned).
 *
 * Durations are seconds written with units, largest first, each at most once:
 * "90", "90s", "20m", "1h30m", "2d".  Times are epoch seconds ("1764000000")
 * or ISO 8601 UTC ("2026-11-24T14:13:27Z"; "+00:00" is taken for "Z").
 */
#ifndef AKCRED_TIMEUTIL_H
#define AKCRED_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

#include "err.h"

#define TIMEUTIL_ISO_LEN 21                        /* "2026-11-24T14:13:27Z" and a NUL */
#define TIMEUTIL_DURATION_MAX (100L * 366 * 86400) /* a century: no overflow anywhere */
#define TIMEUTIL_REL_LEN 48

/*
 * Milliseconds on CLOCK_MONOTONIC (with fractions), for time-outs and for
 * timing phases: wall-clock steps must move neither.  A deadline is
 * timeutil_now_ms() + a duration.
 */
double timeutil_now_ms(void);

/* t as ISO 8601 UTC ("2026-11-24T14:13:27Z") into buf. */
const char *timeutil_iso8601(time_t t, char buf[TIMEUTIL_ISO_LEN]);

/* Parse a duration into seconds (0 .. TIMEUTIL_DURATION_MAX); -1 with e (AK_USAGE) if bad. */
int timeutil_parse_duration(const char *s, long *secs, struct err *e);
/* Parse epoch seconds or ISO 8601 UTC; -1 with e (AK_USAGE) if bad. */
int timeutil_parse_time(const char *s, time_t *t, struct err *e);

/* secs as "1d2h3m4s" (zero units left out; "0s" for 0; a '-' first if negative). */
const char *timeutil_duration(long long secs, char *buf, size_t size);
/* t seen from now: "in 17m12s", "4m ago" or "now". */
const char *timeutil_relative(time_t t, time_t now, char *buf, size_t size);
/*
 * count items in secs as a rate for people, never "0/s" for a slow batch:
 * "195 keys/s", "3.2 keys/s", "2.5 s/key" under one a second (with noun
 * "key"); without a noun, "195/s", "3.2/s", "0.4/s".  "" when secs <= 0.
 */
const char *timeutil_rate(double count, double secs, const char *noun, char *buf, size_t size);

#endif
