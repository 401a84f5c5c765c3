/*
 * acl.h - AscendCL umbrella header: initialisation plus the runtime and model
 * interfaces, as in the vendor's acl/acl.h.
 */
#ifndef ACLSUB_ACL_H_
#define ACLSUB_ACL_H_

#include "acl_rt.h"
#include "acl_mdl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACL_MAJOR_VERSION 1
#define ACL_MINOR_VERSION 0
#define ACL_PATCH_VERSION 0

/* configPath may be NULL or name a JSON file; the emulated device ignores its content. */
ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath);
ACL_FUNC_VISIBILITY aclError aclFinalize(void);
ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion,
                                             int32_t *patchVersion);
ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void);

#ifdef __cplusplus
}
#endif

#endif /* ACLSUB_ACL_H_ */
