/*
 * tlsclient: the TLS client context of a connection to a broker, built so
 * that every failure can be explained.
 *
 * TLS 1.2 or newer, the peer always verified and its name (or address)
 * checked, with no option to turn that off: akenza's rule.  The trust anchors
 * are a --ca-file (read through fileio; a file without a certificate is an
 * error, not an empty store), a --ca-path directory, or the system store.
 *
 * The context's callbacks record, in struct tlsclient, what a handshake
 * showed: the first verification error and the certificate it was about,
 * the server's certificate, alerts, how many records the server sent, when
 * the ClientHello left and when the handshake ended.  A connection made by
 * another library (libmosquitto, given the context) is explained from that
 * afterwards: tlsclient_explain().  The host name is sent as SNI, also when
 * the connection is made to a numeric address.
 *
 * The trust store built for a --ca-file, or the system's, is kept and shared
 * (read-only, by reference) by the contexts opened after it, from any thread,
 * while the file is the same and unchanged: a batch of devices parses its CA
 * certificates once, not once per device.
 */
#ifndef AKCRED_TLSCLIENT_H
#define AKCRED_TLSCLIENT_H

#include <stddef.h>
#include <time.h>

#include "err.h"

struct ssl_ctx_st; /* OpenSSL's SSL_CTX */
struct x509_st;    /* OpenSSL's X509 */

/* The handshake and the server's certificate, for people. */
struct tlsclient_info {
	char protocol[16];
	char cipher[64];
	char subject[256];
	char issuer[256];
	char names[320]; /* the DNS names and addresses the certificate is for */
	time_t not_before, not_after;
	int have_cert;
};

struct tlsclient_opts {
	const char *host;              /* the name (or address) the certificate must be for */
	const char *ca_file, *ca_path; /* NULL: the system trust store */
};

struct tlsclient {
	struct ssl_ctx_st *ctx;      /* the context, for the library that connects */
	const char *host;            /* from the options; must outlive the context */
	struct tlsclient_info *info; /* filled: protocol and cipher when the handshake ends */
	int sni;                     /* host is a name, sent as SNI */

	/* What the callbacks saw. */
	int done;             /* the handshake ended well ... */
	double done_at;       /* ... then (timeutil_now_ms()) */
	double hello_sent_at; /* the ClientHello left: the TCP connection was up; 0 if not */
	unsigned server_records;
	int alert, alert_desc; /* the first alert from the server, but close_notify */
	struct x509_st *leaf;  /* the server's certificate */
	long verify_err;       /* the first verification error (X509_V_ERR_*), 0 if none */
	int verify_depth;
	char verify_subject[256], verify_issuer[256]; /* of the certificate that failed */
};

/*
 * Build t's context for o (t zeroed before; o->host must outlive it); info is
 * where the handshake is described.  -1 with e: AK_INPUT for trust anchors
 * that cannot be used, AK_CRYPTO for an OpenSSL failure.
 */
int tlsclient_open(struct tlsclient *t, const struct tlsclient_opts *o, struct tlsclient_info *info,
		   struct err *e);

/* Describe the server's certificate in t->info (nothing if none was seen). */
void tlsclient_fill_cert(struct tlsclient *t);

/*
 * After a handshake that failed: 1 when the callbacks saw why -- a
 * certificate that failed verification (t->info then describes it) or an
 * alert -- with msg (for the error) and hint (what to try, "" if nothing
 * specific) filled; 0 when they saw no reason.  own_ca: the trust anchors
 * came from the options, not the system store.
 */
int tlsclient_explain(struct tlsclient *t, int own_ca, char *msg, size_t msize, char *hint,
		      size_t hsize);

/* Free the context and the certificate; t may be zeroed and unopened. */
void tlsclient_close(struct tlsclient *t);

#endif
