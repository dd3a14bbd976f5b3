// SPDX-License-Identifier: MIT
/*
 * Tracepoint registry of one process.  Every executable and shared object
 * that includes a provider header hands its "sonde_events_ptrs" section to
 * sonde__register_events() from a constructor (once per translation unit;
 * sections are deduplicated by address and reference counted, so dlclose
 * of a provider library disables its sites before they are unmapped).
 *
 * When the process is attached to a recording session, each site whose
 * "provider:name" matches the session's patterns gets the channel's event
 * id for its name and field layout, from the registry shared by every
 * process of the session (appended under a robust process-shared mutex, so
 * ids are consistent across fork and exec), and is then enabled.  Several
 * descriptors for one name (one per translation unit) share the id.
 */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sonde/tracef.h>
#include <sonde/tracepoint.h>

#include "marker.h"
#include "registry.h"
#include "statedump.h"

struct section {
	struct sonde_event_desc **start, **stop;
	unsigned int refs;
	/* The state dump's sites (statedump.c): only the sessions that
	 * record ip enable them. */
	bool ip_only;
	struct section *next;
};

/* A connected probe, by event name and argument signature. */
struct probe_reg {
	char *name;
	char *signature;
	void (*fn)(void);
	void *data;
	struct probe_reg *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct section *sections;
/*
 * The sessions this process records into.  Slot 0's channel is the one
 * sonde__chan points to, recorded by the sites' inline path (state bit 0)
 * when no other slot wants the site and no filter applies; every other
 * case goes through the out-of-line path (state bit 1), which asks
 * sonde__site_select() which slots want the event.  Written under the
 * lock; ch is read by recording threads (acquire).
 */
struct slot {
	struct sonde__shm_hdr *h;    /* NULL: free */
	struct sonde__chan_view *ch;
	char *patterns;
	/* The session records each event's site address (SONDE__SHM_F_IP,
	 * read once at attach): its sites record the ip variant of their
	 * class, through the out-of-line path, which knows the address. */
	bool ip;
};
static struct slot slots[SONDE__SLOTS];

/*
 * What the registry knows of one site across sessions, allocated when the
 * site is first enabled and kept for the descriptor's life: the slots
 * that record it, those that do through filters, its id in each slot's
 * channel, and each slot's filters.  Fields are read by recording threads
 * without the lock: masks and ids relaxed (a thread that read a stale
 * value writes into a channel that is still mapped, the grace the agent's
 * retired ranges give), filters acquire.
 */
struct sonde__site {
	uint32_t on;
	uint32_t fmask;
	uint32_t id[SONDE__SLOTS];
	struct sonde__filter *filter[SONDE__SLOTS];
};
static void (*notify)(void);       /* sites were added or removed */
static struct probe_reg *probes; /* in registration order */

/* Names are padded so that each following sonde__reg_field is aligned. */
#define NAME_SPACE(len) (((size_t)(len) + 3) & ~(size_t)3)
#define ALIGN8(n) (((size_t)(n) + 7) & ~(size_t)7)
/* The first field of a class's ip variant (layout.h). */
#define IP_NAME SONDE__REG_IP_FIELD
/* sizeof(struct sonde_field_desc) before it had enum_desc. */
#define FIELD_DESC_V1 24u

/*
 * Field @i of @d.  Objects built before the field table grew say so with
 * field_size 0; a marker's table is ours (marker.c).
 */
const struct sonde_field_desc *sonde__field_at(const struct sonde_event_desc *d,
					       uint32_t i)
{
	size_t stride = (d->flags & SONDE_EVENT_MARKER) ? sizeof(*d->fields)
			: d->field_size ? d->field_size
					: FIELD_DESC_V1;

	return (const struct sonde_field_desc *)((const char *)d->fields +
						 i * stride);
}

static bool field_written(const struct sonde_field_desc *fd)
{
	return !(fd->flags & SONDE_FIELD_F_NOWRITE);
}

static uint32_t written_fields(const struct sonde_event_desc *d)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nr_fields; i++)
		n += field_written(sonde__field_at(d, i));
	return n;
}

static int32_t desc_loglevel(const struct sonde_event_desc *d)
{
	if (d->struct_size < offsetof(struct sonde_event_desc, loglevel1) +
				     sizeof(d->loglevel1) ||
	    !d->loglevel1 || d->loglevel1 > SONDE_LOGLEVEL_DEBUG + 1)
		return -1;
	return (int32_t)d->loglevel1 - 1;
}

/* The message format of a tracef site, part of its class; else NULL. */
static const char *desc_fmt(const struct sonde_event_desc *d)
{
	return (d->flags & (SONDE_EVENT_MARKER | SONDE_EVENT_TRACEF)) ==
			       (SONDE_EVENT_MARKER | SONDE_EVENT_TRACEF)
		       ? d->signature
		       : NULL;
}

/*
 * The mappings of enumeration @ed as recorded: auto entries get the value
 * after the previous entry's last (0 first), as LTTng gives them.  Calls
 * @fn for each; returns false if @ed is unusable (a NULL or long label, too
 * many entries, an inverted range).
 */
static bool enum_walk(const struct sonde_enum_desc *ed,
		      bool (*fn)(void *arg, uint64_t start, uint64_t end,
				 const char *label),
		      void *arg, int is_signed)
{
	uint64_t next = 0;

	if (!ed || !ed->entries || ed->nr_entries > SONDE__REG_MAPS_MAX)
		return false;
	for (uint32_t i = 0; i < ed->nr_entries; i++) {
		const struct sonde_enum_entry *en = &ed->entries[i];
		uint64_t s = (uint64_t)en->start, e = (uint64_t)en->end;

		if (en->flags & SONDE_ENUM_F_AUTO)
			s = e = next;
		if (!en->label || strlen(en->label) >= SONDE__REG_LABEL_MAX ||
		    (is_signed ? (int64_t)s > (int64_t)e : s > e))
			return false;
		if (fn && !fn(arg, s, e, en->label))
			return false;
		next = e + 1;
	}
	return true;
}

