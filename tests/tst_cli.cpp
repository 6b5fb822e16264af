// Tests for app/cli.cpp and app/cli_options.cpp: the headless command line,
// run as the real executable in a subprocess.
//
// Expected images come from the library itself (loadImage -> runPipeline ->
// saveImage), so "byte-identical to the library call" is checked literally;
// expected kernels come from OpenCV (cv::getGaussianKernel, cv::getGaborKernel).

#include "cli_runner.h"
#include "core/document.h"
#include "core/gabor_bank.h"
#include "core/image_io.h"
#include "core/kernels.h"
#include "core/parameters.h"
#include "core/preset.h"
#include "core/region_blur.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(cv::Mat)
Q_DECLARE_METATYPE(ks::DisplayMode)
Q_DECLARE_METATYPE(ks::Document)
Q_DECLARE_METATYPE(ks::FilterSpec)
Q_DECLARE_METATYPE(ks::GaborSpec)
Q_DECLARE_METATYPE(std::optional<ks::Document>)

namespace {

using ks::test::kernelscope;

const cv::Size kImageSize(64, 48);

cv::Mat randomImage(cv::Size size, int type, std::uint64_t seed)
{
    cv::Mat image(size, type);
    cv::RNG rng(seed);
    rng.fill(image, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
    return image;
}

std::string path(const QString &folder, const QString &name)
{
    return QDir(folder).filePath(name).toStdString();
}

QByteArray fileBytes(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeBytes(const QString &file, const QByteArray &bytes)
{
    QFile f(file);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QSet<QString> filesIn(const QString &folder)
{
    const QStringList names = QDir(folder).entryList(QDir::Files);
    return QSet<QString>(names.begin(), names.end());
}

/// The maximum absolute difference, or infinity if the sizes or types differ.
double maxDifference(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return std::numeric_limits<double>::infinity();
    return cv::norm(a, b, cv::NORM_INF);
}

/// A CSV file of kernel values: blocks of rows separated by empty lines.
std::vector<cv::Mat> parseCsv(const QByteArray &text)
{
    std::vector<cv::Mat> kernels;
    std::vector<std::vector<double>> rows;
    const auto finish = [&] {
        if (rows.empty())
            return;
        cv::Mat k(static_cast<int>(rows.size()), static_cast<int>(rows[0].size()), CV_64F);
        for (int r = 0; r < k.rows; ++r)
            for (int c = 0; c < k.cols && c < static_cast<int>(rows[r].size()); ++c)
                k.at<double>(r, c) = rows[r][c];
        kernels.push_back(k);
        rows.clear();
    };
    for (const QByteArray &line : text.split('\n')) {
        if (line.trimmed().isEmpty()) {
            finish();
            continue;
        }
        std::vector<double> row;
        for (const QByteArray &field : line.split(','))
            row.push_back(field.trimmed().toDouble());
        rows.push_back(row);
    }
    finish();
    return kernels;
}

ks::GaborSpec gaborPresetSpec()
{
    ks::GaborSpec gabor;
    gabor.ksize = 9;
    gabor.sigma = 2;
    gabor.theta_deg = 30;
    gabor.lambda = 6;
    gabor.gamma = 0.5;
    gabor.psi_deg = 0;
    return gabor;
}

/// gaborPreset's filter with a bank of 3 orientations at 2 scales (9 * 1.5 ->
/// 15 taps).
ks::BankSpec presetBank()
{
    return ks::BankSpec{3, 2, 1.5, ks::BankCombine::Max};
}

/// A preset with a filter, display and a region: every part of the document.
ks::Document gaborPreset()
{
    ks::Document document;
    document.filter = gaborPresetSpec();
    document.display = {ks::DisplayMode::Offset, 0};
    ks::Region region;
    region.rect = cv::Rect(4, 6, 20, 12);
    region.method = ks::RegionMethod::Gaussian;
    region.strength = 3;
    region.feather = 2;
    document.regions.push_back(region);
    return document;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void usageErrorsExitTwoWithOneLine_data();
    void usageErrorsExitTwoWithOneLine();
    void missingInputFailsAndOthersAreWritten();
    void helpListsEveryOptionAndDescriptor_data();
    void helpListsEveryOptionAndDescriptor();
    void versionPrintsTheVersion_data();
    void versionPrintsTheVersion();
    void outputIsTheLibraryOutput_data();
    void outputIsTheLibraryOutput();
    void shardsPartitionTheSortedInputs_data();
    void shardsPartitionTheSortedInputs();
    void outDirNamesFormatsAndDepths_data();
    void outDirNamesFormatsAndDepths();
    void rawFloatTiffIsTheResponse();
    void jobsDoNotChangeTheBytes();
    void existingFilesAndInputsAreProtected_data();
    void existingFilesAndInputsAreProtected();
    void kernelCsvMatchesOpenCv_data();
    void kernelCsvMatchesOpenCv();
    void kernelToStandardOutputIsTheCsvFile();
    void kernelNpyHeaderHasTheShape_data();
    void kernelNpyHeaderHasTheShape();
    void bankPresetEqualsOptions();
    void kernelBankMatchesOpenCv_data();
    void kernelBankMatchesOpenCv();

private:
    /// A new empty folder inside the test's temporary folder.
    QString freshFolder();

    QTemporaryDir m_root;
    QString m_dir; ///< holds in.png, in2.png, seven/, mixed/, presets and kernel files
    int m_folders = 0;
};

QString TestCli::freshFolder()
{
    const QString name = QStringLiteral("case%1").arg(++m_folders);
    QDir(m_dir).mkdir(name);
    return QDir(m_dir).filePath(name);
}

void TestCli::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_dir = m_root.path();
    QDir dir(m_dir);
    QVERIFY(cv::imwrite(path(m_dir, "in.png"), randomImage(kImageSize, CV_8UC3, 1)));
    QVERIFY(cv::imwrite(path(m_dir, "in2.png"), randomImage(kImageSize, CV_8UC3, 2)));
    QVERIFY(dir.mkdir("seven"));
    for (int i = 0; i < 7; ++i)
        QVERIFY(cv::imwrite(path(m_dir, QStringLiteral("seven/img%1.png").arg(i)),
                            randomImage(cv::Size(32, 24), CV_8UC3, 10 + i)));
    // Not an image: a folder input only takes the readable extensions.
    QVERIFY(writeBytes(dir.filePath("seven/notes.txt"), "not an image"));
    QVERIFY(dir.mkdir("mixed"));
    QVERIFY(cv::imwrite(path(m_dir, "mixed/a.jpg"), randomImage(kImageSize, CV_8UC3, 3)));
    QVERIFY(cv::imwrite(path(m_dir, "mixed/b.bmp"), randomImage(kImageSize, CV_8UC3, 4)));
    QVERIFY(cv::imwrite(path(m_dir, "mixed/c.png"), randomImage(kImageSize, CV_8UC1, 5)));

    QVERIFY(writeBytes(dir.filePath("bad.json"),
                       R"({"format": "kernelscope-preset", "version": 1,
                           "filter": {"type": "gabor", "sigma": -1}})"));
    QVERIFY(writeBytes(dir.filePath("ragged.csv"), "1, 2, 3\n4, 5\n"));
    QVERIFY(writeBytes(dir.filePath("laplace.csv"), "0, 1, 0\n1, -4, 1\n0, 1, 0\n"));
    ks::savePreset(path(m_dir, "gabor.json"), gaborPreset());
    ks::Document bank = gaborPreset();
    bank.bank = presetBank();
    ks::savePreset(path(m_dir, "bank.json"), bank);
}

// ---------------------------------------------------------------------------

void TestCli::usageErrorsExitTwoWithOneLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("messageParts");

    const QStringList apply{"apply", "in.png", "-o", "never.png"};
    const auto row = [](const char *name, const QStringList &arguments, const QStringList &parts) {
        QTest::newRow(name) << arguments << parts;
    };

    row("no -o or --out-dir", {"apply", "in.png"}, {"needs -o FILE or --out-dir DIR"});
    row("no input", {"apply", "-o", "never.png"}, {"needs an INPUT"});
    row("-o and --out-dir", apply + QStringList{"--out-dir", "never"}, {"cannot be used together"});
    row("--format with -o", apply + QStringList{"--format", "png"}, {"--format needs --out-dir"});
    row("-o with two inputs", {"apply", "in.png", "in2.png", "-o", "never.png"},
        {"-o needs exactly one input image, got 2"});
    row("two inputs, one output name", {"apply", "in.png", "sub/in.png", "--out-dir", "never"},
        {"'in.png'", "'sub/in.png'", "would both be written to 'never/in.png'"});

    row("unknown option", apply + QStringList{"--bogus"}, {"unknown option '--bogus'"});
    row("unknown option with a value", apply + QStringList{"--bogus=3"},
        {"unknown option '--bogus'"});
    row("option of the other subcommand", {"kernel", "--region", "1,2,3,4", "-o", "never.csv"},
        {"--region does not apply to 'kernelscope kernel'"});
    row("missing value", apply + QStringList{"--filter", "gaussian", "--sigma"},
        {"--sigma needs a value"});
    row("option given twice", apply + QStringList{"--filter=box", "--ksize=3", "--ksize", "5"},
        {"--ksize is given twice"});

    row("not a number", apply + QStringList{"--filter", "gaussian", "--sigma", "abc"},
        {"--sigma", "'abc' is not a number"});
    row("trailing characters", apply + QStringList{"--filter", "gaussian", "--ksize", "3x"},
        {"--ksize", "'3x' is not a number"});
    row("attached bad number", apply + QStringList{"--filter=gaussian", "--sigma=2,5"},
        {"--sigma", "'2,5' is not a number"});
    row("empty value", apply + QStringList{"--filter=gaussian", "--sigma="},
        {"--sigma", "'' is not a number"});
    row("out of range", apply + QStringList{"--filter", "gaussian", "--sigma", "-1"},
        {"sigma = -1", "0.1 to 100 px"});
    row("out of range, attached", apply + QStringList{"--filter=gabor", "--lambda=1"},
        {"lambda = 1", "2 to 1000 px"});
    row("even kernel size", apply + QStringList{"--filter", "box", "--ksize", "4"},
        {"ksize = 4", "odd"});
    row("bad switch value", apply + QStringList{"--filter", "box", "--normalized=maybe"},
        {"--normalized=maybe", "0, 1, true or false"});
    row("not a parameter of the filter",
        apply + QStringList{"--filter", "gaussian", "--lambda", "5"},
        {"--lambda does not apply to the gaussian filter"});
    row("not a parameter of the default filter", apply + QStringList{"--sigma", "2"},
        {"--sigma does not apply to the none filter"});
    row("not a parameter of the preset's filter",
        apply + QStringList{"--preset", "gabor.json", "--normalized"},
        {"--normalized does not apply to the gabor filter"});
    row("unknown filter", apply + QStringList{"--filter", "sobel"},
        {"--filter sobel", "unknown filter", "gabor"});
    row("unknown border", apply + QStringList{"--border", "mirror"}, {"--border mirror"});
    row("kernel file with another filter",
        apply + QStringList{"--filter", "gabor", "--kernel-file", "laplace.csv"},
        {"--kernel-file does not apply to the gabor filter"});
    row("bad kernel file", apply + QStringList{"--kernel-file", "ragged.csv"}, {"ragged.csv"});

    row("region with three numbers", apply + QStringList{"--region", "1,2,3"},
        {"--region 1,2,3", "X,Y,W,H"});
    row("region not numbers", apply + QStringList{"--region", "a,b,c,d"},
        {"--region a,b,c,d", "X,Y,W,H"});
    row("region of width 0", apply + QStringList{"--region", "1,2,0,4"},
        {"--region 1,2,0,4", "at least 1"});
    row("region with a bad sigma", apply + QStringList{"--region", "1,2,3,4:gaussian=-1"},
        {"--region 1,2,3,4:gaussian=-1", "region 1: sigma = -1", "0.1 to 200 px"});
    row("region after the preset's",
        apply + QStringList{"--preset", "gabor.json", "--region=1,2,3,4:box=4"},
        {"--region 1,2,3,4:box=4", "region 2: ksize = 4", "odd"});
    row("region with a bad feather", apply + QStringList{"--region", "1,2,3,4:feather=-2"},
        {"--region 1,2,3,4:feather=-2", "feather = -2"});
    row("region with an unknown method", apply + QStringList{"--region", "1,2,3,4:blur=3"},
        {"unknown blur method 'blur'"});

    row("shard 0/3", apply + QStringList{"--shard", "0/3"},
        {"--shard 0/3", "K must be from 1 to N (3)"});
    row("shard 4/3", apply + QStringList{"--shard", "4/3"},
        {"--shard 4/3", "K must be from 1 to N (3)"});
    row("shard x", apply + QStringList{"--shard", "x"}, {"--shard x", "expected K/N"});
    row("shard 1/0", apply + QStringList{"--shard", "1/0"},
        {"--shard 1/0", "N must be at least 1"});
    row("shard 1/3x", apply + QStringList{"--shard=1/3x"}, {"--shard 1/3x", "expected K/N"});

    row("bad preset", apply + QStringList{"--preset", "bad.json"},
        {"bad.json", "/filter/sigma", "sigma = -1"});
    row("missing preset", apply + QStringList{"--preset", "missing.json"}, {"missing.json"});

    row("32f without raw", apply + QStringList{"--depth", "32f"},
        {"--depth 32f needs --display raw"});
    row("raw with 8 bits", apply + QStringList{"--display", "raw", "--depth", "8"},
        {"--display raw", "--depth 32f"});
    row("unknown depth", apply + QStringList{"--depth", "12"}, {"--depth 12", "8, 16 or 32f"});
    row("16-bit JPEG", {"apply", "in.png", "-o", "never.jpg", "--depth", "16"},
        {".jpg cannot hold 16-bit images"});
    row("gain with clamp", apply + QStringList{"--display", "clamp", "--gain", "2"},
        {"--gain does not apply to --display clamp"});
    row("negative gain", apply + QStringList{"--display", "abs", "--gain", "-2"},
        {"--gain -2 is out of range"});
    row("jobs 0", apply + QStringList{"--jobs", "0"}, {"--jobs 0 is out of range", "1 to 1024"});
    row("quality 101", apply + QStringList{"--quality", "101"},
        {"--quality 101 is out of range", "1 to 100"});

    row("kernel without -o", {"kernel", "--filter", "gabor"}, {"kernel needs -o FILE"});
    row("kernel with an input", {"kernel", "in.png", "-o", "never.csv"},
        {"unexpected argument 'in.png'"});
    row("kernel to an unknown format", {"kernel", "--filter", "gabor", "-o", "never.txt"},
        {"-o never.txt", ".csv, .npy or .json"});
    row("bank of a gaussian", {"kernel", "--filter", "gaussian", "--bank", "4", "-o", "never.npy"},
        {"--bank does not apply to the gaussian filter"});
    row("bank of 65", {"kernel", "--filter", "gabor", "--bank", "65", "-o", "never.npy"},
        {"--bank 65 is out of range", "1 to 64"});
    row("apply bank of a box", apply + QStringList{"--filter", "box", "--bank", "4"},
        {"--bank does not apply to the box filter (only gabor)"});
    row("apply scales of the default filter", apply + QStringList{"--scales", "2"},
        {"--scales does not apply to the none filter (only gabor)"});
    row("apply bank of the preset's filter replaced",
        apply + QStringList{"--preset", "bank.json", "--filter", "gaussian", "--combine", "max"},
        {"--combine does not apply to the gaussian filter (only gabor)"});
    row("apply scales without bank", apply + QStringList{"--filter", "gabor", "--scales", "2"},
        {"--scales needs --bank N"});
    row("apply ratio without bank", apply + QStringList{"--filter", "gabor", "--ratio", "1.5"},
        {"--ratio needs --bank N"});
    row("apply combine without bank",
        apply + QStringList{"--filter", "gabor", "--combine", "energy"},
        {"--combine needs --bank N"});
    row("apply bank of 1", apply + QStringList{"--filter", "gabor", "--bank", "1"},
        {"--bank 1: orientations = 1 must be a whole number from 2 to 16"});
    row("apply bank of 17", apply + QStringList{"--filter", "gabor", "--bank", "17"},
        {"--bank 17: orientations = 17 must be a whole number from 2 to 16"});
    row("apply bank not a number", apply + QStringList{"--filter", "gabor", "--bank", "x"},
        {"--bank", "'x' is not a number"});
    row("apply scales 5", apply + QStringList{"--filter", "gabor", "--bank", "4", "--scales", "5"},
        {"scales = 5 must be a whole number from 1 to 4"});
    row("apply ratio 1", apply + QStringList{"--filter", "gabor", "--bank", "4", "--ratio", "1"},
        {"ratio = 1 is out of range: allowed 1.1 to 4"});
    row("apply ratio nan",
        apply + QStringList{"--filter", "gabor", "--bank", "4", "--ratio", "nan"},
        {"ratio = nan is not a finite number"});
    row("apply unknown combine",
        apply + QStringList{"--filter", "gabor", "--bank", "4", "--combine", "sum"},
        {"--combine sum", "max|energy"});
    row("apply largest scale beyond sigma",
        apply + QStringList{"--filter", "gabor", "--sigma", "40", "--bank", "8", "--scales", "3"},
        {"scales = 3 with ratio 2 takes the Gabor out of range at scale 3: sigma = 160"});
    row("apply preset's scales beyond sigma",
        apply + QStringList{"--preset", "bank.json", "--sigma", "80"},
        {"scales = 2 with ratio 1.5", "sigma = 120"});
    row("kernel bank of 20 with scales",
        {"kernel", "--filter", "gabor", "--bank", "20", "--scales", "2", "-o", "never.npy"},
        {"--bank 20: orientations = 20 must be a whole number from 2 to 16"});
    row("kernel scales without bank",
        {"kernel", "--filter", "gabor", "--scales", "2", "-o", "never.npy"},
        {"--scales needs --bank N"});
    row("kernel scales of a gaussian",
        {"kernel", "--filter", "gaussian", "--scales", "2", "-o", "never.npy"},
        {"--scales does not apply to the gaussian filter"});
    row("kernel ratio 4.5",
        {"kernel", "--filter", "gabor", "--bank", "4", "--ratio", "4.5", "-o", "never.npy"},
        {"ratio = 4.5 is out of range: allowed 1.1 to 4"});
    row("kernel combine", {"kernel", "--filter", "gabor", "--combine", "max", "-o", "never.npy"},
        {"--combine does not apply to 'kernelscope kernel'"});
    row("layout of a CSV", {"kernel", "--filter", "gabor", "--layout", "keras", "-o", "never.csv"},
        {"--layout does not apply to CSV output"});
    row("float32 JSON", {"kernel", "--filter", "gabor", "--float32", "-o", "never.json"},
        {"--float32 applies only to .npy output"});
    row("kernel parameter out of range",
        {"kernel", "--filter", "derivative", "--order", "3", "-o", "never.csv"},
        {"order = 3", "1 to 2"});
}

void TestCli::usageErrorsExitTwoWithOneLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, messageParts);

