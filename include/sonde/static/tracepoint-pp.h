/* SPDX-License-Identifier: MIT */
/*
 * Preprocessor machinery behind SONDE_TRACEPOINT_EVENT.  Arguments come as a
 * flat list of (type, name) pairs, counted with a leading dummy so that an
 * empty list counts 1 and n pairs count 2n + 1.  Fields come as a sequence of
 * parenthesized tuples (kind, type, field, expr, x, y) walked by
 * SONDE__SEQ_EACH with one two-state walker per visitor; each visitor call
 * is deferred so that the commas it produces never reach an argument list.
 * Generated for up to 10 arguments; keep it that way (see tracepoint.h).
 */
#ifndef SONDE_STATIC_TRACEPOINT_PP_H
#define SONDE_STATIC_TRACEPOINT_PP_H

#define SONDE__CAT(a, b) SONDE__CAT_(a, b)
#define SONDE__CAT_(a, b) a##b
/* Visitors run inside SONDE__CAT's expansion, so they paste with their own. */
#define SONDE__VCAT(a, b) SONDE__VCAT_(a, b)
#define SONDE__VCAT_(a, b) a##b
#define SONDE__EMPTY()
#define SONDE__DEFER(m) m SONDE__EMPTY()
#define SONDE__EXPAND(...) __VA_ARGS__
#define SONDE__UNUSED __attribute__((unused))

#define SONDE__NARG(...) SONDE__NARG_(__VA_ARGS__, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define SONDE__NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, N, ...) N

#define SONDE__PARAMS(...) SONDE__CAT(SONDE__PARAMS_, SONDE__NARG(x, __VA_ARGS__))(__VA_ARGS__)
#define SONDE__NAMES(...) SONDE__CAT(SONDE__NAMES_, SONDE__NARG(x, __VA_ARGS__))(__VA_ARGS__)
#define SONDE__TYPES(...) SONDE__CAT(SONDE__TYPES_, SONDE__NARG(x, __VA_ARGS__))(__VA_ARGS__)
#define SONDE__PARAMS_2(...) void
#define SONDE__NAMES_2(...)
#define SONDE__TYPES_2(...) void
#define SONDE__PARAMS_3(t1, n1) t1 n1 SONDE__UNUSED
#define SONDE__NAMES_3(t1, n1) n1
#define SONDE__TYPES_3(t1, n1) t1
#define SONDE__PARAMS_5(t1, n1, t2, n2) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED
#define SONDE__NAMES_5(t1, n1, t2, n2) n1, n2
#define SONDE__TYPES_5(t1, n1, t2, n2) t1, t2
#define SONDE__PARAMS_7(t1, n1, t2, n2, t3, n3) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED
#define SONDE__NAMES_7(t1, n1, t2, n2, t3, n3) n1, n2, n3
#define SONDE__TYPES_7(t1, n1, t2, n2, t3, n3) t1, t2, t3
#define SONDE__PARAMS_9(t1, n1, t2, n2, t3, n3, t4, n4) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED
#define SONDE__NAMES_9(t1, n1, t2, n2, t3, n3, t4, n4) n1, n2, n3, n4
#define SONDE__TYPES_9(t1, n1, t2, n2, t3, n3, t4, n4) t1, t2, t3, t4
#define SONDE__PARAMS_11(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED
#define SONDE__NAMES_11(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) n1, n2, n3, n4, n5
#define SONDE__TYPES_11(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) t1, t2, t3, t4, t5
#define SONDE__PARAMS_13(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED
#define SONDE__NAMES_13(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6) n1, n2, n3, n4, n5, n6
#define SONDE__TYPES_13(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6) t1, t2, t3, t4, t5, t6
#define SONDE__PARAMS_15(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED
#define SONDE__NAMES_15(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7) n1, n2, n3, n4, n5, n6, n7
#define SONDE__TYPES_15(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7) t1, t2, t3, t4, t5, t6, t7
#define SONDE__PARAMS_17(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED, t8 n8 SONDE__UNUSED
#define SONDE__NAMES_17(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8) n1, n2, n3, n4, n5, n6, n7, n8
#define SONDE__TYPES_17(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8) t1, t2, t3, t4, t5, t6, t7, t8
#define SONDE__PARAMS_19(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED, t8 n8 SONDE__UNUSED, t9 n9 SONDE__UNUSED
#define SONDE__NAMES_19(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9) n1, n2, n3, n4, n5, n6, n7, n8, n9
#define SONDE__TYPES_19(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9) t1, t2, t3, t4, t5, t6, t7, t8, t9
#define SONDE__PARAMS_21(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9, t10, n10) t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED, t8 n8 SONDE__UNUSED, t9 n9 SONDE__UNUSED, t10 n10 SONDE__UNUSED
#define SONDE__NAMES_21(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9, t10, n10) n1, n2, n3, n4, n5, n6, n7, n8, n9, n10
#define SONDE__TYPES_21(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9, t10, n10) t1, t2, t3, t4, t5, t6, t7, t8, t9, t10

