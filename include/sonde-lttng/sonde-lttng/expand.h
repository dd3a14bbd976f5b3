/* SPDX-License-Identifier: MIT */
/*
 * sonde-lttng: what <lttng/tracepoint.h> needs beyond sonde's public
 * macros: LTTng-UST's network byte order fields, and its event classes.
 *
 * LTTng-UST's _network fields take a value, or elements, already in network
 * byte order (htons(port), a struct sockaddr_in's sin_port) and record its
 * bytes as they are, declared big-endian: readers show the host value it
 * stands for.  sonde's own sonde_field_*_network() take host values and
 * swap them.  So the LTTng spellings use kinds of their own, LTTNGNET_*,
 * walked by sonde's visitors (<sonde/static/tracepoint.h>) as the INT,
 * ARRAY and SEQ kinds are, except that they write without swapping; their
 * field descriptions say SONDE_FIELD_F_NETWORK as sonde's do.  A visitor
 * that sonde adds and these kinds lack fails to compile, by name.
 *
 * Event classes:
 *
 * The preprocessor cannot keep a class's fields for its instances, so a
 * class becomes C: its field table and one static inline function that
 * serializes its fields into the record of whichever event descriptor it is
 * given.  Each instance is then an event of its own, as
 * SONDE_TRACEPOINT_EVENT() would define it: a static descriptor in section
 * "sonde_events_ptrs" naming the class's field table, its probe type, and
 * the sonde__tp_<prov>__<name>() that sonde_tracepoint(),
 * sonde_tracepoint_enabled(), SONDE_TRACEPOINT_LOGLEVEL() and
 * sonde_probe_register() expect.  An instance's trace is what an event
 * with the class's fields gives, field for field.
 *
 * The record path below is SONDE__TP_EVENT's (<sonde/static/tracepoint.h>)
 * with the descriptor as an argument: the two must change together.
 */
#ifndef SONDE_LTTNG_EXPAND_H
#define SONDE_LTTNG_EXPAND_H

#include <sonde/tracepoint.h>

/* Field tuples (kind, type, field, expr, x, y, flags) as tracepoint.h
 * builds them; flags say network order (and the base), for the field's
 * description only. */
#define SONDE_LTTNG__NINT(type, field, expr, flags)                            \
	(LTTNGNET_INT, type, field, expr, _, _, SONDE__NW | (flags))
#define SONDE_LTTNG__NARRAY(type, field, expr, count, flags)                   \
	(LTTNGNET_ARRAY, type, field, expr, count, _, SONDE__NW | (flags))
#define SONDE_LTTNG__NSEQ(type, field, expr, length_type, length_expr, flags)  \
	(LTTNGNET_SEQ, type, field, expr, length_type, length_expr,            \
	 SONDE__NW | (flags))

#ifndef SONDE_TRACING_DISABLED
/* Every visitor as INT, ARRAY and SEQ; WRITE told host order, so that the
 * bytes go as they are. */
#define SONDE__PREP_LTTNGNET_INT SONDE__PREP_INT
#define SONDE__SIZE_LTTNGNET_INT SONDE__SIZE_INT
#define SONDE__DESC_LTTNGNET_INT SONDE__DESC_INT
#define SONDE__COUNT_LTTNGNET_INT SONDE__COUNT_INT
#define SONDE__WRITE_LTTNGNET_INT(type, field, expr, x, y, f)                  \
	SONDE__WRITE_INT(type, field, expr, x, y, (f) & ~SONDE__NW)
#define SONDE__PREP_LTTNGNET_ARRAY SONDE__PREP_ARRAY
#define SONDE__SIZE_LTTNGNET_ARRAY SONDE__SIZE_ARRAY
#define SONDE__DESC_LTTNGNET_ARRAY SONDE__DESC_ARRAY
#define SONDE__COUNT_LTTNGNET_ARRAY SONDE__COUNT_ARRAY
#define SONDE__WRITE_LTTNGNET_ARRAY(type, field, expr, x, y, f)                \
	SONDE__WRITE_ARRAY(type, field, expr, x, y, (f) & ~SONDE__NW)