    const ks::test::CliRun run = kernelscope(arguments, m_dir);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith("kernelscope: "), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY(run.err.endsWith('\n'));
    for (const QString &part : messageParts)
        QVERIFY2(run.err.contains(part.toUtf8()),
                 qPrintable(QStringLiteral("'%1' not in: %2").arg(part, run.err)));
    QVERIFY(run.out.isEmpty());
    const QStringList leftovers =
        QDir(m_dir).entryList({"never*"}, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(' ')));
}

void TestCli::missingInputFailsAndOthersAreWritten()
{
    const QString out = freshFolder();
    const ks::test::CliRun run =
        kernelscope({"apply", "in.png", "missing.png", "in2.png", "--out-dir", out, "--filter",
                     "gaussian", "--jobs", "2"},
                    m_dir);
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY2(run.err.startsWith("kernelscope: ") && run.err.contains("'missing.png'"),
             run.err.constData());
    QCOMPARE(filesIn(out), (QSet<QString>{"in.png", "in2.png"}));
    for (const QString name : {"in.png", "in2.png"}) {
        const cv::Mat written = cv::imread(path(out, name), cv::IMREAD_UNCHANGED);
        ks::Document document;
        document.filter = ks::GaussianSpec{};
        const cv::Mat expected =
            ks::runPipeline(ks::loadImage(path(m_dir, name)), document, CV_8U).output;
        QCOMPARE(maxDifference(written, expected), 0.0);
    }
}

