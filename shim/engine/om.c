/*
 * om.c - reads the .om offline-model container (see om.h, om_format.h and
 * docs/MODEL.md); tools/compile/om_write.c writes it.
 *
 * An .om file is a little-endian ELF64 relocatable object with no machine
 * whose sections carry the graph as fixed-size little-endian tables.  The
 * reader uses libelf to find the sections and then decodes every table
 * entry with memcpy into the on-disk structs of om_format.h.
 *
 * The reader treats every byte as hostile.  The rules it enforces, in the
 * order it enforces them, are:
 *   1. the ELF header (class, byte order, type, machine, section table
 *      bounds) and the presence and extent of every required section;
 *   2. the meta section (magic, version, counts, sizes) and that each table
 *      section is exactly count * entry size bytes;
 *   3. each tensor (strings, kind, dtype, rank, dims, byte size, weight range);
 *   4. the graph inputs, then each node in order: strings, op type, edge and
 *      attribute ranges, that every input exists and is already available
 *      (weight, graph input or output of an earlier node), that every output
 *      is an activation produced for the first time, the attributes, and
 *      finally that op_infer, re-run on the node, gives exactly the stored
 *      output shapes and dtypes;
 *   5. the graph outputs, and that every activation has a producer;
 *   6. in a model compiled with gears, .aclsub.gears (kind, counts, masks of
 *      the dynamic dims, gear values, image ranges) and then each gear's own
 *      image inside .aclsub.gearimages, read by these same rules (it may not
 *      have gears itself) and required to have gear 0's inputs and outputs
 *      with the gear's values at the dynamic dims.
 * Nothing is allocated from a count before that count has been checked
 * against the size of the section that holds it, so memory use is bounded
 * by a small multiple of the image size.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl_base.h"
#include "shim/engine/om.h"
#include "shim/engine/om_format.h"
#include "shim/engine/ops.h"

/* libelf must be told the ELF version once per process before any other call. */
static pthread_once_t om_elf_once = PTHREAD_ONCE_INIT;
static int om_elf_ok; /* written once, under om_elf_once */

static void om_elf_init(void)
{
    om_elf_ok = elf_version(EV_CURRENT) != EV_NONE;
}

int om_elf_ready(void)
{
    pthread_once(&om_elf_once, om_elf_init);
    return om_elf_ok;
}

/* --- reading: context and error reporting ------------------------------------- */

typedef struct om_section {
    const unsigned char *p;
    size_t size;
    int found;
} om_section;

typedef struct om_reader {
    char *err;
    size_t errlen;
    om_section sec[SEC_COUNT_];
    struct om_meta meta;
    graph *g;
    unsigned char *state; /* per tensor: OM_T_* */
    uint32_t edge_next;   /* next unread edge (edges are used in order) */
    uint32_t attr_next;   /* next unread attribute entry */
    uint64_t attrdata_next; /* attribute payloads do not overlap and go forward */
    int nested;             /* 1: a gear's image inside .aclsub.gearimages (no gears of its own) */
    om_model *model;        /* the model being built around g (top level only) */
} om_reader;

enum { OM_T_NONE = 0, OM_T_AVAILABLE = 1, OM_T_LISTED = 2 };

__attribute__((format(printf, 3, 4))) static int om_fail(om_reader *r, int code, const char *fmt, ...)
{
    if (r->err && r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, r->errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* --- reading: little-endian entries -------------------------------------------- */

static uint32_t om_edge(const om_reader *r, uint32_t i)
{
    uint32_t v;
    memcpy(&v, r->sec[SEC_EDGES].p + (size_t)i * sizeof v, sizeof v);
    return le32toh(v);
}

static void om_get_tensor(const om_reader *r, uint32_t i, struct om_tensor *t)
{
    memcpy(t, r->sec[SEC_TENSORS].p + (size_t)i * sizeof *t, sizeof *t);
    t->name = le32toh(t->name);
    t->kind = le32toh(t->kind);
    t->dtype = (int32_t)le32toh((uint32_t)t->dtype);
    t->rank = le32toh(t->rank);
    for (int k = 0; k < GRAPH_MAX_RANK; k++)
        t->dims[k] = (int64_t)le64toh((uint64_t)t->dims[k]);
    t->bytes = le64toh(t->bytes);
    t->weight_offset = le64toh(t->weight_offset);
}

static void om_get_node(const om_reader *r, uint32_t i, struct om_node *n)
{
    memcpy(n, r->sec[SEC_NODES].p + (size_t)i * sizeof *n, sizeof *n);
    n->name = le32toh(n->name);
    n->op_type = le32toh(n->op_type);
    n->input_first = le32toh(n->input_first);
    n->n_inputs = le32toh(n->n_inputs);
    n->output_first = le32toh(n->output_first);
    n->n_outputs = le32toh(n->n_outputs);
    n->attr_first = le32toh(n->attr_first);
    n->n_attrs = le32toh(n->n_attrs);
}

static void om_get_attr(const om_reader *r, uint32_t i, struct om_attr *a)
{
    memcpy(a, r->sec[SEC_ATTRS].p + (size_t)i * sizeof *a, sizeof *a);
    a->name = le32toh(a->name);
    a->type = le32toh(a->type);
    a->count = le32toh(a->count);
    a->reserved = le32toh(a->reserved);
    a->value = le64toh(a->value);
}

/*
 * The NUL-terminated string at strtab offset `off`, or NULL when the offset
 * is outside the table, the string runs off its end or is longer than
 * OM_MAX_NAME.
 */
static const char *om_string(const om_reader *r, uint32_t off)
{
    const om_section *s = &r->sec[SEC_STRTAB];
    if (off >= s->size)
        return NULL;
    size_t room = s->size - off;
    if (room > OM_MAX_NAME + 1)
        room = OM_MAX_NAME + 1;
    return memchr(s->p + off, '\0', room) ? (const char *)s->p + off : NULL;
}

/* --- reading: ELF container ------------------------------------------------------ */

/*
 * Checks the ELF header by hand before libelf sees the image, so that libelf
 * only ever parses a small, in-bounds section header table.
 */
static int om_check_ehdr(om_reader *r, const unsigned char *img, size_t size)
{
    Elf64_Ehdr eh;
    if (size < sizeof eh)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "not an .om model: %zu bytes is shorter than an ELF header",
                       size);
    memcpy(&eh, img, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "not an .om model: no ELF magic");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_ident[EI_VERSION] != EV_CURRENT)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL,
                       "not an .om model: ELF class %u, byte order %u (want 64-bit little-endian)",
                       eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA]);
    uint16_t type = le16toh(eh.e_type), machine = le16toh(eh.e_machine);
    if (type != ET_REL || machine != EM_NONE)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL,
                       "not an .om model: ELF type %u machine %u (want ET_REL, EM_NONE)", type, machine);
    uint16_t shentsize = le16toh(eh.e_shentsize), shnum = le16toh(eh.e_shnum), shstrndx = le16toh(eh.e_shstrndx);
    uint64_t shoff = le64toh(eh.e_shoff);
    if (shentsize != sizeof(Elf64_Shdr) || shnum < 2 || shnum > OM_MAX_SECTIONS || shstrndx == SHN_UNDEF ||
        shstrndx >= shnum)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL,
                       "ELF header: bad section table (entry size %u, %u sections, names in %u)", shentsize, shnum,
                       shstrndx);
    if (shoff > size || (uint64_t)shnum * shentsize > size - shoff)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL,
                       "ELF header: section table at %llu (%u entries) runs past the %zu-byte file",
                       (unsigned long long)shoff, shnum, size);
    return ACL_SUCCESS;
}

