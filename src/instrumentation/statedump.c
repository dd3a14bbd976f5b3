// SPDX-License-Identifier: MIT
/*
 * The state dump of a process recorded with its sites' addresses
 * (`sonde record --context ip`): where each executable and shared object
 * is loaded, written as LTTng-UST's state dump and library events, with
 * their provider, event and field names (lttng-ust(3)), so that
 * babeltrace2's filter.lttng-utils.debug-info, given the vpid and ip
 * contexts, turns each event's ip into its object, function and source
 * line (`babeltrace2 --debug-info`).
 *
 *   lttng_ust_statedump:start                      (no fields)
 *   lttng_ust_statedump:bin_info    baddr memsz path is_pic has_build_id
 *                                   has_debug_link
 *   lttng_ust_statedump:build_id    baddr build_id[]
 *   lttng_ust_statedump:debug_link  baddr crc filename
 *   lttng_ust_statedump:end                        (no fields)
 *   lttng_ust_lib:load              baddr memsz path has_build_id
 *                                   has_debug_link
 *   lttng_ust_lib:build_id, lttng_ust_lib:debug_link   as above
 *   lttng_ust_lib:unload            baddr
 *
 * baddr (u64, hexadecimal) and memsz (u64) are the span of the object's
 * PT_LOAD segments as loaded; is_pic and the has_ flags are u8; build_id
 * is a sequence of u8 (hexadecimal) after its u64 length; crc is u32.
 * babeltrace2 2.0.4 symbolizes with these, from a sonde trace as it is
 * (its env says tracer_name "sonde" and no domain: the filter asks for
 * neither); it reads the trace in time order, and the dump comes before
 * the events whose addresses it places.
 *
 * When: a session that records ip (SONDE__SHM_F_IP) attaches to the
 * process (the registry calls sonde__statedump_slot() after the slot's
 * sites are enabled): it alone gets the whole dump, start to end.  When an
 * object registers sites later (dlopen of a provider library:
 * sonde__statedump_rescan(), from the registry) the sessions that record
 * ip get lttng_ust_lib:load for each object loaded since the last look,
 * and lttng_ust_lib:unload for each one gone.  An object without sites,
 * dlopen'd later, is told at the next such look; an unload too (an object
 * being closed is still mapped while its destructors run).
 *
 * The events are sites of the registry like any other, in a section that
 * only sessions recording ip enable (sonde__registry_add_ip_only(),
 * registered at the first dump), selected by the session's patterns
 * (`sonde record`'s default selects them), recorded through the sites'
 * out-of-line path with ip 0.  A session without ip neither records nor
 * declares them, and a process never recorded with ip never walks its
 * objects.  The consumer takes them as any registered event: nothing in
 * them is trusted more.
 *
 * What is read: the program headers the dynamic linker gives
 * (dl_iterate_phdr()), the ELF header and PT_NOTE segments they map, each
 * read only inside a PT_LOAD's file-backed part and with every size
 * bounded; the debug link from the object's file (section headers and
 * .gnu_debuglink, through pread(), bounded; a regular file only).
 */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "statedump.h"

/* Bounds on what is walked. */
#define PHNUM_MAX 512u
#define BUILD_ID_MAX 64u
#define SHNUM_MAX 4096u
#define SHSTRTAB_MAX (256u * 1024)
#define DEBUGLINK_MAX 4096u
#define OBJS_MAX 4096u

/* Field tables (struct sonde_field_desc, in its order). */
#define F_U64X(n) {n, SONDE_FIELD_INTEGER, 8, 0, 16, 0, 0, 0, 0, 0, 0}
#define F_U64(n) {n, SONDE_FIELD_INTEGER, 8, 0, 10, 0, 0, 0, 0, 0, 0}
#define F_U32(n) {n, SONDE_FIELD_INTEGER, 4, 0, 10, 0, 0, 0, 0, 0, 0}
#define F_U8(n) {n, SONDE_FIELD_INTEGER, 1, 0, 10, 0, 0, 0, 0, 0, 0}
#define F_STR(n) {n, SONDE_FIELD_STRING, 1, 0, 10, 0, 0, 0, 0, 0, 0}
#define F_SEQ_U8X(n) {n, SONDE_FIELD_SEQUENCE, 1, 0, 16, 8, 0, 0, 0, 0, 0}
#define F_END {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

