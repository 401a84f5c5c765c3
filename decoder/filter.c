/*
 * filter.c - the record filters of `aclsub decode`: model ids, type and
 * name globs (fnmatch, no special meaning for '/'), exclude globs on types
 * and names, a start-time window and the first iterations of each model.
 * A record passes when it matches every filter given (within one filter,
 * any of its values) and no exclude glob.  A window relative to the first
 * record is made absolute at the first record this filter sees, and its
 * base reported once on stderr.
 */
#include <inttypes.h>
#include <fnmatch.h>

#include "decoder/pipeline.h"

int dec_is_control(const aclsub_rec_view *v)
{
    return v->kind >= ACLSUB_KIND_STREAM_START;
}

/* Whether s passes globs: no exclude glob matches, and an include glob matches if there is one. */
static int globs_pass(char *const *globs, size_t n, const char *s)
{
    int includes = 0, included = 0;
    for (size_t i = 0; i < n; i++) {
        int exclude = globs[i][0] == DEC_EXCLUDE;
        int match = fnmatch(globs[i] + exclude, s, 0) == 0;
        if (exclude && match)
            return 0;
        includes += !exclude;
        included |= !exclude && match;
    }
    return !includes || included;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The first record's start becomes the base of a relative window. */
static void resolve_window(const dec_opts *o, uint64_t start)
{
    dec_window *w = o->window_rel;
    dec_opts *m = (dec_opts *)o; /* the window's two bounds, written once, before any comparison */
    if (w->from_rel)
        m->from = add_sat(start, w->from_off);
    if (w->to_rel)
        m->to = add_sat(start, w->to_off);
    w->resolved = 1;
    if (w->err)
        fprintf(w->err, "aclsub decode: times relative to %" PRIu64 " ns (the first record)\n", start);
}

int dec_filter_numbers(const dec_opts *o, uint32_t model, uint64_t start, uint64_t iteration)
{
    if (o->window_rel && !o->window_rel->resolved)
        resolve_window(o, start);
    if (o->nmodels) {
        size_t i = 0;
        while (i < o->nmodels && o->models[i] != model)
            i++;
        if (i == o->nmodels)
            return 0;
    }
    return start >= o->from && start <= o->to && iteration >= o->skip_iter;
}

int dec_filter_pass(const dec_opts *o, const aclsub_rec_view *v)
{
    if (!dec_filter_numbers(o, v->model_id, v->start, v->iteration))
        return 0;
    if (o->ntypes && !globs_pass(o->types, o->ntypes, v->type))
        return 0;
    if (o->nnames && !globs_pass(o->names, o->nnames, v->name))
        return 0;
    return 1;
}
