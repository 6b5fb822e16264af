// Bad input, one table across the layers: image files that must open (with
// the right size, depth and orientation) or be refused with a one-line reason
// naming the file, by the library (loadImage), the command line (`kernelscope
// apply` as a subprocess: exit status 1, one line on stderr, no output file)
// and the window (MainWindow::openFile: errorShown, the source kept); and
// parameters at and beyond every descriptor's limits, NaN and infinities,
// through setParameter/validateRegion, preset files and the command line.
//
// Every file is generated here: cv::imencode / cv::imwritemulti where OpenCV
// writes the variant, Qt's PNG writer for the palette PNG, and small writers
// below (PNG chunks with zlib from qCompress, a DC-only CMYK JPEG encoder, an
// Exif APP1 segment) for what neither writes. The finer cases of each format
// (every EXIF orientation, crafted headers of other formats, ...) are in
// tst_image_io; this file keeps one row per kind of bad input.

#include "cli_runner.h"
#include "core/atomic_file.h"
#include "core/document.h"
#include "core/errors.h"
#include "core/image_io.h"
#include "core/parameters.h"
#include "core/preset.h"
#include "core/region_blur.h"
#include "ui/main_window.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QApplication>
#include <QBuffer>
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(cv::Mat)

namespace {

namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------
// Bytes

void put8(QByteArray &out, unsigned value)
{
    out.append(static_cast<char>(value & 0xFF));
}

void put16(QByteArray &out, unsigned value)
{
    put8(out, value >> 8);
    put8(out, value);
}

void put32(QByteArray &out, std::uint32_t value)
{
    put16(out, value >> 16);
    put16(out, value & 0xFFFF);
}

std::uint32_t crc32(const QByteArray &bytes)
{
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char c : bytes) {
        crc ^= static_cast<unsigned char>(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return crc ^ 0xFFFFFFFFu;
}

QByteArray toQt(const std::vector<uchar> &bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

QByteArray encode(const std::string &extension, const cv::Mat &image,
                  const std::vector<int> &params = {})
{
    std::vector<uchar> bytes;
    if (!cv::imencode(extension, image, bytes, params))
        qFatal("cv::imencode(%s) failed", extension.c_str());
    return toQt(bytes);
}

/// OpenCV's own decoding of the same bytes.
cv::Mat referenceDecode(const QByteArray &bytes)
{
    const std::vector<uchar> data(bytes.begin(), bytes.end());
    return cv::imdecode(data, cv::IMREAD_UNCHANGED);
}

cv::Mat randomImage(cv::Size size, int type, std::uint64_t seed)
{
    cv::Mat image(size, type);
    cv::RNG rng(seed);
    const int depth = CV_MAT_DEPTH(type);
    const double high = depth == CV_8U ? 256 : depth == CV_16U ? 65536 : 1;
    rng.fill(image, cv::RNG::UNIFORM, 0, high);
    return image;
}

/// A smooth image, so that JPEG keeps it close.
cv::Mat smoothImage(cv::Size size)
{
    cv::Mat image(size, CV_8UC3);
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x)
            image.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(40 + 10 * x), static_cast<uchar>(60 + 20 * y), 128);
    return image;
}

bool identical(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    if (a.empty())
        return true;
    cv::Mat difference;
    cv::compare(a.reshape(1), b.reshape(1), difference, cv::CMP_NE);
    return cv::countNonZero(difference) == 0;
}

// ---------------------------------------------------------------------------
// Writers for what OpenCV does not write

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    QByteArray typed(type);
    typed += data;
    QByteArray chunk;
    put32(chunk, static_cast<std::uint32_t>(data.size()));
    chunk += typed;
    put32(chunk, crc32(typed));
    return chunk;
}

/// A PNG of rows of packed samples (no filter byte), zlib-compressed by Qt.
/// A PNG with the given header and IDAT data, every CRC right.
QByteArray pngWithIdat(std::uint32_t width, std::uint32_t height, int bitDepth, int colorType,
                       const QByteArray &idat)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray header;
    put32(header, width);
    put32(header, height);
    put8(header, static_cast<unsigned>(bitDepth));
    put8(header, static_cast<unsigned>(colorType));
    put8(header, 0);
    put8(header, 0);
    put8(header, 0);
    png += pngChunk("IHDR", header);
    png += pngChunk("IDAT", idat);
    png += pngChunk("IEND", {});
    return png;
}