/* Records one section of the image if it is one of ours. */
static int om_take_section(om_reader *r, Elf_Scn *scn, const GElf_Shdr *sh, const char *name, size_t size)
{
    int which = -1;
    for (int k = 0; k < SEC_COUNT_; k++)
        if (strcmp(name, om_sections[k].name) == 0)
            which = k;
    if (which < 0)
        return ACL_SUCCESS; /* other sections are ignored */
    om_section *s = &r->sec[which];
    if (s->found)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section %s appears twice", name);
    if (sh->sh_type != SHT_PROGBITS)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section %s: type %u, want PROGBITS", name, (unsigned)sh->sh_type);
    if (sh->sh_offset > size || sh->sh_size > size - sh->sh_offset)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID, "section %s: %llu bytes at %llu run past the %zu-byte file",
                       name, (unsigned long long)sh->sh_size, (unsigned long long)sh->sh_offset, size);
    s->found = 1;
    s->size = (size_t)sh->sh_size;
    s->p = NULL;
    if (s->size == 0)
        return ACL_SUCCESS;
    Elf_Data *d = elf_rawdata(scn, NULL);
    if (!d || d->d_size != s->size || !d->d_buf)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "section %s: unreadable: %s", name, elf_errmsg(-1));
    s->p = d->d_buf;
    return ACL_SUCCESS;
}

/* Finds our sections by name in the ELF image (libelf owns `copy` meanwhile). */
static int om_find_sections(om_reader *r, unsigned char *copy, size_t size)
{
    Elf *e = elf_memory((char *)copy, size);
    if (!e)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "not an .om model: %s", elf_errmsg(-1));
    int rc = ACL_SUCCESS;
    size_t shstrndx;
    if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64) {
        rc = om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "not an .om model: not a 64-bit ELF image");
        goto out;
    }
    if (elf_getshdrstrndx(e, &shstrndx) != 0) {
        rc = om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "ELF: no section name table: %s", elf_errmsg(-1));
        goto out;
    }
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) {
            rc = om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "ELF: unreadable section header: %s", elf_errmsg(-1));
            goto out;
        }
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        if (!name) {
            rc = om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "ELF: section %zu has no readable name",
                         elf_ndxscn(scn));
            goto out;
        }
        rc = om_take_section(r, scn, &sh, name, size);
        if (rc != ACL_SUCCESS)
            goto out;
    }
    for (int k = 0; k < SEC_REQUIRED_; k++)
        if (!r->sec[k].found) {
            rc = om_fail(r, ACL_ERROR_MODEL_MISSING_ATTR, "section %s is missing", om_sections[k].name);
            goto out;
        }
out:
    elf_end(e);
    return rc;
}

/* --- reading: meta and table sizes ------------------------------------------------ */

static int om_check_table(om_reader *r, int which, uint64_t count)
{
    uint64_t want = count * om_sections[which].entsize; /* count < 2^32, entsize <= 96: no overflow */
    if (r->sec[which].size != want)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID, "section %s: %zu bytes, but %llu entries of %zu need %llu",
                       om_sections[which].name, r->sec[which].size, (unsigned long long)count,
                       om_sections[which].entsize, (unsigned long long)want);
    return ACL_SUCCESS;
}

static int om_read_meta(om_reader *r)
{
    const om_section *s = &r->sec[SEC_META];
    struct om_meta *m = &r->meta;
    if (s->size != sizeof *m)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID, "section .aclsub.meta: %zu bytes, want %zu", s->size,
                       sizeof *m);
    memcpy(m, s->p, sizeof *m);
    m->version = le32toh(m->version);
    m->flags = le32toh(m->flags);
    m->n_tensors = le32toh(m->n_tensors);
    m->n_nodes = le32toh(m->n_nodes);
    m->n_inputs = le32toh(m->n_inputs);
    m->n_outputs = le32toh(m->n_outputs);
    m->n_edges = le32toh(m->n_edges);
    m->n_attrs = le32toh(m->n_attrs);
    m->weight_size = le64toh(m->weight_size);
    m->work_size = le64toh(m->work_size);
    m->reserved = le64toh(m->reserved);
    if (memcmp(m->magic, OM_MAGIC, 8) != 0)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "section .aclsub.meta: bad magic");
    if (m->version != OM_VERSION)
        return om_fail(r, ACL_ERROR_DESERIALIZE_MODEL, "section .aclsub.meta: format version %u, this loader reads %u",
                       m->version, OM_VERSION);
    if (m->flags != 0 || m->reserved != 0)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.meta: reserved fields are not zero");
    if (m->n_tensors > OM_MAX_COUNT || m->n_nodes > OM_MAX_COUNT || m->n_inputs > OM_MAX_COUNT ||
        m->n_outputs > OM_MAX_COUNT)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                       "section .aclsub.meta: %u tensors, %u nodes, %u inputs, %u outputs (limit %u each)",
                       m->n_tensors, m->n_nodes, m->n_inputs, m->n_outputs, OM_MAX_COUNT);
    if (m->n_outputs == 0)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.meta: the model has no outputs");
    int rc;
    if ((rc = om_check_table(r, SEC_TENSORS, m->n_tensors)) != ACL_SUCCESS ||
        (rc = om_check_table(r, SEC_NODES, m->n_nodes)) != ACL_SUCCESS ||
        (rc = om_check_table(r, SEC_EDGES, m->n_edges)) != ACL_SUCCESS ||
        (rc = om_check_table(r, SEC_ATTRS, m->n_attrs)) != ACL_SUCCESS)
        return rc;
    if ((uint64_t)m->n_inputs + m->n_outputs > m->n_edges)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                       "section .aclsub.edges: %u entries cannot hold %u graph inputs and %u outputs", m->n_edges,
                       m->n_inputs, m->n_outputs);
    if (m->weight_size != r->sec[SEC_WEIGHTS].size)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                       "section .aclsub.weights: %zu bytes, but .aclsub.meta says %llu", r->sec[SEC_WEIGHTS].size,
                       (unsigned long long)m->weight_size);
    return ACL_SUCCESS;
}

