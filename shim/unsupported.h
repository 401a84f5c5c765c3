/*
 * unsupported.h - how the emulated runtime exports the vendor's functions it
 * cannot honour (shim/unsupported_*.c, one file per public header).
 *
 * Rule: such a function is exported with the vendor's exact signature, so
 * that every program written against the vendor's headers links; the first
 * call in a process writes one line on stderr, "libascendcl: NAME is not
 * supported on the emulated device", and every call answers the vendor's
 * failure value for its return type: ACL_ERROR_FEATURE_UNSUPPORTED for an
 * aclError, NULL for a pointer or handle, the documented value otherwise,
 * nothing for void.  Never a pretended success.
 *
 * One macro per return type; each takes the name and the parenthesised
 * parameter list as the header declares them:
 *
 *     EMU_UNSUPPORTED(aclrtSetTsDevice, (aclrtTsId tsId))
 *     EMU_UNSUPPORTED_PTR(aclrtGroupInfo *, aclrtCreateGroupInfo, (void))
 *     EMU_UNSUPPORTED_VALUE(uint64_t, 0, aclprofStr2Id, (const char *message))
 *     EMU_UNSUPPORTED_VOID(aclprofDestroyStamp, (void *stamp))
 *
 * The files that use them turn off -Wunused-parameter: the parameters are
 * there only for the signature.
 */
#ifndef ACLSUB_SHIM_UNSUPPORTED_H_
#define ACLSUB_SHIM_UNSUPPORTED_H_

#include <stdatomic.h>
#include <stddef.h>

#include "acl/acl.h"
#include "acl/acl_prof.h"

/* Writes the line for `name` unless *told is already set (then it does nothing). */
void emu_unsupported_once(atomic_flag *told, const char *name);

#define EMU_TELL_UNSUPPORTED(name)                                                                                     \
    static atomic_flag told_ = ATOMIC_FLAG_INIT;                                                                       \
    emu_unsupported_once(&told_, #name)

#define EMU_UNSUPPORTED(name, params)                                                                                  \
    aclError name params                                                                                               \
    {                                                                                                                  \
        EMU_TELL_UNSUPPORTED(name);                                                                                    \
        return ACL_ERROR_FEATURE_UNSUPPORTED;                                                                          \
    }

#define EMU_UNSUPPORTED_PTR(type, name, params)                                                                        \
    type name params                                                                                                   \
    {                                                                                                                  \
        EMU_TELL_UNSUPPORTED(name);                                                                                    \
        return NULL;                                                                                                   \
    }

#define EMU_UNSUPPORTED_VALUE(type, value, name, params)                                                               \
    type name params                                                                                                   \
    {                                                                                                                  \
        EMU_TELL_UNSUPPORTED(name);                                                                                    \
        return value;                                                                                                  \
    }

#define EMU_UNSUPPORTED_VOID(name, params)                                                                             \
    void name params                                                                                                   \
    {                                                                                                                  \
        EMU_TELL_UNSUPPORTED(name);                                                                                    \
    }

#endif /* ACLSUB_SHIM_UNSUPPORTED_H_ */
