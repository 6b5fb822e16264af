// Fuzzes the command line's --region parser (parseRegion in
// app/cli_options.h): any text is either refused with a UsageError or gives
// a region that validateRegion accepts, with a rectangle of at least 1 x 1
// whose right and bottom edges fit in an int.

#include "app/cli_options.h"
#include "core/region_blur.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    ks::Region region;
    try {
        region = ks::parseRegion(text, 0);
    } catch (const ks::UsageError &) {
        return 0;
    }
    ks::validateRegion(region, 0); // throws (and so fails) for an invalid region
    constexpr long long kLargest = std::numeric_limits<int>::max();
    if (region.rect.width < 1 || region.rect.height < 1 ||
        static_cast<long long>(region.rect.x) + region.rect.width > kLargest ||
        static_cast<long long>(region.rect.y) + region.rect.height > kLargest)
        __builtin_trap();
    return 0;
}
