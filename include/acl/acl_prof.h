/*
 * acl_prof.h - AscendCL profiling: model subscription and the operator
 * record accessors.
 *
 * Vendor names, signatures and constants.  aclsub's records are
 * self-describing (docs/FORMAT.md): aclprofGetOpDescSize reports their size
 * and each record carries its operator's type and name, so a captured stream
 * decodes in any process, any number of times.  Where aclsub deliberately
 * behaves better than the vendor runtime, the comment at the function says so.
 */
#ifndef ACLSUB_ACL_PROF_H_
#define ACLSUB_ACL_PROF_H_

#include "acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deprecated by the vendor in favour of the *Len getters; kept for old code. */
#define ACL_PROF_MAX_OP_NAME_LEN 257
#define ACL_PROF_MAX_OP_TYPE_LEN 65

typedef enum {
    ACL_AICORE_ARITHMETIC_UTILIZATION = 0,
    ACL_AICORE_PIPE_UTILIZATION = 1,
    ACL_AICORE_MEMORY_BANDWIDTH = 2,
    ACL_AICORE_L0B_AND_WIDTH = 3,
    ACL_AICORE_RESOURCE_CONFLICT_RATIO = 4,
    ACL_AICORE_MEMORY_UB = 5,
    ACL_AICORE_L2_CACHE = 6,
    ACL_AICORE_PIPE_EXECUTE_UTILIZATION = 7,
    ACL_AICORE_MEMORY_ACCESS = 8,
    ACL_AICORE_NONE = 0xFF
} aclprofAicoreMetrics;

typedef enum {
    ACL_SUBSCRIBE_OP = 0,
    ACL_SUBSCRIBE_SUBGRAPH = 1,
    ACL_SUBSCRIBE_OP_THREAD = 2,
    ACL_SUBSCRIBE_NONE = 0xFF
} aclprofSubscribeOpFlag;

typedef enum {
    ACL_SUBSCRIBE_ATTRI_THREADID = 0,
    ACL_SUBSCRIBE_ATTRI_NONE = 1
} aclprofSubscribeOpAttri;

typedef struct aclprofSubscribeConfig aclprofSubscribeConfig;

/*
 * fd points to an int holding the write end of a pipe (or any writable fd).
 * The int is read here; the pointer is not kept.  Returns NULL when fd is
 * NULL or timeInfoSwitch is not 0 or 1.
 * Deliberate difference: the vendor keeps the pointer, reads the int at
 * every write and stores -1 into it when unsubscribing closes the fd, so
 * the caller's int must outlive the subscription; aclsub copies the value
 * and never writes into the caller's memory (the fd is closed all the same).
 */
ACL_FUNC_VISIBILITY aclprofSubscribeConfig *aclprofCreateSubscribeConfig(int8_t timeInfoSwitch,
                                                                         aclprofAicoreMetrics aicoreMetrics,
                                                                         void *fd);
ACL_FUNC_VISIBILITY aclError aclprofDestroySubscribeConfig(const aclprofSubscribeConfig *profSubscribeConfig);

/*
 * Records flow into the config's fd from a writer thread.  Unlike the vendor
 * runtime, a reader that closes its end never kills the process with SIGPIPE:
 * the records are counted as dropped and one line on stderr reports them.
 * As the vendor: the model id is checked first (ACL_ERROR_INVALID_MODEL_ID);
 * a config with timeInfoSwitch 0 and ACL_AICORE_NONE is ACL_ERROR_INVALID_PARAM;
 * a model already subscribed is ACL_ERROR_PROF_REPEAT_SUBSCRIBE; and while
 * other models of the device are subscribed, a config whose time switch or
 * AI Core metrics differ from theirs is ACL_ERROR_INVALID_PROFILING_CONFIG
 * (the fd may differ).
 */
ACL_FUNC_VISIBILITY aclError aclprofModelSubscribe(uint32_t modelId,
                                                   const aclprofSubscribeConfig *profSubscribeConfig);
/* Flushes the model's records, then closes the fd unless another subscription uses it. */
ACL_FUNC_VISIBILITY aclError aclprofModelUnSubscribe(uint32_t modelId);

