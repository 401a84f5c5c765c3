/*
 * test_record.c - the record format, its signature, the accessors and the
 * stream reader: CRC against its published check value and a bitwise
 * reference, encode/decode round trips, every accessor error path, and the
 * reader's damage counting.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl_prof.h"
#include "aclsub/record.h"
#include "decoder/record/crc32c.h"
#include "decoder/record/encode.h"
#include "decoder/record/le.h"
#include "decoder/record/reader.h"
#include "tests/unit/testutil.h"

#define REC ACLSUB_REC_SIZE

static void make_op(unsigned char *dst, uint32_t model, const char *type, const char *name, uint64_t start,
                    uint64_t end)
{
    aclsub_rec r = {.kind = ACLSUB_KIND_OP, .model_id = model, .flag = ACL_SUBSCRIBE_OP, .thread_id = 77,
                    .start = start, .end = end, .duration = end - start, .exec_time = end - start,
                    .type = type, .type_len = strlen(type), .name = name, .name_len = strlen(name)};
    aclsub_rec_encode(dst, &r);
}

START_TEST(test_crc_check_value)
{
    ck_assert_uint_eq(aclsub_crc32c("123456789", 9), 0x1CF96D7C);
    ck_assert_uint_eq(crc32c_portable(0xFFFFFFFFu, "123456789", 9), 0x1CF96D7C);
    ck_assert_uint_eq(crc32c_bitwise(0xFFFFFFFFu, "123456789", 9), 0x1CF96D7C);
}
END_TEST

START_TEST(test_crc_matches_bitwise_reference_on_random_buffers)
{
    uint64_t s = 12345;
    unsigned char buf[4200];
    for (int iter = 0; iter < 2000; iter++) {
        size_t off = tu_rand(&s) % 16, len = tu_rand(&s) % 4096;
        for (size_t i = 0; i < off + len; i++)
            buf[i] = (unsigned char)tu_rand(&s);
        uint32_t want = crc32c_bitwise(0xFFFFFFFFu, buf + off, len);
        ck_assert_uint_eq(aclsub_crc32c(buf + off, len), want);
        ck_assert_uint_eq(crc32c_portable(0xFFFFFFFFu, buf + off, len), want);
    }
}
END_TEST

START_TEST(test_crc_record_span_fast_path_matches_reference)
{
    /* 508 bytes, the span every record signs, takes the interleaved path. */
    uint64_t s = 777;
    unsigned char buf[600];
    for (int iter = 0; iter < 3000; iter++) {
        size_t off = tu_rand(&s) % 64;
        for (size_t i = 0; i < off + 508; i++)
            buf[i] = (unsigned char)tu_rand(&s);
        uint32_t init = iter % 2 ? 0xFFFFFFFFu : (uint32_t)tu_rand(&s);
        ck_assert_uint_eq(crc32c_update(init, buf + off, 508), crc32c_bitwise(init, buf + off, 508));
    }
}
END_TEST

/* RFC 3720 (iSCSI), B.4: CRC-32C with the final XOR, which the vendor's variant leaves out. */
START_TEST(test_crc_rfc3720_vectors)
{
    unsigned char zeros[32] = {0}, ones[32], up[32], down[32];
    for (int i = 0; i < 32; i++) {
        ones[i] = 0xFF;
        up[i] = (unsigned char)i;
        down[i] = (unsigned char)(31 - i);
    }
    const struct {
        const unsigned char *p;
        uint32_t crc;
    } v[4] = {{zeros, 0x8A9136AAu}, {ones, 0x62A8AB43u}, {up, 0x46DD794Eu}, {down, 0x113FDB5Cu}};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(~aclsub_crc32c(v[i].p, 32), v[i].crc);
        ck_assert_uint_eq(~crc32c_portable(0xFFFFFFFFu, v[i].p, 32), v[i].crc);
        ck_assert_uint_eq(~crc32c_bitwise(0xFFFFFFFFu, v[i].p, 32), v[i].crc);
    }
}
END_TEST

START_TEST(test_crc_record_every_implementation_matches_reference)
{
    /* Every implementation this CPU runs, at every alignment, on random records and on the extremes. */
    ck_assert_int_eq(crc32c_impl_available(CRC32C_PORTABLE), 1);
    uint64_t s = 4242;
    static unsigned char buf[REC + 128];
    for (int iter = 0; iter < 4000; iter++) {
        size_t off = (size_t)iter % 128;
        int fill = iter < 256 ? iter % 4 : 3; /* zeros, ones, alternating, random */
        for (size_t i = 0; i < off + REC; i++)
            buf[i] = fill == 0 ? 0 : fill == 1 ? 0xFF : fill == 2 ? (unsigned char)(i & 1 ? 0xAA : 0x55)
                                                              : (unsigned char)tu_rand(&s);
        uint32_t want = crc32c_bitwise(0xFFFFFFFFu, buf + off + 4, REC - 4);
        ck_assert_uint_eq(crc32c_record(buf + off), want);
        for (int impl = 0; impl < CRC32C_NIMPL; impl++)
            if (crc32c_impl_available((crc32c_impl)impl))
                ck_assert_uint_eq(crc32c_record_by((crc32c_impl)impl, buf + off), want);
    }
}
END_TEST

