/*
 * util.c - acl.util: pyACL's utilities: threads that run Python functions
 * (start_thread / stop_thread) and conversions between Python objects and
 * raw addresses (numpy_to_ptr, numpy_contiguous_to_ptr, bytes_to_ptr,
 * ptr_to_numpy, ptr_to_bytes).
 *
 * start_thread(func, args) starts a real POSIX thread which takes the GIL
 * (PyGILState_Ensure) and calls func(args); an exception raised there is
 * printed (PyErr_Print; SystemExit only ends the thread) and the thread
 * ends.  stop_thread(thread_id) joins it with the GIL released, so the
 * thread can finish whatever it still has to do in Python.  Only threads
 * this module started can be joined, each once.
 */
#include "shim/pyacl/common.h"

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <pthread.h>
#include <string.h>

/* --- threads ------------------------------------------------------------------------------ */

struct pythread {
    pthread_t tid;
    PyObject *func; /* cleared by the thread when func returns */
    PyObject *args;
    int joining;    /* a stop_thread is waiting for it */
    struct pythread *next;
};

/* The threads started and not yet joined; every access holds the GIL. */
static struct pythread *threads;

static void *thread_main(void *arg)
{
    struct pythread *t = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallOneArg(t->func, t->args);
    if (r) {
        Py_DECREF(r);
    } else if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        PyErr_Clear(); /* as threading does: SystemExit ends the thread only */
    } else {
        PyErr_Print();
    }
    Py_CLEAR(t->func);
    Py_CLEAR(t->args);
    PyGILState_Release(g);
    return NULL;
}

#undef FN
#define FN "acl.util.start_thread"
static PyObject *util_start_thread(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *func, *fargs;
    ARGS("o:func o:args_list", &func, &fargs);
    (void)rc_;
    if (!PyCallable_Check(func)) {
        PyErr_Format(PyExc_TypeError, FN "(): argument 1 (func) must be callable, not %.200s", Py_TYPE(func)->tp_name);
        return NULL;
    }
    struct pythread *t = PyMem_RawCalloc(1, sizeof *t);
    if (!t)
        return aclpy_u64_ret(0, ACL_ERROR_BAD_ALLOC);
    Py_INCREF(func);
    Py_INCREF(fargs);
    t->func = func;
    t->args = fargs;
    /* The new thread blocks in PyGILState_Ensure until this thread lets the
     * GIL go, so the registry below is updated before func runs. */
    int err = pthread_create(&t->tid, NULL, thread_main, t);
    if (err != 0) {
        Py_DECREF(func);
        Py_DECREF(fargs);
        PyMem_RawFree(t);
        return aclpy_u64_ret(0, ACL_ERROR_FAILURE);
    }
    t->next = threads;
    threads = t;
    return aclpy_u64_ret((unsigned long long)t->tid, ACL_SUCCESS);
}

#undef FN
#define FN "acl.util.stop_thread"
static PyObject *util_stop_thread(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *id;
    ARGS("p:thread_id", &id);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    struct pythread *t = threads;
    while (t && (t->joining || (unsigned long long)t->tid != (unsigned long long)(uintptr_t)id))
        t = t->next;
    if (!t || pthread_equal(t->tid, pthread_self()))
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    t->joining = 1;
    int err;
    ACLPY_NOGIL(err = pthread_join(t->tid, NULL));
    if (err != 0) {
        t->joining = 0;
        return aclpy_ret(ACL_ERROR_FAILURE);
    }
    for (struct pythread **pp = &threads; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    PyMem_RawFree(t);
    return aclpy_ret(ACL_SUCCESS);
}

/* --- addresses ---------------------------------------------------------------------------- */

#undef FN
#define FN "acl.util.numpy_to_ptr"
static PyObject *util_numpy_to_ptr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *a;
    ARGS("o:array", &a);
    (void)rc_;
    if (!PyArray_Check(a)) {
        PyErr_Format(PyExc_TypeError, FN "(): argument 1 (array) must be numpy.ndarray, not %.200s",
                     Py_TYPE(a)->tp_name);
        return NULL;
    }
    return aclpy_ptr(PyArray_DATA((PyArrayObject *)a));
}

#undef FN
#define FN "acl.util.numpy_contiguous_to_ptr"
/*
 * (address, array): a C-contiguous copy when the array is not contiguous
 * (the array itself when it is), which the caller keeps alive while the
 * address is in use.  Warns of the deprecation on every call, as pyACL.
 */
static PyObject *util_numpy_contiguous_to_ptr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *a;
    ARGS("o:array", &a);
    (void)rc_;
    if (PyErr_WarnEx(PyExc_Warning,
                     "acl.util.numpy_contiguous_to_ptr will be deprecated. Please use acl.util.bytes_to_ptr instead.",
                     1) < 0)
        return NULL;
    if (!PyArray_Check(a)) {
        PyErr_SetString(PyExc_ValueError, "needs an ndarray as argument");
        return NULL;
    }
    PyArrayObject *c = PyArray_GETCONTIGUOUS((PyArrayObject *)a);
    if (!c)
        return NULL;
    return Py_BuildValue("(KN)", (unsigned long long)(uintptr_t)PyArray_DATA(c), (PyObject *)c);
}

