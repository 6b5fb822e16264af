#include "errors.h"

#include <utility>

namespace ks {

ParameterError::ParameterError(std::string key, const std::string &message)
    : std::invalid_argument(message), key_(std::move(key))
{
}

Cancelled::Cancelled() : std::runtime_error("computation cancelled")
{
}

} // namespace ks