START_TEST(test_crc_record_ignores_the_signature_field)
{
    unsigned char rec[REC];
    make_op(rec, 1, "Conv", "conv1", 10, 20);
    uint32_t sig = crc32c_record(rec);
    for (int impl = 0; impl < CRC32C_NIMPL; impl++) {
        if (!crc32c_impl_available((crc32c_impl)impl))
            continue;
        memset(rec, 0x5A, 4);
        ck_assert_uint_eq(crc32c_record_by((crc32c_impl)impl, rec), sig);
        memset(rec, 0, 4);
        ck_assert_uint_eq(crc32c_record_by((crc32c_impl)impl, rec), sig);
    }
}
END_TEST

START_TEST(test_record_size_is_power_of_two_dividing_pipe_buf)
{
    size_t sz = 0;
    ck_assert_int_eq(aclprofGetOpDescSize(&sz), ACL_SUCCESS);
    ck_assert_uint_eq(sz, REC);
    ck_assert_uint_eq(sz & (sz - 1), 0);
    ck_assert_uint_eq(4096 % sz, 0);
    ck_assert_uint_ge(ACLSUB_REC_TYPE_CAP, 64);
    ck_assert_uint_ge(ACLSUB_REC_NAME_CAP, 256);
    ck_assert_uint_eq(ACLSUB_OFF_NAME + ACLSUB_REC_NAME_CAP, REC);
    ck_assert_int_eq(aclprofGetOpDescSize(NULL), ACL_ERROR_INVALID_PARAM);
}
END_TEST

START_TEST(test_vendor_prefix_layout_is_kept)
{
    unsigned char rec[REC];
    make_op(rec, 0x01020304, "Conv", "c", 0x1111, 0x2222);
    /* modelId at 4, flag at 8, threadId at 12, start at 32, end at 40, little-endian. */
    ck_assert_uint_eq(rec[4], 0x04);
    ck_assert_uint_eq(rec[7], 0x01);
    ck_assert_uint_eq(rec[12], 77);
    ck_assert_uint_eq(rec[32], 0x11);
    ck_assert_uint_eq(rec[40], 0x22);
    ck_assert_uint_eq(rec[24], 0x11); /* duration 0x1111 */
    uint32_t sig = rec[0] | rec[1] << 8 | rec[2] << 16 | (uint32_t)rec[3] << 24;
    ck_assert_uint_eq(sig, crc32c_bitwise(0xFFFFFFFFu, rec + 4, REC - 4));
}
END_TEST

START_TEST(test_roundtrip_random_field_values)
{
    uint64_t s = 99;
    unsigned char rec[REC];
    char type[80], name[300];
    for (int iter = 0; iter < 500; iter++) {
        aclsub_rec r = {0};
        r.kind = (uint8_t)(tu_rand(&s) % 2);
        r.model_id = (uint32_t)tu_rand(&s);
        r.flag = (uint32_t)(tu_rand(&s) % 3);
        r.thread_id = (uint32_t)tu_rand(&s);
        r.dev_id = (uint32_t)tu_rand(&s);
        r.op_index = tu_rand(&s);
        r.start = tu_rand(&s);
        r.end = tu_rand(&s);
        r.duration = tu_rand(&s);
        r.exec_time = tu_rand(&s);
        r.pid = (uint32_t)tu_rand(&s);
        r.stream_id = (uint32_t)tu_rand(&s);
        r.seq = tu_rand(&s);
        r.iteration = tu_rand(&s);
        for (int i = 0; i < ACLSUB_REC_NARGS; i++)
            r.arg[i] = tu_rand(&s);
        size_t tl = tu_rand(&s) % 64, nl = tu_rand(&s) % 288;
        for (size_t i = 0; i < tl; i++)
            type[i] = (char)('A' + tu_rand(&s) % 26);
        for (size_t i = 0; i < nl; i++)
            name[i] = (char)(1 + tu_rand(&s) % 255);
        type[tl] = name[nl] = '\0';
        r.type = type;
        r.type_len = tl;
        r.name = name;
        r.name_len = nl;
        aclsub_rec_encode(rec, &r);

        aclsub_rec_view v;
        ck_assert_int_eq(aclsub_rec_get(rec, REC, 0, &v), ACL_SUCCESS);
        ck_assert_uint_eq(v.kind, r.kind);
        ck_assert_uint_eq(v.model_id, r.model_id);
        ck_assert_uint_eq(v.thread_id, r.thread_id);
        ck_assert_uint_eq(v.dev_id, r.dev_id);
        ck_assert_uint_eq(v.op_index, r.op_index);
        ck_assert_uint_eq(v.exec_time, r.exec_time);
        ck_assert_uint_eq(v.pid, r.pid);
        ck_assert_uint_eq(v.stream_id, r.stream_id);
        ck_assert_uint_eq(v.seq, r.seq);
        ck_assert_uint_eq(v.iteration, r.iteration);
        for (int i = 0; i < ACLSUB_REC_NARGS; i++)
            ck_assert_uint_eq(v.arg[i], r.arg[i]);
        ck_assert_str_eq(v.type, type);
        ck_assert_str_eq(v.name, name);
        ck_assert_uint_eq(v.str_flags, 0);

        ck_assert_uint_eq(aclprofGetModelId(rec, REC, 0), r.model_id);
        ck_assert_int_eq(aclprofGetOpFlag(rec, REC, 0), (int)r.flag);
        ck_assert_uint_eq(aclprofGetOpStart(rec, REC, 0), r.start);
        ck_assert_uint_eq(aclprofGetOpEnd(rec, REC, 0), r.end);
        ck_assert_uint_eq(aclprofGetOpDuration(rec, REC, 0), r.duration);
        size_t len;
        char out[300];
        ck_assert_int_eq(aclprofGetOpTypeLen(rec, REC, 0, &len), ACL_SUCCESS);
        ck_assert_uint_eq(len, tl + 1);
        ck_assert_int_eq(aclprofGetOpType(rec, REC, 0, out, len), ACL_SUCCESS);
        ck_assert_str_eq(out, type);
        ck_assert_int_eq(aclprofGetOpNameLen(rec, REC, 0, &len), ACL_SUCCESS);
        ck_assert_uint_eq(len, nl + 1);
        ck_assert_int_eq(aclprofGetOpName(rec, REC, 0, out, len), ACL_SUCCESS);
        ck_assert_str_eq(out, name);
    }
}
END_TEST

