/*
 * rt_report.c - acl.rt beyond rt.c: host callbacks (subscribe_report,
 * unsubscribe_report, launch_callback, process_report), the forced reset
 * and stream destruction, and get_mem_info, with pyACL's conventions.
 *
 * launch_callback(fn, user_data, block_type, stream) keeps a reference to
 * fn and user_data in a small holder; the C callback runs on the thread
 * that calls process_report, which released the GIL around
 * aclrtProcessReport, so the callback takes it (PyGILState_Ensure), calls
 * fn(user_data), prints an exception fn raised (the callback has no caller
 * to return it to), drops both references and frees the holder.  A
 * callback dropped unrun (its stream unsubscribed or destroyed first)
 * keeps its references.  rt.c adds aclpy_rt_report_methods to acl.rt.
 */
#include "shim/pyacl/common.h"

struct py_callback {
    PyObject *fn;
    PyObject *user;
};

static void run_py_callback(void *arg)
{
    struct py_callback *cb = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallOneArg(cb->fn, cb->user);
    if (r)
        Py_DECREF(r);
    else
        PyErr_Print();
    Py_DECREF(cb->fn);
    Py_DECREF(cb->user);
    PyMem_RawFree(cb);
    PyGILState_Release(g);
}

#undef FN
#define FN "acl.rt.launch_callback"
static PyObject *rt_launch_callback(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *fn, *user;
    int block;
    void *stream;
    ARGS("o:fn o:user_data e:block_type p:stream", &fn, &user, &block, &stream);
    if (!PyCallable_Check(fn)) {
        PyErr_Format(PyExc_TypeError, FN "(): argument 1 (fn) must be callable, not %.200s", Py_TYPE(fn)->tp_name);
        return NULL;
    }
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    struct py_callback *cb = PyMem_RawMalloc(sizeof *cb);
    if (!cb)
        return aclpy_ret(ACL_ERROR_BAD_ALLOC);
    Py_INCREF(fn);
    Py_INCREF(user);
    cb->fn = fn;
    cb->user = user;
    aclError ret = aclrtLaunchCallback(run_py_callback, cb, (aclrtCallbackBlockType)block, stream);
    if (ret != ACL_SUCCESS) {
        Py_DECREF(fn);
        Py_DECREF(user);
        PyMem_RawFree(cb);
    }
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.process_report"
static PyObject *rt_process_report(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int32_t timeout;
    ARGS("i:timeout", &timeout);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtProcessReport(timeout));
    return aclpy_ret(ret);
}

/* subscribe_report / unsubscribe_report(thread_id, stream) -> ret. */
static PyObject *report_binding(const char *fn, PyObject *const *args, Py_ssize_t nargs, int subscribe)
{
    void *thread, *stream;
    int rc = aclpy_args(fn, args, nargs, "p:thread_id p:stream", &thread, &stream);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    uint64_t id = (uint64_t)(uintptr_t)thread;
    return aclpy_ret(subscribe ? aclrtSubscribeReport(id, stream) : aclrtUnSubscribeReport(id, stream));
}

static PyObject *rt_subscribe_report(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return report_binding("acl.rt.subscribe_report", args, nargs, 1);
}

static PyObject *rt_unsubscribe_report(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return report_binding("acl.rt.unsubscribe_report", args, nargs, 0);
}

#undef FN
#define FN "acl.rt.reset_device_force"
static PyObject *rt_reset_device_force(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int32_t dev;
    ARGS("i:device_id", &dev);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtResetDeviceForce(dev));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.destroy_stream_force"
static PyObject *rt_destroy_stream_force(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *stream;
    ARGS("p:stream", &stream);
    if (OUT_OF_RANGE || !stream)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclrtDestroyStreamForce(stream));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.rt.get_mem_info"
static PyObject *rt_get_mem_info(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int attr;
    ARGS("e:attr", &attr);
    size_t fr = 0, total = 0;
    aclError ret = OUT_OF_RANGE ? ACL_ERROR_INVALID_PARAM : aclrtGetMemInfo((aclrtMemAttr)attr, &fr, &total);
    if (ret != ACL_SUCCESS)
        fr = total = 0;
    return Py_BuildValue("(KKi)", (unsigned long long)fr, (unsigned long long)total, (int)ret);
}

PyMethodDef aclpy_rt_report_methods[] = {
    METHOD("subscribe_report", rt_subscribe_report, "subscribe_report(thread_id, stream) -> ret"),
    METHOD("unsubscribe_report", rt_unsubscribe_report, "unsubscribe_report(thread_id, stream) -> ret"),
    METHOD("launch_callback", rt_launch_callback,
           "launch_callback(fn, user_data, block_type, stream) -> ret\n\n"
           "fn(user_data) runs on the thread that subscribed the stream, inside its process_report."),
    METHOD("process_report", rt_process_report,
           "process_report(timeout) -> ret (ms, -1 none; the GIL is released while waiting)"),
    METHOD("reset_device_force", rt_reset_device_force, "reset_device_force(device_id) -> ret"),
    METHOD("destroy_stream_force", rt_destroy_stream_force, "destroy_stream_force(stream) -> ret"),
    METHOD("get_mem_info", rt_get_mem_info, "get_mem_info(attr) -> (free, total, ret)"),
    {NULL, NULL, 0, NULL},
};