#define SONDE__PTYPES(...) SONDE__CAT(SONDE__PTYPES_, SONDE__NARG(x, __VA_ARGS__))(__VA_ARGS__)
#define SONDE__PNAMES(...) SONDE__CAT(SONDE__PNAMES_, SONDE__NARG(x, __VA_ARGS__))(__VA_ARGS__)
/* Leading-comma lists, for a probe's (void *data, args...) signature. */
#define SONDE__PTYPES_2(...)
#define SONDE__PNAMES_2(...)
#define SONDE__PTYPES_3(t1, n1) , t1
#define SONDE__PNAMES_3(t1, n1) , n1
#define SONDE__PTYPES_5(t1, n1, t2, n2) , t1, t2
#define SONDE__PNAMES_5(t1, n1, t2, n2) , n1, n2
#define SONDE__PTYPES_7(t1, n1, t2, n2, t3, n3) , t1, t2, t3
#define SONDE__PNAMES_7(t1, n1, t2, n2, t3, n3) , n1, n2, n3
#define SONDE__PTYPES_9(t1, n1, t2, n2, t3, n3, t4, n4) , t1, t2, t3, t4
#define SONDE__PNAMES_9(t1, n1, t2, n2, t3, n3, t4, n4) , n1, n2, n3, n4
#define SONDE__PTYPES_11(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) , t1, t2, t3, t4, t5
#define SONDE__PNAMES_11(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) , n1, n2, n3, n4, n5
#define SONDE__PTYPES_13(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6) , t1, t2, t3, t4, t5, t6
#define SONDE__PNAMES_13(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6) , n1, n2, n3, n4, n5, n6
#define SONDE__PTYPES_15(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7) , t1, t2, t3, t4, t5, t6, t7
#define SONDE__PNAMES_15(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7) , n1, n2, n3, n4, n5, n6, n7
#define SONDE__PTYPES_17(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8) , t1, t2, t3, t4, t5, t6, t7, t8
#define SONDE__PNAMES_17(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8) , n1, n2, n3, n4, n5, n6, n7, n8
#define SONDE__PTYPES_19(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9) , t1, t2, t3, t4, t5, t6, t7, t8, t9
#define SONDE__PNAMES_19(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9) , n1, n2, n3, n4, n5, n6, n7, n8, n9
#define SONDE__PTYPES_21(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9, t10, n10) , t1, t2, t3, t4, t5, t6, t7, t8, t9, t10
#define SONDE__PNAMES_21(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9, t10, n10) , n1, n2, n3, n4, n5, n6, n7, n8, n9, n10

#define SONDE__PPARAMS(...) SONDE__CAT(SONDE__PPARAMS_, SONDE__NARG(x, __VA_ARGS__))(__VA_ARGS__)
#define SONDE__PPARAMS_2(...)
#define SONDE__PPARAMS_3(t1, n1) , t1 n1 SONDE__UNUSED
#define SONDE__PPARAMS_5(t1, n1, t2, n2) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED
#define SONDE__PPARAMS_7(t1, n1, t2, n2, t3, n3) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED
#define SONDE__PPARAMS_9(t1, n1, t2, n2, t3, n3, t4, n4) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED
#define SONDE__PPARAMS_11(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED
#define SONDE__PPARAMS_13(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED
#define SONDE__PPARAMS_15(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED
#define SONDE__PPARAMS_17(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED, t8 n8 SONDE__UNUSED
#define SONDE__PPARAMS_19(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED, t8 n8 SONDE__UNUSED, t9 n9 SONDE__UNUSED
#define SONDE__PPARAMS_21(t1, n1, t2, n2, t3, n3, t4, n4, t5, n5, t6, n6, t7, n7, t8, n8, t9, n9, t10, n10) , t1 n1 SONDE__UNUSED, t2 n2 SONDE__UNUSED, t3 n3 SONDE__UNUSED, t4 n4 SONDE__UNUSED, t5 n5 SONDE__UNUSED, t6 n6 SONDE__UNUSED, t7 n7 SONDE__UNUSED, t8 n8 SONDE__UNUSED, t9 n9 SONDE__UNUSED, t10 n10 SONDE__UNUSED