/* --- reading: tensors ------------------------------------------------------------ */

/* Element count * element size with overflow checks; 0 on overflow or beyond the limit. */
static int om_tensor_bytes(const struct om_tensor *t, uint64_t *bytes)
{
    uint64_t n = graph_dtype_size(t->dtype);
    for (uint32_t k = 0; k < t->rank; k++)
        if (__builtin_mul_overflow(n, (uint64_t)t->dims[k], &n))
            return -1;
    if (n > OM_MAX_TENSOR_BYTES)
        return -1;
    *bytes = n;
    return 0;
}

static int om_read_tensor(om_reader *r, uint32_t i)
{
    struct om_tensor t;
    om_get_tensor(r, i, &t);
    uint32_t nt = r->meta.n_tensors;
    const char *name = om_string(r, t.name);
    if (!name)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.tensors: tensor %u name offset %u is outside .aclsub.strtab (%zu bytes) or "
                       "not terminated",
                       i, t.name, r->sec[SEC_STRTAB].size);
    if (t.kind > TENSOR_INPUT)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.tensors: tensor %u (%s) has unknown kind %u", i,
                       name, t.kind);
    if (graph_dtype_size(t.dtype) == 0)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.tensors: tensor %u (%s) has unknown dtype %d", i,
                       name, t.dtype);
    if (t.rank > GRAPH_MAX_RANK)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.tensors: tensor %u (%s) has rank %u (max %d)", i,
                       name, t.rank, GRAPH_MAX_RANK);
    for (uint32_t k = 0; k < GRAPH_MAX_RANK; k++) {
        if (k < t.rank && t.dims[k] < 0)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.tensors: tensor %u (%s) dim %u is negative (%lld)", i, name, k,
                           (long long)t.dims[k]);
        if (k >= t.rank && t.dims[k] != 0)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.tensors: tensor %u (%s) dim %u beyond rank %u is not zero", i, name, k,
                           t.rank);
    }
    uint64_t bytes;
    if (om_tensor_bytes(&t, &bytes) != 0)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                       "section .aclsub.tensors: tensor %u (%s): the shape's byte size overflows or exceeds 2^40", i,
                       name);
    if (bytes != t.bytes)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                       "section .aclsub.tensors: tensor %u (%s) stores %llu bytes, its shape needs %llu", i, name,
                       (unsigned long long)t.bytes, (unsigned long long)bytes);
    if (t.kind == TENSOR_WEIGHT) {
        uint64_t wsize = r->sec[SEC_WEIGHTS].size;
        if (t.weight_offset % OM_WEIGHT_ALIGN != 0 || t.weight_offset > wsize || bytes > wsize - t.weight_offset)
            return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                           "section .aclsub.tensors: tensor %u (%s): %llu bytes at weight offset %llu do not fit "
                           "the %llu-byte .aclsub.weights or are not 64-byte aligned",
                           i, name, (unsigned long long)bytes, (unsigned long long)t.weight_offset,
                           (unsigned long long)wsize);
    } else if (t.weight_offset != 0) {
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.tensors: tensor %u (%s) is not a weight but has weight offset %llu", i, name,
                       (unsigned long long)t.weight_offset);
    }
    graph_tensor *gt = &r->g->tensors[i];
    if (!(gt->name = strdup(name)))
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading tensor %u of %u", i, nt);
    gt->kind = t.kind;
    gt->dtype = t.dtype;
    gt->rank = t.rank;
    memcpy(gt->dims, t.dims, sizeof gt->dims);
    gt->bytes = bytes;
    gt->offset = t.kind == TENSOR_WEIGHT ? t.weight_offset : 0;
    if (t.kind != TENSOR_ACTIVATION)
        r->state[i] = OM_T_AVAILABLE;
    return ACL_SUCCESS;
}

static int om_read_tensors(om_reader *r)
{
    for (uint32_t i = 0; i < r->meta.n_tensors; i++) {
        int rc = om_read_tensor(r, i);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}

/* --- reading: graph inputs, weights ------------------------------------------------ */

/* The first n_inputs edges: each an INPUT tensor, each INPUT tensor exactly once. */
static int om_read_graph_inputs(om_reader *r)
{
    graph *g = r->g;
    for (uint32_t k = 0; k < g->n_inputs; k++) {
        uint32_t t = om_edge(r, k);
        if (t >= g->n_tensors)
            return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.edges: graph input %u references tensor %u of %u",
                           k, t, g->n_tensors);
        if (g->tensors[t].kind != TENSOR_INPUT || r->state[t] == OM_T_LISTED)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.edges: graph input %u: tensor %u (%s) is not an input or is listed twice",
                           k, t, g->tensors[t].name);
        r->state[t] = OM_T_LISTED;
        g->inputs[k] = t;
    }
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        if (g->tensors[t].kind != TENSOR_INPUT)
            continue;
        if (r->state[t] != OM_T_LISTED)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.tensors: input tensor %u (%s) is not a graph input", t,
                           g->tensors[t].name);
        r->state[t] = OM_T_AVAILABLE;
    }
    return ACL_SUCCESS;
}

/* Copies the weights into the caller's memory or into a 64-byte aligned region of our own. */
static int om_place_weights(om_reader *r, void *weight_mem, size_t weight_mem_size)
{
    graph *g = r->g;
    uint64_t size = r->meta.weight_size;
    g->weight_size = size;
    if (weight_mem) {
        if (weight_mem_size < size)
            return om_fail(r, ACL_ERROR_INVALID_PARAM, "weight memory of %zu bytes is smaller than the model's %llu",
                           weight_mem_size, (unsigned long long)size);
        g->weights = weight_mem;
        g->weights_owned = 0;
    } else {
        g->weights = aligned_alloc(OM_WEIGHT_ALIGN, om_align_up(size ? size : 1, OM_WEIGHT_ALIGN));
        if (!g->weights)
            return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory for %llu bytes of weights", (unsigned long long)size);
        g->weights_owned = 1;
    }
    if (size)
        memcpy(g->weights, r->sec[SEC_WEIGHTS].p, size);
    return ACL_SUCCESS;
}

/* --- reading: nodes -------------------------------------------------------------- */

