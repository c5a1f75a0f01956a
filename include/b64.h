/*
 * b64: strict base64url without padding (RFC 7515 section 2 and appendix C),
 * the only encoding a compact JWS may use.
 *
 * Decoding refuses, with a message saying which: padding ('='), any character
 * outside A-Z a-z 0-9 '-' '_' (whitespace, '+', '/', NUL included), a length
 * that no byte string encodes (4n+1), and non-canonical trailing bits ("QR"
 * for "QQ"), so that one byte string has exactly one accepted encoding.
 */
#ifndef AKCRED_B64_H
#define AKCRED_B64_H

#include <stddef.h>

#include "err.h"

/* Characters needed to encode n bytes, without the NUL. */
#define B64URL_ENCODED_LEN(n) (((n) / 3) * 4 + (((n) % 3) ? ((n) % 3) + 1 : 0))
/* Largest number of bytes that len characters decode to. */
#define B64URL_DECODED_MAX(len) (((len) / 4) * 3 + 2)

/* Encode n bytes of in into out (room for B64URL_ENCODED_LEN(n) + 1); returns the length. */
size_t b64url_encode(char *out, size_t outsize, const unsigned char *in, size_t n);

/*
 * Decode len characters of in into out (outsize bytes); *outlen gets the
 * length.  -1 with e (AK_INPUT) saying what is wrong if in is not strict
 * base64url or does not fit.
 */
int b64url_decode(unsigned char *out, size_t outsize, size_t *outlen, const char *in, size_t len,
		  struct err *e);

#endif
