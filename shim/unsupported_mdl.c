/*
 * unsupported_mdl.c - the functions of the vendor's acl_mdl.h that the
 * emulated device cannot honour, exported with their exact signatures so
 * that every program written against those headers links.  Each answers its
 * failure value (ACL_ERROR_FEATURE_UNSUPPORTED or NULL) and writes one line
 * on stderr the first time a process calls it: the rule of
 * shim/unsupported.h.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "shim/unsupported.h"

EMU_UNSUPPORTED(aclmdlGetDescFromFile, (aclmdlDesc *modelDesc, const char *modelPath))
EMU_UNSUPPORTED(aclmdlGetDescFromMem, (aclmdlDesc *modelDesc, const void *model, size_t modelSize))
EMU_UNSUPPORTED_PTR(aclmdlExecConfigHandle *, aclmdlCreateExecConfigHandle, (void))
EMU_UNSUPPORTED(aclmdlDestroyExecConfigHandle, (const aclmdlExecConfigHandle *handle))
EMU_UNSUPPORTED(aclmdlSetDatasetTensorDesc, (aclmdlDataset *dataset, aclTensorDesc *tensorDesc, size_t index))
EMU_UNSUPPORTED_PTR(aclTensorDesc *, aclmdlGetDatasetTensorDesc, (const aclmdlDataset *dataset, size_t index))
EMU_UNSUPPORTED(aclmdlBundleLoadFromFile, (const char *modelPath, uint32_t *bundleId))
EMU_UNSUPPORTED(aclmdlBundleLoadFromMem, (const void *model, size_t modelSize, uint32_t *bundleId))
EMU_UNSUPPORTED(aclmdlBundleUnload, (uint32_t bundleId))
EMU_UNSUPPORTED(aclmdlBundleGetModelNum, (uint32_t bundleId, size_t *modelNum))
EMU_UNSUPPORTED(aclmdlBundleGetModelId, (uint32_t bundleId, size_t index, uint32_t *modelId))
EMU_UNSUPPORTED_PTR(aclmdlBundleQueryInfo *, aclmdlBundleCreateQueryInfo, (void))
EMU_UNSUPPORTED(aclmdlBundleDestroyQueryInfo, (aclmdlBundleQueryInfo *queryInfo))
EMU_UNSUPPORTED(aclmdlBundleQueryInfoFromFile, (const char *fileName, aclmdlBundleQueryInfo *queryInfo))
EMU_UNSUPPORTED(aclmdlBundleQueryInfoFromMem, (const void *model, size_t modelSize, aclmdlBundleQueryInfo *queryInfo))
EMU_UNSUPPORTED(aclmdlBundleGetQueryModelNum, (const aclmdlBundleQueryInfo *queryInfo, size_t *modelNum))
EMU_UNSUPPORTED(aclmdlBundleGetVarWeightSize, (const aclmdlBundleQueryInfo *queryInfo, size_t *variableWeightSize))
EMU_UNSUPPORTED(aclmdlBundleGetSize, (const aclmdlBundleQueryInfo *queryInfo, size_t index, size_t *workSize,
                                      size_t *constWeightSize))
EMU_UNSUPPORTED(aclmdlBundleInitFromFile, (const char *modelPath, void *varWeightPtr, size_t varWeightSize,
                                           uint32_t *bundleId))
EMU_UNSUPPORTED(aclmdlBundleInitFromMem, (const void *model, size_t modelSize, void *varWeightPtr, size_t varWeightSize,
                                          uint32_t *bundleId))
EMU_UNSUPPORTED(aclmdlBundleLoadModel, (uint32_t bundleId, size_t index, uint32_t *modelId))
EMU_UNSUPPORTED(aclmdlBundleLoadModelWithMem, (uint32_t bundleId, size_t index, void *workPtr, size_t workSize,
                                               void *weightPtr, size_t weightSize, uint32_t *modelId))
EMU_UNSUPPORTED(aclmdlBundleLoadModelWithConfig, (uint32_t bundleId, size_t index, aclmdlConfigHandle *handle,
                                                  uint32_t *modelId))
EMU_UNSUPPORTED(aclmdlBundleUnloadModel, (uint32_t bundleId, uint32_t modelId))
EMU_UNSUPPORTED(aclmdlLoadFromFileWithQ, (const char *modelPath, uint32_t *modelId, const uint32_t *inputQ,
                                          size_t inputQNum, const uint32_t *outputQ, size_t outputQNum))
EMU_UNSUPPORTED(aclmdlLoadFromMemWithQ, (const void *model, size_t modelSize, uint32_t *modelId, const uint32_t *inputQ,
                                         size_t inputQNum, const uint32_t *outputQ, size_t outputQNum))
EMU_UNSUPPORTED(aclmdlExecuteV2, (uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                                  aclrtStream stream, const aclmdlExecConfigHandle *handle))
EMU_UNSUPPORTED(aclmdlExecuteAsyncV2, (uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                                       aclrtStream stream, const aclmdlExecConfigHandle *handle))
EMU_UNSUPPORTED(aclmdlSetAttribute, (uint32_t modelId, aclmdlAttr attr, aclmdlAttrValue_t *attrValue))
EMU_UNSUPPORTED(aclmdlGetAttribute, (uint32_t modelId, aclmdlAttr attr, aclmdlAttrValue_t *attrValue))
EMU_UNSUPPORTED(aclmdlQueryExeOMDesc, (const char *fileName, aclmdlExeOMDesc *mdlPartitionSize))
EMU_UNSUPPORTED(aclmdlSetInputDynamicDims, (uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                            const aclmdlIODims *dims))
EMU_UNSUPPORTED(aclmdlGetInputDimsV2, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims))
EMU_UNSUPPORTED(aclmdlGetInputDimsRange, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODimsRange *dimsRange))
EMU_UNSUPPORTED_PTR(const char *, aclmdlGetOpAttr, (aclmdlDesc *modelDesc, const char *opName, const char *attr))
EMU_UNSUPPORTED(aclmdlGetInputDynamicGearCount, (const aclmdlDesc *modelDesc, size_t index, size_t *gearCount))
EMU_UNSUPPORTED(aclmdlGetInputDynamicDims, (const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims,
                                            size_t gearCount))
EMU_UNSUPPORTED_PTR(aclmdlAIPP *, aclmdlCreateAIPP, (uint64_t batchSize))
EMU_UNSUPPORTED(aclmdlDestroyAIPP, (const aclmdlAIPP *aippParmsSet))
EMU_UNSUPPORTED(aclmdlGetAippDataSize, (uint64_t batchSize, size_t *size))
EMU_UNSUPPORTED(aclmdlSetAIPPInputFormat, (aclmdlAIPP *aippParmsSet, aclAippInputFormat inputFormat))
EMU_UNSUPPORTED(aclmdlSetAIPPCscParams, (aclmdlAIPP *aippParmsSet, int8_t cscSwitch, int16_t cscMatrixR0C0,
                                         int16_t cscMatrixR0C1, int16_t cscMatrixR0C2, int16_t cscMatrixR1C0,
                                         int16_t cscMatrixR1C1, int16_t cscMatrixR1C2, int16_t cscMatrixR2C0,
                                         int16_t cscMatrixR2C1, int16_t cscMatrixR2C2, uint8_t cscOutputBiasR0,
                                         uint8_t cscOutputBiasR1, uint8_t cscOutputBiasR2, uint8_t cscInputBiasR0,
                                         uint8_t cscInputBiasR1, uint8_t cscInputBiasR2))
EMU_UNSUPPORTED(aclmdlSetAIPPRbuvSwapSwitch, (aclmdlAIPP *aippParmsSet, int8_t rbuvSwapSwitch))
EMU_UNSUPPORTED(aclmdlSetAIPPAxSwapSwitch, (aclmdlAIPP *aippParmsSet, int8_t axSwapSwitch))
EMU_UNSUPPORTED(aclmdlSetAIPPSrcImageSize, (aclmdlAIPP *aippParmsSet, int32_t srcImageSizeW, int32_t srcImageSizeH))
EMU_UNSUPPORTED(aclmdlSetAIPPScfParams, (aclmdlAIPP *aippParmsSet, int8_t scfSwitch, int32_t scfInputSizeW,
                                         int32_t scfInputSizeH, int32_t scfOutputSizeW, int32_t scfOutputSizeH,
                                         uint64_t batchIndex))
EMU_UNSUPPORTED(aclmdlSetAIPPCropParams, (aclmdlAIPP *aippParmsSet, int8_t cropSwitch, int32_t cropStartPosW,
                                          int32_t cropStartPosH, int32_t cropSizeW, int32_t cropSizeH,
                                          uint64_t batchIndex))
EMU_UNSUPPORTED(aclmdlSetAIPPPaddingParams, (aclmdlAIPP *aippParmsSet, int8_t paddingSwitch, int32_t paddingSizeTop,
                                             int32_t paddingSizeBottom, int32_t paddingSizeLeft,
                                             int32_t paddingSizeRight, uint64_t batchIndex))
EMU_UNSUPPORTED(aclmdlSetAIPPDtcPixelMean, (aclmdlAIPP *aippParmsSet, int16_t dtcPixelMeanChn0,
                                            int16_t dtcPixelMeanChn1, int16_t dtcPixelMeanChn2,
                                            int16_t dtcPixelMeanChn3, uint64_t batchIndex))
EMU_UNSUPPORTED(aclmdlSetAIPPDtcPixelMin, (aclmdlAIPP *aippParmsSet, float dtcPixelMinChn0, float dtcPixelMinChn1,
                                           float dtcPixelMinChn2, float dtcPixelMinChn3, uint64_t batchIndex))
EMU_UNSUPPORTED(aclmdlSetAIPPPixelVarReci, (aclmdlAIPP *aippParmsSet, float dtcPixelVarReciChn0,
                                            float dtcPixelVarReciChn1, float dtcPixelVarReciChn2,
                                            float dtcPixelVarReciChn3, uint64_t batchIndex))
EMU_UNSUPPORTED(aclmdlSetInputAIPP, (uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                     const aclmdlAIPP *aippParmsSet))
EMU_UNSUPPORTED(aclmdlSetAIPPByInputIndex, (uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                            const aclmdlAIPP *aippParmsSet))
EMU_UNSUPPORTED(aclmdlGetAippType, (uint32_t modelId, size_t index, aclmdlInputAippType *type,
                                    size_t *dynamicAttachedDataIndex))
EMU_UNSUPPORTED(aclmdlGetFirstAippInfo, (uint32_t modelId, size_t index, aclAippInfo *aippInfo))
EMU_UNSUPPORTED(aclmdlCreateAndGetOpDesc, (uint32_t deviceId, uint32_t streamId, uint32_t taskId, char *opName,
                                           size_t opNameLen, aclTensorDesc **inputDesc, size_t *numInputs,
                                           aclTensorDesc **outputDesc, size_t *numOutputs))
EMU_UNSUPPORTED(aclmdlLoadWithConfig, (const aclmdlConfigHandle *handle, uint32_t *modelId))
EMU_UNSUPPORTED_PTR(aclmdlConfigHandle *, aclmdlCreateConfigHandle, (void))
EMU_UNSUPPORTED(aclmdlDestroyConfigHandle, (aclmdlConfigHandle *handle))
EMU_UNSUPPORTED(aclmdlSetConfigOpt, (aclmdlConfigHandle *handle, aclmdlConfigAttr attr, const void *attrValue,
                                     size_t valueSize))
EMU_UNSUPPORTED(aclmdlSetExecConfigOpt, (aclmdlExecConfigHandle *handle, aclmdlExecConfigAttr attr,
                                         const void *attrValue, size_t valueSize))
EMU_UNSUPPORTED(aclmdlSetExternalWeightAddress, (aclmdlConfigHandle *handle, const char *weightFileName, void *devPtr,
                                                 size_t size))
EMU_UNSUPPORTED_PTR(const char *, aclmdlGetTensorRealName, (const aclmdlDesc *modelDesc, const char *name))
EMU_UNSUPPORTED(aclRecoverAllHcclTasks, (int32_t deviceId))
EMU_UNSUPPORTED(aclmdlLoadFromModel, (const aclmdlModel *model, const aclmdlConfigHandle *handle, uint32_t *modelId))
