/* mqtt: a device session against a broker, phase by phase (see mqtt.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <mosquitto.h>

#include "dlib.h"
#include "mqtt.h"
#include "netprobe.h"
#include "resolver.h"
#include "timeutil.h"
#include "banned.h"

/* libmosquitto, resolved on first use (see mqtt.h). */
#define MOSQ_FUNCS(X)                                                                              \
	X(mosquitto_lib_init)                                                                      \
	X(mosquitto_lib_version)                                                                   \
	X(mosquitto_new)                                                                           \
	X(mosquitto_destroy)                                                                       \
	X(mosquitto_username_pw_set)                                                               \
	X(mosquitto_connect_bind_async)                                                            \
	X(mosquitto_int_option)                                                                    \
	X(mosquitto_void_option)                                                                   \
	X(mosquitto_loop)                                                                          \
	X(mosquitto_socket)                                                                        \
	X(mosquitto_want_write)                                                                    \
	X(mosquitto_publish)                                                                       \
	X(mosquitto_subscribe)                                                                     \
	X(mosquitto_disconnect)                                                                    \
	X(mosquitto_connect_callback_set)                                                          \
	X(mosquitto_disconnect_callback_set)                                                       \
	X(mosquitto_publish_callback_set)                                                          \
	X(mosquitto_subscribe_callback_set)                                                        \
	X(mosquitto_message_callback_set)                                                          \
	X(mosquitto_log_callback_set)                                                              \
	X(mosquitto_strerror)

MOSQ_FUNCS(DLIB_DECLARE)
static const struct dlib_sym mosq_syms[] = {MOSQ_FUNCS(DLIB_ENTRY){NULL, NULL}};

static int
mosq_init(struct err *e)
{
	if (p_mosquitto_lib_init() != MOSQ_ERR_SUCCESS)
		return err_set(e, AK_INTERNAL, "cannot initialise libmosquitto");
	return 0;
}

/* The Makefile's floor: 2.0, for MOSQ_OPT_SSL_CTX_WITH_DEFAULTS as used below. */
static struct dlib libmosq = DLIB_INIT("libmosquitto", "libmosquitto.so.1", "libmosquitto1",
				       "version 2.0 or newer is needed", mosq_syms, mosq_init);

static int
mqtt_load(struct err *e)
{
	return dlib_load(&libmosq, e);
}

int
mqtt_library_version(char *buf, size_t size, struct err *e)
{
	int major, minor, rev;

	if (mqtt_load(e) != 0)
		return -1;
	p_mosquitto_lib_version(&major, &minor, &rev);
	snprintf(buf, size, "%d.%d.%d", major, minor, rev);
	return 0;
}

const char *
mqtt_phase_name(enum mqtt_phase_id id)
{
	static const char *const names[MQTT_PH_COUNT] = {
		[MQTT_PH_RESOLVE] = "resolve",
		[MQTT_PH_TCP] = "tcp",
		[MQTT_PH_TLS] = "tls",
		[MQTT_PH_CONNACK] = "connack",
		[MQTT_PH_SUBSCRIBE] = "subscribe",
		[MQTT_PH_PUBLISH] = "publish",
		[MQTT_PH_LISTEN] = "listen",
		[MQTT_PH_DISCONNECT] = "disconnect",
	};

	return (unsigned)id < MQTT_PH_COUNT ? names[id] : "?";
}

const char *
mqtt_connack_string(int code)
{
	switch (code) {
	case 0:
		return "connection accepted";
	case 1:
		return "unacceptable protocol version";
	case 2:
		return "client identifier rejected";
	case 3:
		return "server unavailable";
	case 4:
		return "bad user name or password";
	case 5:
		return "not authorised";
	default:
		return "unknown return code";
	}
}

/* Everything one session knows; the callbacks of libmosquitto (and, in tls, OpenSSL) fill it. */
struct mqtt_session {
	const struct mqtt_opts *o;
	struct mqtt_result *r;
	struct err *e;
	double deadline, phase_start;
	struct tlsclient tls; /* unused with plaintext */
	struct mosquitto *mosq;
	struct addrinfo *res;         /* resolved by mqtt_open */
	struct sockaddr_storage addr; /* the address connected to, for the probes */
	socklen_t addrlen;