// ---------------------------------------------------------------------------

void TestCli::helpListsEveryOptionAndDescriptor_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QStringList>("absent");
    QTest::newRow("apply") << "apply"
                           << QStringList{"-o FILE",
                                          "--out-dir DIR",
                                          "--format EXT",
                                          "--depth 8|16|32f",
                                          "--quality Q",
                                          "--overwrite",
                                          "--force",
                                          "--preset FILE",
                                          "--filter none|gabor|gaussian|box|derivative|custom",
                                          "--kernel-file FILE",
                                          "--border reflect101|reflect|replicate|constant|wrap",
                                          "--gray",
                                          "--region X,Y,W,H",
                                          "--display clamp|abs|offset|normalize|raw",
                                          "--gain G",
                                          "--jobs N",
                                          "--shard K/N",
                                          "--bank N",
                                          "--scales N",
                                          "--ratio X",
                                          "--combine max|energy",
                                          "--help",
                                          "--version"}
                           << QStringList{"--layout", "--float32"};
    QTest::newRow("kernel") << "kernel" << QStringList{"-o FILE",
                                                       "--bank N",
                                                       "--scales N",
                                                       "--ratio X",
                                                       "--layout plain|keras",
                                                       "--float32",
                                                       "--preset FILE",
                                                       "--filter",
                                                       "--kernel-file FILE",
                                                       "--help",
                                                       "--version"}
                            << QStringList{"--region", "--out-dir", "--shard", "--display",
                                           "--combine"};
}

