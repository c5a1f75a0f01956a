/*
 * mqtt: one device session against an MQTT broker, phase by phase -- what
 * "akcred check" runs.
 *
 * libmosquitto is loaded on first use by dlib (dlib.h), as libmosquitto.so.1:
 * the akcred binary does not link it, so commands that never speak MQTT do
 * not pay for it at start-up.
 *
 * The session is split into phases (resolve, TCP connect, TLS handshake,
 * CONNACK, SUBACK, PUBACK, disconnect), each timed and reported through a
 * callback as it ends, so that a failure names the phase and its reason.
 * The name is resolved by resolver (resolver.h), bounded by the deadline;
 * libmosquitto then connects to the numeric address, and the TCP connection
 * is waited for here, so that every phase is timed and bounded.  TLS uses
 * tlsclient's context (tlsclient.h: TLS 1.2 or newer, peer and host name
 * always verified, no option to turn that off), which records why a
 * handshake failed.  When the handshake or the CONNECT fails without a clear
 * reason, netprobe (netprobe.h) tells a plain-MQTT port from a TLS port.
 */
#ifndef AKCRED_MQTT_H
#define AKCRED_MQTT_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "tlsclient.h"

/* akenza's broker, and the ports of MQTT over TLS and of plain MQTT. */
#define MQTT_HOST_DEFAULT "mqtt.akenza.io"
#define MQTT_PORT_TLS 8883
#define MQTT_PORT_PLAINTEXT 1883
/* port if not 0, else the port of the transport. */
#define MQTT_PORT(port, plaintext)                                                                 \
	((port) != 0 ? (port) : (plaintext) ? MQTT_PORT_PLAINTEXT : MQTT_PORT_TLS)

enum mqtt_phase_id {
	MQTT_PH_RESOLVE,
	MQTT_PH_TCP,
	MQTT_PH_TLS,
	MQTT_PH_CONNACK,
	MQTT_PH_SUBSCRIBE,
	MQTT_PH_PUBLISH,
	MQTT_PH_LISTEN,
	MQTT_PH_DISCONNECT,
	MQTT_PH_COUNT
};

#define MQTT_DETAIL_MAX 512
#define MQTT_HINTS_MAX 4

struct mqtt_phase {
	enum mqtt_phase_id id;
	int reached; /* the phase started */
	int ok;      /* and ended well */
	double ms;   /* its duration */
	char detail[MQTT_DETAIL_MAX];
};

struct mqtt_opts {
	const char *host;
	int port;
	const char *ca_file, *ca_path; /* NULL: the system trust store */
	int plaintext;                 /* no TLS at all (explicit, never the default) */
	const char *client_id;
	const char *username;
	const char *password; /* NUL-terminated; the caller wipes it */
	const char *topic;
	const void *payload;
	size_t payload_len;
	int qos;
	const char *listen_topic; /* subscribe to this first, or NULL */
	long listen_ms;           /* wait this long for downlinks after the publish */
	long timeout_ms;          /* bounds everything but the listening */
	int dry_run;              /* resolve and load the trust store only */
	void (*on_phase)(const struct mqtt_phase *ph, void *arg);
	void (*on_message)(const char *topic, const void *payload, size_t len, int qos, void *arg);
	void (*on_puback)(int mid, void *arg); /* a QoS 1 publish acknowledged, or NULL */
	void *arg;
};

struct mqtt_result {
	struct mqtt_phase phase[MQTT_PH_COUNT];
	struct tlsclient_info tls;
	char address[64]; /* "127.0.0.1:8883", the one connected to */
	int connack;      /* CONNACK return code, -1 if none */
	int failed;       /* a phase failed: */
	enum mqtt_phase_id failed_phase;
	long verify_error;              /* OpenSSL X509_V_ERR_*, 0 if none */
	int suback;                     /* granted QoS or 0x80, -1 if none */
	unsigned messages;              /* downlinks received */
	char hint[MQTT_HINTS_MAX][256]; /* what to try, for a person */
	int nhints;
};

/* Phase names for output: "resolve", "tcp", "tls", "connack", ... */
const char *mqtt_phase_name(enum mqtt_phase_id id);

/*
 * Run the session (with o->dry_run: resolve and load the trust store only).
 * 0 when every phase succeeded; else -1, e saying what
 * failed (status AK_NETWORK, AK_TLS, AK_REFUSED, AK_NEGATIVE for a publish
 * not acknowledged, AK_INPUT for a bad CA file, AK_INTERNAL if libmosquitto
 * cannot be loaded) and r telling which phase and the hints.
 */
int mqtt_check(const struct mqtt_opts *o, struct mqtt_result *r, struct err *e);

/*
 * A session kept open (akcred connect): mqtt_session_open() runs the phases
 * of mqtt_check() up to the login and the subscription to o->listen_topic
 * (if any) -- failing with the same diagnosis in r and e -- and keeps the
 * connection; o->topic must be NULL (the caller publishes) and o must
 * outlive the session.  mqtt_session_wait() runs the network for up to
 * timeout_ms (at most a second), returning early when fd (if >= 0) is
 * readable (*fd_ready set); on_message and on_puback are called from it.
 * -1 with e (AK_NETWORK) when the connection is lost.  mqtt_session_close()
 * sends a DISCONNECT first if clean.
 */
struct mqtt_session;
int mqtt_session_open(const struct mqtt_opts *o, struct mqtt_result *r, struct mqtt_session **sp,
		      struct err *e);
/* Queue a publish; *mid is what on_puback will be called with. */
int mqtt_session_publish(struct mqtt_session *s, const char *topic, const void *payload, size_t len,
			 int qos, int *mid, struct err *e);
int mqtt_session_wait(struct mqtt_session *s, int fd, long timeout_ms, int *fd_ready,
		      struct err *e);
void mqtt_session_close(struct mqtt_session *s, int clean);

/* libmosquitto's version as loaded at run time ("2.0.11"), or -1 with e. */
int mqtt_library_version(char *buf, size_t size, struct err *e);

/* The meaning of an MQTT 3.1.1 CONNACK return code. */
const char *mqtt_connack_string(int code);

#endif
