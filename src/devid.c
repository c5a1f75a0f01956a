/* devid: what a device id may contain (see devid.h). */
#include <stdio.h>
#include <string.h>

#include "devid.h"
#include "banned.h"

int
devid_check(const char *id, struct err *e)
{
	const unsigned char *p;
	size_t len = strlen(id);

	if (len == 0)
		return err_set(e, AK_INPUT, "the device id is empty");
	if (len > DEVID_MAX)
		return err_set(e, AK_INPUT, "the device id is longer than %d characters",
			       DEVID_MAX);
	/* A leading dot would make a hidden file and could collide with akcred's temporary names.
	 */
	if (id[0] == '.')
		return err_set(e, AK_INPUT, "device id '%s' starts with '.'", id);
	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f)
			return err_set(e, AK_INPUT,
				       "device id '%s' has a space, control or non-ASCII character",
				       id);
		/* '/' splits paths and topics, '+' and '#' are MQTT wildcards, the rest break CSV
		 * or shells. */
		if (strchr("/+#\\\"',", *p) != NULL)
			return err_set(e, AK_INPUT, "device id '%s' has the character '%c'", id,
				       *p);
	}
	return 0;
}

int
devid_uplink_topic(const char *id, const char *suffix, char *buf, size_t size, struct err *e)
{
	if (suffix != NULL &&
	    (suffix[0] == '\0' || suffix[0] == '/' || strpbrk(suffix, "+#") != NULL))
		return err_set(
			e, AK_USAGE,
			"--topic-suffix '%s': a topic path without a leading '/' and without "
			"the wildcards '+' and '#'",
			suffix);
	if ((size_t)snprintf(buf, size, "%s%s%s%s", DEVID_UPLINK_PREFIX, id, suffix ? "/" : "",
			     suffix ? suffix : "") >= size)
		return err_set(e, AK_USAGE, "--topic-suffix is too long");
	return 0;
}

int
devid_downlink_filter(const char *id, char *buf, size_t size, struct err *e)
{
	if ((size_t)snprintf(buf, size, "%s%s/#", DEVID_DOWNLINK_PREFIX, id) >= size)
		return err_set(e, AK_USAGE, "the downlink topic of '%s' is too long", id);
	return 0;
}
