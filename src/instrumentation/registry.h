/* SPDX-License-Identifier: MIT */
/* Tracepoint registry: sections of site descriptors, enablement, ids. */
#ifndef SONDE_SRC_INSTRUMENTATION_REGISTRY_H
#define SONDE_SRC_INSTRUMENTATION_REGISTRY_H

#include "../buffers/layout.h"
#include "../common/common.h"

struct sonde_event_desc;

/* Add an object's section of site descriptors [@start, @stop) (counted:
 * once per translation unit of the object); its sites start recording
 * if the process is attached.  Called by sonde__register_events()
 * (src/runtime/startup.c), which also attaches the process first. */
SONDE_HIDDEN void sonde__registry_add(struct sonde_event_desc **start,
				      struct sonde_event_desc **stop);

/*
 * Record into channel @ch (mapped at @h): sites that @patterns select get
 * their ids in the channel's registry, then @ch is published as the
 * process's channel, then those sites start recording.  0 or -ENOMEM.
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

/* A log level by name (EMERG..DEBUG, any case, "TRACE_" prefix allowed) or
 * number: 0..14, or -EINVAL. */
SONDE_HIDDEN int sonde__loglevel_parse(const char *s);
/* "WARNING" for 4; NULL out of range. */
SONDE_HIDDEN const char *sonde__loglevel_name(int level);

#endif
