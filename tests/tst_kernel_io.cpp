// Tests for core/kernel_io: .npy bytes against the NumPy format
// specification (headers written out literally here), layouts checked by
// index arithmetic, JSON read back with Qt's own parser, bit-exact round
// trips through every format, one-line import errors that name the file and
// the reason, .npy files from an independent writer in this file, and Gabor
// banks against cv::getGaborKernel.

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/filter_spec.h"
#include "core/kernel_io.h"
#include "core/kernels.h"
#include "core/parameters.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(ks::FilterSpec)
Q_DECLARE_METATYPE(ks::GaborSpec)
Q_DECLARE_METATYPE(ks::KernelLayout)
Q_DECLARE_METATYPE(ks::NpyType)
Q_DECLARE_METATYPE(std::vector<double>)
Q_DECLARE_METATYPE(std::vector<cv::Mat>)

namespace {

using ks::KernelLayout;
using ks::NpyType;

double radians(double degrees)
{
    return degrees * CV_PI / 180.0;
}

cv::Mat matrix(int rows, int cols, const std::vector<double> &values)
{
    cv::Mat m(rows, cols, CV_64FC1);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            m.at<double>(i, j) = values.at(static_cast<std::size_t>(i * cols + j));
    return m;
}

/// Values spread over the whole double range: random mantissas and signs
/// with exponents from 2^-1000 to 2^1000, plus the awkward cases first.
std::vector<double> wideValues(std::size_t count, unsigned seed)
{
    const std::vector<double> awkward{0.1,
                                      -0.0,
                                      1.0 / 3.0,
                                      std::numeric_limits<double>::denorm_min(),
                                      -std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::max(),
                                      -1e300,
                                      123456789.123456789};
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> mantissa(1.0, 2.0);
    std::uniform_int_distribution<int> exponent(-1000, 1000);
    std::vector<double> values;
    for (std::size_t i = 0; i < count; ++i) {
        if (i < awkward.size() && seed % 2 == 0) {
            values.push_back(awkward[i]);
        } else {
            const double sign = random() % 2 == 0 ? 1.0 : -1.0;
            values.push_back(sign * std::ldexp(mantissa(random), exponent(random)));
        }
    }
    return values;
}

bool sameBits(const std::vector<double> &a, const std::vector<double> &b)
{
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

QByteArray fileBytes(const std::filesystem::path &path)
{
    QFile file(QString::fromStdString(path.string()));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeBytes(const std::filesystem::path &path, const QByteArray &bytes)
{
    QFile file(QString::fromStdString(path.string()));
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

double doubleAt(const QByteArray &bytes, qsizetype offset)
{
    std::uint64_t bits = 0;
    for (int b = 7; b >= 0; --b) // little-endian, whatever the host
        bits = bits << 8 | static_cast<unsigned char>(bytes.at(offset + b));
    return std::bit_cast<double>(bits);
}

float floatAt(const QByteArray &bytes, qsizetype offset)
{
    std::uint32_t bits = 0;
    for (int b = 3; b >= 0; --b)
        bits = bits << 8 | static_cast<unsigned char>(bytes.at(offset + b));
    return std::bit_cast<float>(bits);
}

/// values converted to T, as little-endian bytes.
template <class T> QByteArray littleEndian(const std::vector<double> &values)
{
    QByteArray out;
    for (double v : values) {
        const T converted = static_cast<T>(v);
        unsigned char bytes[sizeof(T)];
        std::memcpy(bytes, &converted, sizeof(T));
        for (std::size_t b = 0; b < sizeof(T); ++b) {
            const std::size_t from =
                std::endian::native == std::endian::little ? b : sizeof(T) - 1 - b;
            out += static_cast<char>(bytes[from]);
        }
    }
    return out;
}

template <class T> QByteArray bigEndian(const std::vector<double> &values)
{
    const QByteArray little = littleEndian<T>(values);
    const auto size = static_cast<qsizetype>(sizeof(T));
    QByteArray out;
    for (qsizetype start = 0; start < little.size(); start += size)
        for (qsizetype b = size - 1; b >= 0; --b)
            out += little.at(start + b);
    return out;
}

/// An .npy file written from the format specification: magic, version,
/// little-endian header length (2 bytes for 1.0, 4 for 2.0), the dict padded
/// with spaces and ended by '\n' so that the data starts at a multiple of 64.
QByteArray npyFile(const QByteArray &dict, const QByteArray &data, int major = 1)
{
    const int lengthBytes = major == 1 ? 2 : 4;
    QByteArray header = dict;
    const qsizetype unpadded = 8 + lengthBytes + header.size() + 1;
    header += QByteArray((64 - unpadded % 64) % 64, ' ') + '\n';
    QByteArray out("\x93NUMPY", 6);
    out += static_cast<char>(major);
    out += '\0';
    for (int b = 0; b < lengthBytes; ++b)
        out += static_cast<char>((header.size() >> (8 * b)) & 0xff);
    return out + header + data;
}

QByteArray npyDict(const char *descr, const char *shape, bool fortran = false)
{
    return QByteArray("{'descr': '") + descr +
           "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

/// The KernelIoError message thrown by f, or nullopt if it threw nothing.
template <class F> std::optional<QString> kernelIoErrorOf(F &&f)
{
    try {
        f();
    } catch (const ks::KernelIoError &e) {
        return QString::fromStdString(e.what());
    }
    return std::nullopt;
}

const std::vector<double> kSmall3x3{0.5, -1.0, 2.25, 0.1, 0.0, -1e-7, 3.0, 1e10, -4.5};

} // namespace

class TestKernelIo : public QObject {
    Q_OBJECT

private slots:
    void npyHeaderAndData_data();
    void npyHeaderAndData();

    void csvText_data();
    void csvText();

    void jsonFilter_data();
    void jsonFilter();
    void jsonLayout_data();
    void jsonLayout();

    void roundTrip_data();
    void roundTrip();
    void roundTripFloat32();

    void parseText_data();
    void parseText();
    void parseTextErrors_data();
    void parseTextErrors();

    void npyImport_data();
    void npyImport();

    void importErrors_data();
    void importErrors();
    void importMissingFile();
    void mutatedFilesFailCleanly_data();
    void mutatedFilesFailCleanly();

    void writeErrors_data();
    void writeErrors();
    void writeToMissingFolder();

    void gaborBankMatchesOpenCv_data();
    void gaborBankMatchesOpenCv();
    void gaborBankSizes();
    void gaborBankRejects_data();
    void gaborBankRejects();
};

// ---------------------------------------------------------------- npy bytes

void TestKernelIo::npyHeaderAndData_data()
{
    QTest::addColumn<std::vector<cv::Mat>>("kernels");
    QTest::addColumn<KernelLayout>("layout");
    QTest::addColumn<NpyType>("type");
    QTest::addColumn<QByteArray>("header");

    const cv::Mat k3x3 = matrix(3, 3, kSmall3x3);
    const cv::Mat k3x5 = matrix(3, 5, wideValues(15, 7));
    const std::vector<cv::Mat> bank = ks::gaborBank(ks::GaborSpec{}, 8);
    // 0x93 "NUMPY", version 1.0, header length 118 (0x76) little-endian:
    // 10 + 118 = 128 bytes before the data, a multiple of 64.
    const QByteArray prefix("\x93NUMPY\x01\x00\x76\x00", 10);

    QTest::newRow("3x3 <f8") << std::vector{k3x3} << KernelLayout::Plain << NpyType::Float64
                             << prefix +
                                    "{'descr': '<f8', 'fortran_order': False, 'shape': "
                                    "(3, 3), }" +
                                    QByteArray(58, ' ') + "\n";
    QTest::newRow("3x3 <f4") << std::vector{k3x3} << KernelLayout::Plain << NpyType::Float32
                             << prefix +
                                    "{'descr': '<f4', 'fortran_order': False, 'shape': "
                                    "(3, 3), }" +
                                    QByteArray(58, ' ') + "\n";
    QTest::newRow("3x5 <f8") << std::vector{k3x5} << KernelLayout::Plain << NpyType::Float64
                             << prefix +
                                    "{'descr': '<f8', 'fortran_order': False, 'shape': "
                                    "(3, 5), }" +
                                    QByteArray(58, ' ') + "\n";
    QTest::newRow("3x3 keras") << std::vector{k3x3} << KernelLayout::Keras << NpyType::Float64
                               << prefix +
                                      "{'descr': '<f8', 'fortran_order': False, 'shape': "
                                      "(3, 3, 1, 1), }" +
                                      QByteArray(52, ' ') + "\n";
    QTest::newRow("bank of 8 plain") << bank << KernelLayout::Plain << NpyType::Float64
                                     << prefix +
                                            "{'descr': '<f8', 'fortran_order': False, "
                                            "'shape': (8, 31, 31), }" +
                                            QByteArray(53, ' ') + "\n";
    QTest::newRow("bank of 8 keras") << bank << KernelLayout::Keras << NpyType::Float64
                                     << prefix +
                                            "{'descr': '<f8', 'fortran_order': False, "
                                            "'shape': (31, 31, 1, 8), }" +
                                            QByteArray(50, ' ') + "\n";
    QTest::newRow("bank of 8 keras <f4") << bank << KernelLayout::Keras << NpyType::Float32
                                         << prefix +
                                                "{'descr': '<f4', 'fortran_order': False, "
                                                "'shape': (31, 31, 1, 8), }" +
                                                QByteArray(50, ' ') + "\n";
}

void TestKernelIo::npyHeaderAndData()
{
    QFETCH(std::vector<cv::Mat>, kernels);
    QFETCH(KernelLayout, layout);
    QFETCH(NpyType, type);
    QFETCH(QByteArray, header);
    QCOMPARE(header.size(), 128);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path path = dir.filePath("kernels.npy").toStdString();
    ks::saveKernels(path, kernels, ks::GaborSpec{}, layout, type);
    const QByteArray bytes = fileBytes(path);

    QCOMPARE(bytes.left(128), header);
    const int n = static_cast<int>(kernels.size());
    const int kh = kernels[0].rows;
    const int kw = kernels[0].cols;
    const int item = type == NpyType::Float64 ? 8 : 4;
    QCOMPARE(bytes.size(), 128 + qsizetype{n} * kh * kw * item);
    for (int k = 0; k < n; ++k) {
        for (int i = 0; i < kh; ++i) {
            for (int j = 0; j < kw; ++j) {
                // C order of (n, kh, kw), or of (kh, kw, 1, n) for Keras.
                const int index = layout == KernelLayout::Keras ? ((i * kw + j) * 1 + 0) * n + k
                                                                : (k * kh + i) * kw + j;
                const double expected = kernels[static_cast<std::size_t>(k)].at<double>(i, j);
                const qsizetype offset = 128 + qsizetype{index} * item;
                if (type == NpyType::Float64)
                    QCOMPARE(std::bit_cast<std::uint64_t>(doubleAt(bytes, offset)),
                             std::bit_cast<std::uint64_t>(expected));
                else
                    QCOMPARE(std::bit_cast<std::uint32_t>(floatAt(bytes, offset)),
                             std::bit_cast<std::uint32_t>(static_cast<float>(expected)));
            }
        }
    }
}

// ---------------------------------------------------------------- CSV

void TestKernelIo::csvText_data()
{
    QTest::addColumn<std::vector<cv::Mat>>("kernels");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("2x2") << std::vector{matrix(2, 2, {1, -0.5, 0.1, 1e-300})}
                         << QByteArray("1,-0.5\n0.1,1e-300\n");
    QTest::newRow("1x3 shortest round-trip digits")
        << std::vector{matrix(1, 3, {1.0 / 3.0, -0.0, 5e-324})}
        << QByteArray("0.3333333333333333,-0,5e-324\n");
    QTest::newRow("17 digits needed") << std::vector{matrix(1, 2, {0.1 + 0.2, 1e23})}
                                      << QByteArray("0.30000000000000004,1e+23\n");
    QTest::newRow("bank of 2 as blocks")
        << std::vector{matrix(2, 2, {1, 2, 3, 4}), matrix(2, 2, {5, 6, 7, 8.5})}
        << QByteArray("1,2\n3,4\n\n5,6\n7,8.5\n");
}

void TestKernelIo::csvText()
{
    QFETCH(std::vector<cv::Mat>, kernels);
    QFETCH(QByteArray, expected);

    QCOMPARE(QByteArray::fromStdString(ks::kernelsToCsv(kernels)), expected);

    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("k.csv").toStdString();
    ks::saveKernels(path, kernels, ks::IdentitySpec{}, KernelLayout::Keras);
    QCOMPARE(fileBytes(path), expected); // the layout does not apply to CSV
}

// ---------------------------------------------------------------- JSON

void TestKernelIo::jsonFilter_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<QByteArray>("expectedFilter");

    QTest::newRow("gabor") << ks::FilterSpec{ks::GaborSpec{7, 2.5, 30, 6, 0.75, 90}}
                           << QByteArray(R"({"type": "gabor", "ksize": 7, "sigma": 2.5,
                                "theta": 30, "lambda": 6, "gamma": 0.75, "psi": 90})");
    QTest::newRow("gaussian") << ks::FilterSpec{ks::GaussianSpec{9, 1.5}}
                              << QByteArray(R"({"type": "gaussian", "ksize": 9, "sigma": 1.5})");
    QTest::newRow("box") << ks::FilterSpec{ks::BoxSpec{5, false}}
                         << QByteArray(R"({"type": "box", "ksize": 5, "normalized": false})");
    QTest::newRow("derivative")
        << ks::FilterSpec{ks::DerivativeSpec{2, 45, 1.5, 11}}
        << QByteArray(
               R"({"type": "derivative", "order": 2, "angle": 45, "sigma": 1.5, "ksize": 11})");
    QTest::newRow("custom 3x5")
        << ks::FilterSpec{ks::CustomSpec{3, 5, wideValues(15, 3), false}}
        << QByteArray(R"({"type": "custom", "normalize": false, "rows": 3, "cols": 5})");
    QTest::newRow("none") << ks::FilterSpec{ks::IdentitySpec{}}
                          << QByteArray(R"({"type": "none"})");
}

void TestKernelIo::jsonFilter()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(QByteArray, expectedFilter);

    const cv::Mat kernel = ks::makeKernel(spec);
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("kernel.json").toStdString();
    ks::saveKernels(path, {kernel}, spec);

    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(fileBytes(path), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject root = doc.object();
    QCOMPARE(root.keys(),
             QStringList({"filter", "format", "layout", "shape", "values", "version"}));
    QCOMPARE(root["format"].toString(), QString("kernelscope-kernel"));
    QCOMPARE(root["version"].toInt(), 1);
    QCOMPARE(root["layout"].toString(), QString("plain"));
    QCOMPARE(root["filter"].toObject(), QJsonDocument::fromJson(expectedFilter).object());
    QCOMPARE(root["shape"].toArray(), QJsonArray({kernel.rows, kernel.cols}));
    const QJsonArray rows = root["values"].toArray();
    QCOMPARE(rows.size(), kernel.rows);
    for (int i = 0; i < kernel.rows; ++i) {
        const QJsonArray row = rows[i].toArray();
        QCOMPARE(row.size(), kernel.cols);
        for (int j = 0; j < kernel.cols; ++j)
            QCOMPARE(row[j].toDouble(), kernel.at<double>(i, j));
    }
}

void TestKernelIo::jsonLayout_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<KernelLayout>("layout");
    QTest::addColumn<QJsonArray>("expectedShape");

    QTest::newRow("single plain") << 1 << KernelLayout::Plain << QJsonArray{7, 7};
    QTest::newRow("single keras") << 1 << KernelLayout::Keras << QJsonArray{7, 7, 1, 1};
    QTest::newRow("bank plain") << 4 << KernelLayout::Plain << QJsonArray{4, 7, 7};
    QTest::newRow("bank keras") << 4 << KernelLayout::Keras << QJsonArray{7, 7, 1, 4};
}

void TestKernelIo::jsonLayout()
{
    QFETCH(int, n);
    QFETCH(KernelLayout, layout);
    QFETCH(QJsonArray, expectedShape);

    const ks::GaborSpec spec{7, 2.0, 10, 5, 0.5, 0};
    const std::vector<cv::Mat> bank = ks::gaborBank(spec, n);
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("bank.JSON").toStdString();
    ks::saveKernels(path, bank, spec, layout);

    const QJsonObject root = QJsonDocument::fromJson(fileBytes(path)).object();
    QCOMPARE(root["layout"].toString(), QString(layout == KernelLayout::Keras ? "keras" : "plain"));
    QCOMPARE(root["shape"].toArray(), expectedShape);
    const QJsonArray values = root["values"].toArray();
    for (int k = 0; k < n; ++k) {
        for (int i = 0; i < 7; ++i) {
            for (int j = 0; j < 7; ++j) {
                const double expected = bank[static_cast<std::size_t>(k)].at<double>(i, j);
                double actual = 0;
                if (layout == KernelLayout::Keras)
                    actual = values[i].toArray()[j].toArray()[0].toArray()[k].toDouble();
                else if (n == 1)
                    actual = values[i].toArray()[j].toDouble();
                else
                    actual = values[k].toArray()[i].toArray()[j].toDouble();
                QCOMPARE(actual, expected);
            }
        }
    }
}

// ---------------------------------------------------------------- round trips

void TestKernelIo::roundTrip_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<KernelLayout>("layout");
    QTest::addColumn<unsigned>("seed");