static const size_t name_lengths[] = {0, 1, 63, 64, 255, 256, 287, 288, 289, 1000, 70000};

START_TEST(test_name_lengths_truncation_flag_and_hash)
{
    size_t n = name_lengths[_i];
    char *name = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        name[i] = (char)('a' + i % 26);
    name[n] = '\0';
    unsigned char rec[REC];
    make_op(rec, 1, "Conv", name, 1, 2);
    aclsub_rec_view v;
    ck_assert_int_eq(aclsub_rec_get(rec, REC, 0, &v), ACL_SUCCESS);
    size_t stored = n < ACLSUB_REC_NAME_CAP ? n : ACLSUB_REC_NAME_CAP;
    ck_assert_uint_eq(strlen(v.name), stored);
    ck_assert_int_eq(memcmp(v.name, name, stored), 0);
    ck_assert_uint_eq(v.name_len, n);
    ck_assert_uint_eq(!!(v.str_flags & ACLSUB_STR_NAME_TRUNCATED), n > ACLSUB_REC_NAME_CAP);
    /* FNV-1a of the full name, computed here independently. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)name[i]) * 0x100000001b3ULL;
    ck_assert_uint_eq(v.name_hash, h);
    size_t len;
    ck_assert_int_eq(aclprofGetOpNameLen(rec, REC, 0, &len), ACL_SUCCESS);
    ck_assert_uint_eq(len, stored + 1);
    free(name);
}
END_TEST

static const size_t type_lengths[] = {0, 1, 63, 64, 65, 200};

START_TEST(test_type_lengths_truncation_flag)
{
    size_t n = type_lengths[_i];
    char type[256];
    for (size_t i = 0; i < n; i++)
        type[i] = (char)('A' + i % 26);
    type[n] = '\0';
    unsigned char rec[REC];
    make_op(rec, 1, type, "x", 1, 2);
    size_t stored = n < ACLSUB_REC_TYPE_CAP ? n : ACLSUB_REC_TYPE_CAP;
    size_t len;
    ck_assert_int_eq(aclprofGetOpTypeLen(rec, REC, 0, &len), ACL_SUCCESS);
    ck_assert_uint_eq(len, stored + 1);
    /* The vendor's deprecated maximum (65) always suffices. */
    char out[ACL_PROF_MAX_OP_TYPE_LEN];
    ck_assert_int_eq(aclprofGetOpType(rec, REC, 0, out, sizeof out), ACL_SUCCESS);
    ck_assert_uint_eq(strlen(out), stored);
    ck_assert_int_eq(memcmp(out, type, stored), 0);
    aclsub_rec_view v;
    aclsub_rec_get(rec, REC, 0, &v);
    ck_assert_uint_eq(v.type_len, n);
    ck_assert_uint_eq(!!(v.str_flags & ACLSUB_STR_TYPE_TRUNCATED), n > ACLSUB_REC_TYPE_CAP);
}
END_TEST

START_TEST(test_non_ascii_bytes_and_utf8_cut_on_boundary)
{
    /* "卷积" (3 bytes each) repeated past the cap, after one ASCII byte. */
    char name[1024] = "x";
    while (strlen(name) < 400)
        strcat(name, "\xe5\x8d\xb7\xe7\xa7\xaf");
    unsigned char rec[REC];
    make_op(rec, 1, "Conv\xc3\xa9", name, 1, 2);
    char out[400];
    ck_assert_int_eq(aclprofGetOpName(rec, REC, 0, out, sizeof out), ACL_SUCCESS);
    size_t n = strlen(out);
    ck_assert_uint_le(n, ACLSUB_REC_NAME_CAP);
    ck_assert_uint_gt(n, ACLSUB_REC_NAME_CAP - 3);
    ck_assert_uint_eq((n - 1) % 3, 0); /* whole characters only */
    ck_assert_int_eq(memcmp(out, name, n), 0);
    ck_assert_int_eq(aclprofGetOpType(rec, REC, 0, out, sizeof out), ACL_SUCCESS);
    ck_assert_str_eq(out, "Conv\xc3\xa9");
}
END_TEST

