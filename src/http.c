/* http: HTTPS through a lazily loaded libcurl multi handle (see http.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The typed pointers below are declared from the prototypes; no macro wrappers. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <sodium.h>

#include "dlib.h"
#include "http.h"
#include "timeutil.h"
#include "banned.h"

_Static_assert(sizeof(((struct http_request *)0)->error) >= CURL_ERROR_SIZE,
	       "the error buffer is libcurl's ERRORBUFFER");

/* libcurl, loaded on first use (see http.h). */
#define CURL_FUNCS(X)                                                                              \
	X(curl_global_init)                                                                        \
	X(curl_version_info)                                                                       \
	X(curl_easy_init)                                                                          \
	X(curl_easy_setopt)                                                                        \
	X(curl_easy_getinfo)                                                                       \
	X(curl_easy_cleanup)                                                                       \
	X(curl_easy_strerror)                                                                      \
	X(curl_multi_init)                                                                         \
	X(curl_multi_setopt)                                                                       \
	X(curl_multi_add_handle)                                                                   \
	X(curl_multi_remove_handle)                                                                \
	X(curl_multi_perform)                                                                      \
	X(curl_multi_poll)                                                                         \
	X(curl_multi_info_read)                                                                    \
	X(curl_multi_cleanup)                                                                      \
	X(curl_multi_strerror)                                                                     \
	X(curl_slist_append)                                                                       \
	X(curl_slist_free_all)

CURL_FUNCS(DLIB_DECLARE)
static const struct dlib_sym curl_syms[] = {CURL_FUNCS(DLIB_ENTRY){NULL, NULL}};

static int
curl_init(struct err *e)
{
	if (p_curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, AK_INTERNAL, "cannot initialise libcurl");
	return 0;
}

/* curl_multi_poll() came with 7.66; the build's floor (Makefile) is 7.68. */
static struct dlib libcurl = DLIB_INIT("libcurl", "libcurl.so.4", "libcurl4",
				       "version 7.68 or newer is needed", curl_syms, curl_init);

struct http_client {
	CURLM *multi;
	struct curl_slist *headers;
	char *ca_file, *user_agent;
	long timeout_ms, connect_timeout_ms;
	int active; /* requests added to the multi handle and not yet handed back */
	struct http_request *running;
};

static void
unlink_request(struct http_client *c, struct http_request *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		c->running = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

int
http_load(struct err *e)
{
	return dlib_load(&libcurl, e);
}

const char *
http_curl_version(void)
{
	const curl_version_info_data *v;

	if (http_load(NULL) != 0)
		return NULL;
	v = p_curl_version_info(CURLVERSION_NOW);
	return v != NULL ? v->version : NULL;
}

static void
wipe_headers(struct curl_slist *l)
{
	/* The list may hold the API key: wipe libcurl's copies before freeing them. */
	for (; l != NULL; l = l->next)
		if (l->data != NULL)
			sodium_memzero(l->data, strlen(l->data));
}

void
http_client_close(struct http_client *c)
{
	struct http_request *r;

	if (c == NULL)
		return;
	while ((r = c->running) != NULL) {
		unlink_request(c, r);
		p_curl_multi_remove_handle(c->multi, r->easy);
		p_curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	if (c->multi != NULL)
		p_curl_multi_cleanup(c->multi);
	wipe_headers(c->headers);
	if (c->headers != NULL)
		p_curl_slist_free_all(c->headers);
	free(c->ca_file);
	free(c->user_agent);
	free(c);
}

int
http_client_open(struct http_client **cp, const struct http_config *cfg, struct err *e)
{
	static const char *const fixed[] = {
		"Accept: application/json",
		"Content-Type: application/json",
		"Expect:", /* no 100-continue round trip before small JSON bodies */
		NULL,
	};
	struct http_client *c;
	struct curl_slist *l;
	const char *const *h;
	long par = cfg->max_parallel > 0 ? cfg->max_parallel : 1;

	*cp = NULL;
	if (http_load(e) != 0)
		return -1;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	c->timeout_ms = cfg->timeout_ms;
	c->connect_timeout_ms = cfg->connect_timeout_ms;
	if ((cfg->ca_file != NULL && (c->ca_file = strdup(cfg->ca_file)) == NULL) ||
	    (c->user_agent = strdup(cfg->user_agent != NULL ? cfg->user_agent : "akcred")) == NULL)
		goto oom;
	for (h = fixed; *h != NULL; h++) {
		if ((l = p_curl_slist_append(c->headers, *h)) == NULL)
			goto oom;
		c->headers = l;
	}
	for (h = cfg->headers; h != NULL && *h != NULL; h++) {
		if ((l = p_curl_slist_append(c->headers, *h)) == NULL)
			goto oom;
		c->headers = l;
	}
	if ((c->multi = p_curl_multi_init()) == NULL)
		goto oom;
	/* Bounded: never more connections than parallel transfers; reuse them. */
	p_curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, par);
	p_curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, par);
	p_curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, par);
	p_curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	*cp = c;
	return 0;
