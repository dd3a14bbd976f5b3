// SPDX-License-Identifier: MIT
/*
 * sonde export --format sqlite DIR -o FILE: the trace as a SQLite database,
 * for sqlite3, Python or pandas (doc/man/sonde-export.1 lists the schema).
 *
 *   events(id, ts, cpu, pid, tid, name, stream)   every event
 *   <class>(id, ts, cpu, pid, tid, <fields>)      one table per event class,
 *                                                 fields as typed columns,
 *                                                 id = events.id
 *   classes(id, name, stream_class, event_id, table_name)
 *   slices(id, ts, dur, pid, tid, name, depth, begin_id, end_id,
 *          begin_<field>..., end_<field>...)      matched begin/end pairs
 *   threads(tid, pid, first_ts, last_ts, events)
 *   processes(pid, name, first_ts, last_ts, threads)
 *   lost(id, stream, stream_name, cpu, begin_ts, end_ts, count)
 *   trace(key, value)
 *
 * Times are ns since the epoch.  Integers are INTEGER (an unsigned value
 * above 2^63 - 1 is stored as its two's-complement int64, as SQLite has no
 * wider integer; an enumeration as its integer value), floats REAL,
 * strings and text arrays TEXT, other arrays and sequences TEXT holding
 * their JSON.  Pairs are matched as sonde stats matches them
 * (per thread, innermost first); depth is the number of slices of the
 * thread open at the begin.
 *
 * Speed: one transaction; one prepared statement per table, bound and
 * stepped per row; the indexes (ts and name of events and slices) made
 * after the rows; no journal and no sync until the end (a failed run
 * leaves no file, so there is nothing to recover).
 *
 * Trust boundaries: the output path is the user's, in a directory others
 * may share (src/common/fs.c says what must hold): an existing file is
 * replaced only when it is a regular file and --force is given, a
 * symbolic link never; the database is written to a private temporary
 * created with O_EXCL in the same directory and renamed into place
 * (RENAME_NOREPLACE without --force).  SQLite opens files by name, so
 * after it opened the temporary we check that the file it holds is the one
 * we created.  Names of classes and fields come from the trace's metadata:
 * they reach SQL only as quoted identifiers (%w), never as SQL text.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd.h"
#include "export-sqlite.h"
#include "field-value.h"
#include "read-util.h"

struct xs_cls {
	char *table;          /* its table's name */
	sqlite3_stmt *ins;
	unsigned char role;   /* 1 begin, 2 end of a pair */
	uint32_t pair;
};

/* A begin waiting for its end. */
struct xs_open {
	const uint8_t *p;
	uint32_t len;
	int64_t id;
	uint32_t depth;
	uint32_t next_free;
};

struct xs_thr {
	int32_t tid, pid;
	int used;
	uint32_t open;        /* slices open now */
	int64_t first, last;
	uint64_t events;
};

struct xs {
	sqlite3 *db;
	const struct sonde__rd_meta *m;
	const char *out;
	struct xs_cls *cls;
	unsigned char *role;
	uint32_t *partner;
	size_t *base;         /* a pair's name: this much of its classes' */
	sqlite3_stmt **slice_ins; /* per pair (indexed by its begin class) */
	sqlite3_stmt *ev_ins, *lost_ins;
	struct ru_slots slots;
	struct xs_open *open;
	size_t nopen, copen;
	uint32_t free_open;
	struct xs_thr *thr;
	size_t nthr, cthr;
	struct sonde__obuf tmp;
	int64_t nev, nslices;
	uint64_t lost;
};

static int sql_fail(struct xs *x, const char *what)
{
	cli_error("%s: SQLite: %s: %s", x->out, what, sqlite3_errmsg(x->db));
	return -1;
}