void TestCli::helpListsEveryOptionAndDescriptor()
{
    QFETCH(QString, command);
    QFETCH(QStringList, options);
    QFETCH(QStringList, absent);

    const ks::test::CliRun run = kernelscope({command, "--help"}, m_dir);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.err.isEmpty());
    const QString help = QString::fromUtf8(run.out);
    QVERIFY(help.startsWith("Usage: kernelscope " + command));
    for (const QString &option : options)
        QVERIFY2(help.contains("  " + option), qPrintable(option));
    for (const QString &option : absent)
        QVERIFY2(!help.contains("  " + option), qPrintable(option));

    // Each filter's block lists each of its parameters: option, range,
    // default and help sentence, all from the descriptor table.
    const auto rangeOf = [](const ks::ParamDescriptor &d) {
        const QString unit = d.unit.empty() ? QString() : " " + QString::fromStdString(d.unit);
        if (d.type == ks::ParamType::Boolean)
            return QStringLiteral("0 or 1");
        const double min = d.type == ks::ParamType::OddInteger ? std::max(1.0, d.min) : d.min;
        return QString::number(min) + " to " + QString::number(d.max) + unit;
    };
    const auto checkBlock = [&](const QString &heading, std::span<const ks::ParamDescriptor> list,
                                const std::function<QString(const ks::ParamDescriptor &)> &left) {
        const qsizetype start = help.indexOf(heading);
        QVERIFY2(start >= 0, qPrintable(heading));
        const QString block = help.mid(start, help.indexOf("\n\n", start) - start);
        for (const ks::ParamDescriptor &d : list) {
            const QString key = left(d);
            const qsizetype at = block.indexOf("  " + key);
            QVERIFY2(at >= 0, qPrintable(heading + " " + key));
            // The entry runs to the next one; its help sentence may be wrapped.
            static const QRegularExpression nextEntry(QStringLiteral("\n  \\S"));
            const QString entry = block.mid(at, block.indexOf(nextEntry, at + 1) - at).simplified();
            QVERIFY2(entry.contains(rangeOf(d)), qPrintable(entry));
            QVERIFY2(entry.contains("default " + QString::number(d.defaultValue)),
                     qPrintable(entry));
            QVERIFY2(entry.contains(QString::fromStdString(d.help)), qPrintable(entry));
        }
    };
    for (ks::FilterKind kind : ks::kAllFilterKinds) {
        const auto descriptors = ks::parameterDescriptors(kind);
        if (descriptors.empty())
            continue;
        checkBlock(QStringLiteral("(--filter %1):").arg(QString::fromUtf8(ks::filterName(kind))),
                   descriptors, [](const ks::ParamDescriptor &d) {
                       return "--" + QString::fromStdString(d.key);
                   });
        if (QTest::currentTestFailed())
            return;
    }
    // The bank's options from its descriptors; kernel's --bank has its own
    // range (1 to 64 orientations with one scale).
    const auto bank = ks::bankParameterDescriptors();
    checkBlock("Gabor bank (--filter gabor):", command == "apply" ? bank : bank.subspan(1),
               [](const ks::ParamDescriptor &d) {
                   return d.key == "orientations" ? QStringLiteral("--bank")
                                                  : "--" + QString::fromStdString(d.key);
               });
    if (QTest::currentTestFailed())
        return;
    if (command != "apply") {
        QVERIFY(!help.contains("Regions"));
        return;
    }
    for (ks::RegionMethod method :
         {ks::RegionMethod::Gaussian, ks::RegionMethod::Pixelate, ks::RegionMethod::Box}) {
        const QString name = QString::fromUtf8(ks::regionMethodName(method));
        checkBlock("\nRegions (", ks::regionParameterDescriptors(method),
                   [&](const ks::ParamDescriptor &d) {
                       const QString key = QString::fromStdString(d.key);
                       return (key == "feather" ? key : name) + "=" + key.toUpper();
                   });
        if (QTest::currentTestFailed())
            return;
    }
}

void TestCli::versionPrintsTheVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("apply") << QStringList{"apply", "--version"};
    QTest::newRow("kernel") << QStringList{"kernel", "--version"};
    QTest::newRow("after other options")
        << QStringList{"apply", "in.png", "--sigma", "2", "--version"};
    QTest::newRow("no subcommand") << QStringList{"--version"};
}

void TestCli::versionPrintsTheVersion()
{
    QFETCH(QStringList, arguments);
    const ks::test::CliRun run = kernelscope(arguments, m_dir);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.err.isEmpty());
    const QRegularExpression version(QStringLiteral("^kernelscope \\d+\\.\\d+\\.\\d+\\n$"));
    QVERIFY2(version.match(QString::fromUtf8(run.out)).hasMatch(), run.out.constData());
}

// ---------------------------------------------------------------------------

