// What a kernel does, seen two more ways: its frequency response (the
// magnitude of its discrete Fourier transform) and its values along a line
// through the anchor. Feeds the kernel plots.
#pragma once

#include <opencv2/core/mat.hpp>

#include <vector>

namespace ks {

/// The magnitude of a kernel's frequency response on an N x N grid of
/// frequencies, N a power of two.
///
/// Cell (row v, column u) holds |H(fx, fy)| at fx = (u - N/2) / N and
/// fy = (v - N/2) / N cycles per pixel: x to the right (columns), y downwards
/// (rows), as on screen, so the DC term is at (N/2, N/2) and the grid runs
/// from -0.5 to 0.5 - 1/N on both axes.
///
/// Sign convention: a kernel k is a correlation kernel, so the filter turns
/// the image exp(2 pi i f.p) into H(f) exp(2 pi i f.p) with
/// H(f) = sum over taps of k(d) exp(+2 pi i f.d), d = (dx, dy) the tap's
/// offset from the anchor. A real kernel has |H(f)| = |H(-f)|, and the sign
/// of the exponent and where the kernel sits in the zero-padded frame do not
/// change the magnitude, so this equals the magnitude of cv::dft of the
/// zero-padded kernel, fft-shifted. A Gabor kernel (GaborSpec: theta turns
/// clockwise on screen from +x; its point-reflected layout keeps the carrier
/// direction) has its two peaks at +-(cos theta, sin theta) / lambda.
struct KernelSpectrum {
    cv::Mat magnitude; ///< CV_64FC1, size x size, DC at (size / 2, size / 2)
    int size = 0;      ///< N

    /// The frequency of row or column index, in cycles per pixel.
    double frequency(int index) const { return static_cast<double>(index - size / 2) / size; }
};

/// The frequency response of kernel64F (CV_64FC1, any size, anchor at
/// (cols / 2, rows / 2)), zero-padded to N x N with N the smallest power of
/// two >= max(minSize, rows, cols): finer bins than the kernel alone gives,
/// so a passband shows where it lies between the kernel's own frequencies.
/// Throws std::invalid_argument for an empty or non-CV_64FC1 kernel or
/// minSize < 1. Thread-safe.
KernelSpectrum kernelSpectrum(const cv::Mat &kernel64F, int minSize = 256);

/// One sample of a kernel profile.
struct ProfileSample {
    double offset = 0; ///< signed distance from the anchor along the direction, pixels
    double value = 0;  ///< the kernel there, interpolated bilinearly between taps
};

/// The kernel along the line through its anchor in direction (cos angle,
/// sin angle) of tap offsets (dx to the right, dy downwards: angleDeg turns
/// clockwise on screen from +x, like GaborSpec::theta_deg), sampled at
/// offsets t = k * step for every whole k whose point lies within the taps,
/// in increasing t. Along an axis (0, 90, 180, 270 degrees) the samples are
/// the taps themselves, exact; diagonally the line reaches further than the
/// kernel's half size (to r * sqrt(2) at 45 degrees on a square kernel).
/// Throws std::invalid_argument for an empty or non-CV_64FC1 kernel or
/// step <= 0. Thread-safe.
std::vector<ProfileSample> kernelProfile(const cv::Mat &kernel64F, double angleDeg,
                                         double step = 1.0);

} // namespace ks
