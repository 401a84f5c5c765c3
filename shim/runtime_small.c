/*
 * runtime_small.c - the vendor's smaller runtime calls that the emulated
 * device honours as they stand, by what it already has: cached and 32-byte
 * aligned allocations are aclrtMalloc's (host memory, 64-byte aligned and
 * always coherent, so flushing and invalidating a cache has nothing to do),
 * freeing after a device synchronisation, and a stream's id.
 *
 * Rules: nothing here pretends.  Each call checks its arguments as the
 * vendor's does and answers from the emulated device's real state.
 */
#include "shim/emu.h"

aclError aclrtMallocAlign32(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    return aclrtMalloc(devPtr, size, policy);
}

aclError aclrtMallocCached(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    return aclrtMalloc(devPtr, size, policy);
}

aclError aclrtMemFlush(void *devPtr, size_t size)
{
    if (!devPtr || size == 0)
        return ACL_ERROR_INVALID_PARAM;
    return ACL_SUCCESS;
}

aclError aclrtMemInvalidate(void *devPtr, size_t size)
{
    return aclrtMemFlush(devPtr, size);
}

aclError aclrtFreeWithDevSync(void *devPtr)
{
    if (!devPtr)
        return ACL_ERROR_INVALID_PARAM;
    aclError rc = aclrtSynchronizeDevice();
    if (rc != ACL_SUCCESS)
        return rc;
    return aclrtFree(devPtr);
}

aclError aclrtFreeHostWithDevSync(void *hostPtr)
{
    if (!hostPtr)
        return ACL_ERROR_INVALID_PARAM;
    aclError rc = aclrtSynchronizeDevice();
    if (rc != ACL_SUCCESS)
        return rc;
    return aclrtFreeHost(hostPtr);
}

aclError aclrtStreamGetId(aclrtStream stream, int32_t *streamId)
{
    if (!streamId)
        return ACL_ERROR_INVALID_PARAM;
    emu_stream *s = emu_resolve_stream(stream);
    if (!s)
        return ACL_ERROR_RT_CONTEXT_NULL;
    if (!emu_stream_alive(s))
        return ACL_ERROR_RT_PARAM_INVALID;
    *streamId = (int32_t)s->id;
    return ACL_SUCCESS;
}
