#include "engine.h"

#include "correlate.h"
#include "fft.h"
#include "filter.h"
#include "fused_separable_kernel.h"
#include "kernels.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <sys/mman.h>
#include <unistd.h>

namespace ks {

namespace {

constexpr double kDegree = CV_PI / 180.0;
constexpr int kMaxSvdSide = 127; // SVD cost grows with the cube of the side
constexpr double kFloatEps = 0x1p-24;
constexpr double kDoubleEps = 0x1p-53;

// Cost model: nanoseconds per output value on one core, fitted (least
// squares on relative error, 8-19 % mean error) to timings of every path
// forced on a 12-megapixel RGB 8-bit image on the reference machine (2
// cores, README "Performance"); only ratios matter.
constexpr double kDirectBase = 2.0; // correlate(), double, per value
constexpr double kDirectPerTap = 0.2;
constexpr double kDirectFloatBase = 1.2; // filter2D's float SIMD loop
constexpr double kDirectFloatPerTap = 0.03;
constexpr int kMaxDirectFloatTaps = 130; // filter2D's spatial path for float input
// sepFilter2D, per term and per tap (passTaps() of both passes); a tap
// costs more as the kernel grows (its rows fall out of cache), up to a
// side of 80.
constexpr double kFloatPerTerm = 0.37;
constexpr double kFloatPerTap = 0.036;
constexpr double kFloatPerTapSide = 0.075 / 64;
constexpr double kDoublePerTerm = 1.87;
constexpr double kDoublePerTap = 0.037;
constexpr double kDoublePerTapSide = 0.50 / 64;
constexpr int kTapSideCap = 80;
constexpr double kRunningSum = 1.2;
// The fused separable filter (runFusedSeparable, AVX + FMA), per term and
// per tap of both passes, fitted by hand (within 20 %) to the same forced
// timings: symmetry saves it little (its loads bound it).
constexpr double kFusedBase = 0.2;
constexpr double kFusedPerTerm = 0.1;
constexpr double kFusedPerTap = 0.045;
// Its AVX-512 build with streaming stores, fitted (least squares on
// relative error, within 15 %) to forced timings on the AVX-512 development
// machine (Gaussians sigma 1 to 15, derivatives order 1 and 2 at sigma 4 and
// 8) in units of that machine's tiled and 1-D FFT timings (33 ms a unit on
// 12 MP RGB, their model costs within 10 % of one another there).
constexpr double kFused512PerTerm = 0.2;
constexpr double kFused512PerTap = 0.0265;
// Its AVX-512 build in double, fitted by hand (within 10 %) to forced
// timings of rank-1 and rank-2 Gabor kernels of 15 to 61 taps on the same
// machine in the same units (Gabor 31 at theta 0: 99 ms against 148 ms by
// the tiled FFT and 235 ms by sepFilter2D in double).
constexpr double kFused512dPerTerm = 0.5;
constexpr double kFused512dPerTap = 0.06;
// 1-D transforms (runSeparableFft), per transform point: refitted to forced
// timings at sigma 6 to 100 (7.1-9.4 ns a value, within 3 %) once rows were
// transformed a channel at a time; the columns' gather and scatter, which
// replaced two transposes (0.7 ns a value), cost about as much as the
// product and conversions (sigma 30: 7.1 ns a value, the model 7.5).
constexpr double kFftPerPointLog = 0.18; // per log2 of the length (FFTW)
constexpr double kFftPerPoint = 1.05;    // product, conversions, copies
// 2-D tiles (runFft), per tile point, everything included: 3.3 ns at 2^15
// points, 0.25 ns more per doubling (cache), 0.62 ns more per doubling of
// the height beyond 128 rows (FFTW_ESTIMATE's plans for the strided
// dimension: measured 1.3-1.9x slower than FFTW_MEASURE's from 192 rows,
// 1.05-1.2x up to 128), and fixed costs per row (236 ns: reading it with
// its borders) and per tile (1.6 us).
constexpr double kTileNsAt32K = 3.3;
constexpr double kTileNsPerDoubling = 0.25;
constexpr double kTileNsPerTallDoubling = 0.62;
constexpr double kTileNsPerRow = 236;
constexpr double kTileNsPerTile = 1590;

double absSum(const std::vector<double> &v)
{
    double s = 0;
    for (double x : v)
        s += std::abs(x);
    return s;
}

/// +1 if v reads the same backwards, -1 if it changes sign, 0 otherwise.
int symmetryOf(const std::vector<double> &v)
{
    const std::size_t n = v.size();
    bool even = true;
    bool odd = n % 2 == 1 ? v[n / 2] == 0 : true;
    for (std::size_t i = 0; i < n / 2; ++i) {
        even = even && v[i] == v[n - 1 - i];
        odd = odd && v[i] == -v[n - 1 - i];
    }
    return even ? 1 : (odd ? -1 : 0);
}

/// Multiply-adds per output value of one 1-D pass: halved by symmetry.
double passTaps(const std::vector<double> &v)
{
    return symmetryOf(v) != 0 ? (static_cast<double>(v.size()) + 1) / 2 : v.size();
}

double roundingBound(const std::vector<SeparableTerm> &terms, double eps, double maxAbs)
{
    // Each term: a rounded row sum, a rounded column sum and the rounding of
    // its float taps; then the sum of the terms' results.
    double bound = 0;
    const auto extra = static_cast<double>(terms.size() + 4);
    for (const SeparableTerm &t : terms)
        bound += (static_cast<double>(t.col.size() + t.row.size()) + extra) * eps * absSum(t.col) *
                 absSum(t.row) * maxAbs;
    return bound;
}

double separableCost(const std::vector<SeparableTerm> &terms, double perTerm, double perTap,
                     double perTapSide)
{
    double cost = 0;
    for (const SeparableTerm &t : terms) {
        const double side =
            std::min<double>(static_cast<double>(t.col.size() + t.row.size()) / 2, kTapSideCap);
        cost += perTerm + (perTap + perTapSide * side) * (passTaps(t.col) + passTaps(t.row));
    }
    return cost;
}

std::vector<double> columnOf(const cv::Mat &m)
{
    std::vector<double> v(static_cast<std::size_t>(m.total()));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = m.at<double>(static_cast<int>(i));
    return v;
}

bool allTapsEqual(const cv::Mat &kernel)
{
    const double first = kernel.at<double>(0, 0);
    for (int i = 0; i < kernel.rows; ++i)
        for (int j = 0; j < kernel.cols; ++j)
            if (kernel.at<double>(i, j) != first)
                return false;
    return true;
}

// ---------------------------------------------------------------------------
// Output buffers.

/// Allocates Mat data aligned to 2 MiB and, for buffers of 4 MiB or more,
/// asks Linux for transparent huge pages (madvise mode): first-touching a
/// fresh 144 MB response in 4 KiB pages costs some 60 ms of page faults on
/// the reference machine, in 2 MiB pages under 10 ms. Frees with std::free.
///
/// The last large buffer freed is kept as a spare and handed to the next
/// allocation of the same size: a slider drag filters the same image again
/// and again, each result freed when the next one is shown, and the kernel
/// zeroing 144 MB of fresh pages costs some 14 ms a call (a third of a
/// sigma-3 Gaussian). One spare at most, so the memory kept is one result.
/// Not under AddressSanitizer, which should see every buffer's end of life.
class HugePageAllocator final : public cv::MatAllocator {
public:
    cv::UMatData *allocate(int dims, const int *sizes, int type, void *data0, std::size_t *step,
                           cv::AccessFlag, cv::UMatUsageFlags) const override
    {
        std::size_t total = CV_ELEM_SIZE(type);
        for (int i = dims - 1; i >= 0; --i) {
            if (step) {
                if (data0 && step[i] != cv::Mat::AUTO_STEP)
                    total = step[i];
                else
                    step[i] = total;
            }
            total *= static_cast<std::size_t>(sizes[i]);
        }
        auto *data = static_cast<uchar *>(data0);
        if (!data && total >= kHugeThreshold)
            data = static_cast<uchar *>(takeSpare(roundedBytes(total)));
        if (!data) {
            const bool huge = total >= kHugeThreshold;
            const std::size_t align = huge ? kHugePage : 64;
            const std::size_t bytes = roundedBytes(total);
            data = static_cast<uchar *>(std::aligned_alloc(align, bytes));
            if (!data)
                throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
            if (huge)
                (void)madvise(data, bytes, MADV_HUGEPAGE); // a hint: failure only costs speed
#endif
        }
        auto *u = new cv::UMatData(this); // owned by the Mat, released in deallocate()
        u->data = u->origdata = data;
        u->size = total;
        if (data0)
            u->flags |= cv::UMatData::USER_ALLOCATED;
        return u;
    }

    bool allocate(cv::UMatData *u, cv::AccessFlag, cv::UMatUsageFlags) const override
    {
        return u != nullptr;
    }

    void deallocate(cv::UMatData *u) const override
    {
        if (!u)
            return;
        if (!(u->flags & cv::UMatData::USER_ALLOCATED)) {
            if (u->size >= kHugeThreshold)
                keepSpare(u->origdata, roundedBytes(u->size));
            else
                std::free(u->origdata);
        }
        delete u;
    }

private:
    static std::size_t roundedBytes(std::size_t total)
    {
        const std::size_t align = total >= kHugeThreshold ? kHugePage : 64;
        return std::max<std::size_t>((total + align - 1) / align * align, align);
    }

    /// The spare if it has exactly `bytes`, else nullptr.
    void *takeSpare(std::size_t bytes) const
    {
        const std::lock_guard lock(spareMutex_);
        if (!spare_ || spareBytes_ != bytes)
            return nullptr;
        return std::exchange(spare_, nullptr);
    }

