/*
 * mdl.c - acl.mdl: loading offline models, model descriptions, datasets and
 * execution (aclmdl*), with pyACL's conventions (mdl_dynamic.c adds the
 * by-name, type, format and dynamic-gear calls).  Loading, unloading and
 * executing run with the GIL released: they can wait for the device, and a
 * subscribed model's records may need a Python reader thread to make room
 * in its pipe.
 */
#include "shim/pyacl/common.h"

#include <string.h>

/* ret for functions that return an error code, when an argument is out of range. */
#define BAD_PARAM aclpy_ret(ACL_ERROR_INVALID_PARAM)

#undef FN
#define FN "acl.mdl.load_from_file"
static PyObject *mdl_load_from_file(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *path = NULL;
    ARGS("f:model_path", &path);
    (void)rc_;
    uint32_t id = 0;
    aclError ret;
    const char *p = PyBytes_AS_STRING(path);
    ACLPY_NOGIL(ret = aclmdlLoadFromFile(p, &id));
    Py_DECREF(path);
    return aclpy_u64_ret(ret == ACL_SUCCESS ? id : 0, ret);
}

#undef FN
#define FN "acl.mdl.load_from_mem"
static PyObject *mdl_load_from_mem(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *model;
    size_t size;
    ARGS("p:model z:model_size", &model, &size);
    if (OUT_OF_RANGE || !model)
        return aclpy_u64_ret(0, ACL_ERROR_INVALID_PARAM);
    uint32_t id = 0;
    aclError ret;
    ACLPY_NOGIL(ret = aclmdlLoadFromMem(model, size, &id));
    return aclpy_u64_ret(ret == ACL_SUCCESS ? id : 0, ret);
}

#undef FN
#define FN "acl.mdl.load_from_file_with_mem"
static PyObject *mdl_load_from_file_with_mem(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *path = NULL;
    void *work, *weight;
    size_t work_size, weight_size;
    int rc_ = aclpy_args(FN, args, nargs, "f:model_path p:work_ptr z:work_size p:weight_ptr z:weight_size", &path,
                         &work, &work_size, &weight, &weight_size);
    if (rc_ < 0) {
        Py_XDECREF(path);
        return NULL;
    }
    if (OUT_OF_RANGE) {
        Py_DECREF(path);
        return aclpy_u64_ret(0, ACL_ERROR_INVALID_PARAM);
    }
    uint32_t id = 0;
    aclError ret;
    const char *p = PyBytes_AS_STRING(path);
    ACLPY_NOGIL(ret = aclmdlLoadFromFileWithMem(p, &id, work, work_size, weight, weight_size));
    Py_DECREF(path);
    return aclpy_u64_ret(ret == ACL_SUCCESS ? id : 0, ret);
}

#undef FN
#define FN "acl.mdl.query_size"
static PyObject *mdl_query_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    PyObject *path = NULL;
    ARGS("f:model_path", &path);
    (void)rc_;
    size_t work = 0, weight = 0;
    aclError ret;
    const char *p = PyBytes_AS_STRING(path);
    ACLPY_NOGIL(ret = aclmdlQuerySize(p, &work, &weight));
    Py_DECREF(path);
    if (ret != ACL_SUCCESS)
        work = weight = 0;
    return Py_BuildValue("(KKi)", (unsigned long long)work, (unsigned long long)weight, (int)ret);
}

