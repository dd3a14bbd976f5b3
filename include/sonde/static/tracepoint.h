/* SPDX-License-Identifier: MIT */
/*
 * Expansion of SONDE_TRACEPOINT_EVENT: for each event, a static field table,
 * a static site descriptor, a pointer to it in section "sonde_events_ptrs",
 * and a static inline function taking the typed arguments that sizes,
 * reserves, serializes straight-line and commits one record.  One static
 * constructor per translation unit hands the section of its executable or
 * shared object to the registry (src/instrumentation/registry.c), which
 * deduplicates by section.
 */
#ifndef SONDE_STATIC_TRACEPOINT_H
#define SONDE_STATIC_TRACEPOINT_H

#include <sonde/static/ring.h>
#include <sonde/static/tracepoint-pp.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Probes connected to one site: an array replaced (never modified) on each
 * change, and two reader counts.  A thread passing the site counts itself
 * in readers[epoch & 1], loads the array, calls the probes and uncounts
 * itself.  The epoch it loaded may be stale by any number of flips, so a
 * writer that replaced the array flips the epoch and waits for the old
 * parity's count to drain, twice, before it frees the old array
 * (probes_synchronize() in src/instrumentation/registry.c argues why).
 */
struct sonde__probe {
	void (*fn)(void);
	void *data;
};

struct sonde__probe_array {
	uint32_t nr;
	uint32_t resv;
	struct sonde__probe *probe; /* nr entries, right after this struct */
};

struct sonde__probes {
	struct sonde__probe_array *array;
	uint64_t readers[2];
	uint32_t epoch;
	uint32_t resv;
};

SONDE__API int sonde__probe_register(const char *provider, const char *name,
				     const char *signature, void (*fn)(void),
				     void *data);
SONDE__API int sonde__probe_unregister(const char *provider, const char *name,
				       const char *signature,
				       void (*fn)(void), void *data);

/* Probe lists this thread is inside: sonde__probe_register() and
 * sonde__probe_unregister() refuse to wait for the thread's own probe. */
SONDE__API extern __thread uint32_t sonde__probe_depth
	__attribute__((tls_model("initial-exec")));

/* Enter a site's probe list: returns the count to leave with (2: none),
 * and the array (NULL if none).  Paired with sonde__probes_leave(). */
static inline uint32_t sonde__probes_enter(struct sonde_event_desc *d,
					   struct sonde__probe_array **a)
{
	/* Acquire: the list's zeroed counts before its address; pairs with
	 * the release store that publishes it in probes_rebuild(). */
	struct sonde__probes *ps =
		__atomic_load_n(&d->probes, __ATOMIC_ACQUIRE);
	uint32_t e;

	*a = 0;
	if (!ps)
		return 2;
	sonde__probe_depth++;
	/* Relaxed: the epoch only steers new readers away from the count a
	 * writer drains; safety does not depend on its value, since the
	 * writer drains both counts. */
	e = __atomic_load_n(&ps->epoch, __ATOMIC_RELAXED) & 1;
	/* Seq_cst RMW then seq_cst load: we are counted before we load the
	 * array, so a writer that replaced the array and then reads our
	 * count sees us.  Pairs with the seq_cst exchange of the array and
	 * the seq_cst loads of the counts in probes_synchronize().  The
	 * load also acquires the array's contents. */
	__atomic_fetch_add(&ps->readers[e], 1, __ATOMIC_SEQ_CST);
	*a = __atomic_load_n(&ps->array, __ATOMIC_SEQ_CST);
	return e;
}

static inline void sonde__probes_leave(struct sonde_event_desc *d, uint32_t e)
{
	struct sonde__probes *ps;

	if (e > 1)
		return;
	/* The list we entered: d->probes is set once, and cleared only when
	 * the site's object is unloaded. */
	ps = __atomic_load_n(&d->probes, __ATOMIC_RELAXED);
	/* Release: our uses of the array and of the probes' data are done
	 * before the count drops; pairs with the loads of the counts
	 * (acquire) that let a writer free the array. */
	if (ps)
		__atomic_fetch_sub(&ps->readers[e], 1, __ATOMIC_RELEASE);
	sonde__probe_depth--;
}

