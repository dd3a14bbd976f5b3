/* SPDX-License-Identifier: MIT */
/* The compat test app's own types, as an LTTng-UST application has them. */
#ifndef COMPAT_APP_H
#define COMPAT_APP_H

#include <stdint.h>

struct compat_req {
	const char *path;
	const char *body;
	uint16_t body_len;
	uint32_t addr;
	int secret;
};

void compat_other_tu(int n);

#endif
