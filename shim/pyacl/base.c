/*
 * base.c - the `acl` module's top-level functions beyond init and data
 * buffers: the deprecated get_data_buffer_size, get_soc_name, app_log, the
 * fp16 conversions and the tensor-description family, with pyACL's
 * conventions (docs/PYACL.md): values come back bare, as pyACL's do, except
 * get_tensor_desc_dim_v2's (dim, ret).  None of them can block, so all hold
 * the GIL.  acl.c adds aclpy_base_methods to the module.
 */
#include "shim/pyacl/common.h"

#include <stdlib.h>

#undef FN
#define FN "acl.get_data_buffer_size"
static PyObject *base_get_data_buffer_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *buf;
    ARGS("p:data_buffer", &buf);
    if (OUT_OF_RANGE || !buf)
        return PyLong_FromLong(0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    uint32_t size = aclGetDataBufferSize(buf);
#pragma GCC diagnostic pop
    return PyLong_FromUnsignedLong(size);
}

#undef FN
#define FN "acl.get_soc_name"
static PyObject *base_get_soc_name(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    const char *name = aclrtGetSocName();
    if (!name)
        Py_RETURN_NONE;
    return PyUnicode_FromString(name);
}

#undef FN
#define FN "acl.app_log"
static PyObject *base_app_log(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int level;
    PyObject *msg;
    ARGS("e:log_level o:message", &level, &msg);
    if (!PyUnicode_Check(msg)) {
        PyErr_Format(PyExc_TypeError, FN "(): argument 2 (message) must be str, not %.200s", Py_TYPE(msg)->tp_name);
        return NULL;
    }
    const char *text = PyUnicode_AsUTF8(msg);
    if (!text)
        return NULL;
    if (!OUT_OF_RANGE)
        ACL_APP_LOG((aclLogLevel)level, "%s", text);
    Py_RETURN_NONE;
}

#undef FN
#define FN "acl.float16_to_float"
static PyObject *base_float16_to_float(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t v;
    ARGS("u:value", &v);
    if (OUT_OF_RANGE || v > 0xFFFF) {
        PyErr_SetString(PyExc_ValueError, FN "(): value must be in [0, 65535]");
        return NULL;
    }
    return PyFloat_FromDouble(aclFloat16ToFloat((aclFloat16)v));
}

#undef FN
#define FN "acl.float_to_float16"
static PyObject *base_float_to_float16(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *o;
    if (aclpy_args(FN, args, nargs, "o:value", &o) < 0)
        return NULL;
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLong(aclFloatToFloat16((float)d));
}

/* --- tensor descriptions ---------------------------------------------------------------- */

/* The ints of a list or tuple into a new int64 array (*n of them); NULL with an exception set. */
static int64_t *dims_of(PyObject *seq, Py_ssize_t *n)
{
    if (!PyList_Check(seq) && !PyTuple_Check(seq)) {
        PyErr_Format(PyExc_TypeError, "acl.create_tensor_desc(): argument 2 (dims) must be a list of ints, not %.200s",
                     Py_TYPE(seq)->tp_name);
        return NULL;
    }
    *n = PySequence_Fast_GET_SIZE(seq);
    int64_t *dims = PyMem_Calloc(*n ? (size_t)*n : 1, sizeof *dims);
    if (!dims)
        return (int64_t *)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < *n; i++) {
        long long v = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (v == -1 && PyErr_Occurred()) {
            PyMem_Free(dims);
            return NULL;
        }
        dims[i] = v;
    }
    return dims;
}

#undef FN
#define FN "acl.create_tensor_desc"
static PyObject *base_create_tensor_desc(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int dtype, format;
    PyObject *seq;
    ARGS("e:data_type o:dims e:format", &dtype, &seq, &format);
    Py_ssize_t n = 0;
    int64_t *dims = dims_of(seq, &n);
    if (!dims)
        return NULL;
    aclTensorDesc *d = NULL;
    if (!OUT_OF_RANGE && n <= INT32_MAX)
        d = aclCreateTensorDesc((aclDataType)dtype, (int)n, dims, (aclFormat)format);
    PyMem_Free(dims);
    return aclpy_ptr(d);
}

#undef FN
#define FN "acl.destroy_tensor_desc"
static PyObject *base_destroy_tensor_desc(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *d;
    ARGS("p:tensor_desc", &d);
    if (!OUT_OF_RANGE)
        aclDestroyTensorDesc(d);
    Py_RETURN_NONE;
}