QByteArray pngFile(std::uint32_t width, std::uint32_t height, int bitDepth, int colorType,
                   const std::vector<QByteArray> &rows)
{
    QByteArray raw;
    for (const QByteArray &row : rows) {
        put8(raw, 0); // filter: none
        raw += row;
    }
    // qCompress prefixes the length; the rest is a zlib stream.
    return pngWithIdat(width, height, bitDepth, colorType, qCompress(raw).mid(4));
}

/// An 8-bit grey+alpha PNG (colour type 4) and the BGRA image it holds.
std::pair<QByteArray, cv::Mat> greyAlphaPng()
{
    constexpr int kW = 5;
    constexpr int kH = 3;
    cv::Mat expected(kH, kW, CV_8UC4);
    std::vector<QByteArray> rows;
    for (int y = 0; y < kH; ++y) {
        QByteArray row;
        for (int x = 0; x < kW; ++x) {
            const auto grey = static_cast<uchar>(x * 53 + y * 17);
            const auto alpha = static_cast<uchar>(255 - x * 40 - y);
            put8(row, grey);
            put8(row, alpha);
            expected.at<cv::Vec4b>(y, x) = cv::Vec4b(grey, grey, grey, alpha);
        }
        rows.push_back(row);
    }
    return {pngFile(kW, kH, 8, 4, rows), expected};
}

/// A palette PNG written by Qt's PNG writer, and the BGR image it holds.
std::pair<QByteArray, cv::Mat> palettePng()
{
    const QList<QRgb> colours{qRgb(255, 0, 0), qRgb(0, 200, 0), qRgb(10, 20, 250),
                              qRgb(77, 88, 99)};
    QImage image(7, 4, QImage::Format_Indexed8);
    image.setColorTable(colours);
    cv::Mat expected(4, 7, CV_8UC3);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 7; ++x) {
            const int index = (x + 2 * y) % static_cast<int>(colours.size());
            image.setPixel(x, y, static_cast<uint>(index));
            const QRgb c = colours[index];
            expected.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(qBlue(c)), static_cast<uchar>(qGreen(c)),
                          static_cast<uchar>(qRed(c)));
        }
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG") || png.size() < 26 || png[25] != 3)
        qFatal("Qt did not write a palette PNG");
    return {png, expected};
}

/// Writes bits MSB first, stuffing a zero byte after every 0xFF.
class JpegBits {
public:
    void put(std::uint32_t bits, int count)
    {
        for (int i = count - 1; i >= 0; --i) {
            byte_ = (byte_ << 1) | ((bits >> i) & 1);
            if (++filled_ == 8)
                flush();
        }
    }
    QByteArray finish()
    {
        while (filled_ != 0)
            put(1, 1); // pad with ones
        return out_;
    }

private:
    void flush()
    {
        put8(out_, byte_);
        if (byte_ == 0xFF)
            put8(out_, 0);
        byte_ = 0;
        filled_ = 0;
    }
    QByteArray out_;
    unsigned byte_ = 0;
    int filled_ = 0;
};

