/* timeutil: ISO 8601, durations and relative times (see timeutil.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"
#include "banned.h"

double
timeutil_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

const char *
timeutil_iso8601(time_t t, char buf[TIMEUTIL_ISO_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, TIMEUTIL_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, TIMEUTIL_ISO_LEN, "(invalid time)");
	return buf;
}

int
timeutil_parse_duration(const char *s, long *secs, struct err *e)
{
	static const struct {
		char unit;
		long secs;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	const char *p = s;
	size_t next = 0, i;
	long total = 0;

	if (*s == '\0')
		return err_set(e, AK_USAGE, "empty duration");
	while (*p != '\0') {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return err_set(e, AK_USAGE,
				       "'%s' is not a duration (like 90s, 20m, 1h30m, 2d)", s);
		v = strtoul(p, &end, 10);
		if (v > (unsigned long)TIMEUTIL_DURATION_MAX)
			return err_set(e, AK_USAGE, "duration '%s' is too long", s);
		p = end;
		if (*p == '\0') { /* a bare number is seconds: the last part, and not after an s */
			if (next == sizeof(units) / sizeof(units[0]))
				return err_set(
					e, AK_USAGE,
					"'%s' is not a duration (units d, h, m, s, largest first, "
					"each once)",
					s);
			total += (long)v;
			break;
		}
		for (i = next; i < sizeof(units) / sizeof(units[0]); i++)
			if (units[i].unit == *p)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return err_set(e, AK_USAGE,
				       "'%s' is not a duration (units d, h, m, s, largest first, "
				       "each once)",
				       s);
		if (v > (unsigned long)(TIMEUTIL_DURATION_MAX / units[i].secs))
			return err_set(e, AK_USAGE, "duration '%s' is too long", s);
		total += (long)v * units[i].secs;
		if (total > TIMEUTIL_DURATION_MAX)
			return err_set(e, AK_USAGE, "duration '%s' is too long", s);
		next = i + 1;
		p++;
	}
	if (total > TIMEUTIL_DURATION_MAX)
		return err_set(e, AK_USAGE, "duration '%s' is too long", s);
	*secs = total;
	return 0;
}

static int
digits(const char *p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int
timeutil_parse_time(const char *s, time_t *t, struct err *e)
{
	struct tm tm, back;
	int y, mo, d, h, mi, sec;
	size_t len = strlen(s);
	time_t v;

	if (len > 0 && strspn(s, "0123456789") == len) {
		char *end;
		unsigned long long n;

		n = strtoull(s, &end, 10);
		/* Up to year 9999: time_t arithmetic stays far from overflow. */
		if (*end != '\0' || n > 253402300799ULL)
			return err_set(e, AK_USAGE, "time '%s' is out of range", s);
		*t = (time_t)n;
		return 0;
	}
	/* YYYY-MM-DDTHH:MM:SS then Z or +00:00 */
	if (!((len == 20 && s[19] == 'Z') || (len == 25 && strcmp(s + 19, "+00:00") == 0)) ||
	    s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return err_set(e, AK_USAGE,
			       "'%s' is not a time: epoch seconds or ISO 8601 UTC like "
			       "2026-11-24T14:13:27Z",
			       s);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	v = timegm(&tm);
	/* timegm normalises 2026-02-30 into March: a round trip catches it. */
	if (y < 1970 || v == (time_t)-1 || gmtime_r(&v, &back) == NULL ||
	    back.tm_year != y - 1900 || back.tm_mon != mo - 1 || back.tm_mday != d ||
	    back.tm_hour != h || back.tm_min != mi || back.tm_sec != sec)
		return err_set(e, AK_USAGE, "'%s' is not a valid UTC time", s);
	*t = v;
	return 0;
}

/* left seconds as "1d2h3m4s", '-' first if neg. */
static const char *
format_duration(unsigned long long left, int neg, char *buf, size_t size)
{
	static const struct {
		char unit;
		unsigned long long secs;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	size_t i, n = 0;
	int w;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (left == 0) {
		snprintf(buf, size, "0s");
		return buf;
	}
	if (neg) {
		snprintf(buf, size, "-");
		n = 1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && n < size; i++) {
		unsigned long long q = left / units[i].secs;

		if (q == 0)
			continue;
		left -= q * units[i].secs;
		w = snprintf(buf + n, size - n, "%llu%c", q, units[i].unit);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return buf;
}

const char *
timeutil_duration(long long secs, char *buf, size_t size)
{
	/* -(secs + 1) + 1: LLONG_MIN has no positive counterpart. */
	if (secs < 0)
		return format_duration((unsigned long long)(-(secs + 1)) + 1, 1, buf, size);
	return format_duration((unsigned long long)secs, 0, buf, size);
}

const char *
timeutil_rate(double count, double secs, const char *noun, char *buf, size_t size)
{
	double r = secs > 0 ? count / secs : 0;
	const char *sp = noun ? " " : "", *n = noun ? noun : "", *s = noun ? "s" : "";

	if (secs <= 0 || count <= 0)
		snprintf(buf, size, "%s", "");
	else if (noun != NULL && r < 0.95) /* slower than one a second: the time for each */
		snprintf(buf, size, "%.1f s/%s", 1 / r, noun);
	else if (r >= 9.95)
		snprintf(buf, size, "%.0f%s%s%s/s", r, sp, n, s);
	else if (r >= 0.095)
		snprintf(buf, size, "%.1f%s%s%s/s", r, sp, n, s);
	else
		snprintf(buf, size, "%.2g/s", r);
	return buf;
}

const char *
timeutil_relative(time_t t, time_t now, char *buf, size_t size)
{
	char d[TIMEUTIL_REL_LEN];
	/* In unsigned arithmetic: any two time_t are less than 2^64 apart. */
	unsigned long long diff = t > now ? (unsigned long long)t - (unsigned long long)now
					  : (unsigned long long)now - (unsigned long long)t;

	/* Two units are enough to read: "in 17m12s", "5725d19h ago". */
	if (diff >= 86400)
		diff -= diff % 3600;
	else if (diff >= 3600)
		diff -= diff % 60;
	if (t == now)
		snprintf(buf, size, "now");
	else if (t > now)
		snprintf(buf, size, "in %s", format_duration(diff, 0, d, sizeof(d)));
	else
		snprintf(buf, size, "%s ago", format_duration(diff, 0, d, sizeof(d)));
	return buf;
}
