/*
 * prof.c - acl.prof: model subscription and the operator record accessors
 * (aclprof*), with pyACL's conventions.
 *
 * create_subscribe_config(time_info, metrics, fd) hands AscendCL a pointer
 * to an int holding fd.  Each config gets an allocation of its own for that
 * int, which lives exactly as long as the config (until
 * destroy_subscribe_config succeeds), so a runtime that keeps the pointer
 * and reads it at subscription time always finds the right descriptor.  (The
 * vendor's pyACL keeps the ints in one growing array, whose reallocation can
 * leave the pointers of earlier configs dangling.)
 *
 * The string getters come in three forms: get_op_type(ptr, len, i, buf_len)
 * calls the C function with a buffer of buf_len bytes; get_op_type_len gives
 * the length the C function needs (NUL included); get_op_type_v2 asks that
 * length and then fetches, so it never truncates.  Strings decode as UTF-8
 * with errors='surrogateescape' (operator names are arbitrary bytes).
 */
#include "shim/pyacl/common.h"

#include <string.h>

/* The largest string length the asked-length query form trusts (no record string is longer). */
#define MAX_STRING_BUFFER (1u << 20)
/* pyACL refuses a caller's buffer length above this with ("", ACL_ERROR_INVALID_PARAM). */
#define PYACL_MAX_STRING_LEN 4096u

/* --- subscription configs and their descriptors ------------------------------------------- */

struct cfg_slot {
    aclprofSubscribeConfig *cfg;
    int fd; /* the int AscendCL was given a pointer to; never moves */
};

/* The live configs.  The array of pointers may move as it grows; the slots
 * themselves never do.  Every access holds the GIL. */
static struct cfg_slot **slots;
static size_t n_slots, cap_slots;

static int slot_add(struct cfg_slot *s)
{
    if (n_slots == cap_slots) {
        size_t cap = cap_slots ? 2 * cap_slots : 16;
        struct cfg_slot **grown = PyMem_RawRealloc(slots, cap * sizeof *grown);
        if (!grown)
            return -1;
        slots = grown;
        cap_slots = cap;
    }
    slots[n_slots++] = s;
    return 0;
}

static size_t slot_find(const void *cfg)
{
    for (size_t k = n_slots; k-- > 0;)
        if (slots[k]->cfg == cfg)
            return k;
    return (size_t)-1;
}

#undef FN
#define FN "acl.prof.create_subscribe_config"
static PyObject *prof_create_subscribe_config(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    int8_t time_info;
    int metrics, fd;
    ARGS("b:time_info e:aicore_metrics e:fd", &time_info, &metrics, &fd);
    if (OUT_OF_RANGE)
        return aclpy_ptr(NULL);
    struct cfg_slot *s = PyMem_RawMalloc(sizeof *s);
    if (!s)
        return aclpy_ptr(NULL);
    s->fd = fd;
    s->cfg = aclprofCreateSubscribeConfig(time_info, (aclprofAicoreMetrics)metrics, &s->fd);
    if (!s->cfg || slot_add(s) < 0) {
        if (s->cfg)
            aclprofDestroySubscribeConfig(s->cfg);
        PyMem_RawFree(s);
        return aclpy_ptr(NULL);
    }
    return aclpy_ptr(s->cfg);
}

#undef FN
#define FN "acl.prof.destroy_subscribe_config"
static PyObject *prof_destroy_subscribe_config(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *cfg;
    ARGS("p:subscribe_config", &cfg);
    if (OUT_OF_RANGE || !cfg)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret = aclprofDestroySubscribeConfig(cfg);
    if (ret == ACL_SUCCESS) {
        size_t k = slot_find(cfg);
        if (k != (size_t)-1) {
            PyMem_RawFree(slots[k]);
            slots[k] = slots[--n_slots];
        }
    }
    return aclpy_ret(ret);
}

#undef FN
#define FN "acl.prof.model_subscribe"
static PyObject *prof_model_subscribe(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    uint32_t id;
    void *cfg;
    ARGS("u:model_id p:subscribe_config", &id, &cfg);
    if (OUT_OF_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclprofModelSubscribe(id, cfg));
    return aclpy_ret(ret);
}

/* model_un_subscribe and model_unsubscribe: flushes the model's records into
 * the pipe, which may need the Python reader: the GIL is released. */
static PyObject *unsubscribe(const char *fn, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t id;
    int rc = aclpy_args(fn, args, nargs, "u:model_id", &id);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    aclError ret;
    ACLPY_NOGIL(ret = aclprofModelUnSubscribe(id));
    return aclpy_ret(ret);
}

static PyObject *prof_model_un_subscribe(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return unsubscribe("acl.prof.model_un_subscribe", args, nargs);
}