static int exec(struct xs *x, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(x->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		cli_error("%s: SQLite: %s", x->out, err ? err : "error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Run and free the statement built in @s (NULL: out of memory). */
static int exec_str(struct xs *x, sqlite3_str *s)
{
	char *sql = sqlite3_str_finish(s);
	int r;

	if (!sql) {
		cli_error("out of memory");
		return -1;
	}
	r = exec(x, sql);
	sqlite3_free(sql);
	return r;
}

static int prepare_str(struct xs *x, sqlite3_str *s, sqlite3_stmt **st)
{
	char *sql = sqlite3_str_finish(s);
	int r;

	if (!sql) {
		cli_error("out of memory");
		return -1;
	}
	r = sqlite3_prepare_v3(x->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL);
	sqlite3_free(sql);
	return r == SQLITE_OK ? 0 : sql_fail(x, "prepare");
}

static const char *col_type(const struct sonde__rd_field *f)
{
	switch (f->kind) {
	case SONDE_RD_INT:
		return "INTEGER";
	case SONDE_RD_FLOAT:
		return "REAL";
	default:
		return "TEXT";
	}
}

/* Names SQLite compares without case; the built-in tables' among them. */
static int name_taken(const struct xs *x, uint32_t upto, const char *n)
{
	static const char *const builtin[] = {
		"events", "classes", "slices", "threads", "processes", "lost",
		"trace", NULL,
	};

	for (int i = 0; builtin[i]; i++)
		if (!strcasecmp(n, builtin[i]))
			return 1;
	if (!strncasecmp(n, "sqlite_", 7))
		return 1;
	for (uint32_t i = 0; i < upto; i++)
		if (!strcasecmp(n, x->cls[i].table))
			return 1;
	return 0;
}

/* A class's table name: its name with [^A-Za-z0-9_] as '_', made unique. */
static int table_name(struct xs *x, uint32_t i)
{
	const char *n = x->m->all[i]->name;
	size_t len = strlen(n);
	char *t = malloc(len + 16);

	if (!t)
		return -ENOMEM;
	for (size_t k = 0; k <= len; k++) {
		char c = n[k];

		t[k] = (!c || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_')
			       ? c
			       : '_';
	}
	if (!len || name_taken(x, i, t) || (t[0] >= '0' && t[0] <= '9'))
		snprintf(t + len, 16, "_%" PRIu32, i);
	x->cls[i].table = t;
	return 0;
}

/*
 * Whether field @f's column would clash with a fixed column: id, ts, cpu,
 * pid, tid of a class table (@prefix ""), begin_id or end_id of slices.
 */
static int col_clash(const char *prefix, const struct sonde__rd_field *f)
{
	static const char *const fixed[] = { "id", "ts", "cpu", "pid", "tid",
					     NULL };
	int clash = !strcasecmp(f->name, "id");

	for (int i = 1; !*prefix && fixed[i]; i++)
		clash |= !strcasecmp(f->name, fixed[i]);
	return clash;
}

/* A field's column name: PREFIX NAME, or PREFIX f_NAME where it would
 * clash. */
static void put_col(sqlite3_str *s, const char *prefix,
		    const struct sonde__rd_field *f)
{
	sqlite3_str_appendf(s, "\"%w%w%w\"", prefix,
			    col_clash(prefix, f) ? "f_" : "", f->name);
}

static int create_schema(struct xs *x)
{
	const struct sonde__rd_meta *m = x->m;
	sqlite3_str *s;

	if (exec(x, "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, cpu INTEGER, pid INTEGER, tid INTEGER, name TEXT NOT NULL, stream INTEGER);"
		    "CREATE TABLE classes(id INTEGER PRIMARY KEY, name TEXT NOT NULL, stream_class INTEGER, event_id INTEGER, table_name TEXT NOT NULL);"
		    "CREATE TABLE threads(tid INTEGER, pid INTEGER, first_ts INTEGER, last_ts INTEGER, events INTEGER);"
		    "CREATE TABLE processes(pid INTEGER PRIMARY KEY, name TEXT, first_ts INTEGER, last_ts INTEGER, threads INTEGER);"
		    "CREATE TABLE lost(id INTEGER PRIMARY KEY, stream INTEGER, stream_name TEXT, cpu INTEGER, begin_ts INTEGER, end_ts INTEGER, count INTEGER);"
		    "CREATE TABLE trace(key TEXT PRIMARY KEY, value);"))
		return -1;
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		const struct sonde__rd_class *c = m->all[i];

		if (table_name(x, i)) {
			cli_error("out of memory");
			return -1;
		}
		s = sqlite3_str_new(x->db);
		sqlite3_str_appendf(s, "CREATE TABLE \"%w\"(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, cpu INTEGER, pid INTEGER, tid INTEGER",
				    x->cls[i].table);
		for (uint32_t k = 0; k < c->nr_fields; k++) {
			sqlite3_str_appendall(s, ", ");
			put_col(s, "", &c->fields[k]);
			sqlite3_str_appendf(s, " %s", col_type(&c->fields[k]));
		}
		sqlite3_str_appendf(s, "); INSERT INTO classes VALUES(%u, %Q, %u, %u, %Q);",
				    i, c->name, c->stream_id, c->id,
				    x->cls[i].table);
		if (exec_str(x, s))
			return -1;
		s = sqlite3_str_new(x->db);
		sqlite3_str_appendf(s, "INSERT INTO \"%w\" VALUES(?, ?, ?, ?, ?",
				    x->cls[i].table);
		for (uint32_t k = 0; k < c->nr_fields; k++)
			sqlite3_str_appendall(s, ", ?");
		sqlite3_str_appendall(s, ")");
		if (prepare_str(x, s, &x->cls[i].ins))
			return -1;
	}
	return 0;
}

/*
 * slices: the fixed columns, then begin_F and end_F for every field F of
 * the begin and end classes of any pair (the first pair that has F gives
 * its type); one INSERT per pair naming its own columns.
 */
static int create_slices(struct xs *x)
{
	const struct sonde__rd_meta *m = x->m;
	sqlite3_str *s = sqlite3_str_new(x->db);
	char **cols = NULL;
	size_t ncols = 0, ccols = 0;
	int r = -1;

	sqlite3_str_appendall(s, "CREATE TABLE slices(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, dur INTEGER NOT NULL, pid INTEGER, tid INTEGER, name TEXT NOT NULL, depth INTEGER, begin_id INTEGER, end_id INTEGER");
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		const struct sonde__rd_class *c = m->all[i];
		const char *pre = x->role[i] == 1 ? "begin_" : "end_";

		if (!x->role[i])
			continue;
		for (uint32_t k = 0; k < c->nr_fields; k++) {
			char *n = sqlite3_mprintf("%s%s%s", pre,
						  col_clash(pre, &c->fields[k]) ? "f_" : "",
						  c->fields[k].name);
			int dup = 0;

			if (!n)
				goto out;
			for (size_t j = 0; j < ncols && !dup; j++)
				dup = !strcasecmp(cols[j], n);
			if (dup) {
				sqlite3_free(n);
				continue;
			}
			if (ru_grow(&cols, &ccols, ncols, sizeof(*cols), 16)) {
				sqlite3_free(n);
				goto out;
			}
			cols[ncols++] = n;
			sqlite3_str_appendf(s, ", \"%w\" %s", n,
					    col_type(&c->fields[k]));
		}
	}
	sqlite3_str_appendall(s, ")");
	r = exec_str(x, s);
	s = NULL;
	for (uint32_t i = 0; !r && i < m->nr_classes; i++) {
		const struct sonde__rd_class *b = m->all[i], *e;

		if (x->role[i] != 1)
			continue;
		e = m->all[x->partner[i]];
		s = sqlite3_str_new(x->db);
		sqlite3_str_appendall(s, "INSERT INTO slices(ts, dur, pid, tid, name, depth, begin_id, end_id");
		for (uint32_t k = 0; k < b->nr_fields; k++) {
			sqlite3_str_appendall(s, ", ");
			put_col(s, "begin_", &b->fields[k]);
		}
		for (uint32_t k = 0; k < e->nr_fields; k++) {
			sqlite3_str_appendall(s, ", ");
			put_col(s, "end_", &e->fields[k]);
		}
		sqlite3_str_appendall(s, ") VALUES(?, ?, ?, ?, ?, ?, ?, ?");
		for (uint32_t k = 0; k < b->nr_fields + e->nr_fields; k++)
			sqlite3_str_appendall(s, ", ?");
		sqlite3_str_appendall(s, ")");
		r = prepare_str(x, s, &x->slice_ins[i]);
		s = NULL;
	}
out:
	if (s)
		sqlite3_free(sqlite3_str_finish(s));
	for (size_t j = 0; j < ncols; j++)
		sqlite3_free(cols[j]);
	free(cols);
	return r;
}

/* Field @i of @c at @v as its JSON text (NULL when too large). */
static int bind_json(struct xs *x, sqlite3_stmt *st, int col,
		     const struct sonde__rd_class *c, uint32_t i,
		     const uint8_t *v)
{
	if (fv_format(&x->tmp, c, i, v, 1))
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, x->tmp.buf, (int)x->tmp.len,
				 SQLITE_TRANSIENT);
}

/* Bind the fields of payload @p (@len bytes) of @c from parameter @col. */
static int bind_fields(struct xs *x, sqlite3_stmt *st, int col,
		       const struct sonde__rd_class *c, const uint8_t *p,
		       size_t len)
{
	size_t off = 0;

	for (uint32_t i = 0; i < c->nr_fields; i++, col++) {
		const struct sonde__rd_field *f = &c->fields[i];
		int64_t n = fv_size_at(c, i, p + off, len - off);
		uint64_t v;
		double d;
		int r;

		if (n < 0)
			return SQLITE_CORRUPT;
		switch (f->kind) {
		case SONDE_RD_INT:
			/* an enumeration too: its integer value */
			v = sonde__rd_field_load(f, p + off);
			r = sqlite3_bind_int64(st, col,
					       f->is_signed ? sonde__rd_sext(v, f->size)
							    : (int64_t)v);
			break;
		case SONDE_RD_FLOAT:
			if (f->size == 4) {
				float fl;

				memcpy(&fl, p + off, 4);
				d = fl;
			} else {
				memcpy(&d, p + off, 8);
			}
			r = sqlite3_bind_double(st, col, d);
			break;
		case SONDE_RD_STRING:
			/* the mapped file outlives the statement's step */
			r = sqlite3_bind_text(st, col, (const char *)p + off,
					      n ? (int)n - 1 : 0, SQLITE_STATIC);
			break;
		case SONDE_RD_ARRAY:
		case SONDE_RD_SEQUENCE:
			if (f->is_text) {
				/* text: the bytes up to the first NUL */
				r = sqlite3_bind_text(st, col, (const char *)p + off,
						      (int)strnlen((const char *)p + off,
								   (size_t)n),
						      SQLITE_STATIC);
				break;
			}
			r = bind_json(x, st, col, c, i, p + off);
			break;
		default:
			r = bind_json(x, st, col, c, i, p + off);
		}
		if (r != SQLITE_OK)
			return r;
		off += (size_t)n;
	}
	return SQLITE_OK;
}

static int step(struct xs *x, sqlite3_stmt *st, const char *what)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sql_fail(x, what);
	return 0;
}

