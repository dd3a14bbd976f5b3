/* SPDX-License-Identifier: MIT */
/* Tracepoint registry: sections of site descriptors, enablement, ids. */
#ifndef SONDE_SRC_INSTRUMENTATION_REGISTRY_H
#define SONDE_SRC_INSTRUMENTATION_REGISTRY_H

#include "../buffers/layout.h"
#include "../common/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sonde_event_desc;

/* Add an object's section of site descriptors [@start, @stop) (counted:
 * once per translation unit of the object); its sites start recording
 * if the process is attached.  Called by sonde__register_events()
 * (src/runtime/startup.c), which also attaches the process first. */
SONDE_HIDDEN void sonde__registry_add(struct sonde_event_desc **start,
				      struct sonde_event_desc **stop);

/*
 * Slot 0 (see sonde__registry_attach_slot()): record into channel @ch
 * (mapped at @h): sites that @patterns select get their ids in the
 * channel's registry, then @ch is published as the process's channel,
 * then those sites start recording.  0 or -ENOMEM.
 */
SONDE_HIDDEN int sonde__registry_attach(struct sonde__shm_hdr *h,
					struct sonde__chan_view *ch,
					const char *patterns);
/* New patterns for the attached channel: sites start or stop recording.
 * 0, -ENOENT when not attached, -ENOMEM. */
SONDE_HIDDEN int sonde__registry_set_patterns(const char *patterns);
/* Stop every site's recording and forget the channel. */
SONDE_HIDDEN void sonde__registry_detach(void);
/* @fn is called (registry lock held; it must not block or call back)
 * whenever an object adds or removes sites. */
SONDE_HIDDEN void sonde__registry_set_notify(void (*fn)(void));
/* "provider:name" of every known site, one per line (markers marked);
 * malloc'ed, NULL without memory. */
SONDE_HIDDEN char *sonde__registry_events(void);
/* Whether "provider:name" of log level @loglevel (-1: none) is selected by
 * the '\n'-separated patterns ('!' excludes; "@N"/"@=N" suffixes select by
 * level; "" selects all). */
SONDE_HIDDEN int sonde__pattern_match(const char *patterns, const char *name,
				      int loglevel);
/* Whether @pattern is a valid event pattern ("provider:name" with '*',
 * and an optional "@N" or "@=N" log level condition). */
SONDE_HIDDEN int sonde__pattern_valid(const char *pattern);

/* Bytes of a filter expression, at most. */
#define SONDE__FILTER_MAX 1024
/* Filters that one pattern set can give one event, at most. */
#define SONDE__FILTERS_PER_EVENT 8

struct sonde_field_desc;
struct sonde__fexpr;
struct sonde__filter;

/* Field @i of @d, whatever the object's field table stride. */
SONDE_HIDDEN const struct sonde_field_desc *
sonde__field_at(const struct sonde_event_desc *d, uint32_t i);

/* Parse filter @text (src/instrumentation/filter.c): 0 with *@out, or
 * -EINVAL with a sentence in @err, -ENOMEM. */
SONDE_HIDDEN int sonde__filter_parse(const char *text,
				     struct sonde__fexpr **out, char *err,
				     size_t errlen);
SONDE_HIDDEN void sonde__filter_expr_free(struct sonde__fexpr *e);
/* The filters @texts[0..@n) (each ends at its NUL or '\n') compiled for
 * @d; one that does not parse or names a field @d lacks is never true.
 * NULL without memory. */
SONDE_HIDDEN struct sonde__filter *
sonde__filter_build(const struct sonde_event_desc *d, const char *const *texts,
		    uint32_t n);
/* Whether @f was built from exactly @texts[0..@n). */
SONDE_HIDDEN bool sonde__filter_same(const struct sonde__filter *f,
				     const char *const *texts, uint32_t n);
SONDE_HIDDEN void sonde__filter_free(struct sonde__filter *f);
struct sonde__fval;
/* Whether one of @f's filters passes for the field values @v. */
SONDE_HIDDEN bool sonde__filter_eval(const struct sonde__filter *f,
				     const struct sonde__fval *v);

/* Sessions one process records into at once (slots). */
#define SONDE__SLOTS 8
/* Record into channel @ch (mapped at @h) as session slot @slot (free):
 * sites that @patterns select get their ids in that channel's registry,
 * then recording starts.  Slot 0 is the channel sonde__chan points to
 * (the inline path), published here; the others are recorded through the
 * sites' out-of-line path.  0, -EBUSY (slot in use), -EINVAL, -ENOMEM. */
SONDE_HIDDEN int sonde__registry_attach_slot(unsigned slot,
					     struct sonde__shm_hdr *h,
					     struct sonde__chan_view *ch,
					     const char *patterns);
/* New patterns for slot @slot.  0, -ENOENT when not attached, -EINVAL,
 * -ENOMEM. */
SONDE_HIDDEN int sonde__registry_set_patterns_slot(unsigned slot,
						   const char *patterns);
/* Stop recording into slot @slot: on return no thread starts using its
 * channel (one already past its site's check may still write into it,
 * the grace the agent's reclaim of retired ranges covers). */
SONDE_HIDDEN void sonde__registry_detach_slot(unsigned slot);

/*
 * What @patterns select for "provider:name" @name of level @loglevel:
 * selected (some inclusion matches and no exclusion); unfiltered (some
 * matching inclusion has no filter); the filters of the others (pointers
 * into @patterns, each ending at '\n' or NUL; at most
 * SONDE__FILTERS_PER_EVENT, more count as unfilterable: unfiltered).
 */
struct sonde__psel {
	int selected;
	int unfiltered;
	uint32_t nr_filters;
	const char *filter[SONDE__FILTERS_PER_EVENT];
};
SONDE_HIDDEN void sonde__pattern_select(const char *patterns, const char *name,
					int loglevel, struct sonde__psel *sel);

/* A log level by name (EMERG..DEBUG, any case, "TRACE_" prefix allowed) or
 * number: 0..14, or -EINVAL. */
SONDE_HIDDEN int sonde__loglevel_parse(const char *s);
/* "WARNING" for 4; NULL out of range. */
SONDE_HIDDEN const char *sonde__loglevel_name(int level);

#endif
