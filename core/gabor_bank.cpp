#include "gabor_bank.h"

#include "errors.h"
#include "kernels.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace ks {

namespace {

constexpr BankCombine kAllCombines[] = {BankCombine::Max, BankCombine::Energy};

std::string formatNumber(double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
}

std::array<ParamDescriptor, 3> makeDescriptors()
{
    const BankSpec defaults;
    return {
        ParamDescriptor{"orientations", "Orientations", "", 2, 16,
                        static_cast<double>(defaults.orientations), 1, ParamType::Integer, false,
                        "Number of orientations, theta + i * 180 / N degrees for i = 0 to N - 1."},
        ParamDescriptor{"scales", "Scales", "", 1, 4, static_cast<double>(defaults.scales), 1,
                        ParamType::Integer, false,
                        "Number of scales; scale s multiplies sigma and lambda by ratio^s."},
        ParamDescriptor{"ratio", "Scale ratio", "", 1.1, 4, defaults.ratio, 0.01, ParamType::Real,
                        false, "Factor between the sigma and lambda of successive scales."},
    };
}

/// Keeps the progress reported over several member runs non-decreasing.
class BankProgress {
public:
    BankProgress(const RunControl &control, std::size_t runs) : control_(control), runs_(runs) {}

    /// The RunControl for the next member run: its 0..1 maps onto its share.
    RunControl member()
    {
        RunControl part{control_.stop, nullptr};
        if (control_.progress)
            part.progress = [this, base = done_](double f) {
                report((static_cast<double>(base) + std::clamp(f, 0.0, 1.0)) /
                       static_cast<double>(runs_));
            };
        ++done_;
        return part;
    }

    void report(double fraction)
    {
        if (fraction <= reported_)
            return;
        reported_ = fraction;
        control_.report(fraction);
    }

private:
    const RunControl &control_;
    const std::size_t runs_;
    std::size_t done_ = 0;
    double reported_ = -1;
};

/// even = sqrt(even^2 + odd^2) per value, in double, rounded once to float.
void toEnergy(cv::Mat &even, const cv::Mat &odd)
{
    CV_Assert(even.type() == odd.type() && even.size() == odd.size() && even.depth() == CV_32F);
    const int n = even.cols * even.channels();
    for (int y = 0; y < even.rows; ++y) {
        float *e = even.ptr<float>(y);
        const float *o = odd.ptr<float>(y);
        for (int x = 0; x < n; ++x) {
            const double a = e[x];
            const double b = o[x];
            e[x] = static_cast<float>(std::sqrt(a * a + b * b));
        }
    }
}

/// combined = max(combined, next) per value; the first response is taken as it is.
void keepMax(Response &combined, Response next)
{
    if (combined.values.empty())
        combined = std::move(next);
    else
        cv::max(combined.values, next.values, combined.values);
}

} // namespace

std::string_view bankCombineName(BankCombine combine)
{
    return combine == BankCombine::Energy ? "energy" : "max";
}

std::optional<BankCombine> parseBankCombineName(std::string_view name)
{
    for (BankCombine combine : kAllCombines)
        if (bankCombineName(combine) == name)
            return combine;
    return std::nullopt;
}

std::span<const ParamDescriptor> bankParameterDescriptors()
{
    static const std::array<ParamDescriptor, 3> descriptors = makeDescriptors();
    return descriptors;
}

void validateBank(const BankSpec &bank)
{
    const auto descriptors = bankParameterDescriptors();
    const double values[] = {static_cast<double>(bank.orientations),
                             static_cast<double>(bank.scales), bank.ratio};
    for (std::size_t i = 0; i < descriptors.size(); ++i)
        if (auto problem = checkParameter(descriptors[i], values[i]))
            throw ParameterError(descriptors[i].key, *problem);
}

void validateBank(const GaborSpec &spec, const BankSpec &bank)
{
    validate(FilterSpec{spec});
    validateBank(bank);
    // Only sigma and lambda grow with the scale; they are largest at the last
    // one, and the kernel size is capped to its range by bankKernelSize.
    const int last = bank.scales - 1;
    GaborSpec largest = bankMember(spec, bank.orientations, 0, std::pow(bank.ratio, last));
    largest.ksize = bankKernelSize(spec, bank);
    try {
        validate(FilterSpec{largest});
    } catch (const ParameterError &e) {
        throw ParameterError("scales", "scales = " + std::to_string(bank.scales) + " with ratio " +
                                           formatNumber(bank.ratio) +
                                           " takes the Gabor out of range at scale " +
                                           std::to_string(bank.scales) + ": " + e.what());
    }
}

int bankKernelSize(const GaborSpec &spec, const BankSpec &bank)
{
    const double target = spec.ksize * std::pow(bank.ratio, std::max(bank.scales - 1, 0));
    const double maxSize = findParameter(FilterKind::Gabor, "ksize")->max;
    if (!(target < maxSize)) // also NaN
        return static_cast<int>(maxSize);
    const int size = static_cast<int>(std::ceil(target * (1 - 1e-9)));
    return size % 2 == 1 ? size : size + 1;
}

GaborSpec bankMember(const GaborSpec &spec, int orientations, int index, double scale)
{
    GaborSpec member = spec;
    member.theta_deg = std::fmod(spec.theta_deg + index * 180.0 / orientations, 360.0);
    member.sigma = spec.sigma * scale;
    member.lambda = spec.lambda * scale;
    return member;
}

std::vector<GaborSpec> bankSpecs(const GaborSpec &spec, const BankSpec &bank)
{
    validateBank(spec, bank);
    const int ksize = bankKernelSize(spec, bank);
    std::vector<GaborSpec> specs;
    specs.reserve(static_cast<std::size_t>(bank.orientations * bank.scales));
    for (int s = 0; s < bank.scales; ++s) {
        const double scale = std::pow(bank.ratio, s);
        for (int i = 0; i < bank.orientations; ++i) {
            GaborSpec member = bankMember(spec, bank.orientations, i, scale);
            member.ksize = ksize;
            specs.push_back(member);
        }
    }
    return specs;
}

std::vector<cv::Mat> bankKernels(const GaborSpec &spec, const BankSpec &bank)
{
    std::vector<cv::Mat> kernels;
    for (const GaborSpec &member : bankSpecs(spec, bank))
        kernels.push_back(makeKernel(member));
    return kernels;
}

Response applyBank(const cv::Mat &image, const GaborSpec &spec, const BankSpec &bank,
                   const FilterOptions &options, const RunControl &control,
                   double toleranceFraction)
{
    const std::vector<GaborSpec> members = bankSpecs(spec, bank);
    const bool energy = bank.combine == BankCombine::Energy;
    BankProgress progress(control, members.size() * (energy ? 2 : 1));
    Response combined;
    for (const GaborSpec &member : members) {
        control.checkpoint();
        if (!energy) {
            keepMax(combined,
                    applyFilter(image, member, options, progress.member(), toleranceFraction));
            continue;
        }
        // |(e + de, o + do)| is within |(de, do)| <= sqrt(2) max(|de|, |do|) of |(e, o)|.
        const double tolerance = toleranceFraction / std::numbers::sqrt2;
        GaborSpec even = member;
        even.psi_deg = 0;
        GaborSpec odd = member;
        odd.psi_deg = 90;
        Response response = applyFilter(image, even, options, progress.member(), tolerance);
        control.checkpoint();
        const Response oddResponse = applyFilter(image, odd, options, progress.member(), tolerance);
        toEnergy(response.values, oddResponse.values);
        keepMax(combined, std::move(response));
    }
    control.checkpoint();
    progress.report(1.0);
    return combined;
}

} // namespace ks
