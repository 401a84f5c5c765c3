/*
 * tool_sinkcheck.c - checks a record stream written by libaclsub.so, for
 * tests/shell/check_preload.sh.
 *
 *   tool_sinkcheck check FILE [-v]
 *       Reads FILE (a file, a FIFO, or - for stdin) with the stream reader
 *       and prints one "key value" line per finding (the shell test greps
 *       them); -v adds one line per process and per subscription.
 *
 *         records        valid records
 *         damage         damaged stretches (bad signatures, unknown
 *                        versions, garbage runs, a truncated tail)
 *         op run start lost end model_desc op_desc other   records of each kind
 *         desc_missing   subscriptions ((pid, model id) pairs with data
 *                        records) whose first data record no model
 *                        description of the same pid and model precedes
 *         pids           processes that wrote records
 *         subs           subscriptions: (pid, model id) pairs with
 *                        operator or whole-run records
 *         seq_missing    sequence numbers missing inside subscriptions
 *                        (between 0 and the highest one seen)
 *         seq_dups       sequence numbers seen more than once
 *         seq_disorder   records whose sequence number is lower than the
 *                        previous one of their subscription in the stream
 *         runs_incomplete  executes whose whole-run record does not follow
 *                        exactly its operator count of operator records
 *                        (and operator records without a whole-run record)
 *         order_errors   processes whose first record is not a stream start,
 *                        with records after their stream end, or with more
 *                        than one stream start or end
 *         lost_sum       the "lost since the previous notice" of every
 *                        records-lost notice, summed
 *         lost_total     the highest "lost in all" of the notices (summed
 *                        over processes)
 *         end_delivered end_dropped end_models   the stream-end numbers,
 *                        summed over processes
 *         end_mismatch   processes whose stream end's delivered count is not
 *                        the number of their data records in the stream, or
 *                        whose dropped count is not their lost_sum
 *         type:T         data records of operator type T
 *         model:M        data records of model id M
 *
 *   tool_sinkcheck slowcopy IN OUT BYTES PAUSE_MS
 *       A slow reader: reads IN (a FIFO) at most BYTES at a time, sleeping
 *       PAUSE_MS after each read, and writes what it read to OUT, until end
 *       of file.
 *
 * Exit status: 0, or 1 on a usage or I/O error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "decoder/record/reader.h"

typedef struct {
    uint32_t pid, model;
    uint8_t kind;
    uint64_t seq, iteration, op_index;
    uint64_t arg[3];
    size_t pos; /* position in the stream */
    char type[ACLSUB_REC_TYPE_CAP + 1];
} item;

static item *items;
static size_t nitems, cap_items;

static void add_item(const aclsub_rec_view *v)
{
    if (nitems == cap_items) {
        cap_items = cap_items ? 2 * cap_items : 4096;
        items = realloc(items, cap_items * sizeof *items);
        if (!items) {
            fprintf(stderr, "tool_sinkcheck: out of memory\n");
            exit(1);
        }
    }
    item *it = &items[nitems];
    it->pid = v->pid;
    it->model = v->model_id;
    it->kind = v->kind;
    it->seq = v->seq;
    it->iteration = v->iteration;
    it->op_index = v->op_index;
    for (int i = 0; i < 3; i++)
        it->arg[i] = v->arg[i];
    it->pos = nitems;
    memcpy(it->type, v->type, sizeof it->type);
    nitems++;
}

static int is_data(const item *it)
{
    return it->kind == ACLSUB_KIND_OP || it->kind == ACLSUB_KIND_RUN;
}

/* Data records first, by (pid, model, seq, position). */
static int by_sub_seq(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (is_data(x) != is_data(y))
        return is_data(x) ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Data records first, by (pid, model, position). */
static int by_sub_pos(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (is_data(x) != is_data(y))
        return is_data(x) ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* By (pid, position). */
static int by_pid_pos(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Counts of a string key. */
typedef struct {
    char key[80];
    uint64_t n;
} counter;

static void count_key(counter **c, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*c)[i].key, key) == 0) {
            (*c)[i].n++;
            return;
        }
    *c = realloc(*c, (*n + 1) * sizeof **c);
    if (!*c)
        exit(1);
    snprintf((*c)[*n].key, sizeof (*c)[*n].key, "%s", key);
    (*c)[*n].n = 1;
    (*n)++;
}

