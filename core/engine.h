// The fast engine: picks, per call, the cheapest way to correlate an image
// with a kernel that stays within an accuracy target, and runs it on all
// cores in strips of rows (or tiles, or blocks of columns).
//
// Paths (EnginePath), each built on OpenCV's run-time dispatched SIMD code:
//  - Direct: correlate() (correlate.h), the exact 2-D reference, accumulated
//    in double. Always available; chosen when nothing cheaper is accurate.
//  - DirectFloat: the same 2-D correlation with cv::filter2D in float on
//    every strip, for small kernels (under 130 taps) whose float rounding
//    bound, (kh kw + 4) 2^-24 sum|K| max|input|, fits (dense custom kernels
//    in the quick preview).
//  - RunningSum: a kernel whose taps are all equal (box): cv::boxFilter's
//    sliding sums per strip (integers for 8U/16U, doubles otherwise), O(1)
//    per pixel whatever the size.
//  - SeparableFloat / SeparableDouble: kernel = sum of r outer products
//    col_t (x) row_t, each run by cv::sepFilter2D on a strip that already
//    holds the kernel's reach; in float on CPUs with AVX and FMA (or
//    AVX-512), and in double on CPUs with AVX-512, from 5 taps (a 5 x 5
//    kernel) or 2 terms, by the engine's own fused filter instead
//    (core/fused_separable_kernel.h: every term's row pass into a ring of
//    rows, one column pass summing every term, eight vectors at a time). The
//    terms come in closed form for Gaussian (r = 1), derivative of Gaussian
//    (r = 2 for order 1, 3 for order 2), and from a truncated SVD of the
//    CV_64F kernel otherwise (Gabor at theta 0/90 is rank 1, with gamma 1
//    rank 2; other kernels as far as the residual allows). Accumulated in
//    float or double.
//  - Fft: the 2-D kernel by tiled real FFTs in double (FFTW through
//    core/fft.h, overlap-save tiles of up to 2^18 points with the channels
//    interleaved, the tile size chosen by the cost model); cost independent
//    of the kernel's size and rank.
//  - SeparableFft: a rank-1 kernel by 1-D FFTs in double (FFTW) along every
//    row (a channel at a time), then every column; cost grows with the log
//    of the image, not the kernel (large Gaussians).
//
// Accuracy contract: the chosen path's a-priori error bound, in the units of
// the source, is at most the tolerance. The bound adds
//  - for a truncated SVD, the entrywise L1 norm of K minus the kept terms,
//    times max|input| (the largest error they can make on any output),
//  - for float accumulation, (kw + kh + r + 4) * 2^-24 * sum|col| * sum|row|
//    * max|input| per term (the classic bound on a rounded sum of products),
//  - for the FFT paths, 20 log2(points) 2^-53 sqrt(points) sum|K| max|input|
//    (a factor 20 over the usual transform bound), plus for SeparableFft the
//    float rounding of the row pass's result.
// applyFilter uses kEngineTolerance: a hundredth of an 8-bit level (scaled to
// the depth's full scale), 50 times inside the half level the issue allows.
// It is a worst-case bound (every rounding error aligned); measured errors
// of the float paths are some hundred times smaller (README "Performance"),
// which is why the exact reference's own tests (a thousandth of a level on
// small images) hold for every path as well. The same rule keeps non-separable
// Gabor kernels (gamma < 1 at oblique angles) from a low-rank SVD: at this
// tolerance they need 10-14 terms, so the FFT is cheaper.
//
// Output: a new CV_32F matrix in 2 MiB-aligned memory with a transparent-
// huge-page hint (first-touching 144 MB in 4 KiB pages costs more than a
// small filter itself). The last large output freed is kept and reused for
// the next one of the same size (not under ASan), so repeated filtering of
// one image does not pay for zeroing fresh pages; its old values are all
// overwritten. The fused filter writes outputs of 32 MiB or more with
// streaming stores, which skip reading each line before overwriting it.
//
// Threads: work is cut into strips (each re-reads the kernel's reach), run
// in bands of 6 strips per thread with cv::parallel_for_. A strip borrows
// its scratch buffers (extended copies, transform buffers, partial sums)
// from a pool kept for the call, so a call allocates them once per thread,
// not once per strip; FFT tiles read their rows straight from the source. The stop token is
// checked before every strip, between a strip's steps (a term, a tile's
// transform: a few ms each) and between bands; progress is reported between
// bands on the calling thread.
#pragma once

#include "border.h"
#include "filter_spec.h"
#include "run_control.h"

#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

