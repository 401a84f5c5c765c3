/*
 * model_process.h - the model side of cpp_classify: one offline model loaded
 * into memory the program allocates itself, its description, its input and
 * output datasets, execution and the reading of its outputs.
 */
#ifndef CPP_CLASSIFY_MODEL_PROCESS_H
#define CPP_CLASSIFY_MODEL_PROCESS_H

#include <vector>

#include "acl/acl.h"
#include "utils.h"

class ModelProcess {
public:
    ModelProcess();
    ~ModelProcess();

    Result LoadModel(const char *modelPath);
    Result CreateDesc();
    void DestroyDesc();
    Result GetInputSizeByIndex(size_t index, size_t &size) const;
    Result CreateInput(void *devBuffer, size_t bufferSize);
    void DestroyInput();
    Result CreateOutput();
    void DestroyOutput();
    Result Execute();
    // The first output, copied to the host as floats.
    Result ReadOutput(std::vector<float> &scores, bool isDevice);
    void Unload();

private:
    uint32_t modelId_;
    bool loaded_;
    size_t workSize_;
    size_t weightSize_;
    void *workPtr_;
    void *weightPtr_;
    aclmdlDesc *desc_;
    aclmdlDataset *input_;
    aclmdlDataset *output_;
};

#endif
