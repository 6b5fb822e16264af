// Writing files so that a failure never leaves a partial or temporary file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <vector>

namespace ks {

/// A file could not be read or written. what() is one line that names the
/// file and the reason ("cannot save 'out/a.png': No space left on device",
/// "cannot open 'a b.png': No such file or directory").
class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Writes bytes to path atomically: to a temporary file in the same folder
/// (".name.XXXXXX"; checked writes, fsync), then renamed over path. On any
/// failure (missing or unwritable folder, a path through a regular file, a
/// folder at path, disk full or a file-size limit) the temporary file is
/// removed, path is left as it was, and FileError ("cannot save '...': ...")
/// says why. Refuses to replace anything but a regular file, and a file the
/// caller may not write (access(W_OK)). A symbolic link to a regular file is
/// written through: the file it points to is replaced, the link stays. An
/// existing file keeps its permission bits; a new one gets 0666 minus the
/// umask. SIGXFSZ must be ignored by the process for the file-size limit to
/// surface as an error (the command line and GUI do so at start). Thread-safe.
void writeFileAtomically(const std::filesystem::path &path, std::span<const std::byte> bytes);

/// Reads a whole regular file; FileError ("cannot open '...': ...") naming
/// the file on failure: missing, permission denied, a folder, a pipe or a
/// device. Thread-safe.
std::vector<std::byte> readFile(const std::filesystem::path &path);

} // namespace ks