static const struct sonde_field_desc f_none[] = {F_END};
static const struct sonde_field_desc f_bin_info[] = {
	F_U64X("baddr"), F_U64("memsz"), F_STR("path"), F_U8("is_pic"),
	F_U8("has_build_id"), F_U8("has_debug_link"), F_END};
static const struct sonde_field_desc f_load[] = {
	F_U64X("baddr"), F_U64("memsz"), F_STR("path"), F_U8("has_build_id"),
	F_U8("has_debug_link"), F_END};
static const struct sonde_field_desc f_build_id[] = {
	F_U64X("baddr"), F_SEQ_U8X("build_id"), F_END};
static const struct sonde_field_desc f_debug_link[] = {
	F_U64X("baddr"), F_U32("crc"), F_STR("filename"), F_END};
static const struct sonde_field_desc f_unload[] = {F_U64X("baddr"), F_END};

#define EV(prov, nm, f)                                                        \
	{sizeof(struct sonde_event_desc), 0, 0,                               \
	 sizeof(f) / sizeof(f[0]) - 1, prov, nm, f, "", 0, 0,                 \
	 sizeof(struct sonde_field_desc), 0, 0, 0, 0}

static struct sonde_event_desc ev[] = {
#define E_START 0
	EV("lttng_ust_statedump", "start", f_none),
#define E_BIN_INFO 1
	EV("lttng_ust_statedump", "bin_info", f_bin_info),
#define E_BUILD_ID 2
	EV("lttng_ust_statedump", "build_id", f_build_id),
#define E_DEBUG_LINK 3
	EV("lttng_ust_statedump", "debug_link", f_debug_link),
#define E_END 4
	EV("lttng_ust_statedump", "end", f_none),
#define E_LOAD 5
	EV("lttng_ust_lib", "load", f_load),
#define E_LIB_BUILD_ID 6
	EV("lttng_ust_lib", "build_id", f_build_id),
#define E_LIB_DEBUG_LINK 7
	EV("lttng_ust_lib", "debug_link", f_debug_link),
#define E_UNLOAD 8
	EV("lttng_ust_lib", "unload", f_unload),
};
#define NR_EV (sizeof(ev) / sizeof(ev[0]))

static struct sonde_event_desc *evp[NR_EV];

/* One loaded object, as found. */
struct obj {
	uint64_t baddr, memsz;
	char *path;
	uint8_t is_pic, bid_len;
	uint8_t bid[BUILD_ID_MAX];
	bool has_dl;
	uint32_t crc;
	char *dl_name;
};

struct objs {
	struct obj *v;
	size_t n, cap;
	bool failed;
};

/* Serializes dumps and rescans; guards what follows. */
static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static bool registered;
static struct objs known; /* as the sessions were last told */

/* A record being built: byte-packed fields, as the sites write them. */
struct rec {
	char b[PATH_MAX + 64];
	size_t n;
};

static void put(struct rec *r, const void *v, size_t n)
{
	memcpy(r->b + r->n, v, n);
	r->n += n;
}

/* Strings are at most PATH_MAX - 1 bytes (the walk's bound), so every
 * record fits. */
static void put_str(struct rec *r, const char *s)
{
	put(r, s, strlen(s) + 1);
}

/* Record @r as event @e into the slots of @want that enable it (ip 0:
 * libsonde wrote it, no site of the program). */