static int cmd_check(const char *path, int verbose)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tool_sinkcheck: %s: %s\n", path, strerror(errno));
        return 1;
    }
    rec_reader *r = rec_reader_from_fd(fd, 1u << 20);
    if (!r)
        return 1;
    const unsigned char *rec;
    int rc;
    while ((rc = rec_reader_next(r, &rec)) == 1) {
        aclsub_rec_view v;
        if (aclsub_rec_get(rec, ACLSUB_REC_SIZE, 0, &v) != ACL_SUCCESS) {
            fprintf(stderr, "tool_sinkcheck: the reader returned a record the accessor rejects\n");
            return 1;
        }
        add_item(&v);
    }
    if (rc < 0) {
        fprintf(stderr, "tool_sinkcheck: %s: %s\n", path, strerror(errno));
        return 1;
    }
    const rec_reader_stats *st = rec_reader_get_stats(r);
    uint64_t damage = st->bad_signature + st->bad_version + st->garbage_runs + (st->truncated_bytes ? 1 : 0);

    uint64_t kinds[7] = {0}, other = 0, desc_missing = 0;
    struct pair {
        uint32_t pid, model;
        int described, seen_data;
    } *pairs = NULL;
    size_t npairs = 0;
    counter *types = NULL, *models = NULL;
    size_t ntypes = 0, nmodels = 0;
    for (size_t i = 0; i < nitems; i++) {
        const item *it = &items[i];
        switch (it->kind) {
        case ACLSUB_KIND_OP:
            kinds[0]++;
            break;
        case ACLSUB_KIND_RUN:
            kinds[1]++;
            break;
        case ACLSUB_KIND_STREAM_START:
            kinds[2]++;
            break;
        case ACLSUB_KIND_LOST:
            kinds[3]++;
            break;
        case ACLSUB_KIND_STREAM_END:
            kinds[4]++;
            break;
        case ACLSUB_KIND_MODEL_DESC:
            kinds[5]++;
            break;
        case ACLSUB_KIND_OP_DESC:
            kinds[6]++;
            break;
        default:
            other++;
        }
        /* Items are still in stream order here: a description must precede its model's first data record. */
        if (it->kind == ACLSUB_KIND_MODEL_DESC || is_data(it)) {
            size_t k = 0;
            while (k < npairs && (pairs[k].pid != it->pid || pairs[k].model != it->model))
                k++;
            if (k == npairs) {
                pairs = realloc(pairs, (npairs + 1) * sizeof *pairs);
                if (!pairs)
                    exit(1);
                pairs[npairs++] = (struct pair){it->pid, it->model, 0, 0};
            }
            if (it->kind == ACLSUB_KIND_MODEL_DESC)
                pairs[k].described = 1;
            else if (!pairs[k].seen_data++ && !pairs[k].described)
                desc_missing++;
        }
        if (is_data(it)) {
            char key[80];
            count_key(&types, &ntypes, it->type);
            snprintf(key, sizeof key, "%" PRIu32, it->model);
            count_key(&models, &nmodels, key);
        }
    }

    /* Stream order inside each subscription. */
    qsort(items, nitems, sizeof *items, by_sub_pos);
    uint64_t disorder = 0;
    for (size_t i = 1; i < nitems; i++) {
        const item *x = &items[i - 1], *y = &items[i];
        if (is_data(x) && is_data(y) && x->pid == y->pid && x->model == y->model && y->seq < x->seq)
            disorder++;
    }

    /* Sequence numbers and execute completeness per subscription. */
    qsort(items, nitems, sizeof *items, by_sub_seq);
    uint64_t subs = 0, missing = 0, dups = 0, incomplete = 0;
    for (size_t i = 0; i < nitems && is_data(&items[i]);) {
        size_t j = i;
        while (j < nitems && is_data(&items[j]) && items[j].pid == items[i].pid && items[j].model == items[i].model)
            j++;
        subs++;
        uint64_t distinct = 0, top = items[j - 1].seq;
        for (size_t k = i; k < j; k++) {
            if (k > i && items[k].seq == items[k - 1].seq)
                dups++;
            else
                distinct++;
        }
        missing += top + 1 - distinct;
        /* Each execute: its operators (iteration I), then its whole-run record. */
        uint64_t ops_in_run = 0;
        int open_run = 0;
        uint64_t cur_iter = 0;
        for (size_t k = i; k < j; k++) {
            const item *it = &items[k];
            if (k > i && it->seq == items[k - 1].seq)
                continue;
            if (open_run && it->iteration != cur_iter) {
                incomplete++; /* operators without their whole-run record */
                ops_in_run = 0;
                open_run = 0;
            }
            if (it->kind == ACLSUB_KIND_OP) {
                cur_iter = it->iteration;
                open_run = 1;
                ops_in_run++;
            } else {
                if (ops_in_run != it->op_index)
                    incomplete++;
                ops_in_run = 0;
                open_run = 0;
            }
        }
        if (open_run)
            incomplete++;
        if (verbose)
            printf("sub pid=%" PRIu32 " model=%" PRIu32 " records=%zu seq=0..%" PRIu64 "\n", items[i].pid,
                   items[i].model, j - i, top);
        i = j;
    }

    /* Per process: stream start first, stream end last, the end's numbers. */
    qsort(items, nitems, sizeof *items, by_pid_pos);
    uint64_t pids = 0, order_errors = 0, lost_sum = 0, lost_total = 0, end_mismatch = 0;
    uint64_t end_delivered = 0, end_dropped = 0, end_models = 0;
    for (size_t i = 0; i < nitems;) {
        size_t j = i;
        while (j < nitems && items[j].pid == items[i].pid)
            j++;
        pids++;
        uint64_t starts = 0, ends = 0, data = 0, lsum = 0, ltotal = 0, after_end = 0;
        const item *end = NULL;
        for (size_t k = i; k < j; k++) {
            const item *it = &items[k];
            if (end)
                after_end++;
            if (it->kind == ACLSUB_KIND_STREAM_START)
                starts++;
            else if (it->kind == ACLSUB_KIND_STREAM_END) {
                ends++;
                end = it;
            } else if (it->kind == ACLSUB_KIND_LOST) {
                lsum += it->arg[0];
                if (it->arg[1] > ltotal)
                    ltotal = it->arg[1];
            } else if (is_data(it))
                data++;
        }
        if (items[i].kind != ACLSUB_KIND_STREAM_START || starts != 1 || ends > 1 || after_end)
            order_errors++;
        lost_sum += lsum;
        lost_total += ltotal;
        if (end) {
            end_delivered += end->arg[0];
            end_dropped += end->arg[1];
            end_models += end->arg[2];
            if (end->arg[0] != data || end->arg[1] != lsum)
                end_mismatch++;
        }
        if (verbose)
            printf("pid %" PRIu32 ": starts=%" PRIu64 " ends=%" PRIu64 " data=%" PRIu64 " lost_sum=%" PRIu64
                   " end=%s%" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n",
                   items[i].pid, starts, ends, data, lsum, end ? "" : "(none)", end ? end->arg[0] : 0,
                   end ? end->arg[1] : 0, end ? end->arg[2] : 0);
        i = j;
    }

    printf("records %zu\n", nitems);
    printf("damage %" PRIu64 "\n", damage);
    printf("op %" PRIu64 "\nrun %" PRIu64 "\nstart %" PRIu64 "\nlost %" PRIu64 "\nend %" PRIu64 "\nmodel_desc %" PRIu64
           "\nop_desc %" PRIu64 "\nother %" PRIu64 "\ndesc_missing %" PRIu64 "\n",
           kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5], kinds[6], other, desc_missing);
    free(pairs);
    printf("pids %" PRIu64 "\nsubs %" PRIu64 "\n", pids, subs);
    printf("seq_missing %" PRIu64 "\nseq_dups %" PRIu64 "\nseq_disorder %" PRIu64 "\n", missing, dups, disorder);
    printf("runs_incomplete %" PRIu64 "\norder_errors %" PRIu64 "\n", incomplete, order_errors);
    printf("lost_sum %" PRIu64 "\nlost_total %" PRIu64 "\n", lost_sum, lost_total);
    printf("end_delivered %" PRIu64 "\nend_dropped %" PRIu64 "\nend_models %" PRIu64 "\nend_mismatch %" PRIu64 "\n",
           end_delivered, end_dropped, end_models, end_mismatch);
    for (size_t i = 0; i < ntypes; i++)
        printf("type:%s %" PRIu64 "\n", types[i].key, types[i].n);
    for (size_t i = 0; i < nmodels; i++)
        printf("model:%s %" PRIu64 "\n", models[i].key, models[i].n);
    free(types);
    free(models);
    free(items);
    rec_reader_free(r);
    if (fd != STDIN_FILENO)
        close(fd);
    return 0;
}

