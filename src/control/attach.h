/* SPDX-License-Identifier: MIT */
/* Attaching an instrumented process to a recording session. */
#ifndef SONDE_SRC_CONTROL_ATTACH_H
#define SONDE_SRC_CONTROL_ATTACH_H

#include "../common/common.h"

/* Environment variable naming the session's shared-memory file. */
#define SONDE_SHM_ENV "SONDE_SHM"

/* Map the session named by $SONDE_SHM, once; no-op without it. */
SONDE_HIDDEN void sonde__attach(void);

#endif
