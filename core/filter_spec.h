// Filter specifications: plain value types, one per filter.
//
// The default member values are the defaults the whole program uses: the
// parameter descriptors (parameters.h) read them from a default-constructed
// spec, so sliders, the command line and presets share one source of truth.
#pragma once

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace ks {

/// No filter: the response is the (possibly grey-converted) source itself.
struct IdentitySpec {
    bool operator==(const IdentitySpec &) const = default;
};

/// Gabor kernel, identical to cv::getGaborKernel(Size(ksize, ksize), sigma,
/// theta, lambda, gamma, psi, CV_64F) with the angles given in degrees.
///
/// Orientation on screen (image rows grow downwards): theta is the direction
/// of the carrier wave, measured from the +x axis turning clockwise on screen
/// (towards +y). theta = 0 gives vertical stripes, which respond to vertical
/// edges and lines; theta = 90 gives horizontal stripes. Like OpenCV's kernel
/// the taps are point-reflected: tap (row i, col j) holds g(x, y) at
/// x = r - j, y = r - i, so an odd (psi = 90) kernel's sign is mirrored.
struct GaborSpec {
    int ksize = 31;         ///< kernel width and height in pixels, odd
    double sigma = 4.0;     ///< envelope standard deviation along the wave, pixels
    double theta_deg = 0.0; ///< orientation of the wave, degrees (see above)
    double lambda = 10.0;   ///< wavelength of the carrier, pixels
    double gamma = 0.5;     ///< spatial aspect ratio: sigma across the wave is sigma / gamma
    double psi_deg = 0.0;   ///< phase offset, degrees (0 = even/cosine, 90 = odd)
    bool operator==(const GaborSpec &) const = default;
};

/// Isotropic Gaussian: the outer product of cv::getGaussianKernel(ksize, sigma).
struct GaussianSpec {
    int ksize = 0; ///< odd size in pixels, or 0 for OpenCV's automatic size for the image depth
    double sigma = 2.0; ///< standard deviation, pixels
    bool operator==(const GaussianSpec &) const = default;
};

/// Box (moving average) filter.
struct BoxSpec {
    int ksize = 5;          ///< odd size in pixels
    bool normalized = true; ///< taps are 1/(ksize*ksize) when true, 1 otherwise
    bool operator==(const BoxSpec &) const = default;
};

/// Directional derivative of a Gaussian, as a correlation kernel: the response
/// is the first (order 1) or second (order 2) derivative of the
/// Gaussian-smoothed image along the unit vector u = (cos angle, sin angle),
/// with angle measured like GaborSpec::theta (clockwise on screen from +x).
/// Order 1 is positive where the image gets brighter along u.
struct DerivativeSpec {
    int order = 1;          ///< 1 or 2
    double angle_deg = 0.0; ///< direction of differentiation, degrees
    double sigma = 2.0;     ///< scale of the Gaussian, pixels
    int ksize = 15;         ///< odd size in pixels
    bool operator==(const DerivativeSpec &) const = default;
};

/// A user-supplied kernel, applied as a correlation with the anchor at
/// (cols / 2, rows / 2), like cv::filter2D's default anchor.
struct CustomSpec {
    int rows = 3;
    int cols = 3;
    std::vector<double> values{0, -1, 0, -1, 5, -1, 0, -1, 0}; ///< row-major, rows * cols taps
    bool normalize = false; ///< scale the taps to sum 1 (refused for a zero-sum kernel)
    bool operator==(const CustomSpec &) const = default;
};

using FilterSpec =
    std::variant<IdentitySpec, GaborSpec, GaussianSpec, BoxSpec, DerivativeSpec, CustomSpec>;

/// The filters, in the order of FilterSpec's alternatives.
enum class FilterKind { Identity, Gabor, Gaussian, Box, Derivative, Custom };

inline constexpr FilterKind kAllFilterKinds[] = {FilterKind::Identity,   FilterKind::Gabor,
                                                 FilterKind::Gaussian,   FilterKind::Box,
                                                 FilterKind::Derivative, FilterKind::Custom};

FilterKind kindOf(const FilterSpec &spec);

/// The default spec of a kind (its default-constructed value).
FilterSpec defaultSpec(FilterKind kind);

/// Machine name used by the command line and presets: none, gabor, gaussian,
/// box, derivative, custom.
std::string_view filterName(FilterKind kind);

/// Human name for menus: None, Gabor, Gaussian, Box, Derivative, Custom.
std::string_view filterLabel(FilterKind kind);

/// Inverse of filterName; std::nullopt for an unknown name.
std::optional<FilterKind> parseFilterName(std::string_view name);

/// True for filters whose output is a weighted average of the input
/// (Identity, Gaussian, normalized Box, and a Custom kernel with
/// non-negative taps summing to 1): these default to the clamp display
/// mapping and give 8-bit output rounded like OpenCV.
bool isSmoothing(const FilterSpec &spec);

} // namespace ks
