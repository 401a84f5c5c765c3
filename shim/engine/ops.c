/*
 * ops.c - the front of the operator layer (ops.h): the op table, and the
 * lookup and dispatch that read it.
 *
 * op_table[] is built from ops_table.h, one {name, infer, run} entry per
 * operator; an op code is 1 + the entry's index, so nothing here changes
 * when an operator is added.  op_infer checks that a node's code and name
 * agree before calling the entry's checker; op_run trusts the code, since
 * only nodes op_infer accepted are run.  The operators themselves are in
 * the family files ops_*.c (ops_impl.h).
 */
#include <string.h>

#include "shim/engine/ops.h"
#include "shim/engine/ops_impl.h"
#include "shim/engine/ops_table.h"

typedef struct op_def {
    const char *name; /* ONNX op type */
    op_infer_fn *infer;
    op_run_fn *run;
} op_def;

#define OP_ENTRY(name, infer, run) {name, infer, run},
static const op_def op_table[] = {OPS_TABLE(OP_ENTRY)};
#undef OP_ENTRY

#define OP_TABLE_LEN (sizeof(op_table) / sizeof(op_table[0]))

/* The entry of an op code, NULL for OP_UNKNOWN and any value past the table. */
static const op_def *op_entry(op_code op)
{
    return op >= 1 && op <= OP_TABLE_LEN ? &op_table[op - 1] : NULL;
}

op_code op_lookup(const char *op_type)
{
    if (!op_type)
        return OP_UNKNOWN;
    for (size_t i = 0; i < OP_TABLE_LEN; i++)
        if (strcmp(op_table[i].name, op_type) == 0)
            return (op_code)(i + 1);
    return OP_UNKNOWN;
}

const char *op_name(op_code op)
{
    const op_def *d = op_entry(op);
    return d ? d->name : "Unknown";
}

int op_infer(graph *g, const graph_node *n, char *err, size_t errlen)
{
    infer_ctx c = {g, n, err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (n->op_type && op_lookup(n->op_type) != n->op)
        return fail(&c, "op code %u does not match the op type", n->op);
    const op_def *d = op_entry(n->op);
    if (!d)
        return fail(&c, "unsupported operator");
    return d->infer(&c);
}

void op_run(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const op_def *d = op_entry(n->op);
    if (d)
        d->run(g, n, in, out);
}
