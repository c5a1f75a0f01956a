/*
 * netprobe: short diagnostic connections that tell what a port speaks, for
 * explaining a failure after the fact (mqtt, when a TLS handshake or an MQTT
 * CONNECT ends without a clear reason).
 *
 * Each probe opens a connection of its own to one address, sends at most one
 * message that carries nothing secret (an MQTT CONNECT without credentials,
 * a TLS ClientHello), waits for the first answer until the deadline (on
 * timeutil_now_ms()'s clock) and closes it.  The answer is yes or no: a probe
 * that cannot tell says no.
 */
#ifndef AKCRED_NETPROBE_H
#define AKCRED_NETPROBE_H

#include <sys/socket.h>

/* Why a TCP connection to addr fails: its errno, ETIMEDOUT at the deadline, 0 if it works. */
int netprobe_errno(const struct sockaddr *addr, socklen_t addrlen, double deadline);

/* Does addr answer a plain MQTT 3.1.1 CONNECT (without credentials) with a CONNACK? */
int netprobe_plain_mqtt(const struct sockaddr *addr, socklen_t addrlen, double deadline);

/*
 * Does addr answer a TLS ClientHello with TLS (a handshake message or an
 * alert)?  The certificate is not verified: only the server's first answer is
 * looked at, and nothing but the handshake is sent.
 */
int netprobe_tls(const struct sockaddr *addr, socklen_t addrlen, double deadline);

#endif
