/* safetext: untrusted text for terminals (see safetext.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetext.h"
#include "banned.h"

/* Invisible characters that reorder or hide text (Trojan Source and the like). */
static int
is_format(unsigned long cp)
{
	return cp == 0x00ad || cp == 0x061c || cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

size_t
safetext_next(const char *s, int *printable)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	unsigned long cp;
	size_t n, i;

	*printable = 0;
	if (p[0] < 0x80) {
		*printable = p[0] >= 0x20 && p[0] != 0x7f;
		return 1;
	}
	/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 1;
	}
	for (i = 1; i < n; i++) {
		if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
			return 1; /* also stops at the NUL */
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*printable = !(cp >= 0x80 && cp <= 0x9f) && !is_format(cp);
	return n;
}

const char *
safetext_escape(const char *s, size_t max, char *buf, size_t size)
{
	size_t o = 0, n, i, need;
	int ok;

	if (size < 8)
		return buf[0] = '\0', buf;
	/* Room for "..." and the NUL, whatever max says. */
	if (max > size - 4)
		max = size - 4;
	while (*s != '\0') {
		n = safetext_next(s, &ok);
		need = ok ? n : 4 * n;
		if (o + need > max) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ok) {
			memcpy(buf + o, s, n);
			o += n;
		} else {
			for (i = 0; i < n; i++)
				o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
						      (unsigned char)s[i]);
		}
		s += n;
	}
	buf[o] = '\0';
	return buf;
}

char *
safetext_json(const json_t *j, size_t flags)
{
	char *s, *out;
	size_t n = 0, len, i, o = 0;

	if ((s = json_dumps(j, flags | JSON_ENSURE_ASCII)) == NULL)
		return NULL;
	len = strlen(s);
	for (i = 0; i < len; i++)
		n += s[i] == 0x7f;
	if (n == 0)
		return s;
	/* DEL can only be inside a string, where \u007F means the same. */
	if ((out = malloc(len + 5 * n + 1)) == NULL) {
		free(s);
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == 0x7f) {
			memcpy(out + o, "\\u007F", 6);
			o += 6;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	free(s);
	return out;
}
