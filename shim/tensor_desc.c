/*
 * tensor_desc.c - aclTensorDesc: a data type, a format and a shape, with the
 * vendor's answers for the edge cases.
 *
 * Rules: the data type and the format are stored as given (not checked);
 * dims may be negative (-1 unknown dimension, -2 unknown rank).  The
 * getters take NULL: the type and format are then UNDEFINED and the counts
 * 0.  The element count of no dimensions is 1 (a scalar), of a shape with
 * a negative dimension or one whose product overflows 0.
 */
#include <stdlib.h>
#include <string.h>

#include "shim/emu.h"

struct aclTensorDesc {
    aclDataType type;
    aclFormat format;
    size_t num_dims;
    int64_t *dims;
};

aclTensorDesc *aclCreateTensorDesc(aclDataType dataType, int numDims, const int64_t *dims, aclFormat format)
{
    if (numDims < 0 || (numDims > 0 && !dims))
        return NULL;
    aclTensorDesc *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->dims = calloc(numDims ? (size_t)numDims : 1, sizeof *d->dims);
    if (!d->dims) {
        free(d);
        return NULL;
    }
    if (numDims)
        memcpy(d->dims, dims, (size_t)numDims * sizeof *dims);
    d->type = dataType;
    d->format = format;
    d->num_dims = (size_t)numDims;
    return d;
}

void aclDestroyTensorDesc(const aclTensorDesc *desc)
{
    if (!desc)
        return;
    free(desc->dims);
    free((void *)desc);
}

aclDataType aclGetTensorDescType(const aclTensorDesc *desc)
{
    return desc ? desc->type : ACL_DT_UNDEFINED;
}

aclFormat aclGetTensorDescFormat(const aclTensorDesc *desc)
{
    return desc ? desc->format : ACL_FORMAT_UNDEFINED;
}

size_t aclGetTensorDescElementCount(const aclTensorDesc *desc)
{
    if (!desc)
        return 0;
    size_t count = 1;
    for (size_t i = 0; i < desc->num_dims; i++) {
        int64_t d = desc->dims[i];
        if (d < 0)
            return 0;
        if (d != 0 && count > SIZE_MAX / (uint64_t)d)
            return 0;
        count *= (size_t)d;
    }
    return count;
}

size_t aclGetTensorDescSize(const aclTensorDesc *desc)
{
    if (!desc)
        return 0;
    size_t count = aclGetTensorDescElementCount(desc);
    size_t item = aclDataTypeSize(desc->type);
    if (item && count > SIZE_MAX / item)
        return 0;
    return count * item;
}

size_t aclGetTensorDescNumDims(const aclTensorDesc *desc)
{
    if (!desc)
        return 0;
    if (desc->num_dims > 0 && desc->dims[0] == -2)
        return (size_t)ACL_UNKNOWN_RANK;
    return desc->num_dims;
}

aclError aclGetTensorDescDimV2(const aclTensorDesc *desc, size_t index, int64_t *dimSize)
{
    if (!desc || !dimSize || index >= desc->num_dims)
        return ACL_ERROR_INVALID_PARAM;
    *dimSize = desc->dims[index];
    return ACL_SUCCESS;
}

int64_t aclGetTensorDescDim(const aclTensorDesc *desc, size_t index)
{
    int64_t dim;
    if (aclGetTensorDescDimV2(desc, index, &dim) != ACL_SUCCESS)
        return -1;
    return dim;
}
