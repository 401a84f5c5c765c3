/*
 * mdl_dynamic.c - acl.mdl beyond mdl.c: tensors by name, data types and
 * formats, current output dims and the dynamic-gear calls, with pyACL's
 * return shapes: (index, ret); bare ints for data types and formats;
 * dicts for dims and gears, an empty dict when the call fails.  None of
 * them blocks.  mdl.c adds aclpy_mdl_dynamic_methods to acl.mdl.
 */
#include "shim/pyacl/common.h"

#include <string.h>

/* A str argument as UTF-8 (borrowed from the object), or NULL with TypeError set. */
static const char *str_arg(const char *fn, int pos, const char *name, PyObject *o)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s(): argument %d (%s) must be str, not %.200s", fn, pos, name,
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(o);
}

/* get_input_index_by_name / get_output_index_by_name(model_desc, name) -> (index, ret). */
static PyObject *index_by_name(const char *fn, PyObject *const *args, Py_ssize_t nargs, int output)
{
    void *desc;
    PyObject *name_obj;
    int rc = aclpy_args(fn, args, nargs, "p:model_desc o:name", &desc, &name_obj);
    if (rc < 0)
        return NULL;
    const char *name = str_arg(fn, 2, "name", name_obj);
    if (!name)
        return NULL;
    size_t index = 0;
    aclError ret = ACL_ERROR_INVALID_PARAM;
    if (rc == 0 && desc)
        ret = output ? aclmdlGetOutputIndexByName(desc, name, &index) : aclmdlGetInputIndexByName(desc, name, &index);
    return aclpy_u64_ret(ret == ACL_SUCCESS ? index : 0, ret);
}

static PyObject *mdl_get_input_index_by_name(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return index_by_name("acl.mdl.get_input_index_by_name", args, nargs, 0);
}

static PyObject *mdl_get_output_index_by_name(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return index_by_name("acl.mdl.get_output_index_by_name", args, nargs, 1);
}

/* get_{input,output}_{data_type,format}(model_desc, index) -> int (-1 on failure). */
static PyObject *io_kind(const char *fn, PyObject *const *args, Py_ssize_t nargs, int output, int format)
{
    void *desc;
    size_t index;
    int rc = aclpy_args(fn, args, nargs, "p:model_desc z:index", &desc, &index);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE || !desc)
        return PyLong_FromLong(-1);
    if (format)
        return PyLong_FromLong(output ? aclmdlGetOutputFormat(desc, index) : aclmdlGetInputFormat(desc, index));
    return PyLong_FromLong(output ? aclmdlGetOutputDataType(desc, index) : aclmdlGetInputDataType(desc, index));
}

static PyObject *mdl_get_input_data_type(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return io_kind("acl.mdl.get_input_data_type", args, nargs, 0, 0);
}

static PyObject *mdl_get_output_data_type(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return io_kind("acl.mdl.get_output_data_type", args, nargs, 1, 0);
}

static PyObject *mdl_get_input_format(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return io_kind("acl.mdl.get_input_format", args, nargs, 0, 1);
}

static PyObject *mdl_get_output_format(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return io_kind("acl.mdl.get_output_format", args, nargs, 1, 1);
}

/* A list of n unsigned 64-bit ints from v (stride apart), or NULL. */
static PyObject *u64_list(const uint64_t *v, size_t n, size_t stride)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++) {
        PyObject *x = PyLong_FromUnsignedLongLong(v[i * stride]);
        if (!x) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, x);
    }
    return l;
}

#undef FN
#define FN "acl.mdl.get_cur_output_dims"
static PyObject *mdl_get_cur_output_dims(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *desc;
    size_t index;
    ARGS("p:model_desc z:index", &desc, &index);
    static aclmdlIODims d; /* under the GIL */
    memset(&d, 0, sizeof d);
    aclError ret = OUT_OF_RANGE || !desc ? ACL_ERROR_INVALID_PARAM : aclmdlGetCurOutputDims(desc, index, &d);
    if (ret != ACL_SUCCESS)
        return Py_BuildValue("({}i)", (int)ret);
    size_t count = d.dimCount <= ACL_MAX_DIM_CNT ? d.dimCount : ACL_MAX_DIM_CNT;
    PyObject *dims = PyList_New((Py_ssize_t)count);
    for (size_t k = 0; dims && k < count; k++) {
        PyObject *v = PyLong_FromLongLong(d.dims[k]);
        if (!v) {
            Py_CLEAR(dims);
            break;
        }
        PyList_SET_ITEM(dims, (Py_ssize_t)k, v);
    }
    PyObject *name = dims ? aclpy_str(d.name, strnlen(d.name, sizeof d.name)) : NULL;
    if (!name) {
        Py_XDECREF(dims);
        return NULL;
    }
    return Py_BuildValue("({s:N,s:n,s:N}i)", "name", name, "dimCount", (Py_ssize_t)count, "dims", dims, (int)ret);
}