static bool desc_valid(const struct sonde_event_desc *d)
{
	if (!d || d->struct_size < offsetof(struct sonde_event_desc, probes) ||
	    (d->flags & SONDE_EVENT_UNUSED) ||
	    !d->provider || !d->name || (!d->fields && d->nr_fields) ||
	    (d->field_size && (d->field_size < FIELD_DESC_V1 ||
			       d->field_size > 4096)))
		return false;
	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct sonde_field_desc *fd = sonde__field_at(d, i);

		if (!fd->name)
			return false;
		if (fd->kind == SONDE_FIELD_ENUM &&
		    ((!(d->flags & SONDE_EVENT_MARKER) &&
		      d->field_size < sizeof(*fd)) ||
		     !enum_walk(fd->enum_desc, NULL, NULL, fd->is_signed)))
			return false;
	}
	return true;
}

struct map_cmp {
	const char *q, *end; /* the registry entry's maps, then its end */
};

static bool map_matches(void *arg, uint64_t start, uint64_t end,
			const char *label)
{
	struct map_cmp *c = arg;
	const struct sonde__reg_map *m = (const struct sonde__reg_map *)c->q;
	size_t ll = strlen(label) + 1;

	if ((size_t)(c->end - c->q) < sizeof(*m) || m->start != start ||
	    m->end != end || m->label_len != ll ||
	    (size_t)(c->end - c->q) - sizeof(*m) < ll ||
	    memcmp(m + 1, label, ll))
		return false;
	c->q += ALIGN8(sizeof(*m) + ll);
	return true;
}

/* Whether registry entry @e (its @size bytes checked by the caller) is
 * @name with @d's recorded fields. */
static bool entry_matches(const struct sonde__reg_entry *e, uint32_t size,
			  const char *name, const struct sonde_event_desc *d,
			  bool ip)
{
	const char *base = (const char *)e, *end = base + size;
	const char *q = (const char *)(e + 1), *fmt = desc_fmt(d);
	size_t fl = fmt ? strlen(fmt) + 1 : 0;

	if (e->nr_fields != written_fields(d) + ip || strcmp(q, name) ||
	    e->loglevel != desc_loglevel(d) || e->fmt_len != fl)
		return false;
	q += NAME_SPACE(e->name_len);
	if (fl) {
		if ((size_t)(end - q) < fl || memcmp(q, fmt, fl))
			return false;
		q += NAME_SPACE(fl);
	}
	if (ip) {
		const struct sonde__reg_field *f =
			(const struct sonde__reg_field *)q;

		if ((size_t)(end - q) < sizeof(*f) + sizeof(IP_NAME) ||
		    f->kind != SONDE_FIELD_INTEGER || f->size != 8 ||
		    f->name_len != sizeof(IP_NAME) ||
		    memcmp(f + 1, IP_NAME, sizeof(IP_NAME)))
			return false;
		q += sizeof(*f) + NAME_SPACE(sizeof(IP_NAME));
	}
	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct sonde_field_desc *fd = sonde__field_at(d, i);
		const struct sonde__reg_field *f =
			(const struct sonde__reg_field *)q;
		size_t nl = strlen(fd->name) + 1;

		if (!field_written(fd))
			continue;
		/* Shared memory: every read inside the entry. */
		if ((size_t)(end - q) < sizeof(*f) ||
		    (size_t)(end - q) - sizeof(*f) < nl)
			return false;
		if (f->kind != fd->kind || f->size != fd->size ||
		    f->is_signed != fd->is_signed || f->base != fd->base ||
		    f->len_size != fd->len_size ||
		    f->len_signed != fd->len_signed || f->count != fd->count ||
		    f->flags != fd->flags || f->name_len != nl ||
		    memcmp(f + 1, fd->name, nl))
			return false;
		q += sizeof(*f) + NAME_SPACE(f->name_len);
		if (fd->kind == SONDE_FIELD_ENUM) {
			struct map_cmp c = {
				base + ALIGN8(q - base), end
			};

			if (f->nr_maps != fd->enum_desc->nr_entries ||
			    c.q > end ||
			    !enum_walk(fd->enum_desc, map_matches, &c,
				       fd->is_signed))
				return false;
			q = c.q;
		} else if (f->nr_maps) {
			return false;
		}
	}
	return true;
}

static bool map_size(void *arg, uint64_t start, uint64_t end,
		     const char *label)
{
	(void)start;
	(void)end;
	*(size_t *)arg += ALIGN8(sizeof(struct sonde__reg_map) +
				 strlen(label) + 1);
	return true;
}

static size_t entry_size(const char *name, const struct sonde_event_desc *d,
			 bool ip)
{
	size_t n = sizeof(struct sonde__reg_entry) + NAME_SPACE(strlen(name) + 1);

	if (ip)
		n += sizeof(struct sonde__reg_field) +
		     NAME_SPACE(sizeof(IP_NAME));

	if (desc_fmt(d))
		n += NAME_SPACE(strlen(desc_fmt(d)) + 1);

	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct sonde_field_desc *fd = sonde__field_at(d, i);

		if (!field_written(fd))
			continue;
		n += sizeof(struct sonde__reg_field) +
		     NAME_SPACE(strlen(fd->name) + 1);
		if (fd->kind == SONDE_FIELD_ENUM) {
			n = ALIGN8(n);
			enum_walk(fd->enum_desc, map_size, &n, fd->is_signed);
		}
	}
	return ALIGN8(n);
}