static int om_read_attr_payload(om_reader *r, uint32_t ni, const char *nname, const struct om_attr *a,
                                const char *aname, graph_attr *ga)
{
    const om_section *s = &r->sec[SEC_ATTRDATA];
    uint64_t esize = a->type == ATTR_INTS ? 8 : a->type == ATTR_FLOATS ? 4 : 1;
    uint64_t need = (uint64_t)a->count * esize + (a->type == ATTR_STRING); /* strings carry their NUL */
    if (a->value < r->attrdata_next || a->value > s->size || need > s->size - a->value)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.attrs: node %u (%s) attribute %s: %llu bytes at .aclsub.attrdata offset %llu "
                       "are outside the section (%zu bytes) or overlap the previous attribute",
                       ni, nname, aname, (unsigned long long)need, (unsigned long long)a->value, s->size);
    /* An absent section has no pointer; only empty lists (need 0) pass the check above then. */
    const unsigned char *src = s->p ? s->p + a->value : NULL;
    r->attrdata_next = a->value + need;
    if (a->type == ATTR_STRING) {
        if (memchr(src, '\0', a->count) || src[a->count] != '\0')
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.attrdata: node %u (%s) attribute %s: string of %u bytes is not "
                           "NUL-terminated exactly at its end",
                           ni, nname, aname, a->count);
        if (!(ga->v.s = malloc(a->count + 1)))
            return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u attribute %s", ni, aname);
        memcpy(ga->v.s, src, (size_t)a->count + 1);
    } else if (a->type == ATTR_INTS) {
        if (!(ga->v.ints = malloc(a->count ? a->count * sizeof(int64_t) : 1)))
            return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u attribute %s", ni, aname);
        for (uint32_t k = 0; k < a->count; k++) {
            uint64_t v;
            memcpy(&v, src + 8 * (size_t)k, 8);
            ga->v.ints[k] = (int64_t)le64toh(v);
        }
    } else {
        if (!(ga->v.floats = malloc(a->count ? a->count * sizeof(float) : 1)))
            return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u attribute %s", ni, aname);
        for (uint32_t k = 0; k < a->count; k++) {
            uint32_t v;
            memcpy(&v, src + 4 * (size_t)k, 4);
            v = le32toh(v);
            memcpy(&ga->v.floats[k], &v, 4);
        }
    }
    return ACL_SUCCESS;
}

static int om_read_attr(om_reader *r, uint32_t ni, graph_node *n, uint32_t k)
{
    struct om_attr a;
    om_get_attr(r, r->attr_next, &a);
    r->attr_next++;
    const char *aname = om_string(r, a.name);
    if (!aname || !*aname)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.attrs: node %u (%s) attribute %u: name offset %u is outside .aclsub.strtab, "
                       "empty or not terminated",
                       ni, n->name, k, a.name);
    for (uint32_t j = 0; j < k; j++)
        if (strcmp(n->attrs[j].name, aname) == 0)
            return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.attrs: node %u (%s) has attribute %s twice", ni,
                           n->name, aname);
    if (a.type < ATTR_INT || a.type > ATTR_STRING || a.reserved != 0 ||
        ((a.type == ATTR_INT || a.type == ATTR_FLOAT) && a.count != 1))
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.attrs: node %u (%s) attribute %s: bad type %u / count %u", ni, n->name, aname,
                       a.type, a.count);
    if (a.type == ATTR_FLOAT && (a.value >> 32) != 0)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.attrs: node %u (%s) attribute %s: float value has high bits set", ni, n->name,
                       aname);
    graph_attr *ga = &n->attrs[k];
    if (!(ga->name = strdup(aname)))
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u attribute %s", ni, aname);
    ga->count = a.count;
    if (a.type == ATTR_INT) {
        ga->v.i = (int64_t)a.value;
    } else if (a.type == ATTR_FLOAT) {
        uint32_t bits = (uint32_t)a.value;
        memcpy(&ga->v.f, &bits, 4);
    } else {
        int rc = om_read_attr_payload(r, ni, n->name, &a, aname, ga);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    ga->type = a.type; /* set last: graph_free frees payloads by type */
    return ACL_SUCCESS;
}

static int om_read_node_attrs(om_reader *r, uint32_t ni, graph_node *n, const struct om_node *on)
{
    if (on->attr_first != r->attr_next || on->n_attrs > OM_MAX_NODE_ATTRS ||
        on->n_attrs > r->meta.n_attrs - r->attr_next)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.nodes: node %u (%s): attributes %u..+%u, want them to start at %u, be at most "
                       "%u and fit the %u entries",
                       ni, n->name, on->attr_first, on->n_attrs, r->attr_next, OM_MAX_NODE_ATTRS, r->meta.n_attrs);
    if (on->n_attrs == 0)
        return ACL_SUCCESS;
    if (!(n->attrs = calloc(on->n_attrs, sizeof *n->attrs)))
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u", ni);
    n->n_attrs = on->n_attrs;
    for (uint32_t k = 0; k < on->n_attrs; k++) {
        int rc = om_read_attr(r, ni, n, k);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}

/* Reads one node's input or output list from the edges, which are used in order. */
static int om_read_node_edges(om_reader *r, uint32_t ni, graph_node *n, const char *what, uint32_t first,
                              uint32_t count, uint32_t min, uint32_t **out)
{
    if (first != r->edge_next || count < min || count > OM_MAX_NODE_IO || count > r->meta.n_edges - r->edge_next)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.nodes: node %u (%s): %s %u..+%u, want them to start at edge %u, number %u to "
                       "%u and fit the %u edges",
                       ni, n->name, what, first, count, r->edge_next, min, OM_MAX_NODE_IO, r->meta.n_edges);
    if (!(*out = malloc(count ? count * sizeof **out : 1)))
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u", ni);
    for (uint32_t k = 0; k < count; k++)
        (*out)[k] = om_edge(r, r->edge_next++);
    return ACL_SUCCESS;
}

/* Every input exists and is available now: a weight, a graph input or an earlier node's output. */
static int om_check_node_inputs(om_reader *r, uint32_t ni, const graph_node *n)
{
    for (uint32_t k = 0; k < n->n_inputs; k++) {
        uint32_t t = n->inputs[k];
        if (t == GRAPH_NO_TENSOR)
            continue;
        if (t >= r->g->n_tensors)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.nodes: node %u (%s) input %u references tensor %u of %u", ni, n->name, k,
                           t, r->g->n_tensors);
        if (r->state[t] != OM_T_AVAILABLE)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.nodes: node %u (%s) input %u reads tensor %u (%s) before any node "
                           "produces it",
                           ni, n->name, k, t, r->g->tensors[t].name);
    }
    return ACL_SUCCESS;
}