    /// Keeps data as the spare, freeing the one before.
    void keepSpare(void *data, std::size_t bytes) const
    {
#if defined(__SANITIZE_ADDRESS__)
        std::free(data);
        (void)bytes;
#else
        void *old = nullptr;
        {
            const std::lock_guard lock(spareMutex_);
            old = std::exchange(spare_, data);
            spareBytes_ = bytes;
        }
        std::free(old);
#endif
    }

    mutable std::mutex spareMutex_;
    mutable void *spare_ = nullptr;
    mutable std::size_t spareBytes_ = 0;

    static constexpr std::size_t kHugePage = std::size_t{2} << 20;
    static constexpr std::size_t kHugeThreshold = std::size_t{4} << 20;
};

/// A new, uninitialized Mat whose data comes from HugePageAllocator.
cv::Mat newOutput(cv::Size size, int type)
{
    // Never destroyed, like OpenCV's own allocators: a result may outlive
    // static destruction (a global Mat, a detached thread's frame).
    static HugePageAllocator *const allocator = new HugePageAllocator;
    cv::Mat m;
    m.allocator = allocator;
    m.create(size, type);
    return m;
}

// ---------------------------------------------------------------------------
// Strips: the shared driver for the streaming paths.

/// Seen by a running strip, which polls it between its steps and returns
/// early when it is set: a stop request is noticed within one step's work.
class StopFlag {
public:
    explicit StopFlag(const std::stop_token &token) : token_(token) {}
    bool operator()() const
    {
        if (stopped_.load(std::memory_order_relaxed))
            return true;
        if (!token_.stop_requested())
            return false;
        stopped_.store(true, std::memory_order_relaxed);
        return true;
    }

private:
    const std::stop_token &token_;
    mutable std::atomic<bool> stopped_{false};
};

/// Runs strip(y0, rows, stop) over [0, height) in strips, bands of 6 strips
/// per thread in parallel; stop checked before every strip (and by the strip
/// itself between its steps); progress per band, on the calling thread.
void forEachStrip(int height, int rowsPerStrip, const RunControl &control,
                  const std::function<void(int, int, const StopFlag &)> &strip)
{
    const int strips = (height + rowsPerStrip - 1) / rowsPerStrip;
    // Bands of several strips per thread: a thread preempted by other work
    // holds its band back by one strip, so fewer barriers lose less.
    const int perBand = std::max(1, cv::getNumThreads()) * 6;
    const StopFlag stopped(control.stop);
    for (int first = 0; first < strips; first += perBand) {
        const int last = std::min(strips, first + perBand);
        cv::parallel_for_(cv::Range(first, last), [&](const cv::Range &range) {
            for (int s = range.start; s < range.end; ++s) {
                if (stopped())
                    return;
                const int y0 = s * rowsPerStrip;
                strip(y0, std::min(rowsPerStrip, height - y0), stopped);
            }
        });
        if (stopped())
            throw Cancelled();
        control.report(static_cast<double>(last) / strips);
    }
}

/// Scratch buffers for the strips of one run. A strip borrows a workspace
/// and gives it back when done, so a run makes (and first-touches) one per
/// thread at work instead of one per strip: fresh multi-MB buffers cost a
/// page fault every 4 KiB, which was a sixth of a tiled FFT's time.
template <class Workspace> class WorkspacePool {
public:
    explicit WorkspacePool(std::function<Workspace()> make) : make_(std::move(make)) {}

    class Lease {
    public:
        Lease(WorkspacePool &pool, std::unique_ptr<Workspace> w) : pool_(pool), w_(std::move(w)) {}
        Lease(const Lease &) = delete;
        Lease &operator=(const Lease &) = delete;
        ~Lease() { pool_.giveBack(std::move(w_)); }
        Workspace &operator*() const { return *w_; }
        Workspace *operator->() const { return w_.get(); }

    private:
        WorkspacePool &pool_;
        std::unique_ptr<Workspace> w_;
    };

    Lease borrow()
    {
        {
            const std::lock_guard lock(mutex_);
            if (!free_.empty()) {
                std::unique_ptr<Workspace> w = std::move(free_.back());
                free_.pop_back();
                return Lease(*this, std::move(w));
            }
        }
        return Lease(*this, std::make_unique<Workspace>(make_()));
    }

private:
    void giveBack(std::unique_ptr<Workspace> w)
    {
        const std::lock_guard lock(mutex_);
        free_.push_back(std::move(w));
    }

    std::function<Workspace()> make_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Workspace>> free_;
};

/// A rows x cols matrix of `type` on buffer's memory (a workspace's),
/// which grows when it is too small and is otherwise reused: an OpenCV
/// function given the result as its destination writes into it in place.
cv::Mat scratch(cv::Mat &buffer, int rows, int cols, int type)
{
    const std::size_t bytes = static_cast<std::size_t>(rows) * cols * CV_ELEM_SIZE(type);
    if (buffer.total() * buffer.elemSize() < bytes) {
        if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max()))
            throw std::bad_alloc();
        buffer.create(1, static_cast<int>(bytes), CV_8U);
    }
    return cv::Mat(rows, cols, type, buffer.data);
}

/// Rows per strip so that one strip is a few ms of work (a stop request is
/// seen well within 50 ms), at least twice the kernel height so the re-read
/// overlap stays a modest overhead, and no more than the strips needed to
/// keep every thread busy.
int stripRowsFor(double costPerValue, int values, int height, int kh)
{
    const double targetNs = 6e6;
    const int rows =
        static_cast<int>(targetNs / (std::max(costPerValue, 0.2) * std::max(values, 1)));
    return std::clamp(std::max({rows, 2 * kh, 16}), 1, std::max(height, 1));
}

/// Output rows [y0, y0 + rows) of src with the kernel's whole reach around
/// them, converted to `depth`, into ext (reallocated only when its size or
/// type differs, so a workspace's buffer serves strip after strip): rows
/// and columns beyond the image from cv::borderInterpolate (zeros for
/// Constant), as correlate() does, for every mode and kernels larger than
/// the image. ext's ROI at (kw / 2, kh / 2) is the strip itself, so an
/// OpenCV filter run on that ROI without BORDER_ISOLATED reads the true
/// neighbourhood from the parent.
void extendedStrip(const cv::Mat &src, int y0, int rows, int kh, int kw, BorderMode border,
                   int depth, cv::Mat &ext)
{
    const int cvBorder = toOpenCvBorder(border);
    const int left = kw / 2;
    ext.create(rows + kh - 1, src.cols + kw - 1, CV_MAKETYPE(depth, src.channels()));
    const std::size_t pixelBytes = ext.elemSize();
    for (int i = 0; i < ext.rows; ++i) {
        const int from = cv::borderInterpolate(y0 + i - kh / 2, src.rows, cvBorder);
        if (from < 0) {
            ext.row(i).setTo(cv::Scalar::all(0));
            continue;
        }
        src.row(from).convertTo(ext.row(i).colRange(left, left + src.cols), depth);
        uchar *row = ext.ptr(i);
        for (int j = 0; j < ext.cols; ++j) {
            if (j == left) {
                j = left + src.cols - 1; // the image's own pixels are in place
                continue;
            }
            const int q = cv::borderInterpolate(j - left, src.cols, cvBorder);
            if (q < 0)
                std::memset(row + j * pixelBytes, 0, pixelBytes);
            else
                std::memcpy(row + j * pixelBytes, row + (left + q) * pixelBytes, pixelBytes);
        }
    }
}

// ---------------------------------------------------------------------------
// The engine's own SIMD kernels (core/fused_separable_kernel.h): which build
// runs.

SimdKernels cpuSimdKernels()
{
#if defined(KS_HAVE_AVX_KERNEL)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
        return SimdKernels::Avx512;
    if (__builtin_cpu_supports("avx") && __builtin_cpu_supports("fma"))
        return SimdKernels::Avx;
#endif
    return SimdKernels::None;
}

std::atomic<SimdKernels> simdKernelsLimit{SimdKernels::Avx512};

/// The build of the fused filter's kernel to run now.
SimdKernels activeSimdKernels()
{
    return std::min(supportedSimdKernels(), simdKernelsLimit.load(std::memory_order_relaxed));
}

/// out[i] = in[i] for i < n: the row readers' inner loop, which the
/// compiler vectorizes for the baseline instruction set.
template <class T, class In> void widenInto(const In *in, T *out, int n)
{
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<T>(in[i]);
}

/// 8-bit values to float, by the fused filter's AVX-512 or AVX build where
/// it runs: its input rows, converted in SSE2 registers four values at a
/// time, had become a third of a small Gaussian's time.
void widenInto(const uchar *in, float *out, int n)
{
#if defined(KS_HAVE_AVX_KERNEL)
    switch (activeSimdKernels()) {
    case SimdKernels::Avx512:
        detail::widenU8Avx512(in, out, n);
        return;
    case SimdKernels::Avx:
        detail::widenU8AvxFma(in, out, n);
        return;
    case SimdKernels::None:
        break;
    }
#endif
    widenInto<float, uchar>(in, out, n);
}