/* A field's value for a filter: the value (a string, the elements), and
 * the element count of an array or sequence. */
struct sonde__fval {
	const void *p;
	size_t n;
};

/*
 * The out-of-line path of a site (state bit 1), in libsonde
 * (src/instrumentation/registry.c): the sessions (slots) that record @d
 * for the field values @v (in the order of @d's field table; NULL: no
 * filter can pass), as a bit mask; record @len bytes at @rec into each
 * slot of @mask, led by the site's address @ip in the sessions that
 * record it (`sonde record --context ip`: written in the 8 bytes before
 * @rec, which are the caller's scratch, so that the record goes out
 * without a copy; @rec is 8-aligned, with room up to the next multiple of
 * 8 after @len, @len at most SONDE__FAST_PAYLOAD_MAX); reserve a record of @len bytes
 * to write in place into slot @slot (NULL if the slot no longer records
 * @d or the buffer is full; the address already written where the
 * session wants it), to publish with sonde__commit().  sonde__record_slots()
 * and sonde__slot_chan() are what objects built before the address was
 * recorded call (address 0; in place, sessions that want it skipped).
 */
SONDE__API uint32_t sonde__site_select(const struct sonde_event_desc *d,
				       const struct sonde__fval *v);
SONDE__API void sonde__record_slots(const struct sonde_event_desc *d,
				    uint32_t mask, const void *rec,
				    uint32_t len);
SONDE__API struct sonde__chan_view *
sonde__slot_chan(const struct sonde_event_desc *d, uint32_t slot,
		 uint32_t *id);
SONDE__API void sonde__record_slots_ip(const struct sonde_event_desc *d,
				       uint32_t mask, uint64_t *rec,
				       uint32_t len, uint64_t ip);
SONDE__API char *sonde__slot_reserve(const struct sonde_event_desc *d,
				     uint32_t slot, uint32_t len, uint64_t ip,
				     struct sonde__wctx *w);

/*
 * The address of the site that called the out-of-line function this
 * expands in: its return address, inside the function that holds the
 * site.  For that, a tracepoint's site function is always inlined (also
 * at -O0, and when the compiler finds it big), and each site's call is
 * followed by SONDE__NO_TAIL_CALL(), so that it is never made a jump
 * whose return address would be the caller's.
 */
#define SONDE__SITE_IP() ((uint64_t)(uintptr_t)__builtin_return_address(0))
#define SONDE__NO_TAIL_CALL() __asm__ __volatile__("")

SONDE__API void sonde__register_events(struct sonde_event_desc **start,
				       struct sonde_event_desc **stop);
SONDE__API void sonde__unregister_events(struct sonde_event_desc **start,
					 struct sonde_event_desc **stop);

extern struct sonde_event_desc *__start_sonde_events_ptrs[]
	__attribute__((weak, visibility("hidden")));
extern struct sonde_event_desc *__stop_sonde_events_ptrs[]
	__attribute__((weak, visibility("hidden")));

static void __attribute__((constructor, unused)) sonde__tu_init(void)
{
	if (__start_sonde_events_ptrs)
		sonde__register_events(__start_sonde_events_ptrs,
				       __stop_sonde_events_ptrs);
}

static void __attribute__((destructor, unused)) sonde__tu_fini(void)
{
	if (__start_sonde_events_ptrs)
		sonde__unregister_events(__start_sonde_events_ptrs,
					 __stop_sonde_events_ptrs);
}

#ifdef __cplusplus
}
#endif

#define SONDE__SIGNED(type) ((type)-1 < (type)1)
#define SONDE__MAX_PAYLOAD 0xFFFFF0u

/* Visitors see (type, field, expr, x, y, f): f is SONDE_FIELD_F_* with
 * the base in bits 8 to 15 (tracepoint.h), a constant, so that every test
 * of it below folds at compile time. */
#define SONDE__F_NO(f) ((f) & SONDE_FIELD_F_NOWRITE)
#define SONDE__F_NW(f) ((f) & SONDE_FIELD_F_NETWORK)
#define SONDE__F_BASE(f) (((f) >> 8) ? ((f) >> 8) : 10)

