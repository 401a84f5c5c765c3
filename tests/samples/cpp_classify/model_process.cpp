/*
 * model_process.cpp - ModelProcess for cpp_classify: the model's life from
 * aclmdlQuerySize to aclmdlUnload.  Every AscendCL call is checked; a failure
 * is logged with the error code and the step reports FAILED to its caller.
 */
#include "model_process.h"

#include <cstring>

ModelProcess::ModelProcess()
    : modelId_(0), loaded_(false), workSize_(0), weightSize_(0), workPtr_(nullptr), weightPtr_(nullptr),
      desc_(nullptr), input_(nullptr), output_(nullptr)
{
}

ModelProcess::~ModelProcess()
{
    DestroyInput();
    DestroyOutput();
    DestroyDesc();
    Unload();
}

Result ModelProcess::LoadModel(const char *modelPath)
{
    if (loaded_) {
        ERROR_LOG("a model is already loaded");
        return FAILED;
    }
    aclError ret = aclmdlQuerySize(modelPath, &workSize_, &weightSize_);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclmdlQuerySize(%s) failed, errorCode %d", modelPath, static_cast<int>(ret));
        return FAILED;
    }
    // The runtime takes no memory of its own for the model: work and weight
    // memory are the program's, on the device.
    if (workSize_ > 0) {
        ret = aclrtMalloc(&workPtr_, workSize_, ACL_MEM_MALLOC_HUGE_FIRST);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtMalloc of %zu bytes of work memory failed, errorCode %d", workSize_,
                      static_cast<int>(ret));
            return FAILED;
        }
    }
    if (weightSize_ > 0) {
        ret = aclrtMalloc(&weightPtr_, weightSize_, ACL_MEM_MALLOC_HUGE_FIRST);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtMalloc of %zu bytes of weight memory failed, errorCode %d", weightSize_,
                      static_cast<int>(ret));
            return FAILED;
        }
    }
    ret = aclmdlLoadFromFileWithMem(modelPath, &modelId_, workPtr_, workSize_, weightPtr_, weightSize_);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclmdlLoadFromFileWithMem(%s) failed, errorCode %d", modelPath, static_cast<int>(ret));
        return FAILED;
    }
    loaded_ = true;
    INFO_LOG("loaded model %s", modelPath);
    return SUCCESS;
}

Result ModelProcess::CreateDesc()
{
    desc_ = aclmdlCreateDesc();
    if (desc_ == nullptr) {
        ERROR_LOG("aclmdlCreateDesc failed");
        return FAILED;
    }
    aclError ret = aclmdlGetDesc(desc_, modelId_);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclmdlGetDesc failed, errorCode %d", static_cast<int>(ret));
        return FAILED;
    }
    aclmdlIODims dims;
    if (aclmdlGetInputDims(desc_, 0, &dims) == ACL_SUCCESS) {
        std::string shape;
        for (size_t i = 0; i < dims.dimCount; ++i)
            shape += (i ? "x" : "") + std::to_string(static_cast<long long>(dims.dims[i]));
        INFO_LOG("model has %zu input(s), %zu output(s); input 0 is %s, %s", aclmdlGetNumInputs(desc_),
                 aclmdlGetNumOutputs(desc_), dims.name, shape.c_str());
    }
    return SUCCESS;
}

void ModelProcess::DestroyDesc()
{
    if (desc_ != nullptr) {
        (void)aclmdlDestroyDesc(desc_);
        desc_ = nullptr;
    }
}

Result ModelProcess::GetInputSizeByIndex(size_t index, size_t &size) const
{
    if (desc_ == nullptr) {
        ERROR_LOG("no model description");
        return FAILED;
    }
    size = aclmdlGetInputSizeByIndex(desc_, index);
    return size > 0 ? SUCCESS : FAILED;
}

Result ModelProcess::CreateInput(void *devBuffer, size_t bufferSize)
{
    if (desc_ == nullptr) {
        ERROR_LOG("no model description");
        return FAILED;
    }
    size_t want = aclmdlGetInputSizeByIndex(desc_, 0);
    if (bufferSize != want) {
        ERROR_LOG("input buffer of %zu bytes, the model's input takes %zu", bufferSize, want);
        return FAILED;
    }
    input_ = aclmdlCreateDataset();
    if (input_ == nullptr) {
        ERROR_LOG("aclmdlCreateDataset failed");
        return FAILED;
    }
    aclDataBuffer *buffer = aclCreateDataBuffer(devBuffer, bufferSize);
    if (buffer == nullptr) {
        ERROR_LOG("aclCreateDataBuffer failed");
        return FAILED;
    }
    aclError ret = aclmdlAddDatasetBuffer(input_, buffer);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclmdlAddDatasetBuffer failed, errorCode %d", static_cast<int>(ret));
        (void)aclDestroyDataBuffer(buffer);
        return FAILED;
    }
    return SUCCESS;
}

