/*
 * common.h - shared declarations of the `acl` Python module (pyACL's API over
 * AscendCL): argument parsing with pyACL's conventions, result builders and
 * the submodules' constructors.
 *
 * Conventions (docs/PYACL.md): handles and pointers are Python ints (NULL is
 * 0); every function takes positional arguments only; an argument of the
 * wrong type raises TypeError naming the function and the argument; an
 * integer argument outside the range of its C type makes the function return
 * its failure value (ACL_ERROR_INVALID_PARAM for the functions that return
 * an error code) without calling AscendCL.
 */
#ifndef ACLSUB_PYACL_COMMON_H_
#define ACLSUB_PYACL_COMMON_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

/*
 * Parses the positional arguments of FUNC (its full name, "acl.rt.malloc")
 * against SPEC, a space-separated list of "CODE:NAME" items, storing each
 * value through the next variadic pointer:
 *
 *   p  pointer or handle   void **      int in [0, 2^64)
 *   z  size                size_t *     int in [0, SIZE_MAX]
 *   u  32-bit unsigned     uint32_t *   int in [0, 2^32)
 *   i  32-bit signed       int32_t *    int in [-2^31, 2^31)
 *   e  C int (enums)       int *        int in [INT_MIN, INT_MAX]
 *   b  8-bit signed        int8_t *     int in [-128, 127]
 *   f  file system path    PyObject **  str, bytes or os.PathLike; a new
 *                                       bytes reference the caller releases
 *                                       (also when the parse fails later)
 *   F  as f, or None       PyObject **  None gives NULL
 *   o  any object          PyObject **  borrowed
 *
 * "Int" means an int or any object with __index__ (numpy integers).
 * Returns 0 when every argument fits, ACLPY_RANGE when all have the right
 * types but one is out of range (the caller returns its failure value), and
 * -1 with TypeError (or ValueError for a path with a NUL byte) set.
 */
#define ACLPY_RANGE 1
int aclpy_args(const char *func, PyObject *const *args, Py_ssize_t nargs, const char *spec, ...);

/* Result builders; each returns a new reference or NULL with an exception set. */
PyObject *aclpy_ret(aclError ret);                        /* ret */
PyObject *aclpy_ptr(const void *p);                       /* handle as an int */
PyObject *aclpy_ptr_ret(const void *p, aclError ret);     /* (handle, ret) */
PyObject *aclpy_u64_ret(unsigned long long v, aclError ret); /* (value, ret) */
PyObject *aclpy_str(const char *s, size_t len);           /* UTF-8, surrogateescape */

/* Calls STMT with the GIL released. */
#define ACLPY_NOGIL(stmt)                                                                                              \
    do {                                                                                                               \
        Py_BEGIN_ALLOW_THREADS stmt;                                                                                   \
        Py_END_ALLOW_THREADS                                                                                           \
    } while (0)

/*
 * Inside a METH_FASTCALL function (self, args, nargs) whose full name is the
 * macro FN: ARGS parses the arguments (returning NULL on a TypeError),
 * OUT_OF_RANGE then tells whether one did not fit its C type.
 */
#define ARGS(spec, ...)                                                                                                \
    int rc_ = aclpy_args(FN, args, nargs, spec, __VA_ARGS__);                                                          \
    if (rc_ < 0)                                                                                                       \
        return NULL
#define ARGS0()                                                                                                        \
    if (aclpy_args(FN, args, nargs, "") < 0)                                                                           \
        return NULL
#define OUT_OF_RANGE (rc_ == ACLPY_RANGE)
#define UNUSED_SELF (void)self

#define METHOD(name, fn, doc) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, PyDoc_STR(doc)}

/* Method tables of the files that extend a module (base.c, rt_report.c, mdl_dynamic.c). */
extern PyMethodDef aclpy_base_methods[];
extern PyMethodDef aclpy_rt_report_methods[];
extern PyMethodDef aclpy_mdl_dynamic_methods[];
/* A new module from DEF with the functions of EXTRA added, or NULL. */
PyObject *aclpy_module_with(struct PyModuleDef *def, PyMethodDef *extra);

/* The submodules; each returns a new module object or NULL. */
PyObject *aclpy_rt_module(void);
PyObject *aclpy_mdl_module(void);
PyObject *aclpy_prof_module(void);
PyObject *aclpy_util_module(void);

#endif /* ACLSUB_PYACL_COMMON_H_ */