START_TEST(test_strings_fetched_twice)
{
    unsigned char rec[REC];
    make_op(rec, 3, "MatMul", "fc1/MatMul", 5, 9);
    char a[64], b[64];
    ck_assert_int_eq(aclprofGetOpName(rec, REC, 0, a, sizeof a), ACL_SUCCESS);
    ck_assert_int_eq(aclprofGetOpName(rec, REC, 0, b, sizeof b), ACL_SUCCESS);
    ck_assert_str_eq(a, "fc1/MatMul");
    ck_assert_str_eq(b, "fc1/MatMul");
    ck_assert_int_eq(aclprofGetOpType(rec, REC, 0, a, sizeof a), ACL_SUCCESS);
    ck_assert_int_eq(aclprofGetOpType(rec, REC, 0, b, sizeof b), ACL_SUCCESS);
    ck_assert_str_eq(b, "MatMul");
}
END_TEST

START_TEST(test_buffer_of_records_from_several_models)
{
    unsigned char buf[5 * REC];
    const uint32_t models[5] = {1, 2, 1, 3, 2};
    char name[16];
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "op%d", i);
        make_op(buf + i * REC, models[i], "Relu", name, 100 * i, 100 * i + 7);
    }
    uint32_t n = 0;
    ck_assert_int_eq(aclprofGetOpNum(buf, sizeof buf, &n), ACL_SUCCESS);
    ck_assert_uint_eq(n, 5);
    for (uint32_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(aclprofGetModelId(buf, sizeof buf, i), models[i]);
        char out[16];
        ck_assert_int_eq(aclprofGetOpName(buf, sizeof buf, i, out, sizeof out), ACL_SUCCESS);
        snprintf(name, sizeof name, "op%u", i);
        ck_assert_str_eq(out, name);
        ck_assert_uint_eq(aclprofGetOpDuration(buf, sizeof buf, i), 7);
    }
}
END_TEST

/* --- accessor error paths, one test each ------------------------------------ */

static unsigned char three[3 * REC];
static void setup_three(void)
{
    for (int i = 0; i < 3; i++)
        make_op(three + i * REC, (uint32_t)i + 1, "Add", "add", 10, 20);
}

START_TEST(test_error_null_buffer)
{
    uint32_t n;
    size_t len;
    char s[8];
    ck_assert_int_eq(aclprofGetOpNum(NULL, REC, &n), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpTypeLen(NULL, REC, 0, &len), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpType(NULL, REC, 0, s, sizeof s), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpNameLen(NULL, REC, 0, &len), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpName(NULL, REC, 0, s, sizeof s), ACL_ERROR_INVALID_PARAM);
    ck_assert_uint_eq(aclprofGetOpStart(NULL, REC, 0), 0);
    ck_assert_uint_eq(aclprofGetModelId(NULL, REC, 0), ACL_PROF_INVALID_MODEL_ID);
    ck_assert_int_eq(aclprofGetOpFlag(NULL, REC, 0), ACL_SUBSCRIBE_NONE);
    ck_assert_ptr_null(aclprofGetOpAttriValue(NULL, REC, 0, ACL_SUBSCRIBE_ATTRI_THREADID));
}
END_TEST

START_TEST(test_error_null_output_pointers)
{
    ck_assert_int_eq(aclprofGetOpNum(three, sizeof three, NULL), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpTypeLen(three, sizeof three, 0, NULL), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpNameLen(three, sizeof three, 0, NULL), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpType(three, sizeof three, 0, NULL, 64), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpName(three, sizeof three, 0, NULL, 64), ACL_ERROR_INVALID_PARAM);
}
END_TEST

START_TEST(test_error_length_not_multiple_of_record_size)
{
    uint32_t n = 42;
    ck_assert_int_eq(aclprofGetOpNum(three, sizeof three - 1, &n), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpNum(three, REC + 80, &n), ACL_ERROR_INVALID_PARAM);
    ck_assert_uint_eq(n, 42);
    ck_assert_uint_eq(aclprofGetOpEnd(three, 80, 0), 0);
}
END_TEST

/* The vendor's msprof tests: aclprofGetOpNum(data, 0, &n) succeeds with n = 0. */
START_TEST(test_op_num_of_empty_buffer_is_zero_as_the_vendor)
{
    uint32_t n = 42;
    ck_assert_int_eq(aclprofGetOpNum(three, 0, &n), ACL_SUCCESS);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(aclprofGetOpNum(NULL, 0, &n), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpNum(three, 0, NULL), ACL_ERROR_INVALID_PARAM);
}
END_TEST

START_TEST(test_error_bad_signature_anywhere_rejects_whole_buffer)
{
    three[2 * REC + 300] ^= 0x10; /* a name byte of the last record */
    uint32_t n;
    ck_assert_int_eq(aclprofGetOpNum(three, sizeof three, &n), ACL_ERROR_INVALID_PARAM);
    ck_assert_uint_eq(aclprofGetOpStart(three, sizeof three, 0), 0);
    ck_assert_uint_eq(aclprofGetModelId(three, sizeof three, 0), ACL_PROF_INVALID_MODEL_ID);
    /* The first record alone is still fine. */
    ck_assert_uint_eq(aclprofGetOpStart(three, REC, 0), 10);
}
END_TEST

