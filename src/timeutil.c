/* timeutil: ISO 8601 and friends (see timeutil.h). */
#include <stdio.h>
#include <time.h>

#include "timeutil.h"
#include "banned.h"

const char *
timeutil_iso8601(time_t t, char buf[TIMEUTIL_ISO_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, TIMEUTIL_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, TIMEUTIL_ISO_LEN, "(invalid time)");
	return buf;
}