oom:
	http_client_close(c);
	return err_set(e, AK_INTERNAL, "out of memory");
}

int
http_running(const struct http_client *c)
{
	return c->active;
}

void
http_request_clear(struct http_request *r)
{
	free(r->data);
	r->data = NULL;
	r->len = 0;
	r->cap = 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_request *r = arg;
	size_t len = size * n, ncap;
	char *np;

	if (len > HTTP_RESPONSE_MAX - r->len)
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	if (r->len + len + 1 > r->cap) {
		ncap = r->cap ? r->cap : 4096;
		while (ncap < r->len + len + 1)
			ncap *= 2;
		if ((np = realloc(r->data, ncap)) == NULL)
			return 0;
		r->data = np;
		r->cap = ncap;
	}
	memcpy(r->data + r->len, p, len);
	r->len += len;
	r->data[r->len] = '\0';
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_request *r = arg;
	size_t len = size * n, k;
	const char *v;

	/* Each response (after a 1xx, say) starts afresh. */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		r->retry_after[0] = '\0';
		return len;
	}
	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		v = p + 12;
		k = len - 12;
		while (k > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			k--;
		}
		while (k > 0 && isspace((unsigned char)v[k - 1]))
			k--;
		if (k >= sizeof(r->retry_after))
			k = sizeof(r->retry_after) - 1;
		memcpy(r->retry_after, v, k);
		r->retry_after[k] = '\0';
	}
	return len;
}

int
http_start(struct http_client *c, struct http_request *r, struct err *e)
{
	CURL *h;
	CURLMcode mc;

	http_request_clear(r);
	r->status = 0;
	r->transport_error = r->timed_out = r->sent = r->permanent = 0;
	r->error_class = AK_OK;
	r->error[0] = '\0';
	r->retry_after[0] = '\0';
	/* Checked here too: TLS is not optional, whatever URL a caller builds. */
	if (strncasecmp(r->url, "https://", 8) != 0)
		return err_set(e, AK_USAGE, "only https:// URLs are allowed");
	if ((h = p_curl_easy_init()) == NULL)
		return err_set(e, AK_INTERNAL, "cannot create a libcurl handle");
	p_curl_easy_setopt(h, CURLOPT_URL, r->url);
	p_curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https"); /* libcurl >= 7.85 */
	p_curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	p_curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	p_curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	p_curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->ca_file != NULL)
		p_curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	p_curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	p_curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	p_curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	p_curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	if (c->timeout_ms > 0)
		p_curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	if (c->connect_timeout_ms > 0)
		p_curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	p_curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->error);
	p_curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	p_curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	p_curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	p_curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	p_curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	switch (r->method) {
	case HTTP_GET:
		p_curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		break;
	case HTTP_PUT:
		p_curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
		/* FALLTHROUGH */
	case HTTP_POST:
		p_curl_easy_setopt(h, CURLOPT_POST, 1L);
		p_curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body != NULL ? r->body : "");
		p_curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				   (curl_off_t)(r->body != NULL ? r->body_len : 0));
		break;
	case HTTP_DELETE:
		p_curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
		break;
	}
	if ((mc = p_curl_multi_add_handle(c->multi, h)) != CURLM_OK) {
		p_curl_easy_cleanup(h);
		return err_set(e, AK_INTERNAL, "libcurl: %s", p_curl_multi_strerror(mc));
	}
	r->easy = h;
	r->prev = NULL;
	if ((r->next = c->running) != NULL)
		r->next->prev = r;
	c->running = r;
	c->active++;
	return 0;
}

