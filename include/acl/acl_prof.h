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
 * Deliberate difference: the vendor flags its whole-run record (name
 * "keypoint_op", type "na", modelId the model's id) ACL_SUBSCRIBE_OP, so a
 * reader tells it only by its strings; aclsub's own records flag it
 * ACL_SUBSCRIBE_SUBGRAPH.  With the vendor's record format
 * (ACLSUB_EMU_RECORDS=vendor) the emulated runtime flags it as the vendor.
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

/* The rest of the vendor's acl_prof.h: types, constants, functions. */

#define ACL_PROF_ACL_API 0x0001ULL
#define ACL_PROF_TASK_TIME 0x0002ULL
#define ACL_PROF_AICORE_METRICS 0x0004ULL
#define ACL_PROF_AICPU 0x0008ULL
#define ACL_PROF_L2CACHE 0x0010ULL
#define ACL_PROF_HCCL_TRACE 0x0020ULL
#define ACL_PROF_TRAINING_TRACE 0x0040ULL
#define ACL_PROF_MSPROFTX 0x0080ULL
#define ACL_PROF_RUNTIME_API 0x0100ULL
#define ACL_PROF_GE_API_L0 0x0200ULL
#define ACL_PROF_TASK_TIME_L0 0x0800ULL
#define ACL_PROF_TASK_MEMORY 0x1000ULL
#define ACL_PROF_GE_API_L1 0x01000000ULL
#define ACL_PROF_TASK_TIME_L2 0x2000ULL
#define ACL_PROF_OP_ATTR 0x4000ULL
#define ACL_PROF_TASK_TIME_L3 0x8000ULL
#define ACL_PROF_API_STATS 0x400000000ULL
#define ACL_PROF_AICORE_SHAPE 0x800000000ULL
#ifndef ACL_PROF_TENSOR_DATA_SHAPE_LEN
#define ACL_PROF_TENSOR_DATA_SHAPE_LEN 8
#endif
typedef enum {
    ACL_STEP_START = 0,
    ACL_STEP_END = 1
} aclprofStepTag;
typedef enum {
    ACL_PROF_ARGS_MIN = 0,
    ACL_PROF_STORAGE_LIMIT = 1,
    ACL_PROF_SYS_HARDWARE_MEM_FREQ = 3,
    ACL_PROF_LLC_MODE = 4,
    ACL_PROF_SYS_IO_FREQ = 5,
    ACL_PROF_SYS_INTERCONNECTION_FREQ = 6,
    ACL_PROF_DVPP_FREQ = 7,
    ACL_PROF_HOST_SYS = 8,
    ACL_PROF_HOST_SYS_USAGE = 9,
    ACL_PROF_HOST_SYS_USAGE_FREQ = 10,
    ACL_PROF_LOW_POWER_FREQ = 11,
    ACL_PROF_SYS_MEM_SERVICEFLOW = 12,
    ACL_PROF_SYS_CPU_FREQ = 13,
    ACL_PROF_OPTYPE = 14,
    ACL_PROF_NTS_METRICS = 15,
    ACL_PROF_PATH = 16,
    ACL_PROF_ARGS_MAX = 17
} aclprofConfigType;
typedef enum {
    ACL_PROF_MESSAGE_TYPE_TENSOR_INFO = 0
} aclprofMessageType;
typedef struct aclprofConfig aclprofConfig;
typedef struct aclprofStopConfig aclprofStopConfig;
typedef struct aclprofAicoreEvents aclprofAicoreEvents;
typedef struct aclprofStepInfo aclprofStepInfo;
#ifndef ACL_PROF_TENSOR_INFO_DEFINED
#define ACL_PROF_TENSOR_INFO_DEFINED
#define ACL_PROF_EVENT_ATTR_VERSION 1
typedef struct aclprofTensor {
    uint32_t type;
    uint32_t format;
    uint32_t dataType;
    uint32_t shapeDim;
    uint32_t shape[ACL_PROF_TENSOR_DATA_SHAPE_LEN];
} aclprofTensor;
typedef struct aclprofTensorInfo {
    uint64_t opNameId;
    uint64_t opTypeId;
    uint32_t resv;
    uint32_t tensorNum;
    uint32_t kernelType;
    uint32_t blockNums;
    void *stream;
    aclprofTensor *tensors;
} aclprofTensorInfo;
typedef struct aclprofEventAttributes {
    uint16_t version;
    uint16_t size;
    uint32_t messageType;
    union Message {
        aclprofTensorInfo *tensorInfo;
    } message;
} aclprofEventAttributes;
#endif

/*
 * The rest of the vendor's acl_prof.h: exported, but on the emulated device
 * each function below answers ACL_ERROR_FEATURE_UNSUPPORTED (NULL when it
 * returns a pointer or handle, 0 from aclprofStr2Id, nothing when it returns
 * void) and writes one line on stderr, "libascendcl: NAME is not supported
 * on the emulated device", the first time a process calls it.  docs/API.md
 * lists every function's status.
 */

ACL_FUNC_VISIBILITY aclError aclprofInit(const char *profilerResultPath, size_t length);
ACL_FUNC_VISIBILITY aclError aclprofFinalize(void);
ACL_FUNC_VISIBILITY aclError aclprofStart(const aclprofConfig *profilerConfig);
ACL_FUNC_VISIBILITY aclprofConfig *aclprofCreateConfig(uint32_t *deviceIdList, uint32_t deviceNums,
                                                       aclprofAicoreMetrics aicoreMetrics,
                                                       const aclprofAicoreEvents *aicoreEvents,
                                                       uint64_t dataTypeConfig);
ACL_FUNC_VISIBILITY aclError aclprofDestroyConfig(const aclprofConfig *profilerConfig);
ACL_FUNC_VISIBILITY aclError aclprofStop(const aclprofConfig *profilerConfig);
ACL_FUNC_VISIBILITY aclError aclprofSetConfig(aclprofConfigType configType, const char *config, size_t configLength);
ACL_FUNC_VISIBILITY aclError aclprofGetStepTimestamp(aclprofStepInfo *stepInfo, aclprofStepTag tag, aclrtStream stream);
ACL_FUNC_VISIBILITY aclprofStepInfo *aclprofCreateStepInfo(void);
ACL_FUNC_VISIBILITY void aclprofDestroyStepInfo(aclprofStepInfo *stepinfo);
ACL_FUNC_VISIBILITY void *aclprofCreateStamp(void);
ACL_FUNC_VISIBILITY void aclprofDestroyStamp(void *stamp);
ACL_FUNC_VISIBILITY aclError aclprofPush(void *stamp);
ACL_FUNC_VISIBILITY aclError aclprofPop(void);
ACL_FUNC_VISIBILITY aclError aclprofRangeStart(void *stamp, uint32_t *rangeId);
ACL_FUNC_VISIBILITY aclError aclprofRangeStop(uint32_t rangeId);
ACL_FUNC_VISIBILITY aclError aclprofSetStampTraceMessage(void *stamp, const char *msg, uint32_t msgLen);
ACL_FUNC_VISIBILITY aclError aclprofMark(void *stamp);
ACL_FUNC_VISIBILITY aclError aclprofMarkEx(const char *msg, size_t msgLen, aclrtStream stream);
ACL_FUNC_VISIBILITY uint64_t aclprofStr2Id(const char *message);
ACL_FUNC_VISIBILITY aclError aclprofRangePushEx(aclprofEventAttributes *attr);
ACL_FUNC_VISIBILITY aclError aclprofRangePop(void);

#ifdef __cplusplus
}
#endif

#endif /* ACLSUB_ACL_PROF_H_ */
