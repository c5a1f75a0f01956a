/*
 * http: HTTPS requests through libcurl, with many transfers in flight.
 *
 * libcurl is not linked: dlib (dlib.h) loads libcurl.so.4 the first time it
 * is needed, so that commands which never talk HTTP do not pay for it at
 * start-up.  If it cannot be loaded, http_load() fails with AK_INTERNAL and
 * says so.
 *
 * A client is one curl multi handle: its connection cache is shared by every
 * request, so connections (and their TLS sessions) are reused, and at most
 * max_parallel transfers run at once.  TLS verification is always on (peer
 * and host name); only https:// URLs are allowed and redirects are never
 * followed, so that the headers -- which may carry an API key -- go nowhere
 * else.  Header lines given in the config are copied into libcurl's list and
 * wiped when the client is closed.
 *
 * Requests are asynchronous: http_start() queues one, http_next() drives the
 * transfers and hands back each finished one.  A finished request has either
 * an HTTP status (any status: interpreting it is the caller's business) or a
 * transport error (no complete response: connect, TLS, timeout, dropped
 * connection), never both.
 */
#ifndef AKCRED_HTTP_H
#define AKCRED_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define HTTP_RESPONSE_MAX (8 * 1024 * 1024) /* larger bodies fail the request */

struct http_client;

struct http_config {
	const char *ca_file;        /* trust anchors instead of the system store, or NULL */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
	long timeout_ms;            /* whole transfer */
	long connect_timeout_ms;
	int max_parallel; /* transfers and connections at once */
	const char *user_agent;
};

enum http_method { HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_DELETE };

struct http_request {
	/* Set by the caller; they must stay valid until the request is finished. */
	enum http_method method;
	const char *url;
	const char *body; /* JSON, or NULL */
	size_t body_len;
	void *udata;

	/* Results, valid once http_next() returned the request. */
	long status;                /* HTTP status, 0 on a transport error */
	int transport_error;        /* no complete response */
	int timed_out;              /* the transport error was a time-out */
	int sent;                   /* the request may have reached the server */
	int permanent;              /* a transport error that retrying cannot fix (verification) */
	enum ak_status error_class; /* AK_NETWORK or AK_TLS with transport_error */
	char error[256];            /* what went wrong, with transport_error */
	char *data;                 /* response body, NUL-terminated; http_request_clear() frees */
	size_t len;
	char retry_after[64]; /* the Retry-After header, "" if none */

	/* Private. */
	void *easy;
	size_t cap;
	struct http_request *prev, *next; /* the client's running requests */
};

/* Load libcurl (once); AK_INTERNAL if it cannot be. */
int http_load(struct err *e);
/* libcurl's run-time version ("8.5.0"), loading it; NULL if it cannot be loaded. */
const char *http_curl_version(void);

int http_client_open(struct http_client **c, const struct http_config *cfg, struct err *e);
/* Abort what is running, wipe the header copies, free everything. */
void http_client_close(struct http_client *c);

/* Queue r (its results are reset).  AK_INTERNAL on an internal failure. */
int http_start(struct http_client *c, struct http_request *r, struct err *e);
/*
 * Run transfers for at most timeout_ms (0: do not wait); *done is a finished
 * request, or NULL if none finished in that time.  -1 only on an internal
 * failure of libcurl.
 */
int http_next(struct http_client *c, long timeout_ms, struct http_request **done, struct err *e);
/* Requests queued or running. */
int http_running(const struct http_client *c);
/* Free a request's response (the request itself belongs to the caller). */
void http_request_clear(struct http_request *r);

/*
 * Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date, relative to
 * now.  0 with *ms set (a past date gives 0), -1 if value is neither.
 */
int http_retry_after_ms(const char *value, time_t now, long *ms);
/*
 * Delay before retry number attempt (1, 2, ...): exponential from base_ms,
 * capped at cap_ms, with jitter -- uniform in [d/2, d], drawn from rnd -- so
 * that transfers that failed together do not all retry at the same moment.
 */
long http_backoff_ms(unsigned attempt, long base_ms, long cap_ms, uint32_t rnd);

#endif