/// Values [first, first + count) of an image row extended by the border
/// (they may lie outside the image; zeros for Constant), converted to T
/// (double or float). With channel < 0 the values are all channels
/// interleaved, taken a pixel's channels at a time beyond the edges (what
/// extendedStrip() holds); otherwise they are the pixels of that channel
/// alone (a row of one channel, for the 1-D transforms). Plain pointer
/// loops the compiler vectorizes: a cv::Mat header and convertTo per row
/// cost a third of the fused filter's time on small kernels.
template <class T, class In>
void readExtendedAs(const cv::Mat &src, const In *row, int channel, int first, int count,
                    int cvBorder, T *out)
{
    const int cn = src.channels();
    const bool interleaved = channel < 0;
    const In *in = interleaved ? row : row + channel;
    const int length = interleaved ? src.cols * cn : src.cols;
    const int lo = std::clamp(first, 0, length);
    const int hi = std::clamp(first + count, lo, length);
    T *inside = out + (lo - first);
    if (interleaved)
        widenInto(in + lo, inside, hi - lo);
    else
        for (int i = 0; i < hi - lo; ++i)
            inside[i] = static_cast<T>(in[(lo + i) * cn]);
    auto border = [&](int i) {
        const int v = first + i;
        int pixel = v;
        int c = 0;
        if (interleaved) {
            pixel = v >= 0 ? v / cn : -((-v + cn - 1) / cn);
            c = v - pixel * cn;
        }
        const int q = cv::borderInterpolate(pixel, src.cols, cvBorder);
        out[i] = q < 0 ? T{0} : static_cast<T>(in[q * cn + c]);
    };
    const int left = std::clamp(lo - first, 0, count);
    for (int i = 0; i < left; ++i)
        border(i);
    for (int i = std::clamp(hi - first, left, count); i < count; ++i)
        border(i);
}

/// readExtendedAs() on image row y (a row outside the image taken by the
/// border, as cv::borderInterpolate), all channels interleaved or one
/// channel's pixels.
template <class T>
void readExtendedRow(const cv::Mat &src, int y, int first, int count, int cvBorder, T *out,
                     int channel = -1)
{
    const int from = cv::borderInterpolate(y, src.rows, cvBorder);
    if (from < 0) {
        std::fill(out, out + count, T{0});
        return;
    }
    switch (src.depth()) {
    case CV_8U:
        readExtendedAs(src, src.ptr<uchar>(from), channel, first, count, cvBorder, out);
        break;
    case CV_16U:
        readExtendedAs(src, src.ptr<ushort>(from), channel, first, count, cvBorder, out);
        break;
    case CV_32F:
        readExtendedAs(src, src.ptr<float>(from), channel, first, count, cvBorder, out);
        break;
    case CV_64F:
        readExtendedAs(src, src.ptr<double>(from), channel, first, count, cvBorder, out);
        break;
    default:
        throw std::invalid_argument("engine: unsupported image depth");
    }
}

#if defined(KS_HAVE_AVX_KERNEL)
/// Asks the CPU to start loading values [first, first + count) of image row
/// y (the part inside the image) into cache. The fused filter reads a block
/// of 256 to 1024 values of row after row, 12 KB apart on a 4000-pixel RGB
/// image: too short a run for the hardware prefetcher, and waiting for
/// those rows took a quarter of a sigma-2 Gaussian's time.
void prefetchRow(const cv::Mat &src, int y, int first, int count, int cvBorder)
{
    const int from = cv::borderInterpolate(y, src.rows, cvBorder);
    if (from < 0)
        return;
    const int values = src.cols * src.channels();
    const std::size_t size = src.elemSize1();
    const std::size_t lo = static_cast<std::size_t>(std::clamp(first, 0, values)) * size;
    const std::size_t hi = static_cast<std::size_t>(std::clamp(first + count, 0, values)) * size;
    const uchar *row = src.ptr(from);
    for (std::size_t b = lo; b < hi; b += 64)
        __builtin_prefetch(row + b);
}
#endif

/// The strip itself inside extendedStrip()'s result.
cv::Mat stripRoi(const cv::Mat &ext, int rows, int kh, int kw)
{
    return ext(cv::Rect(kw / 2, kh / 2, ext.cols - (kw - 1), rows));
}

/// Where the strips of the sepFilter2D and boxFilter paths come from. When
/// the filter reads the source's own depth, OpenCV has the border mode, the
/// kernel is within the image and src is a whole matrix, a strip is a view
/// of the source: an OpenCV filter on an ROI reads the true neighbours from
/// the whole image and extends its edges by the mode, which saves copying
/// the image once more. Otherwise (Wrap, double accumulation, kernels
/// reaching past the whole image, or a source that is itself a region of a
/// larger matrix, whose edges must get the border, not the parent's pixels)
/// a strip is an extendedStrip() copy, filtered with zeros outside it.
class StripSource {
public:
    StripSource(const cv::Mat &src, int inDepth, BorderMode border, int kh, int kw)
        : src_(src), inDepth_(inDepth), border_(border), kh_(kh), kw_(kw),
          view_(inDepth == src.depth() && border != BorderMode::Wrap && !src.isSubmatrix() &&
                kh / 2 < src.rows && kw / 2 < src.cols)
    {
    }

    /// The border mode to give the OpenCV filter run on strip().
    int filterBorder() const { return view_ ? toOpenCvBorder(border_) : cv::BORDER_CONSTANT; }

    /// Output rows [y0, y0 + rows) as the filter's input; `copy` holds the
    /// extended copy when there is one (a workspace's, reused).
    cv::Mat strip(int y0, int rows, cv::Mat &copy) const
    {
        if (view_)
            return src_.rowRange(y0, y0 + rows);
        extendedStrip(src_, y0, rows, kh_, kw_, border_, inDepth_, copy);
        return stripRoi(copy, rows, kh_, kw_);
    }

private:
    const cv::Mat &src_;
    int inDepth_;
    BorderMode border_;
    int kh_;
    int kw_;
    bool view_;
};

// ---------------------------------------------------------------------------
// Separable passes: OpenCV's sepFilter2D (SIMD, dispatched at run time to the
// CPU's widest vectors) on every strip, term after term.

/// Depth the source is handed to sepFilter2D at: its own (exact conversions
/// inside the row filter, and strips can be views of the source), except
/// 64F input for float accumulation, which goes through 32F.
int filterSourceDepth(int srcDepth, int accDepth)
{
    if (accDepth == CV_64F)
        return srcDepth;
    return srcDepth == CV_64F ? CV_32F : srcDepth;
}

// ---------------------------------------------------------------------------
// The fused separable filter (core/fused_separable_kernel.h): on CPUs with
// AVX and FMA (or AVX-512), float accumulation runs every term's row pass
// into a ring of rows and one column pass summing all terms into the output,
// eight vectors at a time, instead of OpenCV's sepFilter2D (whose x86 build
// stops at SSE4.1 on a CPU without AVX2) once per term with a partial result
// each.

bool fusedSeparableAvailable(const std::vector<SeparableTerm> &terms)
{
#if defined(KS_HAVE_AVX_KERNEL)
    // Below 5 taps, one term runs faster on sepFilter2D (box 3: 11.7
    // against 15 ms on 12 MP RGB); from 5 the fused filter is faster
    // (Gaussian of 5 taps 8.5 against 10 ms, sigma 1 with 7 taps 9.6-11.6
    // against 11.5-12.8 ms).
    const int side = static_cast<int>(std::max(terms.front().col.size(), terms.front().row.size()));
    return activeSimdKernels() != SimdKernels::None && (terms.size() > 1 || side >= 5) &&
           static_cast<int>(terms.size()) <= detail::kFusedMaxTerms &&
           static_cast<int>(terms.front().col.size()) <= detail::kFusedMaxTaps &&
           static_cast<int>(terms.front().row.size()) <= detail::kFusedMaxTaps;
#else
    (void)terms;
    return false;
#endif
}

/// The fused filter in double runs on its AVX-512 build alone, from 5 taps
/// or 2 terms like the float one.
bool fusedDoubleAvailable(const std::vector<SeparableTerm> &terms)
{
    return activeSimdKernels() == SimdKernels::Avx512 && fusedSeparableAvailable(terms);
}

/// base, plus for every term perTerm and perTap per tap of both passes.
double termCost(const std::vector<SeparableTerm> &terms, double base, double perTerm, double perTap)
{
    double cost = base;
    for (const SeparableTerm &t : terms)
        cost += perTerm + perTap * static_cast<double>(t.col.size() + t.row.size());
    return cost;
}

/// The fused filter's cost, accumulating in float (accDepth CV_32F) or
/// double, by the build that would run.
double fusedCost(const std::vector<SeparableTerm> &terms, int accDepth)
{
    if (accDepth == CV_64F)
        return termCost(terms, 0, kFused512dPerTerm, kFused512dPerTap);
    if (activeSimdKernels() == SimdKernels::Avx512)
        return termCost(terms, 0, kFused512PerTerm, kFused512PerTap);
    return termCost(terms, kFusedBase, kFusedPerTerm, kFusedPerTap);
}

#if defined(KS_HAVE_AVX_KERNEL)
/// Bytes of the fused filter's ring: two thirds of this CPU's first-level
/// data cache (16 to 64 KiB; 16 KiB where the system does not say).
int ringBudgetBytes()
{
    static const int budget = [] {
        const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
        return l1 > 0 ? static_cast<int>(std::clamp<long>(l1 * 2 / 3, 16 << 10, 64 << 10))
                      : 16 << 10;
    }();
    return budget;
}