static PyObject *prof_model_unsubscribe(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    return unsubscribe("acl.prof.model_unsubscribe", args, nargs);
}

/* --- accessors --------------------------------------------------------------------------- */

#undef FN
#define FN "acl.prof.get_op_desc_size"
static PyObject *prof_get_op_desc_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    ARGS0();
    size_t size = 0;
    aclError ret = aclprofGetOpDescSize(&size);
    return aclpy_u64_ret(ret == ACL_SUCCESS ? size : 0, ret);
}

#undef FN
#define FN "acl.prof.get_op_num"
static PyObject *prof_get_op_num(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    UNUSED_SELF;
    void *info;
    size_t len;
    ARGS("p:op_info z:op_info_len", &info, &len);
    if (OUT_OF_RANGE)
        return aclpy_u64_ret(0, ACL_ERROR_INVALID_PARAM);
    uint32_t num = 0;
    aclError ret = aclprofGetOpNum(info, len, &num);
    return aclpy_u64_ret(ret == ACL_SUCCESS ? num : 0, ret);
}

enum str_field { FIELD_TYPE, FIELD_NAME };
enum str_form { FORM_LEN, FORM_BUFFER, FORM_V2 };

static aclError field_len(enum str_field f, const void *info, size_t len, uint32_t i, size_t *out)
{
    return f == FIELD_TYPE ? aclprofGetOpTypeLen(info, len, i, out) : aclprofGetOpNameLen(info, len, i, out);
}

static aclError field_get(enum str_field f, const void *info, size_t len, uint32_t i, char *buf, size_t buf_len)
{
    return f == FIELD_TYPE ? aclprofGetOpType(info, len, i, buf, buf_len) : aclprofGetOpName(info, len, i, buf, buf_len);
}

/* The failure result of each form. */
static PyObject *str_failure(enum str_form form, aclError ret)
{
    if (form == FORM_LEN)
        return aclpy_u64_ret(0, ret);
    if (form == FORM_V2)
        return Py_BuildValue("(Oi)", Py_None, (int)ret);
    return Py_BuildValue("(si)", "", (int)ret);
}

static PyObject *op_string(const char *fn, PyObject *const *args, Py_ssize_t nargs, enum str_field field,
                           enum str_form form)
{
    void *info;
    size_t len, buf_len = 0;
    uint32_t i;
    int rc = form == FORM_BUFFER
                 ? aclpy_args(fn, args, nargs, "p:op_info z:op_info_len u:index z:buf_len", &info, &len, &i, &buf_len)
                 : aclpy_args(fn, args, nargs, "p:op_info z:op_info_len u:index", &info, &len, &i);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE)
        return str_failure(form, ACL_ERROR_INVALID_PARAM);
    aclError ret;
    if (form != FORM_BUFFER) {
        size_t need = 0;
        ret = field_len(field, info, len, i, &need);
        if (form == FORM_LEN || ret != ACL_SUCCESS)
            return ret == ACL_SUCCESS ? aclpy_u64_ret(need, ret) : str_failure(form, ret);
        if (need == 0 || need > MAX_STRING_BUFFER)
            return str_failure(form, ACL_ERROR_INVALID_PARAM);
        buf_len = need;
    } else if (buf_len > PYACL_MAX_STRING_LEN) {
        return str_failure(form, ACL_ERROR_INVALID_PARAM); /* as pyACL: no string buffer over 4096 */
    }
    char *buf = PyMem_Malloc(buf_len ? buf_len : 1);
    if (!buf)
        return PyErr_NoMemory();
    buf[0] = '\0';
    ret = field_get(field, info, len, i, buf, buf_len);
    PyObject *result;
    if (ret != ACL_SUCCESS) {
        result = str_failure(form, ret);
    } else {
        PyObject *s = aclpy_str(buf, strnlen(buf, buf_len));
        result = s ? Py_BuildValue("(Ni)", s, (int)ret) : NULL;
    }
    PyMem_Free(buf);
    return result;
}

