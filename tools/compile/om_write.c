/*
 * om_write.c - writes a graph as an .om file (om_write_file, declared in
 * om_write.h), for the compilers only: the emulated runtime reads models
 * (shim/engine/om.c) and never writes them.
 *
 * The sections are the tables of shim/engine/om_format.h, built in memory as
 * growable little-endian buffers, then handed to libelf so that ordinary ELF
 * tools (readelf -S) list them.  Every limit the reader enforces is checked
 * before writing, so that whatever is written loads again.
 *
 * A model with gears (om_write_gears_file) is gear 0's graph in the usual
 * sections plus .aclsub.gears and .aclsub.gearimages, the latter holding
 * each further gear's graph as a whole .om image of its own, made by the
 * same code through a memfd.  A model without gears has exactly the eight
 * usual sections, byte for byte as before gears existed.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim/engine/graph.h"
#include "shim/engine/om_format.h"
#include "tools/compile/om_write.h"

/* A growable byte buffer; `oom` sticks once an append fails. */
typedef struct om_buf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} om_buf;

static void *om_buf_grow(om_buf *b, size_t n)
{
    if (b->oom || n == 0)
        return NULL;
    if (n > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return NULL;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return NULL;
        }
        b->p = p;
        b->cap = cap;
    }
    void *at = b->p + b->len;
    memset(at, 0, n);
    b->len += n;
    return at;
}

static void om_buf_put(om_buf *b, const void *src, size_t n)
{
    void *at = om_buf_grow(b, n);
    if (at && n)
        memcpy(at, src, n);
}

static void om_buf_pad(om_buf *b, size_t align)
{
    size_t pad = (size_t)om_align_up(b->len, align) - b->len;
    om_buf_grow(b, pad);
}

typedef struct om_writer {
    const graph *g;
    om_buf sec[SEC_COUNT_];
    char *err;
    size_t errlen;
    int has_gears; /* 1: write .aclsub.gears and .aclsub.gearimages too */
} om_writer;

