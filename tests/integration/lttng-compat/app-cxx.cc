// SPDX-License-Identifier: MIT
/* The compat app's main source, unchanged, built as C++. */
#include "app.c"
