// The AVX + FMA build of the fused separable filter's kernel
// (fused_separable_kernel.h): 8 floats a vector, compiled with -mavx -mfma (core/CMakeLists.txt)
// and only called on CPUs that have both (engine.cpp).
#define KS_FUSED_KERNEL_BODY
#define KS_FUSED_LANES 8
#include "fused_separable_kernel.h"

namespace ks::detail {

void fusedRowsAvxFma(const FusedKernelArgs &args, const float *in, int slot)
{
    rows(args, in, slot);
}

void fusedColumnAvxFma(const FusedKernelArgs &args, int y, float *out)
{
    column(args, y, out);
}

void widenU8AvxFma(const unsigned char *in, float *out, int n)
{
    widen(in, out, n);
}

} // namespace ks::detail