    const struct {
        int rows;
        int cols;
        unsigned seed;
    } sizes[] = {{3, 3, 0}, {3, 5, 1}, {5, 3, 2}, {1, 1, 3}, {1, 9, 4}, {31, 31, 6}, {301, 2, 8}};
    for (const char *ext : {"csv", "npy", "json"}) {
        for (const auto &s : sizes) {
            for (KernelLayout layout : {KernelLayout::Plain, KernelLayout::Keras}) {
                const QByteArray name = QByteArray(ext) + " " + QByteArray::number(s.rows) + "x" +
                                        QByteArray::number(s.cols) +
                                        (layout == KernelLayout::Keras ? " keras" : " plain");
                QTest::newRow(name.constData())
                    << QString("kernel.") + ext << s.rows << s.cols << layout << s.seed;
            }
        }
    }
    QTest::newRow("upper-case .CSV") << "K.CSV" << 4 << 4 << KernelLayout::Plain << 10u;
    QTest::newRow("mixed-case .Npy") << "K.Npy" << 4 << 4 << KernelLayout::Plain << 12u;
}

void TestKernelIo::roundTrip()
{
    QFETCH(QString, fileName);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(KernelLayout, layout);
    QFETCH(unsigned, seed);

    const std::vector<double> values =
        wideValues(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), seed);
    const ks::CustomSpec spec{rows, cols, values, false};
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath(fileName).toStdString();
    ks::saveKernels(path, {matrix(rows, cols, values)}, spec, layout);

    const ks::CustomSpec loaded = ks::loadCustomKernel(path);
    QCOMPARE(loaded.rows, rows);
    QCOMPARE(loaded.cols, cols);
    QCOMPARE(loaded.normalize, false);
    QVERIFY(sameBits(loaded.values, values));
}

