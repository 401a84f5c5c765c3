/*
 * main.cpp - cpp_classify, a test program of aclsub: an AscendCL C++ image
 * classifier in the shape of the vendor's public classification samples,
 * built only against installed AscendCL headers and runtime.  It runs
 * PaddleOCR's text-direction classifier (ch_ppocr_mobile_v2.0_cls, input
 * 1x3x48x192 float32) on preprocessed input files and prints, for each, the
 * top class and both scores.
 *
 *   cpp_classify ACL_JSON MODEL.om INPUT.bin [INPUT.bin ...]
 *
 * Each INPUT.bin is the model's input as raw float32 (NCHW).  Per input one
 * line "result INPUT.bin top=K label=L scores=S0,S1" (scores printed with
 * nine significant digits); exit status 0 only when every step succeeded.
 */
#include <cstdio>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "model_process.h"
#include "utils.h"

namespace {

const char *const kLabels[] = {"0", "180"}; // the text's rotation in degrees

// The device-side resources: initialised in order, released in reverse.
class Resources {
public:
    Resources() : deviceId_(0), context_(nullptr), stream_(nullptr), isDevice_(false), inited_(false) {}
    ~Resources() { Release(); }

    Result Init(const char *aclJson)
    {
        aclError ret = aclInit(aclJson);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclInit(%s) failed, errorCode %d", aclJson, static_cast<int>(ret));
            return FAILED;
        }
        inited_ = true;
        INFO_LOG("acl initialised with %s", aclJson);
        ret = aclrtSetDevice(deviceId_);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtSetDevice(%d) failed, errorCode %d", deviceId_, static_cast<int>(ret));
            return FAILED;
        }
        ret = aclrtCreateContext(&context_, deviceId_);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtCreateContext failed, errorCode %d", static_cast<int>(ret));
            return FAILED;
        }
        ret = aclrtCreateStream(&stream_);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtCreateStream failed, errorCode %d", static_cast<int>(ret));
            return FAILED;
        }
        aclrtRunMode runMode;
        ret = aclrtGetRunMode(&runMode);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtGetRunMode failed, errorCode %d", static_cast<int>(ret));
            return FAILED;
        }
        isDevice_ = runMode == ACL_DEVICE;
        INFO_LOG("device %d, context and stream ready; running on the %s", deviceId_,
                 isDevice_ ? "device" : "host");
        return SUCCESS;
    }

    bool IsDevice() const { return isDevice_; }

    // Returns FAILED if any release step failed.
    Result Release()
    {
        Result result = SUCCESS;
        aclError ret;
        if (stream_ != nullptr) {
            ret = aclrtDestroyStream(stream_);
            if (ret != ACL_SUCCESS) {
                ERROR_LOG("aclrtDestroyStream failed, errorCode %d", static_cast<int>(ret));
                result = FAILED;
            }
            stream_ = nullptr;
        }
        if (context_ != nullptr) {
            ret = aclrtDestroyContext(context_);
            if (ret != ACL_SUCCESS) {
                ERROR_LOG("aclrtDestroyContext failed, errorCode %d", static_cast<int>(ret));
                result = FAILED;
            }
            context_ = nullptr;
        }
        if (!inited_)
            return result;
        ret = aclrtResetDevice(deviceId_);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtResetDevice(%d) failed, errorCode %d", deviceId_, static_cast<int>(ret));
            result = FAILED;
        }
        ret = aclFinalize();
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclFinalize failed, errorCode %d", static_cast<int>(ret));
            result = FAILED;
        }
        inited_ = false;
        INFO_LOG("acl finalised");
        return result;
    }

private:
    int32_t deviceId_;
    aclrtContext context_;
    aclrtStream stream_;
    bool isDevice_;
    bool inited_;
};

Result Classify(const char *modelPath, const std::vector<std::string> &inputs, bool isDevice)
{
    ModelProcess model;
    if (model.LoadModel(modelPath) != SUCCESS || model.CreateDesc() != SUCCESS)
        return FAILED;
    size_t inputSize = 0;
    if (model.GetInputSizeByIndex(0, inputSize) != SUCCESS) {
        ERROR_LOG("the model's input size is unknown");
        return FAILED;
    }
    void *inputDev = nullptr;
    aclError ret = aclrtMalloc(&inputDev, inputSize, ACL_MEM_MALLOC_NORMAL_ONLY);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtMalloc of %zu bytes for the input failed, errorCode %d", inputSize,
                  static_cast<int>(ret));
        return FAILED;
    }
    Result result = SUCCESS;
    if (model.CreateInput(inputDev, inputSize) != SUCCESS || model.CreateOutput() != SUCCESS)
        result = FAILED;
    for (size_t i = 0; result == SUCCESS && i < inputs.size(); ++i) {
        std::vector<float> scores;
        if (Utils::FileToDeviceBuffer(inputs[i], inputDev, inputSize, isDevice) != SUCCESS ||
            model.Execute() != SUCCESS || model.ReadOutput(scores, isDevice) != SUCCESS) {
            result = FAILED;
            break;
        }
        if (scores.empty()) {
            ERROR_LOG("the model gave no scores");
            result = FAILED;
            break;
        }
        size_t top = 0;
        for (size_t k = 1; k < scores.size(); ++k)
            if (scores[k] > scores[top])
                top = k;
        std::string list;
        char value[32];
        for (size_t k = 0; k < scores.size(); ++k) {
            snprintf(value, sizeof value, "%s%.9g", k ? "," : "", scores[k]);
            list += value;
        }
        printf("result %s top=%zu label=%s scores=%s\n", inputs[i].c_str(), top,
               top < sizeof kLabels / sizeof kLabels[0] ? kLabels[top] : "?", list.c_str());
    }
    model.DestroyInput();
    model.DestroyOutput();
    (void)aclrtFree(inputDev);
    model.DestroyDesc();
    model.Unload();
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s ACL_JSON MODEL.om INPUT.bin [INPUT.bin ...]\n", argv[0]);
        return 2;
    }
    std::vector<std::string> inputs(argv + 3, argv + argc);
    Resources resources;
    if (resources.Init(argv[1]) != SUCCESS)
        return 1;
    Result result = Classify(argv[2], inputs, resources.IsDevice());
    if (resources.Release() != SUCCESS)
        result = FAILED;
    if (result == SUCCESS)
        INFO_LOG("classified %zu input(s)", inputs.size());
    return result == SUCCESS ? 0 : 1;
}