/* Every output is an activation that no node has produced yet. */
static int om_check_node_outputs(om_reader *r, uint32_t ni, const graph_node *n)
{
    for (uint32_t k = 0; k < n->n_outputs; k++) {
        uint32_t t = n->outputs[k];
        if (t >= r->g->n_tensors)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.nodes: node %u (%s) output %u references tensor %u of %u", ni, n->name, k,
                           t, r->g->n_tensors);
        if (r->g->tensors[t].kind != TENSOR_ACTIVATION || r->state[t] != OM_T_NONE)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.nodes: node %u (%s) output %u: tensor %u (%s) is not an activation or "
                           "is produced twice",
                           ni, n->name, k, t, r->g->tensors[t].name);
        r->state[t] = OM_T_LISTED; /* becomes available once the node is checked */
    }
    return ACL_SUCCESS;
}

static void om_format_shape(char *buf, size_t len, const graph_tensor *t)
{
    int used = snprintf(buf, len, "%s[", t->dtype == DT_FLOAT ? "float" : t->dtype == DT_INT32 ? "int32"
                                          : t->dtype == DT_INT64                                 ? "int64"
                                                                                                 : "?");
    for (uint32_t k = 0; k < t->rank && k < GRAPH_MAX_RANK && used > 0 && (size_t)used < len; k++)
        used += snprintf(buf + used, len - (size_t)used, "%s%lld", k ? "," : "", (long long)t->dims[k]);
    if (used > 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, "]");
}

static int om_same_shape(const graph_tensor *a, const graph_tensor *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank || a->bytes != b->bytes || a->rank > GRAPH_MAX_RANK)
        return 0;
    for (uint32_t k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k])
            return 0;
    return 1;
}

/* Re-runs shape inference and requires it to agree with the file. */
static int om_check_node_shapes(om_reader *r, uint32_t ni, const graph_node *n)
{
    graph *g = r->g;
    graph_tensor stored[OM_MAX_NODE_IO];
    for (uint32_t k = 0; k < n->n_outputs; k++)
        stored[k] = g->tensors[n->outputs[k]];
    char why[256] = "";
    int bad = op_infer(g, n, why, sizeof why);
    int rc = ACL_SUCCESS;
    for (uint32_t k = 0; k < n->n_outputs; k++) {
        graph_tensor *t = &g->tensors[n->outputs[k]];
        if (bad == 0 && rc == ACL_SUCCESS && !om_same_shape(t, &stored[k])) {
            char want[160], got[160];
            om_format_shape(want, sizeof want, &stored[k]);
            om_format_shape(got, sizeof got, t);
            rc = om_fail(r, ACL_ERROR_PARSE_MODEL,
                         "section .aclsub.nodes: node %u (%s, %s) output %u (%s): stored %s, inferred %s", ni, n->name,
                         n->op_type, k, t->name, want, got);
        }
        /* keep the checked descriptor whatever op_infer wrote */
        t->kind = stored[k].kind;
        t->dtype = stored[k].dtype;
        t->rank = stored[k].rank;
        memcpy(t->dims, stored[k].dims, sizeof t->dims);
        t->bytes = stored[k].bytes;
        t->offset = stored[k].offset;
    }
    if (bad != 0)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.nodes: node %u: %s", ni,
                       why[0] ? why : "rejected by shape inference");
    return rc;
}

static int om_read_node(om_reader *r, uint32_t ni)
{
    struct om_node on;
    om_get_node(r, ni, &on);
    graph_node *n = &r->g->nodes[ni];
    const char *name = om_string(r, on.name), *op_type = om_string(r, on.op_type);
    if (!name || !op_type)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.nodes: node %u: name offset %u or op type offset %u is outside "
                       ".aclsub.strtab (%zu bytes) or not terminated",
                       ni, on.name, on.op_type, r->sec[SEC_STRTAB].size);
    if (!(n->name = strdup(name)) || !(n->op_type = strdup(op_type)))
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory reading node %u", ni);
    n->op = op_lookup(op_type);
    if (n->op == OP_UNKNOWN)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.nodes: node %u (%s) has unknown op type '%s'", ni,
                       name, op_type);
    int rc;
    if ((rc = om_read_node_edges(r, ni, n, "inputs", on.input_first, on.n_inputs, 0, &n->inputs)) != ACL_SUCCESS)
        return rc;
    n->n_inputs = on.n_inputs;
    if ((rc = om_read_node_edges(r, ni, n, "outputs", on.output_first, on.n_outputs, 1, &n->outputs)) != ACL_SUCCESS)
        return rc;
    n->n_outputs = on.n_outputs;
    if ((rc = om_check_node_inputs(r, ni, n)) != ACL_SUCCESS || (rc = om_check_node_outputs(r, ni, n)) != ACL_SUCCESS ||
        (rc = om_read_node_attrs(r, ni, n, &on)) != ACL_SUCCESS || (rc = om_check_node_shapes(r, ni, n)) != ACL_SUCCESS)
        return rc;
    for (uint32_t k = 0; k < n->n_outputs; k++)
        r->state[n->outputs[k]] = OM_T_AVAILABLE;
    return ACL_SUCCESS;
}

static int om_read_nodes(om_reader *r)
{
    for (uint32_t i = 0; i < r->g->n_nodes; i++) {
        int rc = om_read_node(r, i);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}

/* --- reading: graph outputs and final checks ------------------------------------- */

static int om_read_graph_outputs(om_reader *r)
{
    graph *g = r->g;
    for (uint32_t k = 0; k < g->n_outputs; k++) {
        uint32_t t = om_edge(r, g->n_inputs + k);
        if (t >= g->n_tensors)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.edges: graph output %u references tensor %u of %u", k, t, g->n_tensors);
        if (g->tensors[t].kind != TENSOR_ACTIVATION || r->state[t] != OM_T_AVAILABLE)
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.edges: graph output %u: tensor %u (%s) is not produced by a node or is "
                           "listed twice",
                           k, t, g->tensors[t].name);
        r->state[t] = OM_T_LISTED;
        g->outputs[k] = t;
    }
    return ACL_SUCCESS;
}

static int om_check_complete(om_reader *r)
{
    const graph *g = r->g;
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].kind == TENSOR_ACTIVATION && r->state[t] == OM_T_NONE)
            return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.tensors: activation %u (%s) has no producer", t,
                           g->tensors[t].name);
    if (r->edge_next != r->meta.n_edges)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.edges: %u of %u entries are not used by any node",
                       r->meta.n_edges - r->edge_next, r->meta.n_edges);
    if (r->attr_next != r->meta.n_attrs)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.attrs: %u of %u entries are not used by any node",
                       r->meta.n_attrs - r->attr_next, r->meta.n_attrs);
    return ACL_SUCCESS;
}