void TestKernelIo::roundTripFloat32()
{
    const std::vector<double> values{0.1, -1.0 / 3.0, 1e-30, 3e38, -0.0, 2.5};
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("k.npy").toStdString();
    ks::saveKernels(path, {matrix(2, 3, values)}, ks::IdentitySpec{}, KernelLayout::Plain,
                    NpyType::Float32);

    const ks::CustomSpec loaded = ks::loadCustomKernel(path);
    QCOMPARE(loaded.rows, 2);
    QCOMPARE(loaded.cols, 3);
    std::vector<double> expected;
    for (double v : values)
        expected.push_back(static_cast<double>(static_cast<float>(v)));
    QVERIFY(sameBits(loaded.values, expected));
}

// ---------------------------------------------------------------- text import

void TestKernelIo::parseText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<std::vector<double>>("values");

    const std::vector<double> oneToSix{1, 2, 3, 4, 5, 6};
    QTest::newRow("commas") << QByteArray("1,2,3\n4,5,6\n") << 2 << 3 << oneToSix;
    QTest::newRow("spaces and tabs") << QByteArray("1 2\t3\n  4   5 6  ") << 2 << 3 << oneToSix;
    QTest::newRow("comma and spaces") << QByteArray("1, 2, 3\n4 ,5 ,\t6") << 2 << 3 << oneToSix;
    QTest::newRow("CRLF") << QByteArray("1,2,3\r\n4,5,6\r\n") << 2 << 3 << oneToSix;
    QTest::newRow("CR only") << QByteArray("1,2,3\r4,5,6") << 2 << 3 << oneToSix;
    QTest::newRow("comments, blank lines at the ends")
        << QByteArray("# exported by hand\n\n \n1 2 3\n# between rows\n4 5 6 # trailing\n\n\n") << 2
        << 3 << oneToSix;
    QTest::newRow("UTF-8 byte order mark") << QByteArray("\xEF\xBB\xBF"
                                                         "1,2,3\n4,5,6")
                                           << 2 << 3 << oneToSix;
    QTest::newRow("signs and exponents") << QByteArray("+1 -2.5e-3 .5\n1E2 -0 5.") << 2 << 3
                                         << std::vector<double>{1, -2.5e-3, 0.5, 100, -0.0, 5};
    QTest::newRow("single value") << QByteArray("42") << 1 << 1 << std::vector<double>{42};
    QTest::newRow("column") << QByteArray("1\n2\n3\n") << 3 << 1 << std::vector<double>{1, 2, 3};
    QTest::newRow("subnormal and huge")
        << QByteArray("4.9406564584124654e-324 1.7976931348623157e308") << 1 << 2
        << std::vector<double>{std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::max()};

    QByteArray wide;
    std::vector<double> wideRow;
    for (int j = 0; j < ks::kMaxCustomSize; ++j) {
        wide += (j > 0 ? "," : "") + QByteArray::number(j);
        wideRow.push_back(j);
    }
    QTest::newRow("301 columns") << wide << 1 << 301 << wideRow;
}