#undef FN
#define FN "acl.mdl.unload"
static PyObject *mdl_unload(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t id;
    ARGS("u:model_id", &id);
    if (OUT_OF_RANGE)
        return BAD_PARAM;
    aclError ret;
    ACLPY_NOGIL(ret = aclmdlUnload(id));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.mdl.execute"
static PyObject *mdl_execute(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t id;
    void *in, *out;
    ARGS("u:model_id p:input p:output", &id, &in, &out);
    if (OUT_OF_RANGE)
        return BAD_PARAM;
    aclError ret;
    ACLPY_NOGIL(ret = aclmdlExecute(id, in, out));
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.mdl.execute_async"
static PyObject *mdl_execute_async(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t id;
    void *in, *out, *stream;
    ARGS("u:model_id p:input p:output p:stream", &id, &in, &out, &stream);
    if (OUT_OF_RANGE)
        return BAD_PARAM;
    aclError ret;
    ACLPY_NOGIL(ret = aclmdlExecuteAsync(id, in, out, stream));
    return aclpy_ret(ret);
}

/* --- descriptions -------------------------------------------------------------------- */

#undef FN
#define FN "acl.mdl.create_desc"
static PyObject *mdl_create_desc(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    return aclpy_ptr(aclmdlCreateDesc());
}

#undef FN
#define FN "acl.mdl.destroy_desc"
static PyObject *mdl_destroy_desc(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *desc;
    ARGS("p:model_desc", &desc);
    if (OUT_OF_RANGE || !desc)
        return BAD_PARAM;
    return aclpy_ret(aclmdlDestroyDesc(desc));
}

#undef FN
#define FN "acl.mdl.get_desc"
static PyObject *mdl_get_desc(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *desc;
    uint32_t id;
    ARGS("p:model_desc u:model_id", &desc, &id);
    if (OUT_OF_RANGE || !desc)
        return BAD_PARAM;
    return aclpy_ret(aclmdlGetDesc(desc, id));
}

/* get_num_inputs / get_num_outputs: a bare count, 0 on failure. */
static PyObject *num_io(const char *fn, PyObject *const *args, Py_ssize_t nargs, int output)
{
    void *desc;
    int rc = aclpy_args(fn, args, nargs, "p:model_desc", &desc);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE || !desc)
        return PyLong_FromLong(0);
    return PyLong_FromSize_t(output ? aclmdlGetNumOutputs(desc) : aclmdlGetNumInputs(desc));
}

static PyObject *mdl_get_num_inputs(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return num_io("acl.mdl.get_num_inputs", args, nargs, 0);
}

static PyObject *mdl_get_num_outputs(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return num_io("acl.mdl.get_num_outputs", args, nargs, 1);
}

/* get_input_size_by_index / get_output_size_by_index: bytes, 0 on failure. */
static PyObject *size_io(const char *fn, PyObject *const *args, Py_ssize_t nargs, int output)
{
    void *desc;
    size_t index;
    int rc = aclpy_args(fn, args, nargs, "p:model_desc z:index", &desc, &index);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE || !desc)
        return PyLong_FromLong(0);
    return PyLong_FromSize_t(output ? aclmdlGetOutputSizeByIndex(desc, index) : aclmdlGetInputSizeByIndex(desc, index));
}

static PyObject *mdl_get_input_size_by_index(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return size_io("acl.mdl.get_input_size_by_index", args, nargs, 0);
}

static PyObject *mdl_get_output_size_by_index(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return size_io("acl.mdl.get_output_size_by_index", args, nargs, 1);
}

/* get_input_dims / get_output_dims: ({"name", "dimCount", "dims"}, ret); on
 * failure the dict holds "", 0 and []. */
static PyObject *dims_io(const char *fn, PyObject *const *args, Py_ssize_t nargs, int output)
{
    void *desc;
    size_t index;
    int rc = aclpy_args(fn, args, nargs, "p:model_desc z:index", &desc, &index);
    if (rc < 0)
        return NULL;
    aclmdlIODims d;
    memset(&d, 0, sizeof d);
    aclError ret = ACL_ERROR_INVALID_PARAM;
    if (rc == 0 && desc)
        ret = output ? aclmdlGetOutputDims(desc, index, &d) : aclmdlGetInputDims(desc, index, &d);
    if (ret != ACL_SUCCESS)
        memset(&d, 0, sizeof d);
    size_t count = d.dimCount <= ACL_MAX_DIM_CNT ? d.dimCount : ACL_MAX_DIM_CNT;
    PyObject *dims = PyList_New((Py_ssize_t)count);
    if (!dims)
        return NULL;
    for (size_t k = 0; k < count; k++) {
        PyObject *v = PyLong_FromLongLong(d.dims[k]);
        if (!v) {
            Py_DECREF(dims);
            return NULL;
        }
        PyList_SET_ITEM(dims, (Py_ssize_t)k, v);
    }
    PyObject *name = aclpy_str(d.name, strnlen(d.name, sizeof d.name));
    if (!name) {
        Py_DECREF(dims);
        return NULL;
    }
    return Py_BuildValue("({s:N,s:n,s:N}i)", "name", name, "dimCount", (Py_ssize_t)count, "dims", dims, (int)ret);
}

static PyObject *mdl_get_input_dims(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return dims_io("acl.mdl.get_input_dims", args, nargs, 0);
}

static PyObject *mdl_get_output_dims(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return dims_io("acl.mdl.get_output_dims", args, nargs, 1);
}

/* --- datasets -------------------------------------------------------------------------- */

#undef FN
#define FN "acl.mdl.create_dataset"
static PyObject *mdl_create_dataset(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    return aclpy_ptr(aclmdlCreateDataset());
}

#undef FN
#define FN "acl.mdl.destroy_dataset"
static PyObject *mdl_destroy_dataset(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ds;
    ARGS("p:dataset", &ds);
    if (OUT_OF_RANGE || !ds)
        return BAD_PARAM;
    return aclpy_ret(aclmdlDestroyDataset(ds));
}

