/*
 * acl.c - the `acl` extension module: initialisation (PyInit_acl), the
 * top-level functions (acl.init, acl.finalize and the data-buffer calls;
 * base.c has the rest of them),
 * the argument parser and the result builders the submodules share.
 *
 * The module follows pyACL's conventions (docs/PYACL.md): handles and
 * pointers are ints, results are `ret` or `(value, ret)`.  Its submodules
 * acl.rt, acl.mdl, acl.prof and acl.util are attributes of the module and
 * are registered in sys.modules, so `import acl.rt` works as well.
 */
#include "shim/pyacl/common.h"

#include <limits.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

/* --- argument parsing ---------------------------------------------------------- */

/* Counts the items of a parser spec. */
static Py_ssize_t spec_items(const char *spec)
{
    Py_ssize_t n = 0;
    for (const char *s = spec; *s;) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        n++;
        while (*s && *s != ' ')
            s++;
    }
    return n;
}

static void type_error(const char *func, Py_ssize_t pos, const char *name, int name_len, const char *what,
                       PyObject *got)
{
    char arg[64];
    snprintf(arg, sizeof arg, "%.*s", name_len, name); /* PyErr_Format has no %.*s */
    PyErr_Format(PyExc_TypeError, "%s(): argument %zd (%s) must be %s, not %.200s", func, pos + 1, arg, what,
                 Py_TYPE(got)->tp_name);
}

/* Converts an int-like object to a long long or unsigned long long; returns
 * 0, ACLPY_RANGE (does not fit) or -1 (exception). */
static int int_value(PyObject *o, int is_unsigned, long long *sv, unsigned long long *uv)
{
    PyObject *n = PyNumber_Index(o);
    if (!n)
        return -1;
    int rc = 0;
    if (is_unsigned) {
        /* Negative values and values above 2^64 - 1 both raise OverflowError. */
        *uv = PyLong_AsUnsignedLongLong(n);
        if (*uv == (unsigned long long)-1 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
                Py_DECREF(n);
                return -1;
            }
            PyErr_Clear();
            rc = ACLPY_RANGE;
        }
    } else {
        int overflow = 0;
        *sv = PyLong_AsLongLongAndOverflow(n, &overflow);
        if (*sv == -1 && PyErr_Occurred()) {
            Py_DECREF(n);
            return -1;
        }
        if (overflow)
            rc = ACLPY_RANGE;
    }
    Py_DECREF(n);
    return rc;
}