static int cmd_slowcopy(const char *in, const char *out, long bytes, long pause_ms)
{
    int ifd = open(in, O_RDONLY | O_CLOEXEC);
    int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ifd < 0 || ofd < 0 || bytes <= 0) {
        fprintf(stderr, "tool_sinkcheck slowcopy: %s\n", strerror(errno));
        return 1;
    }
    char *buf = malloc((size_t)bytes);
    if (!buf)
        return 1;
    for (;;) {
        ssize_t n = read(ifd, buf, (size_t)bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "tool_sinkcheck slowcopy: read: %s\n", strerror(errno));
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(ofd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                fprintf(stderr, "tool_sinkcheck slowcopy: write: %s\n", strerror(errno));
                return 1;
            }
            off += w;
        }
        struct timespec ts = {pause_ms / 1000, (pause_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    free(buf);
    close(ifd);
    return close(ofd) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "check") == 0)
        return cmd_check(argv[2], argc >= 4 && strcmp(argv[3], "-v") == 0);
    if (argc == 6 && strcmp(argv[1], "slowcopy") == 0)
        return cmd_slowcopy(argv[2], argv[3], strtol(argv[4], NULL, 10), strtol(argv[5], NULL, 10));
    fprintf(stderr, "usage: tool_sinkcheck check FILE [-v]\n"
                    "       tool_sinkcheck slowcopy IN OUT BYTES PAUSE_MS\n");
    return 1;
}