#undef FN
#define FN "acl.mdl.add_dataset_buffer"
static PyObject *mdl_add_dataset_buffer(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ds, *buf;
    ARGS("p:dataset p:data_buffer", &ds, &buf);
    if (OUT_OF_RANGE || !ds || !buf)
        return aclpy_ptr_ret(OUT_OF_RANGE ? NULL : ds, ACL_ERROR_INVALID_PARAM);
    return aclpy_ptr_ret(ds, aclmdlAddDatasetBuffer(ds, buf));
}

#undef FN
#define FN "acl.mdl.get_dataset_num_buffers"
static PyObject *mdl_get_dataset_num_buffers(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ds;
    ARGS("p:dataset", &ds);
    if (OUT_OF_RANGE || !ds)
        return PyLong_FromLong(0);
    return PyLong_FromSize_t(aclmdlGetDatasetNumBuffers(ds));
}

#undef FN
#define FN "acl.mdl.get_dataset_buffer"
static PyObject *mdl_get_dataset_buffer(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *ds;
    size_t index;
    ARGS("p:dataset z:index", &ds, &index);
    if (OUT_OF_RANGE || !ds)
        return aclpy_ptr(NULL);
    return aclpy_ptr(aclmdlGetDatasetBuffer(ds, index));
}

static PyMethodDef mdl_methods[] = {
    METHOD("load_from_file", mdl_load_from_file, "load_from_file(model_path) -> (model_id, ret)"),
    METHOD("load_from_mem", mdl_load_from_mem, "load_from_mem(model_ptr, model_size) -> (model_id, ret)"),
    METHOD("load_from_file_with_mem", mdl_load_from_file_with_mem,
           "load_from_file_with_mem(model_path, work_ptr, work_size, weight_ptr, weight_size) -> (model_id, ret)"),
    METHOD("query_size", mdl_query_size, "query_size(model_path) -> (work_size, weight_size, ret)"),
    METHOD("unload", mdl_unload, "unload(model_id) -> ret (the GIL is released)"),
    METHOD("execute", mdl_execute, "execute(model_id, input, output) -> ret (the GIL is released)"),
    METHOD("execute_async", mdl_execute_async,
           "execute_async(model_id, input, output, stream) -> ret (the GIL is released)"),
    METHOD("create_desc", mdl_create_desc, "create_desc() -> model_desc (0 on failure)"),
    METHOD("destroy_desc", mdl_destroy_desc, "destroy_desc(model_desc) -> ret"),
    METHOD("get_desc", mdl_get_desc, "get_desc(model_desc, model_id) -> ret"),
    METHOD("get_num_inputs", mdl_get_num_inputs, "get_num_inputs(model_desc) -> int"),
    METHOD("get_num_outputs", mdl_get_num_outputs, "get_num_outputs(model_desc) -> int"),
    METHOD("get_input_size_by_index", mdl_get_input_size_by_index, "get_input_size_by_index(model_desc, index) -> int"),
    METHOD("get_output_size_by_index", mdl_get_output_size_by_index,
           "get_output_size_by_index(model_desc, index) -> int"),
    METHOD("get_input_dims", mdl_get_input_dims,
           "get_input_dims(model_desc, index) -> ({'name', 'dimCount', 'dims'}, ret)"),
    METHOD("get_output_dims", mdl_get_output_dims,
           "get_output_dims(model_desc, index) -> ({'name', 'dimCount', 'dims'}, ret)"),
    METHOD("create_dataset", mdl_create_dataset, "create_dataset() -> dataset (0 on failure)"),
    METHOD("destroy_dataset", mdl_destroy_dataset, "destroy_dataset(dataset) -> ret"),
    METHOD("add_dataset_buffer", mdl_add_dataset_buffer, "add_dataset_buffer(dataset, data_buffer) -> (dataset, ret)"),
    METHOD("get_dataset_num_buffers", mdl_get_dataset_num_buffers, "get_dataset_num_buffers(dataset) -> int"),
    METHOD("get_dataset_buffer", mdl_get_dataset_buffer, "get_dataset_buffer(dataset, index) -> data_buffer"),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef mdl_def = {
    PyModuleDef_HEAD_INIT, "acl.mdl", PyDoc_STR("AscendCL models: loading, descriptions, datasets, execution."),
    -1,                    mdl_methods, NULL, NULL, NULL, NULL,
};

PyObject *aclpy_mdl_module(void)
{
    return aclpy_module_with(&mdl_def, aclpy_mdl_dynamic_methods);
}
