#include "fft.h"

#include <fftw3.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

namespace ks::fft {

namespace {

/// Guards FFTW's planner: plan creation and destruction.
std::mutex &plannerMutex()
{
    static std::mutex *const m = new std::mutex; // never destroyed: plans may outlive statics
    return *m;
}

fftw_complex *asFftw(std::complex<double> *p)
{
    return reinterpret_cast<fftw_complex *>(p); // layout-compatible, as FFTW documents
}

/// Sizes with more plans than this start a fresh cache (plans in use live on).
constexpr std::size_t kMaxCachedSizes = 64;

using Cache = std::map<std::pair<int, int>, std::shared_ptr<const PlanPair>>;

Cache &cache()
{
    static Cache *const c = new Cache;
    return *c;
}

} // namespace

struct PlanPair {
    fftw_plan forward = nullptr;
    fftw_plan inverse = nullptr;

    PlanPair() = default;
    PlanPair(const PlanPair &) = delete;
    PlanPair &operator=(const PlanPair &) = delete;
    ~PlanPair()
    {
        if (!forward && !inverse)
            return; // nothing to destroy; also the failed-planning path, which holds the lock
        const std::lock_guard lock(plannerMutex());
        if (forward)
            fftw_destroy_plan(forward);
        if (inverse)
            fftw_destroy_plan(inverse);
    }
};

void FftwFree::operator()(void *p) const
{
    fftw_free(p);
}

Buffer<double> realBuffer(std::size_t n)
{
    auto *p = fftw_alloc_real(std::max<std::size_t>(n, 1));
    if (!p)
        throw std::bad_alloc();
    return Buffer<double>(p);
}

Buffer<std::complex<double>> complexBuffer(std::size_t n)
{
    auto *p = fftw_alloc_complex(std::max<std::size_t>(n, 1));
    if (!p)
        throw std::bad_alloc();
    return Buffer<std::complex<double>>(reinterpret_cast<std::complex<double> *>(p));
}

RealDft::RealDft(int rows, int cols) : rows_(rows), cols_(cols)
{
    if (rows < 1 || cols < 1)
        throw std::invalid_argument("RealDft: the size must be positive");
    Cache evicted; // destroyed after the lock is released (~PlanPair locks it)
    const std::lock_guard lock(plannerMutex());
    Cache &plans = cache();
    if (const auto found = plans.find({rows, cols}); found != plans.end()) {
        plans_ = found->second;
        return;
    }
    if (plans.size() >= kMaxCachedSizes)
        std::swap(evicted, plans);
    // Planning arrays from the same allocator as every later one, so their
    // alignment matches, as new-array execution requires.
    const Buffer<double> real = realBuffer(points());
    const Buffer<std::complex<double>> spectrum = complexBuffer(spectrumSize());
    auto pair = std::make_shared<PlanPair>();
    const unsigned flags = FFTW_ESTIMATE;
    if (rows == 1) {
        pair->forward = fftw_plan_dft_r2c_1d(cols, real.get(), asFftw(spectrum.get()), flags);
        pair->inverse = fftw_plan_dft_c2r_1d(cols, asFftw(spectrum.get()), real.get(), flags);
    } else {
        pair->forward = fftw_plan_dft_r2c_2d(rows, cols, real.get(), asFftw(spectrum.get()), flags);
        pair->inverse = fftw_plan_dft_c2r_2d(rows, cols, asFftw(spectrum.get()), real.get(), flags);
    }
    if (!pair->forward || !pair->inverse) {
        // ~PlanPair would take the lock we hold: release the plans here.
        if (pair->forward)
            fftw_destroy_plan(std::exchange(pair->forward, nullptr));
        if (pair->inverse)
            fftw_destroy_plan(std::exchange(pair->inverse, nullptr));
        throw std::runtime_error("FFTW could not plan a transform of this size");
    }
    plans.emplace(std::pair{rows, cols}, pair);
    plans_ = std::move(pair);
}

void RealDft::forward(const double *in, std::complex<double> *out) const
{
    // r2c leaves its input untouched (FFTW_PRESERVE_INPUT is its default).
    fftw_execute_dft_r2c(plans_->forward, const_cast<double *>(in), asFftw(out));
}

void RealDft::inverse(std::complex<double> *in, double *out) const
{
    fftw_execute_dft_c2r(plans_->inverse, asFftw(in), out);
}

void multiply(std::complex<double> *spectrum, const std::complex<double> *factor, std::size_t n)
{
    auto *s = reinterpret_cast<double *>(spectrum);
    const auto *f = reinterpret_cast<const double *>(factor);
    for (std::size_t i = 0; i < 2 * n; i += 2) {
        const double re = s[i] * f[i] - s[i + 1] * f[i + 1];
        const double im = s[i] * f[i + 1] + s[i + 1] * f[i];
        s[i] = re;
        s[i + 1] = im;
    }
}

std::size_t cachedPlans()
{
    const std::lock_guard lock(plannerMutex());
    return cache().size();
}

} // namespace ks::fft