/// The fused filter accumulating in Elem (float, or double on AVX-512).
template <class Elem>
void runFusedSeparable(const std::vector<SeparableTerm> &terms, const cv::Mat &src, cv::Mat &dst,
                       BorderMode border, double costPerValue, const RunControl &control)
{
    const int kh = static_cast<int>(terms.front().col.size());
    const int kw = static_cast<int>(terms.front().row.size());
    const int cn = src.channels();
    const int values = src.cols * cn;
    std::vector<Elem> rowTaps, colTaps;
    std::vector<int> rowSymmetry, colSymmetry;
    for (const SeparableTerm &t : terms) {
        rowTaps.insert(rowTaps.end(), t.row.begin(), t.row.end());
        colTaps.insert(colTaps.end(), t.col.begin(), t.col.end());
        rowSymmetry.push_back(symmetryOf(t.row));
        colSymmetry.push_back(symmetryOf(t.col));
    }
    detail::FusedArgs<Elem> base;
    base.terms = static_cast<int>(terms.size());
    base.kw = kw;
    base.kh = kh;
    base.step = cn;
    base.rowTaps = rowTaps.data();
    base.colTaps = colTaps.data();
    base.rowSymmetry = rowSymmetry.data();
    base.colSymmetry = colSymmetry.data();
    // Outputs of 32 MiB or more are written with streaming stores: writing
    // a 12 MP RGB response (137 MiB) through the caches reads every line
    // from memory first. On the AVX-512 development machine streaming made
    // Gaussians at sigma 1 to 3 a quarter faster in one hour's runs, 0-10 %
    // in a later hour's (README).
    base.stream = dst.total() * dst.elemSize() >= (std::size_t{32} << 20);
    void (*rowPass)(const detail::FusedArgs<Elem> &, const Elem *, int) = nullptr;
    void (*columnPass)(const detail::FusedArgs<Elem> &, int, float *) = nullptr;
    if constexpr (std::is_same_v<Elem, double>) {
        rowPass = detail::fusedRowsAvx512d;
        columnPass = detail::fusedColumnAvx512d;
    } else {
        const bool wide = activeSimdKernels() == SimdKernels::Avx512;
        rowPass = wide ? detail::fusedRowsAvx512 : detail::fusedRowsAvxFma;
        columnPass = wide ? detail::fusedColumnAvx512 : detail::fusedColumnAvxFma;
    }
    const int cvBorder = toOpenCvBorder(border);
    cv::Mat plane = dst.reshape(1);
    // Blocks of values whose ring of row-pass results (terms x kh rows)
    // fits in two thirds of the first-level data cache, in multiples of 64
    // values (the AVX kernel's widest step), 256 to 4096: streaming the ring
    // from the second level made the column pass the bottleneck, and on the
    // AVX-512 machine's 48 KiB cache a 32 KiB ring made Gaussians at sigma 1
    // to 3 15-22 % faster than the 16 KiB it had before (README).
    const int fitting =
        ringBudgetBytes() / (static_cast<int>(sizeof(Elem)) * kh * base.terms) / 64 * 64;
    const int block = std::min(values, std::clamp(fitting, 256, 4096));
    // The work is cut into tasks of one block over a strip of rows. A strip
    // repeats the row pass for the kh - 1 rows it shares with the next one,
    // so strips are as tall as a task of about 6 ms allows, and at least 16
    // times the kernel (strips of 6 ms over whole rows were 2 kh rows tall
    // at sigma 8 to 10, and repeated half of the row pass); but there are
    // at least two tasks a thread where strips of 2 kh rows allow (an image
    // one block wide, such as the preview's, would otherwise be one task).
    const int blocks = (values + block - 1) / block;
    const int threads = std::max(1, cv::getNumThreads());
    const int stripsWanted = (2 * threads + blocks - 1) / blocks;
    const int tall =
        std::max(static_cast<int>(6e6 / (std::max(costPerValue, 0.2) * block)), 16 * kh);
    const int shared = std::max((src.rows + stripsWanted - 1) / stripsWanted, 2 * kh);
    const int rowsPerStrip = std::clamp(std::min(tall, shared), 1, src.rows);
    const int strips = (src.rows + rowsPerStrip - 1) / rowsPerStrip;
    struct Workspace {
        std::vector<Elem> ring;
        std::vector<Elem> row;
    };
    WorkspacePool<Workspace> pool([] { return Workspace{}; });
    forEachStrip(strips * blocks, 1, control, [&](int task, int, const StopFlag &stop) {
        const auto ws = pool.borrow();
        const int y0 = task / blocks * rowsPerStrip;
        const int rows = std::min(rowsPerStrip, src.rows - y0);
        const int v0 = task % blocks * block;
        detail::FusedArgs<Elem> args = base;
        args.width = std::min(block, values - v0);
        ws->ring.resize(static_cast<std::size_t>(args.terms) * kh * detail::ringStride(args.width));
        args.ring = ws->ring.data();
        const int input = args.width + (kw - 1) * cn;
        ws->row.resize(static_cast<std::size_t>(input));
        for (int iy = 0; iy < rows + kh - 1; ++iy) {
            if (iy % 64 == 63 && stop())
                return;
            prefetchRow(src, y0 - kh / 2 + iy + 2, v0 - (kw / 2) * cn, input, cvBorder);
            readExtendedRow(src, y0 - kh / 2 + iy, v0 - (kw / 2) * cn, input, cvBorder,
                            ws->row.data());
            rowPass(args, ws->row.data(), iy % kh);
            const int y = iy - (kh - 1);
            if (y >= 0)
                columnPass(args, y, plane.ptr<float>(y0 + y) + v0);
        }
    });
}
#endif

void runSeparable(const std::vector<SeparableTerm> &terms, const cv::Mat &src, cv::Mat &dst,
                  BorderMode border, int accDepth, double costPerValue, const RunControl &control)
{
#if defined(KS_HAVE_AVX_KERNEL)
    if (accDepth == CV_32F && fusedSeparableAvailable(terms)) {
        runFusedSeparable<float>(terms, src, dst, border, costPerValue, control);
        return;
    }
    if (accDepth == CV_64F && fusedDoubleAvailable(terms)) {
        runFusedSeparable<double>(terms, src, dst, border, costPerValue, control);
        return;
    }
#endif
    const int kh = static_cast<int>(terms.front().col.size());
    const int kw = static_cast<int>(terms.front().row.size());
    const int cn = src.channels();
    std::vector<std::pair<cv::Mat, cv::Mat>> kernels; // (row, col) at accDepth
    for (const SeparableTerm &t : terms) {
        cv::Mat row, col;
        cv::Mat(t.row, true).convertTo(row, accDepth);
        cv::Mat(t.col, true).convertTo(col, accDepth);
        kernels.emplace_back(row, col);
    }
    const int inDepth = filterSourceDepth(src.depth(), accDepth);
    const cv::Point anchor(kw / 2, kh / 2);
    const int rowsPerStrip = stripRowsFor(costPerValue, src.cols * cn, src.rows, kh);

    const StripSource strips(src, inDepth, border, kh, kw);
    const int filterBorder = strips.filterBorder();

    struct Workspace {
        cv::Mat copy; // the extended strip, when the strips are copies
        cv::Mat acc;  // double accumulation
        cv::Mat part; // a later term's result
    };
    WorkspacePool<Workspace> pool([] { return Workspace{}; });

    forEachStrip(src.rows, rowsPerStrip, control, [&](int y0, int rows, const StopFlag &stop) {
        const auto ws = pool.borrow();
        const cv::Mat in = strips.strip(y0, rows, ws->copy);
        // Chunks of columns of a few ms each (as narrow as 32 columns: the
        // row pass reads neighbours from the extended strip, so a narrow
        // chunk adds no work), with the stop token checked between them: the
        // tall strips of tall kernels stay interruptible within a few ms.
        const int chunk =
            std::clamp(static_cast<int>(4e6 / (std::max(costPerValue, 0.2) * cn * rows)),
                       std::min(32, std::max(src.cols, 1)), std::max(src.cols, 1));
        for (int x0 = 0; x0 < src.cols; x0 += chunk) {
            const cv::Range columns(x0, std::min(src.cols, x0 + chunk));
            const cv::Mat inChunk = in.colRange(columns);
            cv::Mat out = dst.rowRange(y0, y0 + rows).colRange(columns);
            const int type = CV_MAKETYPE(accDepth, cn);
            const bool direct = accDepth == CV_32F;
            cv::Mat acc = direct ? out : scratch(ws->acc, rows, columns.size(), type);
            cv::Mat part =
                kernels.size() > 1 ? scratch(ws->part, rows, columns.size(), type) : cv::Mat();
            for (std::size_t t = 0; t < kernels.size(); ++t) {
                if (stop())
                    return;
                cv::Mat &target = t == 0 ? acc : part;
                cv::sepFilter2D(inChunk, target, accDepth, kernels[t].first, kernels[t].second,
                                anchor, 0, filterBorder);
                if (t > 0)
                    cv::add(acc, part, acc);
            }
            if (!direct)
                acc.convertTo(out, CV_32F);
        }
    });
}

// ---------------------------------------------------------------------------
// Direct 2-D correlation in float: cv::filter2D on every extended strip, with
// BORDER_ISOLATED on the whole extension so that whichever method OpenCV
// picks reads only real (extended) pixels; the strip is cut out afterwards.

void runDirectFloat(const cv::Mat &kernel, const cv::Mat &src, cv::Mat &dst, BorderMode border,
                    double costPerValue, const RunControl &control)
{
    const int kh = kernel.rows;
    const int kw = kernel.cols;
    const int cn = src.channels();
    cv::Mat taps;
    kernel.convertTo(taps, CV_32F);
    const cv::Point anchor(kw / 2, kh / 2);
    const int rowsPerStrip = stripRowsFor(costPerValue, src.cols * cn, src.rows, kh);
    struct Workspace {
        cv::Mat ext;
        cv::Mat out;
    };
    WorkspacePool<Workspace> pool([] { return Workspace{}; });
    forEachStrip(src.rows, rowsPerStrip, control, [&](int y0, int rows, const StopFlag &stop) {
        if (stop())
            return;
        const auto ws = pool.borrow();
        // Float input: filter2D keeps float kernels under 130 taps on its
        // SIMD loop (8-bit input would switch to a DFT from 50 taps).
        extendedStrip(src, y0, rows, kh, kw, border, CV_32F, ws->ext);
        cv::filter2D(ws->ext, ws->out, CV_32F, taps, anchor, 0,
                     cv::BORDER_CONSTANT | cv::BORDER_ISOLATED);
        stripRoi(ws->out, rows, kh, kw).copyTo(dst.rowRange(y0, y0 + rows));
    });
}

// ---------------------------------------------------------------------------
// Running sums (all taps equal): OpenCV's boxFilter on every strip, whose
// sliding sums are exact integers for 8U and 16U input and doubles otherwise.

