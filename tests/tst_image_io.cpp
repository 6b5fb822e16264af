// Tests for core/image_io.h: loading, saving and header parsing.
//
// Every input is generated here: images with cv::imencode, and what OpenCV
// cannot write (grey+alpha and palette PNGs, a PNG with eXIf, grey TIFFs with
// an Orientation tag or signed samples, crafted headers) with the small
// writers below, which follow the format specifications. Expected pixels come
// from cv::imdecode of the same bytes or from pixels built by hand; expected
// orientations from the EXIF definition, pixel by pixel.

#include "core/image_io.h"
#include "test_fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QByteArray>
#include <QElapsedTimer>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using ks::test::entries;
using ks::test::fileErrorOf;
using ks::test::folderOf;

namespace fs = std::filesystem;
using namespace std::string_view_literals;
using Bytes = std::vector<std::byte>;

// ---------------------------------------------------------------------------
// Bytes

void put8(Bytes &out, unsigned value)
{
    out.push_back(static_cast<std::byte>(value & 0xFF));
}

void put16(Bytes &out, unsigned value, bool bigEndian)
{
    for (int i = 0; i < 2; ++i)
        put8(out, value >> (bigEndian ? 8 * (1 - i) : 8 * i));
}

void put24(Bytes &out, std::uint32_t value)
{
    for (int i = 0; i < 3; ++i)
        put8(out, value >> (8 * i));
}

void put32(Bytes &out, std::uint32_t value, bool bigEndian)
{
    for (int i = 0; i < 4; ++i)
        put8(out, value >> (bigEndian ? 8 * (3 - i) : 8 * i));
}

void put64(Bytes &out, std::uint64_t value, bool bigEndian)
{
    for (int i = 0; i < 8; ++i)
        put8(out, static_cast<unsigned>(value >> (bigEndian ? 8 * (7 - i) : 8 * i)));
}

void append(Bytes &out, std::string_view text)
{
    for (const char c : text)
        put8(out, static_cast<unsigned char>(c));
}

void append(Bytes &out, const Bytes &more)
{
    out.insert(out.end(), more.begin(), more.end());
}

Bytes toBytes(const std::vector<uchar> &data)
{
    Bytes bytes(data.size());
    std::memcpy(bytes.data(), data.data(), data.size());
    return bytes;
}

QByteArray toQt(const Bytes &bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

std::span<const std::byte> spanOf(const QByteArray &data)
{
    return std::as_bytes(std::span(data.constData(), static_cast<std::size_t>(data.size())));
}

Bytes encode(const std::string &extension, const cv::Mat &image,
             const std::vector<int> &params = {})
{
    std::vector<uchar> data;
    if (!cv::imencode(extension, image, data, params))
        qFatal("cv::imencode(%s) failed", extension.c_str());
    return toBytes(data);
}

/// OpenCV's own decoding of the same bytes: the independent reference.
cv::Mat referenceDecode(std::span<const std::byte> bytes)
{
    const std::vector<uchar> data(reinterpret_cast<const uchar *>(bytes.data()),
                                  reinterpret_cast<const uchar *>(bytes.data()) + bytes.size());
    return cv::imdecode(data, cv::IMREAD_UNCHANGED);
}

std::uint32_t crc32(std::span<const std::byte> bytes)
{
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const std::byte b : bytes) {
        crc ^= std::to_integer<std::uint32_t>(b);
        for (int k = 0; k < 8; ++k)
            crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return crc ^ 0xFFFFFFFFu;
}

std::uint32_t adler32(const Bytes &bytes)
{
    std::uint32_t a = 1;
    std::uint32_t b = 0;
    for (const std::byte byte : bytes) {
        a = (a + std::to_integer<std::uint32_t>(byte)) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

void writeBytes(const fs::path &path, const Bytes &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

Bytes readBytes(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    Bytes bytes(text.size());
    std::memcpy(bytes.data(), text.data(), text.size());
    return bytes;
}

/// Same size, type and bytes (NaN payloads and signed zeros included).
bool identical(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    const std::size_t rowBytes = static_cast<std::size_t>(a.cols) * a.elemSize();
    for (int r = 0; r < a.rows; ++r) {
        if (std::memcmp(a.ptr(r), b.ptr(r), rowBytes) != 0)
            return false;
    }
    return true;
}

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

// ---------------------------------------------------------------------------
// Images

const char *depthLabel(int depth)
{
    switch (depth) {
    case CV_8U:
        return "8U";
    case CV_16U:
        return "16U";
    case CV_32F:
        return "32F";
    case CV_64F:
        return "64F";
    case CV_16S:
        return "16S";
    default:
        return "?";
    }
}

/// Random values over the depth's range (lossless formats), or a smooth
/// pattern (JPEG, lossy WebP).
cv::Mat testImage(int depth, int channels, bool smooth, cv::Size size = {37, 23})
{
    cv::Mat image(size, CV_MAKETYPE(depth, channels));
    if (smooth) {
        cv::Mat pattern(size, CV_MAKETYPE(CV_64F, channels));
        for (int y = 0; y < size.height; ++y) {
            for (int x = 0; x < size.width; ++x) {
                for (int c = 0; c < channels; ++c)
                    pattern.ptr<double>(y)[x * channels + c] =
                        128 + 90 * std::sin(x / 9.0 + c) * std::cos(y / 7.0 - c);
            }
        }
        pattern.convertTo(image, image.type());
        return image;
    }
    cv::RNG rng(static_cast<std::uint64_t>(1000 + depth * 10 + channels));
    const double high = depth == CV_8U ? 256 : depth == CV_16U ? 65536 : 1000;
    const double low = depth == CV_32F ? -1000 : 0;
    rng.fill(image, cv::RNG::UNIFORM, low, high);
    return image;
}

/// Where EXIF orientation o shows stored pixel (row, col), from the tag's
/// definition (row 0 / column 0 is the visual ...): 1 top/left, 2 top/right,
/// 3 bottom/right, 4 bottom/left, 5 left/top, 6 right/top, 7 right/bottom,
/// 8 left/bottom.
cv::Mat orientByDefinition(const cv::Mat &stored, int orientation)
{
    const int h = stored.rows;
    const int w = stored.cols;
    const bool swapped = orientation >= 5;
    cv::Mat shown(swapped ? w : h, swapped ? h : w, stored.type());
    const std::size_t size = stored.elemSize();
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            int row = r;
            int col = c;
            switch (orientation) {
            case 2:
                col = w - 1 - c;
                break;
            case 3:
                row = h - 1 - r;
                col = w - 1 - c;
                break;
            case 4:
                row = h - 1 - r;
                break;
            case 5:
                row = c;
                col = r;
                break;
            case 6:
                row = c;
                col = h - 1 - r;
                break;
            case 7:
                row = w - 1 - c;
                col = h - 1 - r;
                break;
            case 8:
                row = w - 1 - c;
                col = r;
                break;
            default:
                break;
            }
            std::memcpy(shown.ptr(row) + col * size, stored.ptr(r) + c * size, size);
        }
    }
    return shown;
}

// ---------------------------------------------------------------------------
// Writers for what OpenCV cannot write

Bytes pngChunk(std::string_view type, const Bytes &data)
{
    Bytes typed;
    append(typed, type);
    append(typed, data);
    Bytes chunk;
    put32(chunk, static_cast<std::uint32_t>(data.size()), true);
    append(chunk, typed);
    put32(chunk, crc32(typed), true);
    return chunk;
}

/// A zlib stream of stored (uncompressed) deflate blocks.
Bytes zlibStored(const Bytes &raw)
{
    Bytes z;
    put8(z, 0x78);
    put8(z, 0x01);
    std::size_t pos = 0;
    do {
        const std::size_t n = std::min<std::size_t>(65535, raw.size() - pos);
        put8(z, pos + n == raw.size() ? 1 : 0);
        put16(z, static_cast<unsigned>(n), false);
        put16(z, static_cast<unsigned>(~n & 0xFFFF), false);
        z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos),
                 raw.begin() + static_cast<std::ptrdiff_t>(pos + n));
        pos += n;
    } while (pos < raw.size());
    put32(z, adler32(raw), true);
    return z;
}

struct PngSpec {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bitDepth = 8;
    int colorType = 0;       ///< 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
    std::vector<Bytes> rows; ///< packed samples of each row, without filter byte
    std::vector<std::pair<std::string, Bytes>> chunks; ///< between IHDR and IDAT
};

Bytes makePng(const PngSpec &spec)
{
    Bytes png;
    append(png, "\x89PNG\r\n\x1a\n"sv);
    Bytes header;
    put32(header, spec.width, true);
    put32(header, spec.height, true);
    put8(header, static_cast<unsigned>(spec.bitDepth));
    put8(header, static_cast<unsigned>(spec.colorType));
    put8(header, 0);
    put8(header, 0);
    put8(header, 0);
    append(png, pngChunk("IHDR", header));
    for (const auto &[type, data] : spec.chunks)
        append(png, pngChunk(type, data));
    Bytes raw;
    for (const Bytes &row : spec.rows) {
        put8(raw, 0); // filter: none
        append(raw, row);
    }
    append(png, pngChunk("IDAT", zlibStored(raw)));
    append(png, pngChunk("IEND", {}));
    return png;
}