START_TEST(test_error_index_out_of_range)
{
    size_t len;
    char s[8];
    ck_assert_int_eq(aclprofGetOpTypeLen(three, sizeof three, 3, &len), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpName(three, sizeof three, 3, s, sizeof s), ACL_ERROR_INVALID_PARAM);
    ck_assert_uint_eq(aclprofGetOpDuration(three, sizeof three, UINT32_MAX), 0);
    ck_assert_uint_eq(aclprofGetModelId(three, sizeof three, 3), ACL_PROF_INVALID_MODEL_ID);
    ck_assert_int_eq(aclprofGetOpFlag(three, sizeof three, 3), ACL_SUBSCRIBE_NONE);
    ck_assert_ptr_null(aclprofGetOpAttriValue(three, sizeof three, 3, ACL_SUBSCRIBE_ATTRI_THREADID));
}
END_TEST

START_TEST(test_error_output_too_short_writes_nothing)
{
    char out[8];
    memset(out, '#', sizeof out);
    /* "add" needs 4 bytes; the vendor would write "ad" into 3 bytes. */
    ck_assert_int_eq(aclprofGetOpName(three, sizeof three, 0, out, 3), ACL_ERROR_INVALID_PARAM);
    ck_assert_int_eq(aclprofGetOpType(three, sizeof three, 0, out, 3), ACL_ERROR_INVALID_PARAM);
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_int_eq(out[i], '#');
    ck_assert_int_eq(aclprofGetOpName(three, sizeof three, 0, out, 4), ACL_SUCCESS);
    ck_assert_str_eq(out, "add");
}
END_TEST

START_TEST(test_error_unknown_version_rejected)
{
    three[ACLSUB_OFF_VERSION] = 99;
    uint32_t sig = aclsub_crc32c(three + 4, REC - 4);
    memcpy(three, &sig, 4);
    ck_assert_int_eq(aclsub_rec_check(three), ACLSUB_REC_BAD_VERSION);
    uint32_t n;
    ck_assert_int_eq(aclprofGetOpNum(three, REC, &n), ACL_ERROR_INVALID_PARAM);
}
END_TEST

START_TEST(test_attri_value_thread_id_and_bad_attri)
{
    const char *v = aclprofGetOpAttriValue(three, sizeof three, 1, ACL_SUBSCRIBE_ATTRI_THREADID);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, "77");
    ck_assert_ptr_null(aclprofGetOpAttriValue(three, sizeof three, 1, ACL_SUBSCRIBE_ATTRI_NONE));
}
END_TEST

static void *attri_worker(void *arg)
{
    unsigned char rec[REC];
    uint32_t tid = (uint32_t)(uintptr_t)arg;
    aclsub_rec r = {.kind = ACLSUB_KIND_OP, .thread_id = tid, .type = "T", .type_len = 1, .name = "n",
                    .name_len = 1};
    aclsub_rec_encode(rec, &r);
    char want[16];
    snprintf(want, sizeof want, "%u", tid);
    for (int i = 0; i < 20000; i++) {
        const char *v = aclprofGetOpAttriValue(rec, REC, 0, ACL_SUBSCRIBE_ATTRI_THREADID);
        if (!v || strcmp(v, want) != 0)
            return (void *)1;
    }
    return NULL;
}

START_TEST(test_attri_value_is_thread_safe)
{
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, attri_worker, (void *)(1000 + i));
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        ck_assert_ptr_null(rv);
    }
}
END_TEST

START_TEST(test_control_records_recognisable_through_accessors)
{
    unsigned char rec[REC];
    aclsub_rec r = {.kind = ACLSUB_KIND_LOST, .model_id = ACLSUB_CONTROL_MODEL_ID, .flag = ACL_SUBSCRIBE_NONE,
                    .arg = {5, 12}, .type = ACLSUB_TYPE_LOST, .type_len = strlen(ACLSUB_TYPE_LOST),
                    .name = "lost=5 total=12", .name_len = 15};
    aclsub_rec_encode(rec, &r);
    char type[65];
    ck_assert_int_eq(aclprofGetOpType(rec, REC, 0, type, sizeof type), ACL_SUCCESS);
    ck_assert_str_eq(type, "aclsub.records_lost");
    ck_assert_int_eq(aclprofGetOpFlag(rec, REC, 0), ACL_SUBSCRIBE_NONE);
    ck_assert_uint_eq(aclprofGetModelId(rec, REC, 0), 0xFFFFFFFFu);
    aclsub_rec_view v;
    ck_assert_int_eq(aclsub_rec_get(rec, REC, 0, &v), ACL_SUCCESS);
    ck_assert_uint_eq(v.kind, ACLSUB_KIND_LOST);
    ck_assert_uint_eq(v.arg[0], 5);
    ck_assert_uint_eq(v.arg[1], 12);
}
END_TEST

/* --- stream reader -------------------------------------------------------- */

static unsigned char stream[16 * REC + 64];

static size_t build_stream(int n)
{
    for (int i = 0; i < n; i++)
        make_op(stream + i * REC, 1, "Relu", "r", (uint64_t)i, (uint64_t)i + 1);
    return (size_t)n * REC;
}

static uint64_t read_all(rec_reader *r, uint64_t *first_starts, int max)
{
    const unsigned char *rec;
    uint64_t n = 0;
    while (rec_reader_next(r, &rec) == 1) {
        if ((int)n < max)
            first_starts[n] = aclprofGetOpStart(rec, REC, 0);
        n++;
    }
    return n;
}