void ModelProcess::DestroyInput()
{
    if (input_ == nullptr)
        return;
    // The input's device memory belongs to the caller: only the buffers go.
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(input_); ++i)
        (void)aclDestroyDataBuffer(aclmdlGetDatasetBuffer(input_, i));
    (void)aclmdlDestroyDataset(input_);
    input_ = nullptr;
}

Result ModelProcess::CreateOutput()
{
    if (desc_ == nullptr) {
        ERROR_LOG("no model description");
        return FAILED;
    }
    output_ = aclmdlCreateDataset();
    if (output_ == nullptr) {
        ERROR_LOG("aclmdlCreateDataset failed");
        return FAILED;
    }
    for (size_t i = 0; i < aclmdlGetNumOutputs(desc_); ++i) {
        size_t size = aclmdlGetOutputSizeByIndex(desc_, i);
        void *dev = nullptr;
        aclError ret = aclrtMalloc(&dev, size, ACL_MEM_MALLOC_NORMAL_ONLY);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclrtMalloc of %zu bytes for output %zu failed, errorCode %d", size, i,
                      static_cast<int>(ret));
            return FAILED;
        }
        aclDataBuffer *buffer = aclCreateDataBuffer(dev, size);
        if (buffer == nullptr) {
            ERROR_LOG("aclCreateDataBuffer failed");
            (void)aclrtFree(dev);
            return FAILED;
        }
        ret = aclmdlAddDatasetBuffer(output_, buffer);
        if (ret != ACL_SUCCESS) {
            ERROR_LOG("aclmdlAddDatasetBuffer failed, errorCode %d", static_cast<int>(ret));
            (void)aclDestroyDataBuffer(buffer);
            (void)aclrtFree(dev);
            return FAILED;
        }
    }
    return SUCCESS;
}

void ModelProcess::DestroyOutput()
{
    if (output_ == nullptr)
        return;
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(output_); ++i) {
        aclDataBuffer *buffer = aclmdlGetDatasetBuffer(output_, i);
        (void)aclrtFree(aclGetDataBufferAddr(buffer));
        (void)aclDestroyDataBuffer(buffer);
    }
    (void)aclmdlDestroyDataset(output_);
    output_ = nullptr;
}

Result ModelProcess::Execute()
{
    aclError ret = aclmdlExecute(modelId_, input_, output_);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclmdlExecute of model %u failed, errorCode %d", modelId_, static_cast<int>(ret));
        return FAILED;
    }
    return SUCCESS;
}

Result ModelProcess::ReadOutput(std::vector<float> &scores, bool isDevice)
{
    if (output_ == nullptr || aclmdlGetDatasetNumBuffers(output_) == 0) {
        ERROR_LOG("no output dataset");
        return FAILED;
    }
    aclDataBuffer *buffer = aclmdlGetDatasetBuffer(output_, 0);
    void *dev = aclGetDataBufferAddr(buffer);
    size_t len = aclGetDataBufferSizeV2(buffer);
    scores.assign(len / sizeof(float), 0.0f);
    if (isDevice) {
        // Running on the device itself: its memory is the program's memory.
        std::memcpy(scores.data(), dev, scores.size() * sizeof(float));
        return SUCCESS;
    }
    void *host = nullptr;
    aclError ret = aclrtMallocHost(&host, len);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtMallocHost of %zu bytes failed, errorCode %d", len, static_cast<int>(ret));
        return FAILED;
    }
    ret = aclrtMemcpy(host, len, dev, len, ACL_MEMCPY_DEVICE_TO_HOST);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtMemcpy device to host failed, errorCode %d", static_cast<int>(ret));
        (void)aclrtFreeHost(host);
        return FAILED;
    }
    std::memcpy(scores.data(), host, scores.size() * sizeof(float));
    ret = aclrtFreeHost(host);
    if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtFreeHost failed, errorCode %d", static_cast<int>(ret));
        return FAILED;
    }
    return SUCCESS;
}

void ModelProcess::Unload()
{
    if (!loaded_)
        return;
    aclError ret = aclmdlUnload(modelId_);
    if (ret != ACL_SUCCESS)
        ERROR_LOG("aclmdlUnload of model %u failed, errorCode %d", modelId_, static_cast<int>(ret));
    // The memory outlives the model: it is freed only once the model is gone.
    if (workPtr_ != nullptr) {
        (void)aclrtFree(workPtr_);
        workPtr_ = nullptr;
    }
    if (weightPtr_ != nullptr) {
        (void)aclrtFree(weightPtr_);
        weightPtr_ = nullptr;
    }
    loaded_ = false;
    INFO_LOG("unloaded the model");
}