void runRunningSum(double tap, int kh, int kw, const cv::Mat &src, cv::Mat &dst, BorderMode border,
                   const RunControl &control)
{
    const int cn = src.channels();
    const bool normalized = std::abs(tap * kh * kw - 1) < 1e-15;
    // Each strip first sums kh rows: two strips per thread, and at least 5
    // kh rows, keep that overhead within a fifth (box 301 on 3000 rows: 750-
    // row strips did 40 % more work); chunks of columns (at least 4 kw wide,
    // for the same reason across) keep every step a few ms.
    const int threads = std::max(1, cv::getNumThreads());
    const int rowsPerStrip = std::clamp(
        std::max((src.rows + 2 * threads - 1) / (2 * threads), 5 * kh), 16, std::max(src.rows, 1));
    // Unnormalized 16U sums could overflow OpenCV's 32-bit integer sums:
    // 32F input makes them double (exact for these integers).
    const int inDepth = !normalized && src.depth() == CV_16U ? CV_32F : src.depth();
    const StripSource strips(src, inDepth, border, kh, kw);
    const int filterBorder = strips.filterBorder();
    struct Workspace {
        cv::Mat copy; // the extended strip, when the strips are copies
        cv::Mat sums; // unnormalized sums in double
    };
    WorkspacePool<Workspace> pool([] { return Workspace{}; });
    forEachStrip(src.rows, rowsPerStrip, control, [&](int y0, int rows, const StopFlag &stop) {
        if (stop())
            return;
        const auto ws = pool.borrow();
        const cv::Mat in = strips.strip(y0, rows, ws->copy);
        const int chunk = std::clamp(static_cast<int>(4e6 / (kRunningSum * cn * (rows + kh))),
                                     std::max(4 * kw, 64), std::max(src.cols, 1));
        for (int x0 = 0; x0 < src.cols; x0 += chunk) {
            if (stop())
                return;
            const cv::Range columns(x0, std::min(src.cols, x0 + chunk));
            const cv::Mat inChunk = in.colRange(columns);
            cv::Mat out = dst.rowRange(y0, y0 + rows).colRange(columns);
            if (normalized) {
                // Sums scaled by 1 / (kw kh) in double, rounded once to float.
                cv::boxFilter(inChunk, out, CV_32F, cv::Size(kw, kh), cv::Point(kw / 2, kh / 2),
                              true, filterBorder);
            } else {
                cv::Mat sums = scratch(ws->sums, out.rows, out.cols, CV_64FC(cn));
                cv::boxFilter(inChunk, sums, CV_64F, cv::Size(kw, kh), cv::Point(kw / 2, kh / 2),
                              false, filterBorder);
                sums.convertTo(out, CV_32F, tap);
            }
        }
    });
}

// ---------------------------------------------------------------------------
// Tiled FFT correlation, in double (FFTW, core/fft.h): cost independent of
// the kernel's size and rank. A tile is T rows by N values of an extended
// strip with its channels still interleaved; the kernel's taps are spread cn
// values apart so that one 2-D transform correlates every channel at once.

/// The kernel spread over cn interleaved channels: kh x ((kw - 1) cn + 1).
cv::Mat interleavedKernel(const cv::Mat &kernel, int cn)
{
    cv::Mat k = cv::Mat::zeros(kernel.rows, (kernel.cols - 1) * cn + 1, CV_64F);
    for (int i = 0; i < kernel.rows; ++i)
        for (int j = 0; j < kernel.cols; ++j)
            k.at<double>(i, j * cn) = kernel.at<double>(i, j);
    return k;
}

/// The spectrum that turns a product into a correlation with `kernel`
/// (rows x cols at most the transform's size): the conjugate of the zero-
/// padded kernel's transform, times 1 / points (FFTW's inverse is
/// unnormalized). The kernel's tap `centre` is placed at index (0, 0), the
/// taps before it wrapping round to the end, so input (y, x)'s correlation
/// lands at (y + centre.y, x + centre.x).
fft::Buffer<std::complex<double>> correlationSpectrum(const fft::RealDft &dft,
                                                      const cv::Mat &kernel, cv::Point centre = {})
{
    const fft::Buffer<double> padded = fft::realBuffer(dft.points());
    std::fill(padded.get(), padded.get() + dft.points(), 0.0);
    for (int i = 0; i < kernel.rows; ++i) {
        const int y = (i - centre.y + dft.rows()) % dft.rows();
        for (int j = 0; j < kernel.cols; ++j) {
            const int x = (j - centre.x + dft.cols()) % dft.cols();
            padded[static_cast<std::size_t>(y) * dft.cols() + x] = kernel.at<double>(i, j);
        }
    }
    fft::Buffer<std::complex<double>> spectrum = fft::complexBuffer(dft.spectrumSize());
    dft.forward(padded.get(), spectrum.get());
    const double scale = 1.0 / static_cast<double>(dft.points());
    for (std::size_t i = 0; i < dft.spectrumSize(); ++i)
        spectrum[i] = std::conj(spectrum[i]) * scale;
    return spectrum;
}

/// 1 when kernel(i, j) == kernel(rows-1-i, cols-1-j) exactly (even about
/// its centre), -1 when it is the negative (odd), 0 otherwise or when a side
/// is even (no centre tap).
int pointSymmetry(const cv::Mat &kernel)
{
    if (kernel.rows % 2 == 0 || kernel.cols % 2 == 0)
        return 0;
    bool even = true;
    bool odd = true;
    for (int i = 0; i < kernel.rows && (even || odd); ++i)
        for (int j = 0; j < kernel.cols; ++j) {
            const double a = kernel.at<double>(i, j);
            const double b = kernel.at<double>(kernel.rows - 1 - i, kernel.cols - 1 - j);
            even = even && a == b;
            odd = odd && a == -b;
        }
    return even ? 1 : (odd ? -1 : 0);
}

/// A kernel's spectrum for correlation by transforms. An even or odd kernel
/// with a centre tap (every closed-form 1-D one, and Gabor kernels with
/// psi 0) is placed with its centre at index (0, 0), wrapping round, which
/// makes its spectrum real (even) or imaginary (odd): the product takes two
/// multiplications a point instead of four and two additions (it was a
/// tenth of a large Gaussian's time), and input (y, x)'s correlation lands
/// at (y + centre.y, x + centre.x).
struct KernelSpectrum {
    int symmetry = 0; ///< 1 even, -1 odd: `factors` holds the real, or imaginary, parts
    cv::Point centre; ///< where output (0, 0) lands in the inverse transform
    std::vector<double> factors;
    fft::Buffer<std::complex<double>> spectrum; ///< otherwise: correlationSpectrum()
};

/// kernel: CV_64F, at most the transform's size.
KernelSpectrum kernelSpectrum(const fft::RealDft &dft, const cv::Mat &kernel)
{
    KernelSpectrum k;
    k.symmetry = pointSymmetry(kernel);
    if (k.symmetry == 0) {
        k.spectrum = correlationSpectrum(dft, kernel);
        return k;
    }
    k.centre = cv::Point(kernel.cols / 2, kernel.rows / 2);
    // The real part for an even kernel, the imaginary one for an odd kernel:
    // the other part is zero up to rounding.
    const fft::Buffer<std::complex<double>> spectrum = correlationSpectrum(dft, kernel, k.centre);
    k.factors.resize(dft.spectrumSize());
    for (std::size_t i = 0; i < k.factors.size(); ++i)
        k.factors[i] = k.symmetry > 0 ? spectrum[i].real() : spectrum[i].imag();
    return k;
}

/// spectrum[0, n) times the kernel's spectrum: the product that makes the
/// inverse transform a correlation.
void applySpectrum(const KernelSpectrum &kernel, std::complex<double> *spectrum, std::size_t n)
{
    auto *s = reinterpret_cast<double *>(spectrum);
    const double *f = kernel.factors.data();
    if (kernel.symmetry > 0) {
        for (std::size_t i = 0; i < n; ++i) {
            s[2 * i] *= f[i];
            s[2 * i + 1] *= f[i];
        }
    } else if (kernel.symmetry < 0) {
        // (a + ib) * i f = -b f + i a f
        for (std::size_t i = 0; i < n; ++i) {
            const double re = s[2 * i];
            s[2 * i] = -s[2 * i + 1] * f[i];
            s[2 * i + 1] = re * f[i];
        }
    } else {
        fft::multiply(spectrum, kernel.spectrum.get(), n);
    }
}

/// The smallest length at least n of the forms 2^a and 3 * 2^a, which
/// FFTW_ESTIMATE plans well.
int nextFastFftLength(int n)
{
    int best = 1;
    while (best < n)
        best *= 2;
    for (int p = 3; p < best; p *= 2)
        if (p >= n)
            return p;
    return best;
}

/// The smallest length at least n of the forms 2^a, 3 * 2^a, 5 * 2^a and
/// 25 * 2^a: the 1-D transforms' lengths. FFTW_ESTIMATE plans for all four
/// ran a forward and inverse transform in 1.7-2.5 ns a point on the
/// reference machine from 640 to 25600 points (lengths with factors 7, 9 or
/// 27 up to 3.6 ns, and 4200-5000 points took longer than 5120); the extra
/// forms keep a row of 4180 values (4000 pixels, 181 taps) at 5120 points
/// instead of 6144, a column of 3180 at 3200 instead of 4096 (6.2 against
/// 8.8 us).
int nextFastRowFftLength(int n)
{
    int best = nextFastFftLength(n);
    for (const int m : {5, 25})
        for (int p = m; p < best; p *= 2)
            if (p >= n) {
                best = p;
                break;
            }
    return best;
}

