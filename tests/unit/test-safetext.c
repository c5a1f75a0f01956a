/* Unit tests of the safetext module: what may reach a terminal as it is. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "safetext.h"

static const char *
esc(const char *s, size_t max)
{
	static char buf[256];

	return safetext_escape(s, max, buf, sizeof(buf));
}

Test(safetext, printable_utf8_passes)
{
	cr_assert_str_eq(esc("dev-1 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 200),
			 "dev-1 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
}

Test(safetext, c0_c1_and_del_are_escaped)
{
	cr_assert_str_eq(esc("a\x1b[31mb\x7f", 200), "a\\x1b[31mb\\x7f");
	/* U+009B CSI and U+0085 NEL: one escape per byte. */
	cr_assert_str_eq(esc("x\xc2\x9b"
			     "31m\xc2\x85",
			     200),
			 "x\\xc2\\x9b31m\\xc2\\x85");
	cr_assert_str_eq(esc("\xc2\xa0", 200), "\xc2\xa0"); /* U+00A0 is printable */
}

Test(safetext, bidi_and_format_characters_are_escaped)
{
	cr_assert_str_eq(esc("\xe2\x80\xae", 200), "\\xe2\\x80\\xae"); /* U+202E RLO */
	cr_assert_str_eq(esc("\xe2\x80\x8f", 200), "\\xe2\\x80\\x8f"); /* U+200F RLM */
	cr_assert_str_eq(esc("\xe2\x81\xa6", 200), "\\xe2\\x81\\xa6"); /* U+2066 LRI */
	cr_assert_str_eq(esc("\xef\xbb\xbf", 200), "\\xef\\xbb\\xbf"); /* U+FEFF */
	cr_assert_str_eq(esc("\xd8\x9c", 200), "\\xd8\\x9c");          /* U+061C ALM */
}

Test(safetext, invalid_utf8_is_escaped_byte_by_byte)
{
	cr_assert_str_eq(esc("\xff", 200), "\\xff");
	cr_assert_str_eq(esc("\xc3", 200), "\\xc3");                            /* truncated */
	cr_assert_str_eq(esc("\xc0\xaf", 200), "\\xc0\\xaf");                   /* overlong '/' */
	cr_assert_str_eq(esc("\xed\xa0\x80", 200), "\\xed\\xa0\\x80");          /* a surrogate */
	cr_assert_str_eq(esc("\xf4\x90\x80\x80", 200), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	cr_assert_str_eq(esc("\xe2\x82"
			     "a",
			     200),
			 "\\xe2\\x82a");
}

Test(safetext, cuts_between_characters_and_escapes)
{
	char s[100];

	memset(s, 'a', 79);
	memcpy(s + 79, "\xc3\xa9z", 4);
	/* 79 bytes and a 2-byte character: the character goes, never half of it. */
	cr_assert_str_eq(esc(s, 80) + 79, "...");
	cr_assert_str_eq(esc("ab\x1b", 4), "ab...");
	cr_assert_str_eq(esc("abc", 3), "abc");
	cr_assert_str_eq(esc("abcd", 3), "abc...");
}

Test(safetext, next_reports_lengths)
{
	int ok;

	cr_assert_eq(safetext_next("a", &ok), 1);
	cr_assert(ok);
	cr_assert_eq(safetext_next("\xf0\x9f\x94\x91", &ok), 4);
	cr_assert(ok);
	cr_assert_eq(safetext_next("\xe2\x80\xae", &ok), 3);
	cr_assert(!ok);
	cr_assert_eq(safetext_next("\x80", &ok), 1);
	cr_assert(!ok);
}

static char *
js(const char *json_text)
{
	json_error_t jerr;
	json_t *j = json_loads(json_text, JSON_ALLOW_NUL, &jerr);
	char *s;

	cr_assert_not_null(j, "%s", jerr.text);
	s = safetext_json(j, JSON_COMPACT);
	json_decref(j);
	cr_assert_not_null(s);
	return s;
}

Test(safetext, json_escapes_del_c1_and_bidi)
{
	char *s;
	size_t i;

	/* DEL raw in, \u007f out (Jansson alone leaves it raw). */
	s = js("{\"typ\":\"a\x7f"
	       "b\",\"k\x7f\":1}");
	cr_assert_str_eq(s, "{\"typ\":\"a\\u007Fb\",\"k\\u007F\":1}");
	free(s);
	/* C1 CSI, U+202E, a tag character (outside the BMP), and printable UTF-8: all \u. */
	s = js("[\"\xc2\x9b"
	       "31m\",\"\xe2\x80\xae\",\"\xf3\xa0\x80\x81\","
	       "\"caf\xc3\xa9\",\"\\u001b\"]");
	cr_assert_str_eq(s, "[\"\\u009B31m\",\"\\u202E\",\"\\uDB40\\uDC01\","
			    "\"caf\\u00E9\",\"\\u001B\"]");
	for (i = 0; s[i] != '\0'; i++)
		cr_assert((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f, "byte %zu", i);
	free(s);
	/* Still JSON, and the same JSON. */
	s = js("{\"a\":\"x\x7fy\xe2\x80\xae\"}");
	{
		json_t *back = json_loads(s, 0, NULL);

		cr_assert_not_null(back);
		cr_assert_str_eq(json_string_value(json_object_get(back, "a")),
				 "x\x7fy\xe2\x80\xae");
		json_decref(back);
	}
	free(s);
}
