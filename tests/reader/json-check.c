// SPDX-License-Identifier: MIT
/* json-check FILE: exit 0 iff FILE is one valid JSON value (RFC 8259). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *p, *e;
static int depth;

static void ws(void)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
}

static int value(void);

static int string(void)
{
	if (p >= e || *p != '"')
		return 0;
	for (p++; p < e && *p != '"'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20)
			return 0;
		if (c == '\\') {
			p++;
			if (p >= e)
				return 0;
			if (*p == 'u') {
				for (int i = 0; i < 4; i++)
					if (++p >= e || !strchr("0123456789abcdefABCDEF", *p))
						return 0;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return 0;
			}
		}
	}
	if (p >= e)
		return 0;
	p++;
	return 1;
}

static int digits(void)
{
	const char *s = p;

	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p > s;
}

static int number(void)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (!digits())
		return 0;
	if (p < e && *p == '.') {
		p++;
		if (!digits())
			return 0;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!digits())
			return 0;
	}
	return 1;
}

static int lit(const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(e - p) < n || memcmp(p, s, n))
		return 0;
	p += n;
	return 1;
}

static int value(void)
{
	int ok = 1;

	if (++depth > 512)
		return 0;
	ws();
	if (p >= e)
		return 0;
	if (*p == '{') {
		p++;
		ws();
		if (p < e && *p == '}') {
			p++;
		} else {
			for (;;) {
				ws();
				if (!string())
					return 0;
				ws();
				if (p >= e || *p++ != ':' || !value())
					return 0;
				ws();
				if (p < e && *p == ',') {
					p++;
					continue;
				}
				if (p < e && *p == '}') {
					p++;
					break;
				}
				return 0;
			}
		}
	} else if (*p == '[') {
		p++;
		ws();
		if (p < e && *p == ']') {
			p++;
		} else {
			for (;;) {
				if (!value())
					return 0;
				ws();
				if (p < e && *p == ',') {
					p++;
					continue;
				}
				if (p < e && *p == ']') {
					p++;
					break;
				}
				return 0;
			}
		}
	} else if (*p == '"') {
		ok = string();
	} else if (*p == 't') {
		ok = lit("true");
	} else if (*p == 'f') {
		ok = lit("false");
	} else if (*p == 'n') {
		ok = lit("null");
	} else {
		ok = number();
	}
	depth--;
	return ok;
}

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	static char buf[1 << 26];
	size_t n;

	if (!f) {
		fprintf(stderr, "usage: json-check FILE\n");
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	p = buf;
	e = buf + n;
	if (!value())
		goto bad;
	ws();
	if (p != e)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "json-check: %s: invalid JSON at byte %ld\n", argv[1],
		(long)(p - buf));
	return 1;
}