	int connack_seen, connack_rc, closed;
	int pub_mid, pub_acked, sub_mid, sub_done;
	double end_at; /* when set, the phase ending now really ended then */
	char last_log[256];
};

static long
remaining_ms(const struct mqtt_session *s)
{
	double left = s->deadline - timeutil_now_ms();

	return left <= 0 ? 0 : (long)left + 1;
}

static void
phase_begin(struct mqtt_session *s, enum mqtt_phase_id id, double at)
{
	s->r->phase[id].id = id;
	s->r->phase[id].reached = 1;
	s->phase_start = at;
}

static void __attribute__((format(printf, 4, 5)))
phase_end(struct mqtt_session *s, enum mqtt_phase_id id, int ok, const char *fmt, ...)
{
	struct mqtt_phase *ph = &s->r->phase[id];
	va_list ap;

	ph->ok = ok;
	ph->ms = (s->end_at > 0 ? s->end_at : timeutil_now_ms()) - s->phase_start;
	s->end_at = 0;
	if (ph->ms < 0)
		ph->ms = 0;
	va_start(ap, fmt);
	vsnprintf(ph->detail, sizeof(ph->detail), fmt, ap);
	va_end(ap);
	if (s->o->on_phase != NULL)
		s->o->on_phase(ph, s->o->arg);
}

static void __attribute__((format(printf, 2, 3))) hint(struct mqtt_session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->r->nhints >= MQTT_HINTS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(s->r->hint[s->r->nhints++], sizeof(s->r->hint[0]), fmt, ap);
	va_end(ap);
}

/* End phase id as failed: the message goes to both the phase and e.  Returns -1. */
static int __attribute__((format(printf, 4, 5)))
phase_fail(struct mqtt_session *s, enum mqtt_phase_id id, enum ak_status status, const char *fmt,
	   ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->r->failed = 1;
	s->r->failed_phase = id;
	phase_end(s, id, 0, "%s", msg);
	return err_set(s->e, status, "%s", msg);
}

static const char *
secs(long ms, char *buf, size_t size)
{
	snprintf(buf, size, "%.1fs", (double)ms / 1000.0);
	return buf;
}

/* ---- libmosquitto callbacks ---------------------------------------------- */

static void
on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct mqtt_session *s = obj;

	(void)m;
	s->connack_seen = 1;
	s->connack_rc = rc;
}

static void
on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)rc;
	((struct mqtt_session *)obj)->closed = 1;
}

static void
on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct mqtt_session *s = obj;

	(void)m;
	if (mid == s->pub_mid)
		s->pub_acked = 1;
	if (s->o->on_puback != NULL)
		s->o->on_puback(mid, s->o->arg);
}

static void
on_subscribe(struct mosquitto *m, void *obj, int mid, int count, const int *granted)
{
	struct mqtt_session *s = obj;

	(void)m;
	if (mid == s->sub_mid && count > 0) {
		s->sub_done = 1;
		s->r->suback = granted[0];
	}
}

static void
on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct mqtt_session *s = obj;

	(void)m;
	s->r->messages++;
	if (s->o->on_message != NULL)
		s->o->on_message(msg->topic, msg->payload, (size_t)msg->payloadlen, msg->qos,
				 s->o->arg);
}

static void
on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
	(void)m;
	if (level & MOSQ_LOG_ERR)
		snprintf(((struct mqtt_session *)obj)->last_log,
			 sizeof(((struct mqtt_session *)obj)->last_log), "%s", str);
}

/*
 * ACK what has arrived now, not ~40 ms later.  After the TLS 1.3 handshake
 * the server sends its session tickets and then, as soon as it has read the
 * CONNECT, the CONNACK; a broker with Nagle's algorithm on (mosquitto's
 * default) holds the CONNACK until the tickets are acknowledged, and
 * Linux's delayed ACK waits for data to carry the ACK that never comes.
 * TCP_QUICKACK sends a pending ACK at once but does not stay set, so it is
 * set again after every read.
 */
