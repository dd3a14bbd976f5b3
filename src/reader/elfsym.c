// SPDX-License-Identifier: MIT
/*
 * ELF function symbols for the symbolization of perf samples (sonde stats,
 * sonde report).  Reads the ELF header, the program headers (PT_LOAD: to
 * turn a file offset into a virtual address), the section headers, and
 * the SHT_SYMTAB sections (else SHT_DYNSYM) with their string tables;
 * keeps STT_FUNC and STT_GNU_IFUNC symbols that are defined, sorted by
 * address.  64-bit little-endian files only (what this toolkit records).
 *
 * Trust boundary: the file is named by a trace (itself untrusted input)
 * and may be anything: every offset, size, count and string read from it
 * is bounded against the file size (or the buffer) before use, reads are
 * preads of bounded length into private memory (no mapping: a file
 * truncated meanwhile cannot fault us), and the total read is capped by
 * ELF_MAX_READ.  A malformed file loads as -ENOEXEC.  Symbol names are cut
 * at NAME_MAX_LEN bytes.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"

/* Most bytes read from one file (section headers, symbols, strings). */
#define ELF_MAX_READ (256u << 20)
#define NAME_MAX_LEN 512u
#define MAX_LOADS 64u

struct sym {
	uint64_t addr, size;
	char *name;
};

struct sonde__elfsym {
	struct sym *s;
	size_t n;
	struct { uint64_t off, filesz, vaddr; } load[MAX_LOADS];
	size_t nload;
};

/* Where the bytes come from: a file or a buffer, @size bytes. */
struct src {
	int fd;
	const uint8_t *buf;
	uint64_t size;
	uint64_t budget; /* bytes still allowed to be read */
};

/* @n bytes at @off, bounded by the source's size: malloc'd, or NULL
 * (*@err: -ENOEXEC out of bounds, -EFBIG over budget, -ENOMEM). */
static void *take(struct src *s, uint64_t off, uint64_t n, int *err)
{
	uint8_t *p;

	if (off > s->size || n > s->size - off) {
		*err = -ENOEXEC;
		return NULL;
	}
	if (n > s->budget) {
		*err = -EFBIG;
		return NULL;
	}
	s->budget -= n;
	p = malloc(n ? n : 1);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	if (s->buf) {
		memcpy(p, s->buf + off, n);
		return p;
	}
	for (uint64_t done = 0; done < n;) {
		ssize_t k = pread(s->fd, p + done, n - done, (off_t)(off + done));

		if (k <= 0) {
			free(p);
			*err = k < 0 && errno == EINTR ? 0 : -ENOEXEC;
			if (!*err)
				continue;
			return NULL;
		}
		done += (uint64_t)k;
	}
	return p;
}

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* the sized one first: it is the one kept */
	return (x->size < y->size) - (x->size > y->size);
}

/* The symbols of table @sh (its strings in section @str). */
static int add_table(struct src *s, struct sonde__elfsym *e,
		     const Elf64_Shdr *sh, const Elf64_Shdr *str)
{
	Elf64_Sym *sym;
	char *strs;
	uint64_t n;
	size_t cap;
	int err = 0;

	if (sh->sh_entsize != sizeof(Elf64_Sym))
		return -ENOEXEC;
	n = sh->sh_size / sizeof(Elf64_Sym);
	sym = take(s, sh->sh_offset, n * sizeof(Elf64_Sym), &err);
	if (!sym)
		return err;
	strs = take(s, str->sh_offset, str->sh_size, &err);
	if (!strs) {
		free(sym);
		return err;
	}
	cap = e->n + (size_t)n;
	if (n) {
		struct sym *ns = realloc(e->s, cap * sizeof(*ns));

		if (!ns) {
			err = -ENOMEM;
			goto out;
		}
		e->s = ns;
	}
	for (uint64_t i = 0; i < n; i++) {
		const Elf64_Sym *y = &sym[i];
		int t = ELF64_ST_TYPE(y->st_info);
		const char *nm, *nul;
		size_t len;

		if ((t != STT_FUNC && t != STT_GNU_IFUNC) ||
		    y->st_shndx == SHN_UNDEF || !y->st_value ||
		    y->st_name >= str->sh_size)
			continue;
		nm = strs + y->st_name;
		nul = memchr(nm, 0, (size_t)(str->sh_size - y->st_name));
		len = nul ? (size_t)(nul - nm) : (size_t)(str->sh_size - y->st_name);
		if (!len)
			continue;
		if (len > NAME_MAX_LEN)
			len = NAME_MAX_LEN;
		e->s[e->n].name = strndup(nm, len);
		if (!e->s[e->n].name) {
			err = -ENOMEM;
			goto out;
		}
		e->s[e->n].addr = y->st_value;
		e->s[e->n].size = y->st_size;
		e->n++;
	}
out:
	free(sym);
	free(strs);
	return err;
}