#define SONDE__PREP_LTTNGNET_SEQ SONDE__PREP_SEQ
#define SONDE__SIZE_LTTNGNET_SEQ SONDE__SIZE_SEQ
#define SONDE__DESC_LTTNGNET_SEQ SONDE__DESC_SEQ
#define SONDE__COUNT_LTTNGNET_SEQ SONDE__COUNT_SEQ
#define SONDE__WRITE_LTTNGNET_SEQ(type, field, expr, x, y, f)                  \
	SONDE__WRITE_SEQ(type, field, expr, x, y, (f) & ~SONDE__NW)
/* Filters (where sonde has them) see the value as it is given. */
#define SONDE__FVAL_LTTNGNET_INT SONDE__FVAL_INT
#define SONDE__FVAL_LTTNGNET_ARRAY SONDE__FVAL_ARRAY
#define SONDE__FVAL_LTTNGNET_SEQ SONDE__FVAL_SEQ
#endif

#ifdef SONDE_TRACING_DISABLED

/* Compiled out, as <sonde/tracepoint.h> compiles out an event: the
 * instance's typed stub, called under if (0), and its probe type. */
#define SONDE_LTTNG__CLASS(cp, cn, args, fields)                               \
	static inline SONDE__UNUSED void sonde_lttng__class_##cp##__##cn(void) \
	{                                                                      \
		SONDE__EACH_CHECK(fields)                                      \
	}
#define SONDE_LTTNG__INSTANCE(cp, cn, p, n, args)                              \
	typedef void (*sonde__probe_t_##p##__##n)(void * SONDE__PTYPES args);   \
	static inline SONDE__UNUSED void sonde__tp_##p##__##n(                  \
		SONDE__PARAMS args)                                            \
	{                                                                      \
		(void)sonde_lttng__class_##cp##__##cn;                          \
	}

#else /* !SONDE_TRACING_DISABLED */

/*
 * The class: its field table (sonde_lttng__class_<cp>__<cn>, the name an
 * instance without its class fails on), its field count, the compile-time
 * checks of its field names, and its record function.
 */
#define SONDE_LTTNG__CLASS(cp, cn, args, fields)                               \
	static const struct sonde_field_desc sonde_lttng__class_##cp##__##cn[] = { \
		SONDE__EACH_DESC(fields){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};     \
	enum { sonde_lttng__nf_##cp##__##cn = 0 SONDE__EACH_COUNT(fields) };    \
	static inline SONDE__UNUSED void sonde_lttng__check_##cp##__##cn(void)  \
	{                                                                      \
		SONDE__EACH_CHECK(fields)                                      \
	}                                                                      \
	static inline SONDE__UNUSED void sonde_lttng__rec_##cp##__##cn(          \
		struct sonde_event_desc *sonde_lttng__d,                       \
		int sonde_lttng__outline,                                      \
		uint64_t sonde_lttng__ip SONDE__PPARAMS args)                  \
	{                                                                      \
		SONDE__EACH_PREP(fields)                                       \
		/* The core's own record paths, for this instance. */         \
		if (sonde_lttng__outline) {                                    \
			SONDE__REC_SLOTS(sonde_lttng__d, fields,               \
					 sonde_lttng__ip)                      \
		} else {                                                       \
			SONDE__REC_ONE(sonde_lttng__d, fields)                 \
		}                                                              \
	}                                                                      \
	SONDE_LTTNG__CLASS_FILTERED(cp, cn, args, fields)

