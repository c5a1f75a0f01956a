/*
 * devid: device ids.  A device id becomes a file name (provision), an MQTT
 * client id and a topic level (/up/device/id/<id>), a certificate CN and the
 * tail of the token's audience, so it must be safe as all of them.
 */
#ifndef AKCRED_DEVID_H
#define AKCRED_DEVID_H

#include <stddef.h>

#include "err.h"

#define DEVID_MAX 128

/* 0 if id is acceptable; else -1 with e saying what is wrong (AK_INPUT). */
int devid_check(const char *id, struct err *e);

/* akenza's topics of a device: it publishes under the first, receives under the second. */
#define DEVID_UPLINK_PREFIX "/up/device/id/"
#define DEVID_DOWNLINK_PREFIX "/down/device/id/"
/*
 * The uplink topic of id, with suffix (a topic path without a leading '/'
 * and without wildcards) below it if not NULL; 0, or -1 with e (AK_USAGE)
 * saying what is wrong with suffix.
 */
int devid_uplink_topic(const char *id, const char *suffix, char *buf, size_t size, struct err *e);
/* The filter of every downlink of id, DEVID_DOWNLINK_PREFIX<id>/#: 0, or -1 if it does not fit. */
int devid_downlink_filter(const char *id, char *buf, size_t size, struct err *e);

#endif