static int load(struct src *s, struct sonde__elfsym **out)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	Elf64_Shdr *sh = NULL;
	struct sonde__elfsym *e;
	uint8_t *hdr;
	int err = 0, found = 0;

	*out = NULL;
	hdr = take(s, 0, sizeof(eh), &err);
	if (!hdr)
		return err == -ENOMEM ? err : -ENOEXEC;
	memcpy(&eh, hdr, sizeof(eh));
	free(hdr);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh.e_phnum && eh.e_phentsize != sizeof(Elf64_Phdr)) ||
	    (eh.e_shnum && eh.e_shentsize != sizeof(Elf64_Shdr)))
		return -ENOEXEC;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (eh.e_phnum) {
		ph = take(s, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(*ph), &err);
		if (!ph)
			goto fail;
		for (size_t i = 0; i < eh.e_phnum && e->nload < MAX_LOADS; i++)
			if (ph[i].p_type == PT_LOAD) {
				e->load[e->nload].off = ph[i].p_offset;
				e->load[e->nload].filesz = ph[i].p_filesz;
				e->load[e->nload].vaddr = ph[i].p_vaddr;
				e->nload++;
			}
	}
	if (eh.e_shnum) {
		sh = take(s, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(*sh), &err);
		if (!sh)
			goto fail;
	}
	/* .symtab when there is one (it holds .dynsym's functions too),
	 * else .dynsym. */
	for (int want = SHT_SYMTAB; !found && want; want = want == SHT_SYMTAB ? SHT_DYNSYM : 0)
		for (size_t i = 0; i < eh.e_shnum; i++) {
			if (sh[i].sh_type != (uint32_t)want)
				continue;
			if (sh[i].sh_link >= eh.e_shnum ||
			    sh[sh[i].sh_link].sh_type != SHT_STRTAB) {
				err = -ENOEXEC;
				goto fail;
			}
			err = add_table(s, e, &sh[i], &sh[sh[i].sh_link]);
			if (err)
				goto fail;
			found = 1;
		}
	if (e->n) {
		size_t k = 0;

		qsort(e->s, e->n, sizeof(*e->s), by_addr);
		/* one symbol per address: aliases go */
		for (size_t i = 0; i < e->n; i++) {
			if (k && e->s[k - 1].addr == e->s[i].addr) {
				free(e->s[i].name);
				continue;
			}
			e->s[k++] = e->s[i];
		}
		e->n = k;
	}
	free(ph);
	free(sh);
	*out = e;
	return 0;
fail:
	free(ph);
	free(sh);
	sonde__elfsym_free(e);
	return err ? err : -ENOEXEC;
}

int sonde__elfsym_load_mem(const void *buf, size_t len,
			   struct sonde__elfsym **out)
{
	struct src s = { .fd = -1, .buf = buf, .size = len,
			 .budget = ELF_MAX_READ };

	return load(&s, out);
}

int sonde__elfsym_load(const char *path, struct sonde__elfsym **out)
{
	struct src s = { .budget = ELF_MAX_READ };
	struct stat st;
	int r;

	*out = NULL;
	s.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (s.fd < 0)
		return -errno;
	if (fstat(s.fd, &st) || !S_ISREG(st.st_mode)) {
		close(s.fd);
		return -ENOEXEC;
	}
	s.size = (uint64_t)st.st_size;
	r = load(&s, out);
	close(s.fd);
	return r;
}

const char *sonde__elfsym_lookup(const struct sonde__elfsym *e, uint64_t off,
				 uint64_t *delta)
{
	uint64_t va = off;
	size_t lo = 0, hi;

	if (!e || !e->n)
		return NULL;
	for (size_t i = 0; i < e->nload; i++)
		if (off >= e->load[i].off &&
		    off - e->load[i].off < e->load[i].filesz) {
			va = off - e->load[i].off + e->load[i].vaddr;
			break;
		}
	/* the last symbol at or below va */
	hi = e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->s[mid].addr <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	/* a sized symbol holds its size; an unsized one, up to the next */
	if (e->s[lo].size && va - e->s[lo].addr >= e->s[lo].size)
		return NULL;
	if (delta)
		*delta = va - e->s[lo].addr;
	return e->s[lo].name;
}

size_t sonde__elfsym_count(const struct sonde__elfsym *e)
{
	return e ? e->n : 0;
}

void sonde__elfsym_free(struct sonde__elfsym *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->s[i].name);
	free(e->s);
	free(e);
}
