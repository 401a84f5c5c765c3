/*
 * unsupported_rt.c - the functions of the vendor's acl_rt.h that the
 * emulated device cannot honour, exported with their exact signatures so
 * that every program written against those headers links.  Each answers its
 * failure value (ACL_ERROR_FEATURE_UNSUPPORTED, NULL, or 0xFFFFFFFF from the
 * aclrtGet*FromExceptionInfo getters, as the vendor answers for a NULL
 * exception info) and writes one line on stderr the first time a process
 * calls it: the rule of shim/unsupported.h.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "shim/unsupported.h"

EMU_UNSUPPORTED(aclFinalizeReference, (uint64_t *refCount))
EMU_UNSUPPORTED(aclsysGetCANNVersion, (aclCANNPackageName name, aclCANNPackageVersion *version))
EMU_UNSUPPORTED(aclsysGetVersionStr, (char *pkgName, char *versionStr))
EMU_UNSUPPORTED(aclsysGetVersionNum, (char *pkgName, int32_t *versionNum))
EMU_UNSUPPORTED(aclrtPeekAtLastError, (aclrtLastErrLevel level))
EMU_UNSUPPORTED(aclrtGetLastError, (aclrtLastErrLevel level))
EMU_UNSUPPORTED(aclrtSetExceptionInfoCallback, (aclrtExceptionInfoCallback callback))
EMU_UNSUPPORTED(aclrtExceptionInfoCallbackRegister, (aclrtExceptionInfoCallback callback))
EMU_UNSUPPORTED(aclrtExceptionInfoCallbackUnregister, (aclrtExceptionInfoCallback callback))
EMU_UNSUPPORTED_VALUE(uint32_t, 0xFFFFFFFFU, aclrtGetTaskIdFromExceptionInfo, (const aclrtExceptionInfo *info))
EMU_UNSUPPORTED_VALUE(uint32_t, 0xFFFFFFFFU, aclrtGetStreamIdFromExceptionInfo, (const aclrtExceptionInfo *info))
EMU_UNSUPPORTED_VALUE(uint32_t, 0xFFFFFFFFU, aclrtGetThreadIdFromExceptionInfo, (const aclrtExceptionInfo *info))
EMU_UNSUPPORTED_VALUE(uint32_t, 0xFFFFFFFFU, aclrtGetDeviceIdFromExceptionInfo, (const aclrtExceptionInfo *info))
EMU_UNSUPPORTED_VALUE(uint32_t, 0xFFFFFFFFU, aclrtGetErrorCodeFromExceptionInfo, (const aclrtExceptionInfo *info))
EMU_UNSUPPORTED(aclrtGetArgsFromExceptionInfo, (const aclrtExceptionInfo *info, void **devArgsPtr,
                                                uint32_t *devArgsLen))
EMU_UNSUPPORTED(aclrtGetFuncHandleFromExceptionInfo, (const aclrtExceptionInfo *info, aclrtFuncHandle *func))
EMU_UNSUPPORTED(aclrtBinarySetExceptionCallback, (aclrtBinHandle binHandle, aclrtOpExceptionCallback callback,
                                                  void *userData))
EMU_UNSUPPORTED(aclrtCtxGetSysParamOpt, (aclSysParamOpt opt, int64_t *value))
EMU_UNSUPPORTED(aclrtCtxSetSysParamOpt, (aclSysParamOpt opt, int64_t value))
EMU_UNSUPPORTED(aclrtGetSysParamOpt, (aclSysParamOpt opt, int64_t *value))
EMU_UNSUPPORTED(aclrtSetSysParamOpt, (aclSysParamOpt opt, int64_t value))
EMU_UNSUPPORTED(aclrtSetStreamFailureMode, (aclrtStream stream, uint64_t mode))
EMU_UNSUPPORTED(aclrtSynchronizeDeviceWithTimeout, (int32_t timeout))
EMU_UNSUPPORTED(aclrtSetTsDevice, (aclrtTsId tsId))
EMU_UNSUPPORTED(aclrtGetDeviceUtilizationRate, (int32_t deviceId, aclrtUtilizationInfo *utilizationInfo))
EMU_UNSUPPORTED(aclrtCreateEvent, (aclrtEvent *event))
EMU_UNSUPPORTED(aclrtCreateEventWithFlag, (aclrtEvent *event, uint32_t flag))
EMU_UNSUPPORTED(aclrtCreateEventExWithFlag, (aclrtEvent *event, uint32_t flag))
EMU_UNSUPPORTED(aclrtDestroyEvent, (aclrtEvent event))
EMU_UNSUPPORTED(aclrtRecordEvent, (aclrtEvent event, aclrtStream stream))
EMU_UNSUPPORTED(aclrtRecordEventWithFlag, (aclrtEvent event, aclrtStream stream, uint32_t flag))
EMU_UNSUPPORTED(aclrtResetEvent, (aclrtEvent event, aclrtStream stream))
EMU_UNSUPPORTED(aclrtQueryEvent, (aclrtEvent event, aclrtEventStatus *status))
EMU_UNSUPPORTED(aclrtQueryEventStatus, (aclrtEvent event, aclrtEventRecordedStatus *status))
EMU_UNSUPPORTED(aclrtQueryEventWaitStatus, (aclrtEvent event, aclrtEventWaitStatus *status))
EMU_UNSUPPORTED(aclrtSynchronizeEvent, (aclrtEvent event))
EMU_UNSUPPORTED(aclrtSynchronizeEventWithTimeout, (aclrtEvent event, int32_t timeout))
EMU_UNSUPPORTED(aclrtEventElapsedTime, (float *ms, aclrtEvent startEvent, aclrtEvent endEvent))
EMU_UNSUPPORTED(aclrtEventGetTimestamp, (aclrtEvent event, uint64_t *timestamp))
EMU_UNSUPPORTED(aclrtMallocWithCfg, (void **devPtr, size_t size, aclrtMemMallocPolicy policy, aclrtMallocConfig *cfg))
EMU_UNSUPPORTED(aclrtMallocForTaskScheduler, (void **devPtr, size_t size, aclrtMemMallocPolicy policy,
                                              aclrtMallocConfig *cfg))
EMU_UNSUPPORTED(aclrtMallocHostWithCfg, (void **ptr, uint64_t size, aclrtMallocConfig *cfg))
EMU_UNSUPPORTED(aclrtPointerGetAttributes, (const void *ptr, aclrtPtrAttributes *attributes))
EMU_UNSUPPORTED(aclrtMemManagedGetAttr, (aclrtMemManagedRangeAttribute attribute, const void *ptr, size_t size,
                                         void *data, size_t dataSize))
EMU_UNSUPPORTED(aclrtMemManagedGetAttrs, (aclrtMemManagedRangeAttribute *attributes, size_t numAttributes,
                                          const void *ptr, size_t size, void **data, size_t *dataSizes))
EMU_UNSUPPORTED(aclrtHostRegister, (void *ptr, uint64_t size, aclrtHostRegisterType type, void **devPtr))
EMU_UNSUPPORTED(aclrtHostRegisterV2, (void *ptr, uint64_t size, uint32_t flag))
EMU_UNSUPPORTED(aclrtHostGetDevicePointer, (void *pHost, void **pDevice, uint32_t flag))
EMU_UNSUPPORTED(aclrtHostUnregister, (void *ptr))
EMU_UNSUPPORTED(aclrtHostMemMapCapabilities, (uint32_t deviceId, aclrtHacType hacType,
                                              aclrtHostMemMapCapability *capabilities))
EMU_UNSUPPORTED(aclrtGetThreadLastTaskId, (uint32_t *taskId))
EMU_UNSUPPORTED(aclrtMemAllocManaged, (void **ptr, uint64_t size, uint32_t flag))
EMU_UNSUPPORTED(aclrtMemsetD32, (void *ptr, size_t memSize, uint32_t value, size_t N))
EMU_UNSUPPORTED(aclrtMemsetD32Async, (void *ptr, size_t memSize, uint32_t value, size_t N, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemcpyAsyncWithCondition, (void *dst, size_t destMax, const void *src, size_t count,
                                                aclrtMemcpyKind kind, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemcpy2d, (void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height,
                                aclrtMemcpyKind kind))
EMU_UNSUPPORTED(aclrtMemcpy2dAsync, (void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                                     size_t height, aclrtMemcpyKind kind, aclrtStream stream))
EMU_UNSUPPORTED(aclrtGetSymbolAddress, (const void *symbol, void **devPtr))
EMU_UNSUPPORTED(aclrtGetSymbolSize, (const void *symbol, size_t *size))
EMU_UNSUPPORTED(aclrtMemcpyFromSymbol, (void *dst, size_t dstMax, const void *symbol, size_t count, size_t offset,
                                        aclrtMemcpyKind kind))
EMU_UNSUPPORTED(aclrtMemcpyFromSymbolAsync, (void *dst, size_t dstMax, const void *symbol, size_t count, size_t offset,
                                             aclrtMemcpyKind kind, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemcpyToSymbol, (const void *symbol, const void *src, size_t count, size_t offset,
                                      aclrtMemcpyKind kind))
EMU_UNSUPPORTED(aclrtMemcpyToSymbolAsync, (const void *symbol, const void *src, size_t count, size_t offset,
                                           aclrtMemcpyKind kind, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemsetAsync, (void *devPtr, size_t maxCount, int32_t value, size_t count, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemManagedAdvise, (const void *const ptr, uint64_t size, aclrtMemManagedAdviseType advise,
                                        aclrtMemManagedLocation location))
EMU_UNSUPPORTED(aclrtReserveMemAddress, (void **virPtr, size_t size, size_t alignment, void *expectPtr, uint64_t flags))
EMU_UNSUPPORTED(aclrtReleaseMemAddress, (void *virPtr))
EMU_UNSUPPORTED(aclrtMallocPhysical, (aclrtDrvMemHandle *handle, size_t size, const aclrtPhysicalMemProp *prop,
                                      uint64_t flags))
EMU_UNSUPPORTED(aclrtFreePhysical, (aclrtDrvMemHandle handle))
EMU_UNSUPPORTED(aclrtMapMem, (void *virPtr, size_t size, size_t offset, aclrtDrvMemHandle handle, uint64_t flags))
EMU_UNSUPPORTED(aclrtUnmapMem, (void *virPtr))
EMU_UNSUPPORTED(aclrtMemMapNoAccess, (void *virPtr, size_t size, size_t offset, aclrtDrvMemHandle handle,
                                      uint64_t flags))
EMU_UNSUPPORTED_PTR(aclrtStreamConfigHandle *, aclrtCreateStreamConfigHandle, (void))
EMU_UNSUPPORTED(aclrtDestroyStreamConfigHandle, (aclrtStreamConfigHandle *handle))
EMU_UNSUPPORTED(aclrtSetStreamConfigOpt, (aclrtStreamConfigHandle *handle, aclrtStreamConfigAttr attr,
                                          const void *attrValue, size_t valueSize))
EMU_UNSUPPORTED(aclrtCreateStreamV2, (aclrtStream *stream, const aclrtStreamConfigHandle *handle))
EMU_UNSUPPORTED(aclrtCreateStreamWithConfig, (aclrtStream *stream, uint32_t priority, uint32_t flag))
EMU_UNSUPPORTED(aclrtSynchronizeStreamWithTimeout, (aclrtStream stream, int32_t timeout))
EMU_UNSUPPORTED(aclrtStreamQuery, (aclrtStream stream, aclrtStreamStatus *status))
EMU_UNSUPPORTED(aclrtStreamGetPriority, (aclrtStream stream, uint32_t *priority))
EMU_UNSUPPORTED(aclrtStreamGetFlags, (aclrtStream stream, uint32_t *flags))
EMU_UNSUPPORTED(aclrtStreamWaitEvent, (aclrtStream stream, aclrtEvent event))
EMU_UNSUPPORTED(aclrtStreamWaitEventWithFlag, (aclrtStream stream, aclrtEvent event, uint32_t timeout, uint32_t flag))
EMU_UNSUPPORTED(aclrtStreamWaitEventWithTimeout, (aclrtStream stream, aclrtEvent event, int32_t timeout))
EMU_UNSUPPORTED(aclrtSetGroup, (int32_t groupId))
EMU_UNSUPPORTED(aclrtGetGroupCount, (uint32_t *count))
EMU_UNSUPPORTED_PTR(aclrtGroupInfo *, aclrtCreateGroupInfo, (void))
EMU_UNSUPPORTED(aclrtDestroyGroupInfo, (aclrtGroupInfo *groupInfo))
EMU_UNSUPPORTED(aclrtGetAllGroupInfo, (aclrtGroupInfo *groupInfo))
EMU_UNSUPPORTED(aclrtGetGroupInfoDetail, (const aclrtGroupInfo *groupInfo, int32_t groupIndex, aclrtGroupAttr attr,
                                          void *attrValue, size_t valueLen, size_t *paramRetSize))
EMU_UNSUPPORTED(aclrtDeviceCanAccessPeer, (int32_t *canAccessPeer, int32_t deviceId, int32_t peerDeviceId))
EMU_UNSUPPORTED(aclrtDeviceEnablePeerAccess, (int32_t peerDeviceId, uint32_t flags))
EMU_UNSUPPORTED(aclrtDeviceDisablePeerAccess, (int32_t peerDeviceId))
EMU_UNSUPPORTED(aclrtGetMemUsageInfo, (int32_t deviceId, aclrtMemUsageInfo *memUsageInfo, size_t inputNum,
                                       size_t *outputNum))
EMU_UNSUPPORTED(aclrtSetOpWaitTimeout, (uint32_t timeout))
EMU_UNSUPPORTED(aclrtSetOpExecuteTimeOut, (uint32_t timeout))
EMU_UNSUPPORTED(aclrtSetOpExecuteTimeOutWithMs, (uint32_t timeout))
EMU_UNSUPPORTED(aclrtSetOpExecuteTimeOutV2, (uint64_t timeout, uint64_t *actualTimeout))
EMU_UNSUPPORTED(aclrtGetOpTimeOutInterval, (uint64_t *interval))
EMU_UNSUPPORTED(aclrtSetStreamOverflowSwitch, (aclrtStream stream, uint32_t flag))
EMU_UNSUPPORTED(aclrtGetStreamOverflowSwitch, (aclrtStream stream, uint32_t *flag))
EMU_UNSUPPORTED(aclrtSetDeviceSatMode, (aclrtFloatOverflowMode mode))
EMU_UNSUPPORTED(aclrtGetDeviceSatMode, (aclrtFloatOverflowMode *mode))
EMU_UNSUPPORTED(aclrtGetOverflowStatus, (void *outputAddr, size_t outputSize, aclrtStream stream))
EMU_UNSUPPORTED(aclrtResetOverflowStatus, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtSubscribeHostFunc, (uint64_t hostFuncThreadId, aclrtStream exeStream))
EMU_UNSUPPORTED(aclrtProcessHostFunc, (int32_t timeout))
EMU_UNSUPPORTED(aclrtUnSubscribeHostFunc, (uint64_t hostFuncThreadId, aclrtStream exeStream))
EMU_UNSUPPORTED(aclrtQueryDeviceStatus, (int32_t deviceId, aclrtDeviceStatus *deviceStatus))
EMU_UNSUPPORTED_PTR(aclrtBinary, aclrtCreateBinary, (const void *data, size_t dataLen))
EMU_UNSUPPORTED(aclrtDestroyBinary, (aclrtBinary binary))
EMU_UNSUPPORTED(aclrtBinaryLoad, (const aclrtBinary binary, aclrtBinHandle *binHandle))
EMU_UNSUPPORTED(aclrtBinaryUnLoad, (aclrtBinHandle binHandle))
EMU_UNSUPPORTED(aclrtBinaryGetFunction, (const aclrtBinHandle binHandle, const char *kernelName,
                                         aclrtFuncHandle *funcHandle))
EMU_UNSUPPORTED(aclrtLaunchKernel, (aclrtFuncHandle funcHandle, uint32_t numBlocks, const void *argsData,
                                    size_t argsSize, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemExportToShareableHandle, (aclrtDrvMemHandle handle, aclrtMemHandleType handleType,
                                                  uint64_t flags, uint64_t *shareableHandle))
EMU_UNSUPPORTED(aclrtMemExportToShareableHandleV2, (aclrtDrvMemHandle handle, uint64_t flags,
                                                    aclrtMemSharedHandleType shareType, void *shareableHandle))
EMU_UNSUPPORTED(aclrtMemImportFromShareableHandle, (uint64_t shareableHandle, int32_t deviceId,
                                                    aclrtDrvMemHandle *handle))
EMU_UNSUPPORTED(aclrtMemImportFromShareableHandleV2, (void *shareableHandle, aclrtMemSharedHandleType shareType,
                                                      uint64_t flags, aclrtDrvMemHandle *handle))
EMU_UNSUPPORTED(aclrtMemSetPidToShareableHandle, (uint64_t shareableHandle, int32_t *pid, size_t pidNum))
EMU_UNSUPPORTED(aclrtMemSetPidToShareableHandleV2, (void *shareableHandle, aclrtMemSharedHandleType shareType,
                                                    int32_t *pid, size_t pidNum))
EMU_UNSUPPORTED(aclrtMemGetAllocationGranularity, (aclrtPhysicalMemProp *prop, aclrtMemGranularityOptions option,
                                                   size_t *granularity))
EMU_UNSUPPORTED(aclrtDeviceGetBareTgid, (int32_t *pid))
EMU_UNSUPPORTED(aclrtCmoAsync, (void *src, size_t size, aclrtCmoType cmoType, aclrtStream stream))
EMU_UNSUPPORTED(aclrtGetMemUceInfo, (int32_t deviceId, aclrtMemUceInfo *memUceInfoArray, size_t arraySize,
                                     size_t *retSize))
EMU_UNSUPPORTED(aclrtDeviceTaskAbort, (int32_t deviceId, uint32_t timeout))
EMU_UNSUPPORTED(aclrtMemUceRepair, (int32_t deviceId, aclrtMemUceInfo *memUceInfoArray, size_t arraySize))
EMU_UNSUPPORTED(aclrtStreamAbort, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtBinaryLoadFromFile, (const char *binPath, aclrtBinaryLoadOptions *options,
                                          aclrtBinHandle *binHandle))
EMU_UNSUPPORTED(aclrtBinaryGetDevAddress, (const aclrtBinHandle binHandle, void **binAddr, size_t *binSize))
EMU_UNSUPPORTED(aclrtBinaryGetFunctionByEntry, (aclrtBinHandle binHandle, uint64_t funcEntry,
                                                aclrtFuncHandle *funcHandle))
EMU_UNSUPPORTED(aclrtBinaryGetGlobal, (aclrtBinHandle binHandle, const char *name, void **dptr, size_t *size))
EMU_UNSUPPORTED(aclrtGetFuncBySymbol, (const void *symbol, aclrtFuncHandle *funcHandle))
EMU_UNSUPPORTED(aclrtGetFunctionAddr, (aclrtFuncHandle funcHandle, void **aicAddr, void **aivAddr))
EMU_UNSUPPORTED(aclrtGetFunctionSize, (aclrtFuncHandle funcHandle, size_t *aicSize, size_t *aivSize))
EMU_UNSUPPORTED(aclrtGetMemcpyDescSize, (aclrtMemcpyKind kind, size_t *descSize))
EMU_UNSUPPORTED(aclrtSetMemcpyDesc, (void *desc, aclrtMemcpyKind kind, void *srcAddr, void *dstAddr, size_t count,
                                     void *config))
EMU_UNSUPPORTED(aclrtMemcpyAsyncWithOffset, (void **dst, size_t destMax, size_t dstDataOffset, const void **src,
                                             size_t count, size_t srcDataOffset, aclrtMemcpyKind kind,
                                             aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemcpyAsyncWithDesc, (void *desc, aclrtMemcpyKind kind, aclrtStream stream))
EMU_UNSUPPORTED(aclrtKernelArgsGetHandleMemSize, (aclrtFuncHandle funcHandle, size_t *memSize))
EMU_UNSUPPORTED(aclrtKernelArgsGetMemSize, (aclrtFuncHandle funcHandle, size_t userArgsSize, size_t *actualArgsSize))
EMU_UNSUPPORTED(aclrtKernelArgsInit, (aclrtFuncHandle funcHandle, aclrtArgsHandle *argsHandle))
EMU_UNSUPPORTED(aclrtKernelArgsInitByUserMem, (aclrtFuncHandle funcHandle, aclrtArgsHandle argsHandle,
                                               void *userHostMem, size_t actualArgsSize))
EMU_UNSUPPORTED(aclrtKernelArgsAppend, (aclrtArgsHandle argsHandle, void *param, size_t paramSize,
                                        aclrtParamHandle *paramHandle))
EMU_UNSUPPORTED(aclrtKernelArgsAppendPlaceHolder, (aclrtArgsHandle argsHandle, aclrtParamHandle *paramHandle))
EMU_UNSUPPORTED(aclrtKernelArgsGetPlaceHolderBuffer, (aclrtArgsHandle argsHandle, aclrtParamHandle paramHandle,
                                                      size_t dataSize, void **bufferAddr))
EMU_UNSUPPORTED(aclrtKernelArgsParaUpdate, (aclrtArgsHandle argsHandle, aclrtParamHandle paramHandle, void *param,
                                            size_t paramSize))
EMU_UNSUPPORTED(aclrtLaunchKernelWithConfig, (aclrtFuncHandle funcHandle, uint32_t numBlocks, aclrtStream stream,
                                              aclrtLaunchKernelCfg *cfg, aclrtArgsHandle argsHandle, void *reserve))
EMU_UNSUPPORTED(aclmdlRITaskGetParams, (aclmdlRITask task, aclmdlRITaskParams *params))
EMU_UNSUPPORTED(aclmdlRITaskSetParams, (aclmdlRITask task, aclmdlRITaskParams *params))
EMU_UNSUPPORTED(aclmdlRIKernelTaskGetAttribute, (aclmdlRITask task, aclrtLaunchKernelAttrId attrId,
                                                 aclrtLaunchKernelAttrValue *attrValue))
EMU_UNSUPPORTED(aclmdlRIUpdate, (aclmdlRI modelRI))
EMU_UNSUPPORTED(aclmdlRITaskDisable, (aclmdlRITask task))
EMU_UNSUPPORTED(aclrtKernelArgsFinalize, (aclrtArgsHandle argsHandle))
EMU_UNSUPPORTED(aclrtValueWrite, (void *devAddr, uint64_t value, uint32_t flag, aclrtStream stream))
EMU_UNSUPPORTED(aclrtValueWait, (void *devAddr, uint64_t value, uint32_t flag, aclrtStream stream))
EMU_UNSUPPORTED(aclrtGetStreamAvailableNum, (uint32_t *streamCount))
EMU_UNSUPPORTED(aclrtSetStreamAttribute, (aclrtStream stream, aclrtStreamAttr stmAttrType, aclrtStreamAttrValue *value))
EMU_UNSUPPORTED(aclrtGetStreamAttribute, (aclrtStream stream, aclrtStreamAttr stmAttrType, aclrtStreamAttrValue *value))
EMU_UNSUPPORTED(aclrtCreateNotify, (aclrtNotify *notify, uint64_t flag))
EMU_UNSUPPORTED(aclrtDestroyNotify, (aclrtNotify notify))
EMU_UNSUPPORTED(aclrtCntNotifyCreate, (aclrtCntNotify *cntNotify, uint64_t flag))
EMU_UNSUPPORTED(aclrtCntNotifyDestroy, (aclrtCntNotify cntNotify))
EMU_UNSUPPORTED(aclrtRecordNotify, (aclrtNotify notify, aclrtStream stream))
EMU_UNSUPPORTED(aclrtWaitAndResetNotify, (aclrtNotify notify, aclrtStream stream, uint32_t timeout))
EMU_UNSUPPORTED(aclrtGetNotifyId, (aclrtNotify notify, uint32_t *notifyId))
EMU_UNSUPPORTED(aclrtGetEventId, (aclrtEvent event, uint32_t *eventId))
EMU_UNSUPPORTED(aclrtGetEventAvailNum, (uint32_t *eventCount))
EMU_UNSUPPORTED(aclrtGetDeviceInfo, (uint32_t deviceId, aclrtDevAttr attr, int64_t *value))
EMU_UNSUPPORTED(aclrtDeviceGetStreamPriorityRange, (int32_t *leastPriority, int32_t *greatestPriority))
EMU_UNSUPPORTED(aclrtGetDeviceCapability, (int32_t deviceId, aclrtDevFeatureType devFeatureType, int32_t *value))
EMU_UNSUPPORTED(aclrtDeviceGetUuid, (int32_t deviceId, aclrtUuid *uuid))
EMU_UNSUPPORTED(aclrtDeviceSetLimit, (aclrtDeviceLimit limit, size_t value))
EMU_UNSUPPORTED(aclrtDeviceGetLimit, (aclrtDeviceLimit limit, size_t *value))
EMU_UNSUPPORTED(aclrtDeviceGetPCIBusId, (int32_t deviceId, char *pciBusId, int32_t len))
EMU_UNSUPPORTED(aclrtDeviceGetByPCIBusId, (const char *pciBusId, int32_t *deviceId))
EMU_UNSUPPORTED(aclrtDeviceGetHostAtomicCapabilities, (uint32_t *capabilities, const aclrtAtomicOperation *operations,
                                                       const uint32_t count, int32_t deviceId))
EMU_UNSUPPORTED(aclrtDeviceGetP2PAtomicCapabilities, (uint32_t *capabilities, const aclrtAtomicOperation *operations,
                                                      const uint32_t count, int32_t srcDeviceId, int32_t dstDeviceId))
EMU_UNSUPPORTED(aclrtCtxGetCurrentDefaultStream, (aclrtStream *stream))
EMU_UNSUPPORTED(aclrtGetPrimaryCtxState, (int32_t deviceId, uint32_t *flags, int32_t *active))
EMU_UNSUPPORTED(aclrtReduceAsync, (void *dst, const void *src, uint64_t count, aclrtReduceKind kind, aclDataType type,
                                   aclrtStream stream, void *reserve))
EMU_UNSUPPORTED(aclrtGetDeviceResLimit, (int32_t deviceId, aclrtDevResLimitType type, uint32_t *value))
EMU_UNSUPPORTED(aclrtSetDeviceResLimit, (int32_t deviceId, aclrtDevResLimitType type, uint32_t value))
EMU_UNSUPPORTED(aclrtResetDeviceResLimit, (int32_t deviceId))
EMU_UNSUPPORTED(aclrtGetStreamResLimit, (aclrtStream stream, aclrtDevResLimitType type, uint32_t *value))
EMU_UNSUPPORTED(aclrtSetStreamResLimit, (aclrtStream stream, aclrtDevResLimitType type, uint32_t value))
EMU_UNSUPPORTED(aclrtResetStreamResLimit, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtUseStreamResInCurrentThread, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtUnuseStreamResInCurrentThread, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtGetResInCurrentThread, (aclrtDevResLimitType type, uint32_t *value))
EMU_UNSUPPORTED(aclrtCreateLabel, (aclrtLabel *label))
EMU_UNSUPPORTED(aclrtSetLabel, (aclrtLabel label, aclrtStream stream))
EMU_UNSUPPORTED(aclrtDestroyLabel, (aclrtLabel label))
EMU_UNSUPPORTED(aclrtCreateLabelList, (aclrtLabel *labels, size_t num, aclrtLabelList *labelList))
EMU_UNSUPPORTED(aclrtDestroyLabelList, (aclrtLabelList labelList))
EMU_UNSUPPORTED(aclrtSwitchLabelByIndex, (void *ptr, uint32_t maxValue, aclrtLabelList labelList, aclrtStream stream))
EMU_UNSUPPORTED(aclrtActiveStream, (aclrtStream activeStream, aclrtStream stream))
EMU_UNSUPPORTED(aclrtSwitchStream, (void *leftValue, aclrtCondition cond, void *rightValue,
                                    aclrtCompareDataType dataType, aclrtStream trueStream, aclrtStream falseStream,
                                    aclrtStream stream))
EMU_UNSUPPORTED(aclrtGetFunctionName, (aclrtFuncHandle funcHandle, uint32_t maxLen, char *name))
EMU_UNSUPPORTED(aclrtGetBufFromChain, (aclrtMbuf headBuf, uint32_t index, aclrtMbuf *buf))
EMU_UNSUPPORTED(aclrtGetBufChainNum, (aclrtMbuf headBuf, uint32_t *num))
EMU_UNSUPPORTED(aclrtAppendBufChain, (aclrtMbuf headBuf, aclrtMbuf buf))
EMU_UNSUPPORTED(aclrtCopyBufRef, (const aclrtMbuf buf, aclrtMbuf *newBuf))
EMU_UNSUPPORTED(aclrtGetBufUserData, (const aclrtMbuf buf, void *dataPtr, size_t size, size_t offset))
EMU_UNSUPPORTED(aclrtSetBufUserData, (aclrtMbuf buf, const void *dataPtr, size_t size, size_t offset))
EMU_UNSUPPORTED(aclrtGetBufData, (const aclrtMbuf buf, void **dataPtr, size_t *size))
EMU_UNSUPPORTED(aclrtGetBufDataLen, (aclrtMbuf buf, size_t *len))
EMU_UNSUPPORTED(aclrtSetBufDataLen, (aclrtMbuf buf, size_t len))
EMU_UNSUPPORTED(aclrtFreeBuf, (aclrtMbuf buf))
EMU_UNSUPPORTED(aclrtAllocBuf, (aclrtMbuf *buf, size_t size))
EMU_UNSUPPORTED(aclrtBinaryLoadFromData, (const void *data, size_t length, const aclrtBinaryLoadOptions *options,
                                          aclrtBinHandle *binHandle))
EMU_UNSUPPORTED(aclrtRegisterCpuFunc, (const aclrtBinHandle handle, const char *funcName, const char *kernelName,
                                       aclrtFuncHandle *funcHandle))
EMU_UNSUPPORTED(aclrtCmoAsyncWithBarrier, (void *src, size_t size, aclrtCmoType cmoType, uint32_t barrierId,
                                           aclrtStream stream))
EMU_UNSUPPORTED(aclrtCmoWaitBarrier, (aclrtBarrierTaskInfo *taskInfo, aclrtStream stream, uint32_t flag))
EMU_UNSUPPORTED(aclrtGetDevicesTopo, (uint32_t deviceId, uint32_t otherDeviceId, uint64_t *value))
EMU_UNSUPPORTED(aclrtMemcpyBatch, (void **dsts, size_t *destMaxs, void **srcs, size_t *sizes, size_t numBatches,
                                   aclrtMemcpyBatchAttr *attrs, size_t *attrsIndexes, size_t numAttrs,
                                   size_t *failIndex))
EMU_UNSUPPORTED(aclrtMemcpyBatchV2, (void **dsts, size_t *destMaxs, void **srcs, size_t *sizes, size_t numBatches,
                                     aclrtMemcpyBatchAttr *attrs, size_t *attrsIndexes, size_t numAttrs))
EMU_UNSUPPORTED(aclrtMemcpyBatchAsync, (void **dsts, size_t *destMaxs, void **srcs, size_t *sizes, size_t numBatches,
                                        aclrtMemcpyBatchAttr *attrs, size_t *attrsIndexes, size_t numAttrs,
                                        size_t *failIndex, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemcpyBatchAsyncV2, (void **dsts, size_t *destMaxs, void **srcs, size_t *sizes, size_t numBatches,
                                          aclrtMemcpyBatchAttr *attrs, size_t *attrsIndexes, size_t numAttrs,
                                          aclrtStream stream))
EMU_UNSUPPORTED(aclrtIpcMemGetExportKey, (void *devPtr, size_t size, char *key, size_t len, uint64_t flags))
EMU_UNSUPPORTED(aclrtIpcMemClose, (const char *key))
EMU_UNSUPPORTED(aclrtIpcMemImportByKey, (void **devPtr, const char *key, uint64_t flags))
EMU_UNSUPPORTED(aclrtIpcMemSetImportPid, (const char *key, int32_t *pid, size_t num))
EMU_UNSUPPORTED(aclrtIpcMemSetAttr, (const char *key, aclrtIpcMemAttrType type, uint64_t attr))
EMU_UNSUPPORTED(aclrtIpcMemImportPidInterServer, (const char *key, aclrtServerPid *serverPids, size_t num))
EMU_UNSUPPORTED(aclrtNotifyBatchReset, (aclrtNotify *notifies, size_t num))
EMU_UNSUPPORTED(aclrtNotifyGetExportKey, (aclrtNotify notify, char *key, size_t len, uint64_t flags))
EMU_UNSUPPORTED(aclrtNotifyImportByKey, (aclrtNotify *notify, const char *key, uint64_t flags))
EMU_UNSUPPORTED(aclrtNotifySetImportPid, (aclrtNotify notify, int32_t *pid, size_t num))
EMU_UNSUPPORTED(aclrtNotifySetImportPidInterServer, (aclrtNotify notify, aclrtServerPid *serverPids, size_t num))
EMU_UNSUPPORTED(aclmdlRICaptureBegin, (aclrtStream stream, aclmdlRICaptureMode mode))
EMU_UNSUPPORTED(aclmdlRICaptureGetInfo, (aclrtStream stream, aclmdlRICaptureStatus *status, aclmdlRI *modelRI))
EMU_UNSUPPORTED(aclmdlRICaptureEnd, (aclrtStream stream, aclmdlRI *modelRI))
EMU_UNSUPPORTED(aclmdlRIDebugPrint, (aclmdlRI modelRI))
EMU_UNSUPPORTED(aclmdlRIDebugJsonPrint, (aclmdlRI modelRI, const char *path, uint32_t flags))
EMU_UNSUPPORTED(aclmdlRICaptureThreadExchangeMode, (aclmdlRICaptureMode *mode))
EMU_UNSUPPORTED(aclmdlRIExecuteAsync, (aclmdlRI modelRI, aclrtStream stream))
EMU_UNSUPPORTED(aclmdlRIExecute, (aclmdlRI modelRI, int32_t timeout))
EMU_UNSUPPORTED(aclmdlRIDestroy, (aclmdlRI modelRI))
EMU_UNSUPPORTED(aclmdlRICaptureTaskGrpBegin, (aclrtStream stream))
EMU_UNSUPPORTED(aclmdlRICaptureTaskGrpEnd, (aclrtStream stream, aclrtTaskGrp *handle))
EMU_UNSUPPORTED(aclmdlRICaptureTaskUpdateBegin, (aclrtStream stream, aclrtTaskGrp handle))
EMU_UNSUPPORTED(aclmdlRICaptureTaskUpdateEnd, (aclrtStream stream))
EMU_UNSUPPORTED(aclmdlRIBuildBegin, (aclmdlRI *modelRI, uint32_t flag))
EMU_UNSUPPORTED(aclmdlRIBindStream, (aclmdlRI modelRI, aclrtStream stream, uint32_t flag))
EMU_UNSUPPORTED(aclmdlRIEndTask, (aclmdlRI modelRI, aclrtStream stream))
EMU_UNSUPPORTED(aclmdlRIBuildEnd, (aclmdlRI modelRI, void *reserve))
EMU_UNSUPPORTED(aclmdlRIUnbindStream, (aclmdlRI modelRI, aclrtStream stream))
EMU_UNSUPPORTED(aclmdlRISetName, (aclmdlRI modelRI, const char *name))
EMU_UNSUPPORTED(aclmdlRIGetName, (aclmdlRI modelRI, uint32_t maxLen, char *name))
EMU_UNSUPPORTED(aclmdlRIGetId, (aclmdlRI modelRI, uint32_t *modelRIId))
EMU_UNSUPPORTED(aclmdlRIDestroyRegisterCallback, (aclmdlRI modelRI, aclrtCallback func, void *userData))
EMU_UNSUPPORTED(aclmdlRIDestroyUnregisterCallback, (aclmdlRI modelRI, aclrtCallback func))
EMU_UNSUPPORTED(aclmdlInitDump, (void))
EMU_UNSUPPORTED(aclmdlSetDump, (const char *dumpCfgPath))
EMU_UNSUPPORTED(aclmdlFinalizeDump, (void))
EMU_UNSUPPORTED(aclmdlRIGetStreams, (aclmdlRI modelRI, aclrtStream *streams, uint32_t *numStreams))
EMU_UNSUPPORTED(aclmdlRIGetTasksByStream, (aclrtStream stream, aclmdlRITask *tasks, uint32_t *numTasks))
EMU_UNSUPPORTED(aclmdlRITaskGetType, (aclmdlRITask task, aclmdlRITaskType *type))
EMU_UNSUPPORTED(aclmdlRITaskGetSeqId, (aclmdlRITask task, uint32_t *id))
EMU_UNSUPPORTED(aclInitCallbackRegister, (aclRegisterCallbackType type, aclInitCallbackFunc cbFunc, void *userData))
EMU_UNSUPPORTED(aclInitCallbackUnRegister, (aclRegisterCallbackType type, aclInitCallbackFunc cbFunc))
EMU_UNSUPPORTED(aclFinalizeCallbackRegister, (aclRegisterCallbackType type, aclFinalizeCallbackFunc cbFunc,
                                              void *userData))
EMU_UNSUPPORTED(aclFinalizeCallbackUnRegister, (aclRegisterCallbackType type, aclFinalizeCallbackFunc cbFunc))
EMU_UNSUPPORTED(aclrtCheckMemType, (void **addrList, uint32_t size, uint32_t memType, uint32_t *checkResult,
                                    uint32_t reserve))
EMU_UNSUPPORTED(aclrtGetLogicDevIdByUserDevId, (const int32_t userDevid, int32_t *const logicDevId))
EMU_UNSUPPORTED(aclrtGetUserDevIdByLogicDevId, (const int32_t logicDevId, int32_t *const userDevid))
EMU_UNSUPPORTED(aclrtGetLogicDevIdByPhyDevId, (const int32_t phyDevId, int32_t *const logicDevId))
EMU_UNSUPPORTED(aclrtGetPhyDevIdByLogicDevId, (const int32_t logicDevId, int32_t *const phyDevId))
EMU_UNSUPPORTED(aclrtGetUserDevIdByPhyDevId, (const int32_t phyDevId, int32_t *const userDevId))
EMU_UNSUPPORTED(aclrtGetPhyDevIdByUserDevId, (const int32_t userDevId, int32_t *const phyDevId))
EMU_UNSUPPORTED(aclrtProfTrace, (void *userdata, int32_t length, aclrtStream stream))
EMU_UNSUPPORTED(aclrtLaunchKernelV2, (aclrtFuncHandle funcHandle, uint32_t numBlocks, const void *argsData,
                                      size_t argsSize, aclrtLaunchKernelCfg *cfg, aclrtStream stream))
EMU_UNSUPPORTED(aclrtLaunchKernelWithHostArgs, (aclrtFuncHandle funcHandle, uint32_t numBlocks, aclrtStream stream,
                                                aclrtLaunchKernelCfg *cfg, void *hostArgs, size_t argsSize,
                                                aclrtPlaceHolderInfo *placeHolderArray, size_t placeHolderNum))
EMU_UNSUPPORTED(aclrtLaunchKernelWithArgsArray, (void *func, uint32_t numBlocks, aclrtStream stream,
                                                 aclrtLaunchKernelCfg *cfg, void **args))
EMU_UNSUPPORTED(aclrtLaunchSIMTKernelWithArgsArray, (void *func, dim3 gridDim, dim3 blockDim, size_t dynUbufSize,
                                                     aclrtStream stream, aclrtLaunchKernelCfg *cfg, void **args))
EMU_UNSUPPORTED(aclrtLaunchSIMTKernelWithHostArgs, (void *func, dim3 gridDim, dim3 blockDim, size_t dynUbufSize,
                                                    aclrtStream stream, aclrtLaunchKernelCfg *cfg, void *hostArgs,
                                                    size_t argsSize, aclrtPlaceHolderInfo *placeHolderArray,
                                                    size_t placeHolderNum))
EMU_UNSUPPORTED(aclrtCtxGetFloatOverflowAddr, (void **overflowAddr))
EMU_UNSUPPORTED(aclrtGetFloatOverflowStatus, (void *outputAddr, uint64_t outputSize, aclrtStream stream))
EMU_UNSUPPORTED(aclrtResetFloatOverflowStatus, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtNpuGetFloatOverFlowStatus, (void *outputAddr, uint64_t outputSize, uint32_t checkMode,
                                                 aclrtStream stream))
EMU_UNSUPPORTED(aclrtNpuClearFloatOverFlowStatus, (uint32_t checkMode, aclrtStream stream))
EMU_UNSUPPORTED(aclrtLaunchHostFunc, (aclrtStream stream, aclrtHostFunc fn, void *args))
EMU_UNSUPPORTED(aclrtGetHardwareSyncAddr, (void **addr))
EMU_UNSUPPORTED(aclrtRandomNumAsync, (const aclrtRandomNumTaskInfo *taskInfo, const aclrtStream stream, void *reserve))
EMU_UNSUPPORTED(aclrtRegStreamStateCallback, (const char *regName, aclrtStreamStateCallback callback, void *args))
EMU_UNSUPPORTED(aclrtRegDeviceStateCallback, (const char *regName, aclrtDeviceStateCallback callback, void *args))
EMU_UNSUPPORTED(aclrtSetDeviceTaskAbortCallback, (const char *regName, aclrtDeviceTaskAbortCallback callback,
                                                  void *args))
EMU_UNSUPPORTED(aclrtGetOpExecuteTimeout, (uint32_t *const timeoutMs))
EMU_UNSUPPORTED(aclrtDevicePeerAccessStatus, (int32_t deviceId, int32_t peerDeviceId, int32_t *status))
EMU_UNSUPPORTED(aclrtStreamStop, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtTaskUpdateAsync, (aclrtStream taskStream, uint32_t taskId, aclrtTaskUpdateInfo *info,
                                       aclrtStream execStream))
EMU_UNSUPPORTED(aclrtCmoGetDescSize, (size_t *size))
EMU_UNSUPPORTED(aclrtCmoSetDesc, (void *cmoDesc, void *src, size_t size))
EMU_UNSUPPORTED(aclrtCmoAsyncWithDesc, (void *cmoDesc, aclrtCmoType cmoType, aclrtStream stream, const void *reserve))
EMU_UNSUPPORTED(aclrtCheckArchCompatibility, (const char *socVersion, int32_t *canCompatible))
EMU_UNSUPPORTED(aclmdlRIAbort, (aclmdlRI modelRI))
EMU_UNSUPPORTED(aclmdlRICondHandleCreate, (aclmdlRI modelRI, uint32_t defaultLaunchValue, aclmdlRICondHandleFlag flag,
                                           aclmdlRICondHandle *handle))
EMU_UNSUPPORTED(aclmdlRICondHandleGetCondPtr, (aclmdlRICondHandle handle, uint64_t **ptr))
EMU_UNSUPPORTED(aclmdlRIAddCondTask, (aclmdlRICondTaskParams params, aclrtStream stream, uint32_t flags))
EMU_UNSUPPORTED(aclmdlRICaptureToModelRIBegin, (aclrtStream stream, aclmdlRI modelRI, aclmdlRICaptureMode mode))
EMU_UNSUPPORTED(aclrtCntNotifyRecord, (aclrtCntNotify cntNotify, aclrtStream stream, aclrtCntNotifyRecordInfo *info))
EMU_UNSUPPORTED(aclrtCntNotifyWaitWithTimeout, (aclrtCntNotify cntNotify, aclrtStream stream,
                                                aclrtCntNotifyWaitInfo *info))
EMU_UNSUPPORTED(aclrtCntNotifyReset, (aclrtCntNotify cntNotify, aclrtStream stream))
EMU_UNSUPPORTED(aclrtCntNotifyGetId, (aclrtCntNotify cntNotify, uint32_t *notifyId))
EMU_UNSUPPORTED(aclrtPersistentTaskClean, (aclrtStream stream))
EMU_UNSUPPORTED(aclrtGetErrorVerbose, (int32_t deviceId, aclrtErrorInfo *errorInfo))
EMU_UNSUPPORTED(aclrtRepairError, (int32_t deviceId, const aclrtErrorInfo *errorInfo))
EMU_UNSUPPORTED(aclrtMemSetAccess, (void *virPtr, size_t size, aclrtMemAccessDesc *desc, size_t count))
EMU_UNSUPPORTED(aclrtMemGetAccess, (void *virPtr, aclrtMemLocation *location, uint64_t *flag))
EMU_UNSUPPORTED(aclrtSnapShotProcessLock, (int pid, void *reserve))
EMU_UNSUPPORTED(aclrtSnapShotProcessUnlock, (int pid, void *reserve))
EMU_UNSUPPORTED(aclrtSnapShotProcessBackup, (int pid, aclrtSnapShotBackupArgs *args))
EMU_UNSUPPORTED(aclrtSnapShotProcessRestore, (int pid, aclrtSnapShotRestoreArgs *args))
EMU_UNSUPPORTED(aclrtSnapShotCallbackRegister, (aclrtSnapShotStage stage, aclrtSnapShotCallBack callback, void *args))
EMU_UNSUPPORTED(aclrtSnapShotCallbackUnregister, (aclrtSnapShotStage stage, aclrtSnapShotCallBack callback))
EMU_UNSUPPORTED(aclrtCacheLastTaskOpInfo, (const void *const infoPtr, const size_t infoSize))
EMU_UNSUPPORTED(aclrtCacheLastTaskExtendInfo, (const char *const extendInfoPtr, const size_t infoSize))
EMU_UNSUPPORTED(aclrtGetFunctionAttribute, (aclrtFuncHandle funcHandle, aclrtFuncAttribute attrType,
                                            int64_t *attrValue))
EMU_UNSUPPORTED(aclrtFunctionGetBinary, (const aclrtFuncHandle funcHandle, aclrtBinHandle *binHandle))
EMU_UNSUPPORTED(aclrtFunctionGetParamCount, (const void *func, size_t *paramCount))
EMU_UNSUPPORTED(aclrtFunctionGetParamInfo, (const void *func, size_t paramIndex, size_t *paramOffset,
                                            size_t *paramSize))
EMU_UNSUPPORTED(aclrtFunctionGetAvailDynUbufPerBlock, (void *func, uint32_t flags, size_t *dynamicUbufSize))
EMU_UNSUPPORTED(aclrtIpcGetEventHandle, (aclrtEvent event, aclrtIpcEventHandle *handle))
EMU_UNSUPPORTED(aclrtIpcOpenEventHandle, (aclrtIpcEventHandle handle, aclrtEvent *event))
EMU_UNSUPPORTED(aclrtMemRetainAllocationHandle, (void *virPtr, aclrtDrvMemHandle *handle))
EMU_UNSUPPORTED(aclrtMemGetAllocationPropertiesFromHandle, (aclrtDrvMemHandle handle, aclrtPhysicalMemProp *prop))
EMU_UNSUPPORTED(aclrtReserveMemAddressNoUCMemory, (void **virPtr, size_t size, size_t alignment, void *expectPtr,
                                                   uint64_t flags))
EMU_UNSUPPORTED(aclrtMemGetAddressRange, (void *ptr, void **pbase, size_t *psize))
EMU_UNSUPPORTED(aclrtMemP2PMap, (void *devPtr, size_t size, int32_t dstDevId, uint64_t flags))
EMU_UNSUPPORTED(aclrtMemManagedPrefetchAsync, (const void *ptr, size_t size, aclrtMemManagedLocation location,
                                               uint32_t flags, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemManagedPrefetchBatchAsync, (const void **ptrs, size_t *sizes, size_t count,
                                                    aclrtMemManagedLocation *prefetchLocs, size_t *prefetchLocIdxs,
                                                    size_t numPrefetchLocs, uint64_t flags, aclrtStream stream))
EMU_UNSUPPORTED(aclrtMemMapSelectedLink, (void *virPtrDst, size_t size, void *virPtrSrc, uint32_t linkIdx))
EMU_UNSUPPORTED(aclrtDeviceL2CacheFlush, (void *rsv))
EMU_UNSUPPORTED(aclrtMemMapSetLink, (aclrtDrvMemHandle handle, aclrtMemLinkType adviceLink))