/// The TIFF structure of an Exif block: IFD0 with Make and Orientation.
Bytes exifBlock(int orientation, bool bigEndian)
{
    Bytes tiff;
    append(tiff, bigEndian ? "MM\0*"sv : "II*\0"sv);
    put32(tiff, 8, bigEndian);
    put16(tiff, 2, bigEndian);
    put16(tiff, 0x010F, bigEndian); // Make, ASCII, "Ks\0" inline
    put16(tiff, 2, bigEndian);
    put32(tiff, 3, bigEndian);
    append(tiff, "Ks\0\0"sv);
    put16(tiff, 0x0112, bigEndian); // Orientation, SHORT
    put16(tiff, 3, bigEndian);
    put32(tiff, 1, bigEndian);
    put16(tiff, static_cast<unsigned>(orientation), bigEndian);
    put16(tiff, 0, bigEndian);
    put32(tiff, 0, bigEndian); // no next IFD
    return tiff;
}

/// The JPEG with an APP1 Exif segment inserted right after SOI.
Bytes withJpegExif(const Bytes &jpeg, int orientation, bool bigEndian)
{
    Bytes segment;
    append(segment, "Exif\0\0"sv);
    append(segment, exifBlock(orientation, bigEndian));
    Bytes out(jpeg.begin(), jpeg.begin() + 2);
    put8(out, 0xFF);
    put8(out, 0xE1);
    put16(out, static_cast<unsigned>(segment.size() + 2), true);
    append(out, segment);
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

/// The simple-format WebP rewrapped as extended (VP8X), with an EXIF chunk.
Bytes withWebpExif(const Bytes &webp, int width, int height, std::optional<int> orientation)
{
    Bytes body;
    append(body, "WEBP"sv);
    append(body, "VP8X"sv);
    put32(body, 10, false);
    put8(body, orientation ? 0x08 : 0x00); // EXIF present
    put24(body, 0);
    put24(body, static_cast<std::uint32_t>(width - 1));
    put24(body, static_cast<std::uint32_t>(height - 1));
    body.insert(body.end(), webp.begin() + 12, webp.end()); // the VP8/VP8L chunk
    if (orientation) {
        const Bytes exif = exifBlock(*orientation, false);
        append(body, "EXIF"sv);
        put32(body, static_cast<std::uint32_t>(exif.size()), false);
        append(body, exif);
        if (exif.size() % 2)
            put8(body, 0);
    }
    Bytes out;
    append(out, "RIFF"sv);
    put32(out, static_cast<std::uint32_t>(body.size()), false);
    append(out, body);
    return out;
}

struct TiffSpec {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bitsPerSample = 8;
    int sampleFormat = 1; ///< 1 unsigned, 2 signed, 3 float
    Bytes pixels;         ///< one grey sample per pixel, in the file's byte order
    bool bigEndian = false;
    int orientation = 0; ///< 0: no Orientation tag
};

/// A grey TIFF with one uncompressed strip.
Bytes makeTiff(const TiffSpec &spec)
{
    const bool be = spec.bigEndian;
    Bytes tiff;
    append(tiff, be ? "MM\0*"sv : "II*\0"sv);
    const std::uint32_t ifd =
        static_cast<std::uint32_t>(8 + spec.pixels.size() + spec.pixels.size() % 2);
    put32(tiff, ifd, be);
    append(tiff, spec.pixels);
    if (spec.pixels.size() % 2)
        put8(tiff, 0);
    struct Entry {
        unsigned tag;
        bool isLong;
        std::uint32_t value;
    };
    std::vector<Entry> fields{
        {256, true, spec.width},
        {257, true, spec.height},
        {258, false, static_cast<std::uint32_t>(spec.bitsPerSample)},
        {259, false, 1}, // no compression
        {262, false, 1}, // black is zero
        {273, true, 8},  // the strip's offset
    };
    if (spec.orientation)
        fields.push_back({274, false, static_cast<std::uint32_t>(spec.orientation)});
    fields.push_back({277, false, 1}); // samples per pixel
    fields.push_back({278, true, spec.height});
    fields.push_back({279, true, static_cast<std::uint32_t>(spec.pixels.size())});
    fields.push_back({339, false, static_cast<std::uint32_t>(spec.sampleFormat)});
    put16(tiff, static_cast<unsigned>(fields.size()), be);
    for (const Entry &field : fields) {
        put16(tiff, field.tag, be);
        put16(tiff, field.isLong ? 4 : 3, be);
        put32(tiff, 1, be);
        if (field.isLong) {
            put32(tiff, field.value, be);
        } else {
            put16(tiff, field.value, be);
            put16(tiff, 0, be);
        }
    }
    put32(tiff, 0, be);
    return tiff;
}

/// A grey TIFF of depth CV_8S, CV_16S, CV_32S or CV_64F from a 1-channel Mat.
Bytes tiffOf(const cv::Mat &grey, bool bigEndian)
{
    TiffSpec spec;
    spec.width = static_cast<std::uint32_t>(grey.cols);
    spec.height = static_cast<std::uint32_t>(grey.rows);
    spec.bitsPerSample = static_cast<int>(grey.elemSize1() * 8);
    spec.sampleFormat = grey.depth() == CV_64F || grey.depth() == CV_32F ? 3 : 2;
    spec.bigEndian = bigEndian;
    for (int r = 0; r < grey.rows; ++r) {
        for (int c = 0; c < grey.cols; ++c) {
            const auto *sample = grey.ptr(r) + c * grey.elemSize();
            for (std::size_t i = 0; i < grey.elemSize(); ++i) {
                // host order is little-endian
                const std::size_t index = bigEndian ? grey.elemSize() - 1 - i : i;
                put8(spec.pixels, sample[index]);
            }
        }
    }
    return makeTiff(spec);
}

Bytes gifHeader(unsigned width, unsigned height)
{
    Bytes gif;
    append(gif, "GIF89a"sv);
    put16(gif, width, false);
    put16(gif, height, false);
    put8(gif, 0);
    put8(gif, 0);
    put8(gif, 0);
    append(gif, ";"sv);
    return gif;
}

Bytes jpegHeader(unsigned width, unsigned height)
{
    Bytes jpeg;
    append(jpeg, "\xFF\xD8"sv);
    append(jpeg, "\xFF\xE0"sv); // an APP0 segment to skip first
    put16(jpeg, 16, true);
    append(jpeg, "JFIF\0\x01\x01\0\0\x01\0\x01\0\0"sv);
    append(jpeg, "\xFF\xC0"sv); // SOF0
    put16(jpeg, 17, true);
    put8(jpeg, 8);
    put16(jpeg, height, true);
    put16(jpeg, width, true);
    put8(jpeg, 3);
    for (unsigned id = 1; id <= 3; ++id) {
        put8(jpeg, id);
        put8(jpeg, 0x11);
        put8(jpeg, 0);
    }
    append(jpeg, "\xFF\xD9"sv);
    return jpeg;
}

Bytes bmpHeader(std::int32_t width, std::int32_t height)
{
    Bytes bmp;
    append(bmp, "BM"sv);
    put32(bmp, 54, false);
    put32(bmp, 0, false);
    put32(bmp, 54, false);
    put32(bmp, 40, false);
    put32(bmp, static_cast<std::uint32_t>(width), false);
    put32(bmp, static_cast<std::uint32_t>(height), false);
    put16(bmp, 1, false);
    put16(bmp, 24, false);
    for (int i = 0; i < 6; ++i)
        put32(bmp, 0, false);
    return bmp;
}

Bytes bigTiffHeader(std::uint64_t width, std::uint64_t height, bool bigEndian)
{
    Bytes tiff;
    append(tiff, bigEndian ? "MM\0+"sv : "II+\0"sv);
    put16(tiff, 8, bigEndian);
    put16(tiff, 0, bigEndian);
    put64(tiff, 16, bigEndian);
    put64(tiff, 2, bigEndian);
    put16(tiff, 256, bigEndian); // ImageWidth, SHORT
    put16(tiff, 3, bigEndian);
    put64(tiff, 1, bigEndian);
    put16(tiff, static_cast<unsigned>(width), bigEndian);
    put16(tiff, 0, bigEndian);
    put32(tiff, 0, bigEndian);
    put16(tiff, 257, bigEndian); // ImageLength, LONG8
    put16(tiff, 16, bigEndian);
    put64(tiff, 1, bigEndian);
    put64(tiff, height, bigEndian);
    put64(tiff, 0, bigEndian);
    return tiff;
}

/// A PNG whose IHDR claims width x height, with correct checksums and a
/// token IDAT.
Bytes pngHeader(std::uint32_t width, std::uint32_t height)
{
    PngSpec spec;
    spec.width = width;
    spec.height = height;
    spec.colorType = 2;
    spec.rows = {Bytes(3)};
    return makePng(spec);
}

/// Hand-made PNGs OpenCV cannot write, with the pixels loadImage must give.
std::pair<Bytes, cv::Mat> greyAlphaPng(int bitDepth)
{
    constexpr int kW = 5;
    constexpr int kH = 3;
    PngSpec spec{kW, kH, bitDepth, 4, {}, {}};
    cv::Mat expected(kH, kW, bitDepth == 8 ? CV_8UC4 : CV_16UC4);
    for (int y = 0; y < kH; ++y) {
        Bytes row;
        for (int x = 0; x < kW; ++x) {
            const unsigned grey =
                bitDepth == 8 ? (x * 53 + y * 17) % 256 : (x * 13107 + y * 4099) % 65536;
            const unsigned alpha = bitDepth == 8 ? (255 - x * 40 - y) : (65535 - x * 9000 - y * 7);
            for (const unsigned sample : {grey, alpha}) {
                if (bitDepth == 8)
                    put8(row, sample);
                else
                    put16(row, sample, true);
            }
            if (bitDepth == 8)
                expected.at<cv::Vec4b>(y, x) =
                    cv::Vec4b(static_cast<uchar>(grey), static_cast<uchar>(grey),
                              static_cast<uchar>(grey), static_cast<uchar>(alpha));
            else
                expected.at<cv::Vec4w>(y, x) =
                    cv::Vec4w(static_cast<ushort>(grey), static_cast<ushort>(grey),
                              static_cast<ushort>(grey), static_cast<ushort>(alpha));
        }
        spec.rows.push_back(row);
    }
    return {makePng(spec), expected};
}

std::pair<Bytes, cv::Mat> palettePng(int bitDepth, bool transparency)
{
    constexpr int kW = 7;
    constexpr int kH = 4;
    const std::array<cv::Vec3b, 5> rgb{cv::Vec3b(255, 0, 0), cv::Vec3b(0, 200, 0),
                                       cv::Vec3b(10, 20, 250), cv::Vec3b(77, 88, 99),
                                       cv::Vec3b(255, 255, 255)};
    const std::array<uchar, 3> alphas{0, 128, 200}; // entries 3 and 4 are opaque
    PngSpec spec{kW, kH, bitDepth, 3, {}, {}};
    Bytes palette;
    for (const cv::Vec3b &colour : rgb) {
        for (int i = 0; i < 3; ++i)
            put8(palette, colour[i]);
    }
    spec.chunks.emplace_back("PLTE", palette);
    if (transparency) {
        Bytes trns;
        for (const uchar a : alphas)
            put8(trns, a);
        spec.chunks.emplace_back("tRNS", trns);
    }
    cv::Mat expected(kH, kW, transparency ? CV_8UC4 : CV_8UC3);
    for (int y = 0; y < kH; ++y) {
        Bytes row((kW * static_cast<std::size_t>(bitDepth) + 7) / 8);
        for (int x = 0; x < kW; ++x) {
            const unsigned index = static_cast<unsigned>(x + 2 * y) % rgb.size();
            if (bitDepth == 8) {
                row[static_cast<std::size_t>(x)] = static_cast<std::byte>(index);
            } else { // 4 bits, high nibble first
                const unsigned shift = x % 2 == 0 ? 4 : 0;
                row[static_cast<std::size_t>(x / 2)] |= static_cast<std::byte>(index << shift);
            }
            const cv::Vec3b &c = rgb[index];
            if (transparency)
                expected.at<cv::Vec4b>(y, x) =
                    cv::Vec4b(c[2], c[1], c[0], index < alphas.size() ? alphas[index] : uchar{255});
            else
                expected.at<cv::Vec3b>(y, x) = cv::Vec3b(c[2], c[1], c[0]);
        }
        spec.rows.push_back(row);
    }
    return {makePng(spec), expected};
}

std::pair<Bytes, cv::Mat> rgbPng(int bitDepth, std::optional<int> exifOrientation = std::nullopt)
{
    constexpr int kW = 6;
    constexpr int kH = 4;
    PngSpec spec{kW, kH, bitDepth, 2, {}, {}};
    if (exifOrientation)
        spec.chunks.emplace_back("eXIf", exifBlock(*exifOrientation, true));
    cv::Mat expected(kH, kW, bitDepth == 8 ? CV_8UC3 : CV_16UC3);
    for (int y = 0; y < kH; ++y) {
        Bytes row;
        for (int x = 0; x < kW; ++x) {
            const std::array<unsigned, 3> rgb{static_cast<unsigned>(x * 40 + y),
                                              static_cast<unsigned>(y * 60 + 3),
                                              static_cast<unsigned>(x * y * 9 + 1)};
            for (int c = 0; c < 3; ++c) {
                const unsigned value = bitDepth == 8 ? rgb[c] : rgb[c] * 257 + 1;
                if (bitDepth == 8) {
                    put8(row, value);
                    expected.ptr<uchar>(y)[x * 3 + 2 - c] = static_cast<uchar>(value);
                } else {
                    put16(row, value, true);
                    expected.ptr<ushort>(y)[x * 3 + 2 - c] = static_cast<ushort>(value);
                }
            }
        }
        spec.rows.push_back(row);
    }
    return {makePng(spec), expected};
}

std::pair<Bytes, cv::Mat> greyTiff(int orientation, bool bigEndian)
{
    TiffSpec spec;
    spec.width = 6;
    spec.height = 4;
    spec.bigEndian = bigEndian;
    spec.orientation = orientation;
    cv::Mat stored(4, 6, CV_8UC1);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 6; ++x) {
            stored.at<uchar>(y, x) = static_cast<uchar>(x * 40 + y * 7);
            put8(spec.pixels, stored.at<uchar>(y, x));
        }
    }
    return {makeTiff(spec), stored};
}

