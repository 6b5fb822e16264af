// The AVX-512 build of the fused separable filter's kernel
// (fused_separable_kernel.h): 16 floats a vector, compiled with -mavx512f
// -mfma (core/CMakeLists.txt) and only called on CPUs that have AVX-512F
// (engine.cpp).
#define KS_FUSED_KERNEL_BODY
#define KS_FUSED_LANES 16
#include "fused_separable_kernel.h"

namespace ks::detail {

void fusedRowsAvx512(const FusedKernelArgs &args, const float *in, int slot)
{
    rows(args, in, slot);
}

void fusedColumnAvx512(const FusedKernelArgs &args, int y, float *out)
{
    column(args, y, out);
}

void widenU8Avx512(const unsigned char *in, float *out, int n)
{
    widen(in, out, n);
}

} // namespace ks::detail
