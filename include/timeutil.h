/* timeutil: time formats shown to users; reentrant (gmtime and friends are banned). */
#ifndef AKCRED_TIMEUTIL_H
#define AKCRED_TIMEUTIL_H

#include <time.h>

#define TIMEUTIL_ISO_LEN 21 /* "2026-11-24T14:13:27Z" and a NUL */

/* t as ISO 8601 UTC ("2026-11-24T14:13:27Z") into buf. */
const char *timeutil_iso8601(time_t t, char buf[TIMEUTIL_ISO_LEN]);

#endif