static void emit(unsigned e, const struct rec *r, uint32_t want)
{
	uint32_t mask = sonde__site_select(&ev[e], NULL) & want;

	for (uint32_t k = 0; mask; k++, mask >>= 1) {
		struct sonde__wctx w;
		char *p;

		if (!(mask & 1))
			continue;
		p = sonde__slot_reserve(&ev[e], k, (uint32_t)r->n, 0, &w);
		if (!p)
			continue;
		memcpy(p, r->b, r->n);
		sonde__commit(&w);
	}
}

static void emit_obj(const struct obj *o, bool dump, uint32_t want)
{
	struct rec r;
	uint8_t has_bid = o->bid_len != 0, has_dl = o->has_dl;
	uint64_t len = o->bid_len;

	r.n = 0;
	put(&r, &o->baddr, 8);
	put(&r, &o->memsz, 8);
	put_str(&r, o->path);
	if (dump)
		put(&r, &o->is_pic, 1);
	put(&r, &has_bid, 1);
	put(&r, &has_dl, 1);
	emit(dump ? E_BIN_INFO : E_LOAD, &r, want);
	if (has_bid) {
		r.n = 0;
		put(&r, &o->baddr, 8);
		put(&r, &len, 8);
		put(&r, o->bid, o->bid_len);
		emit(dump ? E_BUILD_ID : E_LIB_BUILD_ID, &r, want);
	}
	if (has_dl) {
		r.n = 0;
		put(&r, &o->baddr, 8);
		put(&r, &o->crc, 4);
		put_str(&r, o->dl_name);
		emit(dump ? E_DEBUG_LINK : E_LIB_DEBUG_LINK, &r, want);
	}
}

/* [@off, @off + @n) lies inside [0, @size). */
static bool inside(uint64_t off, uint64_t n, uint64_t size)
{
	return off <= size && n <= size - off;
}

/* Whether [@vaddr, @vaddr + @n) of the object lies in the file-backed
 * part of one of its PT_LOAD segments, that is, is mapped and readable. */
static bool mapped(const struct dl_phdr_info *info, uint64_t vaddr,
		   uint64_t n)
{
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr &&
		    inside(vaddr - ph->p_vaddr, n, ph->p_filesz) &&
		    (ph->p_flags & PF_R))
			return true;
	}
	return false;
}

/* The GNU build id of one PT_NOTE segment, if any, into @o. */
static void note_build_id(const struct dl_phdr_info *info,
			  const ElfW(Phdr) *ph, struct obj *o)
{
	const char *base = (const char *)(info->dlpi_addr + ph->p_vaddr);
	uint64_t size = ph->p_filesz, off = 0;
	uint64_t al = ph->p_align == 8 ? 8 : 4;

	if (!mapped(info, ph->p_vaddr, size))
		return;
	while (inside(off, sizeof(ElfW(Nhdr)), size)) {
		ElfW(Nhdr) nh;
		uint64_t name, desc, next;

		memcpy(&nh, base + off, sizeof(nh));
		name = off + sizeof(nh);
		desc = name + ((nh.n_namesz + al - 1) & ~(al - 1));
		next = desc + ((nh.n_descsz + al - 1) & ~(al - 1));
		if (!inside(name, nh.n_namesz, size) ||
		    !inside(desc, nh.n_descsz, size) || next <= off)
			return;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(base + name, "GNU", 4) && nh.n_descsz &&
		    nh.n_descsz <= BUILD_ID_MAX) {
			memcpy(o->bid, base + desc, nh.n_descsz);
			o->bid_len = (uint8_t)nh.n_descsz;
			return;
		}
		off = next;
	}
}

/*
 * The .gnu_debuglink section of the file at @path, if any, into @o: a
 * file name, NUL-terminated, padded to 4 bytes, then its CRC32.  Read
 * with pread(), each size bounded; a file that is not what we expect
 * gives nothing.
 */