static void bind_id(sqlite3_stmt *st, int col, int32_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, v);
}

/* The thread @tid (created); NULL when out of memory. */
static struct xs_thr *thread_get(struct xs *x, int32_t tid)
{
	size_t h;

	if ((x->nthr + 1) * 2 > x->cthr) {
		size_t nc = x->cthr ? x->cthr * 2 : 64;
		struct xs_thr *n = calloc(nc, sizeof(*n));

		if (!n)
			return NULL;
		for (size_t i = 0; i < x->cthr; i++) {
			if (!x->thr[i].used)
				continue;
			h = ((uint32_t)x->thr[i].tid * 2654435761u) & (nc - 1);
			while (n[h].used)
				h = (h + 1) & (nc - 1);
			n[h] = x->thr[i];
		}
		free(x->thr);
		x->thr = n;
		x->cthr = nc;
	}
	h = ((uint32_t)tid * 2654435761u) & (x->cthr - 1);
	while (x->thr[h].used && x->thr[h].tid != tid)
		h = (h + 1) & (x->cthr - 1);
	if (!x->thr[h].used) {
		x->thr[h].used = 1;
		x->thr[h].tid = tid;
		x->nthr++;
	}
	return &x->thr[h];
}

static int slice_end(struct xs *x, const struct sonde__rd_event *ev,
		     struct xs_thr *t, uint32_t bi)
{
	struct ru_slot *sl = ru_slot_get(&x->slots, (uint32_t)ev->tid, bi);
	const struct sonde__rd_class *b = x->m->all[bi];
	sqlite3_stmt *st = x->slice_ins[bi];
	struct xs_open *o;
	int64_t bns;
	uint32_t tag;