/// How runFft covers an image of rows x values (values = cols * cn) with
/// tiles t for a kernel of kh x kwv values: each tile yields outRows rows of
/// outValues values; bands of tiles down the image, `across` tiles a band
/// (partial tiles at the edges count whole).
struct TileGrid {
    int outRows = 0;
    int outValues = 0;
    long long bands = 0;
    long long across = 0;
};

TileGrid tileGrid(cv::Size t, int kh, int kwv, int rows, int values)
{
    TileGrid g;
    g.outRows = t.height - kh + 1;
    g.outValues = t.width - kwv + 1;
    if (g.outRows >= 1 && g.outValues >= 1) {
        g.bands = (rows + g.outRows - 1) / g.outRows;
        g.across = (values + g.outValues - 1) / g.outValues;
    }
    return g;
}

/// Estimated ns per output value for tile t, kernel kh x kwv values, on an
/// image of rows x values: the transforms, product and copies of every tile
/// (partial tiles at the edges cost a whole one), with the bands of tiles
/// shared out to the threads.
double fftCost(cv::Size t, int kh, int kwv, int rows, int values)
{
    const TileGrid grid = tileGrid(t, kh, kwv, rows, values);
    if (grid.bands == 0) // the kernel does not fit the tile
        return std::numeric_limits<double>::infinity();
    const double bands = static_cast<double>(grid.bands);
    const double across = static_cast<double>(grid.across);
    const double threads = std::max(1, cv::getNumThreads());
    const double balancedBands = std::ceil(bands / threads) * threads;
    const double points = static_cast<double>(t.width) * t.height;
    const double tall = std::max(0.0, std::log2(t.height / 128.0));
    const double tileNs = (kTileNsAt32K + kTileNsPerDoubling * std::log2(points / 32768.0) +
                           kTileNsPerTallDoubling * tall) *
                              points +
                          kTileNsPerRow * t.height + kTileNsPerTile;
    return tileNs * balancedBands * across / (static_cast<double>(rows) * values);
}

/// The cheapest tile for this kernel and image (values = cols * cn), and its
/// cost.
std::pair<cv::Size, double> chooseFftTile(int kh, int kwv, int rows, int values)
{
    std::pair<cv::Size, double> best{cv::Size(), std::numeric_limits<double>::infinity()};
    // No tile larger than the whole extended image needs.
    // Heights are powers of two: FFTW_ESTIMATE's plans for 3 * 2^a along the
    // strided first dimension measured a third slower per point.
    int maxH = 1;
    while (maxH < rows + kh - 1)
        maxH *= 2;
    const int maxW = nextFastFftLength(values + kwv - 1);
    for (int h = 16; h <= 4096; h *= 2)
        for (int w = 16; w <= 16384; w = nextFastFftLength(w + 1)) {
            const cv::Size t(std::min(w, maxW), std::min(h, maxH));
            if (t.height < kh || t.width < kwv)
                continue;
            // A tile's transform stays within a few MB (cache, peak memory,
            // and a stop request seen within a few ms).
            if (static_cast<double>(t.width) * t.height > (1 << 18))
                continue;
            const double c = fftCost(t, kh, kwv, rows, values);
            if (c < best.second)
                best = {t, c};
        }
    return best;
}

void runFft(const cv::Mat &kernel, cv::Size tile, const cv::Mat &src, cv::Mat &dst,
            BorderMode border, const RunControl &control)
{
    const int cn = src.channels();
    const int kh = kernel.rows;
    const int kw = kernel.cols;
    const cv::Mat kv = interleavedKernel(kernel, cn);
    const int kwv = kv.cols;
    const int values = src.cols * cn;
    const TileGrid grid = tileGrid(tile, kh, kwv, src.rows, values);
    const int outRowsPerTile = grid.outRows;
    const int outValuesPerTile = grid.outValues;
    const fft::RealDft dft(tile.height, tile.width);
    const KernelSpectrum spectrum = kernelSpectrum(dft, kv);
    const int cvBorder = toOpenCvBorder(border);
    // The extended image's values [x, x + n) are the source's [x - shift, ...).
    const int shift = (kw / 2) * cn;
    cv::Mat plane = dst.reshape(1);
    struct Workspace {
        fft::Buffer<double> tile;
        fft::Buffer<std::complex<double>> spectrum;
    };
    WorkspacePool<Workspace> pool([&dft] {
        return Workspace{fft::realBuffer(dft.points()), fft::complexBuffer(dft.spectrumSize())};
    });

    forEachStrip(src.rows, outRowsPerTile, control, [&](int y0, int rows, const StopFlag &stop) {
        const auto ws = pool.borrow();
        double *const in = ws->tile.get();
        const int inRows = rows + kh - 1;
        for (int x0 = 0; x0 < values; x0 += outValuesPerTile) {
            if (stop())
                return;
            // Each tile reads its rows straight from the source, borders
            // resolved per value: no extended copy of the strip.
            const int inValues = std::min(tile.width, values + kwv - 1 - x0);
            const int outValues = std::min(outValuesPerTile, values - x0);
            for (int i = 0; i < inRows; ++i) {
                double *row = in + static_cast<std::ptrdiff_t>(i) * tile.width;
                readExtendedRow(src, y0 - kh / 2 + i, x0 - shift, inValues, cvBorder, row);
                std::fill(row + inValues, row + tile.width, 0.0);
            }
            std::fill(in + static_cast<std::ptrdiff_t>(inRows) * tile.width,
                      in + static_cast<std::ptrdiff_t>(tile.height) * tile.width, 0.0);
            dft.forward(in, ws->spectrum.get());
            applySpectrum(spectrum, ws->spectrum.get(), dft.spectrumSize());
            dft.inverse(ws->spectrum.get(), in); // the tile is no longer needed
            cv::Mat(tile, CV_64F, in)(cv::Rect(spectrum.centre, cv::Size(outValues, rows)))
                .convertTo(plane.rowRange(y0, y0 + rows).colRange(x0, x0 + outValues), CV_32F);
        }
    });
}

/// Scratch for the 1-D transforms: a transform's buffers, and the column
/// pass's block of column buffers.
struct RowFftWorkspace {
    fft::Buffer<double> buffer;
    fft::Buffer<std::complex<double>> spectrum;
    fft::Buffer<double> columns; // a block of columns, each in its own transform buffer
};

/// Replaces the row in `buffer` (dft.cols() values, zero padded; an FFTW
/// array) by its correlation with the kernel: input index i's at index
/// i + kernel.centre.x.
void correlateInPlace(const fft::RealDft &dft, const KernelSpectrum &kernel, double *buffer,
                      std::complex<double> *spectrum)
{
    dft.forward(buffer, spectrum);
    applySpectrum(kernel, spectrum, dft.spectrumSize());
    dft.inverse(spectrum, buffer);
}

/// Row and column lengths of the 1-D transforms for a rank-1 kernel: a row
/// is one channel of an image row (the channels are transformed one after
/// the other), a column one channel's column.
cv::Size separableFftLengths(int kh, int kw, cv::Size size)
{
    return {nextFastRowFftLength(size.width + kw - 1), nextFastRowFftLength(size.height + kh - 1)};
}

double separableFftCost(int kh, int kw, cv::Size size)
{
    const cv::Size n = separableFftLengths(kh, kw, size);
    auto pass = [](double points, double outputs) {
        return (kFftPerPointLog * std::log2(points) + kFftPerPoint) * points / outputs;
    };
    return pass(n.width, size.width) + pass(n.height, size.height);
}

/// A rank-1 kernel by 1-D FFTs in double: every row of the image, then
/// every column of that result, which waits in dst as float. Cost per value
/// grows with the log of the image side, not with the kernel.
void runSeparableFft(const SeparableTerm &term, const cv::Mat &src, cv::Mat &dst, BorderMode border,
                     const RunControl &control)
{
    const int kh = static_cast<int>(term.col.size());
    const int kw = static_cast<int>(term.row.size());
    const int cn = src.channels();
    const int values = src.cols * cn;
    const cv::Size n = separableFftLengths(kh, kw, src.size());
    // Strips of a few ms each; progress: rows first half, columns second.
    const int rowsPerStrip = std::clamp(static_cast<int>(3e5 / (n.width * cn)), 1, src.rows);
    // Blocks of columns whose transform buffers (1e5 doubles) stay in the
    // second-level cache.
    const int valuesPerBlock = std::clamp(static_cast<int>(1e5 / n.height), 8, values);
    // Each column's buffer starts 64 bytes aligned, as FFTW's arrays must,
    // and one cache line beyond a multiple of 4 KiB: at 3072 or 4096 points
    // the block's values of one row all fell in one cache set, which made
    // the sigma-10 Gaussian's column pass 1.7x slower.
    const std::size_t columnStride = (static_cast<std::size_t>(n.height) + 7) / 8 * 8 + 8;
    auto half = [&control](double offset) {
        RunControl part{control.stop, nullptr};
        if (control.progress)
            part.progress = [&control, offset](double f) { control.report(offset + 0.5 * f); };
        return part;
    };
    cv::Mat plane = dst.reshape(1);

    const int cvBorder = toOpenCvBorder(border);
    WorkspacePool<RowFftWorkspace> pool([&, length = std::max(n.width, n.height)] {
        return RowFftWorkspace{
            fft::realBuffer(static_cast<std::size_t>(length)),
            fft::complexBuffer(static_cast<std::size_t>(length) / 2 + 1),
            fft::realBuffer(columnStride * static_cast<std::size_t>(valuesPerBlock))};
    });

    // Each channel of a row on its own: transforms of the row's length
    // rather than three times it, whose lengths FFTW's estimated plans
    // handle better (4036 values fit 4096 points, 12108 interleaved ones
    // would take 12288 at half the speed per point).
    const fft::RealDft rowDft(1, n.width);
    const KernelSpectrum rowK = kernelSpectrum(rowDft, cv::Mat(term.row).reshape(1, 1));
    const int rowInput = src.cols + kw - 1;
    forEachStrip(src.rows, rowsPerStrip, half(0), [&](int y0, int rows, const StopFlag &stop) {
        if (stop())
            return;
        const auto ws = pool.borrow();
        double *buffer = ws->buffer.get();
        for (int y = y0; y < y0 + rows; ++y)
            for (int c = 0; c < cn; ++c) {
                readExtendedRow(src, y, -(kw / 2), rowInput, cvBorder, buffer, c);
                std::fill(buffer + rowInput, buffer + n.width, 0.0);
                correlateInPlace(rowDft, rowK, buffer, ws->spectrum.get());
                const double *correlated = buffer + rowK.centre.x;
                float *out = plane.ptr<float>(y) + c;
                for (int x = 0; x < src.cols; ++x)
                    out[static_cast<std::ptrdiff_t>(x) * cn] = static_cast<float>(correlated[x]);
            }
    });

    const fft::RealDft colDft(1, n.height);
    const KernelSpectrum colK = kernelSpectrum(colDft, cv::Mat(term.col).reshape(1, 1));
    const int colInput = src.rows + kh - 1;
    forEachStrip(values, valuesPerBlock, half(0.5), [&](int x0, int count, const StopFlag &stop) {
        if (stop())
            return;
        const auto ws = pool.borrow();
        // The block's columns, extended by the border, straight from the row
        // pass's result into their transform buffers (a row of the block at
        // a time), then correlated, then written back over the columns they
        // came from: no transposed copies.
        double *columns = ws->columns.get();
        auto column = [&](int c) { return columns + static_cast<std::size_t>(c) * columnStride; };
        for (int i = 0; i < colInput; ++i) {
            const int from = cv::borderInterpolate(i - kh / 2, src.rows, cvBorder);
            const float *row = from < 0 ? nullptr : plane.ptr<float>(from) + x0;
            for (int c = 0; c < count; ++c)
                column(c)[i] = row ? static_cast<double>(row[c]) : 0.0;
        }
        for (int c = 0; c < count; ++c) {
            std::fill(column(c) + colInput, column(c) + n.height, 0.0);
            correlateInPlace(colDft, colK, column(c), ws->spectrum.get());
        }
        for (int y = 0; y < src.rows; ++y) {
            float *row = plane.ptr<float>(y) + x0;
            for (int c = 0; c < count; ++c)
                row[c] = static_cast<float>(column(c)[colK.centre.x + y]);
        }
    });
}

