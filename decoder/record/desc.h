/*
 * desc.h - the description text of an operator (or of a model's own inputs
 * and outputs), as the model and operator description records carry it
 * (docs/FORMAT.md, "Model descriptions"), and the private interface through
 * which the emulated runtime describes its operators to the interposer.
 *
 * The text is six fields separated by '|', in msprof's op_summary order
 * and notation:
 *
 *     input shapes | input data types | input formats |
 *     output shapes | output data types | output formats
 *
 * each a ';'-separated list with one entry per tensor: a shape is its
 * dimensions separated by ',' (empty for a scalar), a data type the
 * vendor's name with "DT_" (DT_FLOAT, DT_INT64, ...), a format NCHW, NHWC
 * or ND.  For example "1,3,8,8;4,3,3,3|DT_FLOAT;DT_FLOAT|NCHW;NCHW|1,4,6,6|DT_FLOAT|NCHW".
 *
 * Header-only: the emulated runtime (shim/), the interposer (preload/) and
 * the decoder each include it.
 */
#ifndef ACLSUB_DECODER_RECORD_DESC_H_
#define ACLSUB_DECODER_RECORD_DESC_H_

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Exported by the emulated runtime only (absent from the vendor's; the
 * interposer finds it with dlsym):
 *
 *   int aclsubEmuOpDesc(uint32_t modelId, uint32_t index, char *type, size_t typeCap,
 *                       char *text, size_t textCap, uint32_t *opCount);
 *
 * Describes operator `index` (execution order) of loaded model modelId:
 * its type into type and its description text into text (each cut to fit
 * and NUL-terminated), the model's operator count into *opCount; returns
 * the text's full length, or -1 when there is no such model (or operator:
 * *opCount is still set for a model that exists).
 */
#define ACLSUB_EMU_OP_DESC_SYMBOL "aclsubEmuOpDesc"
typedef int (*aclsub_emu_op_desc_fn)(uint32_t, uint32_t, char *, size_t, char *, size_t, uint32_t *);

#define ACLSUB_DESC_FIELDS 6

/* The vendor's name of an aclDataType value, as msprof prints it. */
static inline const char *aclsub_dtype_text(int dt)
{
    switch (dt) {
    case 0: return "DT_FLOAT";
    case 1: return "DT_FLOAT16";
    case 2: return "DT_INT8";
    case 3: return "DT_INT32";
    case 4: return "DT_UINT8";
    case 6: return "DT_INT16";
    case 7: return "DT_UINT16";
    case 8: return "DT_UINT32";
    case 9: return "DT_INT64";
    case 10: return "DT_UINT64";
    case 11: return "DT_DOUBLE";
    case 12: return "DT_BOOL";
    case 27: return "DT_BF16";
    default: return "DT_UNDEFINED";
    }
}

/* The name of an aclFormat value. */
static inline const char *aclsub_format_text(int f)
{
    switch (f) {
    case 0: return "NCHW";
    case 1: return "NHWC";
    case 2: return "ND";
    default: return "UNDEFINED";
    }
}

/*
 * A growing description text in a caller's buffer: appends never write past
 * cap - 1 bytes but `len` counts what the whole text would take.
 */
typedef struct aclsub_desc_buf {
    char *p;
    size_t cap, len;
} aclsub_desc_buf;

static inline void aclsub_desc_put(aclsub_desc_buf *b, const char *s)
{
    for (; *s; s++, b->len++)
        if (b->len + 1 < b->cap)
            b->p[b->len] = *s;
    if (b->cap)
        b->p[b->len < b->cap ? b->len : b->cap - 1] = '\0';
}

/* One shape: dims separated by ','; sep first when it is not the list's first entry. */
static inline void aclsub_desc_put_shape(aclsub_desc_buf *b, int first, const int64_t *dims, size_t rank)
{
    char num[24];
    if (!first)
        aclsub_desc_put(b, ";");
    for (size_t d = 0; d < rank; d++) {
        snprintf(num, sizeof num, d ? ",%" PRId64 : "%" PRId64, dims[d]);
        aclsub_desc_put(b, num);
    }
}

#endif /* ACLSUB_DECODER_RECORD_DESC_H_ */
