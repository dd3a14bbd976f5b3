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
#include <fnmatch.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/tracepoint.h>

#include "../control/attach.h"
#include "marker.h"
#include "registry.h"

struct section {
	struct sonde_event_desc **start, **stop;
	unsigned int refs;
	struct section *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct section *sections;
static struct sonde__shm_hdr *session;

int sonde__pattern_valid(const char *p)
{
	const char *colon = strchr(p, ':');

	if (!strcmp(p, "*"))
		return 1;
	if (!colon || colon == p || !colon[1] || strchr(colon + 1, ':'))
		return 0;
	for (; *p; p++)
		if (!(*p == '_' || *p == '*' || *p == ':' ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

int sonde__pattern_match(const char *patterns, const char *name)
{
	char pat[256];
	const char *p = patterns, *nl;

	if (!*patterns)
		return 1;
	while (*p) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = 0;
			if (!fnmatch(pat, name, 0))
				return 1;
		}
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

/* Names are padded so that each following sonde__reg_field is aligned. */
#define NAME_SPACE(len) (((size_t)(len) + 3) & ~(size_t)3)

static bool entry_matches(const struct sonde__reg_entry *e, const char *name,
			  const struct sonde_event_desc *d)
{
	const char *q = (const char *)(e + 1);

	if (e->nr_fields != d->nr_fields || strcmp(q, name))
		return false;
	q += NAME_SPACE(e->name_len);
	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct sonde__reg_field *f =
			(const struct sonde__reg_field *)q;
		const struct sonde_field_desc *fd = &d->fields[i];

		if (f->kind != fd->kind || f->size != fd->size ||
		    f->is_signed != fd->is_signed || f->base != fd->base ||
		    f->len_size != fd->len_size ||
		    f->len_signed != fd->len_signed || f->count != fd->count ||
		    strcmp((const char *)(f + 1), fd->name))
			return false;
		q += sizeof(*f) + NAME_SPACE(f->name_len);
	}
	return true;
}

static size_t entry_size(const char *name, const struct sonde_event_desc *d)
{
	size_t n = sizeof(struct sonde__reg_entry) + NAME_SPACE(strlen(name) + 1);

	for (uint32_t i = 0; i < d->nr_fields; i++)
		n += sizeof(struct sonde__reg_field) +
		     NAME_SPACE(strlen(d->fields[i].name) + 1);
	return (n + 7) & ~(size_t)7;
}

static void entry_fill(struct sonde__reg_entry *e, size_t size, uint32_t id,
		       const char *name, const struct sonde_event_desc *d)
{
	char *q = (char *)(e + 1);

	e->size = (uint32_t)size;
	e->id = id;
	e->nr_fields = d->nr_fields;
	e->name_len = (uint32_t)strlen(name) + 1;
	memcpy(q, name, e->name_len);
	q += NAME_SPACE(e->name_len);
	for (uint32_t i = 0; i < d->nr_fields; i++) {
		const struct sonde_field_desc *fd = &d->fields[i];
		struct sonde__reg_field *f = (struct sonde__reg_field *)q;

		f->kind = fd->kind;
		f->size = fd->size;
		f->is_signed = fd->is_signed;
		f->base = fd->base;
		f->len_size = fd->len_size;
		f->len_signed = fd->len_signed;
		f->name_len = (uint16_t)(strlen(fd->name) + 1);
		f->count = fd->count;
		memcpy(f + 1, fd->name, f->name_len);
		q += sizeof(*f) + NAME_SPACE(f->name_len);
	}
}

static int shm_lock(struct sonde__shm_hdr *h)
{
	int r = pthread_mutex_lock(&h->reg_lock);

	if (r == EOWNERDEAD) {
		/* A process died holding the lock; the registry is only ever
		 * published by reg_used, so what it left is consistent. */
		pthread_mutex_consistent(&h->reg_lock);
		r = 0;
	}
	return -r;
}

/* Find or append the event class for @d; returns its id or -errno. */
static long shm_event_id(struct sonde__shm_hdr *h, const char *name,
			 const struct sonde_event_desc *d)
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
	while (off < used) {
		struct sonde__reg_entry *e = (struct sonde__reg_entry *)(reg + off);

		if (entry_matches(e, name, d)) {
			id = e->id;
			goto out;
		}
		off += e->size;
	}
	size = entry_size(name, d);
	if (used + size > h->reg_size) {
		id = -ENOSPC;
		goto out;
	}
	id = h->nr_events++;
	entry_fill((struct sonde__reg_entry *)(reg + used), size, (uint32_t)id,
		   name, d);
	/* Publishes the entry; pairs with the consumer's acquire load. */
	__atomic_store_n(&h->reg_used, used + (uint32_t)size, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&h->reg_lock);
	return id;
}

static bool desc_valid(const struct sonde_event_desc *d)
{
	return d && d->struct_size >= sizeof(*d) && d->provider && d->name &&
	       (d->fields || !d->nr_fields);
}

static void enable_section(struct section *s)
{
	for (struct sonde_event_desc **dp = s->start; dp < s->stop; dp++) {
		struct sonde_event_desc *d = *dp;
		char name[256];
		long id;

		if (!desc_valid(d))
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s:%s", d->provider,
				     d->name) >= sizeof(name))
			continue;
		if (!sonde__pattern_match(session->patterns, name))
			continue;
		if (d->flags & SONDE_EVENT_MARKER) {
			char why[512];

			if (sonde__marker_prepare(d, why, sizeof(why))) {
				/* Said whatever the log level: it is a bug in
				 * the program that the user has to see. */
				fprintf(stderr,
					"sonde: Marker rejected; it stays disabled. event=%s reason=%s\n",
					name, why);
				continue;
			}
		}
		id = shm_event_id(session, name, d);
		if (id < 0) {
			sonde__logf(SONDE_LOG_WARN,
				    "Event not enabled: registry full. event=%s",
				    name);
			continue;
		}
		__atomic_store_n(&d->id, (uint32_t)id, __ATOMIC_RELAXED);
		/* Publishes id before the site starts calling; pairs with
		 * the relaxed state load (ordered on the hot path's ISA). */
		__atomic_store_n(&d->state, 1, __ATOMIC_RELEASE);
	}
}

static void disable_section(struct section *s)
{
	for (struct sonde_event_desc **dp = s->start; dp < s->stop; dp++)
		if (*dp)
			__atomic_store_n(&(*dp)->state, 0, __ATOMIC_RELEASE);
}

SONDE__API void sonde__register_events(struct sonde_event_desc **start,
				       struct sonde_event_desc **stop)
{
	struct section *s;

	if (!start || stop <= start)
		return;
	sonde__attach();
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
	s->next = sections;
	sections = s;
	if (session)
		enable_section(s);
out:
	pthread_mutex_unlock(&lock);
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
		}
		break;
	}
	pthread_mutex_unlock(&lock);
}

void sonde__registry_session_attached(struct sonde__shm_hdr *h)
{
	pthread_mutex_lock(&lock);
	session = h;
	for (struct section *s = sections; s; s = s->next)
		enable_section(s);
	pthread_mutex_unlock(&lock);
}