static void debug_link(const char *path, struct obj *o)
{
	static const char want[] = ".gnu_debuglink";
	ElfW(Ehdr) eh;
	ElfW(Shdr) *sh = NULL, *str;
	struct stat st;
	char *names = NULL, *sec = NULL;
	size_t nl;
	int fd;

	/* Non-blocking: the name may now be a FIFO. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_shentsize != sizeof(*sh) || !eh.e_shnum ||
	    eh.e_shnum > SHNUM_MAX || eh.e_shstrndx >= eh.e_shnum)
		goto out;
	sh = malloc(eh.e_shnum * sizeof(*sh));
	if (!sh || pread(fd, sh, eh.e_shnum * sizeof(*sh), (off_t)eh.e_shoff) !=
			   (ssize_t)(eh.e_shnum * sizeof(*sh)))
		goto out;
	str = &sh[eh.e_shstrndx];
	if (str->sh_size > SHSTRTAB_MAX || !str->sh_size)
		goto out;
	names = malloc(str->sh_size);
	if (!names || pread(fd, names, str->sh_size, (off_t)str->sh_offset) !=
			      (ssize_t)str->sh_size)
		goto out;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		uint64_t crc_off;

		if (sh[i].sh_type != SHT_PROGBITS ||
		    !inside(sh[i].sh_name, sizeof(want), str->sh_size) ||
		    memcmp(names + sh[i].sh_name, want, sizeof(want)))
			continue;
		if (sh[i].sh_size < 8 || sh[i].sh_size > DEBUGLINK_MAX)
			break;
		sec = malloc(sh[i].sh_size);
		if (!sec || pread(fd, sec, sh[i].sh_size, (off_t)sh[i].sh_offset) !=
				    (ssize_t)sh[i].sh_size)
			break;
		nl = strnlen(sec, sh[i].sh_size);
		crc_off = (nl + 1 + 3) & ~(uint64_t)3;
		if (!nl || !inside(crc_off, 4, sh[i].sh_size))
			break;
		o->dl_name = strdup(sec);
		if (o->dl_name) {
			memcpy(&o->crc, sec + crc_off, 4);
			o->has_dl = true;
		}
		break;
	}
out:
	free(sec);
	free(names);
	free(sh);
	close(fd);
}

static void obj_free(struct obj *o)
{
	free(o->path);
	free(o->dl_name);
}

static void objs_free(struct objs *os)
{
	for (size_t i = 0; i < os->n; i++)
		obj_free(&os->v[i]);
	free(os->v);
	memset(os, 0, sizeof(*os));
}

/* dl_iterate_phdr() callback: one object into @arg (a struct objs).  The
 * first object is the executable, named by /proc/self/exe; the vDSO and
 * other objects without a name are left out. */
static int walk_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct objs *os = arg;
	uint64_t lo = UINT64_MAX, hi = 0;
	const ElfW(Ehdr) *eh = NULL;
	char exe[PATH_MAX];
	const char *name = info->dlpi_name;
	struct obj o;

	(void)size;
	if (!info->dlpi_phdr || !info->dlpi_phnum ||
	    info->dlpi_phnum > PHNUM_MAX || os->n >= OBJS_MAX)
		return 0;
	if (!name || !*name) {
		ssize_t n;

		if (os->n || os->failed)
			return 0;
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return 0;
		exe[n] = 0;
		name = exe;
	}
	if (strnlen(name, PATH_MAX) >= PATH_MAX)
		return 0;
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
		if (ph->p_offset == 0 && ph->p_filesz >= sizeof(*eh) &&
		    (ph->p_flags & PF_R))
			eh = (const ElfW(Ehdr) *)(info->dlpi_addr + ph->p_vaddr);
	}
	if (hi <= lo)
		return 0;
	/* The vDSO: no file to read symbols from. */
	if ((uintptr_t)eh && (uintptr_t)eh == getauxval(AT_SYSINFO_EHDR))
		return 0;
	memset(&o, 0, sizeof(o));
	o.baddr = info->dlpi_addr + lo;
	o.memsz = hi - lo;
	o.is_pic = eh && !memcmp(eh->e_ident, ELFMAG, SELFMAG)
			   ? eh->e_type == ET_DYN
			   : info->dlpi_addr != 0;
	for (unsigned i = 0; i < info->dlpi_phnum && !o.bid_len; i++)
		if (info->dlpi_phdr[i].p_type == PT_NOTE)
			note_build_id(info, &info->dlpi_phdr[i], &o);
	o.path = strdup(name);
	if (!o.path)
		goto fail;
	if (os->n == os->cap) {
		size_t cap = os->cap ? os->cap * 2 : 32;
		struct obj *v = realloc(os->v, cap * sizeof(*v));

		if (!v)
			goto fail;
		os->v = v;
		os->cap = cap;
	}
	os->v[os->n++] = o;
	return 0;
