/* SPDX-License-Identifier: MIT */
/* Emitters of test-multi-tu, one per translation unit / shared object. */
#ifndef TEST_MULTI_TU_H
#define TEST_MULTI_TU_H

#include <stdint.h>

/* test-multi-tu-b.c (same executable as main). */
void multitu_emit_b(int32_t n);
int multitu_enabled_b(void);

/* test-multi-tu-lib.c (shared library). */
__attribute__((visibility("default"))) void multitu_emit_lib(int32_t n);
__attribute__((visibility("default"))) int multitu_enabled_lib(void);

#endif