/// A baseline CMYK JPEG of 16 x 8 pixels, as Adobe applications write them
/// (four components and an APP14 "Adobe" segment, transform 0): the left 8
/// columns hold the samples left, the right 8 right (C, M, Y, K each). OpenCV
/// writes only grey and YCbCr JPEGs and a component count cannot be patched
/// into one (the scan interleaves the components), so this encodes flat
/// blocks directly: quantization 1, every block only its DC coefficient
/// 8 * (sample - 128), which the inverse DCT turns back into the sample
/// exactly.
QByteArray cmykJpeg(const std::array<uchar, 4> &left, const std::array<uchar, 4> &right)
{
    QByteArray jpeg("\xFF\xD8", 2);
    // APP14 Adobe: version 100, flags 0, 0, transform 0 (CMYK, no conversion)
    jpeg += QByteArray("\xFF\xEE", 2);
    put16(jpeg, 14);
    jpeg += QByteArray("Adobe", 5);
    put16(jpeg, 100);
    put16(jpeg, 0);
    put16(jpeg, 0);
    put8(jpeg, 0);
    // DQT: table 0, all ones
    jpeg += QByteArray("\xFF\xDB", 2);
    put16(jpeg, 67);
    put8(jpeg, 0);
    jpeg += QByteArray(64, '\x01');
    // SOF0: 8-bit, 8 rows, 16 columns, components 1..4 at 1x1, table 0
    jpeg += QByteArray("\xFF\xC0", 2);
    put16(jpeg, 8 + 3 * 4);
    put8(jpeg, 8);
    put16(jpeg, 8);
    put16(jpeg, 16);
    put8(jpeg, 4);
    for (unsigned id = 1; id <= 4; ++id) {
        put8(jpeg, id);
        put8(jpeg, 0x11);
        put8(jpeg, 0);
    }
    // DHT: the standard luminance DC table (categories 0..11), and an AC
    // table holding only end-of-block, coded as the single bit 0.
    const std::array<int, 16> dcCounts{0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    jpeg += QByteArray("\xFF\xC4", 2);
    put16(jpeg, 2 + 17 + 12 + 17 + 1);
    put8(jpeg, 0x00);
    for (const int n : dcCounts)
        put8(jpeg, static_cast<unsigned>(n));
    for (unsigned category = 0; category < 12; ++category)
        put8(jpeg, category);
    put8(jpeg, 0x10);
    put8(jpeg, 1);
    for (int i = 1; i < 16; ++i)
        put8(jpeg, 0);
    put8(jpeg, 0x00);
    // The canonical DC codes: category -> (code, length).
    std::array<std::pair<std::uint32_t, int>, 12> dcCodes{};
    std::uint32_t code = 0;
    unsigned category = 0;
    for (int length = 1; length <= 16; ++length) {
        for (int i = 0; i < dcCounts[static_cast<std::size_t>(length - 1)]; ++i)
            dcCodes[category++] = {code++, length};
        code <<= 1;
    }
    // SOS: the four components, tables 0/0, full spectrum
    jpeg += QByteArray("\xFF\xDA", 2);
    put16(jpeg, 6 + 2 * 4);
    put8(jpeg, 4);
    for (unsigned id = 1; id <= 4; ++id) {
        put8(jpeg, id);
        put8(jpeg, 0x00);
    }
    put8(jpeg, 0);
    put8(jpeg, 63);
    put8(jpeg, 0);
    JpegBits bits;
    std::array<int, 4> previous{};
    for (const auto &samples : {left, right}) {
        for (std::size_t c = 0; c < 4; ++c) {
            const int dc = 8 * (samples[c] - 128);
            const int diff = dc - previous[c];
            previous[c] = dc;
            int size = 0;
            while ((std::abs(diff) >> size) != 0)
                ++size;
            bits.put(dcCodes[static_cast<std::size_t>(size)].first,
                     dcCodes[static_cast<std::size_t>(size)].second);
            if (size > 0)
                bits.put(static_cast<std::uint32_t>(diff < 0 ? diff + (1 << size) - 1 : diff),
                         size);
            bits.put(0, 1); // end of block
        }
    }
    jpeg += bits.finish();
    jpeg += QByteArray("\xFF\xD9", 2);
    return jpeg;
}

/// What OpenCV 4.6 makes of CMYK samples (Adobe's inverted convention):
/// each of C, M, Y becomes k - (255 - x) * k / 256, stored as R, G, B.
cv::Vec3b cmykToBgr(const std::array<uchar, 4> &cmyk)
{
    const int k = cmyk[3];
    const auto channel = [k](int x) { return static_cast<uchar>(k - (((255 - x) * k) >> 8)); };
    return {channel(cmyk[2]), channel(cmyk[1]), channel(cmyk[0])};
}

/// The JPEG with an APP1 Exif segment (big-endian TIFF structure, one
/// Orientation entry) inserted after SOI.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    QByteArray exif("Exif\0\0MM\0\x2A", 10);
    put32(exif, 8);      // IFD0 offset
    put16(exif, 1);      // one entry
    put16(exif, 0x0112); // Orientation
    put16(exif, 3);      // SHORT
    put32(exif, 1);      // one value
    put16(exif, static_cast<unsigned>(orientation));
    put16(exif, 0);
    put32(exif, 0); // no next IFD
    QByteArray out = jpeg.left(2);
    out += QByteArray("\xFF\xE1", 2);
    put16(out, static_cast<unsigned>(exif.size() + 2));
    out += exif;
    out += jpeg.mid(2);
    return out;
}