void TestKernelIo::parseText()
{
    QFETCH(QByteArray, text);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(std::vector<double>, values);

    const ks::CustomSpec spec = ks::parseKernelText(text.toStdString(), "pasted text");
    QCOMPARE(spec.rows, rows);
    QCOMPARE(spec.cols, cols);
    QCOMPARE(spec.normalize, false);
    QVERIFY(sameBits(spec.values, values));
}

void TestKernelIo::parseTextErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected"); ///< the whole message after "pasted text: "

    QTest::newRow("ragged") << QByteArray("1,2,3\n4,5\n") << "row 2 has 2 values, row 1 has 3";
    QTest::newRow("ragged after comments")
        << QByteArray("# c\n1 2 3\n4 5\n") << "row 2 (line 3) has 2 values, row 1 (line 2) has 3";
    QTest::newRow("not a number") << QByteArray("1,2,3\n4,5,abc\n")
                                  << "row 2, column 3: 'abc' is not a number";
    QTest::newRow("number with junk")
        << QByteArray("1.5x") << "row 1, column 1: '1.5x' is not a number";
    QTest::newRow("semicolons") << QByteArray("1;2") << "row 1, column 1: '1;2' is not a number";
    QTest::newRow("NaN") << QByteArray("1 nan") << "row 1, column 2: 'nan' is not a finite number";
    QTest::newRow("infinity") << QByteArray("1\n-inf")
                              << "row 2, column 1: '-inf' is not a finite number";
    QTest::newRow("overflow") << QByteArray("1e999")
                              << "row 1, column 1: '1e999' is out of the range of double precision";
    QTest::newRow("empty") << QByteArray("") << "empty: the file holds no kernel values";
    QTest::newRow("only comments")
        << QByteArray("# nothing\n\n") << "empty: no kernel values, only comments and blank lines";
    QTest::newRow("two commas")
        << QByteArray("1,,2")
        << "row 1, column 2 is empty (two commas in a row, or a comma at an end)";
    QTest::newRow("trailing comma")
        << QByteArray("1,2,\n")
        << "row 1, column 3 is empty (two commas in a row, or a comma at an end)";
    QTest::newRow("bank") << QByteArray("1 2\n3 4\n\n5 6\n7 8\n")
                          << "line 3 is empty but more values follow: only one kernel can be "
                             "imported (blocks separated by empty lines are a bank)";

    QByteArray wide = "0";
    for (int j = 1; j <= ks::kMaxCustomSize; ++j)
        wide += " 0";
    QTest::newRow("302 columns") << wide
                                 << "row 1 has more than 301 columns: a custom kernel has at "
                                    "most 301 rows and 301 columns";
    QTest::newRow("302 rows") << QByteArray("0\n").repeated(302)
                              << "more than 301 rows: a custom kernel has at most 301 rows and "
                                 "301 columns";
}