void TestCli::outputIsTheLibraryOutput_data()
{
    QTest::addColumn<std::optional<ks::Document>>("preset");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<ks::Document>("expected");
    QTest::addColumn<int>("depth");
    QTest::addColumn<QString>("output");
    QTest::addColumn<int>("quality");

    const ks::Document preset = gaborPreset();
    QTest::newRow("preset") << std::optional(preset) << QStringList{} << preset << int(CV_8U)
                            << "out.png" << 95;
    {
        ks::Document tweaked = preset;
        auto &gabor = std::get<ks::GaborSpec>(tweaked.filter);
        gabor.sigma = 2.5;
        gabor.theta_deg = 45;
        gabor.psi_deg = 90;
        tweaked.options.color = ks::ColorMode::Gray;
        tweaked.options.border = ks::BorderMode::Wrap;
        tweaked.display.gain = 3;
        QTest::newRow("preset tweaked by options")
            << std::optional(preset)
            << QStringList{"--sigma", "2.5",      "--theta=45", "--psi",  "90",
                           "--gray",  "--border", "wrap",       "--gain", "3"}
            << tweaked << int(CV_8U) << "out.png" << 95;
    }
    {
        ks::Document replaced = preset;
        replaced.filter = ks::GaussianSpec{5, 2.0};
        QTest::newRow("preset's filter replaced")
            << std::optional(preset) << QStringList{"--filter", "gaussian", "--ksize", "5"}
            << replaced << int(CV_8U) << "out.png" << 95;
    }
    {
        ks::Document appended = preset;
        ks::Region region;
        region.rect = cv::Rect(30, 20, 25, 14);
        region.method = ks::RegionMethod::Pixelate;
        region.strength = 4;
        region.feather = 3;
        appended.regions.push_back(region);
        ks::Region box;
        box.rect = cv::Rect(-5, 40, 20, 20);
        box.method = ks::RegionMethod::Box;
        box.strength = 31; // the descriptor default
        appended.regions.push_back(box);
        appended.display.mode = ks::DisplayMode::Abs;
        QTest::newRow("regions appended, 16-bit") << std::optional(preset)
                                                  << QStringList{"--region",
                                                                 "30,20,25,14:pixelate=4:feather=3",
                                                                 "--region=-5,40,20,20:box",
                                                                 "--display",
                                                                 "abs",
                                                                 "--depth",
                                                                 "16"}
                                                  << appended << int(CV_16U) << "out.png" << 95;
    }
    {
        ks::Document gaussian;
        gaussian.filter = ks::GaussianSpec{0, 1.5};
        gaussian.display.mode = ks::DisplayMode::Clamp; // defaultDisplayMode: smoothing
        ks::Region region;
        region.rect = cv::Rect(10, 10, 8, 8); // gaussian with its default sigma
        gaussian.regions.push_back(region);
        QTest::newRow("no preset, smoothing")
            << std::optional<ks::Document>()
            << QStringList{"--filter", "gaussian", "--sigma", "1.5", "--region", "10,10,8,8"}
            << gaussian << int(CV_8U) << "out.tif" << 95;
    }
    {
        ks::Document box;
        box.filter = ks::BoxSpec{7, false};
        box.display.mode = ks::DisplayMode::Normalize;
        QTest::newRow("switch off, normalize mapping")
            << std::optional<ks::Document>()
            << QStringList{"--filter",           "box",       "--ksize",  "7",
                           "--normalized=false", "--display", "normalize"}
            << box << int(CV_8U) << "out.bmp" << 95;
    }
    {
        ks::Document derivative;
        ks::DerivativeSpec spec;
        spec.order = 2;
        spec.angle_deg = 120;
        derivative.filter = spec;
        derivative.display.mode = ks::DisplayMode::Offset; // defaultDisplayMode: not smoothing
        QTest::newRow("derivative, JPEG quality")
            << std::optional<ks::Document>()
            << QStringList{"--filter", "derivative", "--order",   "2",
                           "--angle",  "120",        "--quality", "80"}
            << derivative << int(CV_8U) << "out.jpg" << 80;
    }
    {
        ks::Document bank;
        bank.filter = ks::GaborSpec{9, 2.0, 20, 6, 0.5, 0};
        bank.bank = ks::BankSpec{4, 2, 1.5, ks::BankCombine::Energy};
        bank.display.mode = ks::DisplayMode::Abs;
        QTest::newRow("gabor bank by options")
            << std::optional<ks::Document>()
            << QStringList{"--filter", "gabor",     "--ksize",  "9",         "--sigma",
                           "2",        "--theta",   "20",       "--lambda",  "6",
                           "--bank",   "4",         "--scales", "2",         "--ratio",
                           "1.5",      "--combine", "energy",   "--display", "abs"}
            << bank << int(CV_8U) << "out.png" << 95;
        ks::Document defaults = bank;
        defaults.bank = ks::BankSpec{};
        defaults.display.mode = ks::DisplayMode::Offset; // defaultDisplayMode: not smoothing
        QTest::newRow("gabor bank, defaults but orientations")
            << std::optional<ks::Document>()
            << QStringList{"--filter", "gabor", "--ksize",  "9", "--sigma", "2",
                           "--theta",  "20",    "--lambda", "6", "--bank=8"}
            << defaults << int(CV_8U) << "out.png" << 95;
    }
    {
        ks::Document bank = preset;
        bank.bank = presetBank();
        QTest::newRow("preset with a bank")
            << std::optional(bank) << QStringList{} << bank << int(CV_8U) << "out.png" << 95;
        ks::Document tweaked = bank;
        tweaked.bank->scales = 3;
        tweaked.bank->combine = ks::BankCombine::Energy;
        QTest::newRow("preset's bank tweaked, 16-bit")
            << std::optional(bank)
            << QStringList{"--scales", "3", "--combine", "energy", "--depth", "16"} << tweaked
            << int(CV_16U) << "out.png" << 95;
        ks::Document replaced = bank;
        replaced.filter = ks::BoxSpec{3, true};
        replaced.bank.reset();
        QTest::newRow("preset's bank dropped with its filter")
            << std::optional(bank) << QStringList{"--filter", "box", "--ksize", "3"} << replaced
            << int(CV_8U) << "out.png" << 95;
    }
    {
        ks::Document custom;
        custom.filter = ks::CustomSpec{3, 3, {0, 1, 0, 1, -4, 1, 0, 1, 0}, false};
        custom.display.mode = ks::DisplayMode::Offset;
        QTest::newRow("custom kernel file")
            << std::optional<ks::Document>() << QStringList{"--kernel-file", "../laplace.csv"}
            << custom << int(CV_8U) << "out.png" << 95;
    }
}