static bool map_fill(void *arg, uint64_t start, uint64_t end,
		     const char *label)
{
	char **q = arg;
	struct sonde__reg_map *m = (struct sonde__reg_map *)*q;

	m->start = start;
	m->end = end;
	m->label_len = (uint32_t)strlen(label) + 1;
	m->resv = 0;
	memcpy(m + 1, label, m->label_len);
	*q += ALIGN8(sizeof(*m) + m->label_len);
	return true;
}

static void entry_fill(struct sonde__reg_entry *e, size_t size, uint32_t id,
		       const char *name, const struct sonde_event_desc *d,
		       bool ip)
{
	char *base = (char *)e, *q = (char *)(e + 1);

	memset(e, 0, size);
	e->size = (uint32_t)size;
	e->id = id;
	e->nr_fields = written_fields(d) + ip;
	e->name_len = (uint32_t)strlen(name) + 1;
	e->loglevel = desc_loglevel(d);
	memcpy(q, name, e->name_len);
	q += NAME_SPACE(e->name_len);
	if (desc_fmt(d)) {
		e->fmt_len = (uint32_t)strlen(desc_fmt(d)) + 1;
		memcpy(q, desc_fmt(d), e->fmt_len);
		q += NAME_SPACE(e->fmt_len);
	}
	if (ip) {
		struct sonde__reg_field *f = (struct sonde__reg_field *)q;

		f->kind = SONDE_FIELD_INTEGER;
		f->size = 8;
		f->base = 16;
		f->name_len = sizeof(IP_NAME);
		memcpy(f + 1, IP_NAME, sizeof(IP_NAME));
		q += sizeof(*f) + NAME_SPACE(sizeof(IP_NAME));
	}
	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct sonde_field_desc *fd = sonde__field_at(d, i);
		struct sonde__reg_field *f = (struct sonde__reg_field *)q;

		if (!field_written(fd))
			continue;
		f->kind = fd->kind;
		f->size = fd->size;
		f->is_signed = fd->is_signed;
		f->base = fd->base;
		f->len_size = fd->len_size;
		f->len_signed = fd->len_signed;
		f->name_len = (uint16_t)(strlen(fd->name) + 1);
		f->count = fd->count;
		f->flags = fd->flags;
		memcpy(f + 1, fd->name, f->name_len);
		q += sizeof(*f) + NAME_SPACE(f->name_len);
		if (fd->kind == SONDE_FIELD_ENUM) {
			f->nr_maps = fd->enum_desc->nr_entries;
			q = base + ALIGN8(q - base);
			enum_walk(fd->enum_desc, map_fill, &q, fd->is_signed);
		}
	}
}

static int shm_lock(struct sonde__shm_hdr *h)
{
	struct timespec until;
	int r;

	/* Bounded: the lock is in memory another process shares with us,
	 * and a process must never hang on a session. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	r = pthread_mutex_timedlock(&h->reg_lock, &until);
	if (r == EOWNERDEAD) {
		/* A process died holding the lock; the registry is only ever
		 * published by reg_used, so what it left is consistent. */
		pthread_mutex_consistent(&h->reg_lock);
		r = 0;
	}
	return -r;
}

/* Find or append the event class for @d (its ip variant when @ip);
 * returns its id or -errno. */
static long shm_event_id(struct sonde__shm_hdr *h, const char *name,
			 const struct sonde_event_desc *d, bool ip)
{
	char *reg = (char *)h + h->reg_off;
	uint32_t used, off = 0;
	size_t size;
	long id;
	int r;

	r = shm_lock(h);
	if (r)
		return r;
	used = __atomic_load_n(&h->reg_used, __ATOMIC_ACQUIRE);
	if (used > h->reg_size) {
		id = -EIO;
		goto out;
	}
	while (off < used) {
		struct sonde__reg_entry *e = (struct sonde__reg_entry *)(reg + off);

		/* Shared memory: never trust a size to walk by. */
		if (used - off < sizeof(*e) || e->size < sizeof(*e) ||
		    (e->size & 7) || e->size > used - off ||
		    e->name_len > e->size - sizeof(*e)) {
			id = -EIO;
			goto out;
		}
		if (entry_matches(e, e->size, name, d, ip)) {
			id = e->id;
			goto out;
		}
		off += e->size;
	}
	size = entry_size(name, d, ip);
	if (used + size > h->reg_size) {
		id = -ENOSPC;
		goto out;
	}
	id = h->nr_events++;
	entry_fill((struct sonde__reg_entry *)(reg + used), size, (uint32_t)id,
		   name, d, ip);
	/* Publishes the entry; pairs with the consumer's acquire load. */
	__atomic_store_n(&h->reg_used, used + (uint32_t)size, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&h->reg_lock);
	return id;
}


/* Site id that tells "not recording into this channel". */
#define NO_ID UINT32_MAX

/* Filters replaced while a thread may still evaluate them: kept, never
 * freed (bounded by the number of changes of the sessions' filters). */
static struct sonde__filter *retired;

static bool has_site_field(const struct sonde_event_desc *d)
{
	return d->struct_size >= offsetof(struct sonde_event_desc, site) +
					 sizeof(d->site);
}

/* @d's cross-session state, allocated on first use (lock held); NULL
 * without memory or for an object built before it existed. */
static struct sonde__site *site_of(struct sonde_event_desc *d)
{
	struct sonde__site *st;

	if (!has_site_field(d))
		return NULL;
	if (d->site)
		return d->site;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	for (unsigned k = 0; k < SONDE__SLOTS; k++)
		st->id[k] = NO_ID;
	/* Release: its contents before its address. */
	__atomic_store_n(&d->site, st, __ATOMIC_RELEASE);
	return st;
}