/// Offset just past the PNG chunk of this type.
std::size_t pngChunkEnd(const Bytes &png, std::string_view type)
{
    std::size_t pos = 8;
    while (pos + 8 <= png.size()) {
        std::uint32_t length = 0;
        for (int i = 0; i < 4; ++i)
            length = (length << 8) |
                     std::to_integer<std::uint32_t>(png[pos + static_cast<std::size_t>(i)]);
        const std::string_view here(reinterpret_cast<const char *>(png.data() + pos + 4), 4);
        pos += 12 + length;
        if (here == type)
            return pos;
    }
    return 0;
}

} // namespace

Q_DECLARE_METATYPE(cv::Mat)

class TestImageIo : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        std::signal(SIGXFSZ, SIG_IGN); // as the applications do at start
        QVERIFY(cv::haveImageWriter(".png"));
        QVERIFY(cv::haveImageWriter(".tif"));
    }

    // -----------------------------------------------------------------------
    // Saving and loading

    void roundTrip_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("quality");
        QTest::addColumn<int>("tolerance"); // 0: exact
        struct Rows {
            const char *name;
            std::vector<int> depths;
            std::vector<int> channels;
            int quality;
            int tolerance;
        };
        std::vector<Rows> table{
            {"out.png", {CV_8U, CV_16U}, {1, 3, 4}, 95, 0},
            {"out.tif", {CV_8U, CV_16U, CV_32F}, {1, 3, 4}, 95, 0},
            {"out.tiff", {CV_32F}, {3}, 95, 0},
            {"OUT.TIF", {CV_16U}, {4}, 95, 0},
            {"out.bmp", {CV_8U}, {1, 3}, 95, 0},
            {"out.jpg", {CV_8U}, {1, 3}, 95, 12},
            {"out.jpeg", {CV_8U}, {3}, 80, 24},
            {"OUT.JPG", {CV_8U}, {1}, 100, 3},
        };
        if (cv::haveImageWriter(".webp")) {
            table.push_back({"out.webp", {CV_8U}, {1, 3, 4}, 100, 0}); // lossless
            table.push_back({"lossy.webp", {CV_8U}, {3}, 90, 24});
        }
        for (const Rows &rows : table) {
            for (const int depth : rows.depths) {
                for (const int channels : rows.channels) {
                    QTest::addRow("%s %s x%d q%d", rows.name, depthLabel(depth), channels,
                                  rows.quality)
                        << rows.name << depth << channels << rows.quality << rows.tolerance;
                }
            }
        }
    }

    void roundTrip()
    {
        QFETCH(QString, name);
        QFETCH(int, depth);
        QFETCH(int, channels);
        QFETCH(int, quality);
        QFETCH(int, tolerance);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / name.toStdString();
        const cv::Mat image = testImage(depth, channels, tolerance > 0);
        ks::SaveOptions options;
        options.jpegQuality = quality;

        ks::saveImage(path, image, options);
        const cv::Mat loaded = ks::loadImage(path);

        QCOMPARE(entries(folderOf(dir)), QStringList{name});
        const bool webp = name.endsWith(".webp");
        // WebP has no grey layout: OpenCV stores grey as BGR.
        cv::Mat expected = image;
        if (webp && channels == 1) {
            const std::array<cv::Mat, 3> planes{image, image, image};
            cv::merge(planes.data(), planes.size(), expected);
        }
        QCOMPARE(loaded.type(), expected.type());
        QCOMPARE(loaded.cols, image.cols);
        QCOMPARE(loaded.rows, image.rows);
        if (tolerance == 0 && webp && channels == 4) {
            // Lossless WebP keeps every visible pixel; under alpha 0 libwebp
            // may replace the colour (OpenCV 4.6 cannot ask it not to).
            cv::Mat alpha;
            cv::extractChannel(image, alpha, 3);
            cv::Mat visibleLoaded = loaded.clone();
            cv::Mat visibleExpected = expected.clone();
            visibleLoaded.setTo(cv::Scalar::all(0), alpha == 0);
            visibleExpected.setTo(cv::Scalar::all(0), alpha == 0);
            QVERIFY(cv::countNonZero(alpha == 0) > 0); // the case is exercised
            QVERIFY(identical(visibleLoaded, visibleExpected));
        } else if (tolerance == 0) {
            QVERIFY(identical(loaded, expected));
        } else {
            QVERIFY(identical(loaded, referenceDecode(readBytes(path))));
            const double error = cv::norm(loaded, expected, cv::NORM_INF);
            QVERIFY2(error <= tolerance, qPrintable(QString::number(error)));
            QVERIFY(error > 0); // it is lossy: the tolerance is not hiding an exact copy
        }
    }

    void floatTiffIsBitExact_data()
    {
        QTest::addColumn<int>("channels");
        QTest::addColumn<QString>("name");
        for (const int channels : {1, 3, 4}) {
            QTest::addRow("tif x%d", channels) << channels << "raw.tif";
            QTest::addRow("tiff x%d", channels) << channels << "raw.tiff";
        }
    }

    void floatTiffIsBitExact()
    {
        QFETCH(int, channels);
        QFETCH(QString, name);
        const std::vector<float> specials{
            -1.5f,
            3.4028235e38f,
            -3.4028235e38f,
            1e-45f, // the smallest denormal
            1.17549435e-38f,
            -0.0f,
            0.0f,
            std::numeric_limits<float>::quiet_NaN(),
            std::numeric_limits<float>::infinity(),
            -std::numeric_limits<float>::infinity(),
            1.0f / 3.0f,
            -123456.789f,
        };
        cv::Mat image(5, 7, CV_32FC(channels));
        float *values = image.ptr<float>();
        for (std::size_t i = 0; i < image.total() * static_cast<std::size_t>(channels); ++i)
            values[i] = specials[i % specials.size()] * (i >= specials.size() ? -1.0f : 1.0f);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / name.toStdString();

        ks::saveImage(path, image);
        const cv::Mat loaded = ks::loadImage(path);

        QVERIFY(identical(loaded, image));
        QVERIFY(identical(referenceDecode(readBytes(path)), image));
    }

    void saveRefusesWhatTheFormatCannotHold_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("quality");
        QTest::addColumn<QString>("reason");
        QTest::newRow("JPEG alpha")
            << "out.jpg" << CV_8U << 4 << 95
            << "JPEG cannot store an alpha channel: use .png, .tif or .webp";
        QTest::newRow("BMP alpha") << "out.bmp" << CV_8U << 4 << 95
                                   << "BMP cannot store an alpha channel: use .png, .tif or .webp";
        QTest::newRow("PNG float")
            << "out.png" << CV_32F << 1 << 95 << "PNG cannot store 32-bit float data: use .tif";
        QTest::newRow("JPEG 16-bit")
            << "out.jpg" << CV_16U << 3 << 95 << "JPEG cannot store 16-bit data: use .png or .tif";
        QTest::newRow("BMP 16-bit")
            << "out.bmp" << CV_16U << 1 << 95 << "BMP cannot store 16-bit data: use .png or .tif";
        QTest::newRow("JPEG float")
            << "out.jpeg" << CV_32F << 3 << 95 << "JPEG cannot store 32-bit float data: use .tif";
        if (cv::haveImageWriter(".webp")) {
            QTest::newRow("WebP 16-bit") << "out.webp" << CV_16U << 3 << 95
                                         << "WebP cannot store 16-bit data: use .png or .tif";
        }
        QTest::newRow("two channels")
            << "out.png" << CV_8U << 2 << 95
            << "2-channel images cannot be saved (use 1, 3 or 4 channels)";
        QTest::newRow("five channels")
            << "out.tif" << CV_8U << 5 << 95 << "5-channel images cannot be saved";
        QTest::newRow("64-bit float")
            << "out.tif" << CV_64F << 1 << 95 << "64-bit float pixels are not supported";
        QTest::newRow("signed 16-bit")
            << "out.png" << CV_16S << 1 << 95 << "signed 16-bit pixels are not supported";
        QTest::newRow("unknown extension") << "out.xyz" << CV_8U << 3 << 95
                                           << "unknown image format '.xyz' (use .png, .jpg, .tif, "
                                              ".bmp or .webp)";
        QTest::newRow("GIF") << "out.gif" << CV_8U << 3 << 95 << "unknown image format '.gif'";
        QTest::newRow("no extension")
            << "out" << CV_8U << 3 << 95 << "no file extension to choose the format";
        QTest::newRow("quality 0") << "out.jpg" << CV_8U << 3 << 0 << "quality 0 is outside 1..100";
        QTest::newRow("quality 101")
            << "out.jpg" << CV_8U << 3 << 101 << "quality 101 is outside 1..100";
        QTest::newRow("empty image") << "out.png" << CV_8U << 0 << 95 << "the image is empty";
    }

    void saveRefusesWhatTheFormatCannotHold()
    {
        QFETCH(QString, name);
        QFETCH(int, depth);
        QFETCH(int, channels);
        QFETCH(int, quality);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / name.toStdString();
        cv::Mat image;
        if (channels > 0) {
            image.create(4, 5, CV_MAKETYPE(depth, channels));
            std::memset(image.data, 1, image.total() * image.elemSize()); // any channel count
        }
        ks::SaveOptions options;
        options.jpegQuality = quality;

        const auto message = fileErrorOf([&] { ks::saveImage(path, image, options); });

        QVERIFY(message);
        const QString text = QString::fromStdString(*message);
        QVERIFY2(text.startsWith(QString::fromStdString("cannot save '" + path.string() + "': ")),
                 qPrintable(text));
        QVERIFY2(text.contains(reason), qPrintable(text));
        QVERIFY(!text.contains('\n'));
        QCOMPARE(entries(folderOf(dir)), QStringList{});
    }

    void formatSupportsDepth_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::addColumn<int>("depth");
        QTest::addColumn<bool>("supported");
        const bool webp = cv::haveImageWriter(".webp");
        const std::vector<std::tuple<const char *, int, bool>> table{
            {".png", CV_8U, true},   {"png", CV_16U, true},    {".PNG", CV_32F, false},
            {".jpg", CV_8U, true},   {"jpeg", CV_16U, false},  {".JPG", CV_32F, false},
            {".tif", CV_8U, true},   {"tiff", CV_16U, true},   {".TIF", CV_32F, true},
            {".tif", CV_64F, false}, {".bmp", CV_8U, true},    {".bmp", CV_16U, false},
            {".webp", CV_8U, webp},  {".webp", CV_16U, false}, {".gif", CV_8U, false},
            {"", CV_8U, false},      {".exr", CV_32F, false},
        };
        for (const auto &[extension, depth, supported] : table)
            QTest::addRow("'%s' %s", extension, depthLabel(depth))
                << extension << depth << supported;
    }

    void formatSupportsDepth()
    {
        QFETCH(QString, extension);
        QFETCH(int, depth);
        QFETCH(bool, supported);
        QCOMPARE(ks::formatSupportsDepth(extension.toStdString(), depth), supported);
    }

    void saveWriteFailuresLeaveNothing_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("reason"); // %1: the temporary folder
        QTest::newRow("missing folder") << "missing/out.png"
                                        << "folder '%1/missing' does not exist";
        QTest::newRow("through a regular file") << "file.txt/out.png"
                                                << "'%1/file.txt' is not a folder";
        QTest::newRow("name is a folder") << "folder.png"
                                          << "it is a folder";
    }

    void saveWriteFailuresLeaveNothing()
    {
        QFETCH(QString, target);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        const Bytes text{std::byte{'h'}, std::byte{'i'}};
        writeBytes(folder / "file.txt", text);
        fs::create_directory(folder / "folder.png");
        const QStringList before = entries(folder);
        const fs::path path = folder / target.toStdString();

        const auto message = fileErrorOf([&] { ks::saveImage(path, testImage(CV_8U, 3, false)); });

        QVERIFY(message);
        QCOMPARE(QString::fromStdString(*message),
                 QString::fromStdString("cannot save '" + path.string() + "': ") +
                     QString(reason).replace("%1", dir.path()));
        QCOMPARE(entries(folder), before);
        QVERIFY(readBytes(folder / "file.txt") == text);
        QVERIFY(fs::is_empty(folder / "folder.png"));
    }

    void saveFileSizeLimitKeepsOldFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        const fs::path path = folder / "out.png";
        ks::saveImage(path, testImage(CV_8U, 3, false));
        const Bytes old = readBytes(path);
        const cv::Mat large = testImage(CV_8U, 3, false, {600, 600}); // ~1 MB of noise

        std::optional<std::string> message;
        bool limited = false;
        {
            const FileSizeLimit limit(4096);
            limited = limit.ok();
            message = fileErrorOf([&] { ks::saveImage(path, large); });
        }

        QVERIFY(limited);
        QVERIFY(message);
        QCOMPARE(QString::fromStdString(*message),
                 QString::fromStdString("cannot save '" + path.string() + "': File too large"));
        QVERIFY(readBytes(path) == old);
        QCOMPARE(entries(folder), QStringList{"out.png"});
    }

    void saveOverSource_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("force");
        QTest::addColumn<bool>("refused");
        QTest::newRow("same path") << "source.png" << false << true;
        QTest::newRow("same path, forced") << "source.png" << true << false;
        QTest::newRow("other spelling") << "sub/../source.png" << false << true;
        QTest::newRow("hard link") << "hardlink.png" << false << true;
        QTest::newRow("symbolic link") << "symlink.png" << false << true;
        QTest::newRow("hard link, forced") << "hardlink.png" << true << false;
        QTest::newRow("another file") << "other.png" << false << false;
        QTest::newRow("a new file") << "new.png" << false << false;
    }

    void saveOverSource()
    {
        QFETCH(QString, target);
        QFETCH(bool, force);
        QFETCH(bool, refused);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        const fs::path source = folder / "source.png";
        ks::saveImage(source, testImage(CV_8U, 1, false));
        ks::saveImage(folder / "other.png", testImage(CV_8U, 4, false));
        fs::create_directory(folder / "sub");
        fs::create_hard_link(source, folder / "hardlink.png");
        fs::create_symlink("source.png", folder / "symlink.png");
        const Bytes sourceBytes = readBytes(source);
        const QStringList before = entries(folder);
        const cv::Mat replacement = testImage(CV_8U, 3, false);
        ks::SaveOptions options;
        options.source = source;
        options.force = force;
        const fs::path path = folder / target.toStdString();

        const auto message = fileErrorOf([&] { ks::saveImage(path, replacement, options); });

        if (refused) {
            QVERIFY(message);
            QCOMPARE(QString::fromStdString(*message),
                     QString::fromStdString("cannot save '" + path.string() +
                                            "': it is the opened image '" + source.string() +
                                            "' (choose another name, or force to overwrite it)"));
            QVERIFY(readBytes(source) == sourceBytes);
            QCOMPARE(entries(folder), before);
        } else {
            QVERIFY2(!message, message ? message->c_str() : "");
            QVERIFY(identical(ks::loadImage(path), replacement));
        }
    }

    // -----------------------------------------------------------------------
    // Loading: refusals

    void loadRefuses_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing") << "missing"
                                 << "No such file or directory";
        QTest::newRow("folder") << "folder"
                                << "it is a folder";
        QTest::newRow("permission denied") << "permission denied"
                                           << "Permission denied";
        QTest::newRow("zero bytes") << "zero bytes"
                                    << "empty file (zero bytes)";
        QTest::newRow("random bytes") << "random bytes"
                                      << "not an image (unrecognised data)";
        QTest::newRow("text") << "text"
                              << "not an image (unrecognised data)";
        QTest::newRow("truncated PNG") << "truncated PNG"
                                       << "truncated or corrupt data (the PNG data ends early)";
        QTest::newRow("PNG without IEND") << "PNG without IEND"
                                          << "truncated or corrupt data (the PNG data ends early)";
        QTest::newRow("PNG cut in its header")
            << "PNG cut in its header"
            << "truncated or corrupt data (incomplete PNG header)";
        QTest::newRow("PNG with bad IHDR checksum")
            << "PNG with bad IHDR checksum"
            << "truncated or corrupt data (bad IHDR checksum)";
        QTest::newRow("PNG with corrupt IDAT") << "PNG with corrupt IDAT"
                                               << "truncated or corrupt data";
        QTest::newRow("PNG with bad IDAT checksum")
            << "PNG with bad IDAT checksum"
            << "truncated or corrupt data (bad IDAT checksum)";
        QTest::newRow("truncated JPEG")
            << "truncated JPEG"
            << "truncated or corrupt data (the JPEG data ends before its end marker)";
        QTest::newRow("JPEG without EOI")
            << "JPEG without EOI"
            << "truncated or corrupt data (the JPEG data ends before its end marker)";
        QTest::newRow("truncated TIFF") << "truncated TIFF"
                                        << "truncated or corrupt data";
        QTest::newRow("truncated BMP") << "truncated BMP"
                                       << "truncated or corrupt data";
        if (cv::haveImageWriter(".webp"))
            QTest::newRow("truncated WebP") << "truncated WebP"
                                            << "truncated or corrupt data";
        QTest::newRow("zero width") << "zero width"
                                    << "zero width or height (0 x 10 pixels)";
        QTest::newRow("zero height") << "zero height"
                                     << "zero width or height (7 x 0 pixels)";
        QTest::newRow("200000 x 200000 PNG")
            << "huge PNG"
            << "too large: 200000 x 200000 pixels is more than the limit of 200 megapixels";
        QTest::newRow("2000000 x 1 PNG")
            << "too wide PNG"
            << "too large: 2000000 x 1 pixels, OpenCV decodes at most 1048576 pixels per side";
        QTest::newRow("GIF") << "GIF"
                             << "unsupported format (GIF)";
        QTest::newRow("HEIF") << "HEIF"
                              << "unsupported format (HEIF)";
        // Regression (found by fuzzing): OpenCV hands data with "DICM" at 128
        // that the decoders it tries first turn down to its DICOM decoder,
        // which aborted the process on the first of these.
        if (cv::haveImageWriter(".jp2"))
            QTest::newRow("JPEG 2000 with DICM at 128") << "JP2 DICM"
                                                        << "unsupported format (DICOM)";
        if (cv::haveImageWriter(".webp"))
            QTest::newRow("damaged WebP with DICM at 128") << "WebP DICM"
                                                           << "unsupported format (DICOM)";
    }

    void loadRefuses()
    {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        if (kind == "permission denied" && ::geteuid() == 0)
            QSKIP("permissions do not stop root");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir);
        const Bytes png = encode(".png", testImage(CV_8U, 3, false, {64, 64}));
        const Bytes jpeg = encode(".jpg", testImage(CV_8U, 3, true, {64, 64}));
        const auto half = [](const Bytes &bytes) {
            return Bytes(bytes.begin(),
                         bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
        };
        fs::path path = folder / "image.png";
        Bytes bytes;
        if (kind == "missing") {
            path = folder / "missing.png";
        } else if (kind == "folder") {
            path = folder / "folder.png";
            fs::create_directory(path);
        } else if (kind == "zero bytes") {
            bytes = {};
        } else if (kind == "random bytes") {
            std::mt19937 random(5);
            bytes.resize(5000);
            for (std::byte &b : bytes)
                b = static_cast<std::byte>(random() & 0xFF);
        } else if (kind == "text") {
            append(bytes, "This is a text file, not an image.\n"sv);
        } else if (kind == "truncated PNG") {
            bytes = half(png);
        } else if (kind == "PNG without IEND") {
            bytes = Bytes(png.begin(), png.end() - 12);
        } else if (kind == "PNG cut in its header") {
            bytes = Bytes(png.begin(), png.begin() + 20);
        } else if (kind == "PNG with bad IHDR checksum") {
            bytes = png;
            bytes[29] ^= std::byte{0x01}; // the first byte of IHDR's CRC
        } else if (kind == "PNG with bad IDAT checksum") {
            // Refused before libpng sees it, which would print its own line.
            bytes = png;
            bytes[pngChunkEnd(bytes, "IDAT") - 1] ^= std::byte{0x01};
        } else if (kind == "PNG with corrupt IDAT") {
            // Damage the compressed data, then fix the chunk's CRC so that
            // only the data itself (its zlib checksum) is wrong.
            bytes = png;
            const std::size_t end = pngChunkEnd(bytes, "IDAT");
            const std::size_t start = pngChunkEnd(bytes, "IHDR");
            QVERIFY(end > start + 100);
            for (std::size_t i = start + 40; i < start + 56; ++i)
                bytes[i] ^= std::byte{0x5A};
            const std::uint32_t crc =
                crc32(std::span(bytes).subspan(start + 4, end - 4 - (start + 4)));
            for (int i = 0; i < 4; ++i)
                bytes[end - 4 + static_cast<std::size_t>(i)] =
                    static_cast<std::byte>(crc >> (8 * (3 - i)));
        } else if (kind == "truncated JPEG") {
            bytes = Bytes(jpeg.begin(),
                          jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() * 6 / 10));
        } else if (kind == "JPEG without EOI") {
            bytes = Bytes(jpeg.begin(), jpeg.end() - 2);
        } else if (kind == "truncated TIFF") {
            bytes = half(encode(".tif", testImage(CV_8U, 3, false, {64, 64})));
        } else if (kind == "truncated BMP") {
            bytes = half(encode(".bmp", testImage(CV_8U, 3, false, {64, 64})));
        } else if (kind == "truncated WebP") {
            bytes = half(encode(".webp", testImage(CV_8U, 3, false, {64, 64}),
                                {cv::IMWRITE_WEBP_QUALITY, 101}));
        } else if (kind == "zero width") {
            bytes = pngHeader(0, 10);
        } else if (kind == "zero height") {
            bytes = pngHeader(7, 0);
        } else if (kind == "huge PNG") {
            bytes = pngHeader(200000, 200000);
        } else if (kind == "too wide PNG") {
            bytes = pngHeader(2000000, 1);
        } else if (kind == "GIF") {
            bytes = gifHeader(7, 5);
        } else if (kind == "HEIF") {
            put32(bytes, 24, true);
            append(bytes, "ftypheic\0\0\0\0mif1heic"sv);
        } else if (kind == "permission denied") {
            bytes = png;
        } else if (kind == "JP2 DICM") {
            // The fuzzer's input: GDCM's assertion fails on the element after DICM.
            const Bytes jp2 = encode(".jp2", testImage(CV_8U, 3, false, {64, 64}));
            bytes.assign(jp2.begin(), jp2.begin() + 128);
            append(bytes, "DICM\0\x0CIDAT"sv);
        } else if (kind == "WebP DICM") {
            bytes = half(encode(".webp", testImage(CV_8U, 3, false, {64, 64}),
                                {cv::IMWRITE_WEBP_QUALITY, 101}));
            for (int i = 0; i < 4; ++i)
                bytes[128 + static_cast<std::size_t>(i)] = static_cast<std::byte>("DICM"[i]);
        }
        if (kind != "missing" && kind != "folder")
            writeBytes(path, bytes);
        if (kind == "permission denied")
            QCOMPARE(::chmod(path.c_str(), 0), 0);

        const auto message = fileErrorOf([&] { ks::loadImage(path); });

        QVERIFY(message);
        const QString text = QString::fromStdString(*message);
        QVERIFY2(text.startsWith(QString::fromStdString("cannot open '" + path.string() + "': ")),
                 qPrintable(text));
        QVERIFY2(text.contains(reason), qPrintable(text));
        QVERIFY(!text.contains('\n'));
    }

    void hugeHeadersAreRefusedFast_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("format");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::newRow("PNG") << toQt(pngHeader(200000, 200000)) << "png" << 200000LL << 200000LL;
        QTest::newRow("JPEG") << toQt(jpegHeader(65535, 65535)) << "jpeg" << 65535LL << 65535LL;
        TiffSpec tiff;
        tiff.width = 200000;
        tiff.height = 200000;
        QTest::newRow("TIFF little-endian")
            << toQt(makeTiff(tiff)) << "tiff" << 200000LL << 200000LL;
        tiff.bigEndian = true;
        tiff.width = 100000;
        QTest::newRow("TIFF big-endian") << toQt(makeTiff(tiff)) << "tiff" << 100000LL << 200000LL;
        QTest::newRow("BMP") << toQt(bmpHeader(200000, -200000)) << "bmp" << 200000LL << 200000LL;
        if (cv::haveImageWriter(".webp")) {
            const Bytes small = encode(".webp", testImage(CV_8U, 3, false, {8, 8}),
                                       {cv::IMWRITE_WEBP_QUALITY, 101});
            QTest::newRow("WebP") << toQt(withWebpExif(small, 16384, 16384, std::nullopt)) << "webp"
                                  << 16384LL << 16384LL;
        }
        Bytes pnm;
        append(pnm, "P6\n200000 200000\n255\n"sv);
        QTest::newRow("PNM") << toQt(pnm) << "pnm" << 200000LL << 200000LL;
    }

    void hugeHeadersAreRefusedFast()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, format);
        QFETCH(qint64, width);
        QFETCH(qint64, height);

        const auto header = ks::readImageHeader(spanOf(bytes));
        QVERIFY(header);
        QCOMPARE(QString::fromStdString(header->format), format);
        QCOMPARE(header->width, width);
        QCOMPARE(header->height, height);

        QElapsedTimer timer;
        timer.start();
        const auto message = fileErrorOf([&] { ks::decodeImage(spanOf(bytes), "huge"); });
        const qint64 elapsed = timer.elapsed();

        QVERIFY(message);
        QCOMPARE(QString::fromStdString(*message),
                 QStringLiteral("cannot open 'huge': too large: %1 x %2 pixels is more than the "
                                "limit of 200 megapixels")
                     .arg(width)
                     .arg(height));
        QVERIFY2(elapsed < 100, qPrintable(QString::number(elapsed)));
    }

    void pixelLimit_data()
    {
        QTest::addColumn<qint64>("maxPixels");
        QTest::addColumn<QString>("reason"); // empty: accepted
        QTest::newRow("5000")
            << 5000LL << "too large: 100 x 100 pixels is more than the limit of 5000 pixels";
        QTest::newRow("9999")
            << 9999LL << "too large: 100 x 100 pixels is more than the limit of 9999 pixels";
        QTest::newRow("10000") << 10000LL << "";
        QTest::newRow("default") << 200'000'000LL << "";
    }

    void pixelLimit()
    {
        QFETCH(qint64, maxPixels);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / "square.png";
        const cv::Mat image = testImage(CV_8U, 3, false, {100, 100});
        ks::saveImage(path, image);
        ks::LoadOptions options;
        options.maxPixels = static_cast<std::uint64_t>(maxPixels);

        std::optional<std::string> message;
        cv::Mat loaded;
        message = fileErrorOf([&] { loaded = ks::loadImage(path, options); });

        if (reason.isEmpty()) {
            QVERIFY(!message);
            QVERIFY(identical(loaded, image));
        } else {
            QVERIFY(message);
            QCOMPARE(QString::fromStdString(*message),
                     QString::fromStdString("cannot open '" + path.string() + "': ") + reason);
        }
    }

    // -----------------------------------------------------------------------
    // Loading: layouts and orientation

    void handMadePngs_data()
    {
        QTest::addColumn<QByteArray>("png");
        QTest::addColumn<cv::Mat>("expected");
        const auto add = [](const char *name, const std::pair<Bytes, cv::Mat> &made) {
            QTest::newRow(name) << toQt(made.first) << made.second;
        };
        add("grey+alpha 8-bit -> BGRA", greyAlphaPng(8));
        add("grey+alpha 16-bit -> BGRA 16U", greyAlphaPng(16));
        add("palette 8-bit -> BGR", palettePng(8, false));
        add("palette 4-bit -> BGR", palettePng(4, false));
        add("palette with tRNS -> BGRA", palettePng(8, true));
        add("palette 4-bit with tRNS -> BGRA", palettePng(4, true));
        add("RGB 8-bit -> BGR", rgbPng(8));
        add("RGB 16-bit -> BGR 16U", rgbPng(16));
    }

    void handMadePngs()
    {
        QFETCH(QByteArray, png);
        QFETCH(cv::Mat, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = folderOf(dir) / "hand made.png";
        writeBytes(path, Bytes(spanOf(png).begin(), spanOf(png).end()));

        const cv::Mat loaded = ks::loadImage(path);

        QCOMPARE(loaded.type(), expected.type());
        QVERIFY(identical(loaded, expected));
    }

    void otherDepthsBecomeFloat_data()
    {
        QTest::addColumn<int>("depth");
        QTest::addColumn<bool>("bigEndian");
        for (const int depth : {CV_8S, CV_16S, CV_32S, CV_64F}) {
            for (const bool bigEndian : {false, true})
                QTest::addRow("%s %s", cv::depthToString(depth), bigEndian ? "MM" : "II")
                    << depth << bigEndian;
        }
    }

    void otherDepthsBecomeFloat()
    {
        QFETCH(int, depth);
        QFETCH(bool, bigEndian);
        cv::Mat values(3, 5, CV_64FC1);
        for (int i = 0; i < 15; ++i)
            values.at<double>(i / 5, i % 5) =
                (i - 7) * (depth == CV_8S ? 17 : 1001) + (depth == CV_64F ? 0.25 : 0);
        cv::Mat stored;
        values.convertTo(stored, depth);
        const Bytes tiff = tiffOf(stored, bigEndian);
        cv::Mat expected;
        values.convertTo(expected, CV_32F);

        const cv::Mat loaded = ks::decodeImage(tiff, "signed.tif");

        QCOMPARE(loaded.type(), CV_32FC1);
        QVERIFY(identical(loaded, expected));
    }

    void exifOrientation_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<cv::Mat>("stored"); // the pixels as stored, before orientation
        QTest::addColumn<int>("orientation");
        const Bytes jpeg = encode(".jpg", testImage(CV_8U, 3, true, {6, 4}));
        const cv::Mat jpegPixels = referenceDecode(jpeg);
        const cv::Mat webpImage = testImage(CV_8U, 3, false, {6, 4});
        const Bytes webp = cv::haveImageWriter(".webp")
                               ? encode(".webp", webpImage, {cv::IMWRITE_WEBP_QUALITY, 101})
                               : Bytes{};
        for (int o = 1; o <= 8; ++o) {
            QTest::addRow("JPEG %d", o) << toQt(withJpegExif(jpeg, o, true)) << jpegPixels << o;
            QTest::addRow("JPEG %d, little-endian Exif", o)
                << toQt(withJpegExif(jpeg, o, false)) << jpegPixels << o;
            const auto [png, pngPixels] = rgbPng(8, o);
            QTest::addRow("PNG eXIf %d", o) << toQt(png) << pngPixels << o;
            const auto [tiff, tiffPixels] = greyTiff(o, o % 2 == 0);
            QTest::addRow("TIFF tag %d", o) << toQt(tiff) << tiffPixels << o;
            if (!webp.empty())
                QTest::addRow("WebP EXIF %d", o)
                    << toQt(withWebpExif(webp, 6, 4, o)) << webpImage << o;
        }
        QTest::newRow("JPEG without Exif") << toQt(jpeg) << jpegPixels << 1;
        QTest::newRow("JPEG orientation 0 (invalid)")
            << toQt(withJpegExif(jpeg, 0, true)) << jpegPixels << 1;
        QTest::newRow("JPEG orientation 9 (invalid)")
            << toQt(withJpegExif(jpeg, 9, true)) << jpegPixels << 1;
    }

    void exifOrientation()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(cv::Mat, stored);
        QFETCH(int, orientation);

        const cv::Mat loaded = ks::decodeImage(spanOf(bytes), "oriented");

        const cv::Mat expected = orientByDefinition(stored, orientation);
        QCOMPARE(loaded.cols, expected.cols);
        QCOMPARE(loaded.rows, expected.rows);
        QVERIFY(identical(loaded, expected));
        if (orientation == 6) { // the brief's cross-check: a clockwise turn
            cv::Mat turned;
            cv::rotate(stored, turned, cv::ROTATE_90_CLOCKWISE);
            QVERIFY(identical(loaded, turned));
        }
    }

    void jpegVariants_data()
    {
        QTest::addColumn<QByteArray>("jpeg");
        const cv::Mat image = testImage(CV_8U, 3, true, {40, 30});
        QTest::newRow("baseline") << toQt(encode(".jpg", image));
        QTest::newRow("progressive")
            << toQt(encode(".jpg", image, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
        QTest::newRow("restart markers")
            << toQt(encode(".jpg", image, {cv::IMWRITE_JPEG_RST_INTERVAL, 1}));
        QTest::newRow("optimised") << toQt(encode(".jpg", image, {cv::IMWRITE_JPEG_OPTIMIZE, 1}));
        Bytes trailing = encode(".jpg", image);
        append(trailing, "data after the end marker"sv);
        QTest::newRow("data after EOI") << toQt(trailing);
        QTest::newRow("grey") << toQt(encode(".jpg", testImage(CV_8U, 1, true, {40, 30})));
    }

    void jpegVariants()
    {
        QFETCH(QByteArray, jpeg);
        const cv::Mat loaded = ks::decodeImage(spanOf(jpeg), "variant.jpg");
        QVERIFY(!loaded.empty());
        QVERIFY(identical(loaded, referenceDecode(spanOf(jpeg))));
    }

    void nonAsciiFileNames()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = folderOf(dir) / "a folder with spaces";
        fs::create_directory(folder);
        const fs::path path = folder / std::u8string(u8"é ü 画像.png");
        const cv::Mat image = testImage(CV_16U, 3, false);

        ks::saveImage(path, image);
        const cv::Mat loaded = ks::loadImage(path);

        QVERIFY(identical(loaded, image));
        QCOMPARE(entries(folder), QStringList{QStringLiteral("é ü 画像.png")});
        const auto message = fileErrorOf([&] { ks::loadImage(folder / std::u8string(u8"ü.png")); });
        QVERIFY(message);
        QVERIFY(QString::fromStdString(*message).contains(QStringLiteral("ü.png': ")));
    }

    void decodeImageNamesTheGivenName()
    {
        const auto message = fileErrorOf([] { ks::decodeImage({}, "from memory"); });
        QVERIFY(message);
        QCOMPARE(QString::fromStdString(*message),
                 QStringLiteral("cannot open 'from memory': empty file (zero bytes)"));
    }

    void otherOpenCvFormatsLoad_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("channels");
        QTest::newRow("ppm") << ".ppm" << CV_8U << 3;
        QTest::newRow("pgm 16-bit") << ".pgm" << CV_16U << 1;
        QTest::newRow("pam") << ".pam" << CV_8U << 4;
        QTest::newRow("pfm") << ".pfm" << CV_32F << 3;
        QTest::newRow("sun raster") << ".ras" << CV_8U << 3;
        QTest::newRow("exr") << ".exr" << CV_32F << 3;
        QTest::newRow("jp2") << ".jp2" << CV_8U << 3;
    }

    void otherOpenCvFormatsLoad()
    {
        QFETCH(QString, extension);
        QFETCH(int, depth);
        QFETCH(int, channels);
        const std::string ext = extension.toStdString();
        if (!cv::haveImageWriter(ext))
            QSKIP("this OpenCV has no such codec");
        // OpenJPEG needs more than a few pixels for its default resolutions.
        cv::Mat image = testImage(depth, channels, false, {67, 45});
        if (depth == CV_32F)
            image = cv::abs(image) / 1000; // 0..1, as HDR data
        // OpenCV reads back only PAM files that name their tuple type.
        const Bytes bytes =
            encode(ext, image,
                   ext == ".pam" ? std::vector<int>{cv::IMWRITE_PAM_TUPLETYPE,
                                                    cv::IMWRITE_PAM_FORMAT_RGB_ALPHA}
                                 : std::vector<int>{});

        const cv::Mat loaded = ks::decodeImage(bytes, "other" + ext);

        QVERIFY(identical(loaded, referenceDecode(bytes)));
        QCOMPARE(loaded.cols, 67);
        QCOMPARE(loaded.rows, 45);
    }

    // -----------------------------------------------------------------------
    // Headers

    void readImageHeader_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("format"); // empty: std::nullopt expected
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        const cv::Size size(7, 5);
        const auto encoded = [&size](const char *extension, int depth, int channels,
                                     const std::vector<int> &params = {}) {
            return toQt(encode(extension, testImage(depth, channels, false, size), params));
        };
        QTest::newRow("PNG") << encoded(".png", CV_16U, 4) << "png" << 7LL << 5LL;
        QTest::newRow("JPEG") << encoded(".jpg", CV_8U, 3) << "jpeg" << 7LL << 5LL;
        QTest::newRow("JPEG progressive")
            << encoded(".jpg", CV_8U, 1, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}) << "jpeg" << 7LL << 5LL;
        QTest::newRow("JPEG with Exif")
            << toQt(withJpegExif(encode(".jpg", testImage(CV_8U, 3, false, size)), 6, true))
            << "jpeg" << 7LL << 5LL;
        QTest::newRow("TIFF (OpenCV)") << encoded(".tif", CV_32F, 3) << "tiff" << 7LL << 5LL;
        QTest::newRow("TIFF big-endian") << toQt(greyTiff(1, true).first) << "tiff" << 6LL << 4LL;
        QTest::newRow("TIFF little-endian")
            << toQt(greyTiff(1, false).first) << "tiff" << 6LL << 4LL;
        QTest::newRow("BigTIFF little-endian")
            << toQt(bigTiffHeader(7, 5, false)) << "tiff" << 7LL << 5LL;
        QTest::newRow("BigTIFF big-endian")
            << toQt(bigTiffHeader(7, 5, true)) << "tiff" << 7LL << 5LL;
        QTest::newRow("BMP") << encoded(".bmp", CV_8U, 3) << "bmp" << 7LL << 5LL;
        QTest::newRow("BMP top-down") << toQt(bmpHeader(7, -5)) << "bmp" << 7LL << 5LL;
        Bytes core;
        append(core, "BM"sv);
        put32(core, 26, false);
        put32(core, 0, false);
        put32(core, 26, false);
        put32(core, 12, false);
        put16(core, 7, false);
        put16(core, 5, false);
        put16(core, 1, false);
        put16(core, 24, false);
        QTest::newRow("BMP core header") << toQt(core) << "bmp" << 7LL << 5LL;
        if (cv::haveImageWriter(".webp")) {
            QTest::newRow("WebP lossy (VP8)")
                << encoded(".webp", CV_8U, 3, {cv::IMWRITE_WEBP_QUALITY, 80}) << "webp" << 7LL
                << 5LL;
            QTest::newRow("WebP lossless (VP8L)")
                << encoded(".webp", CV_8U, 4, {cv::IMWRITE_WEBP_QUALITY, 101}) << "webp" << 7LL
                << 5LL;
            QTest::newRow("WebP extended (VP8X)")
                << toQt(withWebpExif(encode(".webp", testImage(CV_8U, 3, false, size)), 7, 5, 3))
                << "webp" << 7LL << 5LL;
        }
        QTest::newRow("GIF") << toQt(gifHeader(7, 5)) << "gif" << 7LL << 5LL;
        QTest::newRow("PPM") << encoded(".ppm", CV_8U, 3) << "pnm" << 7LL << 5LL;
        QTest::newRow("PGM") << encoded(".pgm", CV_16U, 1) << "pnm" << 7LL << 5LL;
        QTest::newRow("PBM") << encoded(".pbm", CV_8U, 1) << "pnm" << 7LL << 5LL;
        Bytes commented;
        append(commented, "P5\n# a comment\n7 # width\n\t5\n255\n"sv);
        commented.resize(commented.size() + 35);
        QTest::newRow("PGM with comments") << toQt(commented) << "pnm" << 7LL << 5LL;
        QTest::newRow("PAM") << encoded(".pam", CV_8U, 4) << "pam" << 7LL << 5LL;
        QTest::newRow("PFM") << encoded(".pfm", CV_32F, 3) << "pfm" << 7LL << 5LL;
        QTest::newRow("Sun raster") << encoded(".ras", CV_8U, 3) << "sunras" << 7LL << 5LL;
        QTest::newRow("Radiance HDR") << encoded(".hdr", CV_32F, 3) << "hdr" << 7LL << 5LL;
        Bytes hdr;
        append(hdr, "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n+X 7 +Y 5\n"sv);
        QTest::newRow("Radiance HDR, X first") << toQt(hdr) << "hdr" << 7LL << 5LL;
        if (cv::haveImageWriter(".exr"))
            QTest::newRow("OpenEXR") << encoded(".exr", CV_32F, 3) << "exr" << 7LL << 5LL;
        if (cv::haveImageWriter(".jp2"))
            QTest::newRow("JPEG 2000") << toQt(encode(".jp2", testImage(CV_8U, 3, false, {70, 50})))
                                       << "jpeg2000" << 70LL << 50LL;
        Bytes j2k;
        append(j2k, "\xFF\x4F\xFF\x51"sv);
        put16(j2k, 41, true); // Lsiz
        put16(j2k, 0, true);  // Rsiz
        put32(j2k, 9, true);  // Xsiz
        put32(j2k, 8, true);  // Ysiz
        put32(j2k, 2, true);  // XOsiz
        put32(j2k, 3, true);  // YOsiz
        QTest::newRow("JPEG 2000 codestream") << toQt(j2k) << "jpeg2000" << 7LL << 5LL;

        // Nothing to report.
        QTest::newRow("empty") << QByteArray() << "" << 0LL << 0LL;
        QTest::newRow("text") << QByteArray("hello, world\n") << "" << 0LL << 0LL;
        const Bytes png = pngHeader(7, 5);
        QTest::newRow("PNG signature only")
            << toQt(Bytes(png.begin(), png.begin() + 8)) << "" << 0LL << 0LL;
        Bytes notIhdr = pngHeader(7, 5);
        notIhdr[12] = std::byte{'J'};
        QTest::newRow("PNG without IHDR first") << toQt(notIhdr) << "" << 0LL << 0LL;
        Bytes scanFirst;
        append(scanFirst, "\xFF\xD8\xFF\xDA"sv);
        put16(scanFirst, 8, true);
        append(scanFirst, "\x01\x01\0\0\x3F\0\xFF\xD9"sv);
        QTest::newRow("JPEG scan before frame") << toQt(scanFirst) << "" << 0LL << 0LL;
        Bytes farIfd;
        append(farIfd, "II*\0"sv);
        put32(farIfd, 0xFFFFFFF0u, false);
        QTest::newRow("TIFF IFD beyond the end") << toQt(farIfd) << "" << 0LL << 0LL;
        Bytes hugeBigTiffIfd;
        append(hugeBigTiffIfd, "II+\0"sv);
        put16(hugeBigTiffIfd, 8, false);
        put16(hugeBigTiffIfd, 0, false);
        put64(hugeBigTiffIfd, 0xFFFFFFFFFFFFFFF8ull, false);
        QTest::newRow("BigTIFF IFD offset near 2^64") << toQt(hugeBigTiffIfd) << "" << 0LL << 0LL;
        QTest::newRow("BMP negative width") << toQt(bmpHeader(-7, 5)) << "" << 0LL << 0LL;
        Bytes exr;
        append(exr, "\x76\x2F\x31\x01\x02\0\0\0"sv);
        append(exr, "channels\0chlist\0"sv);
        put32(exr, 1, false);
        put8(exr, 0);
        put8(exr, 0); // end of header
        QTest::newRow("OpenEXR without dataWindow") << toQt(exr) << "" << 0LL << 0LL;
        Bytes pnmWithoutNumbers;
        append(pnmWithoutNumbers, "P6\nwidth height\n"sv);
        QTest::newRow("PNM without numbers") << toQt(pnmWithoutNumbers) << "" << 0LL << 0LL;
        Bytes pnmTooLong;
        append(pnmTooLong, "P6\n12345678901234567890 5\n255\n"sv);
        QTest::newRow("PNM with a 20-digit width") << toQt(pnmTooLong) << "" << 0LL << 0LL;
    }

    void readImageHeader()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, format);
        QFETCH(qint64, width);
        QFETCH(qint64, height);

        const auto header = ks::readImageHeader(spanOf(bytes));

        if (format.isEmpty()) {
            QVERIFY(!header);
            return;
        }
        QVERIFY(header);
        QCOMPARE(QString::fromStdString(header->format), format);
        QCOMPARE(header->width, width);
        QCOMPARE(header->height, height);
    }

    /// Every prefix of a real file gives no header or the right one, and
    /// damaged headers never give a negative size (ASan checks the reads).
    void readImageHeaderOnCutAndDamagedData_data() { readImageHeader_data(); }

    void readImageHeaderOnCutAndDamagedData()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, format);
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        if (format.isEmpty())
            return;

        int wrong = 0;
        int found = 0;
        for (qsizetype length = 0; length <= bytes.size(); ++length) {
            const auto header = ks::readImageHeader(spanOf(bytes.left(length)));
            if (header) {
                ++found;
                if (header->width != width || header->height != height ||
                    QString::fromStdString(header->format) != format)
                    ++wrong;
            }
        }
        QCOMPARE(wrong, 0);
        QVERIFY(found >= 1); // at least the whole file

        std::mt19937 random(17);
        int negative = 0;
        for (int trial = 0; trial < 300; ++trial) {
            QByteArray damaged = bytes;
            for (int k = 0; k < 4; ++k) {
                const auto at = static_cast<qsizetype>(
                    random() % static_cast<unsigned>(std::min<qsizetype>(damaged.size(), 64)));
                damaged[at] = static_cast<char>(random() & 0xFF);
            }
            const auto header = ks::readImageHeader(spanOf(damaged));
            if (header && (header->width < 0 || header->height < 0))
                ++negative;
        }
        QCOMPARE(negative, 0);
    }

    // Regression (found by fuzzing): headers that OpenCV reads differently
    // from the obvious reading. The size checked before decoding must be the
    // size OpenCV then decodes, or a small header lets a huge image through.
    void headersAgreeWithOpenCv_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        const auto pnm = [](std::string_view header, std::size_t pixelBytes) {
            Bytes bytes;
            append(bytes, header);
            bytes.resize(bytes.size() + pixelBytes, std::byte{0x55});
            return toQt(bytes);
        };
        // OpenCV's PxM reader ends a number with the next byte, whatever it
        // is: '#' right after a number starts no comment.
        QTest::newRow("PBM, '#' right after the width") << pnm("P4\n7# 6\n", 6) << 7LL << 6LL;
        QTest::newRow("PGM, 'x' between the numbers") << pnm("P5\n7x5\n255\n", 35) << 7LL << 5LL;
        QTest::newRow("PGM, '#' after the height") << pnm("P5\n3 1#\n255\n", 3) << 3LL << 1LL;
        QTest::newRow("PGM, comment lines") << pnm("P5\n# c\n7 # w\n\t5\n255\n", 35) << 7LL << 5LL;
        // Its PFM reader takes the text up to the next whitespace, like atoi.
        QTest::newRow("PFM, '#' inside the width")
            << pnm("Pf\n5#1 4\n-1\n", 5 * 4 * 4) << 5LL << 4LL;
        QTest::newRow("PFM, letters after the width")
            << pnm("Pf\n5x 3\n-1\n", 5 * 3 * 4) << 5LL << 3LL;
        // Its HDR reader (rgbe.c) reads lines in pieces of 127 bytes: the
        // second piece of a 127-character line counts as the empty line.
        std::string hdr = "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n" + std::string(127, 'A') +
                          "\n-Y 5 +X 6\n\n-Y 1 +X 1\n";
        QTest::newRow("HDR, a 127-character header line") << pnm(hdr, 6 * 5 * 4) << 6LL << 5LL;
        // libjpeg skips FF 00 between segments like other stray bytes. Read as
        // a marker, its "length" (here 8) would land inside the comment that
        // follows, on a frame header that is only comment text.
        {
            const Bytes jpeg = encode(".jpg", testImage(CV_8U, 3, true, {8, 6}));
            Bytes stray(jpeg.begin(), jpeg.begin() + 2);
            append(stray, "\xFF\x00\x00\x08"sv);
            append(stray, "\xFF\xFE"sv); // COM
            put16(stray, 26, true);
            append(stray, "\0\0\xFF\xC0\0\x11\x08\x01\x02\x01\x01"sv); // 258 x 257
            append(stray, "\x03\x01\x11\0\x02\x11\0\x03\x11\0\0\0\0"sv);
            stray.insert(stray.end(), jpeg.begin() + 2, jpeg.end());
            QTest::newRow("JPEG, FF 00 between segments") << toQt(stray) << 8LL << 6LL;
        }
        QTest::newRow("HDR, tabs in the size line")
            << pnm("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y\t3\t+X\t4\n", 4 * 3 * 4) << 4LL << 3LL;
    }

    void headersAgreeWithOpenCv()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        const cv::Mat reference = referenceDecode(spanOf(bytes));
        QCOMPARE(qint64{reference.cols}, width); // the premise: what OpenCV makes of it
        QCOMPARE(qint64{reference.rows}, height);

        const auto header = ks::readImageHeader(spanOf(bytes));
        QVERIFY(header);
        QCOMPARE(header->width, width);
        QCOMPARE(header->height, height);
        const cv::Mat loaded = ks::decodeImage(spanOf(bytes), "agree");
        QCOMPARE(qint64{loaded.cols}, width);
        QCOMPARE(qint64{loaded.rows}, height);
    }

    // Regression (found by fuzzing): OpenCV 4.6's Radiance HDR reader keeps
    // a file open for every image it fails on; after about a thousand of
    // them nothing could be opened any more. Such data is refused before
    // OpenCV sees it.
    void badHdrKeepsNoFileOpen_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const auto hdr = [](std::string_view header, const Bytes &data) {
            Bytes bytes;
            append(bytes, header);
            append(bytes, data);
            return toQt(bytes);
        };
        const std::string_view header = "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 8\n";
        Bytes scanline{std::byte{2}, std::byte{2}, std::byte{0}, std::byte{8}};
        Bytes zeroCount = scanline;
        append(zeroCount, Bytes{std::byte{0}, std::byte{1}});
        Bytes wrongWidth{std::byte{2}, std::byte{2}, std::byte{0}, std::byte{9}};
        Bytes runTooLong = scanline;
        append(runTooLong, Bytes{std::byte{128 + 9}, std::byte{1}});
        QTest::newRow("no FORMAT line")
            << hdr("#?RADIANCE\n\n-Y 2 +X 8\n", Bytes(64)) << "no FORMAT=32-bit_rle_rgbe line";
        QTest::newRow("size line not read")
            << hdr("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n+X 8 -Y 2\n", Bytes(64))
            << "size line is not -Y <height> +X <width>";
        QTest::newRow("run-length data cut short") << hdr(header, scanline) << "ends early";
        QTest::newRow("a run of 0") << hdr(header, zeroCount) << "bad scanline data";
        QTest::newRow("a run past the scanline") << hdr(header, runTooLong) << "bad scanline data";
        QTest::newRow("wrong scanline width") << hdr(header, wrongWidth) << "wrong scanline width";
        QTest::newRow("flat data cut short")
            << hdr("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 3\n", Bytes(23)) << "ends early";
    }

    void badHdrKeepsNoFileOpen()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const auto openFiles = [] {
            return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
        };
        const auto before = openFiles();
        for (int i = 0; i < 20; ++i) {
            const auto message = fileErrorOf([&] { ks::decodeImage(spanOf(bytes), "bad.hdr"); });
            QVERIFY(message);
            QVERIFY2(QString::fromStdString(*message).contains(reason), message->c_str());
        }
        QCOMPARE(openFiles(), before);
    }

    void readableExtensions()
    {
        const std::vector<std::string> extensions = ks::readableImageExtensions();
        for (const char *required : {"png", "jpg", "jpeg", "tif", "tiff", "bmp"})
            QVERIFY2(std::find(extensions.begin(), extensions.end(), required) != extensions.end(),
                     required);
        QCOMPARE(std::find(extensions.begin(), extensions.end(), "webp") != extensions.end(),
                 cv::haveImageWriter(".webp"));
        QVERIFY(std::find(extensions.begin(), extensions.end(), "gif") == extensions.end());
        for (const std::string &extension : extensions) {
            QVERIFY(!extension.empty());
            QVERIFY2(std::all_of(
                         extension.begin(), extension.end(),
                         [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }),
                     extension.c_str());
        }
        QVERIFY(std::is_sorted(extensions.begin(), extensions.end()));
    }
};

QTEST_APPLESS_MAIN(TestImageIo)

#include "tst_image_io.moc"
