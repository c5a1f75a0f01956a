/* b64: strict base64url, the only encoding of a compact JWS. */
#include <criterion/criterion.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"

Test(b64, strict_decoding)
{
	const char *bad[] = {"QQ==", "QR", "Q", "QU+D", "QU/D", "QU D", "QUJ", "QUJDQ", "QU\nD"};
	unsigned char out[16];
	struct err e = ERR_INIT;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(b64url_decode(out, sizeof(out), &n, bad[i], strlen(bad[i]), &e), -1,
			     "accepted %s", bad[i]);
	cr_assert_eq(b64url_decode(out, sizeof(out), &n, "QUI", 3, &e), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(memcmp(out, "AB", 2), 0);
	cr_assert_eq(b64url_decode(out, sizeof(out), &n, "-_-_", 4, &e), 0);
	cr_assert_eq(b64url_decode(out, 2, &n, "QUJD", 4, &e), -1, "overflow accepted");
	cr_assert_eq(b64url_decode(out, sizeof(out), &n, "QU\0D", 4, &e), -1);
}

Test(b64, encodes_without_padding)
{
	char out[16];

	cr_assert_eq(b64url_encode(out, sizeof(out), (const unsigned char *)"\xfb\xff", 2), 3);
	cr_assert_str_eq(out, "-_8");
	cr_assert_eq(B64URL_ENCODED_LEN(64), 86);
	cr_assert_eq(B64URL_ENCODED_LEN(256), 342);
}

Test(b64, encoder_agrees_with_libsodium)
{
	unsigned char in[64];
	char ours[100], theirs[100];
	size_t n;

	randombytes_buf(in, sizeof(in));
	for (n = 0; n <= sizeof(in); n++) {
		cr_assert_eq(b64url_encode(ours, sizeof(ours), in, n), B64URL_ENCODED_LEN(n));
		sodium_bin2base64(theirs, sizeof(theirs), in, n,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		cr_assert_str_eq(ours, theirs, "length %zu", n);
	}
	/* Too small a buffer: nothing, not a truncated encoding. */
	cr_assert_eq(b64url_encode(ours, 4, in, 3), 0);
	cr_assert_str_eq(ours, "");
}

Test(b64, rfc4648_known_answers_in_the_url_alphabet)
{
	/* RFC 4648 section 10, padding dropped; then the two characters base64url changes. */
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"",       "Zg",      "Zm8",     "Zm9v",
					    "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	unsigned char back[16];
	char out[16];
	struct err e = ERR_INIT;
	size_t i, n;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		cr_assert_eq(b64url_encode(out, sizeof(out), (const unsigned char *)plain[i],
					   strlen(plain[i])),
			     strlen(coded[i]));
		cr_assert_str_eq(out, coded[i]);
		cr_assert_eq(b64url_decode(back, sizeof(back), &n, coded[i], strlen(coded[i]), &e),
			     0, "%s", e.msg);
		cr_assert_eq(n, strlen(plain[i]));
		cr_assert_eq(memcmp(back, plain[i], n), 0);
	}
	cr_assert_eq(b64url_encode(out, sizeof(out), (const unsigned char *)"\xfb\xef\xbe", 3), 4);
	cr_assert_str_eq(out, "----");
	cr_assert_eq(b64url_encode(out, sizeof(out), (const unsigned char *)"\xff\xff\xff", 3), 4);
	cr_assert_str_eq(out, "____");
}

Test(b64, encoded_len_is_exact_and_the_room_needed_is_one_more)
{
	unsigned char in[40] = {0};
	char out[64];
	size_t n;

	for (n = 0; n <= sizeof(in); n++) {
		cr_assert_eq(B64URL_ENCODED_LEN(n) + 1,
			     sodium_base64_ENCODED_LEN(n,
						       sodium_base64_VARIANT_URLSAFE_NO_PADDING));
		/* Exactly the room needed works; one byte less gives nothing. */
		cr_assert_eq(b64url_encode(out, B64URL_ENCODED_LEN(n) + 1, in, n),
			     B64URL_ENCODED_LEN(n));
		cr_assert_eq(strlen(out), B64URL_ENCODED_LEN(n));
		if (n > 0) {
			cr_assert_eq(b64url_encode(out, B64URL_ENCODED_LEN(n), in, n), 0);
			cr_assert_str_eq(out, "");
		}
		cr_assert_geq(B64URL_DECODED_MAX(B64URL_ENCODED_LEN(n)), n);
	}
	cr_assert_eq(b64url_encode(out, 0, in, 1), 0);
}

Test(b64, refusals_say_what_is_wrong)
{
	static const struct {
		const char *in;
		size_t len;
		const char *says;
	} bad[] = {
		{"QQ==", 4, "padding '=' at offset 2"},
		{"QU+D", 4, "'+' at offset 2 is standard base64"},
		{"QU/D", 4, "'/' at offset 2 is standard base64"},
		{"QU\nD", 4, "byte 0x0a at offset 2"},
		{"QU\0D", 4, "byte 0x00 at offset 2"},
		{"QU*D", 4, "'*' at offset 2 is not base64url"},
		{"QUJDQ", 5, "5 characters is not a possible base64url length"},
		{"QR", 2, "non-canonical base64url"},
		{"QUJDRA", 6, "6 base64url characters is too long"},
	};
	unsigned char out[3];
	struct err e;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(b64url_decode(out, sizeof(out), &n, bad[i].in, bad[i].len, &e), -1,
			     "accepted case %zu", i);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert_not_null(strstr(e.msg, bad[i].says), "case %zu: %s", i, e.msg);
		cr_assert_eq(n, 0);
	}
}
