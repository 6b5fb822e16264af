// The inner loop of the engine's fused separable filter (runFusedSeparable
// in engine.cpp): every term's row pass into a ring of rows, then one
// column pass summing every term into the output, in float with FMA, in
// registers 64 values wide. Built only with AVX and FMA
// (fused_separable_avx.cpp, compiled with -mavx -mfma) and called only on
// CPUs that have both; elsewhere the engine runs OpenCV's sepFilter2D.
// Everything in the body has internal linkage and uses no standard-library
// templates, so no AVX code can be merged by the linker into functions the
// rest of the program shares.
#pragma once

#include <cstddef>

namespace ks::detail {

/// What runFusedSeparable hands the kernel: plain numbers and arrays.
struct FusedKernelArgs {
    int terms = 0;
    int kw = 0;                       ///< row taps
    int kh = 0;                       ///< column taps
    int step = 1;                     ///< values between row taps (the channel count)
    int width = 0;                    ///< output values per row
    const float *rowTaps = nullptr;   ///< terms x kw
    const float *colTaps = nullptr;   ///< terms x kh
    const int *rowSymmetry = nullptr; ///< per term: 1 even, -1 odd, 0 neither
    const int *colSymmetry = nullptr;
    float *ring = nullptr; ///< terms x kh rows of ringStride(width) floats
};

inline constexpr int kFusedMaxTerms = 4;
inline constexpr int kFusedMaxTaps = 255;

/// Floats between the ring's rows: a multiple of 4 KiB would put a value's
/// rows in one cache set. (static: each translation unit compiles its own,
/// so the AVX build's copy is never the one the rest of the program calls.)
static inline std::size_t ringStride(int width)
{
    return (static_cast<std::size_t>(width) + 31) / 32 * 32 + 16;
}

/// Row pass of one input row (width + (kw - 1) * step values, borders
/// resolved) for every term, into ring slot `slot`.
void fusedRowsAvxFma(const FusedKernelArgs &args, const float *in, int slot);
/// Output row y from ring slots (y + m) % kh, m = 0..kh-1.
void fusedColumnAvxFma(const FusedKernelArgs &args, int y, float *out);

#ifdef KS_FUSED_KERNEL_BODY
namespace {

// Eight floats in one vector (GCC's vector extension: one AVX register),
// always passed by reference: by value, its ABI differs with and without
// AVX.
typedef float V8 __attribute__((vector_size(32)));

inline void load8(V8 &v, const float *p)
{
    __builtin_memcpy(&v, p, sizeof v);
}

inline void store8(float *p, const V8 &v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

/// Adds sum_j taps[j] * at(j)[0..8 N) to N accumulators (values [0, 8),
/// [8, 16), ...), where at(j) is the address of tap j's first value: the
/// row pass's taps lie `step` apart in one row, the column pass's in the
/// ring's rows. Symmetric taps (symmetry 1 even, -1 odd) take one multiply
/// per pair; the middle tap of an odd count comes first. Each accumulator is
/// a chain of dependent FMAs: eight chains (64 values) ran 7-10 % faster
/// than four on 49-tap and multi-term filters, by keeping both FMA units
/// busy through their latency.
template <int N, class At>
inline void accumulate(V8 (&a)[N], At at, const float *taps, int n, int symmetry)
{
    auto single = [&](int j) {
        const float *p = at(j);
        const float k = taps[j];
#pragma GCC unroll 8
        for (int l = 0; l < N; ++l) {
            V8 x;
            load8(x, p + 8 * l);
            a[l] += k * x;
        }
    };
    if (symmetry == 0) {
        for (int j = 0; j < n; ++j)
            single(j);
        return;
    }
    const int half = n / 2;
    if (n % 2 == 1)
        single(half);
    auto pairs = [&](auto combine) {
        for (int j = 0; j < half; ++j) {
            const float *p = at(j);
            const float *q = at(n - 1 - j);
            const float k = taps[j];
#pragma GCC unroll 8
            for (int l = 0; l < N; ++l) {
                V8 x, y;
                load8(x, p + 8 * l);
                load8(y, q + 8 * l);
                a[l] += k * combine(x, y);
            }
        }
    };
    if (symmetry > 0)
        pairs([](const V8 &x, const V8 &y) { return x + y; });
    else
        pairs([](const V8 &x, const V8 &y) { return x - y; });
}

/// The same for one value, value(j) being tap j's input: the vector lanes'
/// very operations in the same order, so that a value's result does not
/// depend on where in a row it falls (a crop of the image gives the same
/// response).
template <class Value>
inline void accumulateOne(float &a, Value value, const float *taps, int n, int symmetry)
{
    if (symmetry == 0) {
        for (int j = 0; j < n; ++j)
            a += taps[j] * value(j);
        return;
    }
    const int half = n / 2;
    if (n % 2 == 1)
        a += taps[half] * value(half);
    for (int j = 0; j < half; ++j) {
        const float x = value(j);
        const float y = value(n - 1 - j);
        a += taps[j] * (symmetry > 0 ? x + y : x - y);
    }
}

/// Sums for values [i, i + 8 N) in N accumulators, into out.
template <int N, class At>
inline void sumTapsBlock(float *out, int i, int terms, const float *taps, int n,
                         const int *symmetry, At at)
{
    V8 a[N];
#pragma GCC unroll 8
    for (int l = 0; l < N; ++l)
        a[l] = V8{};
    for (int t = 0; t < terms; ++t)
        accumulate<N>(
            a, [&](int j) { return at(t, j, i); }, taps + t * n, n, symmetry[t]);
#pragma GCC unroll 8
    for (int l = 0; l < N; ++l)
        store8(out + i + 8 * l, a[l]);
}

/// out[i] = sum over terms t and taps j of taps[t n + j] * value(t, j, i),
/// for i in [0, width), where at(t, j, i) is the address of that value:
/// 64 values at a time in eight accumulators, then 32 in four, then the
/// last ones one at a time. The row pass is one term over a row, the column
/// pass every term over the ring's rows.
template <class At>
void sumTaps(float *out, int width, int terms, const float *taps, int n, const int *symmetry, At at)
{
    int i = 0;
    for (; i + 64 <= width; i += 64)
        sumTapsBlock<8>(out, i, terms, taps, n, symmetry, at);
    for (; i + 32 <= width; i += 32)
        sumTapsBlock<4>(out, i, terms, taps, n, symmetry, at);
    for (; i < width; ++i) {
        float a = 0;
        for (int t = 0; t < terms; ++t)
            accumulateOne(
                a, [&](int j) { return *at(t, j, i); }, taps + t * n, n, symmetry[t]);
        out[i] = a;
    }
}

/// The row pass of input row `in` for every term, into ring slot `slot`.
void rows(const FusedKernelArgs &args, const float *in, int slot)
{
    const std::size_t stride = ringStride(args.width);
    const int step = args.step;
    for (int t = 0; t < args.terms; ++t)
        sumTaps(args.ring + (static_cast<std::size_t>(t) * args.kh + slot) * stride, args.width, 1,
                args.rowTaps + t * args.kw, args.kw, args.rowSymmetry + t,
                [&](int, int j, int i) { return in + i + j * step; });
}

/// Output row y (its input rows y .. y + kh - 1 in the ring) into out.
void column(const FusedKernelArgs &args, int y, float *out)
{
    const int kh = args.kh;
    const std::size_t stride = ringStride(args.width);
    const float *ringRows[kFusedMaxTerms * kFusedMaxTaps];
    for (int t = 0; t < args.terms; ++t)
        for (int m = 0; m < kh; ++m)
            ringRows[t * kh + m] =
                args.ring + (static_cast<std::size_t>(t) * kh + (y + m) % kh) * stride;
    sumTaps(out, args.width, args.terms, args.colTaps, kh, args.colSymmetry,
            [&](int t, int m, int i) { return ringRows[t * kh + m] + i; });
}

} // namespace
#endif

} // namespace ks::detail