void TestKernelIo::parseTextErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);

    const auto message =
        kernelIoErrorOf([&] { ks::parseKernelText(text.toStdString(), "pasted text"); });
    QVERIFY(message);
    QCOMPARE(*message, "pasted text: " + expected);
}

// ---------------------------------------------------------------- npy import

void TestKernelIo::npyImport_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<std::vector<double>>("values");

    const std::vector<double> v2x3{1, -2, 3, 4, 5, -6};
    const std::vector<double> f{0.1, -2.5, 1e-3, 7};
    QTest::newRow("<f8") << npyFile(npyDict("<f8", "(2, 3)"), littleEndian<double>(v2x3)) << 2 << 3
                         << v2x3;
    std::vector<double> asFloat;
    for (double v : f)
        asFloat.push_back(static_cast<double>(static_cast<float>(v)));
    QTest::newRow("<f4") << npyFile(npyDict("<f4", "(2, 2)"), littleEndian<float>(f)) << 2 << 2
                         << asFloat;
    QTest::newRow("<i4") << npyFile(npyDict("<i4", "(2, 3)"), littleEndian<std::int32_t>(v2x3)) << 2
                         << 3 << v2x3;
    QTest::newRow("<i8") << npyFile(npyDict("<i8", "(2, 3)"), littleEndian<std::int64_t>(v2x3)) << 2
                         << 3 << v2x3;
    QTest::newRow("<i2 extremes") << npyFile(npyDict("<i2", "(1, 2)"),
                                             littleEndian<std::int16_t>({-32768, 32767}))
                                  << 1 << 2 << std::vector<double>{-32768, 32767};
    QTest::newRow("<u2 extremes") << npyFile(npyDict("<u2", "(1, 2)"),
                                             littleEndian<std::uint16_t>({0, 65535}))
                                  << 1 << 2 << std::vector<double>{0, 65535};
    QTest::newRow("|u1") << npyFile(npyDict("|u1", "(1, 3)"),
                                    littleEndian<std::uint8_t>({0, 128, 255}))
                         << 1 << 3 << std::vector<double>{0, 128, 255};
    QTest::newRow("|i1") << npyFile(npyDict("|i1", "(1, 2)"), littleEndian<std::int8_t>({-128, 5}))
                         << 1 << 2 << std::vector<double>{-128, 5};
    QTest::newRow(">f8 big-endian")
        << npyFile(npyDict(">f8", "(2, 3)"), bigEndian<double>(v2x3)) << 2 << 3 << v2x3;
    QTest::newRow(">i4 big-endian")
        << npyFile(npyDict(">i4", "(2, 3)"), bigEndian<std::int32_t>(v2x3)) << 2 << 3 << v2x3;
    // Column-major data of [[1, -2, 3], [4, 5, -6]].
    QTest::newRow("fortran order")
        << npyFile(npyDict("<f8", "(2, 3)", true), littleEndian<double>({1, 4, -2, 5, 3, -6})) << 2
        << 3 << v2x3;
    QTest::newRow("(kh, kw, 1, 1)")
        << npyFile(npyDict("<f8", "(2, 3, 1, 1)"), littleEndian<double>(v2x3)) << 2 << 3 << v2x3;
    QTest::newRow("(1, kh, kw)") << npyFile(npyDict("<f8", "(1, 2, 3)"), littleEndian<double>(v2x3))
                                 << 2 << 3 << v2x3;
    QTest::newRow("fortran (kh, kw, 1, 1)")
        << npyFile(npyDict("<f8", "(2, 3, 1, 1)", true), littleEndian<double>({1, 4, -2, 5, 3, -6}))
        << 2 << 3 << v2x3;
    QTest::newRow("version 2.0") << npyFile(npyDict("<f8", "(2, 3)"), littleEndian<double>(v2x3), 2)
                                 << 2 << 3 << v2x3;
    QTest::newRow("Python 2 long shape")
        << npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }",
                   littleEndian<double>(v2x3))
        << 2 << 3 << v2x3;
    QTest::newRow("keys reordered, double quotes, no trailing comma")
        << npyFile(R"({"shape": ( 2 ,3 ), "fortran_order": False, "descr": "<f8"})",
                   littleEndian<double>(v2x3))
        << 2 << 3 << v2x3;
    // NumPy >= 1.24 leaves room after the dict for the shape to grow.
    QTest::newRow("growth padding")
        << npyFile(npyDict("<f8", "(2, 3)") + QByteArray(21, ' '), littleEndian<double>(v2x3)) << 2
        << 3 << v2x3;
}

void TestKernelIo::npyImport()
{
    QFETCH(QByteArray, file);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(std::vector<double>, values);

    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("kernel.npy").toStdString();
    QVERIFY(writeBytes(path, file));
    const ks::CustomSpec spec = ks::loadCustomKernel(path);
    QCOMPARE(spec.rows, rows);
    QCOMPARE(spec.cols, cols);
    QVERIFY(sameBits(spec.values, values));
}

// ---------------------------------------------------------------- bad files

