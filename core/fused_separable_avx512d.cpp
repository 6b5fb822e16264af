// The AVX-512 build of the fused separable filter's kernel in double
// (fused_separable_kernel.h): 8 doubles a vector, the output rounded to
// float once; compiled with -mavx512f -mfma (core/CMakeLists.txt) and only
// called on CPUs that have AVX-512F (engine.cpp).
#define KS_FUSED_KERNEL_BODY
#define KS_FUSED_LANES 8
#define KS_FUSED_DOUBLE
#include "fused_separable_kernel.h"

namespace ks::detail {

void fusedRowsAvx512d(const FusedArgs<double> &args, const double *in, int slot)
{
    rows(args, in, slot);
}

void fusedColumnAvx512d(const FusedArgs<double> &args, int y, float *out)
{
    column(args, y, out);
}

} // namespace ks::detail