START_TEST(test_reader_clean_stream)
{
    size_t len = build_stream(10);
    rec_reader *r = rec_reader_from_mem(stream, len);
    uint64_t starts[10];
    ck_assert_uint_eq(read_all(r, starts, 10), 10);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(starts[i], (uint64_t)i);
    ck_assert_int_eq(rec_reader_damaged(r), 0);
    rec_reader_free(r);
}
END_TEST

START_TEST(test_reader_truncated_tail)
{
    size_t len = build_stream(4) - 100;
    rec_reader *r = rec_reader_from_mem(stream, len);
    uint64_t s[4];
    ck_assert_uint_eq(read_all(r, s, 4), 3);
    ck_assert_uint_eq(rec_reader_get_stats(r)->truncated_bytes, REC - 100);
    ck_assert_int_eq(rec_reader_damaged(r), 1);
    rec_reader_free(r);
}
END_TEST

START_TEST(test_reader_flipped_bit_skips_one_record)
{
    size_t len = build_stream(6);
    stream[2 * REC + 200] ^= 0x04;
    rec_reader *r = rec_reader_from_mem(stream, len);
    uint64_t s[6];
    ck_assert_uint_eq(read_all(r, s, 6), 5);
    ck_assert_uint_eq(s[2], 3);
    const rec_reader_stats *st = rec_reader_get_stats(r);
    ck_assert_uint_eq(st->bad_signature, 1);
    ck_assert_uint_eq(st->garbage_bytes, 0);
    rec_reader_free(r);
}
END_TEST

START_TEST(test_reader_resynchronises_after_garbage)
{
    build_stream(5);
    /* 37 bytes of garbage between records 1 and 2. */
    memmove(stream + 2 * REC + 37, stream + 2 * REC, 3 * REC);
    memset(stream + 2 * REC, 0xA5, 37);
    rec_reader *r = rec_reader_from_mem(stream, 5 * REC + 37);
    uint64_t s[5];
    ck_assert_uint_eq(read_all(r, s, 5), 5);
    ck_assert_uint_eq(s[4], 4);
    const rec_reader_stats *st = rec_reader_get_stats(r);
    ck_assert_uint_eq(st->garbage_bytes, 37);
    ck_assert_uint_eq(st->garbage_runs, 1);
    ck_assert_uint_eq(st->bad_signature, 0);
    rec_reader_free(r);
}
END_TEST

START_TEST(test_reader_skips_unknown_version)
{
    size_t len = build_stream(3);
    stream[REC + ACLSUB_OFF_VERSION] = 2;
    uint32_t sig = aclsub_crc32c(stream + REC + 4, REC - 4);
    memcpy(stream + REC, &sig, 4);
    rec_reader *r = rec_reader_from_mem(stream, len);
    uint64_t s[3];
    ck_assert_uint_eq(read_all(r, s, 3), 2);
    ck_assert_uint_eq(rec_reader_get_stats(r)->bad_version, 1);
    rec_reader_free(r);
}
END_TEST

struct dribble {
    int fd;
    const unsigned char *data;
    size_t len;
};

static void *dribble_writer(void *arg)
{
    struct dribble *d = arg;
    size_t off = 0, step = 1;
    while (off < d->len) {
        size_t n = step < d->len - off ? step : d->len - off;
        if (write(d->fd, d->data + off, n) != (ssize_t)n)
            break;
        off += n;
        step = step * 3 % 997 + 1; /* odd sizes that straddle records */
    }
    close(d->fd);
    return NULL;
}

START_TEST(test_reader_from_pipe_with_odd_write_sizes)
{
    size_t len = build_stream(16);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    struct dribble d = {p[1], stream, len};
    pthread_t t;
    pthread_create(&t, NULL, dribble_writer, &d);
    rec_reader *r = rec_reader_from_fd(p[0], 4 * REC);
    uint64_t s[16];
    ck_assert_uint_eq(read_all(r, s, 16), 16);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(s[i], (uint64_t)i);
    ck_assert_int_eq(rec_reader_damaged(r), 0);
    rec_reader_free(r);
    pthread_join(t, NULL);
    close(p[0]);
}
END_TEST

/* Every record's start time and the damage counts of one reader, to compare two readers. */
struct read_result {
    uint64_t n, sum, first[8];
    rec_reader_stats st;
};

static void read_result_of(rec_reader *r, struct read_result *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *rec;
    while (rec_reader_next(r, &rec) == 1) {
        aclsub_rec_view v;
        rec_view_of(rec, &v);
        if (out->n < 8)
            out->first[out->n] = v.start;
        out->sum = out->sum * 31 + v.start;
        out->n++;
    }
    out->st = *rec_reader_get_stats(r);
}

