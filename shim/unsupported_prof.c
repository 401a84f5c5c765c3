/*
 * unsupported_prof.c - the functions of the vendor's acl_prof.h that the
 * emulated device cannot honour, exported with their exact signatures so
 * that every program written against those headers links.  Each answers its
 * failure value (ACL_ERROR_FEATURE_UNSUPPORTED, NULL, 0 from aclprofStr2Id,
 * or nothing) and writes one line on stderr the first time a process calls
 * it: the rule of shim/unsupported.h.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "shim/unsupported.h"

EMU_UNSUPPORTED(aclprofInit, (const char *profilerResultPath, size_t length))
EMU_UNSUPPORTED(aclprofFinalize, (void))
EMU_UNSUPPORTED(aclprofStart, (const aclprofConfig *profilerConfig))
EMU_UNSUPPORTED_PTR(aclprofConfig *, aclprofCreateConfig, (uint32_t *deviceIdList, uint32_t deviceNums,
                                                           aclprofAicoreMetrics aicoreMetrics,
                                                           const aclprofAicoreEvents *aicoreEvents,
                                                           uint64_t dataTypeConfig))
EMU_UNSUPPORTED(aclprofDestroyConfig, (const aclprofConfig *profilerConfig))
EMU_UNSUPPORTED(aclprofStop, (const aclprofConfig *profilerConfig))
EMU_UNSUPPORTED(aclprofSetConfig, (aclprofConfigType configType, const char *config, size_t configLength))
EMU_UNSUPPORTED(aclprofGetStepTimestamp, (aclprofStepInfo *stepInfo, aclprofStepTag tag, aclrtStream stream))
EMU_UNSUPPORTED_PTR(aclprofStepInfo *, aclprofCreateStepInfo, (void))
EMU_UNSUPPORTED_VOID(aclprofDestroyStepInfo, (aclprofStepInfo *stepinfo))
EMU_UNSUPPORTED_PTR(void *, aclprofCreateStamp, (void))
EMU_UNSUPPORTED_VOID(aclprofDestroyStamp, (void *stamp))
EMU_UNSUPPORTED(aclprofPush, (void *stamp))
EMU_UNSUPPORTED(aclprofPop, (void))
EMU_UNSUPPORTED(aclprofRangeStart, (void *stamp, uint32_t *rangeId))
EMU_UNSUPPORTED(aclprofRangeStop, (uint32_t rangeId))
EMU_UNSUPPORTED(aclprofSetStampTraceMessage, (void *stamp, const char *msg, uint32_t msgLen))
EMU_UNSUPPORTED(aclprofMark, (void *stamp))
EMU_UNSUPPORTED(aclprofMarkEx, (const char *msg, size_t msgLen, aclrtStream stream))
EMU_UNSUPPORTED_VALUE(uint64_t, 0, aclprofStr2Id, (const char *message))
EMU_UNSUPPORTED(aclprofRangePushEx, (aclprofEventAttributes *attr))
EMU_UNSUPPORTED(aclprofRangePop, (void))