__attribute__((format(printf, 2, 3))) static int om_wfail(om_writer *w, const char *fmt, ...)
{
    if (w->err && w->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->err, w->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Appends s to the string table and returns its offset. */
static uint32_t om_put_string(om_writer *w, const char *s)
{
    om_buf *b = &w->sec[SEC_STRTAB];
    if (!s || !*s)
        return 0; /* offset 0 holds the empty string */
    size_t off = b->len;
    om_buf_put(b, s, strlen(s) + 1);
    return off > UINT32_MAX ? (b->oom = 1, 0) : (uint32_t)off;
}

static void om_put_u32(om_buf *b, uint32_t v)
{
    v = htole32(v);
    om_buf_put(b, &v, sizeof v);
}

static int om_write_tensors(om_writer *w)
{
    const graph *g = w->g;
    for (uint32_t i = 0; i < g->n_tensors; i++) {
        const graph_tensor *t = &g->tensors[i];
        if (t->rank > GRAPH_MAX_RANK || t->kind > TENSOR_INPUT)
            return om_wfail(w, "tensor %u (%s): bad rank or kind", i, t->name ? t->name : "");
        if (t->kind == TENSOR_WEIGHT &&
            (t->offset % OM_WEIGHT_ALIGN != 0 || t->offset > g->weight_size || t->bytes > g->weight_size - t->offset))
            return om_wfail(w, "tensor %u (%s): weight range outside the weight region or unaligned", i,
                            t->name ? t->name : "");
        if (strlen(t->name ? t->name : "") > OM_MAX_NAME)
            return om_wfail(w, "tensor %u: name longer than %u bytes", i, OM_MAX_NAME);
        struct om_tensor ot = {0};
        ot.name = htole32(om_put_string(w, t->name));
        ot.kind = htole32(t->kind);
        ot.dtype = (int32_t)htole32((uint32_t)t->dtype);
        ot.rank = htole32(t->rank);
        for (uint32_t k = 0; k < t->rank; k++)
            ot.dims[k] = (int64_t)htole64((uint64_t)t->dims[k]);
        ot.bytes = htole64(t->bytes);
        ot.weight_offset = htole64(t->kind == TENSOR_WEIGHT ? t->offset : 0);
        om_buf_put(&w->sec[SEC_TENSORS], &ot, sizeof ot);
    }
    return 0;
}

static void om_write_attr(om_writer *w, const graph_attr *a)
{
    struct om_attr oa = {0};
    om_buf *data = &w->sec[SEC_ATTRDATA];
    oa.name = htole32(om_put_string(w, a->name));
    oa.type = htole32(a->type);
    oa.count = htole32(a->count);
    uint64_t value = 0;
    if (a->type == ATTR_INT) {
        value = (uint64_t)a->v.i;
    } else if (a->type == ATTR_FLOAT) {
        uint32_t bits;
        memcpy(&bits, &a->v.f, 4);
        value = bits;
    } else {
        om_buf_pad(data, 8);
        value = data->len;
        for (uint32_t k = 0; k < a->count; k++) {
            if (a->type == ATTR_INTS) {
                uint64_t v = htole64((uint64_t)a->v.ints[k]);
                om_buf_put(data, &v, 8);
            } else if (a->type == ATTR_FLOATS) {
                uint32_t v;
                memcpy(&v, &a->v.floats[k], 4);
                om_put_u32(data, v);
            }
        }
        if (a->type == ATTR_STRING)
            om_buf_put(data, a->v.s, (size_t)a->count + 1);
    }
    oa.value = htole64(value);
    om_buf_put(&w->sec[SEC_ATTRS], &oa, sizeof oa);
}

static int om_check_write_node(om_writer *w, uint32_t i, const graph_node *n)
{
    if (n->n_inputs > OM_MAX_NODE_IO || n->n_outputs == 0 || n->n_outputs > OM_MAX_NODE_IO ||
        n->n_attrs > OM_MAX_NODE_ATTRS)
        return om_wfail(w, "node %u (%s): %u inputs, %u outputs, %u attributes (limits %u, 1..%u, %u)", i,
                        n->name ? n->name : "", n->n_inputs, n->n_outputs, n->n_attrs, OM_MAX_NODE_IO, OM_MAX_NODE_IO,
                        OM_MAX_NODE_ATTRS);
    for (uint32_t k = 0; k < n->n_attrs; k++) {
        const graph_attr *a = &n->attrs[k];
        if (a->type < ATTR_INT || a->type > ATTR_STRING || !a->name || !*a->name || strlen(a->name) > OM_MAX_NAME)
            return om_wfail(w, "node %u (%s): attribute %u has a bad type or name", i, n->name ? n->name : "", k);
    }
    if (strlen(n->name ? n->name : "") > OM_MAX_NAME || !n->op_type || strlen(n->op_type) > OM_MAX_NAME)
        return om_wfail(w, "node %u: name or op type missing or too long", i);
    return 0;
}

static int om_write_nodes(om_writer *w)
{
    const graph *g = w->g;
    om_buf *edges = &w->sec[SEC_EDGES];
    for (uint32_t k = 0; k < g->n_inputs; k++)
        om_put_u32(edges, g->inputs[k]);
    for (uint32_t k = 0; k < g->n_outputs; k++)
        om_put_u32(edges, g->outputs[k]);
    uint32_t n_attrs = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        if (om_check_write_node(w, i, n) != 0)
            return -1;
        struct om_node on = {0};
        on.name = htole32(om_put_string(w, n->name));
        on.op_type = htole32(om_put_string(w, n->op_type));
        on.input_first = htole32((uint32_t)(edges->len / 4));
        on.n_inputs = htole32(n->n_inputs);
        for (uint32_t k = 0; k < n->n_inputs; k++)
            om_put_u32(edges, n->inputs[k]);
        on.output_first = htole32((uint32_t)(edges->len / 4));
        on.n_outputs = htole32(n->n_outputs);
        for (uint32_t k = 0; k < n->n_outputs; k++)
            om_put_u32(edges, n->outputs[k]);
        on.attr_first = htole32(n_attrs);
        on.n_attrs = htole32(n->n_attrs);
        for (uint32_t k = 0; k < n->n_attrs; k++)
            om_write_attr(w, &n->attrs[k]);
        n_attrs += n->n_attrs;
        om_buf_put(&w->sec[SEC_NODES], &on, sizeof on);
    }
    return 0;
}

static void om_write_meta(om_writer *w)
{
    const graph *g = w->g;
    struct om_meta m = {0};
    memcpy(m.magic, OM_MAGIC, 8);
    m.version = htole32(OM_VERSION);
    m.n_tensors = htole32(g->n_tensors);
    m.n_nodes = htole32(g->n_nodes);
    m.n_inputs = htole32(g->n_inputs);
    m.n_outputs = htole32(g->n_outputs);
    m.n_edges = htole32((uint32_t)(w->sec[SEC_EDGES].len / 4));
    m.n_attrs = htole32((uint32_t)(w->sec[SEC_ATTRS].len / sizeof(struct om_attr)));
    m.weight_size = htole64(g->weight_size);
    m.work_size = htole64(g->work_size);
    om_buf_put(&w->sec[SEC_META], &m, sizeof m);
}

/* Adds one section holding `len` bytes at `p` to the ELF being written. */
static int om_elf_section(Elf *e, uint32_t name, uint32_t type, const void *p, size_t len, size_t align,
                          size_t entsize)
{
    static const unsigned char empty[1];
    Elf_Scn *scn = elf_newscn(e);
    if (!scn)
        return -1;
    Elf_Data *d = elf_newdata(scn);
    if (!d)
        return -1;
    d->d_buf = len ? (void *)p : (void *)empty;
    d->d_size = len;
    d->d_type = ELF_T_BYTE;
    d->d_align = align;
    d->d_off = 0;
    d->d_version = EV_CURRENT;
    Elf64_Shdr *sh = elf64_getshdr(scn);
    if (!sh)
        return -1;
    sh->sh_name = name;
    sh->sh_type = type;
    sh->sh_addralign = align;
    sh->sh_entsize = entsize;
    return 0;
}

/* The section names of the ELF being written: ours (the gear sections only when used), then .shstrtab. */
static int om_section_names(om_writer *w, om_buf *shstr, uint32_t *names, int n_sec)
{
    om_buf_grow(shstr, 1); /* offset 0: the empty name */
    for (int k = 0; k < n_sec; k++) {
        names[k] = (uint32_t)shstr->len;
        om_buf_put(shstr, om_sections[k].name, strlen(om_sections[k].name) + 1);
    }
    names[n_sec] = (uint32_t)shstr->len;
    om_buf_put(shstr, ".shstrtab", sizeof ".shstrtab");
    return shstr->oom ? om_wfail(w, "out of memory") : 0;
}

/* Writes the finished section buffers as an ELF file on fd through libelf; `what` names it in messages. */
static int om_write_elf(om_writer *w, int fd, const char *what)
{
    int n_sec = w->has_gears ? SEC_COUNT_ : SEC_REQUIRED_;
    om_buf shstr = {0};
    uint32_t names[SEC_COUNT_ + 1];
    if (om_section_names(w, &shstr, names, n_sec) != 0) {
        free(shstr.p);
        return -1;
    }
    int rc = -1;
    Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
    Elf64_Ehdr *eh = e ? elf64_newehdr(e) : NULL;
    if (!eh)
        goto out;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_type = ET_REL;
    eh->e_machine = EM_NONE;
    eh->e_version = EV_CURRENT;
    for (int k = 0; k < n_sec; k++)
        if (om_elf_section(e, names[k], SHT_PROGBITS, w->sec[k].p, w->sec[k].len, om_sections[k].align,
                           om_sections[k].entsize) != 0)
            goto out;
    if (om_elf_section(e, names[n_sec], SHT_STRTAB, shstr.p, shstr.len, 1, 0) != 0)
        goto out;
    eh->e_shstrndx = (Elf64_Half)(n_sec + 1); /* section 0 is the null section */
    if (elf_update(e, ELF_C_WRITE) < 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        om_wfail(w, "%s: libelf: %s", what, elf_errmsg(-1));
    if (e)
        elf_end(e);
    free(shstr.p);
    return rc;
}

/* Fills the graph's sections (all but the gear ones). */
static int om_build_sections(om_writer *w)
{
    const graph *g = w->g;
    if (g->weight_size && !g->weights)
        return om_wfail(w, "the graph has %llu bytes of weights but no weight memory",
                        (unsigned long long)g->weight_size);
    om_buf_grow(&w->sec[SEC_STRTAB], 1); /* offset 0: the empty string */
    if (om_write_tensors(w) != 0 || om_write_nodes(w) != 0)
        return -1;
    om_write_meta(w);
    om_buf_put(&w->sec[SEC_WEIGHTS], g->weights, (size_t)g->weight_size);
    return 0;
}

static int om_check_sizes(om_writer *w)
{
    for (int k = 0; k < SEC_COUNT_; k++)
        if (w->sec[k].oom || w->sec[k].len > UINT32_MAX * (uint64_t)4)
            return om_wfail(w, "out of memory or model too large for the .om format");
    return 0;
}

static void om_free_sections(om_writer *w)
{
    for (int k = 0; k < SEC_COUNT_; k++)
        free(w->sec[k].p);
}

/* Creates path and writes the built sections into it. */
static int om_write_path(om_writer *w, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return om_wfail(w, "%s: %s", path, strerror(errno));
    int rc = om_write_elf(w, fd, path);
    if (close(fd) != 0 && rc == 0)
        rc = om_wfail(w, "%s: %s", path, strerror(errno));
    return rc;
}

int om_write_file(const graph *g, const char *path, char *err, size_t errlen)
{
    om_writer w = {.g = g, .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!g || !path)
        return om_wfail(&w, "no graph or path");
    if (!om_elf_ready())
        return om_wfail(&w, "libelf: %s", elf_errmsg(-1));
    int rc = om_build_sections(&w);
    if (rc == 0)
        rc = om_check_sizes(&w);
    if (rc == 0)
        rc = om_write_path(&w, path);
    om_free_sections(&w);
    return rc;
}

/* --- models with gears ------------------------------------------------------------------ */

/* Appends the bytes of the whole file on fd to b. */
static int om_slurp_fd(om_writer *w, int fd, om_buf *b)
{
    off_t end = lseek(fd, 0, SEEK_END);
    if (end <= 0 || lseek(fd, 0, SEEK_SET) != 0)
        return om_wfail(w, "gear image: %s", end == 0 ? "empty" : strerror(errno));
    unsigned char *at = om_buf_grow(b, (size_t)end);
    if (!at)
        return om_wfail(w, "out of memory");
    for (size_t got = 0; got < (size_t)end;) {
        ssize_t n = read(fd, at + got, (size_t)end - got);
        if (n <= 0)
            return om_wfail(w, "gear image: %s", n == 0 ? "short read" : strerror(errno));
        got += (size_t)n;
    }
    return 0;
}

/* Gear k's graph as a whole .om image appended to .aclsub.gearimages; its place in *e. */
static int om_put_gear_image(om_writer *w, const graph *g, uint32_t k, struct om_gear *e)
{
    om_writer sub = {.g = g, .err = w->err, .errlen = w->errlen};
    char what[32];
    snprintf(what, sizeof what, "gear %u image", k);
    int fd = memfd_create("aclsub-gear", MFD_CLOEXEC);
    if (fd < 0)
        return om_wfail(w, "%s: %s", what, strerror(errno));
    om_buf *images = &w->sec[SEC_GEARIMAGES];
    om_buf_pad(images, 8);
    size_t start = images->len;
    int rc = om_build_sections(&sub);
    if (rc == 0)
        rc = om_check_sizes(&sub);
    if (rc == 0)
        rc = om_write_elf(&sub, fd, what);
    if (rc == 0)
        rc = om_slurp_fd(w, fd, images);
    close(fd);
    om_free_sections(&sub);
    e->image_offset = htole64(start);
    e->image_size = htole64(images->len - start);
    return rc;
}

/* .aclsub.gears: the header, the dynamic-dim masks, then the gear entries (images appended meanwhile). */
static int om_put_gears(om_writer *w, const om_write_gears *gw)
{
    om_buf *b = &w->sec[SEC_GEARS];
    struct om_gears_head h = {.kind = htole32(gw->kind), .n_gears = htole32(gw->n_gears),
                              .n_inputs = htole32(gw->graphs[0]->n_inputs)};
    om_buf_put(b, &h, sizeof h);
    for (uint32_t i = 0; i < gw->graphs[0]->n_inputs; i++) {
        uint64_t v = htole64(gw->dyn_masks[i]);
        om_buf_put(b, &v, sizeof v);
    }
    for (uint32_t k = 0; k < gw->n_gears; k++) {
        struct om_gear e = {.value = {htole64(gw->values[k][0]), htole64(gw->values[k][1])}};
        if (k > 0 && om_put_gear_image(w, gw->graphs[k], k, &e) != 0)
            return -1;
        om_buf_put(b, &e, sizeof e);
    }
    return 0;
}

int om_write_gears_file(const om_write_gears *gw, const char *path, char *err, size_t errlen)
{
    om_writer w = {.err = err, .errlen = errlen, .has_gears = 1};
    if (err && errlen)
        err[0] = '\0';
    if (!gw || !path || gw->n_gears < 2 || gw->n_gears > OM_MAX_GEARS || !gw->graphs || !gw->values ||
        !gw->dyn_masks)
        return om_wfail(&w, "no gears, or more than %u", OM_MAX_GEARS);
    if (!om_elf_ready())
        return om_wfail(&w, "libelf: %s", elf_errmsg(-1));
    w.g = gw->graphs[0];
    int rc = om_build_sections(&w);
    if (rc == 0)
        rc = om_put_gears(&w, gw);
    if (rc == 0)
        rc = om_check_sizes(&w);
    if (rc == 0)
        rc = om_write_path(&w, path);
    om_free_sections(&w);
    return rc;
}
