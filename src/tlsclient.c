/* tlsclient: a TLS client context that records why a handshake failed (see tlsclient.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "fileio.h"
#include "key.h"
#include "timeutil.h"
#include "tlsclient.h"
#include "banned.h"

static struct tlsclient *
client_of(const SSL *ssl)
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
	struct tlsclient *t = client_of(ssl);
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	int depth = X509_STORE_CTX_get_error_depth(x);

	if (depth == 0 && cert != NULL && t->leaf == NULL && X509_up_ref(cert))
		t->leaf = cert;
	/* Keep the first error: the later ones follow from it. */
	if (!ok && t->verify_err == 0) {
		t->verify_err = X509_STORE_CTX_get_error(x);
		t->verify_depth = depth;
		if (cert != NULL) {
			name_of(X509_get_subject_name(cert), t->verify_subject,
				sizeof(t->verify_subject));
			name_of(X509_get_issuer_name(cert), t->verify_issuer,
				sizeof(t->verify_issuer));
		}
	}
	return ok;
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct tlsclient *t = client_of(ssl);

	(void)ret;
	/*
	 * libmosquitto connects to the numeric address we resolved, and would
	 * send that as the server name: put the host name back, before the
	 * ClientHello is written.
	 */
	if ((where & SSL_CB_HANDSHAKE_START) && t->sni)
		SSL_set_tlsext_host_name((SSL *)ssl, t->host);
	/*
	 * Waiting for the ServerHello: the ClientHello was written, so TCP was
	 * up.  On a fast link libmosquitto runs the whole handshake inside its
	 * connect call; this is what still separates the TCP and TLS phases.
	 */
	if ((where & SSL_CB_LOOP) && t->hello_sent_at == 0 &&
	    SSL_get_state(ssl) == TLS_ST_CR_SRVR_HELLO)
		t->hello_sent_at = timeutil_now_ms();
	if ((where & SSL_CB_HANDSHAKE_DONE) && !t->done) {
		t->done = 1;
		t->done_at = timeutil_now_ms();
		snprintf(t->info->protocol, sizeof(t->info->protocol), "%s", SSL_get_version(ssl));
		snprintf(t->info->cipher, sizeof(t->info->cipher), "%s", SSL_get_cipher_name(ssl));
	}
}