	if (!sl)
		return -ENOMEM;
	if (!sl->n)
		return 0;	/* an end without its begin */
	sl->n--;
	bns = sl->st[sl->n].ns;
	tag = sl->st[sl->n].depth;
	o = &x->open[tag];
	if (t->open)
		t->open--;
	sqlite3_bind_int64(st, 1, bns);
	sqlite3_bind_int64(st, 2, ev->ns - bns);
	bind_id(st, 3, ev->pid);
	bind_id(st, 4, ev->tid);
	sqlite3_bind_text(st, 5, b->name, (int)x->base[bi], SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, o->depth);
	sqlite3_bind_int64(st, 7, o->id);
	sqlite3_bind_int64(st, 8, x->nev);
	if (bind_fields(x, st, 9, b, o->p, o->len) != SQLITE_OK ||
	    bind_fields(x, st, 9 + (int)b->nr_fields, ev->cls, ev->payload,
			ev->len) != SQLITE_OK)
		return sql_fail(x, "slices");
	o->next_free = x->free_open;
	x->free_open = tag;
	x->nslices++;
	return step(x, st, "slices");
}

static int slice_begin(struct xs *x, const struct sonde__rd_event *ev,
		       struct xs_thr *t)
{
	struct ru_slot *sl = ru_slot_get(&x->slots, (uint32_t)ev->tid,
					 ev->cls->index);
	uint32_t tag;