/* Walk a (a)(b)(c) sequence, calling SONDE__V_<visitor>(tuple...) on each. */
#define SONDE__EACH_PREP(seq) SONDE__CAT(SONDE__PREP_A seq, _END)
#define SONDE__PREP_A(...) SONDE__DEFER(SONDE__V_PREP)(__VA_ARGS__) SONDE__PREP_B
#define SONDE__PREP_B(...) SONDE__DEFER(SONDE__V_PREP)(__VA_ARGS__) SONDE__PREP_A
#define SONDE__PREP_A_END
#define SONDE__PREP_B_END
#define SONDE__V_PREP(kind, ...) SONDE__VCAT(SONDE__PREP_, kind)(__VA_ARGS__)
#define SONDE__EACH_SIZE(seq) SONDE__CAT(SONDE__SIZE_A seq, _END)
#define SONDE__SIZE_A(...) SONDE__DEFER(SONDE__V_SIZE)(__VA_ARGS__) SONDE__SIZE_B
#define SONDE__SIZE_B(...) SONDE__DEFER(SONDE__V_SIZE)(__VA_ARGS__) SONDE__SIZE_A
#define SONDE__SIZE_A_END
#define SONDE__SIZE_B_END
#define SONDE__V_SIZE(kind, ...) SONDE__VCAT(SONDE__SIZE_, kind)(__VA_ARGS__)
#define SONDE__EACH_WRITE(seq) SONDE__CAT(SONDE__WRITE_A seq, _END)
#define SONDE__WRITE_A(...) SONDE__DEFER(SONDE__V_WRITE)(__VA_ARGS__) SONDE__WRITE_B
#define SONDE__WRITE_B(...) SONDE__DEFER(SONDE__V_WRITE)(__VA_ARGS__) SONDE__WRITE_A
#define SONDE__WRITE_A_END
#define SONDE__WRITE_B_END
#define SONDE__V_WRITE(kind, ...) SONDE__VCAT(SONDE__WRITE_, kind)(__VA_ARGS__)
#define SONDE__EACH_DESC(seq) SONDE__CAT(SONDE__DESC_A seq, _END)
#define SONDE__DESC_A(...) SONDE__DEFER(SONDE__V_DESC)(__VA_ARGS__) SONDE__DESC_B
#define SONDE__DESC_B(...) SONDE__DEFER(SONDE__V_DESC)(__VA_ARGS__) SONDE__DESC_A
#define SONDE__DESC_A_END
#define SONDE__DESC_B_END
#define SONDE__V_DESC(kind, ...) SONDE__VCAT(SONDE__DESC_, kind)(__VA_ARGS__)
#define SONDE__EACH_FVAL(seq) SONDE__CAT(SONDE__FVAL_A seq, _END)
#define SONDE__FVAL_A(...) SONDE__DEFER(SONDE__V_FVAL)(__VA_ARGS__) SONDE__FVAL_B
#define SONDE__FVAL_B(...) SONDE__DEFER(SONDE__V_FVAL)(__VA_ARGS__) SONDE__FVAL_A
#define SONDE__FVAL_A_END
#define SONDE__FVAL_B_END
#define SONDE__V_FVAL(kind, ...) SONDE__VCAT(SONDE__FVAL_, kind)(__VA_ARGS__)
#define SONDE__EACH_COUNT(seq) SONDE__CAT(SONDE__COUNT_A seq, _END)
#define SONDE__COUNT_A(...) SONDE__DEFER(SONDE__V_COUNT)(__VA_ARGS__) SONDE__COUNT_B
#define SONDE__COUNT_B(...) SONDE__DEFER(SONDE__V_COUNT)(__VA_ARGS__) SONDE__COUNT_A
#define SONDE__COUNT_A_END
#define SONDE__COUNT_B_END
#define SONDE__V_COUNT(kind, ...) SONDE__VCAT(SONDE__COUNT_, kind)(__VA_ARGS__)
#define SONDE__EACH_CHECK(seq) SONDE__CAT(SONDE__CHECK_A seq, _END)
#define SONDE__CHECK_A(...) SONDE__DEFER(SONDE__V_CHECK)(__VA_ARGS__) SONDE__CHECK_B
#define SONDE__CHECK_B(...) SONDE__DEFER(SONDE__V_CHECK)(__VA_ARGS__) SONDE__CHECK_A
#define SONDE__CHECK_A_END
#define SONDE__CHECK_B_END

/*
 * Visitor CHECK, whatever the kind: a field's name is not empty, and no
 * two fields of an event share one (an enumerator per name, declared twice
 * in one scope, does not compile).  Both made the event vanish from the
 * trace at run time, its registration refused.
 */
#ifdef __cplusplus
#define SONDE__SASSERT(e, msg) static_assert(e, msg)
#else
#define SONDE__SASSERT(e, msg) _Static_assert(e, msg)
#endif
#define SONDE__V_CHECK(kind, type, field, ...)                                 \
	SONDE__SASSERT(sizeof(#field) > 1,                                     \
		       "sonde: a field of this event has an empty name");      \
	enum { sonde__field_named_##field = 0 };

#endif /* SONDE_STATIC_TRACEPOINT_PP_H */
