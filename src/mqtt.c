/* mqtt: a device session against a broker, phase by phase (see mqtt.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dlib.h"
#include "fileio.h"
#include "mqtt.h"
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
		return err_set(e, AK_CRYPTO, "cannot initialise libmosquitto");
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
	    [MQTT_PH_RESOLVE] = "resolve",     [MQTT_PH_TCP] = "tcp",
	    [MQTT_PH_TLS] = "tls",	       [MQTT_PH_CONNACK] = "connack",
	    [MQTT_PH_SUBSCRIBE] = "subscribe", [MQTT_PH_PUBLISH] = "publish",
	    [MQTT_PH_LISTEN] = "listen",       [MQTT_PH_DISCONNECT] = "disconnect",
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

/* Everything one session knows; the callbacks of libmosquitto and OpenSSL fill it. */
struct mqtt_session {
	const struct mqtt_opts *o;
	struct mqtt_result *r;
	struct err *e;
	double deadline, phase_start;
	SSL_CTX *ctx;
	struct mosquitto *mosq;
	struct addrinfo *res; /* resolved by mqtt_open */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int sni; /* host is a name, sent as SNI */

	int connack_seen, connack_rc, closed;
	int pub_mid, pub_acked, sub_mid, sub_done;
	int tls_done;
	double tls_done_at;
	double hello_sent_at; /* the ClientHello left: the TCP connection was up */
	double end_at;	      /* when set, the phase ending now really ended then */
	unsigned server_records;
	int alert, alert_desc;
	X509 *leaf;
	long verify_err;
	int verify_depth;
	char verify_subject[256], verify_issuer[256];
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

static void __attribute__((format(printf, 2, 3)))
hint(struct mqtt_session *s, const char *fmt, ...)
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

/* ---- resolving, bounded by the deadline -------------------------------- */

/*
 * getaddrinfo() cannot time out, so it runs in a thread of its own that is
 * waited for until the deadline, and abandoned after it (the job is then
 * freed by the thread).  glibc's getaddrinfo_a() would do the same, but its
 * helper thread lingers after the answer, which valgrind reports at exit.
 */
struct gai_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done, abandoned, rc, err;
	char host[256], port[8];
	struct addrinfo *res;
};

static void
gai_job_free(struct gai_job *j)
{
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void *
gai_thread(void *arg)
{
	struct gai_job *j = arg;
	struct addrinfo hints;
	int abandoned;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	j->rc = getaddrinfo(j->host, j->port, &hints, &j->res);
	j->err = errno;
	pthread_mutex_lock(&j->lock);
	j->done = 1;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (abandoned) {
		freeaddrinfo(j->res);
		gai_job_free(j);
	}
	return NULL;
}

/* 0 and *res, or an EAI_* code (EAI_SYSTEM with *err), or EAI_AGAIN with *timed_out. */
static int
resolve_bounded(const char *host, int port, double deadline, struct addrinfo **res, int *err,
		int *timed_out)
{
	struct gai_job *j;
	pthread_condattr_t ca;
	pthread_t tid;
	struct timespec ts;
	double end_ms;
	int rc;

	*res = NULL;
	*timed_out = 0;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return EAI_MEMORY;
	snprintf(j->host, sizeof(j->host), "%s", host);
	snprintf(j->port, sizeof(j->port), "%d", port);
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&tid, NULL, gai_thread, j) != 0) {
		gai_job_free(j);
		return EAI_AGAIN;
	}
	/* The deadline, on the monotonic clock the condition variable uses. */
	end_ms = deadline;
	ts.tv_sec = (time_t)(end_ms / 1000.0);
	ts.tv_nsec = (long)((end_ms - (double)ts.tv_sec * 1000.0) * 1e6);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->lock);
	while (!j->done && pthread_cond_timedwait(&j->cond, &j->lock, &ts) != ETIMEDOUT)
		;
	if (!j->done) {
		j->abandoned = 1;
		pthread_mutex_unlock(&j->lock);
		pthread_detach(tid);
		*timed_out = 1;
		return EAI_AGAIN;
	}
	pthread_mutex_unlock(&j->lock);
	pthread_join(tid, NULL);
	rc = j->rc;
	*err = j->err;
	*res = j->res;
	gai_job_free(j);
	return rc;
}

