/* SPDX-License-Identifier: MIT */
/* sonde export --format sqlite (export-sqlite.c; only in a sonde built with
 * SQLite: SONDE_HAVE_SQLITE). */
#ifndef SONDE_TOOLS_EXPORT_SQLITE_H
#define SONDE_TOOLS_EXPORT_SQLITE_H

struct sonde__reader;

/*
 * Write the trace of @r (read from @dir) as the SQLite database @out:
 * a new file, or with @force a regular file replaced.  Exit status: 0, or
 * 1 after an error line.
 */
int cli_export_sqlite(struct sonde__reader *r, const char *dir,
		      const char *out, int force);

#endif
