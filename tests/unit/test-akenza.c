/* Unit tests of the akenza module's response parsing and fingerprint comparison. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "akenza.h"

#define KID "c3ec7461d910707c50dcb9a9a5f53bc890ad0b6b0deed4282ea4f647859cd65f"
#define SHA1 "999e75132e2c420dce920612c11c3f3369ee7ed2"

#define J(s) (s), strlen(s)

Test(akenza, parses_created_ids)
{
	char id[AKENZA_ID_MAX];

	cr_assert_eq(akenza_parse_id(J("{\"id\":\"0200000000000000\",\"name\":\"x\"}"), id), 0);
	cr_assert_str_eq(id, "0200000000000000");
	cr_assert_eq(akenza_parse_id(J("{\"id\":12345}"), id), 0);
	cr_assert_str_eq(id, "12345");
}

Test(akenza, plausible_ids_are_akenzas_alphabet)
{
	char longest[AKENZA_ID_MAX], too_long[AKENZA_ID_MAX + 1];

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	cr_assert(akenza_plausible_id("0200000000000a11"));
	cr_assert(akenza_plausible_id("ws-1"));
	cr_assert(akenza_plausible_id("a.b_c:d-E9"));
	cr_assert(akenza_plausible_id(longest));
	/* Nothing that a URL path or a results row would have to escape. */
	cr_assert_not(akenza_plausible_id(""));
	cr_assert_not(akenza_plausible_id(too_long));
	cr_assert_not(akenza_plausible_id("w/../x"));
	cr_assert_not(akenza_plausible_id("a?b"));
	cr_assert_not(akenza_plausible_id("a b"));
	cr_assert_not(akenza_plausible_id("a@b"));
	cr_assert_not(akenza_plausible_id("a,b"));
	cr_assert_not(akenza_plausible_id("a%2fb"));
	cr_assert_not(akenza_plausible_id("a\nb"));
	cr_assert_not(akenza_plausible_id("\xc3\xa9"));
}

