/*
 * utils.cpp - cpp_classify's helper: a preprocessed input file (raw float32,
 * NCHW) copied into device memory.
 */
#include "utils.h"

#include <fstream>
#include <vector>

#include "acl/acl.h"

Result Utils::FileToDeviceBuffer(const std::string &path, void *dev, size_t size, bool isDevice)
{
    std::ifstream in(path.c_str(), std::ios::binary | std::ios::ate);
    if (!in) {
        ERROR_LOG("cannot open %s", path.c_str());
        return FAILED;
    }
    std::streamoff fileSize = in.tellg();
    if (fileSize < 0 || static_cast<size_t>(fileSize) != size) {
        ERROR_LOG("%s holds %lld bytes, the model's input takes %zu", path.c_str(),
                  static_cast<long long>(fileSize), size);
        return FAILED;
    }
    in.seekg(0);
    if (isDevice) {
        // On the device, device memory is directly addressable.
        in.read(static_cast<char *>(dev), static_cast<std::streamsize>(size));
        return in ? SUCCESS : FAILED;
    }
    void *host = nullptr;
    aclError ret = aclrtMallocHost(&host, size);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtMallocHost of %zu bytes failed, errorCode %d", size, static_cast<int>(ret));
        return FAILED;
    }
    in.read(static_cast<char *>(host), static_cast<std::streamsize>(size));
    if (!in) {
        ERROR_LOG("cannot read %s", path.c_str());
        (void)aclrtFreeHost(host);
        return FAILED;
    }
    ret = aclrtMemcpy(dev, size, host, size, ACL_MEMCPY_HOST_TO_DEVICE);
    (void)aclrtFreeHost(host);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtMemcpy host to device failed, errorCode %d", static_cast<int>(ret));
        return FAILED;
    }
    return SUCCESS;
}
