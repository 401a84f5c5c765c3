/*
 * rt.c - acl.rt: devices, contexts, streams and memory (aclrt*), with pyACL's
 * conventions (rt_report.c adds host callbacks, the forced calls and
 * get_mem_info).  The calls that can wait for the device (stream
 * synchronisation, large copies, device reset) run with the GIL released.
 */
#include "shim/pyacl/common.h"

/* Copies at least this large run with the GIL released. */
#define NOGIL_COPY_BYTES (64u * 1024u)

#undef FN
#define FN "acl.rt.set_device"
static PyObject *rt_set_device(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int32_t dev;
    ARGS("i:device_id", &dev);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtSetDevice(dev));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.reset_device"
static PyObject *rt_reset_device(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int32_t dev;
    ARGS("i:device_id", &dev);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtResetDevice(dev));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.create_context"
static PyObject *rt_create_context(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int32_t dev;
    ARGS("i:device_id", &dev);
    if (OUT_OF_RANGE)
        return aclpy_ptr_ret(NULL, ACL_ERROR_INVALID_PARAM);
    aclrtContext ctx = NULL;
    aclError ret;
    ACLPY_NOGIL(ret = aclrtCreateContext(&ctx, dev));
    return aclpy_ptr_ret(ret == ACL_SUCCESS ? ctx : NULL, ret);
}

#undef FN
#define FN "acl.rt.destroy_context"
static PyObject *rt_destroy_context(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ctx;
    ARGS("p:context", &ctx);
    if (OUT_OF_RANGE || !ctx)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtDestroyContext(ctx));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.set_context"
static PyObject *rt_set_context(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ctx;
    ARGS("p:context", &ctx);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    return aclpy_ret(aclrtSetCurrentContext(ctx));
}

#undef FN
#define FN "acl.rt.get_context"
static PyObject *rt_get_context(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    aclrtContext ctx = NULL;
    aclError ret = aclrtGetCurrentContext(&ctx);
    return aclpy_ptr_ret(ret == ACL_SUCCESS ? ctx : NULL, ret);
}

#undef FN
#define FN "acl.rt.create_stream"
static PyObject *rt_create_stream(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    aclrtStream stream = NULL;
    aclError ret;
    ACLPY_NOGIL(ret = aclrtCreateStream(&stream));
    return aclpy_ptr_ret(ret == ACL_SUCCESS ? stream : NULL, ret);
}

#undef FN
#define FN "acl.rt.destroy_stream"
static PyObject *rt_destroy_stream(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *stream;
    ARGS("p:stream", &stream);
    if (OUT_OF_RANGE || !stream)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtDestroyStream(stream));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.synchronize_stream"
static PyObject *rt_synchronize_stream(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *stream;
    ARGS("p:stream", &stream);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtSynchronizeStream(stream));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.malloc"
static PyObject *rt_malloc(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    size_t size;
    int policy;
    ARGS("z:size e:policy", &size, &policy);
    if (OUT_OF_RANGE)
        return aclpy_ptr_ret(NULL, ACL_ERROR_INVALID_PARAM);
    void *p = NULL;
    aclError ret = aclrtMalloc(&p, size, (aclrtMemMallocPolicy)policy);
    return aclpy_ptr_ret(ret == ACL_SUCCESS ? p : NULL, ret);
}

#undef FN
#define FN "acl.rt.free"
static PyObject *rt_free(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *p;
    ARGS("p:dev_ptr", &p);
    if (OUT_OF_RANGE || !p)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    return aclpy_ret(aclrtFree(p));
}

#undef FN
#define FN "acl.rt.malloc_host"
static PyObject *rt_malloc_host(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    size_t size;
    ARGS("z:size", &size);
    if (OUT_OF_RANGE)
        return aclpy_ptr_ret(NULL, ACL_ERROR_INVALID_PARAM);
    void *p = NULL;
    aclError ret = aclrtMallocHost(&p, size);
    return aclpy_ptr_ret(ret == ACL_SUCCESS ? p : NULL, ret);
}

#undef FN
#define FN "acl.rt.free_host"
static PyObject *rt_free_host(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *p;
    ARGS("p:host_ptr", &p);
    if (OUT_OF_RANGE || !p)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    return aclpy_ret(aclrtFreeHost(p));
}

#undef FN
#define FN "acl.rt.memcpy"
static PyObject *rt_memcpy(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *dst, *src;
    size_t dst_max, count;
    int kind;
    ARGS("p:dst z:dst_max p:src z:count e:kind", &dst, &dst_max, &src, &count, &kind);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    if (count >= NOGIL_COPY_BYTES)
        ACLPY_NOGIL(ret = aclrtMemcpy(dst, dst_max, src, count, (aclrtMemcpyKind)kind));
    else
        ret = aclrtMemcpy(dst, dst_max, src, count, (aclrtMemcpyKind)kind);
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.memcpy_async"
static PyObject *rt_memcpy_async(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *dst, *src, *stream;
    size_t dst_max, count;
    int kind;
    ARGS("p:dst z:dst_max p:src z:count e:kind p:stream", &dst, &dst_max, &src, &count, &kind, &stream);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtMemcpyAsync(dst, dst_max, src, count, (aclrtMemcpyKind)kind, stream));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.get_run_mode"
static PyObject *rt_get_run_mode(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    aclrtRunMode mode = ACL_HOST;
    aclError ret = aclrtGetRunMode(&mode);
    return Py_BuildValue("(ii)", (int)mode, (int)ret);
}



static PyMethodDef rt_methods[] = {
    METHOD("set_device", rt_set_device, "set_device(device_id) -> ret"),
    METHOD("reset_device", rt_reset_device, "reset_device(device_id) -> ret"),
    METHOD("create_context", rt_create_context, "create_context(device_id) -> (context, ret)"),
    METHOD("destroy_context", rt_destroy_context, "destroy_context(context) -> ret"),
    METHOD("set_context", rt_set_context, "set_context(context) -> ret"),
    METHOD("get_context", rt_get_context, "get_context() -> (context, ret)"),
    METHOD("create_stream", rt_create_stream, "create_stream() -> (stream, ret)"),
    METHOD("destroy_stream", rt_destroy_stream, "destroy_stream(stream) -> ret"),
    METHOD("synchronize_stream", rt_synchronize_stream, "synchronize_stream(stream) -> ret (the GIL is released)"),
    METHOD("malloc", rt_malloc, "malloc(size, policy) -> (dev_ptr, ret)"),
    METHOD("free", rt_free, "free(dev_ptr) -> ret"),
    METHOD("malloc_host", rt_malloc_host, "malloc_host(size) -> (host_ptr, ret)"),
    METHOD("free_host", rt_free_host, "free_host(host_ptr) -> ret"),
    METHOD("memcpy", rt_memcpy, "memcpy(dst, dst_max, src, count, kind) -> ret"),
    METHOD("memcpy_async", rt_memcpy_async, "memcpy_async(dst, dst_max, src, count, kind, stream) -> ret"),
    METHOD("get_run_mode", rt_get_run_mode, "get_run_mode() -> (run_mode, ret)"),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef rt_def = {
    PyModuleDef_HEAD_INIT, "acl.rt", PyDoc_STR("AscendCL runtime: devices, contexts, streams, memory."),
    -1,                    rt_methods, NULL, NULL, NULL, NULL,
};

PyObject *aclpy_rt_module(void)
{
    return aclpy_module_with(&rt_def, aclpy_rt_report_methods);
}