/// A TIFF of two pages of different sizes, through cv::imwritemulti.
QByteArray multiPageTiff(const cv::Mat &first, const cv::Mat &second)
{
    QTemporaryDir dir;
    const std::string path = QDir(dir.path()).filePath("pages.tif").toStdString();
    if (!cv::imwritemulti(path, std::vector<cv::Mat>{first, second}))
        qFatal("cv::imwritemulti failed");
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the multi-page TIFF back");
    return file.readAll();
}

// ---------------------------------------------------------------------------
// The files

struct FileCase {
    const char *tag;
    QString file; ///< the name in its own folder
    QByteArray bytes;
    QString reason;   ///< empty: opens; otherwise part of the one-line message
    cv::Mat expected; ///< opens: the image loadImage must give (type, size, pixels)
};

std::vector<FileCase> fileCases()
{
    std::vector<FileCase> cases;
    const auto refused = [&](const char *tag, const QString &file, const QByteArray &bytes,
                             const QString &reason) {
        cases.push_back({tag, file, bytes, reason, {}});
    };
    const auto opens = [&](const char *tag, const QString &file, const QByteArray &bytes,
                           const cv::Mat &expected) {
        cases.push_back({tag, file, bytes, {}, expected});
    };

    const QByteArray png = encode(".png", randomImage({64, 64}, CV_8UC3, 1));
    const QByteArray jpeg = encode(".jpg", smoothImage({64, 48}));

    refused("zero-byte file", "empty.png", {}, "empty file (zero bytes)");
    {
        std::mt19937 random(7);
        QByteArray noise;
        for (int i = 0; i < 4096; ++i)
            put8(noise, random() & 0xFF);
        refused("random bytes named .jpg", "noise.jpg", noise, "not an image (unrecognised data)");
    }
    refused("text named .png", "notes.png", "This is a text file, not an image.\n",
            "not an image (unrecognised data)");
    refused("truncated PNG", "cut.png", png.left(png.size() / 2),
            "truncated or corrupt data (the PNG data ends early)");
    refused("truncated JPEG", "cut.jpg", jpeg.left(jpeg.size() * 6 / 10),
            "truncated or corrupt data (the JPEG data ends before its end marker)");
    {
        // The last byte of IDAT's checksum: the chunk's data is intact, its
        // CRC is not.
        QByteArray bad = png;
        const qsizetype iend = bad.indexOf("IEND");
        bad[iend - 5] = static_cast<char>(bad[iend - 5] ^ 0x01);
        refused("PNG with a corrupted CRC", "bad crc.png", bad,
                "truncated or corrupt data (bad IDAT checksum)");
    }
    // Every CRC right, but the zlib stream's first deflate block has the
    // reserved type 3: libpng's own message becomes part of our one line.
    refused("PNG with a broken deflate stream", "broken deflate.png",
            pngWithIdat(8, 8, 8, 2, QByteArray("\x78\x9c\x07\x00\x00\x00\x00\x00", 8)),
            "truncated or corrupt data (libpng error: IDAT: invalid block type)");
    refused("PNG header claiming 200000 x 200000", "huge.png",
            pngFile(200000, 200000, 8, 2, {QByteArray(3, '\0')}),
            "too large: 200000 x 200000 pixels is more than the limit of 200 megapixels");
    refused("zero width", "zero width.png", pngFile(0, 10, 8, 2, {}),
            "zero width or height (0 x 10 pixels)");
    refused("zero height", "zero height.png", pngFile(7, 0, 8, 2, {}),
            "zero width or height (7 x 0 pixels)");
    refused("truncated JPEG with a non-ASCII name", QStringLiteral("kaputt ä ö 写真.jpg"),
            jpeg.left(jpeg.size() - 2),
            "truncated or corrupt data (the JPEG data ends before its end marker)");

    const cv::Mat rgb16 = randomImage({37, 23}, CV_16UC3, 2);
    opens("16-bit RGB PNG", "deep.png", encode(".png", rgb16), rgb16);
    const auto [greyAlpha, greyAlphaPixels] = greyAlphaPng();
    opens("grey+alpha PNG", "grey alpha.png", greyAlpha, greyAlphaPixels);
    const auto [palette, palettePixels] = palettePng();
    opens("palette PNG", "palette.png", palette, palettePixels);
    {
        const std::array<uchar, 4> left{200, 100, 50, 220};
        const std::array<uchar, 4> right{10, 250, 128, 255};
        cv::Mat expected(8, 16, CV_8UC3);
        expected.colRange(0, 8).setTo(cmykToBgr(left));
        expected.colRange(8, 16).setTo(cmykToBgr(right));
        opens("CMYK JPEG", "cmyk.jpg", cmykJpeg(left, right), expected);
    }
    {
        // Stored 8 wide and 4 high; orientation 6 shows it turned clockwise.
        const QByteArray stored = encode(".jpg", smoothImage({8, 4}));
        cv::Mat turned;
        cv::rotate(referenceDecode(stored), turned, cv::ROTATE_90_CLOCKWISE);
        opens("EXIF orientation 6 JPEG", "rotated.jpg", withExifOrientation(stored, 6), turned);
    }
    {
        const cv::Mat first = randomImage({30, 20}, CV_8UC3, 3);
        const cv::Mat second = randomImage({10, 10}, CV_8UC3, 4);
        opens("multi-page TIFF (the first page)", "pages.tif", multiPageTiff(first, second), first);
    }
    const cv::Mat float32 = randomImage({21, 13}, CV_32FC3, 5);
    opens("float32 TIFF", "float.tif", encode(".tif", float32, {cv::IMWRITE_TIFF_COMPRESSION, 5}),
          float32);
    const cv::Mat plain = randomImage({19, 11}, CV_8UC3, 6);
    opens("name with spaces and non-ASCII letters", QStringLiteral("a photo ä é ß 写真.png"),
          encode(".png", plain), plain);
    return cases;
}

