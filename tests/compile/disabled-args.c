/* SPDX-License-Identifier: MIT */
/*
 * test-compile-disabled input, compiled as C11 and as C++11: values that
 * exist only to be traced.  With -DSONDE_TRACING_DISABLED the tracepoints
 * and markers are compiled out, and they must still count as a use of
 * their arguments, so that -Wall -Wextra -Werror accepts a local variable,
 * a variable only assigned, a parameter and a static function that nothing
 * but a tracepoint or a marker reads; and they must not evaluate them.
 * With WITH_MAIN it is a whole program (linked without libsonde when
 * tracing is disabled) whose exit status says whether an argument was
 * evaluated.
 */
#include <stdint.h>

#include <sonde/marker.h>
#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(da, ev,
	SONDE_TP_ARGS(int64_t, id, const char *, name),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, id, id)
		sonde_field_string(name, name)))

SONDE_TRACEPOINT_EVENT(da, pair,
	SONDE_TP_ARGS(int32_t, param, uint32_t, set_only),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, param, param)
		sonde_field_integer(uint32_t, set_only, set_only)))

SONDE_TRACEPOINT_EVENT(da, none, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

static int evaluations;

/* Read only by a tracepoint: clang's -Wunneeded-internal-declaration if
 * that is not a use. */
static int32_t traced_static = 5;

/* Called only by a tracepoint and a marker: -Wunused-function or
 * -Wunneeded-internal-declaration otherwise. */
static int64_t counted(int64_t v)
{
	evaluations++;
	return v;
}

/* Named only by a probe registration. */
static void on_ev(void *data, int64_t id, const char *name)
{
	(void)data;
	(void)id;
	(void)name;
	evaluations++;
}

void traced_only(int32_t param, unsigned int marked, const char *name);

/*
 * Every value here is read by a tracepoint or a marker and by nothing else:
 * -Wunused-variable (local), -Wunused-but-set-variable (set_only, mark_only)
 * and -Wunused-parameter (param, marked, name) when they are not a use.
 */
void traced_only(int32_t param, unsigned int marked, const char *name)
{
	int64_t local = 42;
	uint32_t set_only;
	long mark_only;

	set_only = 7u;
	mark_only = -1;
	sonde_tracepoint(da, ev, local, name);
	sonde_tracepoint(da, pair, param, set_only);
	sonde_tracepoint(da, pair, traced_static, 0u);
	sonde_tracepoint(da, none);
	sonde_mark(da, mk, "marked %u mark_only %ld", marked, mark_only);
	sonde_mark(da, plain, "no arguments");
	sonde_mark(da, call, "v %lld", (long long)counted(3));
	if (sonde_probe_register(da, ev, on_ev, NULL) == 0)
		sonde_probe_unregister(da, ev, on_ev, NULL);
}

#ifdef WITH_MAIN
int main(void)
{
	int i = 0, j = 0, k = 0;

	traced_only(1, 2u, "three");
	/* Side effects in the arguments: none may happen. */
	sonde_tracepoint(da, ev, counted(i++), (evaluations++, "side"));
	sonde_tracepoint(da, pair, (int32_t)counted(1), (uint32_t)++j);
	sonde_mark(da, mk2, "n %d v %lld", k++, (long long)counted(1));
	return i == 0 && j == 0 && k == 0 && evaluations == 0 ? 0 : 1;
}
#endif