/* --- reading: gears ----------------------------------------------------------------- */

/*
 * The gear sections come together, and only at the top level: a gear's own
 * image inside .aclsub.gearimages has none.
 */
static int om_check_gear_sections(om_reader *r)
{
    int gears = r->sec[SEC_GEARS].found, images = r->sec[SEC_GEARIMAGES].found;
    if (r->nested && (gears || images))
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "a gear's image has gear sections of its own");
    if (images && !gears)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.gearimages without .aclsub.gears");
    if (gears && !images)
        return om_fail(r, ACL_ERROR_MODEL_MISSING_ATTR, "section .aclsub.gearimages is missing");
    return ACL_SUCCESS;
}

static void om_get_gears_head(const om_reader *r, struct om_gears_head *h)
{
    memcpy(h, r->sec[SEC_GEARS].p, sizeof *h);
    h->kind = le32toh(h->kind);
    h->n_gears = le32toh(h->n_gears);
    h->n_inputs = le32toh(h->n_inputs);
    h->reserved = le32toh(h->reserved);
}

static uint64_t om_gear_mask(const om_reader *r, uint32_t i)
{
    uint64_t v;
    memcpy(&v, r->sec[SEC_GEARS].p + sizeof(struct om_gears_head) + (size_t)i * sizeof v, sizeof v);
    return le64toh(v);
}

static void om_get_gear(const om_reader *r, uint32_t n_inputs, uint32_t k, struct om_gear *e)
{
    size_t at = sizeof(struct om_gears_head) + (size_t)n_inputs * 8 + (size_t)k * sizeof *e;
    memcpy(e, r->sec[SEC_GEARS].p + at, sizeof *e);
    e->value[0] = le64toh(e->value[0]);
    e->value[1] = le64toh(e->value[1]);
    e->image_offset = le64toh(e->image_offset);
    e->image_size = le64toh(e->image_size);
}

/* The header: kind, counts, and the section's exact size. */
static int om_read_gears_head(om_reader *r, struct om_gears_head *h)
{
    const om_section *s = &r->sec[SEC_GEARS];
    if (s->size < sizeof *h)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID, "section .aclsub.gears: %zu bytes, shorter than its header",
                       s->size);
    om_get_gears_head(r, h);
    if ((h->kind != OM_GEAR_BATCH && h->kind != OM_GEAR_IMAGE_SIZE) || h->reserved != 0)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.gears: kind %u (want 1 or 2), reserved %u",
                       h->kind, h->reserved);
    if (h->n_gears < 2 || h->n_gears > OM_MAX_GEARS || h->n_inputs != r->g->n_inputs)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.gears: %u gears (want 2 to %u) for %u inputs (the graph has %u)", h->n_gears,
                       OM_MAX_GEARS, h->n_inputs, r->g->n_inputs);
    uint64_t want = sizeof *h + (uint64_t)h->n_inputs * 8 + (uint64_t)h->n_gears * sizeof(struct om_gear);
    if (s->size != want)
        return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID, "section .aclsub.gears: %zu bytes, its counts need %llu",
                       s->size, (unsigned long long)want);
    return ACL_SUCCESS;
}

/* The last input is the shape-data input: int32 [1] (batch) or [2] (H, W). */
static int om_check_shape_input(om_reader *r, uint32_t kind)
{
    const graph *g = r->g;
    const graph_tensor *t = g->n_inputs ? &g->tensors[g->inputs[g->n_inputs - 1]] : NULL;
    int64_t want = kind == OM_GEAR_BATCH ? 1 : 2;
    if (!t || strcmp(t->name, OM_SHAPE_DATA_NAME) != 0 || t->dtype != DT_INT32 || t->rank != 1 ||
        t->dims[0] != want)
        return om_fail(r, ACL_ERROR_PARSE_MODEL,
                       "section .aclsub.gears: the last graph input is not %s, int32 [%lld]", OM_SHAPE_DATA_NAME,
                       (long long)want);
    return ACL_SUCCESS;
}

/* Masks: batch marks dim 0, image size dims 2 and 3 of a 4-D input; the shape-data input none; one input some. */
static int om_read_gear_masks(om_reader *r, const struct om_gears_head *h, om_model *m)
{
    const graph *g = r->g;
    uint64_t allowed = h->kind == OM_GEAR_BATCH ? 1u : 0xcu;
    int any = 0;
    for (uint32_t i = 0; i < h->n_inputs; i++) {
        uint64_t mask = om_gear_mask(r, i);
        const graph_tensor *t = &g->tensors[g->inputs[i]];
        int last = i + 1 == h->n_inputs;
        if ((mask != 0 && mask != allowed) || (mask >> t->rank) != 0 || (last && mask != 0) ||
            (mask != 0 && h->kind == OM_GEAR_IMAGE_SIZE && t->rank != 4))
            return om_fail(r, ACL_ERROR_PARSE_MODEL,
                           "section .aclsub.gears: input %u (%s) has dynamic-dim mask 0x%llx (want 0 or 0x%llx of a "
                           "rank-%u input)",
                           i, t->name, (unsigned long long)mask, (unsigned long long)allowed, t->rank);
        m->dyn_masks[i] = mask;
        any |= mask != 0;
    }
    if (!any)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.gears: no input has a dynamic dim");
    return ACL_SUCCESS;
}

/* Gear values: at least 1 (batch: the second 0), no duplicates; images in order inside .aclsub.gearimages. */
static int om_read_gear_table(om_reader *r, const struct om_gears_head *h, om_model *m, struct om_gear *e)
{
    uint64_t end = 0, blob = r->sec[SEC_GEARIMAGES].size;
    for (uint32_t k = 0; k < h->n_gears; k++) {
        om_get_gear(r, h->n_inputs, k, &e[k]);
        int bad_value = e[k].value[0] == 0 || e[k].value[0] > INT64_MAX ||
                        (h->kind == OM_GEAR_BATCH ? e[k].value[1] != 0
                                                  : e[k].value[1] == 0 || e[k].value[1] > INT64_MAX);
        if (bad_value)
            return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.gears: gear %u has bad value %llu,%llu", k,
                           (unsigned long long)e[k].value[0], (unsigned long long)e[k].value[1]);
        for (uint32_t j = 0; j < k; j++)
            if (e[j].value[0] == e[k].value[0] && e[j].value[1] == e[k].value[1])
                return om_fail(r, ACL_ERROR_PARSE_MODEL, "section .aclsub.gears: gears %u and %u are the same", j, k);
        int bad_image = k == 0 ? e[k].image_offset != 0 || e[k].image_size != 0
                               : e[k].image_size == 0 || e[k].image_offset < end || e[k].image_offset > blob ||
                                     e[k].image_size > blob - e[k].image_offset;
        if (bad_image)
            return om_fail(r, ACL_ERROR_MODEL_SIZE_INVALID,
                           "section .aclsub.gears: gear %u image of %llu bytes at %llu: gear 0 has none, the others "
                           "follow each other inside the %llu-byte .aclsub.gearimages",
                           k, (unsigned long long)e[k].image_size, (unsigned long long)e[k].image_offset,
                           (unsigned long long)blob);
        if (k > 0)
            end = e[k].image_offset + e[k].image_size;
        m->gears[k][0] = e[k].value[0];
        m->gears[k][1] = e[k].value[1];
    }
    return ACL_SUCCESS;
}