void TestCli::outputIsTheLibraryOutput()
{
    QFETCH(std::optional<ks::Document>, preset);
    QFETCH(QStringList, options);
    QFETCH(ks::Document, expected);
    QFETCH(int, depth);
    QFETCH(QString, output);
    QFETCH(int, quality);

    const QString folder = freshFolder();
    QStringList arguments{"apply", "../in.png", "-o", output};
    if (preset) {
        ks::savePreset(path(folder, "p.json"), *preset);
        arguments << "--preset"
                  << "p.json";
    }
    const ks::test::CliRun run = kernelscope(arguments + options, folder);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.isEmpty(), run.err.constData());

    const ks::PipelineOutput library =
        ks::runPipeline(ks::loadImage(path(m_dir, "in.png")), expected, depth);
    if (!output.endsWith(".jpg")) {
        const cv::Mat decoded = cv::imread(path(folder, output), cv::IMREAD_UNCHANGED);
        QCOMPARE(decoded.depth(), depth);
        QCOMPARE(maxDifference(decoded, library.output), 0.0);
    }
    const QString reference = "reference" + output.mid(output.indexOf('.'));
    ks::SaveOptions saveOptions;
    saveOptions.jpegQuality = quality;
    ks::saveImage(path(folder, reference), library.output, saveOptions);
    const QByteArray bytes = fileBytes(QDir(folder).filePath(output));
    QVERIFY(!bytes.isEmpty());
    QVERIFY(bytes == fileBytes(QDir(folder).filePath(reference)));
}

// ---------------------------------------------------------------------------

void TestCli::shardsPartitionTheSortedInputs_data()
{
    QTest::addColumn<int>("count");
    QTest::newRow("1 shard") << 1;
    QTest::newRow("3 shards") << 3;
    QTest::newRow("10 shards, 3 of them empty") << 10;
}

void TestCli::shardsPartitionTheSortedInputs()
{
    QFETCH(int, count);
    const QString out = freshFolder();
    QSet<QString> all;
    for (int index = 1; index <= count; ++index) {
        const QSet<QString> before = filesIn(out);
        const ks::test::CliRun run =
            kernelscope({"apply", "seven", "--out-dir", out, "--filter", "box", "--shard",
                         QStringLiteral("%1/%2").arg(index).arg(count)},
                        m_dir);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        QSet<QString> expected;
        for (int i = 0; i < 7; ++i) // img0.png ... img6.png, sorted
            if (i % count + 1 == index)
                expected.insert(QStringLiteral("img%1.png").arg(i));
        QCOMPARE(filesIn(out) - before, expected);
        QVERIFY(!all.intersects(expected));
        all += expected;
    }
    QCOMPARE(all.size(), 7);
    QCOMPARE(filesIn(out), all);
}

void TestCli::outDirNamesFormatsAndDepths_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<int>("depth");
    QTest::addColumn<ks::DisplayMode>("display");

    QTest::newRow("--format png") << QStringList{"--format", "png"}
                                  << QStringList{"a.png", "b.png", "c.png"} << int(CV_8U)
                                  << ks::DisplayMode::Clamp;
    QTest::newRow("--format .PNG, 16-bit")
        << QStringList{"--format", ".PNG", "--depth", "16"}
        << QStringList{"a.png", "b.png", "c.png"} << int(CV_16U) << ks::DisplayMode::Clamp;
    QTest::newRow("inputs' own formats") << QStringList{} << QStringList{"a.jpg", "b.bmp", "c.png"}
                                         << int(CV_8U) << ks::DisplayMode::Clamp;
    QTest::newRow("float TIFF") << QStringList{"--format=tif", "--display", "raw"}
                                << QStringList{"a.tif", "b.tif", "c.tif"} << int(CV_32F)
                                << ks::DisplayMode::Raw;
}

void TestCli::outDirNamesFormatsAndDepths()
{
    QFETCH(QStringList, options);
    QFETCH(QStringList, names);
    QFETCH(int, depth);
    QFETCH(ks::DisplayMode, display);

    const QString out = freshFolder();
    const ks::test::CliRun run = kernelscope(
        QStringList{"apply", "mixed", "--out-dir", out, "--filter", "gaussian", "--sigma", "1"} +
            options,
        m_dir);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.isEmpty(), run.err.constData());
    QCOMPARE(filesIn(out), QSet<QString>(names.begin(), names.end()));

    ks::Document document;
    document.filter = ks::GaussianSpec{0, 1.0};
    document.display.mode = display;
    const QStringList inputs{"a.jpg", "b.bmp", "c.png"};
    for (qsizetype i = 0; i < names.size(); ++i) {
        const cv::Mat written = cv::imread(path(out, names[i]), cv::IMREAD_UNCHANGED);
        QCOMPARE(written.depth(), depth);
        const cv::Mat expected =
            ks::runPipeline(ks::loadImage(path(m_dir, "mixed/" + inputs[i])), document, depth)
                .output;
        if (!names[i].endsWith(".jpg"))
            QCOMPARE(maxDifference(written, expected), 0.0);
        const QString reference = "reference-" + names[i];
        ks::saveImage(path(m_dir, reference), expected);
        QVERIFY(fileBytes(QDir(out).filePath(names[i])) ==
                fileBytes(QDir(m_dir).filePath(reference)));
        QFile::remove(QDir(m_dir).filePath(reference));
    }
}

void TestCli::rawFloatTiffIsTheResponse()
{
    const QString out = freshFolder();
    const ks::test::CliRun run =
        kernelscope({"apply", "../in.png", "-o", "raw.tiff", "--filter", "gabor", "--ksize", "9",
                     "--psi", "90", "--display", "raw", "--depth", "32f"},
                    out);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const cv::Mat written = cv::imread(path(out, "raw.tiff"), cv::IMREAD_UNCHANGED);
    QCOMPARE(written.type(), CV_32FC3);

    ks::Document document;
    ks::GaborSpec gabor;
    gabor.ksize = 9;
    gabor.psi_deg = 90;
    document.filter = gabor;
    document.display.mode = ks::DisplayMode::Raw;
    const ks::PipelineOutput library =
        ks::runPipeline(ks::loadImage(path(m_dir, "in.png")), document, CV_8U);
    QCOMPARE(maxDifference(written, library.response.values), 0.0);
    // Not clipped to an image range: an odd Gabor kernel responds with both signs.
    double min = 0, max = 0;
    cv::minMaxLoc(written.reshape(1), &min, &max);
    QVERIFY(min < 0 && max > 0);
}

void TestCli::jobsDoNotChangeTheBytes()
{
    const QString one = freshFolder();
    const QString four = freshFolder();
    const QStringList common{"apply", "seven", "--filter", "gabor", "--display", "abs"};
    QCOMPARE(kernelscope(common + QStringList{"--out-dir", one, "--jobs", "1"}, m_dir).exitCode, 0);
    QCOMPARE(kernelscope(common + QStringList{"--out-dir", four, "--jobs=4"}, m_dir).exitCode, 0);
    QCOMPARE(filesIn(one).size(), 7);
    QCOMPARE(filesIn(four), filesIn(one));
    for (const QString &name : filesIn(one))
        QVERIFY2(fileBytes(QDir(one).filePath(name)) == fileBytes(QDir(four).filePath(name)),
                 qPrintable(name));
}