#undef FN
#define FN "acl.util.bytes_to_ptr"
static PyObject *util_bytes_to_ptr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *b;
    ARGS("o:data", &b);
    (void)rc_;
    if (PyBytes_Check(b))
        return aclpy_ptr(PyBytes_AS_STRING(b));
    if (PyByteArray_Check(b))
        return aclpy_ptr(PyByteArray_AS_STRING(b));
    PyErr_Format(PyExc_TypeError, FN "(): argument 1 (data) must be bytes or bytearray, not %.200s",
                 Py_TYPE(b)->tp_name);
    return NULL;
}

#undef FN
#define FN "acl.util.ptr_to_numpy"
static PyObject *util_ptr_to_numpy(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ptr;
    PyObject *shape;
    int type;
    ARGS("p:ptr o:shape e:npy_type", &ptr, &shape, &type);
    if (!PyTuple_Check(shape) && !PyList_Check(shape)) {
        PyErr_Format(PyExc_TypeError, FN "(): argument 2 (shape) must be a tuple of ints, not %.200s",
                     Py_TYPE(shape)->tp_name);
        return NULL;
    }
    Py_ssize_t nd = PySequence_Fast_GET_SIZE(shape);
    npy_intp dims[NPY_MAXDIMS];
    if (nd > NPY_MAXDIMS) {
        PyErr_Format(PyExc_ValueError, FN "(): shape has %zd dimensions, at most %d are allowed", nd, NPY_MAXDIMS);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < nd; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(shape, k);
        if (!PyIndex_Check(item)) {
            PyErr_Format(PyExc_TypeError, FN "(): argument 2 (shape) must hold ints, not %.200s",
                         Py_TYPE(item)->tp_name);
            return NULL;
        }
        Py_ssize_t v = PyNumber_AsSsize_t(item, PyExc_OverflowError);
        if (v == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            v = -1;
        }
        if (v < 0) {
            PyErr_Format(PyExc_ValueError, FN "(): shape[%zd] is negative or too large", k);
            return NULL;
        }
        dims[k] = (npy_intp)v;
    }
    if (OUT_OF_RANGE || !ptr) {
        PyErr_SetString(PyExc_ValueError, FN "(): ptr is NULL or npy_type out of range");
        return NULL;
    }
    PyArray_Descr *descr = PyArray_DescrFromType(type);
    if (!descr) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, FN "(): %d is not a numpy type number", type);
        return NULL;
    }
    if (descr->elsize <= 0 || descr->type_num == NPY_OBJECT) {
        Py_DECREF(descr);
        PyErr_Format(PyExc_ValueError, FN "(): numpy type %d has no fixed item size", type);
        return NULL;
    }
    /* A view: the array does not own the memory. */
    return PyArray_NewFromDescr(&PyArray_Type, descr, (int)nd, dims, NULL, ptr, NPY_ARRAY_CARRAY, NULL);
}

#undef FN
#define FN "acl.util.ptr_to_bytes"
static PyObject *util_ptr_to_bytes(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ptr;
    size_t size;
    ARGS("p:ptr z:size", &ptr, &size);
    if (OUT_OF_RANGE || size > (size_t)PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_ValueError, FN "(): size out of range");
        return NULL;
    }
    if (size == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    if (!ptr) {
        PyErr_SetString(PyExc_ValueError, FN "(): ptr is NULL");
        return NULL;
    }
    return PyBytes_FromStringAndSize(ptr, (Py_ssize_t)size);
}

static PyMethodDef util_methods[] = {
    METHOD("start_thread", util_start_thread,
           "start_thread(func, args_list) -> (thread_id, ret)\n\n"
           "Starts a thread that calls func(args_list) holding the GIL."),
    METHOD("stop_thread", util_stop_thread,
           "stop_thread(thread_id) -> ret\n\nJoins a thread start_thread started (the GIL is released)."),
    METHOD("numpy_to_ptr", util_numpy_to_ptr, "numpy_to_ptr(array) -> address of the array's data"),
    METHOD("numpy_contiguous_to_ptr", util_numpy_contiguous_to_ptr,
           "numpy_contiguous_to_ptr(array) -> (address, contiguous array to keep alive); deprecated, warns"),
    METHOD("bytes_to_ptr", util_bytes_to_ptr, "bytes_to_ptr(data) -> address of the bytes' buffer"),
    METHOD("ptr_to_numpy", util_ptr_to_numpy,
           "ptr_to_numpy(ptr, shape, npy_type) -> numpy.ndarray viewing the memory (no copy)"),
    METHOD("ptr_to_bytes", util_ptr_to_bytes, "ptr_to_bytes(ptr, size) -> bytes (a copy)"),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef util_def = {
    PyModuleDef_HEAD_INIT, "acl.util", PyDoc_STR("pyACL utilities: threads and address conversions."),
    -1,                    util_methods, NULL, NULL, NULL, NULL,
};

PyObject *aclpy_util_module(void)
{
    if (_import_array() < 0)
        return NULL;
    return PyModule_Create(&util_def);
}