int aclpy_args(const char *func, PyObject *const *args, Py_ssize_t nargs, const char *spec, ...)
{
    Py_ssize_t want = spec_items(spec);
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd positional argument%s (%zd given)", func, want,
                     want == 1 ? "" : "s", nargs);
        return -1;
    }
    va_list ap;
    va_start(ap, spec);
    int result = 0;
    Py_ssize_t k = 0;
    for (const char *s = spec; *s && result >= 0; k++) {
        while (*s == ' ')
            s++;
        char code = *s;
        const char *name = s + 2;
        int name_len = 0;
        while (name[name_len] && name[name_len] != ' ')
            name_len++;
        s = name + name_len;
        PyObject *o = args[k];

        if (code == 'o') {
            *va_arg(ap, PyObject **) = o;
            continue;
        }
        if (code == 'f' || code == 'F') {
            PyObject **out = va_arg(ap, PyObject **);
            *out = NULL;
            if (code == 'F' && o == Py_None)
                continue;
            if (!PyUnicode_Check(o) && !PyBytes_Check(o) && !PyObject_HasAttrString(o, "__fspath__")) {
                type_error(func, k, name, name_len, code == 'F' ? "str, bytes, os.PathLike or None" :
                                                                  "str, bytes or os.PathLike", o);
                result = -1;
                break;
            }
            if (!PyUnicode_FSConverter(o, out)) {
                *out = NULL;
                result = -1;
            }
            continue;
        }
        if (!PyIndex_Check(o)) {
            type_error(func, k, name, name_len, "int", o);
            result = -1;
            break;
        }
        long long sv = 0;
        unsigned long long uv = 0;
        int rc = int_value(o, code == 'p' || code == 'z' || code == 'u', &sv, &uv);
        if (rc < 0) {
            result = -1;
            break;
        }
        switch (code) {
        case 'p':
            if (rc == 0 && uv > UINTPTR_MAX)
                rc = ACLPY_RANGE;
            *va_arg(ap, void **) = rc == 0 ? (void *)(uintptr_t)uv : NULL;
            break;
        case 'z':
            if (rc == 0 && uv > SIZE_MAX)
                rc = ACLPY_RANGE;
            *va_arg(ap, size_t *) = rc == 0 ? (size_t)uv : 0;
            break;
        case 'u':
            if (rc == 0 && uv > UINT32_MAX)
                rc = ACLPY_RANGE;
            *va_arg(ap, uint32_t *) = rc == 0 ? (uint32_t)uv : 0;
            break;
        case 'i':
            if (rc == 0 && (sv < INT32_MIN || sv > INT32_MAX))
                rc = ACLPY_RANGE;
            *va_arg(ap, int32_t *) = rc == 0 ? (int32_t)sv : 0;
            break;
        case 'e':
            if (rc == 0 && (sv < INT_MIN || sv > INT_MAX))
                rc = ACLPY_RANGE;
            *va_arg(ap, int *) = rc == 0 ? (int)sv : 0;
            break;
        case 'b':
            if (rc == 0 && (sv < INT8_MIN || sv > INT8_MAX))
                rc = ACLPY_RANGE;
            *va_arg(ap, int8_t *) = rc == 0 ? (int8_t)sv : 0;
            break;
        default:
            PyErr_Format(PyExc_SystemError, "%s(): bad argument spec '%c'", func, code);
            result = -1;
            break;
        }
        if (rc == ACLPY_RANGE)
            result = ACLPY_RANGE; /* keep checking the remaining arguments' types */
    }
    va_end(ap);
    return result;
}

/* --- results ----------------------------------------------------------------------- */

PyObject *aclpy_ret(aclError ret)
{
    return PyLong_FromLong(ret);
}

PyObject *aclpy_ptr(const void *p)
{
    return PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)p);
}

PyObject *aclpy_ptr_ret(const void *p, aclError ret)
{
    return Py_BuildValue("(Ki)", (unsigned long long)(uintptr_t)p, (int)ret);
}

PyObject *aclpy_u64_ret(unsigned long long v, aclError ret)
{
    return Py_BuildValue("(Ki)", v, (int)ret);
}

PyObject *aclpy_str(const char *s, size_t len)
{
    if (len > PY_SSIZE_T_MAX)
        len = 0;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
}

/* --- top-level functions ------------------------------------------------------------ */

static PyObject *py_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
    (void)self;
    static char *kwlist[] = {"config_path", NULL};
    PyObject *cfg = Py_None, *path = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:acl.init", kwlist, &cfg))
        return NULL;
    int rc = aclpy_args("acl.init", &cfg, 1, "F:config_path", &path);
    if (rc < 0)
        return NULL;
    const char *p = path ? PyBytes_AS_STRING(path) : NULL;
    aclError ret;
    ACLPY_NOGIL(ret = aclInit(p));
    Py_XDECREF(path);
    return aclpy_ret(ret);
}

static PyObject *py_finalize(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (aclpy_args("acl.finalize", args, nargs, "") < 0)
        return NULL;
    aclError ret;
    ACLPY_NOGIL(ret = aclFinalize());
    return aclpy_ret(ret);
}

static PyObject *py_create_data_buffer(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    void *ptr;
    size_t size;
    int rc = aclpy_args("acl.create_data_buffer", args, nargs, "p:ptr z:size", &ptr, &size);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE)
        return aclpy_ptr(NULL);
    return aclpy_ptr(aclCreateDataBuffer(ptr, size));
}

