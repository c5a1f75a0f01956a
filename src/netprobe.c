/* netprobe: what does this port speak?  One short connection per question (see netprobe.h). */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "netprobe.h"
#include "timeutil.h"
#include "banned.h"

/*
 * Connect a non-blocking socket to addr by deadline: 0 with *fdp open, or the
 * reason (errno; ETIMEDOUT when the deadline passed) with nothing left open.
 */
static int
connect_within(const struct sockaddr *addr, socklen_t addrlen, double deadline, int *fdp)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, left;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, addr, addrlen) != 0) {
		err = errno;
		if (err == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			left = (int)(deadline - timeutil_now_ms());
			err = ETIMEDOUT;
			if (left > 0 && poll(&pfd, 1, left) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
		}
	}
	if (err != 0) {
		close(fd);
		return err;
	}
	*fdp = fd;
	return 0;
}

/* A connected non-blocking socket to addr, or -1. */
static int
probe_connect(const struct sockaddr *addr, socklen_t addrlen, double deadline)
{
	int fd;

	return connect_within(addr, addrlen, deadline, &fd) == 0 ? fd : -1;
}

int
netprobe_errno(const struct sockaddr *addr, socklen_t addrlen, double deadline)
{
	int fd, err = connect_within(addr, addrlen, deadline, &fd);

	if (err == 0)
		close(fd);
	return err;
}

int
netprobe_plain_mqtt(const struct sockaddr *addr, socklen_t addrlen, double deadline)
{
	static const unsigned char connect_pkt[] = {
		0x10, 24,                              /* CONNECT, remaining length */
		0x00, 0x04, 'M',  'Q', 'T', 'T', 0x04, /* MQTT 3.1.1 */
		0x02, 0x00, 0x0a,                      /* clean session, keepalive 10 s */
		0x00, 0x0c, 'a',  'k', 'c', 'r', 'e',  'd', '-', 'p', 'r', 'o', 'b', 'e',
	};
	unsigned char buf[4];
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int fd, left, yes = 0;

	if ((fd = probe_connect(addr, addrlen, deadline)) < 0)
		return 0;
	if (send(fd, connect_pkt, sizeof(connect_pkt), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(connect_pkt))
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < 2 && (left = (int)(deadline - timeutil_now_ms())) > 0 &&
	       poll(&pfd, 1, left) == 1) {
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

int
netprobe_tls(const struct sockaddr *addr, socklen_t addrlen, double deadline)
{
	struct pollfd pfd;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	int fd, rc, left, tls_msgs = 0;

	if ((fd = probe_connect(addr, addrlen, deadline)) < 0)
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