	if (!sl)
		return -ENOMEM;
	if (x->free_open != UINT32_MAX) {
		tag = x->free_open;
		x->free_open = x->open[tag].next_free;
	} else {
		if (x->nopen >= UINT32_MAX - 1 ||
		    ru_grow(&x->open, &x->copen, x->nopen, sizeof(*x->open), 256))
			return -ENOMEM;
		tag = (uint32_t)x->nopen++;
	}
	x->open[tag].p = ev->payload;
	x->open[tag].len = ev->len;
	x->open[tag].id = x->nev;
	x->open[tag].depth = t->open++;
	return ru_slot_push(sl, ev->ns, tag);
}

static int one_event(struct xs *x, const struct sonde__rd_event *ev)
{
	const struct sonde__rd_class *c = ev->cls;
	struct xs_cls *xc = &x->cls[c->index];
	sqlite3_stmt *st = x->ev_ins;
	struct xs_thr *t;
	int r;

	x->nev++;
	sqlite3_bind_int64(st, 1, x->nev);
	sqlite3_bind_int64(st, 2, ev->ns);
	sqlite3_bind_int64(st, 3, ev->cpu);
	bind_id(st, 4, ev->pid);
	bind_id(st, 5, ev->tid);
	sqlite3_bind_text(st, 6, c->name, (int)c->name_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, ev->stream);
	if (step(x, st, "events"))
		return -1;
	st = xc->ins;
	sqlite3_bind_int64(st, 1, x->nev);
	sqlite3_bind_int64(st, 2, ev->ns);
	sqlite3_bind_int64(st, 3, ev->cpu);
	bind_id(st, 4, ev->pid);
	bind_id(st, 5, ev->tid);
	if (bind_fields(x, st, 6, c, ev->payload, ev->len) != SQLITE_OK)
		return sql_fail(x, xc->table);
	if (step(x, st, xc->table))
		return -1;
	t = thread_get(x, ev->tid);
	if (!t)
		return -ENOMEM;
	if (!t->events++)
		t->first = ev->ns;
	t->last = ev->ns;
	t->pid = ev->pid;
	if (x->role[c->index] == 1)
		r = slice_begin(x, ev, t);
	else if (x->role[c->index] == 2)
		r = slice_end(x, ev, t, x->partner[c->index]);
	else
		r = 0;
	if (r == -ENOMEM)
		cli_error("out of memory");
	return r ? -1 : 0;
}