#define STRING_GETTER(pyname, field, form)                                                                             \
    static PyObject *prof_##pyname(PyObject *self, PyObject *const *args, Py_ssize_t nargs)                            \
    {                                                                                                                  \
        UNUSED_SELF;                                                                                                   \
        return op_string("acl.prof." #pyname, args, nargs, field, form);                                               \
    }
STRING_GETTER(get_op_type_len, FIELD_TYPE, FORM_LEN)
STRING_GETTER(get_op_type, FIELD_TYPE, FORM_BUFFER)
STRING_GETTER(get_op_type_v2, FIELD_TYPE, FORM_V2)
STRING_GETTER(get_op_name_len, FIELD_NAME, FORM_LEN)
STRING_GETTER(get_op_name, FIELD_NAME, FORM_BUFFER)
STRING_GETTER(get_op_name_v2, FIELD_NAME, FORM_V2)

/* get_op_start / get_op_end / get_op_duration: a bare int, 0 on failure;
 * get_model_id: a bare int, (size_t)-1 on failure. */
enum num_field { NUM_START, NUM_END, NUM_DURATION, NUM_MODEL_ID };

static PyObject *op_number(const char *fn, PyObject *const *args, Py_ssize_t nargs, enum num_field field)
{
    void *info;
    size_t len;
    uint32_t i;
    int rc = aclpy_args(fn, args, nargs, "p:op_info z:op_info_len u:index", &info, &len, &i);
    if (rc < 0)
        return NULL;
    unsigned long long v;
    if (rc == ACLPY_RANGE)
        v = field == NUM_MODEL_ID ? (unsigned long long)ACL_PROF_INVALID_MODEL_ID : 0;
    else if (field == NUM_START)
        v = aclprofGetOpStart(info, len, i);
    else if (field == NUM_END)
        v = aclprofGetOpEnd(info, len, i);
    else if (field == NUM_DURATION)
        v = aclprofGetOpDuration(info, len, i);
    else
        v = aclprofGetModelId(info, len, i);
    return PyLong_FromUnsignedLongLong(v);
}

#define NUMBER_GETTER(pyname, field)                                                                                   \
    static PyObject *prof_##pyname(PyObject *self, PyObject *const *args, Py_ssize_t nargs)                            \
    {                                                                                                                  \
        UNUSED_SELF;                                                                                                   \
        return op_number("acl.prof." #pyname, args, nargs, field);                                                     \
    }
NUMBER_GETTER(get_op_start, NUM_START)
NUMBER_GETTER(get_op_end, NUM_END)
NUMBER_GETTER(get_op_duration, NUM_DURATION)
NUMBER_GETTER(get_model_id, NUM_MODEL_ID)

static PyMethodDef prof_methods[] = {
    METHOD("create_subscribe_config", prof_create_subscribe_config,
           "create_subscribe_config(time_info, aicore_metrics, fd) -> subscribe_config (0 on failure)"),
    METHOD("destroy_subscribe_config", prof_destroy_subscribe_config, "destroy_subscribe_config(subscribe_config) -> ret"),
    METHOD("model_subscribe", prof_model_subscribe, "model_subscribe(model_id, subscribe_config) -> ret"),
    METHOD("model_un_subscribe", prof_model_un_subscribe,
           "model_un_subscribe(model_id) -> ret (flushes the records; the GIL is released)"),
    METHOD("model_unsubscribe", prof_model_unsubscribe, "model_unsubscribe(model_id) -> ret (as model_un_subscribe)"),
    METHOD("get_op_desc_size", prof_get_op_desc_size, "get_op_desc_size() -> (size, ret)"),
    METHOD("get_op_num", prof_get_op_num, "get_op_num(op_info, op_info_len) -> (number, ret)"),
    METHOD("get_op_type_len", prof_get_op_type_len, "get_op_type_len(op_info, op_info_len, index) -> (len, ret)"),
    METHOD("get_op_type", prof_get_op_type,
           "get_op_type(op_info, op_info_len, index, buf_len) -> (str, ret); ('', ret) on failure"),
    METHOD("get_op_type_v2", prof_get_op_type_v2,
           "get_op_type_v2(op_info, op_info_len, index) -> (str, ret); (None, ret) on failure"),
    METHOD("get_op_name_len", prof_get_op_name_len, "get_op_name_len(op_info, op_info_len, index) -> (len, ret)"),
    METHOD("get_op_name", prof_get_op_name,
           "get_op_name(op_info, op_info_len, index, buf_len) -> (str, ret); ('', ret) on failure"),
    METHOD("get_op_name_v2", prof_get_op_name_v2,
           "get_op_name_v2(op_info, op_info_len, index) -> (str, ret); (None, ret) on failure"),
    METHOD("get_op_start", prof_get_op_start, "get_op_start(op_info, op_info_len, index) -> ns (0 on failure)"),
    METHOD("get_op_end", prof_get_op_end, "get_op_end(op_info, op_info_len, index) -> ns (0 on failure)"),
    METHOD("get_op_duration", prof_get_op_duration, "get_op_duration(op_info, op_info_len, index) -> ns (0 on failure)"),
    METHOD("get_model_id", prof_get_model_id,
           "get_model_id(op_info, op_info_len, index) -> model_id ((size_t)-1 on failure)"),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef prof_def = {
    PyModuleDef_HEAD_INIT, "acl.prof", PyDoc_STR("AscendCL profiling: model subscription and operator records."),
    -1,                    prof_methods, NULL, NULL, NULL, NULL,
};

PyObject *aclpy_prof_module(void)
{
    return PyModule_Create(&prof_def);
}
