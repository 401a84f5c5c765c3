/*
 * device_info.c - what the emulated device says about itself:
 * aclrtGetSocName (a fixed name) and aclrtGetMemInfo (the host's memory).
 *
 * Rules: the SoC name is "Ascend310P3", the inference part most programs
 * written for the vendor's runtime target, so that code choosing a path by
 * SoC name takes an existing one; it is a process-static string.  Device
 * memory is host memory here, so every aclrtMemAttr (DDR, HBM, huge,
 * normal, P2P) reports the host's: total = MemTotal and free =
 * MemAvailable of /proc/meminfo, or sysinfo(2)'s totalram and freeram when
 * /proc is not there.  Both answers are read at the call, never cached.
 */
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "shim/emu.h"

#define EMU_SOC_NAME "Ascend310P3"

const char *aclrtGetSocName(void)
{
    return EMU_SOC_NAME;
}

/* MemTotal and MemAvailable of /proc/meminfo in bytes; 0 when unreadable. */
static int proc_meminfo(size_t *free_bytes, size_t *total_bytes)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (!f)
        return -1;
    unsigned long long total = 0, avail = 0, v;
    char key[64];
    while (fscanf(f, "%63s %llu kB", key, &v) == 2) {
        if (strcmp(key, "MemTotal:") == 0)
            total = v;
        else if (strcmp(key, "MemAvailable:") == 0)
            avail = v;
    }
    fclose(f);
    if (total == 0 || avail == 0)
        return -1;
    *total_bytes = (size_t)(total * 1024);
    *free_bytes = (size_t)(avail * 1024);
    return 0;
}

static int sysinfo_memory(size_t *free_bytes, size_t *total_bytes)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return -1;
    *total_bytes = (size_t)si.totalram * si.mem_unit;
    *free_bytes = (size_t)si.freeram * si.mem_unit;
    return 0;
}

aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total)
{
    if (!free || !total || (unsigned)attr > ACL_MEM_P2P_HUGE1G)
        return ACL_ERROR_INVALID_PARAM;
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    if (!emu_current_context())
        return ACL_ERROR_RT_CONTEXT_NULL;
    if (proc_meminfo(free, total) != 0 && sysinfo_memory(free, total) != 0)
        return ACL_ERROR_RT_FAILURE;
    return ACL_SUCCESS;
}