void addFileColumns()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<cv::Mat>("expected");
    for (const FileCase &c : fileCases())
        QTest::newRow(c.tag) << c.file << c.bytes << c.reason << c.expected;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// ---------------------------------------------------------------------------
// Parameters

/// A number as the command line and JSON read it back exactly: "0.099999999999999992",
/// "nan", "inf", "-inf".
QString numberText(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return QString::fromLatin1(buffer);
}

/// Values at and beyond a descriptor's limits, and the non-finite ones.
std::vector<std::pair<double, const char *>> limitValues(const ks::ParamDescriptor &d)
{
    std::vector<std::pair<double, const char *>> values{{d.min, "min"}, {d.max, "max"}};
    switch (d.type) {
    case ks::ParamType::Real:
        values.insert(values.end(), {{std::nextafter(d.min, -kInf), "just below min"},
                                     {std::nextafter(d.max, kInf), "just above max"}});
        break;
    case ks::ParamType::Integer:
    case ks::ParamType::Boolean:
        values.insert(values.end(), {{d.min - 1, "min - 1"}, {d.max + 1, "max + 1"}});
        break;
    case ks::ParamType::OddInteger:
        values.insert(values.end(), {{d.min - 2, "min - 2"}, {d.max + 2, "max + 2"}});
        if (d.zeroIsAuto)
            values.emplace_back(0, "0 (automatic)");
        break;
    }
    values.insert(values.end(), {{kNaN, "NaN"}, {kInf, "+inf"}, {-kInf, "-inf"}});
    return values;
}

constexpr ks::RegionMethod kRegionMethods[] = {ks::RegionMethod::Gaussian,
                                               ks::RegionMethod::Pixelate, ks::RegionMethod::Box};

