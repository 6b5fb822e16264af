// Fuzzes the custom-kernel import of JSON files (parseCustomKernel in
// core/kernel_io.h, which loadCustomKernel uses): any bytes are either
// refused with a KernelIoError or give a valid custom kernel.

#include "core/kernel_io.h"
#include "core/parameters.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto bytes = std::as_bytes(std::span(data, size));
    ks::CustomSpec spec;
    try {
        spec = ks::parseCustomKernel(bytes, "fuzz.json");
    } catch (const ks::KernelIoError &) {
        return 0;
    }
    ks::validate(ks::FilterSpec{spec}); // throws (and so fails) for an invalid kernel
    return 0;
}