/* The bare-value getters: get_tensor_desc_{type,format,size,element_count,num_dims}(desc). */
enum desc_query { Q_TYPE, Q_FORMAT, Q_SIZE, Q_COUNT, Q_NUM_DIMS };

static PyObject *desc_query(const char *fn, PyObject *const *args, Py_ssize_t nargs, enum desc_query q)
{
    void *d;
    int rc = aclpy_args(fn, args, nargs, "p:tensor_desc", &d);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE)
        d = NULL;
    switch (q) {
    case Q_TYPE:
        return PyLong_FromLong(aclGetTensorDescType(d));
    case Q_FORMAT:
        return PyLong_FromLong(aclGetTensorDescFormat(d));
    case Q_SIZE:
        return PyLong_FromSize_t(aclGetTensorDescSize(d));
    case Q_COUNT:
        return PyLong_FromSize_t(aclGetTensorDescElementCount(d));
    default:
        return PyLong_FromSize_t(aclGetTensorDescNumDims(d));
    }
}

static PyObject *base_get_tensor_desc_type(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return desc_query("acl.get_tensor_desc_type", args, nargs, Q_TYPE);
}

static PyObject *base_get_tensor_desc_format(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return desc_query("acl.get_tensor_desc_format", args, nargs, Q_FORMAT);
}

static PyObject *base_get_tensor_desc_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return desc_query("acl.get_tensor_desc_size", args, nargs, Q_SIZE);
}

static PyObject *base_get_tensor_desc_element_count(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return desc_query("acl.get_tensor_desc_element_count", args, nargs, Q_COUNT);
}

static PyObject *base_get_tensor_desc_num_dims(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return desc_query("acl.get_tensor_desc_num_dims", args, nargs, Q_NUM_DIMS);
}

#undef FN
#define FN "acl.get_tensor_desc_dim_v2"
static PyObject *base_get_tensor_desc_dim_v2(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *d;
    size_t index;
    ARGS("p:tensor_desc z:index", &d, &index);
    int64_t v = 0;
    aclError ret = OUT_OF_RANGE ? ACL_ERROR_INVALID_PARAM : aclGetTensorDescDimV2(d, index, &v);
    return Py_BuildValue("(Li)", (long long)(ret == ACL_SUCCESS ? v : 0), (int)ret);
}

PyMethodDef aclpy_base_methods[] = {
    METHOD("get_data_buffer_size", base_get_data_buffer_size,
           "get_data_buffer_size(data_buffer) -> size (deprecated aclGetDataBufferSize; 0 on failure)"),
    METHOD("get_soc_name", base_get_soc_name, "get_soc_name() -> str, or None on failure"),
    METHOD("app_log", base_app_log, "app_log(log_level, message) -> None\n\nACL_APP_LOG(log_level, \"%s\", message)."),
    METHOD("float16_to_float", base_float16_to_float, "float16_to_float(value) -> float (value: fp16 bits)"),
    METHOD("float_to_float16", base_float_to_float16, "float_to_float16(value) -> int (fp16 bits)"),
    METHOD("create_tensor_desc", base_create_tensor_desc,
           "create_tensor_desc(data_type, dims, format) -> tensor_desc (0 on failure)"),
    METHOD("destroy_tensor_desc", base_destroy_tensor_desc, "destroy_tensor_desc(tensor_desc) -> None"),
    METHOD("get_tensor_desc_type", base_get_tensor_desc_type, "get_tensor_desc_type(tensor_desc) -> int"),
    METHOD("get_tensor_desc_format", base_get_tensor_desc_format, "get_tensor_desc_format(tensor_desc) -> int"),
    METHOD("get_tensor_desc_size", base_get_tensor_desc_size, "get_tensor_desc_size(tensor_desc) -> int"),
    METHOD("get_tensor_desc_element_count", base_get_tensor_desc_element_count,
           "get_tensor_desc_element_count(tensor_desc) -> int"),
    METHOD("get_tensor_desc_num_dims", base_get_tensor_desc_num_dims, "get_tensor_desc_num_dims(tensor_desc) -> int"),
    METHOD("get_tensor_desc_dim_v2", base_get_tensor_desc_dim_v2,
           "get_tensor_desc_dim_v2(tensor_desc, index) -> (dim, ret)"),
    {NULL, NULL, 0, NULL},
};