/// Rows over every descriptor of every filter (region < 0) and every region
/// method (region = the method), each at and beyond its limits.
void addParameterColumns()
{
    QTest::addColumn<int>("kind");   ///< a FilterKind, or -1 for a region
    QTest::addColumn<int>("region"); ///< a RegionMethod, or -1 for a filter
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");
    const auto rows = [](const std::string &owner, int kind, int region,
                         std::span<const ks::ParamDescriptor> descriptors) {
        for (const ks::ParamDescriptor &d : descriptors) {
            for (const auto &[value, label] : limitValues(d))
                QTest::addRow("%s %s = %s (%s)", owner.c_str(), d.key.c_str(),
                              qPrintable(numberText(value)), label)
                    << kind << region << QString::fromStdString(d.key) << value;
        }
    };
    for (const ks::FilterKind kind : ks::kAllFilterKinds)
        rows(std::string(ks::filterName(kind)), static_cast<int>(kind), -1,
             ks::parameterDescriptors(kind));
    for (const ks::RegionMethod method : kRegionMethods)
        rows("region " + std::string(ks::regionMethodName(method)), -1, static_cast<int>(method),
             ks::regionParameterDescriptors(method));
}

const ks::ParamDescriptor &descriptorOf(int kind, int region, const QString &key)
{
    const std::span<const ks::ParamDescriptor> descriptors =
        kind >= 0 ? ks::parameterDescriptors(static_cast<ks::FilterKind>(kind))
                  : ks::regionParameterDescriptors(static_cast<ks::RegionMethod>(region));
    for (const ks::ParamDescriptor &d : descriptors)
        if (QString::fromStdString(d.key) == key)
            return d;
    qFatal("no descriptor %s", qPrintable(key));
}

/// A region of the given method with the value in its parameter key.
ks::Region regionWith(ks::RegionMethod method, const std::string &key, double value)
{
    ks::Region region;
    region.rect = cv::Rect(1, 1, 2, 2);
    region.method = method;
    region.strength = ks::regionParameterDescriptors(method)[0].defaultValue;
    if (key == "feather")
        region.feather = static_cast<int>(value); // only called with whole, in-range values
    else
        region.strength = value;
    return region;
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void library_data() { addFileColumns(); }
    void library();
    void commandLine_data() { addFileColumns(); }
    void commandLine();
    void mainWindow_data() { addFileColumns(); }
    void mainWindow();

    void parameterLibrary_data() { addParameterColumns(); }
    void parameterLibrary();
    void parameterPreset_data() { addParameterColumns(); }
    void parameterPreset();
    void parameterCommandLine_data() { addParameterColumns(); }
    void parameterCommandLine();

private:
    /// A new empty folder for one row.
    QString freshFolder();

    QTemporaryDir root_;
    int folders_ = 0;
    std::unique_ptr<ks::MainWindow> window_;
};

QString TestBadInput::freshFolder()
{
    const QString name = QStringLiteral("row%1").arg(++folders_);
    QDir(root_.path()).mkdir(name);
    return QDir(root_.path()).filePath(name);
}

void TestBadInput::initTestCase()
{
    QVERIFY(root_.isValid());
    // Keep the developer's own settings (recent files, last folder) out of it.
    QCoreApplication::setOrganizationName(QStringLiteral("KernelscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_bad_input"));
    QSettings().clear();
}

void TestBadInput::cleanupTestCase()
{
    window_.reset();
    QSettings().clear();
}

// ---------------------------------------------------------------- files

void TestBadInput::library()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QFETCH(cv::Mat, expected);
    const QString path = QDir(freshFolder()).filePath(file);
    QVERIFY(writeFile(path, bytes));
    const fs::path fsPath(path.toStdString());

    std::optional<QString> message;
    cv::Mat loaded;
    try {
        loaded = ks::loadImage(fsPath);
    } catch (const ks::FileError &e) {
        message = QString::fromStdString(e.what());
    }

    if (reason.isEmpty()) {
        QVERIFY2(!message, qPrintable(message.value_or(QString())));
        QCOMPARE(loaded.cols, expected.cols);
        QCOMPARE(loaded.rows, expected.rows);
        QCOMPARE(loaded.type(), expected.type());
        QVERIFY(identical(loaded, expected));
    } else {
        QVERIFY2(message, "loadImage accepted it");
        QVERIFY2(message->startsWith("cannot open '" + path + "': "), qPrintable(*message));
        QVERIFY2(message->contains(reason), qPrintable(*message));
        QVERIFY(!message->contains('\n'));
    }
}