START_TEST(test_reader_regular_file_read_ahead_matches_memory_reader)
{
    /* A regular file of more than two chunks goes through the shared read-ahead; with small,
       odd chunk sizes records and damage straddle its chunks.  It must read what memory does. */
    enum { NREC = 300 };
    static unsigned char data[NREC * (REC + 300)]; /* room for garbage after every record */
    uint64_t s = 99;
    for (int round = 0; round < 12; round++) {
        size_t len = 0;
        for (int i = 0; i < NREC; i++) {
            make_op(data + len, 1, "Conv", "c", (uint64_t)i, (uint64_t)i + 5);
            unsigned d = (unsigned)(tu_rand(&s) % 40);
            if (round > 0 && d == 0)
                data[len + 200] ^= 1; /* bad signature */
            else if (round > 0 && d == 1)
                data[len + ACLSUB_OFF_VERSION] = 2, le32_put(data + len, aclsub_crc32c(data + len + 4, REC - 4));
            len += REC;
            if (round > 0 && d == 2) { /* garbage between records */
                size_t g = 1 + tu_rand(&s) % 300;
                for (size_t k = 0; k < g; k++)
                    data[len + k] = (unsigned char)tu_rand(&s);
                len += g;
            }
        }
        if (round % 3 == 2)
            len -= 100; /* a truncated tail */
        char path[] = "/tmp/test_record_aheadXXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        unlink(path);
        ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
        size_t start = round % 4 == 3 ? 3 * REC : 0; /* a descriptor not at the file's start */
        ck_assert_int_eq(lseek(fd, (off_t)start, SEEK_SET), (off_t)start);
        struct read_result want, got;
        rec_reader *m = rec_reader_from_mem(data + start, len - start);
        read_result_of(m, &want);
        rec_reader_free(m);
        size_t chunk = 4 * REC + (size_t)(tu_rand(&s) % 3000);
        rec_reader *r = rec_reader_from_fd(fd, chunk);
        ck_assert_ptr_nonnull(r);
        read_result_of(r, &got);
        rec_reader_free(r);
        close(fd);
        ck_assert_uint_gt(want.n, 200);
        ck_assert_uint_eq(got.n, want.n);
        ck_assert_uint_eq(got.sum, want.sum);
        ck_assert_mem_eq(got.first, want.first, sizeof want.first);
        ck_assert_mem_eq(&got.st, &want.st, sizeof want.st);
    }
}
END_TEST

START_TEST(test_reader_runs_match_single_records)
{
    /* rec_reader_next_run hands out what rec_reader_next does, in runs, with the same damage counts. */
    enum { NREC = 300 };
    static unsigned char data[NREC * (REC + 300)]; /* room for garbage after every record */
    uint64_t s = 7;
    size_t len = 0;
    for (int i = 0; i < NREC; i++) {
        make_op(data + len, 1, "Conv", "c", (uint64_t)i, (uint64_t)i + 5);
        unsigned d = (unsigned)(tu_rand(&s) % 20);
        if (d == 0)
            data[len + 300] ^= 4;
        len += REC;
        if (d == 1) {
            size_t g = 1 + tu_rand(&s) % 300;
            memset(data + len, 'A', g);
            len += g;
        }
    }
    struct read_result want;
    rec_reader *m = rec_reader_from_mem(data, len);
    read_result_of(m, &want);
    rec_reader_free(m);
    for (size_t max = 1; max < 40; max += 9) {
        rec_reader *r = rec_reader_from_mem(data, len);
        const unsigned char *first;
        size_t n, total = 0, longest = 0;
        uint64_t sum = 0;
        while (rec_reader_next_run(r, &first, &n, max) == 1) {
            ck_assert_uint_ge(n, 1);
            ck_assert_uint_le(n, max);
            longest = n > longest ? n : longest;
            for (size_t i = 0; i < n; i++)
                sum = sum * 31 + le64_get(first + i * REC + ACLSUB_OFF_START);
            total += n;
        }
        ck_assert_uint_eq(total, want.n);
        ck_assert_uint_eq(sum, want.sum);
        ck_assert_mem_eq(rec_reader_get_stats(r), &want.st, sizeof want.st);
        if (max > 1)
            ck_assert_uint_gt(longest, 1);
        rec_reader_free(r);
    }
}
END_TEST

START_TEST(test_reader_regular_file_freed_before_its_end)
{
    /* The helper may be reading ahead when the reader is freed half-way. */
    enum { NREC = 200 };
    static unsigned char data[NREC * REC];
    for (int i = 0; i < NREC; i++)
        make_op(data + i * REC, 1, "Conv", "c", (uint64_t)i, (uint64_t)i + 5);
    char path[] = "/tmp/test_record_aheadXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    ck_assert_int_eq(write(fd, data, sizeof data), (ssize_t)sizeof data);
    for (int stop = 0; stop < 60; stop += 7) {
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        rec_reader *r = rec_reader_from_fd(fd, 4 * REC);
        const unsigned char *rec;
        for (int i = 0; i < stop; i++) {
            ck_assert_int_eq(rec_reader_next(r, &rec), 1);
            ck_assert_uint_eq(le64_get(rec + ACLSUB_OFF_START), (uint64_t)i);
        }
        rec_reader_free(r);
    }
    close(fd);
}
END_TEST


/*
 * A record built from an operator's template has exactly the bytes the
 * reference encoder gives the same values, for strings that fit, are cut
 * (ASCII and UTF-8), hold a NUL, or are empty, and for random field values;
 * and it passes the integrity check.
 */