static void
quick_ack(struct mqtt_session *s)
{
#ifdef TCP_QUICKACK
	int fd = p_mosquitto_socket(s->mosq), on = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on));
#else
	(void)s;
#endif
}

/* Run libmosquitto's loop until *flag is set, the connection is lost or the deadline. */
static int
loop_until(struct mqtt_session *s, const int *flag, double deadline)
{
	double left;
	int rc;

	while (!*flag) {
		left = deadline - timeutil_now_ms();
		if (left <= 0)
			return MOSQ_ERR_KEEPALIVE; /* a stand-in for "timed out" */
		quick_ack(s);
		rc = p_mosquitto_loop(s->mosq, left > 1000 ? 1000 : (int)left + 1, 1);
		quick_ack(s);
		if (*flag)
			break;
		if (rc != MOSQ_ERR_SUCCESS || s->closed)
			return rc != MOSQ_ERR_SUCCESS ? rc : MOSQ_ERR_CONN_LOST;
	}
	return MOSQ_ERR_SUCCESS;
}

/* ---- the phases ---------------------------------------------------------- */

static int
resolve(struct mqtt_session *s, struct addrinfo **res)
{
	const struct mqtt_opts *o = s->o;
	struct addrinfo *ai;
	char list[MQTT_DETAIL_MAX] = "", num[INET6_ADDRSTRLEN], buf[16];
	size_t used = 0;
	int rc, n = 0, err = 0, timed_out;

	phase_begin(s, MQTT_PH_RESOLVE, timeutil_now_ms());
	if (strlen(o->host) >= RESOLVER_HOST_MAX)
		return phase_fail(s, MQTT_PH_RESOLVE, AK_NETWORK,
				  "cannot resolve '%.64s...': too long", o->host);
	rc = resolver_lookup(o->host, o->port, s->deadline, res, &err, &timed_out);
	if (timed_out) {
		hint(s, "check the host name and this machine's DNS settings (/etc/resolv.conf)");
		return phase_fail(s, MQTT_PH_RESOLVE, AK_NETWORK,
				  "cannot resolve '%s': no answer within %s", o->host,
				  secs(o->timeout_ms, buf, sizeof(buf)));
	}
	if (rc != 0) {
		hint(s, "check the spelling of '%s' and that this machine can resolve names",
		     o->host);
		return phase_fail(s, MQTT_PH_RESOLVE, AK_NETWORK, "cannot resolve '%s': %s",
				  o->host, rc == EAI_SYSTEM ? strerror(err) : gai_strerror(rc));
	}
	for (ai = *res; ai != NULL && n < 4; ai = ai->ai_next, n++) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num), NULL, 0,
				NI_NUMERICHOST) != 0)
			continue;
		rc = snprintf(list + used, sizeof(list) - used, "%s%s", used ? " " : "", num);
		if (rc > 0 && (size_t)rc < sizeof(list) - used)
			used += (size_t)rc;
	}
	phase_end(s, MQTT_PH_RESOLVE, 1, "%s", list);
	return 0;
}

/* Why a connection to the address fails now: its errno, 0 if it works. */
static int
connect_errno(const struct mqtt_session *s)
{
	return netprobe_errno((const struct sockaddr *)&s->addr, s->addrlen, s->deadline);
}