/* The value dim d of an input takes in gear k, or -1 when the dim is not dynamic. */
static int64_t om_gear_dim(const om_model *m, uint32_t i, uint32_t k, uint32_t d)
{
    if (!((m->dyn_masks[i] >> d) & 1))
        return -1;
    uint32_t which = m->gear_kind == OM_GEAR_BATCH ? 0 : d - 2;
    return (int64_t)m->gears[k][which];
}

static int om_same_io(const graph_tensor *a, const graph_tensor *b)
{
    return strcmp(a->name, b->name) == 0 && a->dtype == b->dtype && a->rank == b->rank;
}

/* Gear k's graph has gear 0's inputs and outputs, with the gear's values at the dynamic dims. */
static int om_check_gear_graph(om_reader *r, const om_model *m, uint32_t k)
{
    const graph *g0 = m->graphs[0], *g = m->graphs[k];
    if (g->n_inputs != g0->n_inputs || g->n_outputs != g0->n_outputs)
        return om_fail(r, ACL_ERROR_PARSE_MODEL, "gear %u: %u inputs and %u outputs, gear 0 has %u and %u", k,
                       g->n_inputs, g->n_outputs, g0->n_inputs, g0->n_outputs);
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const graph_tensor *a = &g0->tensors[g0->inputs[i]], *b = &g->tensors[g->inputs[i]];
        if (!om_same_io(a, b))
            return om_fail(r, ACL_ERROR_PARSE_MODEL, "gear %u: input %u (%s) differs from gear 0's in name, dtype or "
                           "rank", k, i, b->name);
        for (uint32_t d = 0; d < b->rank; d++) {
            int64_t want = om_gear_dim(m, i, k, d);
            if (want < 0 ? b->dims[d] != a->dims[d] : b->dims[d] != want)
                return om_fail(r, ACL_ERROR_PARSE_MODEL, "gear %u: input %u (%s) dim %u is %lld, want %lld", k, i,
                               b->name, d, (long long)b->dims[d], (long long)(want < 0 ? a->dims[d] : want));
        }
    }
    for (uint32_t o = 0; o < g->n_outputs; o++)
        if (!om_same_io(&g0->tensors[g0->outputs[o]], &g->tensors[g->outputs[o]]))
            return om_fail(r, ACL_ERROR_PARSE_MODEL, "gear %u: output %u differs from gear 0's in name, dtype or rank",
                           k, o);
    return ACL_SUCCESS;
}

static int om_parse(om_reader *r, const void *image, size_t size, void *weight_mem, size_t weight_mem_size);

/* Loads gear k's own image; its weights go at *weight_at in the caller's memory, if any. */
static int om_load_gear_image(om_reader *r, const struct om_gear *e, uint32_t k, void *weight_mem,
                              size_t weight_mem_size, uint64_t *weight_at)
{
    om_model *m = r->model;
    char why[256] = "";
    om_reader sub = {.err = why, .errlen = sizeof why, .nested = 1};
    unsigned char *mem = NULL;
    size_t room = 0;
    if (weight_mem) {
        if (*weight_at > weight_mem_size)
            return om_fail(r, ACL_ERROR_INVALID_PARAM,
                           "weight memory of %zu bytes is smaller than the model's gears need", weight_mem_size);
        mem = (unsigned char *)weight_mem + *weight_at;
        room = weight_mem_size - (size_t)*weight_at;
    }
    int rc = om_parse(&sub, r->sec[SEC_GEARIMAGES].p + e->image_offset, (size_t)e->image_size, mem, room);
    free(sub.state);
    m->graphs[k] = sub.g;
    if (rc != ACL_SUCCESS)
        return om_fail(r, rc, "section .aclsub.gearimages: gear %u: %s", k, why);
    *weight_at = om_align_up(*weight_at + sub.g->weight_size, OM_WEIGHT_ALIGN);
    if (sub.g->work_size > m->work_size)
        m->work_size = sub.g->work_size;
    return om_check_gear_graph(r, m, k);
}

/* Reads .aclsub.gears and loads every gear's graph; r->g (gear 0's) is already complete. */
static int om_read_gears(om_reader *r, void *weight_mem, size_t weight_mem_size)
{
    om_model *m = r->model;
    struct om_gears_head h;
    struct om_gear e[OM_MAX_GEARS];
    int rc = om_read_gears_head(r, &h);
    if (rc == ACL_SUCCESS)
        rc = om_check_shape_input(r, h.kind);
    if (rc != ACL_SUCCESS)
        return rc;
    m->gears = calloc(h.n_gears, sizeof *m->gears);
    m->dyn_masks = calloc(h.n_inputs, sizeof *m->dyn_masks); /* n_inputs >= 1: the shape-data input */
    graph **graphs = realloc(m->graphs, h.n_gears * sizeof *graphs);
    if (graphs) {
        m->graphs = graphs;
        memset(graphs + 1, 0, (h.n_gears - 1) * sizeof *graphs);
    }
    if (!m->gears || !m->dyn_masks || !graphs)
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory for %u gears", h.n_gears);
    m->n_graphs = h.n_gears;
    m->gear_kind = h.kind;
    if ((rc = om_read_gear_masks(r, &h, m)) != ACL_SUCCESS || (rc = om_read_gear_table(r, &h, m, e)) != ACL_SUCCESS ||
        (rc = om_check_gear_graph(r, m, 0)) != ACL_SUCCESS)
        return rc;
    uint64_t weight_at = om_align_up(r->g->weight_size, OM_WEIGHT_ALIGN);
    for (uint32_t k = 1; k < h.n_gears; k++) {
        m->weight_size = weight_at; /* the last gear's end, once its weights are in */
        if ((rc = om_load_gear_image(r, &e[k], k, weight_mem, weight_mem_size, &weight_at)) != ACL_SUCCESS)
            return rc;
        m->weight_size += m->graphs[k]->weight_size;
    }
    if (weight_mem && weight_mem_size < m->weight_size)
        return om_fail(r, ACL_ERROR_INVALID_PARAM, "weight memory of %zu bytes is smaller than the model's %llu",
                       weight_mem_size, (unsigned long long)m->weight_size);
    return ACL_SUCCESS;
}

