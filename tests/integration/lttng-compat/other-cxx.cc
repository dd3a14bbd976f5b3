// SPDX-License-Identifier: MIT
/* The compat app's second source, unchanged, built as C++. */
#include "other.c"