static int
tcp_connect(struct mqtt_session *s, struct addrinfo *res)
{
	const struct mqtt_opts *o = s->o;
	struct addrinfo *ai;
	struct pollfd pfd;
	struct sockaddr_storage peer;
	char num[INET6_ADDRSTRLEN], buf[16], last[ERR_MSG_MAX] = "";
	socklen_t len;
	long left;
	int rc, err, refused = 0, tried = 0;

	phase_begin(s, MQTT_PH_TCP, timeutil_now_ms());
	for (ai = res; ai != NULL && tried < 8; ai = ai->ai_next, tried++) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num), NULL, 0,
				NI_NUMERICHOST) != 0)
			continue;
		snprintf(s->r->address, sizeof(s->r->address),
			 ai->ai_family == AF_INET6 ? "[%s]:%d" : "%s:%d", num, o->port);
		memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
		s->addrlen = ai->ai_addrlen;
		errno = 0;
		rc = p_mosquitto_connect_bind_async(s->mosq, num, o->port, 60, NULL);
		err = errno;
		if (rc == MOSQ_ERR_SUCCESS) {
			/* The connection is in progress: wait for it ourselves, to time it. */
			pfd.fd = p_mosquitto_socket(s->mosq);
			pfd.events = POLLOUT;
			/*
			 * libmosquitto closes the socket itself if its first write
			 * failed: refused, or (if a new connection works) reset by the
			 * server right after accepting, which the next phase explains.
			 */
			if (pfd.fd < 0) {
				if ((err = connect_errno(s)) != 0)
					goto failed;
				phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
				return 1;
			}
			if ((left = remaining_ms(s)) <= 0 || poll(&pfd, 1, (int)left) == 0) {
				hint(s,
				     "a firewall may drop the packets to port %d, or the host is "
				     "down",
				     o->port);
				return phase_fail(s, MQTT_PH_TCP, AK_NETWORK,
						  "no answer to the TCP connection to %s within %s",
						  s->r->address,
						  secs(o->timeout_ms, buf, sizeof(buf)));
			}
			/*
			 * libmosquitto already wrote the ClientHello, which may have
			 * consumed the socket's error: getpeername() tells whether the
			 * connection exists, a second attempt what went wrong.
			 */
			len = sizeof(peer);
			if (getpeername(pfd.fd, (struct sockaddr *)&peer, &len) == 0) {
				s->end_at = s->tls.hello_sent_at;
				phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
				return 0;
			}
			/*
			 * No peer any more, yet a new connection works: the server
			 * accepted and already reset it (a plain port answering the
			 * ClientHello); the TLS phase will tell.
			 */
			if ((err = connect_errno(s)) == 0) {
				phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
				return 0;
			}
		} else if (rc == MOSQ_ERR_TLS) {
			/*
			 * On a fast link libmosquitto may run the whole handshake in
			 * the connect call: TCP worked, TLS failed; say so.
			 */
			s->end_at = s->tls.hello_sent_at;
			phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
			return 1;
		} else if (rc != MOSQ_ERR_ERRNO) {
			err = 0;
			snprintf(last, sizeof(last), "%s", p_mosquitto_strerror(rc));
		}
	failed:
		if (err == ECONNREFUSED)
			refused = 1;
		if (err != 0)
			snprintf(last, sizeof(last), "%s", strerror(err));
	}
	if (refused) {
		hint(s,
		     "nothing listens on %s: check --host and --port (akenza: "
		     "mqtt.akenza.io, port 8883), and that the broker runs",
		     s->r->address);
		return phase_fail(s, MQTT_PH_TCP, AK_NETWORK, "connection to %s refused",
				  s->r->address);
	}
	return phase_fail(s, MQTT_PH_TCP, AK_NETWORK, "cannot connect to %s: %s", s->r->address,
			  last[0] ? last : "no usable address");
}

/* Why did the TLS handshake end without a result?  Fills e; returns -1. */
static int
explain_tls(struct mqtt_session *s, int timed_out, double probe_deadline)
{
	const struct mqtt_opts *o = s->o;
	char buf[16], msg[ERR_MSG_MAX], why[sizeof(s->r->hint[0])];

	if (timed_out) {
		hint(s, "is %s a TLS port of an MQTT broker? (akenza: port 8883)", s->r->address);
		return phase_fail(s, MQTT_PH_TLS, AK_NETWORK,
				  "no TLS answer from %s within %s: the server accepted the "
				  "TCP connection but %s",
				  s->r->address, secs(o->timeout_ms, buf, sizeof(buf)),
				  s->tls.server_records ? "did not finish the handshake"
							: "never answered the ClientHello");
	}
	if (tlsclient_explain(&s->tls, o->ca_file != NULL || o->ca_path != NULL, msg, sizeof(msg),
			      why, sizeof(why))) {
		if (why[0] != '\0')
			hint(s, "%s", why);
		return phase_fail(s, MQTT_PH_TLS, AK_TLS, "%s", msg);
	}
	if (netprobe_plain_mqtt((const struct sockaddr *)&s->addr, s->addrlen, probe_deadline)) {
		hint(s, "use the broker's TLS port (akenza: 8883); --plaintext speaks "
			"unencrypted MQTT, and sends the token in clear");
		return phase_fail(s, MQTT_PH_TLS, AK_TLS,
				  "%s speaks plain MQTT, not TLS: it answered an MQTT "
				  "CONNECT, and closed the connection on the TLS ClientHello",
				  s->r->address);
	}
	return phase_fail(s, MQTT_PH_TLS, AK_TLS,
			  "the server closed the connection during the TLS handshake%s%s",
			  s->last_log[0] ? ": " : "", s->last_log);
}