namespace ks {

/// A hundredth of an 8-bit level, as a fraction of full scale (fullScale()):
/// the accuracy of every exact result (responses, exports, the command line).
inline constexpr double kEngineTolerance = 1e-2 / 255;

/// Half an 8-bit level: invisible on screen, the accuracy rule of the quick
/// preview stage (which is a scaled-down approximation anyway), where it lets
/// the planner take cheaper float and low-rank paths.
inline constexpr double kPreviewTolerance = 0.5 / 255;

enum class EnginePath {
    Direct,
    DirectFloat,
    RunningSum,
    SeparableFloat,
    SeparableDouble,
    Fft,
    SeparableFft
};

/// One separable term: kernel(i, j) += col[i] * row[j].
struct SeparableTerm {
    std::vector<double> col; ///< kernel rows (y), length kh
    std::vector<double> row; ///< kernel columns (x), length kw
};

/// What the engine will do for one call, and why.
struct EnginePlan {
    EnginePath path = EnginePath::Direct;
    std::vector<SeparableTerm> terms; ///< for the separable paths
    double boxTap = 0;                ///< for RunningSum: the common tap value
    double errorBound = 0;            ///< a-priori bound on |result - exact|, source units
    double cost = 0;                  ///< estimated relative cost (ns per output value, 1 core)
    /// For Fft: the tile, rows x values (channels interleaved), each an
    /// optimal DFT size.
    cv::Size fftTile;
    /// "direct", "running-sum", "separable-float r2", "separable-double r14",
    /// "fft 512x2048", "separable-fft".
    std::string name() const;
};

/// The closed-form separable terms of a spec's kernel (Gaussian, box,
/// derivative), or empty when the spec has none (Gabor, custom, identity).
/// imageDepth sizes an automatic Gaussian, as in makeKernel().
std::vector<SeparableTerm> closedFormTerms(const FilterSpec &spec, int imageDepth);

/// The builds of the engine's own SIMD kernel (the fused separable filter
/// for separable passes), narrowest first: none (OpenCV's sepFilter2D),
/// AVX + FMA (8 floats a vector), AVX-512 (16 floats, and 8 doubles for
/// passes in double).
enum class SimdKernels { None, Avx, Avx512 };

/// The widest build this CPU runs.
SimdKernels supportedSimdKernels();

/// Limits the engine to builds up to `widest` (the default is every build
/// the CPU runs). Tests use it to run the paths other CPUs take.
void useSimdKernels(SimdKernels widest);

/// Chooses the cheapest path whose error bound is within tolerance.
/// kernel: CV_64FC1 (makeKernel()); known: closed-form terms if any
/// (closedFormTerms()), else the SVD is tried for kernels up to 127 taps a
/// side. size, channels: the image; maxAbsInput bounds |input|; tolerance in
/// source units.
EnginePlan planCorrelation(const cv::Mat &kernel, const std::vector<SeparableTerm> &known,
                           cv::Size size, int channels, double maxAbsInput, double tolerance);

/// The plan applyFilter makes for this spec on an image of this size, depth
/// and channel count (worst-case input of the depth's full range; for float
/// images |input| <= 1 is assumed), as EnginePlan::name().
std::string enginePathName(const FilterSpec &spec, cv::Size size, int depth, int channels = 1,
                           double toleranceFraction = kEngineTolerance);

/// A batch of identical real transforms (forward and inverse), rows x cols
/// points (rows == 1: one row), run `count` times.
struct TransformBatch {
    int rows = 1;
    int cols = 0;
    long long count = 0;
};

/// The transforms runPlan() makes for a plan on an FFT path: for Fft, every
/// tile (rows x interleaved values, partial tiles at the edges counted
/// whole); for SeparableFft, one per channel of every row, then one per
/// channel of every column. Empty on the other paths. kernel: the plan's
/// kernel's size; size, channels: the image. The bench times these alone,
/// the floor of what the FFT paths can reach on a machine.
std::vector<TransformBatch> plannedTransforms(const EnginePlan &plan, cv::Size kernel,
                                              cv::Size size, int channels);

/// Runs a plan: src has 1 to 4 interleaved channels of depth CV_8U, CV_16U,
/// CV_32F or CV_64F; every channel is correlated with the plan's kernel
/// (see correlate() for the geometry and borders). Returns CV_32FC(channels).
/// Throws Cancelled when stopped; progress as in RunControl.
cv::Mat runPlan(const EnginePlan &plan, const cv::Mat &src, const cv::Mat &kernel,
                BorderMode border, const RunControl &control = {});

/// planCorrelation() + runPlan() with tolerance = toleranceFraction times the
/// full scale of src's depth and the actual max|src| for float input.
cv::Mat correlateFast(const cv::Mat &src, const cv::Mat &kernel,
                      const std::vector<SeparableTerm> &known, BorderMode border,
                      const RunControl &control = {}, double toleranceFraction = kEngineTolerance);

} // namespace ks
