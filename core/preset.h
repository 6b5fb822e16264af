// Presets: a document saved as JSON, shared by the GUI and the command line.
//
// {
//   "format": "kernelscope-preset", "version": 1,
//   "filter": {"type": "gabor", "ksize": 31, "sigma": 4, "theta": 0, ...},
//             (custom: "rows", "cols", "values": [[...], ...], "normalize")
//   "color": "per-channel" | "gray",
//   "border": "reflect101" | "reflect" | "replicate" | "constant" | "wrap",
//   "display": {"mode": "clamp" | "abs" | "offset" | "normalize" | "raw", "gain": 0},
//   "regions": [{"x": 10, "y": 20, "width": 100, "height": 50,
//                "method": "gaussian", "sigma": 8, "feather": 4}, ...]
// }
// Filter parameter keys are the descriptor keys (parameters.h); a region's
// strength uses its method's descriptor key (sigma, cell or ksize).
#pragma once

#include "document.h"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ks {

inline constexpr std::string_view kPresetFormat = "kernelscope-preset";
inline constexpr int kPresetVersion = 1;

/// A preset that cannot be used. what() is one line naming the JSON path
/// and the problem ("/filter/sigma: sigma = -1 is out of range: allowed 0.1
/// to 100 px"), prefixed by the file name when read from a file.
class PresetError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PresetLoad {
    Document document;
    std::vector<std::string> warnings; ///< unknown keys ("/filter/colour: unknown key, ignored")
};

/// Pretty-printed JSON; presetFromJson(presetToJson(d)).document == d.
std::string presetToJson(const Document &document);

/// Parses and validates a preset. Missing optional members take their
/// defaults; the format name and version are required.
PresetLoad presetFromJson(std::string_view text);

void savePreset(const std::filesystem::path &path, const Document &document); ///< atomic; FileError
PresetLoad loadPreset(const std::filesystem::path &path); ///< FileError or PresetError

} // namespace ks