/* --- reading: the whole model ---------------------------------------------------- */

static int om_alloc_graph(om_reader *r)
{
    const struct om_meta *m = &r->meta;
    graph *g = calloc(1, sizeof *g);
    if (!g)
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory for the graph");
    r->g = g;
    /* the counts were checked against the section sizes, so these are bounded by the image */
    g->tensors = calloc(m->n_tensors ? m->n_tensors : 1, sizeof *g->tensors);
    g->nodes = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *g->nodes);
    g->inputs = calloc(m->n_inputs ? m->n_inputs : 1, sizeof *g->inputs);
    g->outputs = calloc(m->n_outputs, sizeof *g->outputs);
    r->state = calloc(m->n_tensors ? m->n_tensors : 1, 1);
    if (!g->tensors || !g->nodes || !g->inputs || !g->outputs || !r->state)
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory for %u tensors and %u nodes", m->n_tensors, m->n_nodes);
    g->n_tensors = m->n_tensors;
    g->n_nodes = m->n_nodes;
    g->n_inputs = m->n_inputs;
    g->n_outputs = m->n_outputs;
    r->edge_next = m->n_inputs + m->n_outputs;
    return ACL_SUCCESS;
}

/* One graph from its sections (the top-level one, or a gear's own image). */
static int om_parse_graph(om_reader *r, void *weight_mem, size_t weight_mem_size)
{
    int rc = om_check_gear_sections(r);
    if (rc == ACL_SUCCESS)
        rc = om_read_meta(r);
    if (rc == ACL_SUCCESS)
        rc = om_alloc_graph(r);
    if (rc == ACL_SUCCESS)
        rc = om_read_tensors(r);
    if (rc == ACL_SUCCESS)
        rc = om_read_graph_inputs(r);
    if (rc == ACL_SUCCESS)
        rc = om_place_weights(r, weight_mem, weight_mem_size);
    if (rc == ACL_SUCCESS)
        rc = om_read_nodes(r);
    if (rc == ACL_SUCCESS)
        rc = om_read_graph_outputs(r);
    if (rc == ACL_SUCCESS)
        rc = om_check_complete(r);
    if (rc == ACL_SUCCESS && graph_plan_memory(r->g) != 0)
        rc = om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory planning the work region");
    return rc;
}

/* The top-level graph becomes gear 0 (or the only graph) of r->model. */
static int om_parse_model(om_reader *r, void *weight_mem, size_t weight_mem_size)
{
    int rc = om_parse_graph(r, weight_mem, weight_mem_size);
    om_model *m = r->model;
    if (rc != ACL_SUCCESS)
        return rc;
    if (!(m->graphs = calloc(1, sizeof *m->graphs)))
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory for the model");
    m->graphs[0] = r->g;
    r->g = NULL;
    m->n_graphs = 1;
    m->work_size = m->graphs[0]->work_size;
    m->weight_size = m->graphs[0]->weight_size;
    if (!r->sec[SEC_GEARS].found)
        return ACL_SUCCESS;
    r->g = m->graphs[0]; /* the gear checks read gear 0 through r->g; m owns it */
    rc = om_read_gears(r, weight_mem, weight_mem_size);
    r->g = NULL;
    return rc;
}

static int om_parse(om_reader *r, const void *image, size_t size, void *weight_mem, size_t weight_mem_size)
{
    if (!image && size)
        return om_fail(r, ACL_ERROR_INVALID_PARAM, "no model image");
    if (!om_elf_ready())
        return om_fail(r, ACL_ERROR_INTERNAL_ERROR, "libelf: %s", elf_errmsg(-1));
    int rc = om_check_ehdr(r, image, size);
    if (rc != ACL_SUCCESS)
        return rc;
    /* elf_memory wants a writable image; the caller's stays untouched */
    unsigned char *copy = malloc(size);
    if (!copy)
        return om_fail(r, ACL_ERROR_BAD_ALLOC, "out of memory copying a %zu-byte model", size);
    memcpy(copy, image, size);
    rc = om_find_sections(r, copy, size);
    if (rc == ACL_SUCCESS)
        rc = r->model ? om_parse_model(r, weight_mem, weight_mem_size) : om_parse_graph(r, weight_mem, weight_mem_size);
    free(copy);
    return rc;
}

void om_model_free(om_model *m)
{
    if (!m)
        return;
    for (uint32_t k = 0; m->graphs && k < m->n_graphs; k++)
        graph_free(m->graphs[k]);
    free(m->graphs);
    free(m->gears);
    free(m->dyn_masks);
    free(m);
}

int om_load_model(const void *image, size_t size, void *weight_mem, size_t weight_mem_size, om_model **out,
                  char *err, size_t errlen)
{
    om_reader r = {.err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    if (out)
        *out = NULL;
    if (!out)
        return om_fail(&r, ACL_ERROR_INVALID_PARAM, "no place for the model");
    if (!(r.model = calloc(1, sizeof *r.model)))
        return om_fail(&r, ACL_ERROR_BAD_ALLOC, "out of memory for the model");
    int rc = om_parse(&r, image, size, weight_mem, weight_mem_size);
    free(r.state);
    graph_free(r.g);
    if (rc != ACL_SUCCESS) {
        om_model_free(r.model);
        return rc;
    }
    *out = r.model;
    return ACL_SUCCESS;
}

int om_load(const void *image, size_t size, void *weight_mem, size_t weight_mem_size, graph **out, char *err,
            size_t errlen)
{
    om_model *m = NULL;
    if (out)
        *out = NULL;
    int rc = om_load_model(image, size, weight_mem, weight_mem_size, out ? &m : NULL, err, errlen);
    if (rc != ACL_SUCCESS)
        return rc;
    *out = m->graphs[0];
    m->graphs[0] = NULL;
    om_model_free(m);
    return ACL_SUCCESS;
}

int om_query_size(const void *image, size_t size, size_t *work_size, size_t *weight_size, char *err, size_t errlen)
{
    om_model *m = NULL;
    int rc = om_load_model(image, size, NULL, 0, &m, err, errlen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (work_size)
        *work_size = (size_t)m->work_size;
    if (weight_size)
        *weight_size = (size_t)m->weight_size;
    om_model_free(m);
    return ACL_SUCCESS;
}
