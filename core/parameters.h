// Parameter descriptors: the one table that drives sliders, the command line
// and presets, so they can never disagree on names, ranges or defaults.
#pragma once

#include "filter_spec.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ks {

enum class ParamType {
    Real,       ///< any finite value in [min, max]
    Integer,    ///< whole numbers in [min, max]
    OddInteger, ///< odd whole numbers in [min, max] (0 too when zeroIsAuto)
    Boolean,    ///< 0 (false) or 1 (true)
};

struct ParamDescriptor {
    std::string key;   ///< "sigma": command-line option --sigma, preset key
    std::string label; ///< "Sigma": label of the slider
    std::string unit;  ///< "px", "deg" or "" for unitless
    double min = 0;
    double max = 0;
    double defaultValue = 0; ///< taken from the default-constructed spec
    double step = 1;         ///< slider / spin-box step
    ParamType type = ParamType::Real;
    bool zeroIsAuto = false; ///< 0 is allowed and means "automatic" (Gaussian ksize)
    std::string help;        ///< one sentence, for tooltips and --help
};

/// The parameters of one filter kind, in display order. Identity has none;
/// Custom lists only "normalize" (its matrix is not a scalar parameter).
std::span<const ParamDescriptor> parameterDescriptors(FilterKind kind);

/// The descriptor with this key, or nullptr.
const ParamDescriptor *findParameter(FilterKind kind, std::string_view key);

/// std::nullopt when value is acceptable for the descriptor; otherwise a
/// one-line message naming the parameter, the value and the allowed range,
/// e.g. "sigma = -1 is out of range: allowed 0.1 to 100 px".
std::optional<std::string> checkParameter(const ParamDescriptor &descriptor, double value);

/// Current value of a scalar parameter (booleans as 0/1).
/// Throws ParameterError for a key the spec's kind does not have.
double parameterValue(const FilterSpec &spec, std::string_view key);

/// Sets a scalar parameter after checking it against its descriptor.
/// Throws ParameterError (and leaves spec unchanged) for an unknown key or a
/// bad value. Values are never clamped or rounded silently.
void setParameter(FilterSpec &spec, std::string_view key, double value);

/// Checks every parameter of the spec, and for Custom the matrix too
/// (1 to kMaxCustomSize rows and columns, rows * cols finite values, a
/// non-zero sum when normalize is set). Throws ParameterError on the first
/// problem found.
void validate(const FilterSpec &spec);

/// Largest number of rows or columns of a custom kernel.
inline constexpr int kMaxCustomSize = 301;

} // namespace ks
