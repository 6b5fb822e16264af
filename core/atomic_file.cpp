#include "atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <random>
#include <string>
#include <system_error>

namespace ks {

namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path &path)
{
    return "'" + path.string() + "'";
}

/// strerror text, but thread-safe.
std::string errnoText(int error)
{
    return std::generic_category().message(error);
}

const char *fileKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

/// Why the folder a file would be created in is not usable, or an empty
/// string when it is an existing folder.
std::string folderProblem(const fs::path &folder)
{
    struct stat st {};
    if (::stat(folder.c_str(), &st) == 0)
        return S_ISDIR(st.st_mode) ? std::string() : quoted(folder) + " is not a folder";
    const int error = errno;
    if (error == ENOTDIR) {
        // Name the component that is not a folder ("file.txt" in
        // "file.txt/sub/out.png").
        fs::path prefix;
        for (const fs::path &part : folder) {
            prefix /= part;
            if (::stat(prefix.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
                return quoted(prefix) + " is not a folder";
        }
    }
    if (error == ENOENT)
        return "folder " + quoted(folder) + " does not exist";
    return "folder " + quoted(folder) + ": " + errnoText(error);
}

/// A temporary file next to the target; removed unless committed.
class TemporaryFile {
public:
    TemporaryFile() = default;
    TemporaryFile(const TemporaryFile &) = delete;
    TemporaryFile &operator=(const TemporaryFile &) = delete;
    ~TemporaryFile()
    {
        if (fd_ >= 0)
            ::close(fd_);
        if (!path_.empty())
            ::unlink(path_.c_str());
    }

    /// Creates folder/.name.XXXXXX with O_EXCL; returns errno on failure.
    /// Mode 0666 lets the umask decide the permissions of a new file, as for
    /// any other program creating one.
    int create(const fs::path &folder, const std::string &name)
    {
        static constexpr char kAlphabet[] =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        thread_local std::mt19937_64 random(std::random_device{}() ^
                                            static_cast<std::uint64_t>(::getpid()));
        std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
        // Keep the temporary name within NAME_MAX whatever the target's length.
        const std::string stem = "." + name.substr(0, 200) + ".";
        int error = EEXIST;
        for (int attempt = 0; attempt < 100 && error == EEXIST; ++attempt) {
            std::string candidate = stem;
            for (int i = 0; i < 6; ++i)
                candidate += kAlphabet[pick(random)];
            const fs::path path = folder / candidate;
            fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd_ >= 0) {
                path_ = path;
                return 0;
            }
            error = errno;
        }
        return error;
    }

    int fd() const { return fd_; }
    const fs::path &path() const { return path_; }

    /// Closes the descriptor; returns errno on failure. EINTR is not an error:
    /// Linux has released the descriptor by then and retrying is wrong.
    int close()
    {
        const int result = ::close(fd_);
        fd_ = -1;
        return result != 0 && errno != EINTR ? errno : 0;
    }

    /// After a successful rename there is nothing left to remove.
    void committed() { path_.clear(); }

private:
    int fd_ = -1;
    fs::path path_;
};

/// Writes all bytes, across short writes and signals; returns errno.
int writeAll(int fd, std::span<const std::byte> bytes)
{
    while (!bytes.empty()) {
        // Linux transfers at most about 2 GiB per call.
        const std::size_t chunk = std::min<std::size_t>(bytes.size(), std::size_t{1} << 30);
        const ssize_t written = ::write(fd, bytes.data(), chunk);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (written == 0)
            return ENOSPC;
        bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
    return 0;
}

int syncFile(int fd)
{
    while (::fsync(fd) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

} // namespace

void writeFileAtomically(const std::filesystem::path &path, std::span<const std::byte> bytes)
{
    const auto failure = [&path](const std::string &reason) {
        return FileError("cannot save " + quoted(path) + ": " + reason);
    };
    if (path.empty() || !path.has_filename())
        throw failure("not a file name");

    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (const std::string problem = folderProblem(folder); !problem.empty())
        throw failure(problem);

    // What is at path now decides what may replace it. A symbolic link to a
    // regular file is written through: the file it points to is replaced and
    // the link stays, as an editor would do.
    fs::path target = path;
    bool replacing = false;
    mode_t mode = 0;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            if (::stat(path.c_str(), &st) != 0) {
                const int error = errno;
                throw failure(error == ENOENT ? "it is a symbolic link to a missing file"
                                              : "symbolic link: " + errnoText(error));
            }
            if (!S_ISREG(st.st_mode))
                throw failure(std::string("it is a symbolic link to ") + fileKind(st.st_mode));
            std::error_code ec;
            target = fs::canonical(path, ec);
            if (ec)
                throw failure("symbolic link: " + ec.message());
        }
        if (!S_ISREG(st.st_mode))
            throw failure(std::string("it is ") + fileKind(st.st_mode));
        // A file the user may not write stays as it is, even though the
        // folder would allow replacing it.
        if (::access(target.c_str(), W_OK) != 0)
            throw failure(errnoText(errno));
        replacing = true;
        mode = st.st_mode & 07777;
    } else if (errno != ENOENT) {
        throw failure(errnoText(errno));
    }

    const fs::path targetFolder =
        target.parent_path().empty() ? fs::path(".") : target.parent_path();
    TemporaryFile temporary;
    if (const int error = temporary.create(targetFolder, target.filename().string()))
        throw failure("cannot create a file in folder " + quoted(targetFolder) + ": " +
                      errnoText(error));
    if (replacing && ::fchmod(temporary.fd(), mode) != 0)
        throw failure(errnoText(errno));
    if (const int error = writeAll(temporary.fd(), bytes))
        throw failure(errnoText(error));
    if (const int error = syncFile(temporary.fd()))
        throw failure(errnoText(error));
    if (const int error = temporary.close())
        throw failure(errnoText(error));
    if (::rename(temporary.path().c_str(), target.c_str()) != 0)
        throw failure(errnoText(errno));
    temporary.committed();

    // Make the rename itself durable. The new file is complete and in place
    // whatever happens here, and some file systems refuse fsync on a folder,
    // so a failure is not reported.
    const int folderFd = ::open(targetFolder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folderFd >= 0) {
        syncFile(folderFd);
        ::close(folderFd);
    }
}

std::vector<std::byte> readFile(const std::filesystem::path &path)
{
    const auto failure = [&path](const std::string &reason) {
        return FileError("cannot open " + quoted(path) + ": " + reason);
    };
    // Refuse folders and pipes before opening: opening a named pipe would
    // block until someone writes to it.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw failure(errnoText(errno));
    if (!S_ISREG(st.st_mode))
        throw failure(std::string("it is ") + fileKind(st.st_mode));

    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        throw failure(errnoText(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    if (::fstat(fd, &st) != 0)
        throw failure(errnoText(errno));
    std::vector<std::byte> bytes(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)));
    std::size_t filled = 0;
    for (;;) {
        if (filled == bytes.size()) {
            // The file may have grown since fstat: probe for more.
            std::array<std::byte, 4096> probe{};
            const ssize_t n = ::read(fd, probe.data(), probe.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw failure(errnoText(errno));
            }
            if (n == 0)
                break;
            bytes.insert(bytes.end(), probe.begin(), probe.begin() + n);
            filled = bytes.size();
            continue;
        }
        const std::size_t chunk =
            std::min<std::size_t>(bytes.size() - filled, std::size_t{1} << 30);
        const ssize_t n = ::read(fd, bytes.data() + filled, chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw failure(errnoText(errno));
        }
        if (n == 0) {
            bytes.resize(filled); // the file shrank
            break;
        }
        filled += static_cast<std::size_t>(n);
    }
    return bytes;
}

} // namespace ks