void TestCli::existingFilesAndInputsAreProtected_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message"); ///< empty: no message expected
    QTest::addColumn<bool>("replaced");

    QTest::newRow("existing output refused")
        << QStringList{"apply", "src.png", "-o", "old.png"} << "old.png" << 1
        << "'old.png' exists; use --overwrite" << false;
    QTest::newRow("--overwrite replaces it")
        << QStringList{"apply", "src.png", "-o", "old.png", "--overwrite"} << "old.png" << 0 << ""
        << true;
    QTest::newRow("input refused")
        << QStringList{"apply", "src.png", "-o", "src.png", "--overwrite"} << "src.png" << 1
        << "src.png" << false;
    QTest::newRow("input refused without --overwrite")
        << QStringList{"apply", "src.png", "-o", "src.png", "--force"} << "src.png" << 1
        << "exists; use --overwrite" << false;
    QTest::newRow("input in --out-dir refused")
        << QStringList{"apply", "src.png", "--out-dir", ".", "--overwrite"} << "src.png" << 1
        << "src.png" << false;
    QTest::newRow("--force writes over the input")
        << QStringList{"apply", "src.png", "-o", "src.png", "--overwrite", "--force"} << "src.png"
        << 0 << "" << true;
}

void TestCli::existingFilesAndInputsAreProtected()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, target);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QFETCH(bool, replaced);

    const QString folder = freshFolder();
    QVERIFY(QFile::copy(QDir(m_dir).filePath("in.png"), QDir(folder).filePath("src.png")));
    QVERIFY(writeBytes(QDir(folder).filePath("old.png"), "old contents"));
    const QByteArray before = fileBytes(QDir(folder).filePath(target));

    const ks::test::CliRun run = kernelscope(arguments + QStringList{"--filter", "gabor"}, folder);
    QCOMPARE(run.exitCode, exitCode);
    if (message.isEmpty()) {
        QVERIFY2(run.err.isEmpty(), run.err.constData());
    } else {
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY2(run.err.startsWith("kernelscope: ") && run.err.contains(message.toUtf8()),
                 run.err.constData());
    }
    const QByteArray after = fileBytes(QDir(folder).filePath(target));
    QCOMPARE(after != before, replaced);
    if (replaced)
        QVERIFY(!cv::imread(path(folder, target)).empty());
    QCOMPARE(filesIn(folder), (QSet<QString>{"src.png", "old.png"})); // no temporary files left
}

// ---------------------------------------------------------------------------

void TestCli::kernelCsvMatchesOpenCv_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<cv::Mat>("openCv");
    QTest::addColumn<double>("tolerance");

    // The engine's Gaussian is computed in double precision, OpenCV's with
    // soft floats: they agree to a few units in the last place.
    const auto gaussian = [](int ksize, double sigma) {
        const cv::Mat g = cv::getGaussianKernel(ksize, sigma, CV_64F);
        return cv::Mat(g * g.t());
    };
    QTest::newRow("gaussian 5, sigma 1")
        << QStringList{"--filter", "gaussian", "--ksize", "5", "--sigma", "1"}
        << ks::FilterSpec(ks::GaussianSpec{5, 1.0}) << gaussian(5, 1) << 1e-15;
    QTest::newRow("gaussian 7, sigma 1.5")
        << QStringList{"--filter=gaussian", "--ksize=7", "--sigma=1.5"}
        << ks::FilterSpec(ks::GaussianSpec{7, 1.5}) << gaussian(7, 1.5) << 1e-15;
    // The preset's Gabor with one parameter changed; angles in degrees.
    ks::GaborSpec g = gaborPresetSpec();
    g.theta_deg = 60;
    constexpr double degree = std::numbers::pi / 180;
    QTest::newRow("preset's gabor, theta changed")
        << QStringList{"--preset", "gabor.json", "--theta", "60"} << ks::FilterSpec(g)
        << cv::getGaborKernel(cv::Size(g.ksize, g.ksize), g.sigma, g.theta_deg * degree, g.lambda,
                              g.gamma, g.psi_deg * degree, CV_64F)
        << 1e-12;
    QTest::newRow("no filter") << QStringList{} << ks::FilterSpec(ks::IdentitySpec{})
                               << cv::Mat(cv::Mat::ones(1, 1, CV_64F)) << 0.0;
}

void TestCli::kernelCsvMatchesOpenCv()
{
    QFETCH(QStringList, options);
    QFETCH(ks::FilterSpec, spec);
    QFETCH(cv::Mat, openCv);
    QFETCH(double, tolerance);

    const QString folder = freshFolder();
    const ks::test::CliRun run =
        kernelscope(QStringList{"kernel", "-o", QDir(folder).filePath("k.csv")} + options, m_dir);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.err.isEmpty() && run.out.isEmpty());
    const std::vector<cv::Mat> kernels = parseCsv(fileBytes(QDir(folder).filePath("k.csv")));
    QCOMPARE(kernels.size(), std::size_t{1});
    // Exactly the library's kernel (the CSV round-trips doubles) ...
    QCOMPARE(maxDifference(kernels[0], ks::makeKernel(spec)), 0.0);
    // ... which is OpenCV's.
    QVERIFY2(maxDifference(kernels[0], openCv) <= tolerance,
             qPrintable(QString::number(maxDifference(kernels[0], openCv))));
}

void TestCli::kernelToStandardOutputIsTheCsvFile()
{
    const QString folder = freshFolder();
    const QStringList options{"--filter", "gabor", "--ksize", "7", "--bank", "3"};
    const ks::test::CliRun toFile =
        kernelscope(QStringList{"kernel", "-o", "k.csv"} + options, folder);
    QCOMPARE(toFile.exitCode, 0);
    const ks::test::CliRun toStdout =
        kernelscope(QStringList{"kernel", "-o", "-"} + options, folder);
    QCOMPARE(toStdout.exitCode, 0);
    QVERIFY(toStdout.err.isEmpty());
    QCOMPARE(filesIn(folder), QSet<QString>{"k.csv"});
    QCOMPARE(toStdout.out, fileBytes(QDir(folder).filePath("k.csv")));
    const std::vector<cv::Mat> kernels = parseCsv(toStdout.out);
    QCOMPARE(kernels.size(), std::size_t{3});
    for (const cv::Mat &k : kernels)
        QCOMPARE(k.size(), cv::Size(7, 7));
}

