#include "parameters.h"

#include "errors.h"

#include <cmath>
#include <cstdio>
#include <vector>

namespace ks {

namespace {

template <class> struct MemberTraits;
template <class C, class T> struct MemberTraits<T C::*> {
    using Class = C;
    using Type = T;
};

template <auto Member> double getMember(const FilterSpec &spec)
{
    using Spec = typename MemberTraits<decltype(Member)>::Class;
    return static_cast<double>(std::get<Spec>(spec).*Member);
}

template <auto Member> void setMember(FilterSpec &spec, double value)
{
    using Traits = MemberTraits<decltype(Member)>;
    using Type = typename Traits::Type;
    auto &target = std::get<typename Traits::Class>(spec).*Member;
    if constexpr (std::is_same_v<Type, bool>)
        target = value != 0;
    else
        target = static_cast<Type>(value);
}

/// A descriptor plus how to read and write its field of the spec.
struct Field {
    double (*get)(const FilterSpec &);
    void (*set)(FilterSpec &, double);
};

struct Table {
    std::vector<ParamDescriptor> descriptors;
    std::vector<Field> fields;

    template <auto Member> void add(ParamDescriptor descriptor)
    {
        descriptors.push_back(std::move(descriptor));
        fields.push_back({&getMember<Member>, &setMember<Member>});
    }
};

ParamDescriptor real(std::string key, std::string label, std::string unit, double min, double max,
                     double step, std::string help)
{
    return {std::move(key), std::move(label), std::move(unit), min, max, 0, step, ParamType::Real,
            false,          std::move(help)};
}

ParamDescriptor kernelSize(double min, double max, bool zeroIsAuto, std::string help)
{
    return {"ksize",    "Kernel size",  "px", min, max, 0, 2, ParamType::OddInteger,
            zeroIsAuto, std::move(help)};
}

ParamDescriptor boolean(std::string key, std::string label, std::string help)
{
    return {std::move(key), std::move(label), "", 0, 1, 0, 1, ParamType::Boolean,
            false,          std::move(help)};
}

Table makeTable(FilterKind kind)
{
    Table t;
    switch (kind) {
    case FilterKind::Identity:
        break;
    case FilterKind::Gabor:
        t.add<&GaborSpec::ksize>(
            kernelSize(1, 301, false,
                       "Width and height of the kernel in pixels; odd, so it has a centre tap."));
        t.add<&GaborSpec::sigma>(real("sigma", "Sigma", "px", 0.1, 100, 0.1,
                                      "Standard deviation of the Gaussian envelope along the "
                                      "wave, in pixels."));
        t.add<&GaborSpec::theta_deg>(real("theta", "Theta", "deg", 0, 360, 1,
                                          "Direction of the carrier wave, clockwise on screen from "
                                          "the +x axis; 0 gives vertical stripes."));
        t.add<&GaborSpec::lambda>(real("lambda", "Wavelength", "px", 2, 1000, 0.5,
                                       "Wavelength of the carrier wave in pixels; below 2 it "
                                       "would alias."));
        t.add<&GaborSpec::gamma>(real("gamma", "Aspect ratio", "", 0.01, 10, 0.01,
                                      "Spatial aspect ratio: the envelope's sigma across the wave "
                                      "is sigma / gamma."));
        t.add<&GaborSpec::psi_deg>(real("psi", "Phase", "deg", -180, 180, 1,
                                        "Phase offset of the carrier: 0 gives an even (cosine) "
                                        "kernel, 90 an odd (sine) one."));
        break;
    case FilterKind::Gaussian:
        t.add<&GaussianSpec::ksize>(kernelSize(1, 1001, true,
                                               "Width and height of the kernel in pixels (odd), or "
                                               "0 to size it from sigma like OpenCV."));
        t.add<&GaussianSpec::sigma>(real("sigma", "Sigma", "px", 0.1, 100, 0.1,
                                         "Standard deviation of the Gaussian in pixels."));
        break;
    case FilterKind::Box:
        t.add<&BoxSpec::ksize>(kernelSize(
            1, 1001, false, "Width and height of the averaging window in pixels (odd)."));
        t.add<&BoxSpec::normalized>(
            boolean("normalized", "Normalized",
                    "Divide by the number of taps, so the filter averages instead of summing."));
        break;
    case FilterKind::Derivative:
        t.add<&DerivativeSpec::order>({"order", "Order", "", 1, 2, 0, 1, ParamType::Integer, false,
                                       "1 for the slope (edges), 2 for the curvature (lines and "
                                       "blobs) along the direction."});
        t.add<&DerivativeSpec::angle_deg>(real("angle", "Angle", "deg", 0, 360, 1,
                                               "Direction of differentiation, clockwise on screen "
                                               "from the +x axis."));
        t.add<&DerivativeSpec::sigma>(real("sigma", "Sigma", "px", 0.1, 100, 0.1,
                                           "Scale of the Gaussian that is differentiated, in "
                                           "pixels."));
        t.add<&DerivativeSpec::ksize>(kernelSize(3, 1001, false,
                                                 "Width and height of the kernel in pixels (odd); "
                                                 "about 8 sigma + 1 keeps the tails."));
        break;
    case FilterKind::Custom:
        t.add<&CustomSpec::normalize>(
            boolean("normalize", "Normalize", "Scale the taps so that they sum to 1."));
        break;
    }
    const FilterSpec defaults = defaultSpec(kind);
    for (std::size_t i = 0; i < t.fields.size(); ++i)
        t.descriptors[i].defaultValue = t.fields[i].get(defaults);
    return t;
}

const Table &tableOf(FilterKind kind)
{
    static const std::vector<Table> tables = [] {
        std::vector<Table> all;
        for (FilterKind k : kAllFilterKinds)
            all.push_back(makeTable(k));
        return all;
    }();
    return tables[static_cast<std::size_t>(kind)];
}

std::string formatNumber(double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
}

std::string rangeText(const ParamDescriptor &d)
{
    std::string text = formatNumber(d.min) + " to " + formatNumber(d.max);
    if (!d.unit.empty())
        text += " " + d.unit;
    return text;
}

/// Index of key in the kind's table; throws ParameterError when absent.
std::size_t fieldIndex(FilterKind kind, std::string_view key)
{
    const Table &table = tableOf(kind);
    for (std::size_t i = 0; i < table.descriptors.size(); ++i)
        if (table.descriptors[i].key == key)
            return i;
    throw ParameterError(std::string(key), std::string(filterName(kind)) + " has no parameter '" +
                                               std::string(key) + "'");
}

void validateCustomMatrix(const CustomSpec &custom)
{
    const std::string size = std::to_string(custom.rows) + " x " + std::to_string(custom.cols);
    if (custom.rows < 1 || custom.cols < 1 || custom.rows > kMaxCustomSize ||
        custom.cols > kMaxCustomSize)
        throw ParameterError("matrix", "matrix is " + size + ": allowed 1 to " +
                                           std::to_string(kMaxCustomSize) + " rows and columns");
    const std::size_t taps = static_cast<std::size_t>(custom.rows) * custom.cols;
    if (custom.values.size() != taps)
        throw ParameterError("matrix", "matrix has " + std::to_string(custom.values.size()) +
                                           " values for its " + size + " = " +
                                           std::to_string(taps) + " taps");
    double sum = 0;
    double absSum = 0;
    for (std::size_t i = 0; i < taps; ++i) {
        const double v = custom.values[i];
        if (!std::isfinite(v))
            throw ParameterError("matrix", "matrix tap at row " +
                                               std::to_string(i / custom.cols + 1) + ", column " +
                                               std::to_string(i % custom.cols + 1) + " = " +
                                               formatNumber(v) + " is not a finite number");
        sum += v;
        absSum += std::abs(v);
    }
    if (custom.normalize && !std::isfinite(sum))
        throw ParameterError("normalize", "normalize = 1 is impossible: the sum of the taps "
                                          "overflows a double");
    if (custom.normalize && std::abs(sum) <= 1e-12 * absSum)
        throw ParameterError("normalize", "normalize = 1 is impossible: the taps sum to 0, so "
                                          "the kernel cannot be scaled to sum 1");
}

} // namespace

std::span<const ParamDescriptor> parameterDescriptors(FilterKind kind)
{
    return tableOf(kind).descriptors;
}

const ParamDescriptor *findParameter(FilterKind kind, std::string_view key)
{
    for (const ParamDescriptor &d : parameterDescriptors(kind))
        if (d.key == key)
            return &d;
    return nullptr;
}

std::optional<std::string> checkParameter(const ParamDescriptor &d, double value)
{
    const std::string head = d.key + " = " + formatNumber(value);
    if (!std::isfinite(value))
        return head + " is not a finite number: allowed " + rangeText(d);
    const bool whole = std::trunc(value) == value;
    switch (d.type) {
    case ParamType::Real:
        if (value < d.min || value > d.max)
            return head + " is out of range: allowed " + rangeText(d);
        return std::nullopt;
    case ParamType::Integer:
        if (!whole || value < d.min || value > d.max)
            return head + " must be a whole number from " + rangeText(d);
        return std::nullopt;
    case ParamType::OddInteger: {
        if (d.zeroIsAuto && value == 0)
            return std::nullopt;
        const double lowestOdd = std::max(1.0, d.min);
        const bool odd = whole && std::fmod(std::abs(value), 2.0) == 1.0;
        if (!odd || value < lowestOdd || value > d.max)
            return head + " must be an odd whole number from " + formatNumber(lowestOdd) + " to " +
                   formatNumber(d.max) + (d.unit.empty() ? "" : " " + d.unit) +
                   (d.zeroIsAuto ? ", or 0 for automatic" : "");
        return std::nullopt;
    }
    case ParamType::Boolean:
        if (value != 0 && value != 1)
            return head + " must be 0 (off) or 1 (on): allowed " + rangeText(d);
        return std::nullopt;
    }
    return std::nullopt;
}

double parameterValue(const FilterSpec &spec, std::string_view key)
{
    const FilterKind kind = kindOf(spec);
    return tableOf(kind).fields[fieldIndex(kind, key)].get(spec);
}

void setParameter(FilterSpec &spec, std::string_view key, double value)
{
    const FilterKind kind = kindOf(spec);
    const std::size_t i = fieldIndex(kind, key);
    const Table &table = tableOf(kind);
    if (auto problem = checkParameter(table.descriptors[i], value))
        throw ParameterError(std::string(key), *problem);
    table.fields[i].set(spec, value);
}

void validate(const FilterSpec &spec)
{
    const FilterKind kind = kindOf(spec);
    const Table &table = tableOf(kind);
    for (std::size_t i = 0; i < table.fields.size(); ++i)
        if (auto problem = checkParameter(table.descriptors[i], table.fields[i].get(spec)))
            throw ParameterError(table.descriptors[i].key, *problem);
    if (const auto *custom = std::get_if<CustomSpec>(&spec))
        validateCustomMatrix(*custom);
}

} // namespace ks