static void
msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
	struct tlsclient *t = arg;
	const unsigned char *p = buf;

	(void)version;
	(void)ssl;
	if (write_p)
		return;
	if (content_type == SSL3_RT_HEADER)
		t->server_records++;
	else if (content_type == SSL3_RT_ALERT && len >= 2 && p[1] != SSL_AD_CLOSE_NOTIFY &&
		 !t->alert) {
		t->alert = 1;
		t->alert_desc = p[1];
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
	STACK_OF(X509_INFO) * infos;
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio;
	int i, certs = 0, rc = 0;

	if (fileio_read_ex(path, FILEIO_KEY_MAX, 0, &b, e) != 0)
		return err_prefix(e, "cannot load the CA certificates");
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL) {
		fileio_buf_clear(&b);
		return err_openssl(e, AK_INTERNAL, "out of memory");
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

/*
 * The trust store last built from a --ca-file or the system store, kept for
 * the next context: a batch check makes a context per device, and parsing the
 * certificates is most of what making one costs.  A file's store is used
 * again only while the file is the same one, unchanged (device, inode, size,
 * modification time); stores are shared read-only (X509_STORE has its own
 * lock and reference count).  A --ca-path store is not kept: OpenSSL adds to
 * it while it verifies.
 */
static struct {
	pthread_mutex_t mu;
	int system; /* the system store: no file */
	char path[4096];
	struct stat st;
	X509_STORE *store;
} ca_cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Give ctx the kept store for path (NULL: the system's, st unused) if it is still good. */
static int
ca_cache_take(SSL_CTX *ctx, const char *path, const struct stat *st)
{
	int hit;

	pthread_mutex_lock(&ca_cache.mu);
	hit = ca_cache.store != NULL &&
	      (path == NULL ? ca_cache.system
			    : !ca_cache.system && strcmp(ca_cache.path, path) == 0 &&
				      same_file(&ca_cache.st, st)) &&
	      X509_STORE_up_ref(ca_cache.store) == 1;
	if (hit)
		SSL_CTX_set_cert_store(ctx, ca_cache.store); /* takes the reference */
	pthread_mutex_unlock(&ca_cache.mu);
	return hit;
}

/* Keep ctx's store, just built for path (NULL: the system's), for the next context. */
static void
ca_cache_keep(SSL_CTX *ctx, const char *path, const struct stat *st)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);

	if (X509_STORE_up_ref(store) != 1)
		return;
	pthread_mutex_lock(&ca_cache.mu);
	X509_STORE_free(ca_cache.store);
	ca_cache.store = store;
	ca_cache.system = path == NULL;
	snprintf(ca_cache.path, sizeof(ca_cache.path), "%s", path != NULL ? path : "");
	if (st != NULL)
		ca_cache.st = *st;
	pthread_mutex_unlock(&ca_cache.mu);
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

/* The trust anchors of o into ctx's store: the kept store, or built (and kept). */
static int
load_trust(SSL_CTX *ctx, const struct tlsclient_opts *o, struct err *e)
{
	struct stat st;
	int known;

	if (o->ca_path != NULL) {
		if (o->ca_file != NULL && load_ca_file(ctx, o->ca_file, e) != 0)
			return -1;
		if (check_ca_path(o->ca_path, e) != 0)
			return -1;
		if (SSL_CTX_load_verify_locations(ctx, NULL, o->ca_path) != 1)
			return err_openssl(e, AK_INPUT, "cannot use the CA directory '%s'",
					   o->ca_path);
		return 0;
	}
	/* Its identity before it is read: a file changed meanwhile is read again next time. */
	known = o->ca_file == NULL ||
		(strlen(o->ca_file) < sizeof(ca_cache.path) && stat(o->ca_file, &st) == 0);
	if (known && ca_cache_take(ctx, o->ca_file, &st))
		return 0;
	if (o->ca_file != NULL) {
		if (load_ca_file(ctx, o->ca_file, e) != 0)
			return -1;
		if (known)
			ca_cache_keep(ctx, o->ca_file, &st);
		return 0;
	}
	if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		return err_openssl(e, AK_INPUT, "cannot load the system trust store");
	ca_cache_keep(ctx, NULL, NULL);
	return 0;
}

int
tlsclient_open(struct tlsclient *t, const struct tlsclient_opts *o, struct tlsclient_info *info,
	       struct err *e)
{
	X509_VERIFY_PARAM *param;
	SSL_CTX *ctx;

	t->host = o->host;
	t->info = info;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return err_openssl(e, AK_CRYPTO, "cannot make a TLS context");
	t->ctx = ctx;
	SSL_CTX_set_app_data(ctx, t);
	/* akenza: TLS 1.2 or newer, the server verified, its name checked; no way around it. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_info_callback(ctx, info_cb);
	SSL_CTX_set_msg_callback(ctx, msg_cb);
	SSL_CTX_set_msg_callback_arg(ctx, t);
	param = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (is_ip_literal(o->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, o->host) != 1)
			return err_openssl(e, AK_CRYPTO, "cannot set the address to verify");
	} else {
		t->sni = 1;
		if (X509_VERIFY_PARAM_set1_host(param, o->host, 0) != 1)
			return err_openssl(e, AK_CRYPTO, "cannot set the host name to verify");
	}
	return load_trust(ctx, o, e);
}

void
tlsclient_fill_cert(struct tlsclient *t)
{
	struct tlsclient_info *inf = t->info;
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	size_t used = 0;
	int i, n;
	char ip[INET6_ADDRSTRLEN];

	if (t->leaf == NULL)
		return;
	inf->have_cert = 1;
	name_of(X509_get_subject_name(t->leaf), inf->subject, sizeof(inf->subject));
	name_of(X509_get_issuer_name(t->leaf), inf->issuer, sizeof(inf->issuer));
	(void)key_asn1_time(X509_get0_notAfter(t->leaf), &inf->not_after);
	(void)key_asn1_time(X509_get0_notBefore(t->leaf), &inf->not_before);
	gens = X509_get_ext_d2i(t->leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS)
			n = snprintf(inf->names + used, sizeof(inf->names) - used, "%s%.*s",
				     used ? ", " : "", ASN1_STRING_length(g->d.dNSName),
				     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD &&
			 inet_ntop(ASN1_STRING_length(g->d.iPAddress) == 4 ? AF_INET : AF_INET6,
				   ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof(ip)) != NULL)
			n = snprintf(inf->names + used, sizeof(inf->names) - used, "%s%s",
				     used ? ", " : "", ip);
		else
			continue;
		if (n > 0 && (size_t)n < sizeof(inf->names) - used)
			used += (size_t)n;
	}
	GENERAL_NAMES_free(gens);
	if (used == 0)
		snprintf(inf->names, sizeof(inf->names), "%s (subject only, no alternative names)",
			 inf->subject);
}

/* What to try after a verification failure; "" when nothing specific helps. */
static void
verify_hint(const struct tlsclient *t, int own_ca, char *hint, size_t size)
{
	char when[TIMEUTIL_ISO_LEN];

	switch (t->verify_err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(hint, size,
			 "connect with a name the certificate lists (--host), or have the broker's "
			 "certificate issued for '%s'",
			 t->host);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		if (own_ca)
			snprintf(hint, size,
				 "the CA certificates given (--ca-file/--ca-path) did not issue "
				 "this certificate: give the CA that did");
		else
			snprintf(hint, size,
				 "the system trust store does not know its issuer: give the "
				 "broker's CA certificate with --ca-file FILE");
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(hint, size,
			 "the broker must renew its certificate, or this machine's clock is wrong "
			 "(it says %s)",
			 timeutil_iso8601(time(NULL), when));
		break;
	default:
		break;
	}
}

int
tlsclient_explain(struct tlsclient *t, int own_ca, char *msg, size_t msize, char *hint,
		  size_t hsize)
{
	char when[TIMEUTIL_ISO_LEN];
	const char *why;

	hint[0] = '\0';
	if (t->verify_err != 0) {
		verify_hint(t, own_ca, hint, hsize);
		tlsclient_fill_cert(t);
		why = X509_verify_cert_error_string(t->verify_err);
		if (t->verify_err == X509_V_ERR_HOSTNAME_MISMATCH ||
		    t->verify_err == X509_V_ERR_IP_ADDRESS_MISMATCH)
			snprintf(msg, msize,
				 "server certificate rejected: it is for %s, not for '%s' (%s)",
				 t->info->names, t->host, why);
		else if (t->verify_err == X509_V_ERR_CERT_HAS_EXPIRED)
			snprintf(msg, msize, "server certificate rejected: %s: '%s' expired on %s",
				 why, t->verify_subject,
				 timeutil_iso8601(t->info->not_after, when));
		else
			snprintf(msg, msize,
				 "server certificate rejected: %s (certificate '%s', issued by "
				 "'%s')",
				 why, t->verify_subject, t->verify_issuer);
		return 1;
	}
	if (t->alert) {
		if (t->alert_desc == SSL_AD_PROTOCOL_VERSION ||
		    t->alert_desc == SSL_AD_HANDSHAKE_FAILURE ||
		    t->alert_desc == SSL_AD_INSUFFICIENT_SECURITY)
			snprintf(hint, hsize,
				 "the server may offer only TLS versions or ciphers older than "
				 "TLS 1.2, which akenza does not use");
		snprintf(msg, msize, "the server refused the TLS handshake with the alert '%s'",
			 SSL_alert_desc_string_long(t->alert_desc));
		return 1;
	}
	return 0;
}

void
tlsclient_close(struct tlsclient *t)
{
	SSL_CTX_free(t->ctx);
	X509_free(t->leaf);
	t->ctx = NULL;
	t->leaf = NULL;
}