static int one_loss(struct xs *x, struct sonde__reader *r,
		    const struct sonde__rd_event *ev)
{
	const struct sonde__rd_stream *s = sonde__reader_stream(r, ev->stream);
	sqlite3_stmt *st = x->lost_ins;

	sqlite3_bind_int64(st, 1, ev->stream);
	sqlite3_bind_text(st, 2, s ? s->name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, ev->cpu);
	sqlite3_bind_int64(st, 4, sonde__rd_ns(x->m, ev->disc_begin));
	sqlite3_bind_int64(st, 5, sonde__rd_ns(x->m, ev->disc_end));
	sqlite3_bind_int64(st, 6, (int64_t)ev->discarded);
	x->lost += ev->discarded;
	return step(x, st, "lost");
}

/* threads, processes and trace, once every event is in. */
static int finish_tables(struct xs *x, const char *dir)
{
	const struct sonde__rd_meta *m = x->m;
	sqlite3_stmt *st;
	sqlite3_str *s;

	if (sqlite3_prepare_v2(x->db, "INSERT INTO threads VALUES(?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(x, "threads");
	for (size_t i = 0; i < x->cthr; i++) {
		const struct xs_thr *t = &x->thr[i];

		if (!t->used)
			continue;
		bind_id(st, 1, t->tid);
		bind_id(st, 2, t->pid);
		sqlite3_bind_int64(st, 3, t->first);
		sqlite3_bind_int64(st, 4, t->last);
		sqlite3_bind_int64(st, 5, (int64_t)t->events);
		if (step(x, st, "threads")) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	s = sqlite3_str_new(x->db);
	sqlite3_str_appendf(s,
			    "INSERT INTO processes SELECT pid, CASE WHEN pid = %lld THEN %Q END,"
			    " min(first_ts), max(last_ts), count(*) FROM threads WHERE pid IS NOT NULL GROUP BY pid;",
			    (long long)m->vpid,
			    m->procname && m->procname[0] ? m->procname : NULL);
	sqlite3_str_appendf(s,
			    "INSERT INTO trace VALUES('source', %Q), ('hostname', %Q), ('procname', %Q),"
			    " ('vpid', %lld), ('clock', %Q), ('clock_freq', %lld), ('events', %lld),"
			    " ('lost', %lld), ('slices', %lld);",
			    dir, m->hostname ? m->hostname : "",
			    m->procname ? m->procname : "", (long long)m->vpid,
			    m->clock_name ? m->clock_name : "",
			    (long long)m->freq, (long long)x->nev,
			    (long long)x->lost, (long long)x->nslices);
	sqlite3_str_appendall(s,
			      "CREATE INDEX events_ts ON events(ts);"
			      "CREATE INDEX events_name ON events(name);"
			      "CREATE INDEX slices_ts ON slices(ts);"
			      "CREATE INDEX slices_name ON slices(name);");
	return exec_str(x, s);
}

/*
 * Whether SQLite holds the file we created at @fd: some other descriptor
 * of this process on the same inode.
 */
static int holds_ours(int fd)
{
	struct stat a, b;
	struct dirent *d;
	DIR *dp;
	int found = 0;

	if (fstat(fd, &a))
		return 0;
	dp = opendir("/proc/self/fd");
	if (!dp)
		return 0;
	while (!found && (d = readdir(dp))) {
		char *e;
		long n = strtol(d->d_name, &e, 10);

		if (*e || e == d->d_name || n == fd || n == dirfd(dp))
			continue;
		found = !fstat((int)n, &b) && b.st_dev == a.st_dev &&
			b.st_ino == a.st_ino;
	}
	closedir(dp);
	return found;
}

static int write_db(struct xs *x, struct sonde__reader *r, const char *dir)
{
	const struct sonde__rd_meta *m = x->m;
	struct sonde__rd_event ev;
	int n;

	/* No journal, no sync: a failed run leaves no file.  64 KiB pages
	 * (the largest: fewer b-tree splits, a quarter less time than 4 KiB
	 * measured on bulk inserts) and a 64 MiB page cache for the index
	 * builds at the end. */
	if (exec(x, "PRAGMA page_size = 65536; PRAGMA journal_mode = OFF;"
		    "PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;"
		    "PRAGMA cache_size = -65536; BEGIN;"))
		return -1;
	x->cls = calloc(m->nr_classes + 1, sizeof(*x->cls));
	x->role = calloc(m->nr_classes + 1, 1);
	x->partner = calloc(m->nr_classes + 1, sizeof(*x->partner));
	x->slice_ins = calloc(m->nr_classes + 1, sizeof(*x->slice_ins));
	x->base = calloc(m->nr_classes + 1, sizeof(*x->base));
	if (!x->cls || !x->role || !x->partner || !x->slice_ins || !x->base ||
	    sonde__ob_init(&x->tmp, -1)) {
		cli_error("out of memory");
		return -1;
	}
	ru_pairs(m, x->role, x->partner);
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		x->base[i] = m->all[i]->name_len;
		if (x->role[i])
			ru_split_role(m->all[i]->name, &x->base[i]);
	}
	if (create_schema(x) || create_slices(x))
		return -1;
	if (sqlite3_prepare_v3(x->db, "INSERT INTO events VALUES(?, ?, ?, ?, ?, ?, ?)",
			       -1, SQLITE_PREPARE_PERSISTENT, &x->ev_ins,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(x->db, "INSERT INTO lost(stream, stream_name, cpu, begin_ts, end_ts, count) VALUES(?, ?, ?, ?, ?, ?)",
			       -1, SQLITE_PREPARE_PERSISTENT, &x->lost_ins,
			       NULL) != SQLITE_OK)
		return sql_fail(x, "prepare");
	while ((n = sonde__reader_next(r, &ev)) > 0) {
		if (ev.kind == SONDE_RD_EV_DISCARDED ? one_loss(x, r, &ev)
						     : one_event(x, &ev))
			return -1;
	}
	if (n < 0) {
		cli_error("%s", sonde__reader_error(r));
		return -1;
	}
	if (finish_tables(x, dir) || exec(x, "COMMIT;"))
		return -1;
	return 0;
}

static void xs_free(struct xs *x)
{
	if (x->cls)
		for (uint32_t i = 0; i < x->m->nr_classes; i++) {
			sqlite3_finalize(x->cls[i].ins);
			free(x->cls[i].table);
		}
	if (x->slice_ins)
		for (uint32_t i = 0; i < x->m->nr_classes; i++)
			sqlite3_finalize(x->slice_ins[i]);
	sqlite3_finalize(x->ev_ins);
	sqlite3_finalize(x->lost_ins);
	free(x->cls);
	free(x->role);
	free(x->partner);
	free(x->slice_ins);
	free(x->base);
	free(x->open);
	free(x->thr);
	ru_slots_free(&x->slots);
	sonde__ob_free(&x->tmp);
}

/*
 * Where the database goes: @dfd (opened here) holds @out, whose last
 * component goes to @base.  0, or -1 after a message when @out is there and
 * may not be replaced.
 */
static int check_output(const char *out, int force, char *base, size_t n,
			int *dfd)
{
	struct stat st;

	*dfd = sonde__open_parent(out, base, n);
	if (*dfd < 0) {
		cli_error("%s: %s", out, strerror(-*dfd));
		return -1;
	}
	if (fstatat(*dfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		cli_error("%s: %s", out, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		cli_error("%s: not written: it is a symbolic link; give the file it points to", out);
	else if (!S_ISREG(st.st_mode))
		cli_error("%s: not written: it exists and is not a regular file", out);
	else if (!force)
		cli_error("%s: not written: it exists; give --force to replace it", out);
	else
		return 0;
	return -1;
}

int cli_export_sqlite(struct sonde__reader *r, const char *dir,
		      const char *out, int force)
{
	struct sonde__tmpfile t = { .dirfd = -1, .fd = -1 };
	struct xs x = { .m = sonde__reader_meta(r), .out = out,
			.free_open = UINT32_MAX };
	char base[NAME_MAX + 1], *path = NULL;
	const char *slash;
	int dfd = -1, ret = 1, e;

	if (!out)
		return cli_error("export: --format sqlite needs -o FILE (a database is not written to standard output)");
	if (check_output(out, force, base, sizeof(base), &dfd))
		goto out;
	e = sonde__tmpfile_open(&t, dfd, base, 0666);
	if (e) {
		cli_error("%s: %s", out, strerror(-e));
		goto out;
	}
	/* SQLite opens by name: the temporary's, in the directory @out names. */
	slash = strrchr(out, '/');
	path = slash ? sqlite3_mprintf("%.*s/%s", (int)(slash - out), out, t.tmp)
		     : sqlite3_mprintf("%s", t.tmp);
	if (!path) {
		cli_error("out of memory");
		goto out;
	}
	/* One thread uses this connection: no mutexes. */
	if (sqlite3_open_v2(path, &x.db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) !=
	    SQLITE_OK) {
		cli_error("%s: SQLite: %s", out,
			  x.db ? sqlite3_errmsg(x.db) : "out of memory");
		goto out;
	}
	if (!holds_ours(t.fd)) {
		cli_error("%s: not written: the directory changed while the database was opened", out);
		goto out;
	}
	if (write_db(&x, r, dir))
		goto out;
	/* Statements first: a database with statements left does not close. */
	xs_free(&x);
	x.m = NULL;
	e = sqlite3_close(x.db);
	x.db = NULL;
	if (e != SQLITE_OK || fsync(t.fd)) {
		cli_error("%s: cannot finish the database: %s", out,
			  e != SQLITE_OK ? sqlite3_errstr(e) : strerror(errno));
		goto out;
	}
	close(t.fd);
	t.fd = -1;
	if (force) {
		e = sonde__tmpfile_commit(&t);
	} else {
		e = renameat2(dfd, t.tmp, dfd, t.name, RENAME_NOREPLACE) ? -errno : 0;
		if (!e)
			t.tmp[0] = '\0';
	}
	if (e == -EEXIST)
		cli_error("%s: not written: it appeared meanwhile; give --force to replace it", out);
	else if (e)
		cli_error("%s: %s", out, strerror(-e));
	else
		ret = 0;
out:
	if (x.m)
		xs_free(&x);
	if (x.db)
		sqlite3_close(x.db);
	sqlite3_free(path);
	if (t.tmp[0])
		sonde__tmpfile_abort(&t);
	if (dfd >= 0)
		close(dfd);
	return ret;
}