/* Why did the connection end before a CONNACK?  Fills e; returns -1. */
static int
explain_no_connack(struct mqtt_session *s, int rc)
{
	const struct mqtt_opts *o = s->o;
	double probe_deadline = timeutil_now_ms() + 2000;
	char buf[16];
	int timed_out = rc == MOSQ_ERR_KEEPALIVE;

	if (probe_deadline > s->deadline)
		probe_deadline = s->deadline;
	if (!o->plaintext && !s->tls.done)
		return explain_tls(s, timed_out, probe_deadline);
	if (timed_out) {
		hint(s, "the broker may be overloaded, or not an MQTT broker");
		return phase_fail(s, MQTT_PH_CONNACK, AK_NETWORK,
				  "no CONNACK from %s within %s after the CONNECT", s->r->address,
				  secs(o->timeout_ms, buf, sizeof(buf)));
	}
	if (o->plaintext &&
	    netprobe_tls((const struct sockaddr *)&s->addr, s->addrlen, probe_deadline)) {
		hint(s, "leave out --plaintext: this port wants TLS");
		return phase_fail(s, MQTT_PH_CONNACK, AK_TLS,
				  "%s speaks TLS, not plain MQTT: it closed the connection on the "
				  "unencrypted CONNECT and answered a TLS ClientHello",
				  s->r->address);
	}
	hint(s, "brokers close the connection instead of answering 'not authorised' when "
		"they refuse the token, the client id or the user name");
	return phase_fail(s, MQTT_PH_CONNACK, AK_REFUSED,
			  "connection closed by the broker right after CONNECT, without a CONNACK");
}

