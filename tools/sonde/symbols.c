// SPDX-License-Identifier: MIT
/*
 * Samples to symbols, for sonde stats and sonde report.  perf:mmap events
 * (the kernel's MMAP2 records, or /proc/PID/maps read at the start with
 * -a) say which file maps which addresses of which process; an ip of a
 * sample maps to the latest mapping of its process that holds it (or, for
 * a process forked without an mmap of its own in the trace, the latest
 * mapping of any process that holds it), then to a file offset (ip -
 * start + pgoff), then to the function holding it in the file's symbol
 * table (src/reader/elfsym.c).  Otherwise: "[kernel]" for a kernel
 * address, "[unknown]".  Like perf report --stdio --sort sym, dso.
 *
 * Trust boundary: the trace is untrusted, and so are the files it names:
 * they are read by the current user, only their ELF symbol tables, with
 * bounded reads (elfsym.c); a file that is gone or not ELF gives
 * "[unknown]" for the function and its base name for the object.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/reader/elfsym.h"
#include "symbols.h"

struct map {
	int32_t pid;
	uint64_t start, len, pgoff;
	uint32_t file; /* index into files */
};

struct file {
	char *path;
	int tried;
	struct sonde__elfsym *syms;
};

struct ip {
	int32_t pid;
	uint64_t ip;
	uint64_t n;
};

struct syms {
	struct map *maps;
	size_t nmaps, cmaps;
	struct file *files;
	size_t nfiles, cfiles;
	struct ip *ips; /* distinct (pid, ip) */
	size_t nips, cips;
	uint64_t samples;
	struct sym_row *rows;
	size_t nrows;
	/* (pid, ip) -> ips index, open addressing */
	uint32_t *hash;
	size_t hcap;
};

struct syms *syms_new(void)
{
	return calloc(1, sizeof(struct syms));
}

void syms_free(struct syms *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		sonde__elfsym_free(s->files[i].syms);
	}
	free(s->files);
	free(s->maps);
	free(s->ips);
	free(s->rows);
	free(s->hash);
	free(s);
}

/* Field @name of @ev: its offset in the payload, or -1.  Fields are
 * walked with the sizes the reader checked (the payload holds them). */
static long field_at(const struct sonde__rd_event *ev, const char *name,
		     const struct sonde__rd_field **fp)
{
	const struct sonde__rd_class *c = ev->cls;
	size_t off = 0;

	for (uint32_t i = 0; i < c->nr_fields; i++) {
		const struct sonde__rd_field *f = &c->fields[i];
		size_t n = 0;

		switch (f->kind) {
		case SONDE_RD_INT:
		case SONDE_RD_FLOAT:
			n = f->size;
			break;
		case SONDE_RD_STRING: {
			const uint8_t *nul = memchr(ev->payload + off, 0,
						    ev->len - off);

			if (!nul)
				return -1;
			n = (size_t)(nul - (ev->payload + off)) + 1;
			break;
		}
		case SONDE_RD_ARRAY:
			n = (size_t)f->size * f->count;
			break;
		case SONDE_RD_SEQUENCE:
			n = (size_t)sonde__rd_seq_len(c, i, ev->payload + off) *
			    f->size;
			break;
		}
		if (!strcmp(f->name, name)) {
			*fp = f;
			return (long)off;
		}
		if (n > ev->len - off)
			return -1;
		off += n;
	}
	return -1;
}

uint64_t ru_field_u64(const struct sonde__rd_event *ev, const char *name,
		      int *found)
{
	const struct sonde__rd_field *f;
	long off = field_at(ev, name, &f);

	if (found)
		*found = off >= 0 && f->kind == SONDE_RD_INT;
	if (off < 0 || f->kind != SONDE_RD_INT)
		return 0;
	return (uint64_t)sonde__rd_sext(sonde__rd_field_load(f, ev->payload + off),
					f->is_signed ? f->size : 8);
}

const char *ru_field_str(const struct sonde__rd_event *ev, const char *name)
{
	const struct sonde__rd_field *f;
	long off = field_at(ev, name, &f);

	if (off < 0 || f->kind != SONDE_RD_STRING)
		return NULL;
	return (const char *)ev->payload + off;
}

static int add_map(struct syms *s, const struct sonde__rd_event *ev)
{
	const char *path = ru_field_str(ev, "filename");
	struct map *m;
	size_t f;

	if (!path)
		return 0;
	for (f = 0; f < s->nfiles && strcmp(s->files[f].path, path); f++)
		;
	if (f == s->nfiles) {
		if (ru_grow(&s->files, &s->cfiles, s->nfiles, sizeof(*s->files), 16))
			return -ENOMEM;
		memset(&s->files[f], 0, sizeof(s->files[f]));
		s->files[f].path = strdup(path);
		if (!s->files[f].path)
			return -ENOMEM;
		s->nfiles++;
	}
	if (ru_grow(&s->maps, &s->cmaps, s->nmaps, sizeof(*s->maps), 64))
		return -ENOMEM;
	m = &s->maps[s->nmaps++];
	m->pid = (int32_t)ru_field_u64(ev, "pid", NULL);
	m->start = ru_field_u64(ev, "start", NULL);
	m->len = ru_field_u64(ev, "len", NULL);
	m->pgoff = ru_field_u64(ev, "pgoff", NULL);
	m->file = (uint32_t)f;
	return 0;
}

