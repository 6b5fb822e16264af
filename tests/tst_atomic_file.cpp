// Tests for ks::writeFileAtomically and ks::readFile (core/atomic_file.h).
//
// Every file is made in a fresh QTemporaryDir; after each failure the test
// lists the folder to prove that no partial or temporary file is left and
// that an existing target still holds its old bytes.

#include "core/atomic_file.h"
#include "test_fixtures.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using ks::test::entries;
using ks::test::fileErrorOf;
using ks::test::folderOf;

namespace fs = std::filesystem;

using Bytes = std::vector<std::byte>;

Bytes randomBytes(std::size_t size, unsigned seed)
{
    std::mt19937 random(seed);
    Bytes bytes(size);
    for (std::byte &b : bytes)
        b = static_cast<std::byte>(random() & 0xFF);
    return bytes;
}

Bytes textBytes(const std::string &text)
{
    Bytes bytes(text.size());
    std::transform(text.begin(), text.end(), bytes.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    return bytes;
}

/// Reads a file with the standard library, independently of ks::readFile.
Bytes contents(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return textBytes(text);
}

void writePlain(const fs::path &path, const Bytes &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

/// Lowers the soft file-size limit for its lifetime.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        rlimit limit = saved_;
        limit.rlim_cur = bytes;
        ok_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
    }
    ~FileSizeLimit() { ::setrlimit(RLIMIT_FSIZE, &saved_); }
    FileSizeLimit(const FileSizeLimit &) = delete;
    FileSizeLimit &operator=(const FileSizeLimit &) = delete;
    bool ok() const { return ok_; }

private:
    rlimit saved_{};
    bool ok_ = false;
};

enum class Obstacle {
    MissingFolder,
    ThroughFile,
    ThroughFileDeeper,
    Folder,
    SymlinkToFolder,
    DanglingSymlink,
    Fifo,
    TrailingSlash,
    ReadOnlyFile,
    ReadOnlyFolder,
};

} // namespace

Q_DECLARE_METATYPE(Obstacle)

