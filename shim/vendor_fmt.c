/*
 * vendor_fmt.c - the emulated device's vendor-format switch.
 *
 * With ACLSUB_EMU_RECORDS=vendor in the environment, the emulated runtime
 * emits exactly the vendor's 80-byte records: no names inside, the
 * operator's type and name kept in an in-process table keyed by the
 * record's opIndex, each string fetchable once (aclprofGetOpName /
 * aclprofGetOpType consume it), as on the vendor's runtime.  It exists so
 * that libaclsub.so's handling of vendor records can be tested here.  The
 * table is a ring of VENDOR_TABLE entries: strings nobody fetched are
 * freed when their slot is reused, so memory stays bounded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aclsub/record.h"
#include "shim/emu.h"
#include "decoder/record/format.h"
#include "decoder/record/le.h"

#define VENDOR_REC_SIZE 80
#define VENDOR_TABLE 65536

struct name_slot {
    uint64_t key;
    char *str[2]; /* REC_STR_TYPE, REC_STR_NAME; NULL once fetched */
};

/* The string table and its key counter, under table_lock. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct name_slot *table;
static uint64_t next_key = 1;
static int vendor_on; /* set by the constructor, read-only afterwards */

static int vendor_valid(const unsigned char *rec)
{
    return le32_get(rec) == aclsub_crc32c(rec + 4, VENDOR_REC_SIZE - 4);
}

static aclError vendor_string(const unsigned char *rec, int which, size_t *len, char *dst, size_t dst_len)
{
    uint64_t key = le64_get(rec + ACLSUB_OFF_OP_INDEX);
    aclError rc = ACL_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&table_lock);
    struct name_slot *s = table ? &table[key % VENDOR_TABLE] : NULL;
    if (s && s->key == key && s->str[which]) {
        size_t n = strlen(s->str[which]) + 1;
        *len = n;
        rc = ACL_SUCCESS;
        if (dst) {
            if (dst_len < n) {
                rc = ACL_ERROR_INVALID_PARAM;
            } else {
                memcpy(dst, s->str[which], n);
                free(s->str[which]); /* fetchable once, as on the vendor's runtime */
                s->str[which] = NULL;
            }
        }
    }
    pthread_mutex_unlock(&table_lock);
    return rc;
}

static const rec_format vendor_format = {VENDOR_REC_SIZE, vendor_valid, vendor_string};

__attribute__((constructor)) static void vendor_select(void)
{
    const char *v = getenv("ACLSUB_EMU_RECORDS");
    if (!v || !*v || strcmp(v, "aclsub") == 0)
        return;
    if (strcmp(v, "vendor") != 0) {
        fprintf(stderr, "libascendcl: ACLSUB_EMU_RECORDS=%s is not valid (accepted: aclsub, vendor); "
                        "using aclsub records\n", v);
        return;
    }
    table = calloc(VENDOR_TABLE, sizeof *table);
    if (!table) {
        fprintf(stderr, "libascendcl: no memory for the vendor name table; using aclsub records\n");
        return;
    }
    vendor_on = 1;
    rec_format_select(&vendor_format);
}

int emu_vendor_records(void)
{
    return vendor_on;
}

size_t emu_record_size(void)
{
    return vendor_on ? VENDOR_REC_SIZE : ACLSUB_REC_SIZE;
}

void emu_vendor_encode(void *dst, const aclsub_rec *r)
{
    unsigned char *p = dst;
    char *type = strndup(r->type ? r->type : "", r->type_len);
    char *name = strndup(r->name ? r->name : "", r->name_len);
    pthread_mutex_lock(&table_lock);
    uint64_t key = next_key++;
    struct name_slot *s = &table[key % VENDOR_TABLE];
    free(s->str[0]);
    free(s->str[1]);
    s->key = key;
    s->str[REC_STR_TYPE] = type;
    s->str[REC_STR_NAME] = name;
    pthread_mutex_unlock(&table_lock);

    memset(p, 0, VENDOR_REC_SIZE);
    le32_put(p + ACLSUB_OFF_MODEL_ID, r->model_id);
    /* As the vendor: the whole-run (keypoint_op) record is flagged ACL_SUBSCRIBE_OP too. */
    le32_put(p + ACLSUB_OFF_FLAG, r->kind == ACLSUB_KIND_RUN ? ACL_SUBSCRIBE_OP : r->flag);
    le32_put(p + ACLSUB_OFF_THREAD_ID, r->thread_id);
    le64_put(p + ACLSUB_OFF_OP_INDEX, key);
    le64_put(p + ACLSUB_OFF_DURATION, r->duration);
    le64_put(p + ACLSUB_OFF_START, r->start);
    le64_put(p + ACLSUB_OFF_END, r->end);
    le64_put(p + ACLSUB_OFF_EXEC_TIME, r->exec_time);
    le32_put(p + ACLSUB_OFF_DEV_ID, r->dev_id);
    le32_put(p, aclsub_crc32c(p + 4, VENDOR_REC_SIZE - 4));
}