Test(akenza, refuses_implausible_ids)
{
	char id[AKENZA_ID_MAX];

	cr_assert_eq(akenza_parse_id(J("{\"id\":\"../../etc\"}"), id), -1);
	cr_assert_eq(akenza_parse_id(J("{\"id\":\"a,b\"}"), id), -1);
	cr_assert_eq(akenza_parse_id(J("{\"id\":\"a\\nb\"}"), id), -1);
	cr_assert_eq(akenza_parse_id(J("{\"id\":\"\"}"), id), -1);
	cr_assert_eq(akenza_parse_id(J("{\"id\":null}"), id), -1);
	cr_assert_eq(akenza_parse_id(J("{\"name\":\"x\"}"), id), -1);
	cr_assert_eq(akenza_parse_id(J("[\"id\"]"), id), -1);
	cr_assert_eq(akenza_parse_id(J("not json"), id), -1);
	cr_assert_eq(akenza_parse_id(NULL, 0, id), -1);
	cr_assert_eq(
		akenza_parse_id(
			J("{\"id\":"
			  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"),
			id),
		-1); /* 65 characters */
}

Test(akenza, finds_devices_by_exact_device_id)
{
	const char *page = "{\"content\":[{\"id\":\"A1\",\"deviceId\":\"dev-10\"},"
			   "{\"id\":\"A2\",\"deviceId\":\"dev-1\"}]}";
	char id[AKENZA_ID_MAX];

	cr_assert_eq(akenza_find_device(J(page), "dev-1", id), 1);
	cr_assert_str_eq(id, "A2");
	cr_assert_eq(akenza_find_device(J(page), "dev-10", id), 1);
	cr_assert_str_eq(id, "A1");
	cr_assert_eq(akenza_find_device(J(page), "dev-", id), 0);
	cr_assert_eq(akenza_find_device(J("[{\"id\":\"B\",\"deviceId\":\"x\"}]"), "x", id), 1);
	cr_assert_str_eq(id, "B");
	cr_assert_eq(akenza_find_device(J("{\"content\":[]}"), "x", id), 0);
	cr_assert_eq(akenza_find_device(J("{\"items\":[]}"), "x", id), -1);
	cr_assert_eq(akenza_find_device(J("<html>"), "x", id), -1);
	cr_assert_eq(akenza_find_device(J("{\"content\":[{\"deviceId\":\"x\"}]}"), "x", id), -1);
}

Test(akenza, compares_fingerprints)
{
	cr_assert_eq(akenza_compare_fingerprint(KID, KID, NULL), AKENZA_FP_SAME_KID);
	cr_assert_eq(akenza_compare_fingerprint(
			     "C3EC7461D910707C50DCB9A9A5F53BC890AD0B6B0DEED4282EA4F647859CD65F",
			     KID, NULL),
		     AKENZA_FP_SAME_KID);
	cr_assert_eq(akenza_compare_fingerprint("c3:ec:74:61:d9:10:70:7c:50:dc:b9:a9:a5:f5:3b:c8:"
						"90:ad:0b:6b:0d:ee:d4:28:2e:a4:f6:47:85:9c:d6:5f",
						KID, NULL),
		     AKENZA_FP_SAME_KID);
	cr_assert_eq(akenza_compare_fingerprint(
			     "0000000000000000000000000000000000000000000000000000000000000000",
			     KID, NULL),
		     AKENZA_FP_DIFFERENT);
	cr_assert_eq(akenza_compare_fingerprint(SHA1, KID, SHA1), AKENZA_FP_SAME_SHA1);
	/* Another certificate's SHA-1 says nothing of its key (a renewal keeps the key). */
	cr_assert_eq(akenza_compare_fingerprint(SHA1, KID,
						"0000000000000000000000000000000000000000"),
		     AKENZA_FP_OTHER_CERT);
	/* A SHA-1 with nothing to compare it with, and other things: not comparable. */
	cr_assert_eq(akenza_compare_fingerprint(SHA1, KID, NULL), AKENZA_FP_OTHER_KIND);
	cr_assert_eq(akenza_compare_fingerprint("SHA256:abc", KID, NULL), AKENZA_FP_OTHER_KIND);
	cr_assert_eq(akenza_compare_fingerprint("abcd", KID, NULL), AKENZA_FP_OTHER_KIND);
	cr_assert_eq(akenza_compare_fingerprint("", KID, NULL), AKENZA_FP_ABSENT);
	cr_assert_eq(akenza_compare_fingerprint(NULL, KID, NULL), AKENZA_FP_ABSENT);
}

Test(akenza, finds_credentials_of_the_same_key)
{
	const char *list = "{\"content\":[{\"id\":\"C1\",\"fingerprint\":"
			   "\"1111111111111111111111111111111111111111111111111111111111111111\"},"
			   "{\"id\":\"C2\",\"fingerprint\":\"" KID "\"}]}";
	char id[AKENZA_ID_MAX], note[200] = "";

	cr_assert_eq(akenza_find_credential(J(list), KID, NULL, id, note, sizeof(note)), 1);
	cr_assert_str_eq(id, "C2");
	cr_assert_str_eq(note, "");
	cr_assert_eq(akenza_find_credential(
			     J(list),
			     "2222222222222222222222222222222222222222222222222222222222222222",
			     NULL, id, note, sizeof(note)),
		     0);
	cr_assert_eq(akenza_find_credential(J("{\"content\":[]}"), KID, NULL, id, note,
					    sizeof(note)),
		     0);
	cr_assert_eq(akenza_find_credential(J("{\"message\":\"x\"}"), KID, NULL, id, note,
					    sizeof(note)),
		     -1);
}

Test(akenza, finds_certificate_credentials_by_sha1_and_says_so)
{
	const char *list = "{\"content\":[{\"id\":\"C9\",\"fingerprint\":\"" SHA1 "\"}]}";
	char id[AKENZA_ID_MAX], note[200] = "";

	cr_assert_eq(akenza_find_credential(J(list), KID, SHA1, id, note, sizeof(note)), 1);
	cr_assert_str_eq(id, "C9");
	cr_assert(strstr(note, "SHA-1") != NULL, "note: %s", note);
	cr_assert_eq(akenza_find_credential(J(list), KID, NULL, id, note, sizeof(note)), 0);
}

Test(akenza, error_messages_are_extracted_and_cleaned)
{
	char m[AKENZA_MESSAGE_MAX], big[1000];

	akenza_error_message(J("{\"message\":\"Device not found\"}"), NULL, m);
	cr_assert_str_eq(m, "Device not found");
	akenza_error_message(J("{\"error\":{\"message\":\"nested\"}}"), NULL, m);
	cr_assert_str_eq(m, "nested");
	akenza_error_message(J("{\"errors\":[{\"message\":\"first\"},{\"message\":\"second\"}]}"),
			     NULL, m);
	cr_assert_str_eq(m, "first");
	akenza_error_message(J("{\"message\":\"evil\\u001b[2Jclear\\r\\nnext\"}"), NULL, m);
	cr_assert(strchr(m, '\033') == NULL && strchr(m, '\r') == NULL && strchr(m, '\n') == NULL,
		  "%s", m);
	cr_assert(strstr(m, "evil") != NULL && strstr(m, "next") != NULL);
	akenza_error_message(J("<html><title>Bad gateway</title>\r\n<body>"), NULL, m);
	cr_assert_str_eq(m, "<html><title>Bad gateway</title>");
	akenza_error_message(J("{}"), NULL, m);
	cr_assert_str_eq(m, "(no message)");
	akenza_error_message(NULL, 0, NULL, m);
	cr_assert_str_eq(m, "(no message)");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	akenza_error_message(J(big), NULL, m);
	cr_assert_eq(strlen(m), AKENZA_MESSAGE_MAX - 1);
	cr_assert_str_eq(m + strlen(m) - 3, "...");
}

Test(akenza, error_bodies_need_not_be_terminated)
{
	char m[AKENZA_MESSAGE_MAX], *body = malloc(3);

	/* Found by fuzzing: a body that is not JSON was scanned up to a NUL. */
	cr_assert_not_null(body);
	memcpy(body, "120", 3);
	akenza_error_message(body, 3, NULL, m);
	cr_assert_str_eq(m, "120");
	free(body);
}

#define API_KEY "ak_live_0123456789abcdefghijklmnopqrstuv"

/* No run of 8 characters of the API key anywhere in m. */
static void
assert_no_key_fragment(const char *m)
{
	size_t i;

	for (i = 0; i + AKENZA_KEY_FRAGMENT <= strlen(API_KEY); i++) {
		char frag[AKENZA_KEY_FRAGMENT + 1];

		memcpy(frag, API_KEY + i, AKENZA_KEY_FRAGMENT);
		frag[AKENZA_KEY_FRAGMENT] = '\0';
		cr_assert(strstr(m, frag) == NULL, "'%s' shows '%s'", m, frag);
	}
}

Test(akenza, api_key_straddling_the_cut_is_masked)
{
	char body[600], m[AKENZA_MESSAGE_MAX];
	size_t at;

	/* The key begins at every offset around the cut at 200: none of it is shown. */
	for (at = 170; at < 210; at++) {
		memset(body, 'x', sizeof(body));
		memcpy(body, "{\"message\":\"", 12);
		memcpy(body + 12 + at, API_KEY, strlen(API_KEY));
		memcpy(body + 300, "\"}", 3);
		akenza_error_message(J(body), API_KEY, m);
		assert_no_key_fragment(m);
		cr_assert(strlen(m) <= AKENZA_MESSAGE_MAX - 1);
		cr_assert_str_eq(m + strlen(m) - 3, "...", "%s", m);
	}
	/* Whole, the key is one mark; in the first line of a body that is not JSON too. */
	akenza_error_message(J("{\"message\":\"bad key " API_KEY " given\"}"), API_KEY, m);
	cr_assert_str_eq(m, "bad key (API key) given");
	akenza_error_message(J("<html>bad key " API_KEY "</html>"), API_KEY, m);
	cr_assert_str_eq(m, "<html>bad key (API key)</html>");
}

Test(akenza, api_key_fragments_are_masked)
{
	char m[AKENZA_MESSAGE_MAX];

	/* A server that echoes part of the key: 8 characters or more are masked. */
	akenza_error_message(J("{\"message\":\"key ak_live_0123... unknown\"}"), API_KEY, m);
	cr_assert_str_eq(m, "key (API key)... unknown");
	akenza_error_message(J("{\"message\":\"key ...9abcdefghij... unknown\"}"), API_KEY, m);
	cr_assert_str_eq(m, "key ...(API key)... unknown");
	/* Overlapping and repeated fragments make one mark. */
	akenza_error_message(J("{\"message\":\"k=" API_KEY API_KEY "!\"}"), API_KEY, m);
	cr_assert_str_eq(m, "k=(API key)!");
	/* Seven characters are not a fragment: ordinary words stay. */
	akenza_error_message(J("{\"message\":\"ak_live_012 is 7+4\"}"), API_KEY, m);
	cr_assert_str_eq(m, "(API key) is 7+4");
	akenza_error_message(J("{\"message\":\"abcdefg hijklmn\"}"), API_KEY, m);
	cr_assert_str_eq(m, "abcdefg hijklmn");
	/* A key shorter than 8 characters is masked whole. */
	akenza_error_message(J("{\"message\":\"key s3cr3t!\"}"), "s3cr3t", m);
	cr_assert_str_eq(m, "key (API key)!");
	/* Many repetitions of the key cost no more than the bytes that can be shown. */
	{
		static char big[200000];
		size_t i, kl = strlen(API_KEY);

		memcpy(big, "{\"message\":\"", 12);
		for (i = 12; i + kl + 3 < sizeof(big); i += kl)
			memcpy(big + i, API_KEY, kl);
		memcpy(big + i, "\"}", 3);
		akenza_error_message(J(big), API_KEY, m);
		cr_assert_str_eq(m, "(API key)...");
	}
}

Test(akenza, lists_credentials_with_their_times)
{
	const char *list =
		"{\"content\":[{\"id\":\"C1\",\"name\":\"akcred-1\",\"algorithm\":\"EC256_PEM\","
		"\"fingerprint\":\"" KID "\",\"expiration\":\"2027-01-02T03:04:05.123Z\","
		"\"created\":\"2026-11-24T14:13:27Z\"},"
		"{\"id\":7,\"name\":\"bad\\u0007name\",\"fingerprint\":\"" SHA1 "\","
		"\"expiration\":null}]}";
	struct akenza_credential *c;
	size_t n;

	cr_assert_eq(akenza_parse_credentials(J(list), NULL, &c, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(c[0].id, "C1");
	cr_assert_str_eq(c[0].algorithm, "EC256_PEM");
	cr_assert_str_eq(c[0].kid, KID);
	cr_assert_str_eq(c[0].created, "2026-11-24T14:13:27Z");
	cr_assert(c[0].has_expires);
	cr_assert_eq(c[0].expires, 1798859045);
	cr_assert_str_eq(c[1].id, "7");
	cr_assert_str_eq(c[1].name, "bad name", "controls are cleaned: '%s'", c[1].name);
	cr_assert_str_eq(c[1].kid, "");
	cr_assert_not(c[1].has_expires);
	cr_assert_str_eq(c[1].expiration, "");
	cr_assert(akenza_credential_matches(&c[0], KID, NULL));
	cr_assert_not(akenza_credential_matches(&c[1], KID, NULL));
	cr_assert(akenza_credential_matches(&c[1], KID, SHA1));
	/* Listed by another certificate's SHA-1: the key it shows decides. */
	cr_assert_not(
		akenza_credential_matches(&c[1], KID, "0000000000000000000000000000000000000000"));
	snprintf(c[1].kid, sizeof(c[1].kid), "%s", KID);
	cr_assert(akenza_credential_matches(&c[1], KID, "0000000000000000000000000000000000000000"),
		  "a renewed certificate of the same key");
	free(c);
}

Test(akenza, credential_listings_need_ids)
{
	struct akenza_credential *c;
	size_t n;

	cr_assert_eq(akenza_parse_credentials(J("{\"content\":[{\"name\":\"x\"}]}"), NULL, &c, &n),
		     -1);
	cr_assert_null(c);
	cr_assert_eq(akenza_parse_credentials(J("{\"message\":\"x\"}"), NULL, &c, &n), -1);
	cr_assert_eq(akenza_parse_credentials(J("[]"), NULL, &c, &n), 0);
	cr_assert_eq(n, 0);
	free(c);
}
