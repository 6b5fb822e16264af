// The inner loop of the engine's fused separable filter (runFusedSeparable
// in engine.cpp): every term's row pass into a ring of rows, then one
// column pass summing every term into the output, in float with FMA, in
// eight vector registers. Built three times: with AVX and FMA
// (fused_separable_avx.cpp, -mavx -mfma, 8 floats a vector), with AVX-512
// (fused_separable_avx512.cpp, -mavx512f -mfma, 16 floats), and with
// AVX-512 in double (fused_separable_avx512d.cpp, 8 doubles, the output
// rounded to float), each called only on CPUs that have its instructions;
// elsewhere the engine runs OpenCV's sepFilter2D. Every value gets the same
// operations in the same order in both float builds and in their scalar
// tails, so the two agree bit for bit.
// Everything in the body has internal linkage and uses no standard-library
// templates, so no AVX code can be merged by the linker into functions the
// rest of the program shares.
#pragma once

#include <cstddef>
#include <cstdint>
#ifdef KS_FUSED_KERNEL_BODY
#include <immintrin.h>
#endif

namespace ks::detail {

/// What runFusedSeparable hands the kernel: plain numbers and arrays.
/// T: float, or double for the AVX-512 build in double (float output).
template <class T> struct FusedArgs {
    int terms = 0;
    int kw = 0;                       ///< row taps
    int kh = 0;                       ///< column taps
    int step = 1;                     ///< values between row taps (the channel count)
    int width = 0;                    ///< output values per row
    const T *rowTaps = nullptr;       ///< terms x kw
    const T *colTaps = nullptr;       ///< terms x kh
    const int *rowSymmetry = nullptr; ///< per term: 1 even, -1 odd, 0 neither
    const int *colSymmetry = nullptr;
    T *ring = nullptr; ///< terms x kh rows of ringStride(width) values
    /// Whether the column pass writes its whole vectors to `out` with
    /// streaming (non-temporal) stores, when out is 64-byte aligned: for
    /// outputs far larger than the caches, whose lines would only be read
    /// from memory to be overwritten.
    bool stream = false;
};
using FusedKernelArgs = FusedArgs<float>;

inline constexpr int kFusedMaxTerms = 4;
inline constexpr int kFusedMaxTaps = 255;

/// Values between the ring's rows: a multiple of 4 KiB would put a value's
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
/// The same two with AVX-512 (16 floats a vector).
void fusedRowsAvx512(const FusedKernelArgs &args, const float *in, int slot);
void fusedColumnAvx512(const FusedKernelArgs &args, int y, float *out);
/// out[i] = in[i], i < n: 8-bit values to float, for the rows the filter
/// reads (each build's vector conversion).
void widenU8AvxFma(const unsigned char *in, float *out, int n);
void widenU8Avx512(const unsigned char *in, float *out, int n);
/// The AVX-512 build in double (8 doubles a vector, the output rounded to
/// float once): for terms whose float rounding would exceed the tolerance.
void fusedRowsAvx512d(const FusedArgs<double> &args, const double *in, int slot);
void fusedColumnAvx512d(const FusedArgs<double> &args, int y, float *out);

#ifdef KS_FUSED_KERNEL_BODY
namespace {

// KS_FUSED_LANES values (floats, or doubles with KS_FUSED_DOUBLE) in one
// vector (one AVX or AVX-512 register, with GCC's vector operators), always
// passed by reference: by value, its ABI differs with the instruction set.
constexpr int kLanes = KS_FUSED_LANES;
#if defined(KS_FUSED_DOUBLE)
typedef double Elem;
typedef __m512d Vec;
#elif KS_FUSED_LANES == 16
typedef float Elem;
typedef __m512 Vec;
#else
typedef float Elem;
typedef __m256 Vec;
#endif
typedef FusedArgs<Elem> Args;

/// a += k x, rounded once. Written out rather than left to the compiler's
/// contraction of a + k * x, which it applied to the vector loops and not
/// to every scalar tail (values 0.00001 apart between the builds).
inline void fmaInto(Vec &a, Elem k, const Vec &x)
{
#if defined(KS_FUSED_DOUBLE)
    a = _mm512_fmadd_pd(_mm512_set1_pd(k), x, a);
#elif KS_FUSED_LANES == 16
    a = _mm512_fmadd_ps(_mm512_set1_ps(k), x, a);
#else
    a = _mm256_fmadd_ps(_mm256_set1_ps(k), x, a);
#endif
}

inline void fmaInto(float &a, float k, float x)
{
    a = __builtin_fmaf(k, x, a);
}

inline void fmaInto(double &a, double k, double x)
{
    a = __builtin_fma(k, x, a);
}

inline void loadVec(Vec &v, const Elem *p)
{
    __builtin_memcpy(&v, p, sizeof v);
}

inline void storeVec(Elem *p, const Vec &v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

#if defined(KS_FUSED_DOUBLE)
/// The double build's output: its values rounded to float.
inline void storeVec(float *p, const Vec &v)
{
    const __m256 f = _mm512_cvtpd_ps(v);
    __builtin_memcpy(p, &f, sizeof f);
}
#endif

/// Stores kLanes floats to p (aligned to their size), bypassing the caches.
inline void streamVec(float *p, const Vec &v)
{
#if defined(KS_FUSED_DOUBLE)
    _mm256_stream_ps(p, _mm512_cvtpd_ps(v));
#elif KS_FUSED_LANES == 16
    _mm512_stream_ps(p, v);
#else
    _mm256_stream_ps(p, v);
#endif
}

/// Adds sum_j taps[j] * at(j)[0..kLanes N) to N accumulators (values
/// [0, kLanes), [kLanes, 2 kLanes), ...), where at(j) is the address of tap
/// j's first value: the row pass's taps lie `step` apart in one row, the
/// column pass's in the ring's rows. Symmetric taps (symmetry 1 even, -1 odd) take one multiply
/// per pair; the middle tap of an odd count comes first. Each accumulator is
/// a chain of dependent FMAs: eight chains (64 values with AVX) ran 7-10 %
/// faster than four on 49-tap and multi-term filters, by keeping both FMA
/// units busy through their latency.
template <int N, class At>
inline void accumulate(Vec (&a)[N], At at, const Elem *taps, int n, int symmetry)
{
    auto single = [&](int j) {
        const Elem *p = at(j);
        const Elem k = taps[j];
#pragma GCC unroll 8
        for (int l = 0; l < N; ++l) {
            Vec x;
            loadVec(x, p + kLanes * l);
            fmaInto(a[l], k, x);
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
            const Elem *p = at(j);
            const Elem *q = at(n - 1 - j);
            const Elem k = taps[j];
#pragma GCC unroll 8
            for (int l = 0; l < N; ++l) {
                Vec x, y;
                loadVec(x, p + kLanes * l);
                loadVec(y, q + kLanes * l);
                fmaInto(a[l], k, combine(x, y));
            }
        }
    };
    if (symmetry > 0)
        pairs([](const Vec &x, const Vec &y) { return x + y; });
    else
        pairs([](const Vec &x, const Vec &y) { return x - y; });
}

/// The same for one value, value(j) being tap j's input: the vector lanes'
/// very operations in the same order, so that a value's result does not
/// depend on where in a row it falls (a crop of the image gives the same
/// response).
template <class Value>
inline void accumulateOne(Elem &a, Value value, const Elem *taps, int n, int symmetry)
{
    if (symmetry == 0) {
        for (int j = 0; j < n; ++j)
            fmaInto(a, taps[j], value(j));
        return;
    }
    const int half = n / 2;
    if (n % 2 == 1)
        fmaInto(a, taps[half], value(half));
    for (int j = 0; j < half; ++j) {
        const Elem x = value(j);
        const Elem y = value(n - 1 - j);
        fmaInto(a, taps[j], symmetry > 0 ? x + y : x - y);
    }
}

/// Sums for values [i, i + kLanes N) in N accumulators, into out.
template <int N, bool Stream, class Out, class At>
inline void sumTapsBlock(Out *out, int i, int terms, const Elem *taps, int n, const int *symmetry,
                         At at)
{
    Vec a[N];
#pragma GCC unroll 8
    for (int l = 0; l < N; ++l)
        a[l] = Vec{};
    for (int t = 0; t < terms; ++t)
        accumulate<N>(
            a, [&](int j) { return at(t, j, i); }, taps + t * n, n, symmetry[t]);
#pragma GCC unroll 8
    for (int l = 0; l < N; ++l)
        if constexpr (Stream)
            streamVec(out + i + kLanes * l, a[l]);
        else
            storeVec(out + i + kLanes * l, a[l]);
}

/// out[i] = sum over terms t and taps j of taps[t n + j] * value(t, j, i),
/// for i in [0, width), where at(t, j, i) is the address of that value:
/// 8 kLanes values at a time in eight accumulators, then 4 kLanes in four,
/// then kLanes in one, then the last ones one at a time. The row pass is
/// one term over a row, the column pass every term over the ring's rows;
/// Stream: whole vectors go to out (64-byte aligned) by streaming stores.
template <bool Stream, class Out, class At>
void sumTapsWith(Out *out, int width, int terms, const Elem *taps, int n, const int *symmetry,
                 At at)
{
    int i = 0;
    for (; i + 8 * kLanes <= width; i += 8 * kLanes)
        sumTapsBlock<8, Stream, Out>(out, i, terms, taps, n, symmetry, at);
    for (; i + 4 * kLanes <= width; i += 4 * kLanes)
        sumTapsBlock<4, Stream, Out>(out, i, terms, taps, n, symmetry, at);
    for (; i + kLanes <= width; i += kLanes)
        sumTapsBlock<1, Stream, Out>(out, i, terms, taps, n, symmetry, at);
    for (; i < width; ++i) {
        Elem a = 0;
        for (int t = 0; t < terms; ++t)
            accumulateOne(
                a, [&](int j) { return *at(t, j, i); }, taps + t * n, n, symmetry[t]);
        out[i] = static_cast<Out>(a);
    }
}

#if !defined(KS_FUSED_DOUBLE)
/// Widens n 8-bit values to float, a vector at a time (the compiler's
/// vectorization of this loop: zero-extension and conversion).
void widen(const unsigned char *in, float *out, int n)
{
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<float>(in[i]);
}
#endif

/// The row pass of input row `in` for every term, into ring slot `slot`.
void rows(const Args &args, const Elem *in, int slot)
{
    const std::size_t stride = ringStride(args.width);
    const int step = args.step;
    for (int t = 0; t < args.terms; ++t)
        sumTapsWith<false>(args.ring + (static_cast<std::size_t>(t) * args.kh + slot) * stride,
                           args.width, 1, args.rowTaps + t * args.kw, args.kw, args.rowSymmetry + t,
                           [&](int, int j, int i) { return in + i + j * step; });
}

/// Output row y (its input rows y .. y + kh - 1 in the ring) into out.
void column(const Args &args, int y, float *out)
{
    const int kh = args.kh;
    const std::size_t stride = ringStride(args.width);
    const Elem *ringRows[kFusedMaxTerms * kFusedMaxTaps];
    for (int t = 0; t < args.terms; ++t)
        for (int m = 0; m < kh; ++m)
            ringRows[t * kh + m] =
                args.ring + (static_cast<std::size_t>(t) * kh + (y + m) % kh) * stride;
    auto at = [&](int t, int m, int i) { return ringRows[t * kh + m] + i; };
    if (args.stream && reinterpret_cast<std::uintptr_t>(out) % 64 == 0) {
        sumTapsWith<true>(out, args.width, args.terms, args.colTaps, kh, args.colSymmetry, at);
        // Streaming stores are weakly ordered: drained before the row is
        // reported done (and read by another thread).
        _mm_sfence();
    } else {
        sumTapsWith<false>(out, args.width, args.terms, args.colTaps, kh, args.colSymmetry, at);
    }
}

} // namespace
#endif

} // namespace ks::detail
