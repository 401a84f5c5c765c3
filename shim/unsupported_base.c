/*
 * unsupported_base.c - the functions of the vendor's acl_base_rt.h and
 * acl_base_mdl.h (include/acl/acl_base.h) that the emulated device cannot
 * honour, exported with their exact signatures so that every program written
 * against those headers links.  Each answers its failure value
 * (ACL_ERROR_FEATURE_UNSUPPORTED, NULL, or nothing) and writes one line on
 * stderr the first time a process calls it: the rule of shim/unsupported.h.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "shim/unsupported.h"
#include <stdio.h>

void emu_unsupported_once(atomic_flag *told, const char *name)
{
    if (!atomic_flag_test_and_set(told))
        fprintf(stderr, "libascendcl: %s is not supported on the emulated device\n", name);
}

EMU_UNSUPPORTED(aclGetCannAttributeList, (const aclCannAttr **cannAttrList, size_t *num))
EMU_UNSUPPORTED(aclGetCannAttribute, (aclCannAttr cannAttr, int32_t *value))
EMU_UNSUPPORTED(aclGetDeviceCapability, (uint32_t deviceId, aclDeviceInfo deviceInfo, int64_t *value))
EMU_UNSUPPORTED(aclSetTensorShapeRange, (aclTensorDesc *desc, size_t dimsCount,
                                         int64_t dimsRange[][ACL_TENSOR_SHAPE_RANGE_NUM]))
EMU_UNSUPPORTED(aclSetTensorValueRange, (aclTensorDesc *desc, size_t valueCount,
                                         int64_t valueRange[][ACL_TENSOR_VALUE_RANGE_NUM]))
EMU_UNSUPPORTED(aclGetTensorDescDimRange, (const aclTensorDesc *desc, size_t index, size_t dimRangeNum,
                                           int64_t *dimRange))
EMU_UNSUPPORTED_VOID(aclSetTensorDescName, (aclTensorDesc *desc, const char *name))
EMU_UNSUPPORTED_PTR(const char *, aclGetTensorDescName, (aclTensorDesc *desc))
EMU_UNSUPPORTED(aclTransTensorDescFormat, (const aclTensorDesc *srcDesc, aclFormat dstFormat, aclTensorDesc **dstDesc))
EMU_UNSUPPORTED(aclSetTensorStorageFormat, (aclTensorDesc *desc, aclFormat format))
EMU_UNSUPPORTED(aclSetTensorStorageShape, (aclTensorDesc *desc, int numDims, const int64_t *dims))
EMU_UNSUPPORTED(aclSetTensorFormat, (aclTensorDesc *desc, aclFormat format))
EMU_UNSUPPORTED(aclSetTensorShape, (aclTensorDesc *desc, int numDims, const int64_t *dims))
EMU_UNSUPPORTED(aclSetTensorOriginFormat, (aclTensorDesc *desc, aclFormat format))
EMU_UNSUPPORTED(aclSetTensorOriginShape, (aclTensorDesc *desc, int numDims, const int64_t *dims))
EMU_UNSUPPORTED_PTR(aclTensorDesc *, aclGetTensorDescByIndex, (aclTensorDesc *desc, size_t index))
EMU_UNSUPPORTED_PTR(void *, aclGetTensorDescAddress, (const aclTensorDesc *desc))
EMU_UNSUPPORTED(aclSetTensorDynamicInput, (aclTensorDesc *desc, const char *dynamicInputName))
EMU_UNSUPPORTED(aclSetTensorConst, (aclTensorDesc *desc, void *dataBuffer, size_t length))
EMU_UNSUPPORTED(aclSetTensorPlaceMent, (aclTensorDesc *desc, aclMemType memType))