/* Load the library, build the TLS context, resolve: all the password is not needed for. */
static int
mqtt_open(const struct mqtt_opts *o, struct mqtt_result *r, struct mqtt_session **sp, struct err *e)
{
	struct mqtt_session *s;

	memset(r, 0, sizeof(*r));
	r->connack = -1;
	r->suback = -1;
	if ((*sp = s = calloc(1, sizeof(*s))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	s->o = o;
	s->r = r;
	s->e = e;
	if (!o->plaintext) {
		struct tlsclient_opts to = {o->host, o->ca_file, o->ca_path};

		if (tlsclient_open(&s->tls, &to, &r->tls, e) != 0)
			return -1;
	}
	if (mqtt_load(e) != 0)
		return -1;
	/*
	 * The timeout bounds the network, from resolving on (akcred-check(1)):
	 * loading the trust store and libmosquitto is local work, seconds on a
	 * slow or loaded machine, and must not eat into it.
	 */
	s->deadline = timeutil_now_ms() + (double)o->timeout_ms;
	return resolve(s, &s->res);
}

/* The libmosquitto client: MQTT 3.1.1, our TLS context, our callbacks, the password. */
static int
session_client(struct mqtt_session *s, const char *password)
{
	const struct mqtt_opts *o = s->o;
	int rc;

	if ((s->mosq = p_mosquitto_new(o->client_id, true, s)) == NULL)
		return err_set(s->e, AK_INTERNAL, "cannot make an MQTT client: %s",
			       strerror(errno));
	p_mosquitto_int_option(s->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	p_mosquitto_int_option(s->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (!o->plaintext) {
		/* Our context only: libmosquitto's defaults would replace our verification. */
		p_mosquitto_int_option(s->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
		p_mosquitto_void_option(s->mosq, MOSQ_OPT_SSL_CTX, s->tls.ctx);
	}
	p_mosquitto_connect_callback_set(s->mosq, on_connect);
	p_mosquitto_disconnect_callback_set(s->mosq, on_disconnect);
	p_mosquitto_publish_callback_set(s->mosq, on_publish);
	p_mosquitto_subscribe_callback_set(s->mosq, on_subscribe);
	p_mosquitto_message_callback_set(s->mosq, on_message);
	p_mosquitto_log_callback_set(s->mosq, on_log);
	/*
	 * libmosquitto keeps its own copy of the password (the token) in its
	 * heap and frees it without wiping; the token expires within minutes.
	 */
	if ((rc = p_mosquitto_username_pw_set(s->mosq, o->username, password)) != 0)
		return err_set(s->e, AK_INTERNAL, "cannot set the user name: %s",
			       p_mosquitto_strerror(rc));
	return 0;
}

/*
 * The TLS handshake (from the ClientHello on), then the CONNACK; conn is
 * what tcp_connect() returned: 1 if TLS already failed in the connect call.
 */
static int
session_login(struct mqtt_session *s, int conn)
{
	const struct mqtt_opts *o = s->o;
	char exp[TIMEUTIL_ISO_LEN];
	int rc;

	phase_begin(s, o->plaintext ? MQTT_PH_CONNACK : MQTT_PH_TLS,
		    s->tls.hello_sent_at > 0 ? s->tls.hello_sent_at : timeutil_now_ms());
	if (conn == 1)
		return explain_no_connack(s, MOSQ_ERR_TLS);
	rc = MOSQ_ERR_SUCCESS;
	if (!o->plaintext) {
		rc = loop_until(s, &s->tls.done, s->deadline);
		if (s->tls.done) {
			/*
			 * From the ClientHello to the end of the handshake, not to
			 * when the loop noticed it (which may be inside libmosquitto's
			 * connect call already, on a fast link).
			 */
			if (s->tls.done_at < s->phase_start)
				s->tls.done_at = s->phase_start;
			tlsclient_fill_cert(&s->tls);
			s->end_at = s->tls.done_at;
			phase_end(s, MQTT_PH_TLS, 1,
				  "%s %s, server '%s', issued by '%s', expires %s",
				  s->r->tls.protocol, s->r->tls.cipher, s->r->tls.subject,
				  s->r->tls.issuer, timeutil_iso8601(s->r->tls.not_after, exp));
			phase_begin(s, MQTT_PH_CONNACK, s->tls.done_at);
		}
	}
	if (rc == MOSQ_ERR_SUCCESS)
		rc = loop_until(s, &s->connack_seen, s->deadline);
	if (!s->connack_seen)
		return explain_no_connack(s, rc);
	s->r->connack = s->connack_rc;
	if (s->connack_rc != 0) {
		return phase_fail(s, MQTT_PH_CONNACK, AK_REFUSED,
				  "the broker refused the connection: CONNACK %d, %s",
				  s->connack_rc, mqtt_connack_string(s->connack_rc));
	}
	phase_end(s, MQTT_PH_CONNACK, 1, "accepted, client id '%s', user name '%s'", o->client_id,
		  o->username);
	return 0;
}

/* Subscribe to the downlink topic, before the publish. */
static int
session_subscribe(struct mqtt_session *s)
{
	const struct mqtt_opts *o = s->o;
	int rc;

	phase_begin(s, MQTT_PH_SUBSCRIBE, timeutil_now_ms());
	rc = p_mosquitto_subscribe(s->mosq, &s->sub_mid, o->listen_topic, 1);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = loop_until(s, &s->sub_done, s->deadline);
	if (!s->sub_done)
		return phase_fail(s, MQTT_PH_SUBSCRIBE,
				  rc == MOSQ_ERR_KEEPALIVE ? AK_NETWORK : AK_REFUSED,
				  "no SUBACK for '%s': %s", o->listen_topic,
				  rc == MOSQ_ERR_KEEPALIVE ? "timed out" : "connection closed");
	if (s->r->suback == 0x80)
		return phase_fail(s, MQTT_PH_SUBSCRIBE, AK_REFUSED,
				  "the broker refused the subscription to '%s'", o->listen_topic);
	phase_end(s, MQTT_PH_SUBSCRIBE, 1, "%s, QoS %d granted", o->listen_topic, s->r->suback);
	return 0;
}

static int
session_publish(struct mqtt_session *s)
{
	const struct mqtt_opts *o = s->o;
	char buf[16];
	int rc;

	phase_begin(s, MQTT_PH_PUBLISH, timeutil_now_ms());
	rc = p_mosquitto_publish(s->mosq, &s->pub_mid, o->topic, (int)o->payload_len, o->payload,
				 o->qos, false);
	if (rc != MOSQ_ERR_SUCCESS)
		return phase_fail(s, MQTT_PH_PUBLISH, AK_NEGATIVE, "cannot publish to '%s': %s",
				  o->topic, p_mosquitto_strerror(rc));
	rc = loop_until(s, &s->pub_acked, s->deadline);
	if (!s->pub_acked) {
		if (rc == MOSQ_ERR_KEEPALIVE)
			return phase_fail(s, MQTT_PH_PUBLISH, AK_NEGATIVE,
					  "publish to '%s' not acknowledged within %s", o->topic,
					  secs(o->timeout_ms, buf, sizeof(buf)));
		hint(s,
		     "a device may publish only under /up/device/id/%s (akenza's uplink "
		     "topic); brokers close the connection of a device that publishes "
		     "elsewhere",
		     o->client_id);
		return phase_fail(s, MQTT_PH_PUBLISH, AK_NEGATIVE,
				  "publish to '%s' not acknowledged: the broker closed the "
				  "connection after the PUBLISH",
				  o->topic);
	}
	phase_end(s, MQTT_PH_PUBLISH, 1,
		  o->qos > 0 ? "%s, %zu byte%s, QoS %d, acknowledged"
			     : "%s, %zu byte%s, QoS %d, sent",
		  o->topic, o->payload_len, o->payload_len == 1 ? "" : "s", o->qos);
	return 0;
}

/* Wait for downlinks; the timeout starts again after the listening. */
static int
session_listen(struct mqtt_session *s)
{
	const struct mqtt_opts *o = s->o;
	double listen_end;

	phase_begin(s, MQTT_PH_LISTEN, timeutil_now_ms());
	listen_end = timeutil_now_ms() + (double)o->listen_ms;
	s->deadline = listen_end + (double)o->timeout_ms;
	(void)loop_until(s, &s->closed, listen_end);
	if (s->closed)
		return phase_fail(s, MQTT_PH_LISTEN, AK_NETWORK,
				  "the broker closed the connection while listening");
	phase_end(s, MQTT_PH_LISTEN, 1, "%u downlink message%s", s->r->messages,
		  s->r->messages == 1 ? "" : "s");
	return 0;
}

static int
session_disconnect(struct mqtt_session *s)
{
	phase_begin(s, MQTT_PH_DISCONNECT, timeutil_now_ms());
	p_mosquitto_disconnect(s->mosq);
	(void)loop_until(s, &s->closed, s->deadline);
	if (!s->closed)
		return phase_fail(s, MQTT_PH_DISCONNECT, AK_NETWORK,
				  "the DISCONNECT did not go out within the timeout");
	phase_end(s, MQTT_PH_DISCONNECT, 1, "clean");
	return 0;
}

/* Connect, log in with password, publish, listen, disconnect. */
static int
mqtt_run(struct mqtt_session *s, const char *password, struct err *e)
{
	const struct mqtt_opts *o = s->o;
	struct addrinfo *res = s->res;
	int rc;

	s->e = e;
	s->res = NULL;
	if (session_client(s, password) != 0) {
		freeaddrinfo(res);
		return -1;
	}
	rc = tcp_connect(s, res);
	freeaddrinfo(res);
	if (rc < 0 || session_login(s, rc) != 0)
		return -1;
	if (o->listen_topic != NULL && session_subscribe(s) != 0)
		return -1;
	if (o->topic == NULL) /* mqtt_session_open(): the caller publishes */
		return 0;
	if (session_publish(s) != 0)
		return -1;
	if (o->listen_topic != NULL && o->listen_ms > 0 && session_listen(s) != 0)
		return -1;
	return session_disconnect(s);
}

static void
mqtt_close(struct mqtt_session *s)
{
	if (s == NULL)
		return;
	if (s->mosq != NULL)
		p_mosquitto_destroy(s->mosq);
	/* After libmosquitto, which may hold the context until it is destroyed. */
	tlsclient_close(&s->tls);
	freeaddrinfo(s->res);
	free(s);
}

int
mqtt_check(const struct mqtt_opts *o, struct mqtt_result *r, struct err *e)
{
	struct mqtt_session *s = NULL;
	int rc;

	rc = mqtt_open(o, r, &s, e);
	if (rc == 0 && !o->dry_run)
		rc = mqtt_run(s, o->password, e);
	mqtt_close(s);
	return rc;
}

/* ---- a session kept open (akcred connect) --------------------------------- */

int
mqtt_session_open(const struct mqtt_opts *o, struct mqtt_result *r, struct mqtt_session **sp,
		  struct err *e)
{
	*sp = NULL;
	if (o->topic != NULL || o->dry_run)
		return err_set(e, AK_INTERNAL, "mqtt_session_open: no topic, no dry run");
	if (mqtt_open(o, r, sp, e) == 0 && mqtt_run(*sp, o->password, e) == 0)
		return 0;
	mqtt_session_close(*sp, 0);
	*sp = NULL;
	return -1;
}

int
mqtt_session_publish(struct mqtt_session *s, const char *topic, const void *payload, size_t len,
		     int qos, int *mid, struct err *e)
{
	int rc = p_mosquitto_publish(s->mosq, mid, topic, (int)len, payload, qos, false);

	if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST)
		return err_set(e, AK_NETWORK, "connection lost");
	if (rc != MOSQ_ERR_SUCCESS)
		return err_set(e, AK_INTERNAL, "cannot publish to '%s': %s", topic,
			       p_mosquitto_strerror(rc));
	return 0;
}

int
mqtt_session_wait(struct mqtt_session *s, int fd, long timeout_ms, int *fd_ready, struct err *e)
{
	struct pollfd pfd[2];
	int n = 1, rc;

	*fd_ready = 0;
	pfd[0].fd = p_mosquitto_socket(s->mosq);
	pfd[0].events = POLLIN | (p_mosquitto_want_write(s->mosq) ? POLLOUT : 0);
	pfd[0].revents = 0;
	if (fd >= 0) {
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		n = 2;
	}
	/* At most a second: libmosquitto's keepalive runs in its loop. */
	if (poll(pfd, (nfds_t)n, timeout_ms > 1000 ? 1000 : (int)timeout_ms) < 0 && errno != EINTR)
		return err_set(e, AK_INTERNAL, "poll: %s", strerror(errno));
	if (n == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
		*fd_ready = 1;
	quick_ack(s);
	rc = p_mosquitto_loop(s->mosq, 0, 1);
	quick_ack(s);
	if (s->closed || (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NOMEM))
		return err_set(e, AK_NETWORK, "connection lost: %s",
			       s->last_log[0]
				       ? s->last_log
				       : p_mosquitto_strerror(rc != 0 ? rc : MOSQ_ERR_CONN_LOST));
	return 0;
}

void
mqtt_session_close(struct mqtt_session *s, int clean)
{
	if (s == NULL)
		return;
	if (clean && !s->closed) {
		s->deadline = timeutil_now_ms() + (double)s->o->timeout_ms;
		p_mosquitto_disconnect(s->mosq);
		(void)loop_until(s, &s->closed, s->deadline);
	}
	mqtt_close(s);
}
