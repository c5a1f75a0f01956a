/*
 * devid: device ids.  A device id becomes a file name (provision), an MQTT
 * client id and a topic level (/up/device/id/<id>), a certificate CN and the
 * tail of the token's audience, so it must be safe as all of them.
 */
#ifndef AKCRED_DEVID_H
#define AKCRED_DEVID_H

#include "err.h"

#define DEVID_MAX 128

/* 0 if id is acceptable; else -1 with e saying what is wrong (AK_INPUT). */
int devid_check(const char *id, struct err *e);

#endif
