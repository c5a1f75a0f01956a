/* err: error values filled by modules and printed by the command layer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "err.h"
#include "banned.h"

static int
err_vset(struct err *e, enum ak_status status, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->status = status;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int
err_set(struct err *e, enum ak_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, status, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_openssl(struct err *e, enum ak_status status, const char *fmt, ...)
{
	unsigned long code, last = 0, sys = 0;
	const char *reason;
	size_t n;
	va_list ap;

	/* The last error queued is usually the most specific one. */
	while ((code = ERR_get_error()) != 0) {
		last = code;
		if (ERR_SYSTEM_ERROR(code))
			sys = code;
	}
	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, status, fmt, ap);
	va_end(ap);
	/* A failed system call: its errno says why, OpenSSL's "system lib" does not. */
	if (sys != 0 && (ERR_SYSTEM_ERROR(last) || ERR_GET_REASON(last) == ERR_R_SYS_LIB)) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
			 strerror((int)ERR_GET_REASON(sys)));
	} else if (last != 0 && (reason = ERR_reason_error_string(last)) != NULL) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", reason);
	}
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	size_t n;
	va_list ap;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", old);
	return -1;
}

const char *
err_status_name(enum ak_status status)
{
	static const char *const names[] = {
		[AK_OK] = "ok",       [AK_NEGATIVE] = "negative", [AK_USAGE] = "usage",
		[AK_INPUT] = "input", [AK_CRYPTO] = "crypto",     [AK_NETWORK] = "network",
		[AK_TLS] = "tls",     [AK_REFUSED] = "refused",   [AK_INTERNAL] = "internal",
	};

	if ((unsigned)status > AK_INTERNAL)
		return "unknown";
	return names[status];
}

int
err_exit_status(enum ak_status status)
{
	return status == AK_INTERNAL ? AK_CRYPTO : (int)status;
}
