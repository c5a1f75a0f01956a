/*
 * b64: strict base64url (see b64.h).  libsodium encodes and decodes; our own
 * scan before decoding only says precisely why an input is refused.
 */
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "banned.h"

size_t
b64url_encode(char *out, size_t outsize, const unsigned char *in, size_t n)
{
	size_t need = B64URL_ENCODED_LEN(n);

	if (outsize == 0)
		return 0;
	if (need + 1 > outsize) { /* never truncate silently: an empty string fails loudly */
		out[0] = '\0';
		return 0;
	}
	sodium_bin2base64(out, outsize, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return need;
}

static int
b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int
b64url_decode(unsigned char *out, size_t outsize, size_t *outlen, const char *in, size_t len,
	      struct err *e)
{
	size_t i;

	*outlen = 0;
	/* Our own scan first, only to say precisely what is wrong. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (b64url_char(c))
			continue;
		if (c == '=')
			return err_set(e, AK_INPUT,
				       "padding '=' at offset %zu: base64url here has no padding",
				       i);
		if (c == '+' || c == '/')
			return err_set(e, AK_INPUT,
				       "'%c' at offset %zu is standard base64, not base64url", c,
				       i);
		if (c < 0x20 || c >= 0x7f)
			return err_set(e, AK_INPUT, "byte 0x%02x at offset %zu is not base64url", c,
				       i);
		return err_set(e, AK_INPUT, "'%c' at offset %zu is not base64url", c, i);
	}
	if (len % 4 == 1)
		return err_set(e, AK_INPUT, "%zu character%s is not a possible base64url length",
			       len, len == 1 ? "" : "s");
	if ((len / 4) * 3 + (len % 4 ? len % 4 - 1 : 0) > outsize)
		return err_set(e, AK_INPUT, "%zu base64url characters is too long", len);
	/*
	 * b64_end == NULL: libsodium then fails on anything it does not consume,
	 * and it refuses non-zero trailing bits (verified by the unit tests).
	 */
	if (sodium_base642bin(out, outsize, in, len, NULL, outlen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return err_set(e, AK_INPUT,
			       "non-canonical base64url: the unused bits of the last character are "
			       "not zero");
	return 0;
}