void TestBadInput::commandLine()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QFETCH(cv::Mat, expected);
    const QString folder = freshFolder();
    QVERIFY(writeFile(QDir(folder).filePath(file), bytes));

    const ks::test::CliRun run = ks::test::kernelscope({"apply", file, "-o", "out.png"}, folder);

    const QStringList left =
        QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot);
    if (reason.isEmpty()) {
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        const cv::Mat written =
            cv::imread(QDir(folder).filePath("out.png").toStdString(), cv::IMREAD_UNCHANGED);
        const cv::Mat wanted = ks::runPipeline(expected, ks::Document{}, CV_8U).output;
        QVERIFY(identical(written, wanted));
    } else {
        QCOMPARE(run.exitCode, 1);
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(err.count('\n') == 1 && err.endsWith('\n'), qPrintable(err));
        QVERIFY2(err.startsWith("kernelscope: "), qPrintable(err));
        QVERIFY2(err.contains("'" + file + "'"), qPrintable(err));
        QVERIFY2(err.contains(reason), qPrintable(err));
        QCOMPARE(left, QStringList{file}); // no output, no temporary file
    }
    QVERIFY(run.out.isEmpty());
}

void TestBadInput::mainWindow()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QFETCH(cv::Mat, expected);
    const QString path = QDir(freshFolder()).filePath(file);
    QVERIFY(writeFile(path, bytes));
    if (!window_) {
        window_ = std::make_unique<ks::MainWindow>();
        window_->show();
    }
    ks::MainWindow &window = *window_;
    const cv::Mat before = window.source();
    const QString title = window.windowTitle();
    QSignalSpy errors(&window, &ks::MainWindow::errorShown);

    const bool opened = window.openFile(path);

    if (reason.isEmpty()) {
        QVERIFY(opened);
        QCOMPARE(errors.count(), 0);
        QVERIFY(identical(window.source(), expected));
    } else {
        QVERIFY(!opened);
        QCOMPARE(errors.count(), 1);
        const QString message = errors.at(0).at(0).toString();
        QVERIFY2(message.contains(file) && message.contains(reason), qPrintable(message));
        QVERIFY(!message.contains('\n'));
        // The document is kept: the very same pixels, the same title.
        QCOMPARE(window.source().data, before.data);
        QVERIFY(identical(window.source(), before));
        QCOMPARE(window.windowTitle(), title);
    }
    for (QMessageBox *box : window.findChildren<QMessageBox *>())
        delete box;
}

// ---------------------------------------------------------------- parameters

void TestBadInput::parameterLibrary()
{
    QFETCH(int, kind);
    QFETCH(int, region);
    QFETCH(QString, key);
    QFETCH(double, value);
    const ks::ParamDescriptor &d = descriptorOf(kind, region, key);
    const std::optional<std::string> problem = ks::checkParameter(d, value);
    const std::string k = key.toStdString();

    if (kind >= 0) {
        ks::FilterSpec spec = ks::defaultSpec(static_cast<ks::FilterKind>(kind));
        std::optional<std::string> message;
        try {
            ks::setParameter(spec, k, value);
            ks::validate(spec);
        } catch (const ks::ParameterError &e) {
            message = e.what();
            QCOMPARE(QString::fromStdString(e.key()), key);
        }
        QCOMPARE(message, problem);
        return;
    }
    const auto method = static_cast<ks::RegionMethod>(region);
    if (!problem) {
        ks::validateRegion(regionWith(method, k, value), 0);
        return;
    }
    // validateRegion takes a Region, whose feather is an int: a feather that
    // is not one cannot reach it; checkParameter is what refuses it.
    QVERIFY(problem->find('\n') == std::string::npos);
    if (k == "feather")
        return;
    try {
        ks::validateRegion(regionWith(method, k, value), 0);
        QFAIL("validateRegion accepted it");
    } catch (const ks::ParameterError &e) {
        QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString("region 1: " + *problem));
    }
}