/* Give slot @k of @st filter @nf (or none), keeping the one it replaces.
 * Release: the filter's contents before its address; pairs with the
 * acquire load in sonde__site_select(). */
static void filter_replace(struct sonde__site *st, unsigned k,
			   struct sonde__filter *nf)
{
	struct sonde__filter *f =
		__atomic_exchange_n(&st->filter[k], nf, __ATOMIC_ACQ_REL);

	if (f) {
		*(struct sonde__filter **)f = retired; /* retired_next, first */
		retired = f;
	}
}

/*
 * The state bits from @d's slots: bit 0 alone when only slot 0 records it
 * and without filters (the inline path), bit 1 for any other recording
 * (out of line), none when nothing records it.  The new bit is set before
 * the old one is cleared, so a site being moved from one path to the
 * other records through one of them meanwhile.  Release: the ids, masks
 * and filters before the bit that sends threads to them.
 */
static void state_update(struct sonde_event_desc *d)
{
	struct sonde__site *st = has_site_field(d) ? d->site : NULL;
	uint32_t on = st ? __atomic_load_n(&st->on, __ATOMIC_RELAXED) : 0;
	uint32_t fm = st ? __atomic_load_n(&st->fmask, __ATOMIC_RELAXED) : 0;
	/* Slot 0 wanting the site's address needs the out-of-line path. */
	int want = !on ? 0 : (on == 1 && !(fm & 1) && !slots[0].ip) ? 1 : 2;

	if (want)
		__atomic_fetch_or(&d->state, want, __ATOMIC_RELEASE);
	__atomic_fetch_and(&d->state, ~(3 & ~want), __ATOMIC_RELEASE);
}

/* Slot @k no longer records @d (lock held). */
static void site_off(struct sonde_event_desc *d, unsigned k)
{
	struct sonde__site *st = has_site_field(d) ? d->site : NULL;

	if (!st) {
		if (k == 0)
			__atomic_fetch_and(&d->state, ~3, __ATOMIC_RELEASE);
		return;
	}
	__atomic_fetch_and(&st->on, ~(1u << k), __ATOMIC_RELAXED);
	__atomic_fetch_and(&st->fmask, ~(1u << k), __ATOMIC_RELAXED);
	state_update(d);
}

/*
 * Slot @k records site @d (its id in that slot set), as @sel says:
 * without filters when some selecting pattern has none, else through the
 * filters compiled for @d.  A marker has no typed fields to filter: one
 * selected through filters only is not recorded, and said so; and an
 * object built before sessions had slots records into slot 0 only.
 * Called with the lock held.
 */
static void enable_site(struct sonde_event_desc *d, unsigned k,
			const char *name, const struct sonde__psel *sel)
{
	struct sonde__site *st = site_of(d);
	struct sonde__filter *nf;

	if (!st) {
		if (k == 0 && sel->unfiltered && has_site_field(d) == false) {
			/* Older object: the inline path only. */
			__atomic_fetch_or(&d->state, 1, __ATOMIC_RELEASE);
			return;
		}
		fprintf(stderr,
			"sonde: Event not recorded in session slot %u: %s. event=%s\n",
			k, has_site_field(d) ? "no memory"
					     : "its object was built before sessions had slots",
			name);
		return;
	}
	if (sel->unfiltered) {
		__atomic_fetch_and(&st->fmask, ~(1u << k), __ATOMIC_RELAXED);
	} else if (d->flags & SONDE_EVENT_MARKER) {
		fprintf(stderr,
			"sonde: Event not recorded: a filter selects it, and markers have no typed fields to filter. event=%s\n",
			name);
		site_off(d, k);
		return;
	} else {
		if (!sonde__filter_same(st->filter[k], sel->filter,
					sel->nr_filters)) {
			nf = sonde__filter_build(d, sel->filter, sel->nr_filters);
			if (!nf) {
				fprintf(stderr,
					"sonde: Event not recorded: no memory for its filter. event=%s\n",
					name);
				site_off(d, k);
				return;
			}
			filter_replace(st, k, nf);
		}
		__atomic_fetch_or(&st->fmask, 1u << k, __ATOMIC_RELAXED);
	}
	__atomic_fetch_or(&st->on, 1u << k, __ATOMIC_RELAXED);
	state_update(d);
}

/*
 * Give the sites of @s that slot @k's patterns select their id in the
 * slot's channel; when @enable, also start (or stop) their recording in
 * it.  An attach runs it twice, ids first, so that the channel is
 * published between the two (see sonde__chan_get()).
 */
static void enable_section(struct section *s, unsigned k, bool enable)
{
	for (struct sonde_event_desc **dp = s->start; dp < s->stop; dp++) {
		struct sonde_event_desc *d = *dp;
		struct sonde__psel sel;
		struct sonde__site *st;
		char name[256];
		long id;

		if (!desc_valid(d))
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s:%s", d->provider,
				     d->name) >= sizeof(name))
			continue;
		sonde__pattern_select(slots[k].patterns, name, desc_loglevel(d),
				      &sel);
		if (!sel.selected || (s->ip_only && !slots[k].ip)) {
			if (enable)
				site_off(d, k);
			continue;
		}
		st = has_site_field(d) ? d->site : NULL;
		if (enable) {
			uint32_t cur = k == 0 ? __atomic_load_n(&d->id,
							       __ATOMIC_RELAXED)
				       : st ? st->id[k] : NO_ID;

			if (cur != NO_ID)
				enable_site(d, k, name, &sel);
			else
				site_off(d, k);
			continue;
		}
		if (d->flags & SONDE_EVENT_MARKER) {
			char why[512];

			if (sonde__marker_prepare(d, why, sizeof(why))) {
				/* Said whatever the log level: it is a bug in
				 * the program that the user has to see. */
				fprintf(stderr,
					"sonde: Marker rejected; it stays disabled. event=%s reason=%s\n",
					name, why);
				id = -EINVAL;
				goto set;
			}
		}
		/* An object built before sites had slots records through
		 * the inline path alone, without the address. */
		id = shm_event_id(slots[k].h, name, d,
				  slots[k].ip && has_site_field(d));
		if (id < 0)
			sonde__logf(SONDE_LOG_WARN,
				    "Event not enabled: registry full. event=%s",
				    name);
