#include "filter_spec.h"

#include <cmath>
#include <numeric>

namespace ks {

namespace {

struct KindNames {
    FilterKind kind;
    std::string_view name;
    std::string_view label;
};

constexpr KindNames kNames[] = {
    {FilterKind::Identity, "none", "None"},
    {FilterKind::Gabor, "gabor", "Gabor"},
    {FilterKind::Gaussian, "gaussian", "Gaussian"},
    {FilterKind::Box, "box", "Box"},
    {FilterKind::Derivative, "derivative", "Derivative"},
    {FilterKind::Custom, "custom", "Custom"},
};

const KindNames &namesOf(FilterKind kind)
{
    return kNames[static_cast<std::size_t>(kind)];
}

} // namespace

FilterKind kindOf(const FilterSpec &spec)
{
    return static_cast<FilterKind>(spec.index());
}

FilterSpec defaultSpec(FilterKind kind)
{
    switch (kind) {
    case FilterKind::Identity:
        return IdentitySpec{};
    case FilterKind::Gabor:
        return GaborSpec{};
    case FilterKind::Gaussian:
        return GaussianSpec{};
    case FilterKind::Box:
        return BoxSpec{};
    case FilterKind::Derivative:
        return DerivativeSpec{};
    case FilterKind::Custom:
        return CustomSpec{};
    }
    return IdentitySpec{};
}

std::string_view filterName(FilterKind kind)
{
    return namesOf(kind).name;
}

std::string_view filterLabel(FilterKind kind)
{
    return namesOf(kind).label;
}

std::optional<FilterKind> parseFilterName(std::string_view name)
{
    for (const KindNames &entry : kNames)
        if (entry.name == name)
            return entry.kind;
    return std::nullopt;
}

bool isSmoothing(const FilterSpec &spec)
{
    switch (kindOf(spec)) {
    case FilterKind::Identity:
    case FilterKind::Gaussian:
        return true;
    case FilterKind::Box:
        return std::get<BoxSpec>(spec).normalized;
    case FilterKind::Custom: {
        const auto &custom = std::get<CustomSpec>(spec);
        bool nonNegative = true;
        for (double v : custom.values)
            nonNegative = nonNegative && v >= 0;
        const double sum = std::accumulate(custom.values.begin(), custom.values.end(), 0.0);
        return nonNegative && sum > 0 && (custom.normalize || std::abs(sum - 1) <= 1e-9);
    }
    case FilterKind::Gabor:
    case FilterKind::Derivative:
        return false;
    }
    return false;
}

} // namespace ks