static int
resolve(struct mqtt_session *s, struct addrinfo **res)
{
	const struct mqtt_opts *o = s->o;
	struct addrinfo *ai;
	char list[MQTT_DETAIL_MAX] = "", num[INET6_ADDRSTRLEN], buf[16];
	size_t used = 0;
	int rc, n = 0, err = 0, timed_out;

	phase_begin(s, MQTT_PH_RESOLVE, timeutil_now_ms());
	if (strlen(o->host) >= 256)
		return phase_fail(s, MQTT_PH_RESOLVE, AK_NETWORK, "cannot resolve '%.64s...': too long",
				  o->host);
	rc = resolve_bounded(o->host, o->port, s->deadline, res, &err, &timed_out);
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

/* ---- TLS: our own context, so that every failure can be explained ------ */

static struct mqtt_session *
session_of(const SSL *ssl)
{
	return SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

static void
name_of(X509_NAME *name, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	buf[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_read(b, buf, (int)size - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mqtt_session *s = session_of(ssl);
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	int depth = X509_STORE_CTX_get_error_depth(x);

	if (depth == 0 && cert != NULL && s->leaf == NULL && X509_up_ref(cert))
		s->leaf = cert;
	/* Keep the first error: the later ones follow from it. */
	if (!ok && s->verify_err == 0) {
		s->verify_err = X509_STORE_CTX_get_error(x);
		s->verify_depth = depth;
		if (cert != NULL) {
			name_of(X509_get_subject_name(cert), s->verify_subject,
				sizeof(s->verify_subject));
			name_of(X509_get_issuer_name(cert), s->verify_issuer,
				sizeof(s->verify_issuer));
		}
	}
	return ok;
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct mqtt_session *s = session_of(ssl);

	(void)ret;
	/*
	 * libmosquitto connects to the numeric address we resolved, and would
	 * send that as the server name: put the host name back, before the
	 * ClientHello is written.
	 */
	if ((where & SSL_CB_HANDSHAKE_START) && s->sni)
		SSL_set_tlsext_host_name((SSL *)ssl, s->o->host);
	/*
	 * Waiting for the ServerHello: the ClientHello was written, so TCP was
	 * up.  On a fast link libmosquitto runs the whole handshake inside its
	 * connect call; this is what still separates the TCP and TLS phases.
	 */
	if ((where & SSL_CB_LOOP) && s->hello_sent_at == 0 &&
	    SSL_get_state(ssl) == TLS_ST_CR_SRVR_HELLO)
		s->hello_sent_at = timeutil_now_ms();
	if ((where & SSL_CB_HANDSHAKE_DONE) && !s->tls_done) {
		s->tls_done = 1;
		s->tls_done_at = timeutil_now_ms();
		snprintf(s->r->tls.protocol, sizeof(s->r->tls.protocol), "%s",
			 SSL_get_version(ssl));
		snprintf(s->r->tls.cipher, sizeof(s->r->tls.cipher), "%s",
			 SSL_get_cipher_name(ssl));
	}
}

static void
msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
       void *arg)
{
	struct mqtt_session *s = arg;
	const unsigned char *p = buf;

	(void)version;
	(void)ssl;
	if (write_p)
		return;
	if (content_type == SSL3_RT_HEADER)
		s->server_records++;
	else if (content_type == SSL3_RT_ALERT && len >= 2 && p[1] != SSL_AD_CLOSE_NOTIFY &&
		 !s->alert) {
		s->alert = 1;
		s->alert_desc = p[1];
	}
}

static int
is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/*
 * --ca-file: read through fileio (a regular file, size capped, the system's
 * reason when it cannot be opened), then every certificate in it added to
 * the trust store.  A file without one is an error, not an empty store.
 */
static int
load_ca_file(SSL_CTX *ctx, const char *path, struct err *e)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	STACK_OF(X509_INFO) *infos;
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio;
	int i, certs = 0, rc = 0;

	if (fileio_read_ex(path, FILEIO_KEY_MAX, 0, &b, e) != 0)
		return err_prefix(e, "cannot load the CA certificates");
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL) {
		fileio_buf_clear(&b);
		return err_openssl(e, AK_CRYPTO, "out of memory");
	}
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	BIO_free(bio);
	fileio_buf_clear(&b);
	if (infos == NULL)
		return err_openssl(e, AK_INPUT, "cannot load the CA certificates '%s'", path);
	for (i = 0; i < sk_X509_INFO_num(infos) && rc == 0; i++) {
		X509_INFO *in = sk_X509_INFO_value(infos, i);

		if (in->x509 != NULL && X509_STORE_add_cert(store, in->x509) != 1)
			rc = err_openssl(e, AK_CRYPTO, "cannot add a certificate of '%s'", path);
		certs += in->x509 != NULL;
		if (rc == 0 && in->crl != NULL && X509_STORE_add_crl(store, in->crl) != 1)
			rc = err_openssl(e, AK_CRYPTO, "cannot add a CRL of '%s'", path);
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	if (rc == 0 && certs == 0)
		rc = err_set(e, AK_INPUT,
			     "cannot load the CA certificates '%s': no PEM certificate in it",
			     path);
	return rc;
}

/* --ca-path: OpenSSL looks in it only during the handshake, and then silently. */
static int
check_ca_path(const char *path, struct err *e)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return err_set(e, AK_INPUT, "cannot use the CA directory '%s': %s", path,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(e, AK_INPUT, "cannot use the CA directory '%s': not a directory",
			       path);
	return 0;
}

static int
tls_context(struct mqtt_session *s)
{
	const struct mqtt_opts *o = s->o;
	X509_VERIFY_PARAM *param;
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return err_openssl(s->e, AK_CRYPTO, "cannot make a TLS context");
	s->ctx = ctx;
	SSL_CTX_set_app_data(ctx, s);
	/* akenza: TLS 1.2 or newer, the server verified, its name checked; no way around it. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_info_callback(ctx, info_cb);
	SSL_CTX_set_msg_callback(ctx, msg_cb);
	SSL_CTX_set_msg_callback_arg(ctx, s);
	param = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (is_ip_literal(o->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, o->host) != 1)
			return err_openssl(s->e, AK_CRYPTO, "cannot set the address to verify");
	} else {
		s->sni = 1;
		if (X509_VERIFY_PARAM_set1_host(param, o->host, 0) != 1)
			return err_openssl(s->e, AK_CRYPTO, "cannot set the host name to verify");
	}
	if (o->ca_file != NULL && load_ca_file(ctx, o->ca_file, s->e) != 0)
		return -1;
	if (o->ca_path != NULL && check_ca_path(o->ca_path, s->e) != 0)
		return -1;
	if (o->ca_path != NULL && SSL_CTX_load_verify_locations(ctx, NULL, o->ca_path) != 1)
		return err_openssl(s->e, AK_INPUT, "cannot use the CA directory '%s'", o->ca_path);
	if (o->ca_file == NULL && o->ca_path == NULL && SSL_CTX_set_default_verify_paths(ctx) != 1)
		return err_openssl(s->e, AK_INPUT, "cannot load the system trust store");
	return 0;
}

static void
tls_fill_cert(struct mqtt_session *s)
{
	struct mqtt_tls_info *t = &s->r->tls;
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	struct tm tm;
	size_t used = 0;
	int i, n;
	char ip[INET6_ADDRSTRLEN];

	if (s->leaf == NULL)
		return;
	t->have_cert = 1;
	name_of(X509_get_subject_name(s->leaf), t->subject, sizeof(t->subject));
	name_of(X509_get_issuer_name(s->leaf), t->issuer, sizeof(t->issuer));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(s->leaf), &tm) == 1)
		t->not_after = timegm(&tm);
	if (ASN1_TIME_to_tm(X509_get0_notBefore(s->leaf), &tm) == 1)
		t->not_before = timegm(&tm);
	gens = X509_get_ext_d2i(s->leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS)
			n = snprintf(t->names + used, sizeof(t->names) - used, "%s%.*s",
				     used ? ", " : "", ASN1_STRING_length(g->d.dNSName),
				     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD &&
			 inet_ntop(ASN1_STRING_length(g->d.iPAddress) == 4 ? AF_INET : AF_INET6,
				   ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip)) != NULL)
			n = snprintf(t->names + used, sizeof(t->names) - used, "%s%s",
				     used ? ", " : "", ip);
		else
			continue;
		if (n > 0 && (size_t)n < sizeof(t->names) - used)
			used += (size_t)n;
	}
	GENERAL_NAMES_free(gens);
	if (used == 0)
		snprintf(t->names, sizeof(t->names), "%s (subject only, no alternative names)",
			 t->subject);
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
		snprintf(((struct mqtt_session *)obj)->last_log, sizeof(((struct mqtt_session *)obj)->last_log),
			 "%s", str);
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
		rc = p_mosquitto_loop(s->mosq, left > 1000 ? 1000 : (int)left + 1, 1);
		if (*flag)
			break;
		if (rc != MOSQ_ERR_SUCCESS || s->closed)
			return rc != MOSQ_ERR_SUCCESS ? rc : MOSQ_ERR_CONN_LOST;
	}
	return MOSQ_ERR_SUCCESS;
}

/* ---- diagnostic probes: what does this port speak? ----------------------- */

static int
probe_connect(const struct mqtt_session *s, double deadline)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, left;

	fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		left = (int)(deadline - timeutil_now_ms());
		if (left <= 0 || poll(&pfd, 1, left) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Why a connection to the address fails: its errno (0 if it works now). */
static int
probe_errno(const struct mqtt_session *s)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, left;

	fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) != 0) {
		err = errno;
		if (err == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			left = (int)(s->deadline - timeutil_now_ms());
			err = ETIMEDOUT;
			if (left > 0 && poll(&pfd, 1, left) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
		}
	}
	close(fd);
	return err;
}

/* Does the port answer a plain MQTT CONNECT (without credentials) with a CONNACK? */
static int
probe_plain_mqtt(const struct mqtt_session *s, double deadline)
{
	static const unsigned char connect_pkt[] = {
	    0x10, 24,				   /* CONNECT, remaining length */
	    0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, /* MQTT 3.1.1 */
	    0x02, 0x00, 0x0a,			   /* clean session, keepalive 10 s */
	    0x00, 0x0c, 'a', 'k', 'c', 'r', 'e', 'd', '-', 'p', 'r', 'o', 'b', 'e',
	};
	unsigned char buf[4];
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int fd, left, yes = 0;

	if ((fd = probe_connect(s, deadline)) < 0)
		return 0;
	if (send(fd, connect_pkt, sizeof(connect_pkt), MSG_NOSIGNAL) != (ssize_t)sizeof(connect_pkt))
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < 2 && (left = (int)(deadline - timeutil_now_ms())) > 0 && poll(&pfd, 1, left) == 1) {
		if ((n = recv(fd, buf + got, sizeof(buf) - got, 0)) <= 0)
			break;
		got += (size_t)n;
	}
	yes = got >= 2 && buf[0] == 0x20 && buf[1] == 0x02;
out:
	close(fd);
	return yes;
}

static void
probe_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
	     void *arg)
{
	(void)version;
	(void)buf;
	(void)len;
	(void)ssl;
	/* A parsed handshake message or alert from the server: it speaks TLS. */
	if (!write_p && (content_type == SSL3_RT_HANDSHAKE || content_type == SSL3_RT_ALERT))
		(*(int *)arg)++;
}