static size_t hslot(const struct syms *s, int32_t pid, uint64_t ip)
{
	uint64_t h = (ip ^ ((uint64_t)(uint32_t)pid << 40)) * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 20) & (s->hcap - 1);
}

static int rehash(struct syms *s)
{
	size_t cap = s->hcap ? s->hcap * 2 : 1024;
	uint32_t *h = malloc(cap * sizeof(*h));

	if (!h)
		return -ENOMEM;
	memset(h, 0xFF, cap * sizeof(*h));
	free(s->hash);
	s->hash = h;
	s->hcap = cap;
	for (size_t i = 0; i < s->nips; i++) {
		size_t k = hslot(s, s->ips[i].pid, s->ips[i].ip);

		while (h[k] != UINT32_MAX)
			k = (k + 1) & (cap - 1);
		h[k] = (uint32_t)i;
	}
	return 0;
}

static int add_sample(struct syms *s, const struct sonde__rd_event *ev)
{
	int32_t pid = (int32_t)ru_field_u64(ev, "pid", NULL);
	uint64_t ip = ru_field_u64(ev, "ip", NULL);
	size_t k;

	if ((s->nips + 1) * 2 > s->hcap && rehash(s))
		return -ENOMEM;
	for (k = hslot(s, pid, ip); s->hash[k] != UINT32_MAX;
	     k = (k + 1) & (s->hcap - 1)) {
		struct ip *x = &s->ips[s->hash[k]];

		if (x->pid == pid && x->ip == ip) {
			x->n++;
			s->samples++;
			return 0;
		}
	}
	if (ru_grow(&s->ips, &s->cips, s->nips, sizeof(*s->ips), 256))
		return -ENOMEM;
	s->ips[s->nips] = (struct ip){ pid, ip, 1 };
	s->hash[k] = (uint32_t)s->nips++;
	s->samples++;
	return 0;
}

int syms_event(struct syms *s, const struct sonde__rd_event *ev)
{
	if (ev->kind != SONDE_RD_EV_EVENT)
		return 0;
	if (!strcmp(ev->cls->name, "perf:mmap"))
		return add_map(s, ev);
	if (!strcmp(ev->cls->name, "perf:sample"))
		return add_sample(s, ev);
	return 0;
}

uint64_t syms_samples(const struct syms *s)
{
	return s->samples;
}

static const struct map *find_map(const struct syms *s, int32_t pid,
				  uint64_t ip)
{
	for (size_t i = s->nmaps; i--;)
		if (s->maps[i].pid == pid && ip - s->maps[i].start < s->maps[i].len)
			return &s->maps[i];
	for (size_t i = s->nmaps; i--;)
		if (ip - s->maps[i].start < s->maps[i].len)
			return &s->maps[i];
	return NULL;
}

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

static void resolve(struct syms *s, const struct ip *x, struct sym_row *row)
{
	const struct map *m = find_map(s, x->pid, x->ip);
	struct file *f;

	row->name = "[unknown]";
	row->object = "[unknown]";
	row->samples = x->n;
	if (x->ip >= 0xFFFF800000000000ull) {
		row->name = row->object = "[kernel]";
		return;
	}
	if (!m)
		return;
	f = &s->files[m->file];
	row->object = base_name(f->path);
	if (!f->tried) {
		f->tried = 1;
		if (f->path[0] == '/')
			sonde__elfsym_load(f->path, &f->syms);
	}
	if (f->syms) {
		const char *n = sonde__elfsym_lookup(f->syms,
						     x->ip - m->start + m->pgoff,
						     NULL);

		if (n)
			row->name = n;
	}
}

static int by_count(const void *a, const void *b)
{
	const struct sym_row *x = a, *y = b;
	int c;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->object, y->object);
}

static int by_name(const void *a, const void *b)
{
	const struct sym_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->object, y->object);
}

int syms_table(struct syms *s, const struct sym_row **rows, size_t *n)
{
	size_t k = 0;

	free(s->rows);
	s->rows = calloc(s->nips + 1, sizeof(*s->rows));
	if (!s->rows)
		return -ENOMEM;
	for (size_t i = 0; i < s->nips; i++)
		resolve(s, &s->ips[i], &s->rows[i]);
	/* group equal (function, object) rows */
	qsort(s->rows, s->nips, sizeof(*s->rows), by_name);
	for (size_t i = 0; i < s->nips; i++) {
		if (k && !by_name(&s->rows[k - 1], &s->rows[i])) {
			s->rows[k - 1].samples += s->rows[i].samples;
			continue;
		}
		s->rows[k++] = s->rows[i];
	}
	qsort(s->rows, k, sizeof(*s->rows), by_count);
	s->nrows = k;
	*rows = s->rows;
	*n = k;
	return 0;
}