void TestCli::kernelNpyHeaderHasTheShape_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("shape");
    QTest::addColumn<QString>("descr");
    QTest::addColumn<int>("values");

    QTest::newRow("bank of 4, keras")
        << QStringList{"--bank", "4", "--layout", "keras"} << "(31, 31, 1, 4)"
        << "<f8" << 31 * 31 * 4;
    QTest::newRow("bank of 4, plain") << QStringList{"--bank", "4"} << "(4, 31, 31)"
                                      << "<f8" << 31 * 31 * 4;
    // 31 * 2 = 62 -> 63 taps for 4 orientations x 2 scales.
    QTest::newRow("bank of 4 x 2, keras")
        << QStringList{"--bank", "4", "--scales", "2", "--layout", "keras"} << "(63, 63, 1, 8)"
        << "<f8" << 63 * 63 * 8;
    // 31 * 1.5^2 = 69.75 -> 71 taps.
    QTest::newRow("bank of 3 x 3, ratio 1.5, plain, float32")
        << QStringList{"--bank=3", "--scales=3", "--ratio=1.5", "--float32"} << "(9, 71, 71)"
        << "<f4" << 71 * 71 * 9;
    QTest::newRow("bank of 16 x 4, ratio 1.1, keras")
        << QStringList{"--bank", "16", "--scales", "4", "--ratio", "1.1", "--layout", "keras"}
        << "(43, 43, 1, 64)" // 31 * 1.331 = 41.26 -> 43
        << "<f8" << 43 * 43 * 64;
    QTest::newRow("one kernel, keras, float32")
        << QStringList{"--ksize", "9", "--layout=keras", "--float32"} << "(9, 9, 1, 1)"
        << "<f4" << 81;
    QTest::newRow("one kernel") << QStringList{"--ksize", "9"} << "(9, 9)"
                                << "<f8" << 81;
}

void TestCli::kernelNpyHeaderHasTheShape()
{
    QFETCH(QStringList, options);
    QFETCH(QString, shape);
    QFETCH(QString, descr);
    QFETCH(int, values);

    const QString folder = freshFolder();
    const ks::test::CliRun run =
        kernelscope(QStringList{"kernel", "--filter", "gabor", "-o", "b.npy"} + options, folder);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QByteArray bytes = fileBytes(QDir(folder).filePath("b.npy"));
    QVERIFY(bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8)));
    const int headerLength =
        static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    const QByteArray header = bytes.mid(10, headerLength);
    QVERIFY2(header.contains(("'shape': " + shape).toUtf8()), header.constData());
    QVERIFY2(header.contains(("'descr': '" + descr + "'").toUtf8()), header.constData());
    const int itemSize = descr == "<f8" ? 8 : 4;
    QCOMPARE(bytes.size(), 10 + headerLength + values * itemSize);
}

// apply --preset with a bank writes the same bytes as the same bank given
// by options.
void TestCli::bankPresetEqualsOptions()
{
    const QString folder = freshFolder();
    const ks::GaborSpec g = gaborPresetSpec();
    const ks::test::CliRun fromPreset =
        kernelscope({"apply", "../in.png", "-o", "preset.png", "--preset", "../bank.json"}, folder);
    QVERIFY2(fromPreset.exitCode == 0, fromPreset.err.constData());
    const ks::test::CliRun fromOptions =
        kernelscope({"apply",     "../in.png",
                     "-o",        "options.png",
                     "--filter",  "gabor",
                     "--ksize",   QString::number(g.ksize),
                     "--sigma",   QString::number(g.sigma),
                     "--theta",   QString::number(g.theta_deg),
                     "--lambda",  QString::number(g.lambda),
                     "--gamma",   QString::number(g.gamma),
                     "--psi",     QString::number(g.psi_deg),
                     "--bank",    "3",
                     "--scales",  "2",
                     "--ratio",   "1.5",
                     "--combine", "max",
                     "--display", "offset",
                     "--region",  "4,6,20,12:gaussian=3:feather=2"},
                    folder);
    QVERIFY2(fromOptions.exitCode == 0, fromOptions.err.constData());
    const QByteArray bytes = fileBytes(QDir(folder).filePath("preset.png"));
    QVERIFY(!bytes.isEmpty());
    QVERIFY(bytes == fileBytes(QDir(folder).filePath("options.png")));
    // And it is the bank's output, not the single filter's.
    const ks::test::CliRun single = kernelscope(
        {"apply", "../in.png", "-o", "single.png", "--preset", "../gabor.json"}, folder);
    QVERIFY2(single.exitCode == 0, single.err.constData());
    QVERIFY(bytes != fileBytes(QDir(folder).filePath("single.png")));
}

void TestCli::kernelBankMatchesOpenCv_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<ks::GaborSpec>("spec");
    QTest::addColumn<int>("orientations");
    QTest::addColumn<int>("scales");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<int>("size");
    const ks::GaborSpec g{7, 1.5, 10, 4, 0.5, 30};
    QTest::newRow("3 x 2, ratio 1.5")
        << QStringList{"--filter", "gabor", "--ksize",  "7", "--sigma", "1.5",
                       "--theta",  "10",    "--lambda", "4", "--psi",   "30",
                       "--bank",   "3",     "--scales", "2", "--ratio", "1.5"}
        << g << 3 << 2 << 1.5 << 11; // 7 * 1.5 = 10.5 -> 11
    QTest::newRow("preset's bank") << QStringList{"--preset", "../bank.json"} << gaborPresetSpec()
                                   << 3 << 2 << 1.5 << 15; // 9 * 1.5 = 13.5 -> 15
    QTest::newRow("preset's bank, one scale, 40 orientations")
        << QStringList{"--preset", "../bank.json", "--scales", "1", "--bank", "40"}
        << gaborPresetSpec() << 40 << 1 << 1.5 << 9;
}

// The kernels in bankSpecs order: scale-major, orientation i of scale s at
// index s * N + i, each cv::getGaborKernel's (angles in radians).
void TestCli::kernelBankMatchesOpenCv()
{
    QFETCH(QStringList, options);
    QFETCH(ks::GaborSpec, spec);
    QFETCH(int, orientations);
    QFETCH(int, scales);
    QFETCH(double, ratio);
    QFETCH(int, size);
    const QString folder = freshFolder();
    const ks::test::CliRun run =
        kernelscope(QStringList{"kernel", "-o", "k.csv"} + options, folder);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.err.isEmpty());
    const std::vector<cv::Mat> kernels = parseCsv(fileBytes(QDir(folder).filePath("k.csv")));
    QCOMPARE(kernels.size(), static_cast<std::size_t>(orientations * scales));
    constexpr double degree = std::numbers::pi / 180;
    for (int s = 0; s < scales; ++s) {
        for (int i = 0; i < orientations; ++i) {
            const double f = std::pow(ratio, s);
            const double theta = std::fmod(spec.theta_deg + i * 180.0 / orientations, 360.0);
            const cv::Mat expected =
                cv::getGaborKernel(cv::Size(size, size), spec.sigma * f, theta * degree,
                                   spec.lambda * f, spec.gamma, spec.psi_deg * degree, CV_64F);
            const double difference =
                maxDifference(kernels[static_cast<std::size_t>(s * orientations + i)], expected);
            QVERIFY2(
                difference <= 1e-12,
                qPrintable(
                    QStringLiteral("scale %1, orientation %2: %3").arg(s).arg(i).arg(difference)));
        }
    }
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