/// v replaced by its exactly even or odd part when it is that up to
/// rounding (the singular vectors of a centro-symmetric kernel such as a
/// Gabor are), so that sepFilter2D takes its symmetric, halved loops. The
/// planner's bound is computed from the terms as changed.
std::vector<double> snapSymmetry(std::vector<double> v)
{
    const std::size_t n = v.size();
    double even = 0, odd = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        even += std::abs(v[i] - v[n - 1 - i]);
        odd += std::abs(v[i] + v[n - 1 - i]);
        total += std::abs(v[i]);
    }
    const double snap = 1e-9 * total;
    if (even > snap && odd > snap)
        return v;
    const double sign = even <= snap ? 1.0 : -1.0;
    for (std::size_t i = 0; i < n / 2; ++i) {
        const double m = 0.5 * (v[i] + sign * v[n - 1 - i]);
        v[i] = m;
        v[n - 1 - i] = sign * m;
    }
    if (sign < 0 && n % 2 == 1)
        v[n / 2] = 0;
    return v;
}

/// Terms of the SVD K = sum w_i u_i v_i^T, the first `rank` of them.
std::vector<SeparableTerm> svdTerms(const cv::Mat &w, const cv::Mat &u, const cv::Mat &vt, int rank)
{
    std::vector<SeparableTerm> terms;
    for (int i = 0; i < rank; ++i) {
        const double s = w.at<double>(i);
        SeparableTerm t;
        t.col = snapSymmetry(columnOf(u.col(i).clone() * s));
        t.row = snapSymmetry(columnOf(vt.row(i).clone()));
        terms.push_back(std::move(t));
    }
    return terms;
}

/// sum |K - sum of the terms|, entry by entry: times max|input|, the largest
/// error the terms can make on any output (the spectral norm cannot bound it).
double residualL1(const cv::Mat &kernel, const std::vector<SeparableTerm> &terms)
{
    cv::Mat r = kernel.clone();
    for (const SeparableTerm &t : terms)
        for (int i = 0; i < r.rows; ++i) {
            double *row = r.ptr<double>(i);
            for (int j = 0; j < r.cols; ++j)
                row[j] -= t.col[static_cast<std::size_t>(i)] * t.row[static_cast<std::size_t>(j)];
        }
    return cv::norm(r, cv::NORM_L1);
}

double fullScaleOf(int depth)
{
    return depth == CV_64F ? 1.0 : fullScale(depth);
}

} // namespace

SimdKernels supportedSimdKernels()
{
    static const SimdKernels cpu = cpuSimdKernels();
    return cpu;
}

void useSimdKernels(SimdKernels widest)
{
    simdKernelsLimit.store(widest);
}

std::string EnginePlan::name() const
{
    switch (path) {
    case EnginePath::DirectFloat:
        return "direct-float";
    case EnginePath::Direct:
        return "direct";
    case EnginePath::RunningSum:
        return "running-sum";
    case EnginePath::SeparableFloat:
        return "separable-float r" + std::to_string(terms.size());
    case EnginePath::SeparableDouble:
        return "separable-double r" + std::to_string(terms.size());
    case EnginePath::SeparableFft:
        return "separable-fft";
    case EnginePath::Fft:
        return "fft " + std::to_string(fftTile.height) + "x" + std::to_string(fftTile.width);
    }
    return "direct";
}

std::vector<SeparableTerm> closedFormTerms(const FilterSpec &spec, int imageDepth)
{
    if (const auto *g = std::get_if<GaussianSpec>(&spec)) {
        const int ksize = g->ksize > 0 ? g->ksize : automaticGaussianSize(g->sigma, imageDepth);
        const std::vector<double> g1 = columnOf(gaussianKernel1D(ksize, g->sigma));
        return {SeparableTerm{g1, g1}};
    }
    if (const auto *b = std::get_if<BoxSpec>(&spec)) {
        const double tap = b->normalized ? 1.0 / b->ksize : 1.0;
        const std::vector<double> ones(static_cast<std::size_t>(b->ksize), tap);
        return {SeparableTerm{ones, ones}};
    }
    if (const auto *d = std::get_if<DerivativeSpec>(&spec)) {
        const std::vector<double> g = columnOf(gaussianKernel1D(d->ksize, d->sigma));
        const int r = d->ksize / 2;
        const double c = std::cos(d->angle_deg * kDegree);
        const double s = std::sin(d->angle_deg * kDegree);
        const double s2 = d->sigma * d->sigma;
        // x^p g(x) for p = 1, 2, scaled.
        auto moment = [&](int p, double scale) {
            std::vector<double> v(g.size());
            for (std::size_t i = 0; i < g.size(); ++i) {
                const double x = static_cast<double>(static_cast<int>(i) - r);
                v[i] = scale * std::pow(x, p) * g[i];
            }
            return v;
        };
        // Coefficients below 1e-14 of the largest (cos 90 deg) are dropped:
        // their contribution is far below any tolerance.
        std::vector<SeparableTerm> terms;
        auto keep = [](double coef, double ref) { return std::abs(coef) > 1e-14 * ref; };
        if (d->order == 1) {
            // u / s^2 g_i g_j, u = (j - r) c + (i - r) s.
            const double ref = std::max(std::abs(c), std::abs(s));
            if (keep(c, ref))
                terms.push_back({g, moment(1, c / s2)});
            if (keep(s, ref))
                terms.push_back({moment(1, s / s2), g});
            return terms;
        }
        // (u^2 / s^4 - 1 / s^2) g_i g_j with
        // u^2 = (j - r)^2 c^2 + 2 (i - r)(j - r) c s + (i - r)^2 s^2.
        const double s4 = s2 * s2;
        std::vector<double> first = moment(2, c * c / s4);
        for (std::size_t i = 0; i < g.size(); ++i)
            first[i] -= g[i] / s2;
        terms.push_back({g, first});
        if (keep(c * s, 1.0))
            terms.push_back({moment(1, 1.0), moment(1, 2 * c * s / s4)});
        if (keep(s * s, 1.0))
            terms.push_back({moment(2, s * s / s4), g});
        return terms;
    }
    return {};
}