set:
		if (k == 0)
			__atomic_store_n(&d->id, id < 0 ? NO_ID : (uint32_t)id,
					 __ATOMIC_RELAXED);
		st = site_of(d);
		if (st)
			__atomic_store_n(&st->id[k],
					 id < 0 ? NO_ID : (uint32_t)id,
					 __ATOMIC_RELAXED);
	}
}

/* Ids, then recording, of every site of @s in every attached slot
 * (channels already published). */
static void start_section(struct section *s)
{
	for (unsigned k = 0; k < SONDE__SLOTS; k++)
		if (slots[k].h) {
			enable_section(s, k, false);
			enable_section(s, k, true);
		}
}

static bool probe_matches(const struct probe_reg *pr,
			  const struct sonde_event_desc *d)
{
	size_t pl = strlen(d->provider);

	return !(d->flags & SONDE_EVENT_MARKER) &&
	       !strncmp(pr->name, d->provider, pl) && pr->name[pl] == ':' &&
	       !strcmp(pr->name + pl + 1, d->name) && d->signature &&
	       !strcmp(pr->signature, d->signature);
}

SONDE__API __thread uint32_t sonde__probe_depth
	__attribute__((tls_model("initial-exec")));

/*
 * Grace period: returns once no thread can still be using an array that
 * was replaced in @ps before the call (called with the lock held, so the
 * epoch has one writer).
 *
 * A reader (sonde__probes_enter()) loads the epoch, counts itself in
 * readers[epoch & 1], loads the array, and uncounts itself when done with
 * it.  Take a reader R that uses the replaced array A.  R's load of the
 * array returned A, so it came before the exchange that replaced A; R's
 * count came before that load; and our loads of the counts come after the
 * exchange.  All of them are seq_cst, so each of our loads sees R's count
 * until R uncounts itself.  The parity R counted in is not known: R may
 * have loaded the epoch, been preempted across any number of flips, and
 * counted itself in the parity a previous grace period had just drained;
 * one flip and one wait misses such an R.  So we wait for both counts to
 * drain: then R has left, and its release decrement, read by our acquire
 * load, makes its last use of A (and of its probes' data) happen before
 * the free and before unregister returns.
 *
 * Waiting for both counts to be zero at once could wait forever on a busy
 * site; flipping the epoch before each wait, as liburcu does, sends new
 * readers to the other count, so each wait only outlasts the readers
 * already in its count and the few that loaded the epoch just before the
 * flip.  The first wait drains the parity readers were using, the second
 * the one the first flip sent them to.
 *
 * A thread that waits here for its own probe never returns, hence
 * sonde__probe_depth; a probe that blocks for good blocks this too.
 */
static void probes_synchronize(struct sonde__probes *ps)
{
	struct timespec pause = { 0, 20000 };

	for (int flip = 0; flip < 2; flip++) {
		uint32_t old = __atomic_load_n(&ps->epoch, __ATOMIC_RELAXED) & 1;

		/* Relaxed: the epoch only steers new readers (progress); see
		 * the reader's load in sonde__probes_enter(). */
		__atomic_store_n(&ps->epoch, old ^ 1, __ATOMIC_RELAXED);
		/* Seq_cst, after the seq_cst exchange of the array in
		 * probes_rebuild(): pairs with the reader's seq_cst count
		 * and array load (see above).  As an acquire, pairs with the
		 * reader's release decrement in sonde__probes_leave(). */
		while (__atomic_load_n(&ps->readers[old], __ATOMIC_SEQ_CST))
			nanosleep(&pause, NULL);
	}
}

/*
 * Give @d the array of every registered probe that matches it, and the
 * state that says how many there are.  Called with the lock held.
 */
static int probes_rebuild(struct sonde_event_desc *d)
{
	struct sonde__probe_array *a = NULL, *old;
	struct sonde__probes *ps = d->probes;
	uint32_t n = 0;
	int st;

	for (struct probe_reg *pr = probes; pr; pr = pr->next)
		n += probe_matches(pr, d);
	if (!ps && !n)
		return 0;
	if (!ps) {
		ps = calloc(1, sizeof(*ps));
		if (!ps)
			return -ENOMEM;
		/* Release: the zeroed counts before the list's address; pairs
		 * with the acquire load in sonde__probes_enter(). */
		__atomic_store_n(&d->probes, ps, __ATOMIC_RELEASE);
	}
	if (n) {
		a = calloc(1, sizeof(*a) + n * sizeof(struct sonde__probe));
		if (!a)
			return -ENOMEM;
		a->probe = (struct sonde__probe *)(a + 1);
		for (struct probe_reg *pr = probes; pr; pr = pr->next)
			if (probe_matches(pr, d)) {
				a->probe[a->nr].fn = pr->fn;
				a->probe[a->nr].data = pr->data;
				a->nr++;
			}
	}
	/* Seq_cst: publishes the array's contents (release, paired with the
	 * reader's seq_cst load of the array) and comes before the loads of
	 * the counts in probes_synchronize() (see there). */
	old = __atomic_exchange_n(&ps->array, a, __ATOMIC_SEQ_CST);
	/* State bits 1 and up: the number of probes, which only tells the
	 * site to enter the list (it loads the array itself).  Every writer of
	 * the state holds the lock, so bits 0 and 1 (recording) are kept as
	 * is. */
	st = __atomic_load_n(&d->state, __ATOMIC_RELAXED);
	/* Release, though the state is only a hint: the site's load of it is
	 * relaxed and pairs with nothing; the site reaches the list and the
	 * array through the acquire loads in sonde__probes_enter(), and
	 * copes with a NULL array. */
	__atomic_store_n(&d->state, (st & 3) | (int)(n << 2), __ATOMIC_RELEASE);
	if (old) {
		probes_synchronize(ps);
		free(old);
	}
	return 0;
}