/*
 * Accessors.  opInfo points to opInfoLen bytes holding whole records.  Every
 * call checks that opInfo is not NULL, that opInfoLen is a non-zero multiple
 * of the record size and that every record's signature is right; otherwise
 * it fails (ACL_ERROR_INVALID_PARAM, or the documented failure value).  As
 * the vendor, aclprofGetOpNum of 0 bytes succeeds with 0 records.
 */
ACL_FUNC_VISIBILITY aclError aclprofGetOpDescSize(size_t *opDescSize);
ACL_FUNC_VISIBILITY aclError aclprofGetOpNum(const void *opInfo, size_t opInfoLen, uint32_t *opNumber);

/*
 * Length of the type (or name) string including its terminating NUL.  Unlike
 * the vendor runtime, strings live inside the record: they can be fetched any
 * number of times, from any process.  (Over vendor-format records, the
 * vendor's or ACLSUB_EMU_RECORDS=vendor, a string is read once; libaclsub.so
 * interposes these four string calls so that a program subscribing its own
 * model reads each one as without it.)
 */
ACL_FUNC_VISIBILITY aclError aclprofGetOpTypeLen(const void *opInfo, size_t opInfoLen, uint32_t index,
                                                 size_t *opTypeLen);
/*
 * Copies the NUL-terminated type into opType.  Unlike the vendor runtime, an
 * opTypeLen smaller than aclprofGetOpTypeLen's answer fails with
 * ACL_ERROR_INVALID_PARAM and writes nothing (the vendor silently drops the
 * last character when the buffer is exactly strlen bytes long).
 */
ACL_FUNC_VISIBILITY aclError aclprofGetOpType(const void *opInfo, size_t opInfoLen, uint32_t index, char *opType,
                                              size_t opTypeLen);
ACL_FUNC_VISIBILITY aclError aclprofGetOpNameLen(const void *opInfo, size_t opInfoLen, uint32_t index,
                                                 size_t *opNameLen);
/* As aclprofGetOpType, for the operator's name. */
ACL_FUNC_VISIBILITY aclError aclprofGetOpName(const void *opInfo, size_t opInfoLen, uint32_t index, char *opName,
                                              size_t opNameLen);

/* Nanoseconds on the device clock; 0 on any error. */
ACL_FUNC_VISIBILITY uint64_t aclprofGetOpStart(const void *opInfo, size_t opInfoLen, uint32_t index);
ACL_FUNC_VISIBILITY uint64_t aclprofGetOpEnd(const void *opInfo, size_t opInfoLen, uint32_t index);
ACL_FUNC_VISIBILITY uint64_t aclprofGetOpDuration(const void *opInfo, size_t opInfoLen, uint32_t index);

/*
 * The model id of record `index`.  On any error it returns
 * ACL_PROF_INVALID_MODEL_ID, i.e. (size_t)-1, a value no model id takes
 * (model ids are 32-bit).  The vendor instead returns an error code cast to
 * size_t, which cannot be told apart from a model id.
 */
#define ACL_PROF_INVALID_MODEL_ID ((size_t)-1)
ACL_FUNC_VISIBILITY size_t aclprofGetModelId(const void *opInfo, size_t opInfoLen, uint32_t index);

/*
 * ACL_SUBSCRIBE_OP for an operator, ACL_SUBSCRIBE_SUBGRAPH for the whole-run
 * record of one execute, ACL_SUBSCRIBE_NONE for aclsub's in-band control
 * records and on any error.  The vendor returns 0 (= ACL_SUBSCRIBE_OP) for a
 * bad index, which cannot be told apart from an operator.
 */
ACL_FUNC_VISIBILITY aclprofSubscribeOpFlag aclprofGetOpFlag(const void *opInfo, size_t opInfoLen, uint32_t index);

/*
 * ACL_SUBSCRIBE_ATTRI_THREADID: the decimal thread id of record `index`.
 * The string lives in thread-local storage and stays valid until the same
 * thread calls aclprofGetOpAttriValue again, so concurrent callers never see
 * each other's values (the vendor uses one shared buffer).  NULL on error.
 */
ACL_FUNC_VISIBILITY const char *aclprofGetOpAttriValue(const void *opInfo, size_t opInfoLen, uint32_t index,
                                                       aclprofSubscribeOpAttri attri);

#ifdef __cplusplus
}
#endif

#endif /* ACLSUB_ACL_PROF_H_ */
