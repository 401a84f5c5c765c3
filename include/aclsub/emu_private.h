/*
 * aclsub/emu_private.h - what the emulated runtime (libascendcl.so) offers
 * the interposer (libaclsub.so) beyond the AscendCL surface.  The
 * interposer finds these with dlsym and does without them over the
 * vendor's runtime; programs never call them.
 *
 * The device keeps one set of subscribe settings (time info, AI Core
 * metrics) that every subscription must match, as the vendor's does.  The
 * interposer's own subscriptions stay out of it, and the program's
 * subscriptions that the interposer serves itself (of models it follows)
 * take part in it, so that a program's subscribe calls succeed and fail
 * exactly as they would without the interposer.
 */
#ifndef ACLSUB_EMU_PRIVATE_H_
#define ACLSUB_EMU_PRIVATE_H_

#include "acl/acl_prof.h"

#ifdef __cplusplus
extern "C" {
#endif

/* aclprofModelSubscribe for the interposer: the same, but the subscription takes no part in the settings. */
ACL_FUNC_VISIBILITY aclError aclsubEmuModelSubscribeAside(uint32_t modelId,
                                                          const aclprofSubscribeConfig *profSubscribeConfig);

/*
 * A program's subscription the interposer serves joins the settings
 * (config non-NULL): ACL_SUCCESS, or ACL_ERROR_INVALID_PROFILING_CONFIG if
 * they differ from those in force; or leaves them (config NULL).
 */
ACL_FUNC_VISIBILITY aclError aclsubEmuSubscribeSettings(const aclprofSubscribeConfig *profSubscribeConfig);

#ifdef __cplusplus
}
#endif

#endif /* ACLSUB_EMU_PRIVATE_H_ */