static int probes_rebuild_all(const char *name)
{
	int r = 0;

	for (struct section *s = sections; s; s = s->next)
		for (struct sonde_event_desc **dp = s->start; dp < s->stop;
		     dp++) {
			struct sonde_event_desc *d = *dp;
			size_t pl;

			if (!desc_valid(d))
				continue;
			pl = strlen(d->provider);
			if (strncmp(name, d->provider, pl) || name[pl] != ':' ||
			    strcmp(name + pl + 1, d->name))
				continue;
			if (probes_rebuild(d))
				r = -ENOMEM;
		}
	return r;
}

static struct probe_reg **probe_find(const char *name, const char *signature,
				     void (*fn)(void), void *data)
{
	struct probe_reg **pp;

	for (pp = &probes; *pp; pp = &(*pp)->next)
		if ((*pp)->fn == fn && (*pp)->data == data &&
		    !strcmp((*pp)->name, name) &&
		    !strcmp((*pp)->signature, signature))
			break;
	return pp;
}

/* "provider:name" into @full (256 bytes); -EINVAL if missing or too long. */
static int full_name(const char *provider, const char *name, char *full)
{
	if (!provider || !name ||
	    (size_t)snprintf(full, 256, "%s:%s", provider, name) >= 256)
		return -EINVAL;
	return 0;
}

SONDE__API int sonde__probe_register(const char *provider, const char *name,
				     const char *signature, void (*fn)(void),
				     void *data)
{
	struct probe_reg *pr, **pp;
	char full[256];
	int r;

	if (!signature || !fn || full_name(provider, name, full))
		return -EINVAL;
	/* From inside a probe: the grace period would wait for us. */
	if (sonde__probe_depth)
		return -EDEADLK;
	pthread_mutex_lock(&lock);
	if (*(pp = probe_find(full, signature, fn, data))) {
		r = -EEXIST;
		goto out;
	}
	pr = calloc(1, sizeof(*pr));
	if (!pr || !(pr->name = strdup(full)) ||
	    !(pr->signature = strdup(signature))) {
		if (pr)
			free(pr->name);
		free(pr);
		r = -ENOMEM;
		goto out;
	}
	pr->fn = fn;
	pr->data = data;
	*pp = pr; /* appended: pp is the list's end */
	r = probes_rebuild_all(full);
out:
	pthread_mutex_unlock(&lock);
	return r;
}

SONDE__API int sonde__probe_unregister(const char *provider, const char *name,
				       const char *signature,
				       void (*fn)(void), void *data)
{
	struct probe_reg *pr, **pp;
	char full[256];
	int r;

	if (!signature || !fn || full_name(provider, name, full))
		return -EINVAL;
	if (sonde__probe_depth)
		return -EDEADLK;
	pthread_mutex_lock(&lock);
	pp = probe_find(full, signature, fn, data);
	pr = *pp;
	if (!pr) {
		r = -ENOENT;
		goto out;
	}
	*pp = pr->next;
	/* Returns once no thread can be inside this probe for these sites. */
	r = probes_rebuild_all(full);
	free(pr->name);
	free(pr->signature);
	free(pr);
out:
	pthread_mutex_unlock(&lock);
	return r;
}

/* The object is being unloaded: its sites (and their probe lists) go. */
static void disable_section(struct section *s)
{
	for (struct sonde_event_desc **dp = s->start; dp < s->stop; dp++) {
		struct sonde__probes *ps;

		if (!*dp)
			continue;
		__atomic_store_n(&(*dp)->state, 0, __ATOMIC_RELEASE);
		ps = (*dp)->probes;
		if (ps) {
			free(__atomic_exchange_n(&ps->array, NULL,
						 __ATOMIC_SEQ_CST));
			(*dp)->probes = NULL;
			free(ps);
		}
		/* Its sessions' record goes with it (no thread can be in
		 * the sites of an object being unloaded), its filters to
		 * the retired ones. */
		if (desc_valid(*dp) && has_site_field(*dp) && (*dp)->site) {
			struct sonde__site *st = __atomic_exchange_n(
				&(*dp)->site, NULL, __ATOMIC_ACQ_REL);

			for (unsigned k = 0; k < SONDE__SLOTS; k++)
				filter_replace(st, k, NULL);
			free(st);
		}
	}
}

static void notify_locked(void)
{
	if (notify)
		notify();
}

/* The attached slots that record ip (lock held). */
static uint32_t ip_slots_locked(void)
{
	uint32_t m = 0;

	for (unsigned k = 0; k < SONDE__SLOTS; k++)
		if (slots[k].h && slots[k].ip)
			m |= 1u << k;
	return m;
}

uint32_t sonde__registry_ip_slots(void)
{
	uint32_t m;

	pthread_mutex_lock(&lock);
	m = ip_slots_locked();
	pthread_mutex_unlock(&lock);
	return m;
}

static void section_add(struct sonde_event_desc **start,
			struct sonde_event_desc **stop, bool ip_only)
{
	struct section *s;
	bool rescan = false;

