// Exceptions that cross the engine's boundary.
#pragma once

#include <stdexcept>
#include <string>

namespace ks {

/// An invalid filter or region parameter. what() is one line that names the
/// parameter, the offending value and the allowed range, ready to show a user.
class ParameterError : public std::invalid_argument {
public:
    ParameterError(std::string key, const std::string &message);

    /// The parameter's descriptor key ("sigma", "ksize", "matrix", ...).
    const std::string &key() const noexcept { return key_; }

private:
    std::string key_;
};

/// Thrown by the engine at its next checkpoint after the caller's stop token
/// was triggered. Nothing the engine returned earlier is affected.
class Cancelled : public std::runtime_error {
public:
    Cancelled();
};

} // namespace ks