EnginePlan planCorrelation(const cv::Mat &kernel, const std::vector<SeparableTerm> &known,
                           cv::Size size, int channels, double maxAbsInput, double tolerance)
{
    const int kh = kernel.rows;
    const int kw = kernel.cols;
    EnginePlan best;
    best.path = EnginePath::Direct;
    best.cost = kDirectBase + kDirectPerTap * kh * kw;
    best.errorBound =
        static_cast<double>(kh * kw + 4) * kDoubleEps * cv::norm(kernel, cv::NORM_L1) * maxAbsInput;

    auto consider = [&](EnginePlan candidate) {
        if (candidate.errorBound <= tolerance && candidate.cost < best.cost)
            best = std::move(candidate);
    };

    if (kh * kw < kMaxDirectFloatTaps) {
        EnginePlan p;
        p.path = EnginePath::DirectFloat;
        p.cost = kDirectFloatBase + kDirectFloatPerTap * kh * kw;
        p.errorBound = static_cast<double>(kh * kw + 4) * kFloatEps *
                       cv::norm(kernel, cv::NORM_L1) * maxAbsInput;
        consider(std::move(p));
    }

    if (allTapsEqual(kernel) && kh * kw > 1) {
        EnginePlan p;
        p.path = EnginePath::RunningSum;
        p.boxTap = kernel.at<double>(0, 0);
        p.cost = kRunningSum;
        // Sums of kh * kw values, each rounded at most (W + H + kw + kh) times.
        p.errorBound = static_cast<double>(size.width + size.height + kh + kw) * kDoubleEps *
                       std::abs(p.boxTap) * kh * kw * maxAbsInput * 4;
        consider(std::move(p));
    }

    auto considerTerms = [&](const std::vector<SeparableTerm> &terms, double extraBound) {
        for (const auto &[path, eps, perTerm, perTap, perTapSide] :
             {std::tuple{EnginePath::SeparableFloat, kFloatEps, kFloatPerTerm, kFloatPerTap,
                         kFloatPerTapSide},
              std::tuple{EnginePath::SeparableDouble, kDoubleEps, kDoublePerTerm, kDoublePerTap,
                         kDoublePerTapSide}}) {
            EnginePlan p;
            p.path = path;
            p.terms = terms;
            p.errorBound = extraBound + roundingBound(terms, eps, maxAbsInput);
            if (path == EnginePath::SeparableFloat && fusedSeparableAvailable(terms))
                p.cost = fusedCost(terms, CV_32F);
            else if (path == EnginePath::SeparableDouble && fusedDoubleAvailable(terms))
                p.cost = fusedCost(terms, CV_64F);
            else
                p.cost = separableCost(terms, perTerm, perTap, perTapSide);
            consider(std::move(p));
        }
        if (terms.size() == 1) {
            // 1-D transforms in double; the row pass's result is stored as
            // float (half an ulp of a value up to sum|row| max|input|), which
            // the column pass carries with its sum|col|; then the output's
            // own rounding, as on every path.
            EnginePlan p;
            p.path = EnginePath::SeparableFft;
            p.terms = terms;
            const cv::Size n = separableFftLengths(kh, kw, size);
            const double l1 = absSum(terms.front().col) * absSum(terms.front().row);
            p.errorBound = extraBound + kFloatEps * l1 * maxAbsInput +
                           20 * (std::log2(n.width) + std::log2(n.height)) * kDoubleEps *
                               std::sqrt(static_cast<double>(n.width) * n.height) * l1 *
                               maxAbsInput;
            p.cost = separableFftCost(kh, kw, size);
            consider(std::move(p));
        }
    };

    if (kh * kw > 1) {
        // Tiled FFT in double. The error of a transform-based correlation is
        // at most a small multiple of log2(points) * eps * ||tile||_2 * ||K||_2
        // (Higham, Accuracy and Stability, ch. 24); taken here with a factor
        // 20 of margin, ||tile||_2 <= sqrt(points) max|input| and
        // ||K||_2 <= ||K||_1.
        const auto [tile, cost] =
            chooseFftTile(kh, (kw - 1) * channels + 1, size.height, size.width * channels);
        if (!tile.empty()) {
            EnginePlan p;
            p.path = EnginePath::Fft;
            p.fftTile = tile;
            p.cost = cost;
            const double points = static_cast<double>(tile.width) * tile.height;
            p.errorBound = 20 * std::log2(points) * kDoubleEps * std::sqrt(points) *
                           cv::norm(kernel, cv::NORM_L1) * maxAbsInput;
            consider(std::move(p));
        }
    }

    if (!known.empty()) {
        considerTerms(known, 0);
    } else if (kh > 1 && kw > 1 && kh <= kMaxSvdSide && kw <= kMaxSvdSide) {
        cv::Mat w, u, vt;
        cv::SVD::compute(kernel, w, u, vt, cv::SVD::FULL_UV);
        const int n = std::min(kh, kw);
        // The discarded singular values bound the residual's Frobenius norm,
        // and its entrywise L1 norm is at most sqrt(kh kw) times that: skip
        // ranks that cannot fit, then check the first candidates exactly.
        std::vector<double> tail(static_cast<std::size_t>(n) + 1, 0.0);
        for (int i = n - 1; i >= 0; --i)
            tail[static_cast<std::size_t>(i)] =
                tail[static_cast<std::size_t>(i) + 1] + w.at<double>(i) * w.at<double>(i);
        const double l1OverFrobenius = std::sqrt(static_cast<double>(kh) * kw);
        for (int rank = 1; rank <= n; ++rank) {
            const double frobenius = std::sqrt(tail[static_cast<std::size_t>(rank)]);
            if (frobenius * maxAbsInput > tolerance * l1OverFrobenius)
                continue; // even the smallest possible L1 residual is too big
            std::vector<SeparableTerm> terms = svdTerms(w, u, vt, rank);
            // Plus the double rounding of the residual's own computation.
            const double residual =
                (residualL1(kernel, terms) +
                 4.0 * kh * kw * rank * kDoubleEps * cv::norm(kernel, cv::NORM_L1)) *
                maxAbsInput;
            if (residual > tolerance)
                continue;
            // Each further rank only costs more: the first fitting rank wins.
            considerTerms(terms, residual);
            break;
        }
    } else if (kh == 1 || kw == 1) {
        // A row or a column is a single term already.
        SeparableTerm t;
        t.col = kh == 1 ? std::vector<double>{1.0} : columnOf(kernel);
        t.row = kh == 1 ? columnOf(kernel) : std::vector<double>{1.0};
        considerTerms({t}, 0);
    }
    return best;
}

std::string enginePathName(const FilterSpec &spec, cv::Size size, int depth, int channels,
                           double toleranceFraction)
{
    if (kindOf(spec) == FilterKind::Identity)
        return "identity";
    const cv::Mat kernel = makeKernel(spec, depth);
    const double full = fullScaleOf(depth);
    return planCorrelation(kernel, closedFormTerms(spec, depth), size, channels, full,
                           toleranceFraction * full)
        .name();
}

std::vector<TransformBatch> plannedTransforms(const EnginePlan &plan, cv::Size kernel,
                                              cv::Size size, int channels)
{
    const int kh = kernel.height;
    const int kw = kernel.width;
    const int values = size.width * channels;
    if (plan.path == EnginePath::Fft) {
        const cv::Size t = plan.fftTile;
        const TileGrid grid = tileGrid(t, kh, (kw - 1) * channels + 1, size.height, values);
        if (grid.bands == 0)
            return {};
        return {{t.height, t.width, grid.bands * grid.across}};
    }
    if (plan.path == EnginePath::SeparableFft) {
        // runSeparableFft: each channel of each row, then each column.
        const cv::Size n = separableFftLengths(kh, kw, size);
        return {{1, n.width, static_cast<long long>(size.height) * channels},
                {1, n.height, static_cast<long long>(values)}};
    }
    return {};
}

cv::Mat runPlan(const EnginePlan &plan, const cv::Mat &src, const cv::Mat &kernel,
                BorderMode border, const RunControl &control)
{
    if (src.empty() || src.channels() < 1 || src.channels() > 4)
        throw std::invalid_argument("runPlan: expected a non-empty image with 1 to 4 channels");
    const int depth = src.depth();
    if (depth != CV_8U && depth != CV_16U && depth != CV_32F && depth != CV_64F)
        throw std::invalid_argument("runPlan: image depth must be 8U, 16U, 32F or 64F");
    control.checkpoint();
    const int cn = src.channels();

    if (plan.path == EnginePath::Direct) {
        if (cn == 1)
            return correlate(src, kernel, border, control);
        std::vector<cv::Mat> planes;
        cv::split(src, planes);
        for (std::size_t c = 0; c < planes.size(); ++c) {
            RunControl part{control.stop, nullptr};
            if (control.progress)
                part.progress = [&control, c, n = planes.size()](double f) {
                    control.report((static_cast<double>(c) + f) / n);
                };
            planes[c] = correlate(planes[c], kernel, border, part);
        }
        cv::Mat out;
        cv::merge(planes, out);
        return out;
    }

    cv::Mat dst = newOutput(src.size(), CV_32FC(cn));
    switch (plan.path) {
    case EnginePath::DirectFloat:
        runDirectFloat(kernel, src, dst, border, plan.cost, control);
        break;
    case EnginePath::RunningSum:
        runRunningSum(plan.boxTap, kernel.rows, kernel.cols, src, dst, border, control);
        break;
    case EnginePath::Fft:
        runFft(kernel, plan.fftTile, src, dst, border, control);
        break;
    case EnginePath::SeparableFft:
        runSeparableFft(plan.terms.front(), src, dst, border, control);
        break;
    case EnginePath::SeparableFloat:
        runSeparable(plan.terms, src, dst, border, CV_32F, plan.cost, control);
        break;
    default:
        runSeparable(plan.terms, src, dst, border, CV_64F, plan.cost, control);
        break;
    }
    return dst;
}

cv::Mat correlateFast(const cv::Mat &src, const cv::Mat &kernel,
                      const std::vector<SeparableTerm> &known, BorderMode border,
                      const RunControl &control, double toleranceFraction)
{
    if (src.empty())
        throw std::invalid_argument("correlateFast: the image is empty");
    if (kernel.empty() || kernel.type() != CV_64FC1)
        throw std::invalid_argument("correlateFast: expected a non-empty CV_64FC1 kernel");
    const int depth = src.depth();
    double maxAbs = fullScaleOf(depth);
    if (depth == CV_32F || depth == CV_64F) {
        double lo = 0, hi = 0;
        cv::minMaxLoc(src.reshape(1), &lo, &hi);
        maxAbs = std::max(std::abs(lo), std::abs(hi));
        if (!std::isfinite(maxAbs))
            maxAbs = std::numeric_limits<double>::infinity();
    }
    const double tolerance = toleranceFraction * fullScaleOf(depth);
    const EnginePlan plan =
        planCorrelation(kernel, known, src.size(), src.channels(), maxAbs, tolerance);
    return runPlan(plan, src, kernel, border, control);
}

} // namespace ks