static PyObject *py_destroy_data_buffer(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    void *buf;
    int rc = aclpy_args("acl.destroy_data_buffer", args, nargs, "p:data_buffer", &buf);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE || !buf)
        return aclpy_ret(ACL_ERROR_INVALID_PARAM);
    return aclpy_ret(aclDestroyDataBuffer(buf));
}

static PyObject *py_get_data_buffer_addr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    void *buf;
    int rc = aclpy_args("acl.get_data_buffer_addr", args, nargs, "p:data_buffer", &buf);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE || !buf)
        return aclpy_ptr(NULL);
    return aclpy_ptr(aclGetDataBufferAddr(buf));
}

static PyObject *py_get_data_buffer_size_v2(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    void *buf;
    int rc = aclpy_args("acl.get_data_buffer_size_v2", args, nargs, "p:data_buffer", &buf);
    if (rc < 0)
        return NULL;
    if (rc == ACLPY_RANGE || !buf)
        return PyLong_FromLong(0);
    return PyLong_FromSize_t(aclGetDataBufferSizeV2(buf));
}

#define FASTCALL(name, fn, doc) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, PyDoc_STR(doc)}

static PyMethodDef acl_methods[] = {
    {"init", (PyCFunction)(void (*)(void))py_init, METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("init(config_path=None) -> ret\n\naclInit.")},
    FASTCALL("finalize", py_finalize, "finalize() -> ret\n\naclFinalize (the GIL is released)."),
    FASTCALL("create_data_buffer", py_create_data_buffer,
             "create_data_buffer(ptr, size) -> data_buffer\n\naclCreateDataBuffer; 0 on failure."),
    FASTCALL("destroy_data_buffer", py_destroy_data_buffer, "destroy_data_buffer(data_buffer) -> ret"),
    FASTCALL("get_data_buffer_addr", py_get_data_buffer_addr, "get_data_buffer_addr(data_buffer) -> ptr"),
    FASTCALL("get_data_buffer_size_v2", py_get_data_buffer_size_v2, "get_data_buffer_size_v2(data_buffer) -> size"),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef acl_def = {
    PyModuleDef_HEAD_INIT,
    "acl",
    PyDoc_STR("AscendCL for Python, with pyACL's API (aclsub's emulated runtime).\n\n"
              "Submodules: acl.rt, acl.mdl, acl.prof, acl.util.  Handles and pointers are ints (NULL is 0);\n"
              "functions return ret or (value, ret).  See docs/PYACL.md."),
    -1,
    acl_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

/* Adds SUB (a new reference, stolen) as attribute NAME and as sys.modules["acl.NAME"]. */
static int add_submodule(PyObject *m, const char *name, PyObject *sub)
{
    if (!sub)
        return -1;
    char full[32];
    snprintf(full, sizeof full, "acl.%s", name);
    PyObject *modules = PyImport_GetModuleDict();
    if (PyModule_AddObjectRef(m, name, sub) < 0 || PyDict_SetItemString(modules, full, sub) < 0) {
        Py_DECREF(sub);
        return -1;
    }
    Py_DECREF(sub);
    return 0;
}

PyObject *aclpy_module_with(struct PyModuleDef *def, PyMethodDef *extra)
{
    PyObject *m = PyModule_Create(def);
    if (m && PyModule_AddFunctions(m, extra) < 0)
        Py_CLEAR(m);
    return m;
}

PyMODINIT_FUNC PyInit_acl(void)
{
    PyObject *m = aclpy_module_with(&acl_def, aclpy_base_methods);
    if (!m)
        return NULL;
    if (add_submodule(m, "rt", aclpy_rt_module()) < 0 || add_submodule(m, "mdl", aclpy_mdl_module()) < 0 ||
        add_submodule(m, "prof", aclpy_prof_module()) < 0 || add_submodule(m, "util", aclpy_util_module()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
