// Small fixtures shared by several tests: documents and regions built in one
// line, and the files a folder holds after a save.
#pragma once

#include "core/atomic_file.h"
#include "core/document.h"

#include <QStringList>
#include <QTemporaryDir>

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

} // namespace ks::test