	if (!start || stop <= start)
		return;
	pthread_mutex_lock(&lock);
	for (s = sections; s; s = s->next)
		if (s->start == start)
			break;
	if (s) {
		s->refs++;
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out;
	s->start = start;
	s->stop = stop;
	s->refs = 1;
	s->ip_only = ip_only;
	/* A new object (dlopen): the sessions that record ip learn where
	 * it is before its constructor's call returns, so before its code
	 * runs. */
	rescan = !ip_only && ip_slots_locked();
	s->next = sections;
	sections = s;
	start_section(s);
	if (probes)
		for (struct sonde_event_desc **dp = start; dp < stop; dp++)
			if (desc_valid(*dp))
				probes_rebuild(*dp);
	notify_locked();
out:
	pthread_mutex_unlock(&lock);
	if (rescan)
		sonde__statedump_rescan();
}

void sonde__registry_add(struct sonde_event_desc **start,
			 struct sonde_event_desc **stop)
{
	section_add(start, stop, false);
}

void sonde__registry_add_ip_only(struct sonde_event_desc **start,
				 struct sonde_event_desc **stop)
{
	section_add(start, stop, true);
}

SONDE__API void sonde__unregister_events(struct sonde_event_desc **start,
					 struct sonde_event_desc **stop)
{
	struct section **sp, *s;