START_TEST(test_template_encoder_matches_reference_encoder)
{
    static char long_name[700], utf8[400];
    memset(long_name, 'n', sizeof long_name - 1);
    for (size_t i = 0; i + 3 < sizeof utf8; i += 3)
        memcpy(utf8 + i, "\xe7\xae\x97", 3);
    const struct { const char *type, *name; size_t tl, nl; } cases[] = {
        {"Conv", "conv1", 4, 5},
        {"", "", 0, 0},
        {"Relu", long_name, 4, sizeof long_name - 1},
        {long_name, "x", 100, 1},
        {"Add", utf8, 3, strlen(utf8)},
        {"Mat\0Mul", "na\0me", 7, 6},
        {ACLSUB_RUN_TYPE, ACLSUB_RUN_NAME, 2, 11},
    };
    uint64_t st = 0x1234;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        rec_tmpl t;
        uint64_t hash = aclsub_name_hash(cases[c].name, cases[c].nl);
        rec_tmpl_init(&t, cases[c].type, cases[c].tl, cases[c].name, cases[c].nl, hash);
        for (int round = 0; round < 50; round++) {
            aclsub_rec r = {0};
            r.kind = round % 2 ? ACLSUB_KIND_RUN : ACLSUB_KIND_OP;
            r.model_id = (uint32_t)tu_rand(&st);
            r.flag = (uint32_t)tu_rand(&st);
            r.thread_id = (uint32_t)tu_rand(&st);
            r.dev_id = (uint32_t)tu_rand(&st);
            r.op_index = tu_rand(&st);
            r.start = tu_rand(&st);
            r.end = tu_rand(&st);
            r.duration = tu_rand(&st);
            r.exec_time = tu_rand(&st);
            r.pid = (uint32_t)tu_rand(&st);
            r.stream_id = (uint32_t)tu_rand(&st);
            r.seq = tu_rand(&st);
            r.iteration = tu_rand(&st);
            r.type = cases[c].type;
            r.type_len = cases[c].tl;
            r.name = cases[c].name;
            r.name_len = cases[c].nl;
            unsigned char want[REC], got[REC];
            memset(got, 0xA5, sizeof got); /* every byte must be written */
            aclsub_rec_encode(want, &r);
            rec_encode_tmpl(got, &r, &t);
            ck_assert_mem_eq(got, want, REC);
            ck_assert_int_eq(aclsub_rec_check(got), ACLSUB_REC_OK);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_crc_check_value);
    tcase_add_test(tc, test_crc_matches_bitwise_reference_on_random_buffers);
    tcase_add_test(tc, test_crc_record_span_fast_path_matches_reference);
    tcase_add_test(tc, test_crc_rfc3720_vectors);
    tcase_add_test(tc, test_crc_record_every_implementation_matches_reference);
    tcase_add_test(tc, test_crc_record_ignores_the_signature_field);
    tcase_add_test(tc, test_record_size_is_power_of_two_dividing_pipe_buf);
    tcase_add_test(tc, test_vendor_prefix_layout_is_kept);
    tcase_add_test(tc, test_roundtrip_random_field_values);
    tcase_add_loop_test(tc, test_name_lengths_truncation_flag_and_hash, 0,
                        (int)(sizeof name_lengths / sizeof name_lengths[0]));
    tcase_add_loop_test(tc, test_type_lengths_truncation_flag, 0,
                        (int)(sizeof type_lengths / sizeof type_lengths[0]));
    tcase_add_test(tc, test_non_ascii_bytes_and_utf8_cut_on_boundary);
    tcase_add_test(tc, test_strings_fetched_twice);
    tcase_add_test(tc, test_template_encoder_matches_reference_encoder);
    tcase_add_test(tc, test_buffer_of_records_from_several_models);
    tcase_add_test(tc, test_control_records_recognisable_through_accessors);
    suite_add_tcase(s, tc);

    TCase *te = tcase_create("accessor_errors");
    tcase_add_checked_fixture(te, setup_three, NULL);
    tcase_add_test(te, test_error_null_buffer);
    tcase_add_test(te, test_error_null_output_pointers);
    tcase_add_test(te, test_error_length_not_multiple_of_record_size);
    tcase_add_test(te, test_op_num_of_empty_buffer_is_zero_as_the_vendor);
    tcase_add_test(te, test_error_bad_signature_anywhere_rejects_whole_buffer);
    tcase_add_test(te, test_error_index_out_of_range);
    tcase_add_test(te, test_error_output_too_short_writes_nothing);
    tcase_add_test(te, test_error_unknown_version_rejected);
    tcase_add_test(te, test_attri_value_thread_id_and_bad_attri);
    tcase_add_test(te, test_attri_value_is_thread_safe);
    suite_add_tcase(s, te);

    TCase *tr = tcase_create("reader");
    tcase_add_test(tr, test_reader_clean_stream);
    tcase_add_test(tr, test_reader_truncated_tail);
    tcase_add_test(tr, test_reader_flipped_bit_skips_one_record);
    tcase_add_test(tr, test_reader_resynchronises_after_garbage);
    tcase_add_test(tr, test_reader_skips_unknown_version);
    tcase_add_test(tr, test_reader_from_pipe_with_odd_write_sizes);
    tcase_add_test(tr, test_reader_regular_file_read_ahead_matches_memory_reader);
    tcase_add_test(tr, test_reader_regular_file_freed_before_its_end);
    tcase_add_test(tr, test_reader_runs_match_single_records);
    suite_add_tcase(s, tr);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