/* Does the port answer a TLS ClientHello with TLS? */
static int
probe_tls(const struct mqtt_session *s, double deadline)
{
	struct pollfd pfd;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	int fd, rc, left, tls_msgs = 0;

	if ((fd = probe_connect(s, deadline)) < 0)
		return 0;
	/*
	 * Only the server's first answer is looked at, to tell a TLS port from
	 * another; nothing is sent but the handshake, so not verifying the
	 * certificate here exposes nothing.
	 */
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL || (ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(ssl, fd) != 1)
		goto out;
	SSL_set_msg_callback(ssl, probe_msg_cb);
	SSL_set_msg_callback_arg(ssl, &tls_msgs);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((rc = SSL_connect(ssl)) != 1 && tls_msgs == 0 &&
	       SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ &&
	       (left = (int)(deadline - timeutil_now_ms())) > 0 && poll(&pfd, 1, left) == 1)
		;
	if (rc == 1)
		tls_msgs++;
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return tls_msgs > 0;
}

/* ---- the phases ---------------------------------------------------------- */

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
				if ((err = probe_errno(s)) != 0)
					goto failed;
				phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
				return 1;
			}
			if ((left = remaining_ms(s)) <= 0 || poll(&pfd, 1, (int)left) == 0) {
				hint(s, "a firewall may drop the packets to port %d, or the host is "
					"down", o->port);
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
				s->end_at = s->hello_sent_at;
				phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
				return 0;
			}
			/*
			 * No peer any more, yet a new connection works: the server
			 * accepted and already reset it (a plain port answering the
			 * ClientHello); the TLS phase will tell.
			 */
			if ((err = probe_errno(s)) == 0) {
				phase_end(s, MQTT_PH_TCP, 1, "%s", s->r->address);
				return 0;
			}
		} else if (rc == MOSQ_ERR_TLS) {
			/*
			 * On a fast link libmosquitto may run the whole handshake in
			 * the connect call: TCP worked, TLS failed; say so.
			 */
			s->end_at = s->hello_sent_at;
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
		hint(s, "nothing listens on %s: check --host and --port (akenza: "
			"mqtt.akenza.io, port 8883), and that the broker runs",
		     s->r->address);
		return phase_fail(s, MQTT_PH_TCP, AK_NETWORK, "connection to %s refused",
				  s->r->address);
	}
	return phase_fail(s, MQTT_PH_TCP, AK_NETWORK, "cannot connect to %s: %s", s->r->address,
			  last[0] ? last : "no usable address");
}