void TestBadInput::parameterPreset()
{
    QFETCH(int, kind);
    QFETCH(int, region);
    QFETCH(QString, key);
    QFETCH(double, value);
    const ks::ParamDescriptor &d = descriptorOf(kind, region, key);
    const std::optional<std::string> problem = ks::checkParameter(d, value);

    // JSON has no NaN or infinities: those are written the way other
    // programs do (NaN, Infinity) or overflow (1e400), and refused as JSON.
    QString number = numberText(value);
    if (std::isnan(value))
        number = QStringLiteral("NaN");
    else if (std::isinf(value))
        number = value > 0 ? QStringLiteral("1e400") : QStringLiteral("-Infinity");
    else if (d.type == ks::ParamType::Boolean && (value == 0 || value == 1))
        number = value == 1 ? QStringLiteral("true") : QStringLiteral("false");

    QString json;
    QString path;
    if (kind >= 0) {
        json = QStringLiteral(R"({"format": "kernelscope-preset", "version": 1,
                                  "filter": {"type": "%1", "%2": %3}})")
                   .arg(QString::fromStdString(
                            std::string(ks::filterName(static_cast<ks::FilterKind>(kind)))),
                        key, number);
        path = "/filter/" + key;
    } else {
        json = QStringLiteral(R"({"format": "kernelscope-preset", "version": 1,
                                  "regions": [{"x": 1, "y": 1, "width": 2, "height": 2,
                                               "method": "%1", "%2": %3}]})")
                   .arg(QString::fromStdString(std::string(
                            ks::regionMethodName(static_cast<ks::RegionMethod>(region)))),
                        key, number);
        path = "/regions/0/" + key;
    }

    std::optional<QString> message;
    try {
        const ks::PresetLoad load = ks::presetFromJson(json.toStdString());
        QVERIFY(load.warnings.empty());
    } catch (const ks::PresetError &e) {
        message = QString::fromStdString(e.what());
    }

    if (!problem) {
        QVERIFY2(!message, qPrintable(message.value_or(QString())));
    } else if (!std::isfinite(value)) {
        QVERIFY2(message && message->startsWith("not valid JSON"),
                 qPrintable(message.value_or("accepted")));
    } else if (d.type == ks::ParamType::Boolean) {
        QCOMPARE(message, path + ": expected true or false, got a number");
    } else {
        QCOMPARE(message, path + ": " + QString::fromStdString(*problem));
    }
}

void TestBadInput::parameterCommandLine()
{
    QFETCH(int, kind);
    QFETCH(int, region);
    QFETCH(QString, key);
    QFETCH(double, value);
    const ks::ParamDescriptor &d = descriptorOf(kind, region, key);
    const std::optional<std::string> problem = ks::checkParameter(d, value);
    const QString folder = freshFolder();
    QVERIFY(cv::imwrite(QDir(folder).filePath("in.png").toStdString(),
                        randomImage({6, 5}, CV_8UC3, 8)));

    QStringList arguments{"apply", "in.png", "-o", "out.png"};
    if (kind >= 0) {
        arguments << "--filter=" + QString::fromStdString(std::string(
                                       ks::filterName(static_cast<ks::FilterKind>(kind))))
                  << "--" + key + "=" + numberText(value);
    } else {
        const auto method = static_cast<ks::RegionMethod>(region);
        const QString name = QString::fromStdString(std::string(ks::regionMethodName(method)));
        arguments << (key == "feather"
                          ? "--region=1,1,2,2:" + name + ":feather=" + numberText(value)
                          : "--region=1,1,2,2:" + name + "=" + numberText(value));
    }

    const ks::test::CliRun run = ks::test::kernelscope(arguments, folder);

    if (!problem) {
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFile::exists(QDir(folder).filePath("out.png")));
        return;
    }
    QCOMPARE(run.exitCode, 2);
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.count('\n') == 1 && err.startsWith("kernelscope: "), qPrintable(err));
    if (d.type == ks::ParamType::Boolean)
        QVERIFY2(err.contains("expected 0, 1, true or false"), qPrintable(err));
    else
        QVERIFY2(err.contains(QString::fromStdString(*problem)), qPrintable(err));
    QVERIFY(!QFile::exists(QDir(folder).filePath("out.png")));
}

QTEST_MAIN(TestBadInput)
#include "tst_bad_input.moc"
