/*
 * aclsub/record.h - the aclsub operator record: the one definition of the
 * byte layout that every writer (emulated device, interposer) and every
 * reader (accessors, decoder) uses.  docs/FORMAT.md documents it byte by byte.
 *
 * A record is RECORD_SIZE bytes, little-endian.  The first 80 bytes are the
 * vendor's layout, field for field; aclsub's extension follows (magic,
 * version, kind, pid, stream, sequence number, iteration, string lengths,
 * name hash, four kind-specific arguments) and then the operator's type and
 * name inline, NUL-padded.  The signature is the vendor's CRC-32C variant
 * over every byte after the signature field.
 */
#ifndef ACLSUB_RECORD_H_
#define ACLSUB_RECORD_H_

#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACLSUB_REC_SIZE 512u      /* a power of two dividing PIPE_BUF */
#define ACLSUB_REC_VENDOR_SIZE 80u /* the vendor's record, kept as our prefix */
#define ACLSUB_REC_MAGIC 0x534C4341u /* "ACLS" as bytes in the file */
#define ACLSUB_REC_VERSION 1u

/* Byte offsets of every field. */
enum {
    ACLSUB_OFF_SIGNATURE = 0,   /* u32 CRC-32C of bytes 4..511 */
    ACLSUB_OFF_MODEL_ID = 4,    /* u32 */
    ACLSUB_OFF_FLAG = 8,        /* u32 aclprofSubscribeOpFlag */
    ACLSUB_OFF_THREAD_ID = 12,  /* u32 device worker thread id */
    ACLSUB_OFF_OP_INDEX = 16,   /* u64 operator index in the graph */
    ACLSUB_OFF_DURATION = 24,   /* u64 ns */
    ACLSUB_OFF_START = 32,      /* u64 ns, device clock */
    ACLSUB_OFF_END = 40,        /* u64 ns, device clock */
    ACLSUB_OFF_EXEC_TIME = 48,  /* u64 ns */
    ACLSUB_OFF_CUBE_FOPS = 56,  /* u64 */
    ACLSUB_OFF_VECTOR_FOPS = 64, /* u64 */
    ACLSUB_OFF_DEV_ID = 72,     /* u32 */
    ACLSUB_OFF_RESERVED = 76,   /* u32, zero (the vendor's padding) */
    ACLSUB_OFF_MAGIC = 80,      /* u32 ACLSUB_REC_MAGIC */
    ACLSUB_OFF_VERSION = 84,    /* u8 */
    ACLSUB_OFF_KIND = 85,       /* u8 aclsub_rec_kind */
    ACLSUB_OFF_STR_FLAGS = 86,  /* u16 ACLSUB_STR_* */
    ACLSUB_OFF_PID = 88,        /* u32 */
    ACLSUB_OFF_STREAM_ID = 92,  /* u32 */
    ACLSUB_OFF_SEQ = 96,        /* u64 per-subscription sequence number */
    ACLSUB_OFF_ITERATION = 104, /* u64 execute iteration of the model */
    ACLSUB_OFF_NAME_HASH = 112, /* u64 FNV-1a of the full name */
    ACLSUB_OFF_NAME_LEN = 120,  /* u32 full name length */
    ACLSUB_OFF_TYPE_LEN = 124,  /* u32 full type length */
    ACLSUB_OFF_ARG = 128,       /* u64 arg[4], meaning depends on kind */
    ACLSUB_OFF_TYPE = 160,      /* char[64] */
    ACLSUB_OFF_NAME = 224,      /* char[288] */
};

#define ACLSUB_REC_TYPE_CAP 64u
#define ACLSUB_REC_NAME_CAP 288u
#define ACLSUB_REC_NARGS 4

#define ACLSUB_STR_TYPE_TRUNCATED 0x1u
#define ACLSUB_STR_NAME_TRUNCATED 0x2u

typedef enum {
    ACLSUB_KIND_OP = 0,           /* one operator */
    ACLSUB_KIND_RUN = 1,          /* one whole execute ("keypoint_op", type "na") */
    ACLSUB_KIND_STREAM_START = 16, /* arg0 ppid, arg1 clock id, arg2 CLOCK_REALTIME ns at `start` */
    ACLSUB_KIND_LOST = 17,        /* arg0 lost since the previous notice, arg1 lost in all */
    ACLSUB_KIND_STREAM_END = 18,  /* arg0 records delivered, arg1 dropped, arg2 models */
    /*
     * A model's description, once per subscription, before the model's first
     * record: modelId, devId the device, opIndex the operator count (0:
     * unknown), type the model's name, name the file it was loaded from
     * ("(memory)"); arg0 the operator-description records that follow, arg1
     * inputs, arg2 outputs, arg3 ACLSUB_DESC_* flags.
     */
    ACLSUB_KIND_MODEL_DESC = 19,
    /*
     * One part of an operator's description (or, with opIndex
     * ACLSUB_DESC_MODEL_IO, of the model's own inputs and outputs): type the
     * operator type, name bytes [arg3, arg3 + nameLen) of the description
     * text; arg0 the part, arg1 the parts, arg2 the text's full length.
     */
    ACLSUB_KIND_OP_DESC = 20,
} aclsub_rec_kind;