static void
verify_hints(struct mqtt_session *s)
{
	const struct mqtt_opts *o = s->o;
	char when[TIMEUTIL_ISO_LEN];

	switch (s->verify_err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		hint(s, "connect with a name the certificate lists (--host), or have the broker's "
			"certificate issued for '%s'",
		     o->host);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		if (o->ca_file != NULL || o->ca_path != NULL)
			hint(s, "the CA certificates given (--ca-file/--ca-path) did not issue this "
				"certificate: give the CA that did");
		else
			hint(s, "the system trust store does not know its issuer: give the broker's "
				"CA certificate with --ca-file FILE");
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		hint(s, "the broker must renew its certificate, or this machine's clock is wrong "
			"(it says %s)",
		     timeutil_iso8601(time(NULL), when));
		break;
	default:
		break;
	}
}

/* Why did the connection end before a CONNACK?  Fills e; returns -1. */
static int
explain_no_connack(struct mqtt_session *s, int rc)
{
	const struct mqtt_opts *o = s->o;
	double probe_deadline = timeutil_now_ms() + 2000;
	char buf[16], when[TIMEUTIL_ISO_LEN];
	int timed_out = rc == MOSQ_ERR_KEEPALIVE;

	if (probe_deadline > s->deadline)
		probe_deadline = s->deadline;
	if (!o->plaintext && !s->tls_done) {
		if (timed_out) {
			hint(s, "is %s a TLS port of an MQTT broker? (akenza: port 8883)",
			     s->r->address);
			return phase_fail(s, MQTT_PH_TLS, AK_NETWORK,
					  "no TLS answer from %s within %s: the server accepted the "
					  "TCP connection but %s",
					  s->r->address, secs(o->timeout_ms, buf, sizeof(buf)),
					  s->server_records ? "did not finish the handshake"
							    : "never answered the ClientHello");
		}
		if (s->verify_err != 0) {
			verify_hints(s);
			tls_fill_cert(s);
			if (s->verify_err == X509_V_ERR_HOSTNAME_MISMATCH ||
			    s->verify_err == X509_V_ERR_IP_ADDRESS_MISMATCH)
				return phase_fail(s, MQTT_PH_TLS, AK_TLS,
						  "server certificate rejected: it is for %s, not for "
						  "'%s' (%s)",
						  s->r->tls.names, o->host,
						  X509_verify_cert_error_string(s->verify_err));
			if (s->verify_err == X509_V_ERR_CERT_HAS_EXPIRED)
				return phase_fail(
				    s, MQTT_PH_TLS, AK_TLS,
				    "server certificate rejected: %s: '%s' expired on %s",
				    X509_verify_cert_error_string(s->verify_err), s->verify_subject,
				    timeutil_iso8601(s->r->tls.not_after, when));
			return phase_fail(s, MQTT_PH_TLS, AK_TLS,
					  "server certificate rejected: %s (certificate '%s', issued "
					  "by '%s')",
					  X509_verify_cert_error_string(s->verify_err),
					  s->verify_subject, s->verify_issuer);
		}
		if (s->alert) {
			if (s->alert_desc == SSL_AD_PROTOCOL_VERSION ||
			    s->alert_desc == SSL_AD_HANDSHAKE_FAILURE ||
			    s->alert_desc == SSL_AD_INSUFFICIENT_SECURITY)
				hint(s, "the server may offer only TLS versions or ciphers older than "
					"TLS 1.2, which akenza does not use");
			return phase_fail(s, MQTT_PH_TLS, AK_TLS,
					  "the server refused the TLS handshake with the alert '%s'",
					  SSL_alert_desc_string_long(s->alert_desc));
		}
		if (probe_plain_mqtt(s, probe_deadline)) {
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
	if (timed_out) {
		hint(s, "the broker may be overloaded, or not an MQTT broker");
		return phase_fail(s, MQTT_PH_CONNACK, AK_NETWORK,
				  "no CONNACK from %s within %s after the CONNECT", s->r->address,
				  secs(o->timeout_ms, buf, sizeof(buf)));
	}
	if (o->plaintext && probe_tls(s, probe_deadline)) {
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
mqtt_open(const struct mqtt_opts *o, struct mqtt_result *r, struct mqtt_session **sp,
	  struct err *e)
{
	struct mqtt_session *s;

	memset(r, 0, sizeof(*r));
	r->connack = -1;
	r->suback = -1;
	if ((*sp = s = calloc(1, sizeof(*s))) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	s->o = o;
	s->r = r;
	s->e = e;
	if (!o->plaintext && tls_context(s) != 0)
		return -1;
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

/* Connect, log in with password, publish, listen, disconnect. */
static int
mqtt_run(struct mqtt_session *s, const char *password, struct err *e)
{
	const struct mqtt_opts *o = s->o;
	struct addrinfo *res = s->res;
	char buf[16], exp[TIMEUTIL_ISO_LEN];
	double listen_end;
	int rc;

	s->e = e;
	s->res = NULL;
	if ((s->mosq = p_mosquitto_new(o->client_id, true, s)) == NULL) {
		freeaddrinfo(res);
		return err_set(s->e, AK_CRYPTO, "cannot make an MQTT client: %s", strerror(errno));
	}
	p_mosquitto_int_option(s->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	p_mosquitto_int_option(s->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (!o->plaintext) {
		/* Our context only: libmosquitto's defaults would replace our verification. */
		p_mosquitto_int_option(s->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
		p_mosquitto_void_option(s->mosq, MOSQ_OPT_SSL_CTX, s->ctx);
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
	if ((rc = p_mosquitto_username_pw_set(s->mosq, o->username, password)) != 0) {
		freeaddrinfo(res);
		return err_set(s->e, AK_CRYPTO, "cannot set the user name: %s",
			       p_mosquitto_strerror(rc));
	}

	rc = tcp_connect(s, res);
	freeaddrinfo(res);
	if (rc < 0)
		return -1;

	/* TLS handshake (from the ClientHello on), then CONNACK. */
	phase_begin(s, o->plaintext ? MQTT_PH_CONNACK : MQTT_PH_TLS,
		    s->hello_sent_at > 0 ? s->hello_sent_at : timeutil_now_ms());
	if (rc == 1)
		return explain_no_connack(s, MOSQ_ERR_TLS);
	rc = MOSQ_ERR_SUCCESS;
	if (!o->plaintext) {
		rc = loop_until(s, &s->tls_done, s->deadline);
		if (s->tls_done) {
			/*
			 * From the ClientHello to the end of the handshake, not to
			 * when the loop noticed it (which may be inside libmosquitto's
			 * connect call already, on a fast link).
			 */
			if (s->tls_done_at < s->phase_start)
				s->tls_done_at = s->phase_start;
			tls_fill_cert(s);
			s->end_at = s->tls_done_at;
			phase_end(s, MQTT_PH_TLS, 1, "%s %s, server '%s', issued by '%s', expires %s",
				  s->r->tls.protocol, s->r->tls.cipher, s->r->tls.subject,
				  s->r->tls.issuer, timeutil_iso8601(s->r->tls.not_after, exp));
			phase_begin(s, MQTT_PH_CONNACK, s->tls_done_at);
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
	phase_end(s, MQTT_PH_CONNACK, 1, "accepted, client id '%s', user name '%s'",
		  o->client_id, o->username);

	if (o->listen_topic != NULL) {
		phase_begin(s, MQTT_PH_SUBSCRIBE, timeutil_now_ms());
		rc = p_mosquitto_subscribe(s->mosq, &s->sub_mid, o->listen_topic, 1);
		if (rc == MOSQ_ERR_SUCCESS)
			rc = loop_until(s, &s->sub_done, s->deadline);
		if (!s->sub_done)
			return phase_fail(s, MQTT_PH_SUBSCRIBE,
					  rc == MOSQ_ERR_KEEPALIVE ? AK_NETWORK : AK_REFUSED,
					  "no SUBACK for '%s': %s", o->listen_topic,
					  rc == MOSQ_ERR_KEEPALIVE ? "timed out"
								   : "connection closed");
		if (s->r->suback == 0x80)
			return phase_fail(s, MQTT_PH_SUBSCRIBE, AK_REFUSED,
					  "the broker refused the subscription to '%s'",
					  o->listen_topic);
		phase_end(s, MQTT_PH_SUBSCRIBE, 1, "%s, QoS %d granted", o->listen_topic,
			  s->r->suback);
	}

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
		hint(s, "a device may publish only under /up/device/id/%s (akenza's uplink "
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

	if (o->listen_topic != NULL && o->listen_ms > 0) {
		phase_begin(s, MQTT_PH_LISTEN, timeutil_now_ms());
		listen_end = timeutil_now_ms() + (double)o->listen_ms;
		s->deadline = listen_end + (double)o->timeout_ms;
		rc = loop_until(s, &s->closed, listen_end);
		if (s->closed)
			return phase_fail(s, MQTT_PH_LISTEN, AK_NETWORK,
					  "the broker closed the connection while listening");
		phase_end(s, MQTT_PH_LISTEN, 1, "%u downlink message%s", s->r->messages,
			  s->r->messages == 1 ? "" : "s");
	}

	phase_begin(s, MQTT_PH_DISCONNECT, timeutil_now_ms());
	p_mosquitto_disconnect(s->mosq);
	rc = loop_until(s, &s->closed, s->deadline);
	if (!s->closed)
		return phase_fail(s, MQTT_PH_DISCONNECT, AK_NETWORK,
				  "the DISCONNECT did not go out within the timeout");
	phase_end(s, MQTT_PH_DISCONNECT, 1, "clean");
	return 0;
}

static void
mqtt_close(struct mqtt_session *s)
{
	if (s == NULL)
		return;
	if (s->mosq != NULL)
		p_mosquitto_destroy(s->mosq);
	/* After libmosquitto, which may hold the context until it is destroyed. */
	SSL_CTX_free(s->ctx);
	X509_free(s->leaf);
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