class TestAtomicFile : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // As the applications do at start: a file-size limit must surface as
        // EFBIG from write(), not kill the process.
        std::signal(SIGXFSZ, SIG_IGN);
        ::umask(022);
    }

    void writesNewFile_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("size");
        QTest::newRow("empty") << "empty.bin" << 0;
        QTest::newRow("one byte") << "one.bin" << 1;
        QTest::newRow("4 KiB") << "page.bin" << 4096;
        QTest::newRow("1 MiB") << "large.bin" << (1 << 20);
        QTest::newRow("spaces, non-ASCII") << QStringLiteral("a b é ü 画像.bin") << 1000;
        QTest::newRow("no folder part") << "" << 10; // relative to the current folder
    }

    void writesNewFile()
    {
        QFETCH(QString, name);
        QFETCH(int, size);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Bytes bytes = randomBytes(static_cast<std::size_t>(size), 7);
        fs::path path = folderOf(dir) / name.toStdString();
        std::optional<fs::path> previousFolder;
        if (name.isEmpty()) {
            previousFolder = fs::current_path();
            fs::current_path(folderOf(dir));
            path = "relative.bin";
        }
        ks::writeFileAtomically(path, bytes);
        const Bytes written = contents(path);
        const QStringList names = entries(folderOf(dir));
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        if (previousFolder)
            fs::current_path(*previousFolder);

        QVERIFY(written == bytes);
        QCOMPARE(names, QStringList{QString::fromStdString(path.filename().string())});
        QCOMPARE(st.st_mode & 07777, mode_t{0644}); // 0666 minus the umask 022
    }

    void replacesAndKeepsPermissions_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("0600") << 0600;
        QTest::newRow("0640") << 0640;
        QTest::newRow("0755") << 0755;
    }

    void replacesAndKeepsPermissions()
    {
        QFETCH(int, mode);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / "target.bin";
        writePlain(path, textBytes("old content that is longer than the new one"));
        QCOMPARE(::chmod(path.c_str(), static_cast<mode_t>(mode)), 0);

        const Bytes bytes = textBytes("new");
        ks::writeFileAtomically(path, bytes);

        QVERIFY(contents(path) == bytes);
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 07777, static_cast<mode_t>(mode));
        QCOMPARE(entries(folderOf(dir)), QStringList{"target.bin"});
    }

    void writesThroughSymlink()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        fs::create_directory(folder / "real");
        writePlain(folder / "real" / "file.bin", textBytes("old"));
        fs::create_symlink("real/file.bin", folder / "link.bin");

        const Bytes bytes = textBytes("through the link");
        ks::writeFileAtomically(folder / "link.bin", bytes);

        QVERIFY(fs::is_symlink(folder / "link.bin"));
        QCOMPARE(fs::read_symlink(folder / "link.bin"), fs::path("real/file.bin"));
        QVERIFY(contents(folder / "real" / "file.bin") == bytes);
        QCOMPARE(entries(folder), (QStringList{"link.bin", "real"}));
        QCOMPARE(entries(folder / "real"), QStringList{"file.bin"});
    }

    void refusesAndLeavesNothing_data()
    {
        QTest::addColumn<Obstacle>("obstacle");
        QTest::addColumn<QString>("target"); // relative to the temporary folder
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing folder") << Obstacle::MissingFolder << "missing/out.bin"
                                        << "missing' does not exist";
        QTest::newRow("path through a file") << Obstacle::ThroughFile << "file.txt/out.bin"
                                             << "file.txt' is not a folder";
        QTest::newRow("deeper through a file")
            << Obstacle::ThroughFileDeeper << "file.txt/sub/out.bin"
            << "file.txt' is not a folder";
        QTest::newRow("name is a folder") << Obstacle::Folder << "sub"
                                          << "it is a folder";
        QTest::newRow("symlink to a folder") << Obstacle::SymlinkToFolder << "link"
                                             << "symbolic link to a folder";
        QTest::newRow("dangling symlink") << Obstacle::DanglingSymlink << "link"
                                          << "symbolic link to a missing file";
        QTest::newRow("named pipe") << Obstacle::Fifo << "pipe"
                                    << "it is a named pipe";
        QTest::newRow("trailing slash") << Obstacle::TrailingSlash << "sub/"
                                        << "not a file name";
        QTest::newRow("read-only file") << Obstacle::ReadOnlyFile << "file.txt"
                                        << "Permission denied";
        QTest::newRow("read-only folder") << Obstacle::ReadOnlyFolder << "sub/out.bin"
                                          << "Permission denied";
    }

    void refusesAndLeavesNothing()
    {
        QFETCH(Obstacle, obstacle);
        QFETCH(QString, target);
        QFETCH(QString, reason);
        if ((obstacle == Obstacle::ReadOnlyFile || obstacle == Obstacle::ReadOnlyFolder) &&
            ::geteuid() == 0)
            QSKIP("permissions do not stop root");

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        const Bytes fileBytes = textBytes("a regular file");
        writePlain(folder / "file.txt", fileBytes);
        fs::create_directory(folder / "sub");
        switch (obstacle) {
        case Obstacle::SymlinkToFolder:
            fs::create_directory_symlink("sub", folder / "link");
            break;
        case Obstacle::DanglingSymlink:
            fs::create_symlink("nowhere.bin", folder / "link");
            break;
        case Obstacle::Fifo:
            QCOMPARE(::mkfifo((folder / "pipe").c_str(), 0644), 0);
            break;
        case Obstacle::ReadOnlyFile:
            QCOMPARE(::chmod((folder / "file.txt").c_str(), 0444), 0);
            break;
        case Obstacle::ReadOnlyFolder:
            QCOMPARE(::chmod((folder / "sub").c_str(), 0555), 0);
            break;
        default:
            break;
        }
        const QStringList before = entries(folder);
        const fs::path path = folder / target.toStdString();

        const auto message =
            fileErrorOf([&] { ks::writeFileAtomically(path, randomBytes(10000, 1)); });

        QVERIFY(message);
        QVERIFY2(message->find('\n') == std::string::npos, message->c_str());
        QVERIFY2(message->starts_with("cannot save '" + path.string() + "': "), message->c_str());
        QVERIFY2(message->find(reason.toStdString()) != std::string::npos, message->c_str());
        QCOMPARE(entries(folder), before);
        QVERIFY(contents(folder / "file.txt") == fileBytes);
        QVERIFY(fs::is_empty(folder / "sub"));
    }

    void fileSizeLimit()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        const fs::path path = folder / "target.bin";
        const Bytes old = textBytes("the previous version");
        writePlain(path, old);

        std::optional<std::string> message;
        bool limited = false;
        {
            const FileSizeLimit limit(4096);
            limited = limit.ok();
            message = fileErrorOf([&] { ks::writeFileAtomically(path, randomBytes(1 << 20, 3)); });
        }

        QVERIFY(limited);
        QVERIFY(message);
        QCOMPARE(QString::fromStdString(*message),
                 QString::fromStdString("cannot save '" + path.string() + "': File too large"));
        QVERIFY(contents(path) == old);
        QCOMPARE(entries(folder), QStringList{"target.bin"});

        // Below the limit the same call succeeds.
        const Bytes small = randomBytes(1000, 4);
        {
            const FileSizeLimit limit(4096);
            ks::writeFileAtomically(path, small);
        }
        QVERIFY(contents(path) == small);
        QCOMPARE(entries(folder), QStringList{"target.bin"});
    }

    void concurrentWritersLeaveOneWholeVersion()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / "shared.bin";
        constexpr int kWriters = 6;
        std::vector<Bytes> versions;
        for (int i = 0; i < kWriters; ++i)
            versions.push_back(randomBytes(64 * 1024, 100 + static_cast<unsigned>(i)));

        std::vector<std::thread> writers;
        std::vector<int> failures(kWriters, 0);
        for (int i = 0; i < kWriters; ++i) {
            writers.emplace_back([&, i] {
                for (int round = 0; round < 10; ++round) {
                    try {
                        ks::writeFileAtomically(path, versions[static_cast<std::size_t>(i)]);
                    } catch (const ks::FileError &) {
                        ++failures[static_cast<std::size_t>(i)];
                    }
                }
            });
        }
        for (std::thread &writer : writers)
            writer.join();

        QCOMPARE(failures, std::vector<int>(kWriters, 0));
        QVERIFY(std::find(versions.begin(), versions.end(), contents(path)) != versions.end());
        QCOMPARE(entries(folderOf(dir)), QStringList{"shared.bin"});
    }

    void readFileReadsEverything_data()
    {
        QTest::addColumn<int>("size");
        QTest::newRow("empty") << 0;
        QTest::newRow("small") << 17;
        QTest::newRow("3 MiB") << 3 * (1 << 20);
    }

    void readFileReadsEverything()
    {
        QFETCH(int, size);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / "é ü 画像.bin";
        const Bytes bytes = randomBytes(static_cast<std::size_t>(size), 11);
        writePlain(path, bytes);
        QVERIFY(ks::readFile(path) == bytes);
    }

    void readFileRefuses_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing") << "missing"
                                 << "No such file or directory";
        QTest::newRow("missing folder") << "missing folder"
                                        << "No such file or directory";
        QTest::newRow("through a file") << "through a file"
                                        << "Not a directory";
        QTest::newRow("folder") << "folder"
                                << "it is a folder";
        QTest::newRow("named pipe") << "named pipe"
                                    << "it is a named pipe";
        QTest::newRow("permission denied") << "permission denied"
                                           << "Permission denied";
    }

    void readFileRefuses()
    {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        if (kind == "permission denied" && ::geteuid() == 0)
            QSKIP("permissions do not stop root");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        writePlain(folder / "file.txt", textBytes("text"));
        fs::path path;
        if (kind == "missing") {
            path = folder / "missing.png";
        } else if (kind == "missing folder") {
            path = folder / "missing" / "a.png";
        } else if (kind == "through a file") {
            path = folder / "file.txt" / "a.png";
        } else if (kind == "folder") {
            path = folder;
        } else if (kind == "named pipe") {
            path = folder / "pipe";
            QCOMPARE(::mkfifo(path.c_str(), 0644), 0);
        } else {
            path = folder / "file.txt";
            QCOMPARE(::chmod(path.c_str(), 0), 0);
        }

        const auto message = fileErrorOf([&] { ks::readFile(path); });

        QVERIFY(message);
        QCOMPARE(QString::fromStdString(*message),
                 QString::fromStdString("cannot open '" + path.string() + "': ") + reason);
    }
};

QTEST_APPLESS_MAIN(TestAtomicFile)

#include "tst_atomic_file.moc"
