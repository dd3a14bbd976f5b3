// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the control protocol, which the session daemon and
 * every traced process must not trust: message framing and decoding
 * (sonde__msg_decode) and the daemon's command parser (sonde__cmd_parse),
 * fed with the strings of any message that decodes.  A decoded message is
 * also checked against the bytes it came from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/control/command.h"
#include "../../src/control/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sonde__msg m;
	struct sonde__cmd c;
	char err[512];
	size_t total = 0;

	if (sonde__msg_decode(data, size, &m))
		return 0;
	/* Every string lies inside the payload, NUL-terminated, in order. */
	for (uint32_t i = 0; i < m.argc; i++) {
		const char *p = m.argv[i];

		if (p != (const char *)data + sizeof(m.h) + total)
			abort();
		total += strlen(p) + 1;
	}
	if (total != m.h.len)
		abort();
	if (!sonde__cmd_parse(m.argc, m.argv, &c, err, sizeof(err))) {
		if (!c.verb || c.npatterns > SONDE__CMD_PATTERNS_MAX ||
		    !memchr(c.session, 0, sizeof(c.session)) ||
		    !memchr(c.dir, 0, sizeof(c.dir)))
			abort();
	} else if (!memchr(err, 0, sizeof(err)) || !err[0]) {
		abort(); /* a refusal always says why */
	}
	return 0;
}
