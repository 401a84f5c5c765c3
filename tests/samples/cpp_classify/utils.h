/*
 * utils.h - cpp_classify's logging macros, result type and file helper:
 * a test program of aclsub written in the shape of an AscendCL C++
 * classification sample (see main.cpp).
 */
#ifndef CPP_CLASSIFY_UTILS_H
#define CPP_CLASSIFY_UTILS_H

#include <cstdio>
#include <string>

#define INFO_LOG(fmt, ...) fprintf(stdout, "[INFO]  " fmt "\n", ##__VA_ARGS__)
#define WARN_LOG(fmt, ...) fprintf(stdout, "[WARN]  " fmt "\n", ##__VA_ARGS__)
#define ERROR_LOG(fmt, ...) fprintf(stderr, "[ERROR] " fmt "\n", ##__VA_ARGS__)

enum Result { SUCCESS = 0, FAILED = 1 };

namespace Utils {
// Reads exactly `size` bytes of `path` into the device buffer `dev` (through a
// host buffer from aclrtMallocHost when the program runs on the host).
Result FileToDeviceBuffer(const std::string &path, void *dev, size_t size, bool isDevice);
} // namespace Utils

#endif
