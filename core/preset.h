// Presets: a document saved as JSON, shared by the GUI and the command line.
//
// {
//   "format": "kernelscope-preset", "version": 1,
//   "filter": {"type": "gabor", "ksize": 31, "sigma": 4.0, "theta": 0.0, ...},
//             (custom: "rows": 2, "cols": 3, "values": [[...], [...]], "normalize": false)
//   "bank": {"orientations": 8, "scales": 1, "ratio": 2.0, "combine": "max" | "energy"},
//           (only with a gabor filter; left out when the document has no bank)
//   "color": "per-channel" | "gray",
//   "border": "reflect101" | "reflect" | "replicate" | "constant" | "wrap",
//   "display": {"mode": "clamp" | "abs" | "offset" | "normalize" | "raw", "gain": 0.0},
//   "regions": [{"x": 10, "y": 20, "width": 100, "height": 50,
//                "method": "gaussian", "sigma": 8.0, "feather": 4}, ...]
// }
// Filter parameter keys are the descriptor keys (parameters.h), written as
// their type says: true/false for booleans, integers for (odd) whole numbers,
// doubles (every digit kept) for reals. A region's strength uses its method's
// descriptor key (sigma, cell or ksize); the bank's keys are its descriptor
// keys (gabor_bank.h) plus "combine". "format" and "version" are required;
// every other member may be left out and then takes the default-constructed
// value (a region's strength: its descriptor's default), except a region's
// x, y, width and height, and a custom filter's "values" when "rows" or
// "cols" is given. Whole numbers may be written as 31 or 31.0. Without
// "bank" the document has no bank; a "bank" beside another filter is ignored
// with a warning.
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
    /// One line per unknown key, which is ignored: "/filter/colour: unknown
    /// key, ignored", and for a bank beside a filter other than Gabor
    /// (loadPreset prefixes the file name, like its errors).
    std::vector<std::string> warnings;
};

/// Pretty-printed JSON (one matrix row per line), ending in a newline;
/// presetFromJson(presetToJson(d)).document == d, except that a bank beside
/// a filter other than Gabor is not written (it has no effect). Throws
/// ParameterError for a document that presetFromJson would refuse (see
/// validate(), plus a negative or non-finite display gain, a negative region
/// size, or a region reaching beyond the int range), so a saved preset
/// always loads.
std::string presetToJson(const Document &document);

/// Parses and validates a preset; throws PresetError for the first problem.
PresetLoad presetFromJson(std::string_view text);

/// Writes presetToJson(document) atomically. Throws FileError or ParameterError.
void savePreset(const std::filesystem::path &path, const Document &document);

/// Reads and parses a preset file. Throws FileError, or PresetError whose
/// message starts with the file name ("my.json: /filter/sigma: ...").
PresetLoad loadPreset(const std::filesystem::path &path);

} // namespace ks
