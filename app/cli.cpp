#include "cli.h"

namespace ks {

std::optional<int> runCommandLine(int, char *[])
{
    return std::nullopt;
}

} // namespace ks