/* An instance: event @p:@n with the fields of class @cp:@cn. */
#define SONDE_LTTNG__INSTANCE(cp, cn, p, n, args)                              \
	SONDE_LTTNG__INIT_BEGIN                                                \
	static struct sonde_event_desc sonde__ev_##p##__##n = {                 \
		.struct_size = sizeof(struct sonde_event_desc),                \
		.nr_fields = (uint32_t)sonde_lttng__nf_##cp##__##cn,            \
		.provider = #p,                                                \
		.name = #n,                                                    \
		.fields = sonde_lttng__class_##cp##__##cn,                      \
		.signature = #args,                                            \
		.field_size = sizeof(struct sonde_field_desc),                 \
	};                                                                     \
	SONDE_LTTNG__INIT_END                                                  \
	static struct sonde_event_desc *sonde__evp_##p##__##n                   \
		__attribute__((section("sonde_events_ptrs"), used)) =          \
			&sonde__ev_##p##__##n;                                  \
	typedef void (*sonde__probe_t_##p##__##n)(void * SONDE__PTYPES args);   \
	static SONDE__UNUSED __attribute__((noinline, cold)) void              \
	sonde__tpp_##p##__##n(SONDE__PARAMS args)                               \
	{                                                                      \
		struct sonde__probe_array *sonde__a;                           \
		uint32_t sonde__e =                                            \
			sonde__probes_enter(&sonde__ev_##p##__##n, &sonde__a);  \
		for (uint32_t sonde__i = 0; sonde__a && sonde__i < sonde__a->nr;\
		     sonde__i++)                                               \
			((sonde__probe_t_##p##__##n)sonde__a->probe[sonde__i].fn)(\
				sonde__a->probe[sonde__i].data                 \
				SONDE__PNAMES args);                           \
		sonde__probes_leave(&sonde__ev_##p##__##n, sonde__e);           \
	}                                                                      \
	SONDE_LTTNG__INSTANCE_TP(cp, cn, p, n, args)

/*
 * The site, as SONDE__TP_EVENT's: state bit 0 records through the inline
 * path, bit 1 through the out-of-line one (several sessions, filters
 * seeing every field, nowrite ones included), bits 2 and up count probes.
 */
#define SONDE_LTTNG__CLASS_FILTERED(cp, cn, args, fields)                      \
	static SONDE__UNUSED __attribute__((noinline, cold)) void              \
	sonde_lttng__recf_##cp##__##cn(                                         \
		struct sonde_event_desc *sonde_lttng__d SONDE__PPARAMS args)   \
	{                                                                      \
		sonde_lttng__rec_##cp##__##cn(sonde_lttng__d, 1,                \
					     SONDE__SITE_IP()                  \
					     SONDE__PNAMES args);              \
	}
#define SONDE_LTTNG__INSTANCE_TP(cp, cn, p, n, args)                           \
	static inline SONDE__UNUSED __attribute__((always_inline)) void       \
	sonde__tp_##p##__##n(                                                  \
		int sonde__st SONDE__PPARAMS args)                             \
	{                                                                      \
		if (SONDE__UNLIKELY(sonde__st > 1)) {                          \
			if (sonde__st > 3)                                     \
				sonde__tpp_##p##__##n(SONDE__NAMES args);       \
			if (sonde__st & 2) {                                   \
				sonde_lttng__recf_##cp##__##cn(                 \
					&sonde__ev_##p##__##n SONDE__PNAMES args); \
				SONDE__NO_TAIL_CALL();                         \
				return;                                        \
			}                                                      \
		}                                                              \
		if (!(sonde__st & 1))                                          \
			return;                                                \
		sonde_lttng__rec_##cp##__##cn(&sonde__ev_##p##__##n, 0, 0       \
					     SONDE__PNAMES args);              \
	}


/*
 * The descriptor, designated so that the members it does not name are
 * zero whatever the struct grows (as <sonde/tracef.h> does); g++ takes
 * designators in order as an extension and calls the others missing.
 */
#ifdef __cplusplus
#define SONDE_LTTNG__INIT_BEGIN                                                \
	_Pragma("GCC diagnostic push")                                         \
	_Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"")
#define SONDE_LTTNG__INIT_END _Pragma("GCC diagnostic pop")
#else
#define SONDE_LTTNG__INIT_BEGIN
#define SONDE_LTTNG__INIT_END
#endif

#endif /* SONDE_TRACING_DISABLED */

#endif /* SONDE_LTTNG_EXPAND_H */
