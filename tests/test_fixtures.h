// Small fixtures shared by several tests: documents and regions built in one
// line, and the files a folder holds after a save.
#pragma once

#include "core/atomic_file.h"
#include "core/document.h"

#include <QStringList>
#include <QTemporaryDir>

#include <opencv2/core.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

namespace ks::test {

/// A document with this filter and every other setting at its default.
inline Document withFilter(FilterSpec filter)
{
    Document d;
    d.filter = std::move(filter);
    return d;
}

inline Region region(cv::Rect rect, RegionMethod method, double strength, int feather)
{
    Region r;
    r.rect = rect;
    r.method = method;
    r.strength = strength;
    r.feather = feather;
    return r;
}

/// The names in a folder, sorted.
inline QStringList entries(const std::filesystem::path &folder)
{
    QStringList names;
    for (const std::filesystem::directory_entry &entry :
         std::filesystem::directory_iterator(folder))
        names.append(QString::fromStdString(entry.path().filename().string()));
    names.sort();
    return names;
}

inline std::filesystem::path folderOf(const QTemporaryDir &dir)
{
    return std::filesystem::path(dir.path().toStdString());
}

/// The message of the FileError thrown by f, or std::nullopt.
template <typename F> std::optional<std::string> fileErrorOf(F f)
{
    try {
        f();
    } catch (const FileError &e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

/// Uniform noise over the depth's range: [0, 256) for 8 bits, [0, 65536)
/// for 16, [0, 1) for float.
inline cv::Mat randomImage(cv::Size size, int depth, int channels, std::uint64_t seed)
{
    cv::Mat image(size, CV_MAKETYPE(depth, channels));
    cv::RNG rng(seed);
    if (depth == CV_8U)
        rng.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(256));
    else if (depth == CV_16U)
        rng.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(65536));
    else
        rng.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(0.0), cv::Scalar::all(1.0));
    return image;
}

/// Same size, type and every bit (NaNs included).
inline bool identical(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    for (int y = 0; y < a.rows; ++y)
        if (std::memcmp(a.ptr(y), b.ptr(y), a.cols * a.elemSize()) != 0)
            return false;
    return true;
}

} // namespace ks::test
