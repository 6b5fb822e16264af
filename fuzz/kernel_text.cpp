// Fuzzes parseKernelText (core/kernel_io.h), the custom-kernel editor's paste
// and .csv/.txt import: any text is either refused with a KernelIoError or
// gives a valid custom kernel that survives a CSV round trip exactly.

#include "core/kernel_io.h"
#include "core/parameters.h"

#include <opencv2/core.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    ks::CustomSpec spec;
    try {
        spec = ks::parseKernelText(text, "fuzz.csv");
    } catch (const ks::KernelIoError &) {
        return 0;
    }
    ks::validate(ks::FilterSpec{spec}); // throws (and so fails) for an invalid kernel

    const cv::Mat kernel(spec.rows, spec.cols, CV_64F, spec.values.data());
    const ks::CustomSpec again = ks::parseKernelText(ks::kernelsToCsv({kernel}), "again.csv");
    if (again.rows != spec.rows || again.cols != spec.cols || again.values != spec.values)
        __builtin_trap();
    return 0;
}