fail:
	free(o.path);
	os->failed = true;
	return 1;
}

/* The objects loaded now, with their debug links (read outside the
 * dynamic linker's lock).  false without memory. */
static bool walk(struct objs *os)
{
	memset(os, 0, sizeof(*os));
	dl_iterate_phdr(walk_one, os);
	if (os->failed) {
		objs_free(os);
		return false;
	}
	for (size_t i = 0; i < os->n; i++)
		debug_link(os->v[i].path, &os->v[i]);
	return true;
}

static bool same(const struct obj *a, const struct obj *b)
{
	return a->baddr == b->baddr && a->memsz == b->memsz &&
	       !strcmp(a->path, b->path);
}

/* Give our sites ids in the sessions that record ip (once; lock held). */
static void register_sites(void)
{
	if (registered)
		return;
	for (size_t i = 0; i < NR_EV; i++)
		evp[i] = &ev[i];
	sonde__registry_add_ip_only(evp, evp + NR_EV);
	registered = true;
}

void sonde__statedump_slot(unsigned slot)
{
	struct objs now;
	struct rec r = {.n = 0};
	uint32_t want = 1u << slot;

	if (slot >= 32)
		return;
	pthread_mutex_lock(&dump_lock);
	register_sites();
	if (!walk(&now))
		goto out;
	emit(E_START, &r, want);
	for (size_t i = 0; i < now.n; i++)
		emit_obj(&now.v[i], true, want);
	emit(E_END, &r, want);
	/* What every session recording ip now knows: older sessions had
	 * their own dump and the rescans since. */
	objs_free(&known);
	known = now;
out:
	pthread_mutex_unlock(&dump_lock);
}

void sonde__statedump_rescan(void)
{
	struct objs now;
	uint32_t want;

	pthread_mutex_lock(&dump_lock);
	want = sonde__registry_ip_slots();
	if (!registered || !want || !walk(&now))
		goto out;
	/* Unloads first: a new object may be where a gone one was. */
	for (size_t j = 0; j < known.n; j++) {
		bool found = false;

		for (size_t i = 0; i < now.n && !found; i++)
			found = same(&now.v[i], &known.v[j]);
		if (!found) {
			struct rec r = {.n = 0};

			put(&r, &known.v[j].baddr, 8);
			emit(E_UNLOAD, &r, want);
		}
	}
	for (size_t i = 0; i < now.n; i++) {
		bool found = false;

		for (size_t j = 0; j < known.n && !found; j++)
			found = same(&now.v[i], &known.v[j]);
		if (!found)
			emit_obj(&now.v[i], false, want);
	}
	objs_free(&known);
	known = now;
out:
	pthread_mutex_unlock(&dump_lock);
}

/*
 * The child of a fork() is a new process to the reader (its vpid): it
 * knows of no object, so the next rescan tells it of every one.  A
 * thread of the parent may have held the lock, or been replacing the
 * list, when it forked: the child starts both afresh (that list, if
 * any, is left, never freed).  Not taken in a prepare handler: a dump
 * takes the registry's lock under ours, and the order in which the two
 * prepare handlers run is not ours to choose.
 */
static void fork_child(void)
{
	pthread_mutex_init(&dump_lock, NULL);
	memset(&known, 0, sizeof(known));
}

static void __attribute__((constructor)) statedump_init(void)
{
	pthread_atfork(NULL, NULL, fork_child);
}