static enum ak_status
classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return AK_TLS;
	default:
		return AK_NETWORK;
	}
}

static void
finish(struct http_client *c, CURLMsg *m, struct http_request **done)
{
	CURL *h = m->easy_handle;
	struct http_request *r = NULL;
	CURLcode rc = m->data.result;
	long status = 0, reqsize = 0;
	char *priv = NULL;

	p_curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv);
	r = (struct http_request *)(void *)priv;
	p_curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	p_curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &reqsize);
	r->sent = reqsize > 0;
	if (rc == CURLE_OK && status > 0) {
		r->status = status;
	} else {
		r->status = 0;
		r->transport_error = 1;
		r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		r->error_class = classify(rc);
		r->permanent = rc == CURLE_PEER_FAILED_VERIFICATION ||
			       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
			       rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT;
		if (rc == CURLE_WRITE_ERROR)
			snprintf(r->error, sizeof(r->error), "response larger than %d bytes",
				 HTTP_RESPONSE_MAX);
		else if (r->error[0] == '\0')
			snprintf(r->error, sizeof(r->error), "%s", p_curl_easy_strerror(rc));
		/* What the server sent of an aborted response is meaningless. */
		http_request_clear(r);
	}
	p_curl_multi_remove_handle(c->multi, h);
	p_curl_easy_cleanup(h);
	r->easy = NULL;
	unlink_request(c, r);
	c->active--;
	*done = r;
}

int
http_next(struct http_client *c, long timeout_ms, struct http_request **done, struct err *e)
{
	long long deadline, left;
	CURLMcode mc;
	CURLMsg *m;
	int running, queued;

	*done = NULL;
	deadline = (long long)timeutil_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		if ((mc = p_curl_multi_perform(c->multi, &running)) != CURLM_OK)
			return err_set(e, AK_INTERNAL, "libcurl: %s", p_curl_multi_strerror(mc));
		while ((m = p_curl_multi_info_read(c->multi, &queued)) != NULL) {
			if (m->msg == CURLMSG_DONE) {
				finish(c, m, done);
				return 0;
			}
		}
		left = deadline - (long long)timeutil_now_ms();
		if (c->active == 0 || left <= 0)
			return 0;
		if ((mc = p_curl_multi_poll(c->multi, NULL, 0, (int)(left > 1000 ? 1000 : left),
					    NULL)) != CURLM_OK)
			return err_set(e, AK_INTERNAL, "libcurl: %s", p_curl_multi_strerror(mc));
	}
}

int
http_retry_after_ms(const char *value, time_t now, long *ms)
{
	static const char *const formats[] = {
		"%a, %d %b %Y %H:%M:%S GMT", /* IMF-fixdate, the one to send */
		"%A, %d-%b-%y %H:%M:%S GMT", /* obsolete RFC 850 */
		"%a %b %e %H:%M:%S %Y",      /* obsolete asctime() */
	};
	unsigned long secs = 0;
	struct tm tm;
	const char *p, *end;
	time_t t;
	size_t i;

	if (value == NULL || *value == '\0')
		return -1;
	if (isdigit((unsigned char)*value)) {
		for (p = value; isdigit((unsigned char)*p); p++) {
			/* A day is more than any server means; clamp rather than overflow. */
			if (secs < 86400)
				secs = secs * 10 + (unsigned long)(*p - '0');
		}
		if (*p != '\0')
			return -1;
		*ms = (long)(secs > 86400 ? 86400 : secs) * 1000;
		return 0;
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(value, formats[i], &tm);
		if (end == NULL || *end != '\0')
			continue;
		t = timegm(&tm);
		if (t == (time_t)-1)
			return -1;
		*ms = t <= now ? 0 : (t - now > 86400 ? 86400 : (long)(t - now)) * 1000;
		return 0;
	}
	return -1;
}

long
http_backoff_ms(unsigned attempt, long base_ms, long cap_ms, uint32_t rnd)
{
	long d = base_ms > 0 ? base_ms : 1;
	unsigned i;

	for (i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	return d / 2 + (long)(rnd % (uint32_t)(d - d / 2 + 1));
}
