// Fuzzes presetFromJson (core/preset.h): any text is either refused with a
// PresetError or gives a document that presetToJson writes and that loads
// back unchanged, without warnings.

#include "core/preset.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    ks::PresetLoad load;
    try {
        load = ks::presetFromJson(text);
    } catch (const ks::PresetError &) {
        return 0;
    }
    // A loaded document is valid, so writing it must not throw and the
    // written text must load back as the same document.
    const std::string written = ks::presetToJson(load.document);
    const ks::PresetLoad again = ks::presetFromJson(written);
    if (!(again.document == load.document) || !again.warnings.empty())
        __builtin_trap();
    return 0;
}