void TestKernelIo::importErrors_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("reason");

    const QByteArray nine = littleEndian<double>({1, 2, 3, 4, 5, 6, 7, 8, 9});
    QByteArray wide = "0";
    for (int j = 1; j <= ks::kMaxCustomSize; ++j)
        wide += ",0";

    QTest::newRow("ragged rows") << "ragged.csv" << QByteArray("1,2,3\n4,5\n")
                                 << "row 2 has 2 values, row 1 has 3";
    QTest::newRow("not a number") << "word.csv" << QByteArray("1 2 3\n4 5 abc\n")
                                  << "row 2, column 3: 'abc' is not a number";
    QTest::newRow("NaN") << "nan.csv" << QByteArray("1,NaN\n") << "not a finite number";
    QTest::newRow("inf") << "inf.txt" << QByteArray("inf 1\n") << "not a finite number";
    QTest::newRow("empty file") << "empty.csv" << QByteArray() << "empty";
    QTest::newRow("302 columns") << "wide.csv" << wide << "more than 301 columns";

    QTest::newRow("npy truncated data")
        << "short.npy" << npyFile(npyDict("<f8", "(3, 3)"), nine.left(71))
        << "truncated: shape (3, 3) of '<f8' needs 72 bytes of data, the file has 71";
    QTest::newRow("npy extra data") << "long.npy" << npyFile(npyDict("<f8", "(3, 3)"), nine + "x")
                                    << "1 unexpected bytes after the data";
    QTest::newRow("npy truncated header")
        << "cut.npy" << npyFile(npyDict("<f8", "(3, 3)"), nine).left(40) << "truncated .npy header";
    QTest::newRow("npy bad magic")
        << "magic.npy" << npyFile(npyDict("<f8", "(3, 3)"), nine).replace("NUMPY", "NUMPX")
        << "magic string";
    QTest::newRow("npy version 4")
        << "v4.npy" << npyFile(npyDict("<f8", "(3, 3)"), nine).replace(6, 1, "\x04")
        << "unsupported .npy format version 4.0";
    QTest::newRow("npy <c16") << "complex.npy" << npyFile(npyDict("<c16", "(3, 3)"), nine + nine)
                              << "unsupported data type '<c16'";
    QTest::newRow("npy structured")
        << "structured.npy"
        << npyFile("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 3), }", nine)
        << "structured arrays";
    QTest::newRow("npy (2, 3, 3)")
        << "bank.npy" << npyFile(npyDict("<f8", "(2, 3, 3)"), nine + nine)
        << "shape (2, 3, 3) holds 2 kernels";
    QTest::newRow("npy keras bank")
        << "keras.npy" << npyFile(npyDict("<f8", "(3, 3, 1, 2)"), nine + nine)
        << "shape (3, 3, 1, 2) holds 2 kernels";
    QTest::newRow("npy channels") << "rgb.npy" << npyFile(npyDict("<f8", "(3, 3, 2, 1)"), nine)
                                  << "2 input channels";
    QTest::newRow("npy 1-D") << "vector.npy" << npyFile(npyDict("<f8", "(9,)"), nine)
                             << "shape (9,) is 1-D";
    QTest::newRow("npy huge shape")
        << "huge.npy" << npyFile(npyDict("<f8", "(100000, 100000)"), nine)
        << "shape (100000, 100000) has 100000 rows: a custom kernel has at most 301";
    QTest::newRow("npy shape beyond 64 bits")
        << "overflow.npy" << npyFile(npyDict("<f8", "(3, 99999999999999999999999)"), nine)
        << "columns: a custom kernel has at most 301";
    QTest::newRow("npy 302 columns")
        << "wide.npy" << npyFile(npyDict("|u1", "(1, 302)"), QByteArray(302, '\0'))
        << "302 columns";
    QTest::newRow("npy empty shape")
        << "none.npy" << npyFile(npyDict("<f8", "(0, 3)"), {}) << "empty";
    QTest::newRow("npy NaN") << "nan.npy"
                             << npyFile(npyDict("<f8", "(1, 2)"),
                                        littleEndian<double>(
                                            {1, std::numeric_limits<double>::quiet_NaN()}))
                             << "row 1, column 2: nan is not a finite number";
    QTest::newRow("npy missing shape")
        << "noshape.npy" << npyFile("{'descr': '<f8', 'fortran_order': False, }", nine)
        << "it needs 'descr', 'fortran_order' and 'shape'";
    QTest::newRow("npy garbled header")
        << "garbled.npy"
        << npyFile("{'descr': '<f8', 'fortran_order': Fals, 'shape': (3, 3), }", nine)
        << "unreadable .npy header: unexpected word 'Fals'";

    QTest::newRow("json syntax") << "broken.json" << QByteArray("[[1, 2],\n [3, 4]")
                                 << "not valid JSON: syntax error on line 2";
    QTest::newRow("json number") << "number.json" << QByteArray("42")
                                 << "not a kernel: expected a kernelscope-kernel object";
    QTest::newRow("json other object") << "object.json" << QByteArray(R"({"a": 1})")
                                       << "not a kernelscope kernel: 'format' is missing";
    QTest::newRow("json preset")
        << "preset.json" << QByteArray(R"({"format": "kernelscope-preset", "version": 1})")
        << "not a kernelscope kernel: 'format' is 'kernelscope-preset', expected "
           "'kernelscope-kernel'";
    QTest::newRow("json 1-D array")
        << "flat.json" << QByteArray("[1, 2, 3]") << "row 1 is '1', not an array";
    QTest::newRow("json 3-D array")
        << "deep.json" << QByteArray("[[[1, 2]], [[3, 4]]]") << "row 1, column 1 is an array";
    QTest::newRow("json ragged") << "ragged.json" << QByteArray("[[1, 2], [3]]")
                                 << "row 2 has 1 values, row 1 has 2";
    QTest::newRow("json string") << "string.json" << QByteArray(R"([[1, "2"]])")
                                 << "row 1, column 2: '\"2\"' is not a number";
    QTest::newRow("json empty array") << "empty.json" << QByteArray("[]") << "empty";
    QTest::newRow("json kernel bank")
        << "bank.json"
        << QByteArray(R"({"format": "kernelscope-kernel", "version": 1, "layout": "plain",
                          "shape": [2, 1, 2], "values": [[[1, 2]], [[3, 4]]]})")
        << "a bank of 2 kernels: only a single kernel can be imported";
    QTest::newRow("json kernel nested wrong")
        << "nested.json"
        << QByteArray(R"({"format": "kernelscope-kernel", "version": 1, "layout": "plain",
                          "shape": [2, 2], "values": [[1, 2], [3]]})")
        << "/values/1 has 1 elements, shape [2, 2] needs 2";
    QTest::newRow("json kernel flat values")
        << "flatvalues.json"
        << QByteArray(R"({"format": "kernelscope-kernel", "version": 1, "layout": "plain",
                          "shape": [2, 2], "values": [1, 2, 3, 4]})")
        << "/values has 4 elements, shape [2, 2] needs 2";
    QTest::newRow("json kernel wrong layout shape")
        << "layout.json"
        << QByteArray(R"({"format": "kernelscope-kernel", "version": 1, "layout": "keras",
                          "shape": [2, 2], "values": [[1, 2], [3, 4]]})")
        << "shape [2, 2] does not fit the keras layout";
    QTest::newRow("json kernel newer version")
        << "future.json"
        << QByteArray(R"({"format": "kernelscope-kernel", "version": 2, "layout": "plain",
                          "shape": [1, 1], "values": [[1]]})")
        << "kernel format version 2 is newer";
    QTest::newRow("json overflow") << "overflow.json" << QByteArray("[[1e999]]")
                                   << "a number is out of the range of double precision";
    // Regression (found by fuzzing): the messages quote the JSON, and quoting
    // a few hundred kilobytes of nested arrays overflowed the stack.
    const QByteArray deep = QByteArray(200000, '[') + QByteArray(200000, ']');
    QTest::newRow("json nested in the format")
        << "deep format.json" << QByteArray(R"({"format": )") + deep + "}"
        << "not a kernel: the JSON is nested more than 32 levels deep";
    QTest::newRow("json nested in the values")
        << "deep values.json"
        << QByteArray(R"({"format": "kernelscope-kernel", "version": 1, "layout": "plain",
                          "shape": [1, 1], "values": [[)") +
               deep + "]]}"
        << "not a kernel: the JSON is nested more than 32 levels deep";
    QTest::newRow("json nested 40 levels")
        << "40.json" << QByteArray(40, '[') + QByteArray(40, ']')
        << "not a kernel: the JSON is nested more than 32 levels deep";

    QTest::newRow("unknown extension")
        << "kernel.xlsx" << QByteArray("1,2") << "unknown kernel format '.xlsx'";
}

void TestKernelIo::importErrors()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);

    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath(fileName).toStdString();
    QVERIFY(writeBytes(path, content));
    const auto message = kernelIoErrorOf([&] { ks::loadCustomKernel(path); });
    QVERIFY(message);
    QVERIFY2(message->startsWith(QString::fromStdString(path.string()) + ": "),
             qPrintable(*message));
    QVERIFY2(message->contains(reason), qPrintable(*message));
    QVERIFY2(!message->contains('\n'), qPrintable(*message));
}