/* Store @n bytes at @v in network (big-endian) byte order. */
static inline void sonde__put_net(char *p, const void *v, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	switch (n) {
	case 2: {
		uint16_t x;
		memcpy(&x, v, 2);
		x = __builtin_bswap16(x);
		memcpy(p, &x, 2);
		return;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, v, 4);
		x = __builtin_bswap32(x);
		memcpy(p, &x, 4);
		return;
	}
	case 8: {
		uint64_t x;
		memcpy(&x, v, 8);
		x = __builtin_bswap64(x);
		memcpy(p, &x, 8);
		return;
	}
	}
#endif
	memcpy(p, v, n);
}

/* Visitor PREP: evaluate each field expression once, into a local. */
#define SONDE__PREP_INT(type, field, expr, x, y, f)                            \
	type sonde__v_##field = (type)(expr);
#define SONDE__PREP_FLOAT SONDE__PREP_INT
#define SONDE__PREP_ENUM SONDE__PREP_INT
#define SONDE__PREP_STRING(type, field, expr, x, y, f)                         \
	const char *sonde__s_##field = (expr);                                 \
	size_t sonde__l_##field = 0;                                           \
	if (!sonde__s_##field)                                                 \
		sonde__s_##field = "(null)";                                   \
	if (!SONDE__F_NO(f))                                                   \
		sonde__l_##field = strlen(sonde__s_##field) + 1;               \
	(void)sonde__s_##field;
#define SONDE__PREP_ARRAY(type, field, expr, x, y, f)                          \
	const type *sonde__a_##field = (expr);                                 \
	(void)sonde__a_##field;
#define SONDE__PREP_SEQ(type, field, expr, x, y, f)                            \
	const type *sonde__a_##field = (expr);                                 \
	x sonde__n_##field = (x)(y);                                           \
	size_t sonde__c_##field =                                              \
		sonde__n_##field > 0 ? (size_t)sonde__n_##field : 0;           \
	(void)sonde__a_##field;                                                \
	(void)sonde__c_##field;

/* Visitor SIZE: payload bytes. */
#define SONDE__SIZE_INT(type, field, expr, x, y, f)                            \
	+(SONDE__F_NO(f) ? 0 : sizeof(type))
#define SONDE__SIZE_FLOAT SONDE__SIZE_INT
#define SONDE__SIZE_ENUM SONDE__SIZE_INT
#define SONDE__SIZE_STRING(type, field, expr, x, y, f) +sonde__l_##field
#define SONDE__SIZE_ARRAY(type, field, expr, x, y, f)                          \
	+(SONDE__F_NO(f) ? 0 : sizeof(type) * (size_t)(x))
#define SONDE__SIZE_SEQ(type, field, expr, x, y, f)                            \
	+(SONDE__F_NO(f) ? 0 : sizeof(x) + sizeof(type) * sonde__c_##field)

/* Visitor WRITE: straight-line serialization, byte-packed. */
#define SONDE__WRITE_INT(type, field, expr, x, y, f)                           \
	if (!SONDE__F_NO(f)) {                                                 \
		if (SONDE__F_NW(f))                                            \
			sonde__put_net(sonde__p, &sonde__v_##field,            \
				       sizeof(type));                          \
		else                                                           \
			memcpy(sonde__p, &sonde__v_##field, sizeof(type));     \
		sonde__p += sizeof(type);                                      \
	}
#define SONDE__WRITE_FLOAT SONDE__WRITE_INT
#define SONDE__WRITE_ENUM SONDE__WRITE_INT
#define SONDE__WRITE_STRING(type, field, expr, x, y, f)                        \
	if (!SONDE__F_NO(f)) {                                                 \
		/* Hide the length's bound from gcc, which would copy a     \
		 * short string with a slow-starting rep movs. */            \
		size_t sonde__n = sonde__l_##field;                            \
		__asm__("" : "+r"(sonde__n));                                  \
		memcpy(sonde__p, sonde__s_##field, sonde__n);                  \
		sonde__p += sonde__n;                                          \
	}
/* Network-order elements, one by one. */
#define SONDE__WRITE_NET_ELEMS(type, a, n)                                     \
	for (size_t sonde__i = 0; sonde__i < (n); sonde__i++)                  \
		sonde__put_net(sonde__p + sonde__i * sizeof(type),             \
			       (const char *)(a) + sonde__i * sizeof(type),    \
			       sizeof(type));
#define SONDE__WRITE_ARRAY(type, field, expr, x, y, f)                         \
	if (!SONDE__F_NO(f)) {                                                 \
		if (SONDE__F_NW(f) && sizeof(type) > 1) {                      \
			SONDE__WRITE_NET_ELEMS(type, sonde__a_##field,         \
					       (size_t)(x))                    \
		} else {                                                       \
			memcpy(sonde__p, sonde__a_##field,                     \
			       sizeof(type) * (size_t)(x));                    \
		}                                                              \
		sonde__p += sizeof(type) * (size_t)(x);                        \
	}
#define SONDE__WRITE_SEQ(type, field, expr, x, y, f)                           \
	if (!SONDE__F_NO(f)) {                                                 \
		x sonde__lv = (x)sonde__c_##field;                             \
		memcpy(sonde__p, &sonde__lv, sizeof(x));                       \
		sonde__p += sizeof(x);                                         \
		size_t sonde__n = sizeof(type) * sonde__c_##field;             \
		__asm__("" : "+r"(sonde__n)); /* as for strings */             \
		if (SONDE__F_NW(f) && sizeof(type) > 1) {                      \
			SONDE__WRITE_NET_ELEMS(type, sonde__a_##field,         \
					       sonde__c_##field)               \
		} else if (sonde__n) {                                         \
			/* Hidden like the size: a NULL sequence of 0 \
			 * elements is valid, never copied. */                 \
			const void *sonde__src = sonde__a_##field;             \
			__asm__("" : "+r"(sonde__src));                        \
			memcpy(sonde__p, sonde__src, sonde__n);                \
		}                                                              \
		sonde__p += sonde__n;                                          \
	}

/* Visitor DESC: static field table entries. */
#define SONDE__DESC_INT(type, field, expr, x, y, f)                            \
	{#field, SONDE_FIELD_INTEGER, sizeof(type), SONDE__SIGNED(type),        \
	 SONDE__F_BASE(f), 0, 0, (uint8_t)(f), 0, 0, 0},
#define SONDE__DESC_FLOAT(type, field, expr, x, y, f)                          \
	{#field, SONDE_FIELD_FLOAT, sizeof(type), 1, 10, 0, 0, (uint8_t)(f), 0, \
	 0, 0},
#define SONDE__DESC_STRING(type, field, expr, x, y, f)                         \
	{#field, SONDE_FIELD_STRING, 1, 0, 10, 0, 0, (uint8_t)(f), 0, 0, 0},
#define SONDE__DESC_ARRAY(type, field, expr, x, y, f)                          \
	{#field, SONDE_FIELD_ARRAY, sizeof(type), SONDE__SIGNED(type),          \
	 SONDE__F_BASE(f), 0, 0, (uint8_t)(f), 0, (uint32_t)(x), 0},
#define SONDE__DESC_SEQ(type, field, expr, x, y, f)                            \
	{#field, SONDE_FIELD_SEQUENCE, sizeof(type), SONDE__SIGNED(type),       \
	 SONDE__F_BASE(f), sizeof(x), SONDE__SIGNED(x), (uint8_t)(f), 0, 0, 0},
#define SONDE__DESC_ENUM(type, field, expr, x, y, f)                           \
	{#field, SONDE_FIELD_ENUM, sizeof(type), SONDE__SIGNED(type), 10, 0, 0, \
	 (uint8_t)(f), 0, 0, &x},

/* Visitor FVAL: where a filter finds each field's value (nowrite ones
 * included), in the order of the field table. */
#define SONDE__FVAL_INT(type, field, expr, x, y, f)                            \
	{(const void *)&sonde__v_##field, 0},
#define SONDE__FVAL_FLOAT SONDE__FVAL_INT
#define SONDE__FVAL_ENUM SONDE__FVAL_INT
#define SONDE__FVAL_STRING(type, field, expr, x, y, f)                         \
	{(const void *)sonde__s_##field, 0},
#define SONDE__FVAL_ARRAY(type, field, expr, x, y, f)                          \
	{(const void *)sonde__a_##field, (size_t)(x)},
#define SONDE__FVAL_SEQ(type, field, expr, x, y, f)                            \
	{(const void *)sonde__a_##field, sonde__c_##field},

/* Visitor COUNT. */
#define SONDE__COUNT_INT(...) +1
#define SONDE__COUNT_FLOAT(...) +1
#define SONDE__COUNT_STRING(...) +1
#define SONDE__COUNT_ARRAY(...) +1
#define SONDE__COUNT_SEQ(...) +1
#define SONDE__COUNT_ENUM(...) +1

#define SONDE__TP_EVENT(p, n, args, fields)                                    \
	static const struct sonde_field_desc sonde__fields_##p##__##n[] = {     \
		SONDE__EACH_DESC(fields){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};     \
	static struct sonde_event_desc sonde__ev_##p##__##n = {                 \
		sizeof(struct sonde_event_desc), 0, 0,                         \
		0 SONDE__EACH_COUNT(fields), #p, #n, sonde__fields_##p##__##n,   \
		#args, 0, 0, sizeof(struct sonde_field_desc), 0, 0, 0, 0};     \
	static struct sonde_event_desc *sonde__evp_##p##__##n                   \
		__attribute__((section("sonde_events_ptrs"), used)) =          \
			&sonde__ev_##p##__##n;                                  \
	typedef void (*sonde__probe_t_##p##__##n)(void * SONDE__PTYPES args);   \
	static inline SONDE__UNUSED void sonde__check_##p##__##n(void)          \
	{                                                                      \
		SONDE__EACH_CHECK(fields)                                      \
	}                                                                      \
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
	SONDE__TP_FILTERED(p, n, args, fields)                                 \
	static inline SONDE__UNUSED __attribute__((always_inline)) void       \
	sonde__tp_##p##__##n(                                                  \
		int sonde__st SONDE__PPARAMS args)                             \
	{                                                                      \
		if (SONDE__UNLIKELY(sonde__st > 1)) {                          \
			if (sonde__st > 3)                                     \
				sonde__tpp_##p##__##n(SONDE__NAMES args);       \
			if (sonde__st & 2) {                                   \
				sonde__tpf_##p##__##n(SONDE__NAMES args);       \
				SONDE__NO_TAIL_CALL();                         \
				return;                                        \
			}                                                      \
		}                                                              \
		if (!(sonde__st & 1))                                          \
			return;                                                \
		{                                                              \
			SONDE__EACH_PREP(fields)                               \
			SONDE__REC_ONE(&sonde__ev_##p##__##n, fields)           \
		}                                                              \
	}

/*
 * Zero the bytes of the last 8-byte word of a record serialized at @rec
 * (@sz bytes) past its end: the copy into the buffer stores whole words,
 * and the bytes past a record must be zeros, not what the stack held, for
 * the consumer to find the end of a hole a dying writer left right after
 * it (hole_len() in src/sources/consumer.c; test-hole failed on "san/"
 * from a path string).  Folds to nothing when @sz is a constant multiple
 * of 8.
 */
#define SONDE__ZERO_TAIL(rec, sz)                                              \
	if ((sz) & 7)                                                          \
		memset((char *)(rec) + (sz), 0, 8 - ((sz) & 7));

/*
 * The site's record into the process's first session, after PREP: sized,
 * serialized aside and committed at once, or, too big for that, reserved
 * and written in place.  @dp: the site descriptor.
 */
#define SONDE__REC_ONE(dp, fields)                                             \
	struct sonde__chan_view *sonde__ch;                                    \
	uint32_t sonde__id;                                                    \
	struct sonde__wctx sonde__w;                                           \
	char *sonde__p;                                                        \
	size_t sonde__sz;                                                      \
	sonde__sz = 0 SONDE__EACH_SIZE(fields);                                \
	if (SONDE__LIKELY(sonde__sz <= SONDE__FAST_PAYLOAD_MAX)) {             \
		/* Serialized aside, copied and committed at once. */          \
		uint64_t sonde__rec[(SONDE__FAST_PAYLOAD_MAX + 7) / 8];        \
		sonde__p = (char *)sonde__rec;                                 \
		SONDE__EACH_WRITE(fields)                                      \
		(void)sonde__p;                                                \
		SONDE__ZERO_TAIL(sonde__rec, sonde__sz)                        \
		sonde__record((dp), &(dp)->id, sonde__rec, (uint32_t)sonde__sz); \
		return;                                                        \
	}                                                                      \
	/* Too big for any record: the slow path drops and counts it          \
	 * (lost_big); nothing is clipped, nothing written. */                \
	if (sonde__sz > SONDE__MAX_PAYLOAD)                                    \
		sonde__sz = UINT32_MAX;                                        \
	sonde__ch = sonde__chan_get();                                         \
	sonde__id = __atomic_load_n(&(dp)->id, __ATOMIC_RELAXED);              \
	sonde__p = sonde__reserve_slow(sonde__ch, (dp), sonde__id,             \
				       (uint32_t)sonde__sz, &sonde__w);        \
	if (!sonde__p)                                                         \
		return;                                                        \
	SONDE__EACH_WRITE(fields)                                              \
	(void)sonde__p;                                                        \
	sonde__commit(&sonde__w);

/*
 * The site's out-of-line record, after PREP: the sessions that want it,
 * filters evaluated on every field (nowrite ones included) before anything
 * is serialized; then one serialization for all of them, or, too big, one
 * record written in place per session.  @ip: the site's address
 * (SONDE__SITE_IP() of the out-of-line function).
 */
#define SONDE__REC_SLOTS(dp, fields, ip)                                       \
	struct sonde__wctx sonde__w;                                           \
	char *sonde__p;                                                        \
	size_t sonde__sz;                                                      \
	uint32_t sonde__m;                                                     \
	{                                                                      \
		const struct sonde__fval sonde__fv[] = {                       \
			SONDE__EACH_FVAL(fields){0, 0}};                       \
		sonde__m = sonde__site_select((dp), sonde__fv);                \
	}                                                                      \
	if (!sonde__m)                                                         \
		return;                                                        \
	sonde__sz = 0 SONDE__EACH_SIZE(fields);                                \
	if (SONDE__LIKELY(sonde__sz <= SONDE__FAST_PAYLOAD_MAX)) {             \
		/* Word 0: room for the address, before the fields. */        \
		uint64_t sonde__rec[1 + (SONDE__FAST_PAYLOAD_MAX + 7) / 8];    \
		sonde__p = (char *)(sonde__rec + 1);                           \
		SONDE__EACH_WRITE(fields)                                      \
		(void)sonde__p;                                                \
		SONDE__ZERO_TAIL(sonde__rec + 1, sonde__sz)                    \
		sonde__record_slots_ip((dp), sonde__m, sonde__rec + 1,         \
				       (uint32_t)sonde__sz, (ip));             \
		return;                                                        \
	}                                                                      \
	if (sonde__sz > SONDE__MAX_PAYLOAD)                                    \
		sonde__sz = UINT32_MAX;                                        \
	for (uint32_t sonde__k = 0; sonde__m; sonde__k++, sonde__m >>= 1) {    \
		if (!(sonde__m & 1))                                           \
			continue;                                              \
		sonde__p = sonde__slot_reserve((dp), sonde__k,                 \
					       (uint32_t)sonde__sz, (ip),      \
					       &sonde__w);                     \
		if (!sonde__p)                                                 \
			continue;                                              \
		SONDE__EACH_WRITE(fields)                                      \
		(void)sonde__p;                                                \
		sonde__commit(&sonde__w);                                      \
	}

/* Kept for sources that test for the filtered path (sonde-lttng). */
#define SONDE__TP_FILTERED(p, n, args, fields)                                 \
	static SONDE__UNUSED __attribute__((noinline, cold)) void              \
	sonde__tpf_##p##__##n(SONDE__PARAMS args)                               \
	{                                                                      \
		SONDE__EACH_PREP(fields)                                       \
		{                                                              \
			SONDE__REC_SLOTS(&sonde__ev_##p##__##n, fields,         \
					 SONDE__SITE_IP())                     \
		}                                                              \
	}

#endif /* SONDE_STATIC_TRACEPOINT_H */
