#include "engine.h"

#include "correlate.h"
#include "filter.h"
#include "kernels.h"

#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <stop_token>
#include <type_traits>
#include <variant>

namespace ks {

namespace {

constexpr double kDegree = CV_PI / 180.0;
constexpr int kMaxSvdSide = 127; // SVD cost grows with the cube of the side
constexpr double kFloatEps = 0x1p-24;
constexpr double kDoubleEps = 0x1p-53;

// Cost model: nanoseconds per output value on one core, measured on the
// reference machine (see README "Performance"); only ratios matter. Rough:
// calibrated under heavy load, to be re-measured on a quiet machine.
constexpr double kDirectPerTap = 0.55;
constexpr double kDirectBase = 12;
constexpr double kFloatPerTap = 0.25;
constexpr double kDoublePerTap = 0.5;
constexpr double kSeparableBase = 1.5;
constexpr double kRunningSum = 3.0;

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
    double bound = 0;
    for (const SeparableTerm &t : terms)
        bound += static_cast<double>(t.col.size() + t.row.size() + 4) * eps * absSum(t.col) *
                 absSum(t.row) * maxAbs;
    return bound;
}

double separableCost(const std::vector<SeparableTerm> &terms, double perTap)
{
    double taps = 0;
    for (const SeparableTerm &t : terms)
        taps += passTaps(t.col) + passTaps(t.row);
    return kSeparableBase + perTap * taps;
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
// Strips: the shared driver for the streaming paths.

/// Seen by a running strip, which polls it every few rows and returns early
/// when it is set: a stop request is noticed within a few rows' work.
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

/// Runs strip(y0, rows, stop) over [0, height) in strips, bands of 2 strips
/// per thread in parallel; stop checked before every strip (and by the strip
/// itself every few rows); progress per band.
void forEachStrip(int height, int rowsPerStrip, const RunControl &control,
                  const std::function<void(int, int, const StopFlag &)> &strip)
{
    const int strips = (height + rowsPerStrip - 1) / rowsPerStrip;
    const int perBand = std::max(1, cv::getNumThreads()) * 2;
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

/// Rows per strip so that one strip is about 2-4 ms of work, and at least
/// twice the kernel height so the re-read overlap stays a modest overhead.
int stripRowsFor(double costPerValue, int values, int height, int kh)
{
    const double targetNs = 3e6;
    const int rows =
        static_cast<int>(targetNs / (std::max(costPerValue, 0.5) * std::max(values, 1)));
    return std::clamp(std::max(rows, std::min(2 * kh, 256)), 1, std::max(height, 1));
}

/// Source rows and columns for every extended position, -1 for the zero border.
struct Extension {
    std::vector<int> rows; ///< for output row y and tap i: rows[y + i]
    std::vector<int> cols; ///< for output column x and tap j: cols[x + j]
};

Extension extensionFor(cv::Size size, int kh, int kw, BorderMode border)
{
    const int cvBorder = toOpenCvBorder(border);
    Extension e;
    e.rows.resize(static_cast<std::size_t>(size.height + kh - 1));
    for (std::size_t t = 0; t < e.rows.size(); ++t)
        e.rows[t] = cv::borderInterpolate(static_cast<int>(t) - kh / 2, size.height, cvBorder);
    e.cols.resize(static_cast<std::size_t>(size.width + kw - 1));
    for (std::size_t t = 0; t < e.cols.size(); ++t)
        e.cols[t] = cv::borderInterpolate(static_cast<int>(t) - kw / 2, size.width, cvBorder);
    return e;
}

template <typename S, typename T>
void extendRowAs(const S *src, const std::vector<int> &cols, int cn, int width, T *dst)
{
    const int n = static_cast<int>(cols.size());
    // The interior is one contiguous conversion; only the margins look up.
    // The anchor column kw / 2 maps to source column 0.
    const int first = (n - width + 1) / 2;
    const bool contiguous = cols[static_cast<std::size_t>(first)] == 0 &&
                            cols[static_cast<std::size_t>(first + width - 1)] == width - 1;
    auto copyOne = [&](int x) {
        const int from = cols[static_cast<std::size_t>(x)];
        T *d = dst + static_cast<std::ptrdiff_t>(x) * cn;
        if (from < 0) {
            for (int c = 0; c < cn; ++c)
                d[c] = 0;
        } else {
            const S *sp = src + static_cast<std::ptrdiff_t>(from) * cn;
            for (int c = 0; c < cn; ++c)
                d[c] = static_cast<T>(sp[c]);
        }
    };
    if (!contiguous) {
        for (int x = 0; x < n; ++x)
            copyOne(x);
        return;
    }
    for (int x = 0; x < first; ++x)
        copyOne(x);
    T *d = dst + static_cast<std::ptrdiff_t>(first) * cn;
    const int count = width * cn;
    for (int i = 0; i < count; ++i)
        d[i] = static_cast<T>(src[i]);
    for (int x = first + width; x < n; ++x)
        copyOne(x);
}

/// Source row `row` (or zeros for -1), extended by the border, as T:
/// (cols.size() * cn) values.
template <typename T>
void extendRow(const cv::Mat &src, int row, const std::vector<int> &cols, T *dst)
{
    const int cn = src.channels();
    if (row < 0) {
        std::fill(dst, dst + cols.size() * static_cast<std::size_t>(cn), T(0));
        return;
    }
    switch (src.depth()) {
    case CV_8U:
        extendRowAs(src.ptr<std::uint8_t>(row), cols, cn, src.cols, dst);
        break;
    case CV_16U:
        extendRowAs(src.ptr<std::uint16_t>(row), cols, cn, src.cols, dst);
        break;
    case CV_32F:
        extendRowAs(src.ptr<float>(row), cols, cn, src.cols, dst);
        break;
    default:
        extendRowAs(src.ptr<double>(row), cols, cn, src.cols, dst);
        break;
    }
}

// ---------------------------------------------------------------------------
// Separable passes.

// OpenCV's universal intrinsics at the build's baseline (SSE2 on x86-64).
inline cv::v_float32x4 splat(float v)
{
    return cv::v_setall_f32(v);
}
inline cv::v_float64x2 splat(double v)
{
    return cv::v_setall_f64(v);
}
template <typename T>
using Vec = std::conditional_t<std::is_same_v<T, float>, cv::v_float32x4, cv::v_float64x2>;

/// U vectors of outputs at out + x: sums kept in registers, one load per
/// multiply-add; symmetric and antisymmetric taps are paired.
template <typename T, int U>
inline void passBlock(const T *base, std::ptrdiff_t step, const T *tp, int k, int symmetry, T *out)
{
    using V = Vec<T>;
    constexpr int L = V::nlanes;
    V acc[U];
    if (symmetry != 0) {
        const int half = k / 2;
        const V mid = splat(tp[half]);
        const T *m = base + half * step;
        for (int u = 0; u < U; ++u)
            acc[u] = mid * cv::v_load(m + u * L);
        for (int j = 0; j < half; ++j) {
            const V t = splat(tp[j]);
            const T *a = base + j * step;
            const T *b = base + (k - 1 - j) * step;
            if (symmetry > 0)
                for (int u = 0; u < U; ++u)
                    acc[u] = cv::v_muladd(t, cv::v_load(a + u * L) + cv::v_load(b + u * L), acc[u]);
            else
                for (int u = 0; u < U; ++u)
                    acc[u] = cv::v_muladd(t, cv::v_load(a + u * L) - cv::v_load(b + u * L), acc[u]);
        }
    } else {
        const V t0 = splat(tp[0]);
        for (int u = 0; u < U; ++u)
            acc[u] = t0 * cv::v_load(base + u * L);
        for (int j = 1; j < k; ++j) {
            const V t = splat(tp[j]);
            const T *a = base + j * step;
            for (int u = 0; u < U; ++u)
                acc[u] = cv::v_muladd(t, cv::v_load(a + u * L), acc[u]);
        }
    }
    for (int u = 0; u < U; ++u)
        cv::v_store(out + u * L, acc[u]);
}

/// out[x] = sum_j taps[j] * in[x + j * step] for x in [0, n).
template <typename T>
void pass1D(const T *in, std::ptrdiff_t step, const std::vector<T> &taps, int symmetry, T *out,
            int n)
{
    constexpr int L = Vec<T>::nlanes;
    constexpr int U = 4;
    const int k = static_cast<int>(taps.size());
    const T *tp = taps.data();
    int x = 0;
    for (; x + U * L <= n; x += U * L)
        passBlock<T, U>(in + x, step, tp, k, symmetry, out + x);
    for (; x + L <= n; x += L)
        passBlock<T, 1>(in + x, step, tp, k, symmetry, out + x);
    for (; x < n; ++x) {
        T acc = 0;
        for (int j = 0; j < k; ++j)
            acc += tp[j] * in[x + j * step];
        out[x] = acc;
    }
}

template <typename T> struct TypedTerm {
    std::vector<T> col, row;
    int colSymmetry = 0, rowSymmetry = 0;
};

template <typename T>
void runSeparable(const std::vector<SeparableTerm> &terms, const cv::Mat &src, cv::Mat &dst,
                  BorderMode border, double costPerValue, const RunControl &control)
{
    const int kh = static_cast<int>(terms.front().col.size());
    const int kw = static_cast<int>(terms.front().row.size());
    const int cn = src.channels();
    const int width = src.cols * cn;
    const Extension ext = extensionFor(src.size(), kh, kw, border);
    std::vector<TypedTerm<T>> typed;
    for (const SeparableTerm &t : terms) {
        TypedTerm<T> tt;
        tt.col.assign(t.col.begin(), t.col.end());
        tt.row.assign(t.row.begin(), t.row.end());
        tt.colSymmetry = symmetryOf(t.col);
        tt.rowSymmetry = symmetryOf(t.row);
        typed.push_back(std::move(tt));
    }
    const int nt = static_cast<int>(typed.size());
    const int rowsPerStrip = stripRowsFor(costPerValue, width, src.rows, kh);

    forEachStrip(src.rows, rowsPerStrip, control, [&](int y0, int rows, const StopFlag &stop) {
        const int inRows = rows + kh - 1;
        const std::size_t extLen = ext.cols.size() * static_cast<std::size_t>(cn);
        // Memory per strip is independent of the rank: the extended rows, one
        // horizontal result and one accumulator, reused term after term.
        const std::unique_ptr<T[]> lines(new T[static_cast<std::size_t>(inRows) * extLen]);
        const std::unique_ptr<T[]> h(new T[static_cast<std::size_t>(inRows) * width]);
        const bool direct = std::is_same_v<T, float> && nt == 1;
        const std::unique_ptr<T[]> acc(direct ? nullptr
                                              : new T[static_cast<std::size_t>(rows) * width]);
        std::vector<T> part(static_cast<std::size_t>(width));
        for (int r = 0; r < inRows; ++r)
            extendRow(src, ext.rows[static_cast<std::size_t>(y0 + r)], ext.cols,
                      lines.get() + static_cast<std::size_t>(r) * extLen);
        for (int t = 0; t < nt; ++t) {
            const TypedTerm<T> &tt = typed[static_cast<std::size_t>(t)];
            for (int r = 0; r < inRows; ++r) {
                if (stop())
                    return;
                pass1D(lines.get() + static_cast<std::size_t>(r) * extLen, cn, tt.row,
                       tt.rowSymmetry, h.get() + static_cast<std::size_t>(r) * width, width);
            }
            for (int y = 0; y < rows; ++y) {
                if (stop())
                    return;
                const T *in = h.get() + static_cast<std::size_t>(y) * width;
                if (direct) {
                    if constexpr (std::is_same_v<T, float>)
                        pass1D(in, width, tt.col, tt.colSymmetry, dst.ptr<float>(y0 + y), width);
                    continue;
                }
                T *a = acc.get() + static_cast<std::size_t>(y) * width;
                if (t == 0) {
                    pass1D(in, width, tt.col, tt.colSymmetry, a, width);
                } else {
                    pass1D(in, width, tt.col, tt.colSymmetry, part.data(), width);
                    for (int x = 0; x < width; ++x)
                        a[x] += part[static_cast<std::size_t>(x)];
                }
            }
        }
        if (!direct)
            for (int y = 0; y < rows; ++y) {
                const T *a = acc.get() + static_cast<std::size_t>(y) * width;
                float *d = dst.ptr<float>(y0 + y);
                for (int x = 0; x < width; ++x)
                    d[x] = static_cast<float>(a[x]);
            }
    });
}

// ---------------------------------------------------------------------------
// Running sums (all taps equal).

void runRunningSum(double tap, int kh, int kw, const cv::Mat &src, cv::Mat &dst, BorderMode border,
                   const RunControl &control)
{
    const int cn = src.channels();
    const int width = src.cols * cn;
    const Extension ext = extensionFor(src.size(), kh, kw, border);
    const std::size_t extLen = ext.cols.size() * static_cast<std::size_t>(cn);
    // A strip starts by summing kh rows: make it at least that tall.
    const int rowsPerStrip =
        std::clamp(std::max(kh, static_cast<int>(3e6 / (kRunningSum * width))), 1, src.rows);

    forEachStrip(src.rows, rowsPerStrip, control, [&](int y0, int rows, const StopFlag &stop) {
        std::vector<double> line(extLen);
        std::vector<double> column(extLen, 0.0); // vertical window sums
        for (int i = 0; i < kh; ++i) {
            if (stop())
                return;
            extendRow(src, ext.rows[static_cast<std::size_t>(y0 + i)], ext.cols, line.data());
            for (std::size_t x = 0; x < extLen; ++x)
                column[x] += line[x];
        }
        for (int y = 0; y < rows; ++y) {
            if (stop())
                return;
            if (y > 0) {
                extendRow(src, ext.rows[static_cast<std::size_t>(y0 + y + kh - 1)], ext.cols,
                          line.data());
                for (std::size_t x = 0; x < extLen; ++x)
                    column[x] += line[x];
            }
            // Horizontal window over the column sums, per channel.
            float *d = dst.ptr<float>(y0 + y);
            const std::ptrdiff_t span = static_cast<std::ptrdiff_t>(kw) * cn;
            for (int c = 0; c < cn; ++c) {
                double s = 0;
                for (int j = 0; j < kw; ++j)
                    s += column[static_cast<std::size_t>(j * cn + c)];
                d[c] = static_cast<float>(s * tap);
                for (int x = cn + c; x < width; x += cn) {
                    s += column[static_cast<std::size_t>(x - cn + span)] -
                         column[static_cast<std::size_t>(x - cn)];
                    d[x] = static_cast<float>(s * tap);
                }
            }
            if (y + 1 < rows) {
                extendRow(src, ext.rows[static_cast<std::size_t>(y0 + y)], ext.cols, line.data());
                for (std::size_t x = 0; x < extLen; ++x)
                    column[x] -= line[x];
            }
        }
    });
}

/// Terms of the SVD K = sum w_i u_i v_i^T, the first `rank` of them.
std::vector<SeparableTerm> svdTerms(const cv::Mat &w, const cv::Mat &u, const cv::Mat &vt, int rank)
{
    std::vector<SeparableTerm> terms;
    for (int i = 0; i < rank; ++i) {
        const double s = w.at<double>(i);
        SeparableTerm t;
        t.col = columnOf(u.col(i).clone() * s);
        t.row = columnOf(vt.row(i).clone());
        terms.push_back(std::move(t));
    }
    return terms;
}

double fullScaleOf(int depth)
{
    return depth == CV_64F ? 1.0 : fullScale(depth);
}

} // namespace

std::string EnginePlan::name() const
{
    switch (path) {
    case EnginePath::Direct:
        return "direct";
    case EnginePath::RunningSum:
        return "running-sum";
    case EnginePath::SeparableFloat:
        return "separable-float r" + std::to_string(terms.size());
    case EnginePath::SeparableDouble:
        return "separable-double r" + std::to_string(terms.size());
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
    (void)size;
    (void)channels;
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
        for (const auto &[path, eps, perTap] :
             {std::tuple{EnginePath::SeparableFloat, kFloatEps, kFloatPerTap},
              std::tuple{EnginePath::SeparableDouble, kDoubleEps, kDoublePerTap}}) {
            EnginePlan p;
            p.path = path;
            p.terms = terms;
            p.errorBound = extraBound + roundingBound(terms, eps, maxAbsInput);
            p.cost = separableCost(terms, perTap);
            consider(std::move(p));
        }
    };

    if (!known.empty()) {
        considerTerms(known, 0);
    } else if (kh > 1 && kw > 1 && kh <= kMaxSvdSide && kw <= kMaxSvdSide) {
        cv::Mat w, u, vt;
        cv::SVD::compute(kernel, w, u, vt, cv::SVD::FULL_UV);
        const int n = std::min(kh, kw);
        // Reconstruction error of the SVD itself, then the discarded tail.
        const double svdError =
            4.0 * n * std::numeric_limits<double>::epsilon() * w.at<double>(0) * maxAbsInput;
        std::vector<double> tail(static_cast<std::size_t>(n) + 1, 0.0);
        for (int i = n - 1; i >= 0; --i)
            tail[static_cast<std::size_t>(i)] =
                tail[static_cast<std::size_t>(i) + 1] + w.at<double>(i);
        for (int rank = 1; rank <= n; ++rank) {
            const double discarded = tail[static_cast<std::size_t>(rank)] * maxAbsInput;
            if (discarded + svdError > tolerance)
                continue;
            // Each further rank only costs more: the first fitting rank wins.
            considerTerms(svdTerms(w, u, vt, rank), discarded + svdError);
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

    cv::Mat dst(src.size(), CV_32FC(cn));
    switch (plan.path) {
    case EnginePath::RunningSum:
        runRunningSum(plan.boxTap, kernel.rows, kernel.cols, src, dst, border, control);
        break;
    case EnginePath::SeparableFloat:
        runSeparable<float>(plan.terms, src, dst, border, plan.cost, control);
        break;
    default:
        runSeparable<double>(plan.terms, src, dst, border, plan.cost, control);
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