void TestKernelIo::importMissingFile()
{
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("missing.csv").toStdString();
    bool fileError = false;
    try {
        ks::loadCustomKernel(path);
    } catch (const ks::FileError &e) {
        fileError = QString(e.what()).contains("missing.csv");
    }
    QVERIFY(fileError);
}

void TestKernelIo::mutatedFilesFailCleanly_data()
{
    QTest::addColumn<QString>("fileName");

    QTest::newRow("csv") << "k.csv";
    QTest::newRow("npy") << "k.npy";
    QTest::newRow("json") << "k.json";
}

// Flipped, dropped and inserted bytes in a valid file must give either a
// well-formed kernel or a KernelIoError, never a crash or another exception.
void TestKernelIo::mutatedFilesFailCleanly()
{
    QFETCH(QString, fileName);

    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath(fileName).toStdString();
    ks::saveKernels(path, {matrix(3, 3, kSmall3x3)}, ks::GaborSpec{});
    const QByteArray original = fileBytes(path);
    std::mt19937 random(42);
    int loaded = 0;
    int refused = 0;
    for (int trial = 0; trial < 400; ++trial) {
        QByteArray bytes = original;
        for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
            const auto at = static_cast<qsizetype>(random() % static_cast<unsigned>(bytes.size()));
            const auto byte = static_cast<char>(random() % 256);
            switch (random() % 3) {
            case 0:
                bytes[at] = byte;
                break;
            case 1:
                bytes.remove(at, 1);
                break;
            default:
                bytes.insert(at, byte);
                break;
            }
        }
        QVERIFY(writeBytes(path, bytes));
        try {
            const ks::CustomSpec spec = ks::loadCustomKernel(path);
            QVERIFY(spec.rows >= 1 && spec.rows <= ks::kMaxCustomSize);
            QVERIFY(spec.cols >= 1 && spec.cols <= ks::kMaxCustomSize);
            QCOMPARE(spec.values.size(), static_cast<std::size_t>(spec.rows * spec.cols));
            for (double v : spec.values)
                QVERIFY(std::isfinite(v));
            ++loaded;
        } catch (const ks::KernelIoError &e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path.string()) + ": "),
                     e.what());
            QVERIFY2(!QString(e.what()).contains('\n'), e.what());
            ++refused;
        }
    }
    QCOMPARE(loaded + refused, 400);
    QVERIFY(refused > 0);
}

// ---------------------------------------------------------------- write errors

