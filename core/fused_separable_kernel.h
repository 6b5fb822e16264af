// The inner loop of the engine's fused separable filter (runFusedSeparable
// in engine.cpp): every term's row pass into a ring of rows, then one
// column pass summing every term into the output, in float with FMA, in
// registers 32 values wide. Built only with AVX and FMA
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

/// out[i] = sum_j taps[j] * in[i + j * step] for i in [0, width): 32 values
/// at a time in four accumulators, halved by the taps' symmetry.
void rowPass(const float *in, float *out, int width, const float *taps, int kw, int step,
             int symmetry)
{
    const int half = kw / 2;
    int i = 0;
    for (; i + 32 <= width; i += 32) {
        V8 a0 = V8{}, a1 = V8{}, a2 = V8{}, a3 = V8{};
        V8 x0, x1, x2, x3, y0, y1, y2, y3;
        if (symmetry == 0) {
            for (int j = 0; j < kw; ++j) {
                const float *p = in + i + j * step;
                const float k = taps[j];
                load8(x0, p);
                load8(x1, p + 8);
                load8(x2, p + 16);
                load8(x3, p + 24);
                a0 += k * x0;
                a1 += k * x1;
                a2 += k * x2;
                a3 += k * x3;
            }
        } else {
            if (kw % 2 == 1) {
                const float *p = in + i + half * step;
                const float k = taps[half];
                load8(x0, p);
                load8(x1, p + 8);
                load8(x2, p + 16);
                load8(x3, p + 24);
                a0 = k * x0;
                a1 = k * x1;
                a2 = k * x2;
                a3 = k * x3;
            }
            for (int j = 0; j < half; ++j) {
                const float *p = in + i + j * step;
                const float *q = in + i + (kw - 1 - j) * step;
                const float k = taps[j];
                load8(x0, p);
                load8(x1, p + 8);
                load8(x2, p + 16);
                load8(x3, p + 24);
                load8(y0, q);
                load8(y1, q + 8);
                load8(y2, q + 16);
                load8(y3, q + 24);
                if (symmetry > 0) {
                    a0 += k * (x0 + y0);
                    a1 += k * (x1 + y1);
                    a2 += k * (x2 + y2);
                    a3 += k * (x3 + y3);
                } else {
                    a0 += k * (x0 - y0);
                    a1 += k * (x1 - y1);
                    a2 += k * (x2 - y2);
                    a3 += k * (x3 - y3);
                }
            }
        }
        store8(out + i, a0);
        store8(out + i + 8, a1);
        store8(out + i + 16, a2);
        store8(out + i + 24, a3);
    }
    // The last values one at a time, with the vector lanes' very operations
    // in the same order, so that a value's result does not depend on where
    // in a row it falls (a crop of the image gives the same response).
    for (; i < width; ++i) {
        float a = 0;
        if (symmetry == 0) {
            for (int j = 0; j < kw; ++j)
                a += taps[j] * in[i + j * step];
        } else {
            if (kw % 2 == 1)
                a = taps[half] * in[i + half * step];
            for (int j = 0; j < half; ++j) {
                const float x = in[i + j * step];
                const float y = in[i + (kw - 1 - j) * step];
                a += taps[j] * (symmetry > 0 ? x + y : x - y);
            }
        }
        out[i] = a;
    }
}

/// Adds sum_m taps[m] * rows[m][i] for one term to the four accumulators of
/// values [i, i + 32), halved by symmetry.
inline void columnTerm(V8 &a0, V8 &a1, V8 &a2, V8 &a3, const float *const *rows, int i,
                       const float *taps, int kh, int symmetry)
{
    const int half = kh / 2;
    V8 x0, x1, x2, x3, y0, y1, y2, y3;
    if (symmetry == 0) {
        for (int m = 0; m < kh; ++m) {
            const float *p = rows[m] + i;
            const float k = taps[m];
            load8(x0, p);
            load8(x1, p + 8);
            load8(x2, p + 16);
            load8(x3, p + 24);
            a0 += k * x0;
            a1 += k * x1;
            a2 += k * x2;
            a3 += k * x3;
        }
        return;
    }
    if (kh % 2 == 1) {
        const float *p = rows[half] + i;
        const float k = taps[half];
        load8(x0, p);
        load8(x1, p + 8);
        load8(x2, p + 16);
        load8(x3, p + 24);
        a0 += k * x0;
        a1 += k * x1;
        a2 += k * x2;
        a3 += k * x3;
    }
    for (int m = 0; m < half; ++m) {
        const float *p = rows[m] + i;
        const float *q = rows[kh - 1 - m] + i;
        const float k = taps[m];
        load8(x0, p);
        load8(x1, p + 8);
        load8(x2, p + 16);
        load8(x3, p + 24);
        load8(y0, q);
        load8(y1, q + 8);
        load8(y2, q + 16);
        load8(y3, q + 24);
        if (symmetry > 0) {
            a0 += k * (x0 + y0);
            a1 += k * (x1 + y1);
            a2 += k * (x2 + y2);
            a3 += k * (x3 + y3);
        } else {
            a0 += k * (x0 - y0);
            a1 += k * (x1 - y1);
            a2 += k * (x2 - y2);
            a3 += k * (x3 - y3);
        }
    }
}

/// Output row: sum over terms and column taps of the ring's rows.
void columnPass(const float *const *rows, float *out, const FusedKernelArgs &args)
{
    const int width = args.width;
    const int kh = args.kh;
    int i = 0;
    for (; i + 32 <= width; i += 32) {
        V8 a0 = V8{}, a1 = V8{}, a2 = V8{}, a3 = V8{};
        for (int t = 0; t < args.terms; ++t)
            columnTerm(a0, a1, a2, a3, rows + t * kh, i, args.colTaps + t * kh, kh,
                       args.colSymmetry[t]);
        store8(out + i, a0);
        store8(out + i + 8, a1);
        store8(out + i + 16, a2);
        store8(out + i + 24, a3);
    }
    // One at a time, as the vector lanes do it (see rowPass).
    const int half = kh / 2;
    for (; i < width; ++i) {
        float a = 0;
        for (int t = 0; t < args.terms; ++t) {
            const float *taps = args.colTaps + t * kh;
            const float *const *r = rows + t * kh;
            const int symmetry = args.colSymmetry[t];
            if (symmetry == 0) {
                for (int m = 0; m < kh; ++m)
                    a += taps[m] * r[m][i];
                continue;
            }
            if (kh % 2 == 1)
                a += taps[half] * r[half][i];
            for (int m = 0; m < half; ++m) {
                const float x = r[m][i];
                const float y = r[kh - 1 - m][i];
                a += taps[m] * (symmetry > 0 ? x + y : x - y);
            }
        }
        out[i] = a;
    }
}

/// The row pass of input row `in` for every term, into ring slot `slot`.
void rows(const FusedKernelArgs &args, const float *in, int slot)
{
    const std::size_t stride = ringStride(args.width);
    for (int t = 0; t < args.terms; ++t)
        rowPass(in, args.ring + (static_cast<std::size_t>(t) * args.kh + slot) * stride, args.width,
                args.rowTaps + t * args.kw, args.kw, args.step, args.rowSymmetry[t]);
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
    columnPass(ringRows, out, args);
}

} // namespace
#endif

} // namespace ks::detail
