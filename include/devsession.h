/*
 * devsession: a long-running device session -- what "akcred connect" runs.
 *
 * On top of mqtt's kept-open session (mqtt.h: the same phases and the same
 * diagnosis as "akcred check"), devsession keeps a device connected for as
 * long as it has something to send:
 *   - lines read from an input descriptor (or, with interval_ms, a generated
 *     message that often) are published at QoS 1 to one topic, in order;
 *     each is kept until its PUBACK arrives and is sent again after a
 *     reconnect (at least once, as QoS 1 promises, never lost);
 *   - with a spool (spool.h) each is written durably before it is sent and
 *     marked when acknowledged, and what a previous run left is sent first;
 *   - before the token expires (devsession_refresh_ms()) the session stops
 *     publishing, waits for the outstanding PUBACKs (at most the timeout),
 *     disconnects and connects again with a freshly minted token: MQTT
 *     cannot change a password in place;
 *   - after a lost connection or a failed connect it waits
 *     devsession_backoff_ms() and tries again; refused logins (AK_REFUSED)
 *     wait longer, and refusals_max of them in a row end the session.
 * The input is read without blocking the network (poll, then one read);
 * reading pauses while DEVSESSION_QUEUE_MAX messages wait.  Events are told
 * through on_event; the module prints nothing.
 */
#ifndef AKCRED_DEVSESSION_H
#define AKCRED_DEVSESSION_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "mqtt.h"

#define DEVSESSION_PAYLOAD_MAX (256 * 1024) /* longer input lines are an error */
#define DEVSESSION_QUEUE_MAX 4096           /* messages waiting before input reading pauses */
#define DEVSESSION_INFLIGHT 64              /* publishes awaiting their PUBACK at once */
/* The refresh margin is a fifth of the lifetime, at most this. */
#define DEVSESSION_MARGIN_MAX_MS 300000L
#define DEVSESSION_BACKOFF_BASE_MS 1000L /* after a lost connection or failed connect */
#define DEVSESSION_BACKOFF_CAP_MS 60000L
#define DEVSESSION_REFUSED_BASE_MS 10000L /* after a refused login */
#define DEVSESSION_REFUSED_CAP_MS 300000L

enum devsession_event_type {
	DEVSESSION_CONNECTED, /* address, exp, refresh_ms */
	DEVSESSION_REFRESH,   /* the token is due: reconnecting (exp: the old one's) */
	DEVSESSION_LOST,      /* the connection was lost: err */
	DEVSESSION_FAILED,    /* a connect failed: err, mqtt (first: the first in a row) */
	DEVSESSION_RETRY,     /* waiting delay_ms before the next connect */
	DEVSESSION_RESENDING, /* count messages not acknowledged are sent again */
	DEVSESSION_SPOOLED,   /* count messages from the spool are sent first */
	DEVSESSION_INPUT_END, /* the input ended: count messages await their PUBACK */
};

struct devsession_event {
	enum devsession_event_type type;
	const char *address;            /* "127.0.0.1:8883" */
	time_t exp;                     /* the token's exp */
	long refresh_ms, delay_ms;      /* CONNECTED: refresh in; RETRY: waiting */
	const struct err *err;          /* LOST, FAILED */
	const struct mqtt_result *mqtt; /* FAILED: phases and hints */
	int first;                      /* FAILED: the first failure since the last connection */
	unsigned long count;            /* RESENDING, SPOOLED, INPUT_END */
	unsigned attempt;               /* FAILED, RETRY: failures in a row */
};

struct devsession_opts {
	struct mqtt_opts mqtt; /* the connection (no topic, no password: set per connect) */
	const char *topic;     /* published to */
	long ttl;              /* token lifetime, seconds */
	int input_fd;          /* lines to publish; -1: none */
	long interval_ms;      /* > 0: publish a generated message this often instead */
	const char *spool_dir; /* or NULL */
	unsigned refusals_max; /* refused logins in a row that end the session */
	/* A token for a connection: *token in sodium memory (sodium_free()d here), exp its exp. */
	int (*mint)(void *arg, char **token, time_t *exp, struct err *e);
	void (*on_event)(const struct devsession_event *ev, void *arg);
	void (*on_message)(const char *topic, const void *payload, size_t len, int qos, void *arg);
	void *arg;
	volatile sig_atomic_t *stop; /* set (by a signal handler): end the session now */
};

struct devsession_stats {
	unsigned long published; /* messages acknowledged */
	unsigned long pending;   /* not acknowledged at the end */
	unsigned long connects, refreshes;
	int stopped; /* ended by *stop */
	int told;    /* the failure returned was told already, as a DEVSESSION_FAILED event */
};

/*
 * Run the session until the input ends and every message is acknowledged
 * (0), or *stop (0, st->stopped set), or a failure that retrying cannot mend:
 * -1 with e (AK_REFUSED after refusals_max refusals; AK_INPUT for bad input
 * or spool; AK_TLS, AK_INPUT, AK_INTERNAL from a connect that cannot work).
 */
int devsession_run(const struct devsession_opts *o, struct devsession_stats *st, struct err *e);

/* When to refresh a token of lifetime_ms, counted from when it was minted. */
long devsession_refresh_ms(long lifetime_ms);
/* The wait before connect number attempt (1, 2, ...) after failures; refused: a refusal. */
long devsession_backoff_ms(unsigned attempt, int refused, unsigned rnd);
/* Whether a connect failing with status ends the session rather than being retried. */
int devsession_fatal(enum ak_status status);

#endif