void TestKernelIo::writeErrors_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<std::vector<cv::Mat>>("kernels");
    QTest::addColumn<NpyType>("type");
    QTest::addColumn<QString>("expected"); ///< message after "cannot write '<path>': "

    const cv::Mat k3 = matrix(3, 3, kSmall3x3);
    QTest::newRow("unknown extension") << "x.txt" << std::vector{k3} << NpyType::Float64
                                       << "unknown kernel format '.txt' (use .csv, .npy or .json)";
    QTest::newRow("no extension") << "kernel" << std::vector{k3} << NpyType::Float64
                                  << "no file extension to tell the kernel format (use .csv, .npy "
                                     "or .json)";
    QTest::newRow("no kernels") << "x.npy" << std::vector<cv::Mat>{} << NpyType::Float64
                                << "there are no kernels to write";
    QTest::newRow("mismatched sizes")
        << "x.json" << std::vector{k3, cv::Mat(cv::Mat::zeros(3, 5, CV_64FC1))} << NpyType::Float64
        << "kernel 2 is 3 x 5, kernel 1 is 3 x 3 (all kernels must have the same size)";
    QTest::newRow("float matrix") << "x.csv" << std::vector{cv::Mat(cv::Mat::ones(3, 3, CV_32FC1))}
                                  << NpyType::Float64
                                  << "kernel 1 is not a non-empty single-channel double matrix";
    QTest::newRow("NaN tap") << "x.csv" << std::vector{matrix(1, 2, {0, std::nan("")})}
                             << NpyType::Float64
                             << "kernel 1 has the non-finite value nan at row 1, column 2";
    QTest::newRow("float32 overflow")
        << "x.npy" << std::vector{matrix(1, 2, {0, 1e300})} << NpyType::Float32
        << "the value 1e+300 does not fit in float32 (save as float64)";
}

void TestKernelIo::writeErrors()
{
    QFETCH(QString, fileName);
    QFETCH(std::vector<cv::Mat>, kernels);
    QFETCH(NpyType, type);
    QFETCH(QString, expected);

    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath(fileName).toStdString();
    const auto message = kernelIoErrorOf(
        [&] { ks::saveKernels(path, kernels, ks::IdentitySpec{}, KernelLayout::Plain, type); });
    QVERIFY(message);
    QCOMPARE(*message, "cannot write '" + QString::fromStdString(path.string()) + "': " + expected);
    QVERIFY(!std::filesystem::exists(path));
}

void TestKernelIo::writeToMissingFolder()
{
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("no/such/folder/k.csv").toStdString();
    bool fileError = false;
    try {
        ks::saveKernels(path, {matrix(3, 3, kSmall3x3)}, ks::IdentitySpec{});
    } catch (const ks::FileError &e) {
        fileError = QString(e.what()).contains("k.csv");
    }
    QVERIFY(fileError);
    QVERIFY(!std::filesystem::exists(path));
}

// ---------------------------------------------------------------- Gabor banks

void TestKernelIo::gaborBankMatchesOpenCv_data()
{
    QTest::addColumn<ks::GaborSpec>("spec");

    QTest::newRow("defaults") << ks::GaborSpec{};
    QTest::newRow("k15 odd, theta 30") << ks::GaborSpec{15, 3, 30, 8, 0.5, 90};
    QTest::newRow("theta 300 wraps past 360") << ks::GaborSpec{21, 4, 300, 10, 1.5, -45};
    QTest::newRow("theta 360") << ks::GaborSpec{9, 2, 360, 4, 0.7, 180};
}

void TestKernelIo::gaborBankMatchesOpenCv()
{
    QFETCH(ks::GaborSpec, spec);

    const std::vector<cv::Mat> bank = ks::gaborBank(spec, 4);
    QCOMPARE(bank.size(), std::size_t{4});
    for (int i = 0; i < 4; ++i) {
        const cv::Mat reference = cv::getGaborKernel(
            cv::Size(spec.ksize, spec.ksize), spec.sigma, radians(spec.theta_deg + i * 45.0),
            spec.lambda, spec.gamma, radians(spec.psi_deg), CV_64F);
        const cv::Mat &k = bank[static_cast<std::size_t>(i)];
        QCOMPARE(k.type(), CV_64FC1);
        QCOMPARE(k.size(), reference.size());
        QVERIFY2(cv::norm(k, reference, cv::NORM_INF) <= 1e-12, qPrintable(QString::number(i)));
    }
}

void TestKernelIo::gaborBankSizes()
{
    const ks::GaborSpec spec{11, 3, 20, 6, 0.5, 0};
    const std::vector<cv::Mat> one = ks::gaborBank(spec, 1);
    QCOMPARE(one.size(), std::size_t{1});
    QCOMPARE(cv::norm(one[0], ks::makeKernel(spec), cv::NORM_INF), 0.0);

    const std::vector<cv::Mat> many = ks::gaborBank(spec, 64);
    QCOMPARE(many.size(), std::size_t{64});
    // Kernel 32 is turned by 32 * 180 / 64 = 90 degrees.
    ks::GaborSpec turned = spec;
    turned.theta_deg = 110;
    QCOMPARE(cv::norm(many[32], ks::makeKernel(turned), cv::NORM_INF), 0.0);
}

void TestKernelIo::gaborBankRejects_data()
{
    QTest::addColumn<ks::GaborSpec>("spec");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message");

    QTest::newRow("n = 0") << ks::GaborSpec{} << 0 << "bank"
                           << "bank = 0 is out of range: allowed 1 to 64 kernels";
    QTest::newRow("n = -3") << ks::GaborSpec{} << -3 << "bank"
                            << "bank = -3 is out of range: allowed 1 to 64 kernels";
    QTest::newRow("n = 65") << ks::GaborSpec{} << 65 << "bank"
                            << "bank = 65 is out of range: allowed 1 to 64 kernels";
    QTest::newRow("bad sigma") << ks::GaborSpec{31, -1, 0, 10, 0.5, 0} << 4 << "sigma"
                               << "sigma = -1 is out of range: allowed 0.1 to 100 px";
    QTest::newRow("even ksize") << ks::GaborSpec{30, 4, 0, 10, 0.5, 0} << 4 << "ksize"
                                << "ksize = 30 must be an odd whole number from 1 to 301 px";
}

void TestKernelIo::gaborBankRejects()
{
    QFETCH(ks::GaborSpec, spec);
    QFETCH(int, n);
    QFETCH(QString, key);
    QFETCH(QString, message);

    std::optional<ks::ParameterError> error;
    try {
        ks::gaborBank(spec, n);
    } catch (const ks::ParameterError &e) {
        error = e;
    }
    QVERIFY(error);
    QCOMPARE(QString::fromStdString(error->key()), key);
    QCOMPARE(QString(error->what()), message);
}

QTEST_APPLESS_MAIN(TestKernelIo)

#include "tst_kernel_io.moc"
