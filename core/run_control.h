// Cancellation and progress for long engine calls, as plain standard types.
#pragma once

#include "errors.h"

#include <functional>
#include <stop_token>

namespace ks {

/// What a caller hands to a long computation so it can be stopped and watched.
/// A default-constructed RunControl never stops and reports nothing.
struct RunControl {
    /// When stop is requested, the computation throws Cancelled at its next
    /// checkpoint (at least once per strip of rows: a few milliseconds).
    std::stop_token stop;

    /// Fraction done in [0, 1], non-decreasing, always called on the thread
    /// that called the engine function. May be empty.
    std::function<void(double)> progress;

    /// Throws Cancelled if stop was requested.
    void checkpoint() const
    {
        if (stop.stop_requested())
            throw Cancelled();
    }

    void report(double fraction) const
    {
        if (progress)
            progress(fraction);
    }
};

} // namespace ks