#undef FN
#define FN "acl.mdl.get_dynamic_batch"
static PyObject *mdl_get_dynamic_batch(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *desc;
    ARGS("p:model_desc", &desc);
    static aclmdlBatch b; /* under the GIL */
    memset(&b, 0, sizeof b);
    aclError ret = OUT_OF_RANGE || !desc ? ACL_ERROR_INVALID_PARAM : aclmdlGetDynamicBatch(desc, &b);
    if (ret != ACL_SUCCESS)
        return Py_BuildValue("({}i)", (int)ret);
    size_t n = b.batchCount <= ACL_MAX_BATCH_NUM ? b.batchCount : ACL_MAX_BATCH_NUM;
    PyObject *list = u64_list(b.batch, n, 1);
    if (!list)
        return NULL;
    return Py_BuildValue("({s:n,s:N}i)", "batchCount", (Py_ssize_t)n, "batch", list, (int)ret);
}

#undef FN
#define FN "acl.mdl.get_dynamic_hw"
static PyObject *mdl_get_dynamic_hw(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *desc;
    PyObject *index_obj;
    ARGS("p:model_desc o:index", &desc, &index_obj); /* the index is ignored (-1 is usual) */
    if (!PyIndex_Check(index_obj)) {
        PyErr_Format(PyExc_TypeError, FN "(): argument 2 (index) must be int, not %.200s", Py_TYPE(index_obj)->tp_name);
        return NULL;
    }
    static aclmdlHW hw; /* under the GIL */
    memset(&hw, 0, sizeof hw);
    aclError ret = OUT_OF_RANGE || !desc ? ACL_ERROR_INVALID_PARAM : aclmdlGetDynamicHW(desc, (size_t)-1, &hw);
    if (ret != ACL_SUCCESS)
        return Py_BuildValue("({}i)", (int)ret);
    size_t n = hw.hwCount <= ACL_MAX_HW_NUM ? hw.hwCount : ACL_MAX_HW_NUM;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *pair = u64_list(hw.hw[i], 2, 1);
        if (!pair) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
    if (!list)
        return NULL;
    return Py_BuildValue("({s:n,s:N}i)", "hwCount", (Py_ssize_t)n, "hw", list, (int)ret);
}

#undef FN
#define FN "acl.mdl.set_dynamic_batch_size"
static PyObject *mdl_set_dynamic_batch_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t id;
    void *ds, *batch;
    size_t index;
    ARGS("u:model_id p:dataset z:index p:batch_size", &id, &ds, &index, &batch);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    return aclpy_ret(aclmdlSetDynamicBatchSize(id, ds, index, (uint64_t)(uintptr_t)batch));
}

#undef FN
#define FN "acl.mdl.set_dynamic_hw_size"
static PyObject *mdl_set_dynamic_hw_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t id;
    void *ds, *h, *w;
    size_t index;
    ARGS("u:model_id p:dataset z:index p:height p:width", &id, &ds, &index, &h, &w);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    return aclpy_ret(aclmdlSetDynamicHWSize(id, ds, index, (uint64_t)(uintptr_t)h, (uint64_t)(uintptr_t)w));
}

PyMethodDef aclpy_mdl_dynamic_methods[] = {
    METHOD("get_input_index_by_name", mdl_get_input_index_by_name,
           "get_input_index_by_name(model_desc, name) -> (index, ret)"),
    METHOD("get_output_index_by_name", mdl_get_output_index_by_name,
           "get_output_index_by_name(model_desc, name) -> (index, ret)"),
    METHOD("get_input_data_type", mdl_get_input_data_type, "get_input_data_type(model_desc, index) -> int"),
    METHOD("get_output_data_type", mdl_get_output_data_type, "get_output_data_type(model_desc, index) -> int"),
    METHOD("get_input_format", mdl_get_input_format, "get_input_format(model_desc, index) -> int"),
    METHOD("get_output_format", mdl_get_output_format, "get_output_format(model_desc, index) -> int"),
    METHOD("get_cur_output_dims", mdl_get_cur_output_dims,
           "get_cur_output_dims(model_desc, index) -> ({'name', 'dimCount', 'dims'}, ret); ({}, ret) on failure"),
    METHOD("get_dynamic_batch", mdl_get_dynamic_batch,
           "get_dynamic_batch(model_desc) -> ({'batchCount', 'batch'}, ret); ({}, ret) on failure"),
    METHOD("get_dynamic_hw", mdl_get_dynamic_hw,
           "get_dynamic_hw(model_desc, index) -> ({'hwCount', 'hw'}, ret); ({}, ret) on failure"),
    METHOD("set_dynamic_batch_size", mdl_set_dynamic_batch_size,
           "set_dynamic_batch_size(model_id, dataset, index, batch_size) -> ret"),
    METHOD("set_dynamic_hw_size", mdl_set_dynamic_hw_size,
           "set_dynamic_hw_size(model_id, dataset, index, height, width) -> ret"),
    {NULL, NULL, 0, NULL},
};
