// Real discrete Fourier transforms for the engine, in double precision, by
// FFTW 3 (Debian's libfftw3-dev): four to five times faster than cv::dft on
// the engine's tiles on the reference machine, with the same accuracy class.
//
// Plans are made once per size and process with FFTW_ESTIMATE (a few ms, no
// timing runs, so the first slider change does not stall), under one mutex
// (FFTW's planner is not thread-safe), and then executed from any thread on
// buffers from realBuffer()/complexBuffer(): FFTW's new-array execution is
// thread-safe for arrays aligned as the planning ones were.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>

namespace ks::fft {

struct FftwFree {
    void operator()(void *p) const;
};

/// Arrays in FFTW's alignment; the only arrays RealDft may be given.
template <class T> using Buffer = std::unique_ptr<T[], FftwFree>;
Buffer<double> realBuffer(std::size_t n);
Buffer<std::complex<double>> complexBuffer(std::size_t n);

struct PlanPair;

/// Forward and inverse unnormalized real transforms of a rows x cols array
/// (rows == 1: one row), row-major; the spectrum is rows x (cols / 2 + 1).
/// Cheap to copy; plans are shared by every RealDft of the same size.
class RealDft {
public:
    RealDft(int rows, int cols);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    int spectrumCols() const { return cols_ / 2 + 1; }
    std::size_t points() const { return static_cast<std::size_t>(rows_) * cols_; }
    std::size_t spectrumSize() const { return static_cast<std::size_t>(rows_) * spectrumCols(); }

    /// out = DFT(in); in is left as it was.
    void forward(const double *in, std::complex<double> *out) const;
    /// out = points() * IDFT(in); in is overwritten.
    void inverse(std::complex<double> *in, double *out) const;

private:
    int rows_;
    int cols_;
    std::shared_ptr<const PlanPair> plans_;
};

/// spectrum[i] *= factor[i], for n values (a plain loop the compiler
/// vectorizes; std::complex's operator* checks for infinities on every call).
void multiply(std::complex<double> *spectrum, const std::complex<double> *factor, std::size_t n);

/// Plans currently cached (tests).
std::size_t cachedPlans();

} // namespace ks::fft