/* Model description flags (arg3). */
#define ACLSUB_DESC_OPS 0x1u         /* the runtime described every operator (op descriptions follow) */
#define ACLSUB_DESC_OPS_CUT 0x2u     /* more operators than were described (ACLSUB_DESC_MAX_OPS) */
/* opIndex of the description of the model's own inputs and outputs. */
#define ACLSUB_DESC_MODEL_IO UINT64_MAX
/* The most parts one description text is split into (longer texts are cut). */
#define ACLSUB_DESC_MAX_PARTS 16u
#define ACLSUB_DESC_TEXT_MAX (ACLSUB_DESC_MAX_PARTS * ACLSUB_REC_NAME_CAP)
/* The most operators one model description describes. */
#define ACLSUB_DESC_MAX_OPS 65536u

/* The type strings of the control records, as the accessors return them. */
#define ACLSUB_TYPE_STREAM_START "aclsub.stream_start"
#define ACLSUB_TYPE_LOST "aclsub.records_lost"
#define ACLSUB_TYPE_STREAM_END "aclsub.stream_end"
#define ACLSUB_TYPE_MODEL_IO "aclsub.model_io" /* the type of the model's own input/output description */
#define ACLSUB_MODEL_FILE_MEM "(memory)"        /* the file of a model loaded from memory */
#define ACLSUB_RUN_NAME "keypoint_op"
#define ACLSUB_RUN_TYPE "na"
#define ACLSUB_CONTROL_MODEL_ID 0xFFFFFFFFu

/* What a writer puts in a record.  Strings are the full strings; the encoder truncates. */
typedef struct aclsub_rec {
    uint8_t kind;
    uint32_t model_id;
    uint32_t flag;
    uint32_t thread_id;
    uint32_t dev_id;
    uint64_t op_index;
    uint64_t start;
    uint64_t end;
    uint64_t duration;
    uint64_t exec_time;
    uint32_t pid;
    uint32_t stream_id;
    uint64_t seq;
    uint64_t iteration;
    uint64_t arg[ACLSUB_REC_NARGS];
    const char *type;
    size_t type_len;
    const char *name;
    size_t name_len;
} aclsub_rec;

/* Everything a reader can get from one record, strings copied and NUL-terminated. */
typedef struct aclsub_rec_view {
    uint8_t version;
    uint8_t kind;
    uint16_t str_flags;
    uint32_t model_id;
    uint32_t flag;
    uint32_t thread_id;
    uint32_t dev_id;
    uint64_t op_index;
    uint64_t start;
    uint64_t end;
    uint64_t duration;
    uint64_t exec_time;
    uint32_t pid;
    uint32_t stream_id;
    uint64_t seq;
    uint64_t iteration;
    uint64_t name_hash;
    uint32_t name_len;
    uint32_t type_len;
    uint64_t arg[ACLSUB_REC_NARGS];
    char type[ACLSUB_REC_TYPE_CAP + 1];
    char name[ACLSUB_REC_NAME_CAP + 1];
} aclsub_rec_view;

/* The state of one RECORD_SIZE block, as aclsub_rec_check finds it. */
typedef enum {
    ACLSUB_REC_OK = 0,
    ACLSUB_REC_BAD_MAGIC = 1,
    ACLSUB_REC_BAD_VERSION = 2,
    ACLSUB_REC_BAD_SIGNATURE = 3,
} aclsub_rec_status;

/* CRC-32C, reflected, poly 0x82F63B78, init 0xFFFFFFFF, no final XOR. */
ACL_FUNC_VISIBILITY uint32_t aclsub_crc32c(const void *data, size_t len);

/* Fills dst (ACLSUB_REC_SIZE bytes) from rec and signs it. */
ACL_FUNC_VISIBILITY void aclsub_rec_encode(void *dst, const aclsub_rec *rec);

/* Checks magic, version and signature of the record at src. */
ACL_FUNC_VISIBILITY aclsub_rec_status aclsub_rec_check(const void *src);

/*
 * The accessor that reads all fields of record `index` at once, with the
 * same buffer checks as the aclprofGetOp* accessors.  ACL_SUCCESS or
 * ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclsub_rec_get(const void *opInfo, size_t opInfoLen, uint32_t index,
                                            aclsub_rec_view *out);

/* FNV-1a, 64 bit, as stored in the name hash field. */
ACL_FUNC_VISIBILITY uint64_t aclsub_name_hash(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* ACLSUB_RECORD_H_ */