	(void)stop;
	pthread_mutex_lock(&lock);
	for (sp = &sections; (s = *sp); sp = &s->next) {
		if (s->start != start)
			continue;
		if (--s->refs == 0) {
			disable_section(s);
			*sp = s->next;
			free(s);
			notify_locked();
		}
		break;
	}
	pthread_mutex_unlock(&lock);
}

int sonde__registry_attach_slot(unsigned k, struct sonde__shm_hdr *h,
				struct sonde__chan_view *ch,
				const char *patterns)
{
	char *pats;
	bool ip;

	if (k >= SONDE__SLOTS || !h || !ch || !patterns)
		return -EINVAL;
	pats = strdup(patterns);
	if (!pats)
		return -ENOMEM;
	pthread_mutex_lock(&lock);
	if (slots[k].h) {
		pthread_mutex_unlock(&lock);
		free(pats);
		return -EBUSY;
	}
	slots[k].h = h;
	slots[k].patterns = pats;
	/* Read once: what the sites register must not change under them. */
	slots[k].ip = ip = __atomic_load_n(&h->flags, __ATOMIC_RELAXED) &
			   SONDE__SHM_F_IP;
	for (struct section *s = sections; s; s = s->next)
		enable_section(s, k, false);
	/* Ids are in place before the channel they belong to is visible. */
	if (k == 0)
		__atomic_store_n(&sonde__chan, ch, __ATOMIC_RELEASE);
	__atomic_store_n(&slots[k].ch, ch, __ATOMIC_RELEASE);
	for (struct section *s = sections; s; s = s->next)
		enable_section(s, k, true);
	pthread_mutex_unlock(&lock);
	/* Where each object is loaded, for the session's addresses. */
	if (ip)
		sonde__statedump_slot(k);
	return 0;
}

int sonde__registry_attach(struct sonde__shm_hdr *h,
			   struct sonde__chan_view *ch, const char *patterns)
{
	/* Slot 0 is replaced whole, as it always was. */
	sonde__registry_detach_slot(0);
	return sonde__registry_attach_slot(0, h, ch, patterns);
}

int sonde__registry_set_patterns_slot(unsigned k, const char *patterns)
{
	char *pats;

	if (k >= SONDE__SLOTS || !patterns)
		return -EINVAL;
	pats = strdup(patterns);
	if (!pats)
		return -ENOMEM;
	pthread_mutex_lock(&lock);
	if (!slots[k].h) {
		pthread_mutex_unlock(&lock);
		free(pats);
		return -ENOENT;
	}
	free(slots[k].patterns);
	slots[k].patterns = pats;
	/* The channel is the same: a site's id in it never changes. */
	for (struct section *s = sections; s; s = s->next) {
		enable_section(s, k, false);
		enable_section(s, k, true);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

int sonde__registry_set_patterns(const char *patterns)
{
	return sonde__registry_set_patterns_slot(0, patterns);
}

void sonde__registry_detach_slot(unsigned k)
{
	if (k >= SONDE__SLOTS)
		return;
	pthread_mutex_lock(&lock);
	if (slots[k].h) {
		for (struct section *s = sections; s; s = s->next)
			for (struct sonde_event_desc **dp = s->start;
			     dp < s->stop; dp++)
				if (desc_valid(*dp))
					site_off(*dp, k);
		/* The channel view stays where threads past their check
		 * may still find it; the agent retires its range. */
		slots[k].h = NULL;
		free(slots[k].patterns);
		slots[k].patterns = NULL;
	}
	pthread_mutex_unlock(&lock);
}

void sonde__registry_detach(void)
{
	sonde__registry_detach_slot(0);
}

/*
 * The out-of-line path (include/sonde/static/tracepoint.h): the slots
 * that record @d, each slot's filters evaluated on the field values @v.
 * Lock-free: what it reads is published before state bit 1 sends threads
 * here (state_update()).
 */
SONDE__API uint32_t sonde__site_select(const struct sonde_event_desc *d,
				       const struct sonde__fval *v)
{
	const struct sonde__site *st;
	uint32_t on, fm, mask;

	if (!has_site_field(d) ||
	    !(st = __atomic_load_n(&d->site, __ATOMIC_ACQUIRE)))
		return 0;
	on = __atomic_load_n(&st->on, __ATOMIC_RELAXED);
	fm = __atomic_load_n(&st->fmask, __ATOMIC_RELAXED) & on;
	mask = on & ~fm;
	for (unsigned k = 0; fm; k++, fm >>= 1) {
		const struct sonde__filter *f;

		if (!(fm & 1))
			continue;
		f = __atomic_load_n(&st->filter[k], __ATOMIC_ACQUIRE);
		if (f && v && sonde__filter_eval(f, v))
			mask |= 1u << k;
	}
	return mask;
}

/* Whether slot @k records the sites' addresses (relaxed: stored before
 * the slot's channel is published, read after its acquire load). */
static bool slot_ip(uint32_t k)
{
	return __atomic_load_n(&slots[k].ip, __ATOMIC_RELAXED);
}

static struct sonde__chan_view *chan_of(const struct sonde_event_desc *d,
					uint32_t k, uint32_t *id)
{
	const struct sonde__site *st;
	struct sonde__chan_view *ch;

	if (k >= SONDE__SLOTS || !has_site_field(d) ||
	    !(st = __atomic_load_n(&d->site, __ATOMIC_ACQUIRE)))
		return NULL;
	/* Slot 0's channel is the one the inline path uses. */
	ch = k == 0 ? sonde__chan_get()
		    : __atomic_load_n(&slots[k].ch, __ATOMIC_ACQUIRE);
	*id = __atomic_load_n(&st->id[k], __ATOMIC_RELAXED);
	return ch && *id != NO_ID ? ch : NULL;
}

/* Objects built before the ip variant write records in place without the
 * address: they skip the sessions that want it. */
SONDE__API struct sonde__chan_view *
sonde__slot_chan(const struct sonde_event_desc *d, uint32_t k, uint32_t *id)
{
	struct sonde__chan_view *ch = chan_of(d, k, id);

	return ch && !slot_ip(k) ? ch : NULL;
}

SONDE__API char *sonde__slot_reserve(const struct sonde_event_desc *d,
				     uint32_t k, uint32_t len, uint64_t ip,
				     struct sonde__wctx *w)
{
	struct sonde__chan_view *ch;
	uint32_t id;
	bool with_ip;
	char *p;

	if (!(ch = chan_of(d, k, &id)))
		return NULL;
	with_ip = slot_ip(k);
	/* UINT32_MAX: too big, dropped and counted by the slow path. */
	if (with_ip && len != UINT32_MAX)
		len = len > SONDE__MAX_PAYLOAD - 8 ? UINT32_MAX : len + 8;
	p = sonde__reserve_slow(ch, d, id, len, w);
	if (p && with_ip) {
		memcpy(p, &ip, sizeof(ip));
		p += sizeof(ip);
	}
	return p;
}

SONDE__API void sonde__record_slots_ip(const struct sonde_event_desc *d,
				       uint32_t mask, uint64_t *rec,
				       uint32_t len, uint64_t ip)
{
	for (uint32_t k = 0; mask; k++, mask >>= 1) {
		struct sonde__chan_view *ch;
		uint32_t id;

		if (!(mask & 1) || !(ch = chan_of(d, k, &id)))
			continue;
		/* The ip variant's record: the address, in the word before
		 * the fields, then the fields (the layout the caller
		 * promises: SONDE__REC_SLOTS, marker.c). */
		if (!slot_ip(k)) {
			sonde__record_in(ch, d, id, rec, len);
		} else if (len <= SONDE__FAST_PAYLOAD_MAX) {
			rec[-1] = ip;
			sonde__record_in(ch, d, id, rec - 1, len + 8);
		} else {
			struct sonde__wctx w;
			char *p = sonde__slot_reserve(d, k, len, ip, &w);

			if (p) {
				memcpy(p, rec, len);
				sonde__commit(&w);
			}
		}
	}
}

SONDE__API void sonde__record_slots(const struct sonde_event_desc *d,
				    uint32_t mask, const void *rec,
				    uint32_t len)
{
	/* Older objects' records have no room before them. */
	uint64_t buf[1 + (SONDE__FAST_PAYLOAD_MAX + 7) / 8 + 1];

	if (len > SONDE__FAST_PAYLOAD_MAX)
		return; /* no caller serializes aside what is bigger */
	memcpy(buf + 1, rec, len);
	sonde__record_slots_ip(d, mask, buf + 1, len, 0);
}

/* fork() while another thread holds the lock must not leave the child's
 * copy locked forever. */
static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_done(void)
{
	pthread_mutex_unlock(&lock);
}

static void __attribute__((constructor)) registry_init(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_done);
}

void sonde__registry_set_notify(void (*fn)(void))
{
	pthread_mutex_lock(&lock);
	notify = fn;
	pthread_mutex_unlock(&lock);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *sonde__registry_events(void)
{
	size_t n = 0, cap = 0, len = 0;
	char **names = NULL, *out = NULL;

	pthread_mutex_lock(&lock);
	for (struct section *s = sections; s; s = s->next)
		for (struct sonde_event_desc **dp = s->start; dp < s->stop;
		     dp++) {
			struct sonde_event_desc *d = *dp;
			char *line;

			if (!desc_valid(d))
				continue;
			if (n == cap) {
				char **nn = realloc(names, (cap = cap * 2 + 64) *
								   sizeof(*nn));
				if (!nn)
					goto out;
				names = nn;
			}
			if (asprintf(&line, "%s:%s%s\n", d->provider, d->name,
				     d->flags & SONDE_EVENT_MARKER ? " (marker)"
								   : "") < 0)
				goto out;
			names[n++] = line;
			len += strlen(line);
		}
	/* One line per name, sorted: several objects may hold a name. */
	if (n) /* names is NULL when there are none */
		qsort(names, n, sizeof(*names), cmp_str);
	out = malloc(len + 1);
	if (out) {
		char *p = out;

		for (size_t i = 0; i < n; i++)
			if (!i || strcmp(names[i], names[i - 1]))
				p = stpcpy(p, names[i]);
		*p = 0;
	}
out:
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return out;
}
