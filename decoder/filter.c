/*
 * filter.c - the record filters of `aclsub decode`: model ids, type and
 * name globs (fnmatch, no special meaning for '/'), a start-time window and
 * the first iterations of each model.  A record passes when it matches
 * every filter given; within one filter, any of its values.
 */
#include <fnmatch.h>

#include "decoder/pipeline.h"

int dec_is_control(const aclsub_rec_view *v)
{
    return v->kind >= ACLSUB_KIND_STREAM_START;
}

static int any_glob(char *const *globs, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(globs[i], s, 0) == 0)
            return 1;
    return 0;
}

int dec_filter_numbers(const dec_opts *o, uint32_t model, uint64_t start, uint64_t iteration)
{
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
    if (o->ntypes && !any_glob(o->types, o->ntypes, v->type))
        return 0;
    if (o->nnames && !any_glob(o->names, o->nnames, v->name))
        return 0;
    return 1;
}
