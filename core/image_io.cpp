#include "image_io.h"

#include "filter.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string_view>
#include <utility>

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace ks {

namespace {

namespace fs = std::filesystem;
using namespace std::string_view_literals;

// ---------------------------------------------------------------------------
// Bounds-checked reading of untrusted bytes

/// Thrown by ByteReader when a read would leave the buffer, or by a parser
/// when a field makes no sense; the parsers' callers turn it into "cut short
/// or corrupt".
struct Malformed {};

class ByteReader {
public:
    explicit ByteReader(std::span<const std::byte> bytes, bool bigEndian = true)
        : bytes_(bytes), bigEndian_(bigEndian)
    {
    }

    std::size_t size() const { return bytes_.size(); }
    bool has(std::uint64_t pos, std::uint64_t n) const
    {
        return pos <= bytes_.size() && n <= bytes_.size() - pos;
    }
    void require(std::uint64_t pos, std::uint64_t n) const
    {
        if (!has(pos, n))
            throw Malformed{};
    }

    std::uint8_t u8(std::uint64_t pos) const
    {
        require(pos, 1);
        return std::to_integer<std::uint8_t>(bytes_[pos]);
    }
    std::uint16_t u16(std::uint64_t pos) const { return static_cast<std::uint16_t>(read(pos, 2)); }
    std::uint32_t u24(std::uint64_t pos) const { return static_cast<std::uint32_t>(read(pos, 3)); }
    std::uint32_t u32(std::uint64_t pos) const { return static_cast<std::uint32_t>(read(pos, 4)); }
    std::uint64_t u64(std::uint64_t pos) const { return read(pos, 8); }

    /// True if the bytes at pos are text (false, not an exception, when the
    /// buffer is too short).
    bool matches(std::uint64_t pos, std::string_view text) const
    {
        if (!has(pos, text.size()))
            return false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (std::to_integer<unsigned char>(bytes_[pos + i]) !=
                static_cast<unsigned char>(text[i]))
                return false;
        }
        return true;
    }

    std::span<const std::byte> sub(std::uint64_t pos, std::uint64_t n) const
    {
        require(pos, n);
        return bytes_.subspan(pos, n);
    }
    std::span<const std::byte> bytes() const { return bytes_; }

private:
    std::uint64_t read(std::uint64_t pos, int n) const
    {
        require(pos, static_cast<std::uint64_t>(n));
        std::uint64_t value = 0;
        for (int i = 0; i < n; ++i) {
            const int index = bigEndian_ ? i : n - 1 - i;
            value = (value << 8) | std::to_integer<std::uint64_t>(bytes_[pos + index]);
        }
        return value;
    }

    std::span<const std::byte> bytes_;
    bool bigEndian_;
};

std::span<const std::byte> withoutExifPrefix(std::span<const std::byte> bytes)
{
    // Some writers put JPEG's "Exif\0\0" before the TIFF structure in PNG
    // eXIf and WebP EXIF chunks too.
    if (ByteReader(bytes).matches(0, "Exif\0\0"sv))
        return bytes.subspan(6);
    return bytes;
}

// ---------------------------------------------------------------------------
// Formats

enum class Format {
    Png,
    Jpeg,
    Tiff,
    Bmp,
    WebP,
    Gif,
    Pnm,
    Pam,
    Pfm,
    SunRaster,
    Hdr,
    Exr,
    Jpeg2000,
    // Recognised, so the message can name them, but not decoded here.
    Dicom,
    Heif,
    Avif,
    JpegXl,
    Psd,
    Qoi,
};

struct FormatInfo {
    Format format;
    const char *id;   ///< ImageHeader::format
    const char *name; ///< for messages
    /// OpenCV reads the format if it has a writer for this extension (its
    /// codecs come in pairs); nullptr when it never reads it (GIF in 4.6, or
    /// DICOM, whose size cannot be checked from the header here).
    const char *writerExtension;
};

constexpr std::array kFormats{
    FormatInfo{Format::Png, "png", "PNG", ".png"},
    FormatInfo{Format::Jpeg, "jpeg", "JPEG", ".jpg"},
    FormatInfo{Format::Tiff, "tiff", "TIFF", ".tif"},
    FormatInfo{Format::Bmp, "bmp", "BMP", ".bmp"},
    FormatInfo{Format::WebP, "webp", "WebP", ".webp"},
    FormatInfo{Format::Gif, "gif", "GIF", nullptr},
    FormatInfo{Format::Pnm, "pnm", "PNM", ".pnm"},
    FormatInfo{Format::Pam, "pam", "PAM", ".pam"},
    FormatInfo{Format::Pfm, "pfm", "PFM", ".pfm"},
    FormatInfo{Format::SunRaster, "sunras", "Sun raster", ".ras"},
    FormatInfo{Format::Hdr, "hdr", "Radiance HDR", ".hdr"},
    FormatInfo{Format::Exr, "exr", "OpenEXR", ".exr"},
    FormatInfo{Format::Jpeg2000, "jpeg2000", "JPEG 2000", ".jp2"},
    FormatInfo{Format::Dicom, "dicom", "DICOM", nullptr},
    FormatInfo{Format::Heif, "heif", "HEIF", nullptr},
    FormatInfo{Format::Avif, "avif", "AVIF", nullptr},
    FormatInfo{Format::JpegXl, "jxl", "JPEG XL", nullptr},
    FormatInfo{Format::Psd, "psd", "Photoshop", nullptr},
    FormatInfo{Format::Qoi, "qoi", "QOI", nullptr},
};

constexpr bool indexedByFormat()
{
    for (std::size_t i = 0; i < kFormats.size(); ++i) {
        if (static_cast<std::size_t>(kFormats[i].format) != i)
            return false;
    }
    return true;
}
static_assert(indexedByFormat(), "kFormats must list the formats in enum order");

const FormatInfo &info(Format format)
{
    return kFormats[static_cast<std::size_t>(format)];
}

bool openCvReads(Format format)
{
    static const std::array<bool, kFormats.size()> reads = [] {
        std::array<bool, kFormats.size()> result{};
        for (std::size_t i = 0; i < kFormats.size(); ++i)
            result[i] = kFormats[i].writerExtension != nullptr &&
                        cv::haveImageWriter(kFormats[i].writerExtension);
        return result;
    }();
    return reads[static_cast<std::size_t>(format)];
}

bool isSpace(std::uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/// The format from the file's signature, as OpenCV's decoders check it.
std::optional<Format> detectFormat(std::span<const std::byte> bytes)
{
    const ByteReader r(bytes);
    // First: OpenCV gives data to the first of its decoders that claims it,
    // and DICOM (GDCM, which aborts the whole process on some malformed
    // files) claims any data with "DICM" at 128 that the decoders tried
    // before it turn down, such as a JPEG 2000 or a damaged WebP file.
    if (r.matches(128, "DICM"sv))
        return Format::Dicom;
    if (r.matches(0, "\x89PNG\r\n\x1a\n"sv))
        return Format::Png;
    if (r.matches(0, "\xFF\xD8\xFF"sv))
        return Format::Jpeg;
    if (r.matches(0, "II*\0"sv) || r.matches(0, "MM\0*"sv) || r.matches(0, "II+\0"sv) ||
        r.matches(0, "MM\0+"sv))
        return Format::Tiff;
    if (r.matches(0, "BM"sv))
        return Format::Bmp;
    if (r.matches(0, "RIFF"sv) && r.matches(8, "WEBP"sv))
        return Format::WebP;
    if (r.matches(0, "GIF87a"sv) || r.matches(0, "GIF89a"sv))
        return Format::Gif;
    if (r.has(0, 3) && r.u8(0) == 'P' && isSpace(r.u8(2))) {
        const std::uint8_t kind = r.u8(1);
        if (kind >= '1' && kind <= '6')
            return Format::Pnm;
        if (kind == '7')
            return Format::Pam;
        if (kind == 'F' || kind == 'f')
            return Format::Pfm;
    }
    if (r.matches(0, "\x59\xA6\x6A\x95"sv))
        return Format::SunRaster;
    if (r.matches(0, "#?RADIANCE"sv) || r.matches(0, "#?RGBE"sv))
        return Format::Hdr;
    if (r.matches(0, "\x76\x2F\x31\x01"sv))
        return Format::Exr;
    if (r.matches(0, "\0\0\0\x0CjP  \r\n\x87\n"sv) || r.matches(0, "\xFF\x4F\xFF\x51"sv))
        return Format::Jpeg2000;
    if (r.matches(4, "ftyp"sv)) {
        for (const auto brand : {"avif"sv, "avis"sv}) {
            if (r.matches(8, brand))
                return Format::Avif;
        }
        for (const auto brand :
             {"heic"sv, "heix"sv, "hevc"sv, "hevx"sv, "heim"sv, "heis"sv, "mif1"sv, "msf1"sv}) {
            if (r.matches(8, brand))
                return Format::Heif;
        }
    }
    if (r.matches(0, "\xFF\x0A"sv) || r.matches(0, "\0\0\0\x0CJXL \r\n\x87\n"sv))
        return Format::JpegXl;
    if (r.matches(0, "8BPS"sv))
        return Format::Psd;
    if (r.matches(0, "qoif"sv))
        return Format::Qoi;
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Header parsers: each returns {width, height} or throws Malformed.

struct Size {
    std::int64_t width;
    std::int64_t height;
};

Size pngSize(const ByteReader &r)
{
    if (r.u32(8) != 13 || !r.matches(12, "IHDR"sv))
        throw Malformed{};
    return {r.u32(16), r.u32(20)};
}

struct JpegSegment {
    std::uint8_t marker;
    std::size_t data; ///< offset of the payload (after the length field)
    std::size_t size; ///< payload size
};

bool isJpegStandalone(std::uint8_t marker)
{
    return marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7);
}

/// The marker segments from SOI up to and including the first SOS.
std::vector<JpegSegment> jpegSegmentsUntilScan(const ByteReader &r)
{
    std::vector<JpegSegment> segments;
    std::size_t pos = 2;
    for (;;) {
        while (r.u8(pos) != 0xFF) // garbage between segments, as libjpeg tolerates
            ++pos;
        while (r.u8(pos) == 0xFF) // fill bytes
            ++pos;
        const std::uint8_t marker = r.u8(pos++);
        if (marker == 0x00) // FF 00 is no marker: libjpeg skips it with the garbage
            continue;
        if (isJpegStandalone(marker))
            continue;
        if (marker == 0xD9) // EOI before any scan
            return segments;
        const std::size_t length = r.u16(pos);
        if (length < 2)
            throw Malformed{};
        r.require(pos, length);
        segments.push_back({marker, pos + 2, length - 2});
        pos += length;
        if (marker == 0xDA)
            return segments;
    }
}

bool isJpegFrameMarker(std::uint8_t marker)
{
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

Size jpegSize(const ByteReader &r)
{
    for (const JpegSegment &segment : jpegSegmentsUntilScan(r)) {
        if (isJpegFrameMarker(segment.marker)) {
            if (segment.size < 5)
                throw Malformed{};
            return {r.u16(segment.data + 3), r.u16(segment.data + 1)};
        }
    }
    throw Malformed{};
}

/// True if the JPEG data reaches its EOI marker: libjpeg decodes a
/// truncated file with only a warning, padding the missing part with grey.
/// Scans the entropy-coded data of every scan (progressive files have
/// several); data after EOI is allowed.
bool jpegReachesEnd(const ByteReader &r)
{
    const std::vector<JpegSegment> segments = jpegSegmentsUntilScan(r);
    if (segments.empty() || segments.back().marker != 0xDA)
        return false;
    const std::span<const std::byte> bytes = r.bytes();
    std::size_t pos = segments.back().data + segments.back().size;
    for (;;) {
        const void *found = std::memchr(bytes.data() + pos, 0xFF, bytes.size() - pos);
        if (found == nullptr)
            return false;
        pos = static_cast<std::size_t>(static_cast<const std::byte *>(found) - bytes.data());
        const std::uint8_t next = r.u8(pos + 1);
        if (next == 0xFF) { // fill byte before a marker
            pos += 1;
        } else if (next == 0x00 || isJpegStandalone(next)) { // stuffed byte, restart marker
            pos += 2;
        } else if (next == 0xD9) {
            return true;
        } else { // DHT, DQT, SOS, ... between scans: skip its header, keep scanning
            const std::size_t length = r.u16(pos + 2);
            if (length < 2)
                return false;
            r.require(pos + 2, length);
            pos += 2 + length;
        }
    }
}

struct TiffLayout {
    bool bigEndian;
    bool bigTiff;
    std::uint64_t firstIfd;
};

TiffLayout tiffLayout(std::span<const std::byte> bytes)
{
    const ByteReader probe(bytes);
    const bool bigEndian = probe.matches(0, "MM"sv);
    if (!bigEndian && !probe.matches(0, "II"sv))
        throw Malformed{};
    const ByteReader r(bytes, bigEndian);
    const std::uint16_t version = r.u16(2);
    if (version == 42)
        return {bigEndian, false, r.u32(4)};
    if (version == 43 && r.u16(4) == 8 && r.u16(6) == 0)
        return {bigEndian, true, r.u64(8)};
    throw Malformed{};
}

/// An integer tag of the first IFD, std::nullopt if absent.
std::optional<std::uint64_t> tiffTag(std::span<const std::byte> bytes, std::uint16_t tag)
{
    const TiffLayout layout = tiffLayout(bytes);
    const ByteReader r(bytes, layout.bigEndian);
    const std::uint64_t ifd = layout.firstIfd;
    const std::uint64_t count = layout.bigTiff ? r.u64(ifd) : r.u16(ifd);
    const std::uint64_t entrySize = layout.bigTiff ? 20 : 12;
    const std::uint64_t first = ifd + (layout.bigTiff ? 8 : 2); // ifd < size: no overflow
    // Each entry is read within the buffer or throws, so a huge count ends
    // at the end of the buffer.
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t entry = first + i * entrySize;
        if (r.u16(entry) != tag)
            continue;
        const std::uint16_t type = r.u16(entry + 2);
        const std::uint64_t value = entry + (layout.bigTiff ? 12 : 8);
        switch (type) {
        case 3: // SHORT
            return r.u16(value);
        case 4: // LONG
            return r.u32(value);
        case 16: // LONG8 (BigTIFF)
            if (layout.bigTiff)
                return r.u64(value);
            throw Malformed{};
        default:
            throw Malformed{};
        }
    }
    return std::nullopt;
}

Size tiffSize(std::span<const std::byte> bytes)
{
    const auto width = tiffTag(bytes, 256);  // ImageWidth
    const auto height = tiffTag(bytes, 257); // ImageLength
    if (!width || !height || *width > INT64_MAX || *height > INT64_MAX)
        throw Malformed{};
    return {static_cast<std::int64_t>(*width), static_cast<std::int64_t>(*height)};
}

Size bmpSize(const ByteReader &r)
{
    const std::uint32_t infoSize = r.u32(14);
    if (infoSize == 12) // BITMAPCOREHEADER
        return {r.u16(18), r.u16(20)};
    if (infoSize < 16)
        throw Malformed{};
    const auto width = static_cast<std::int32_t>(r.u32(18));
    const auto height = static_cast<std::int32_t>(r.u32(22)); // negative: top-down rows
    if (width < 0)
        throw Malformed{};
    return {width, std::abs(std::int64_t{height})};
}

Size webpSize(const ByteReader &r)
{
    if (r.matches(12, "VP8 "sv)) {
        if (!r.matches(23, "\x9D\x01\x2A"sv))
            throw Malformed{};
        return {r.u16(26) & 0x3FFF, r.u16(28) & 0x3FFF};
    }
    if (r.matches(12, "VP8L"sv)) {
        if (r.u8(20) != 0x2F)
            throw Malformed{};
        const std::uint32_t bits = r.u32(21);
        return {(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    }
    if (r.matches(12, "VP8X"sv))
        return {std::int64_t{r.u24(24)} + 1, std::int64_t{r.u24(27)} + 1};
    throw Malformed{};
}

/// Skips whitespace and '#' comments, then reads a decimal number of at
/// most 12 digits.
std::int64_t pnmNumber(const ByteReader &r, std::size_t &pos)
{
    for (;;) {
        const std::uint8_t c = r.u8(pos);
        if (isSpace(c)) {
            ++pos;
        } else if (c == '#') {
            while (r.u8(pos) != '\n' && r.u8(pos) != '\r')
                ++pos;
        } else {
            break;
        }
    }
    std::int64_t value = 0;
    int digits = 0;
    for (std::uint8_t c = r.u8(pos); c >= '0' && c <= '9'; c = r.u8(++pos)) {
        if (++digits > 12)
            throw Malformed{};
        value = value * 10 + (c - '0');
    }
    if (digits == 0)
        throw Malformed{};
    return value;
}

Size pnmSize(const ByteReader &r) // P1..P6: "P6 <width> <height> ..."
{
    // As OpenCV's PxM reader does, the byte after a number ends it and is
    // consumed whatever it is: "7#" is 7 and starts no comment, "7x6" is 7
    // and 6. Reading it otherwise would check another size than OpenCV
    // decodes.
    std::size_t pos = 2;
    const std::int64_t width = pnmNumber(r, pos);
    r.require(pos++, 1);
    const std::int64_t height = pnmNumber(r, pos);
    return {width, height};
}

Size pfmSize(const ByteReader &r) // "PF\n<width> <height>\n<scale>\n"
{
    // As OpenCV's PFM reader does: from the byte after "PF" and one
    // whitespace byte, each number is the text up to and including the next
    // whitespace byte (at most 2048 bytes), read like atoi: an optional sign,
    // then the leading digits (none: 0). No comments, no skipped whitespace.
    std::size_t pos = 3;
    const auto number = [&r, &pos] {
        constexpr std::size_t kLongest = 2048;
        const std::size_t start = pos;
        std::size_t length = 0;
        while (length < kLongest && !isSpace(r.u8(pos++)))
            ++length;
        std::size_t i = start;
        const std::size_t end = start + length;
        const bool negative = i < end && r.u8(i) == '-';
        if (i < end && (r.u8(i) == '-' || r.u8(i) == '+'))
            ++i;
        std::int64_t value = 0;
        for (int digits = 0; i < end && r.u8(i) >= '0' && r.u8(i) <= '9'; ++i) {
            if (++digits > 12)
                throw Malformed{};
            value = value * 10 + (r.u8(i) - '0');
        }
        if (negative && value != 0) // OpenCV refuses it too; no negative sizes here
            throw Malformed{};
        return value;
    };
    const std::int64_t width = number();
    const std::int64_t height = number();
    return {width, height};
}

Size pamSize(const ByteReader &r) // "P7\nWIDTH 7\nHEIGHT 5\n...ENDHDR\n"
{
    std::optional<std::int64_t> width;
    std::optional<std::int64_t> height;
    std::size_t pos = 3;
    for (;;) {
        while (isSpace(r.u8(pos)))
            ++pos;
        if (r.u8(pos) == '#' || !(r.matches(pos, "WIDTH"sv) || r.matches(pos, "HEIGHT"sv) ||
                                  r.matches(pos, "ENDHDR"sv))) {
            while (r.u8(pos) != '\n') // a comment or another field (DEPTH, MAXVAL, ...)
                ++pos;
            continue;
        }
        if (r.matches(pos, "ENDHDR"sv))
            break;
        const bool isWidth = r.matches(pos, "WIDTH"sv);
        pos += isWidth ? 5 : 6;
        (isWidth ? width : height) = pnmNumber(r, pos);
    }
    if (!width || !height)
        throw Malformed{};
    return {*width, *height};
}

Size sunRasterSize(const ByteReader &r)
{
    return {r.u32(4), r.u32(8)};
}

/// One piece of a Radiance header line as OpenCV reads it (rgbe.c, fgets
/// into a 128-byte buffer): up to and including '\n', at most 127 bytes.
/// Returns where it starts and moves at past it; Malformed at the end of the
/// data.
std::size_t nextHdrPiece(const ByteReader &r, std::size_t &at)
{
    constexpr std::size_t kLongest = 127;
    const std::size_t start = at;
    while (at - start < kLongest && r.u8(at++) != '\n') {
    }
    return start;
}

/// True if a header piece ends the header: it starts with '\n' or a zero
/// byte, which is also the rest of a line of exactly 127 characters.
bool endsHdrHeader(const ByteReader &r, std::size_t piece)
{
    return r.u8(piece) == '\n' || r.u8(piece) == 0;
}

Size hdrSize(const ByteReader &r) // header lines, an empty line, then "-Y <h> +X <w>"
{
    // The header ends where OpenCV's reader ends it (see nextHdrPiece), not
    // at the first empty line: a 127-character line would otherwise let
    // another size be checked than the one OpenCV decodes.
    std::size_t pos = 0;
    while (!endsHdrHeader(r, nextHdrPiece(r, pos))) {
    }
    const auto axis = [&r, &pos] {
        while (isSpace(r.u8(pos))) // as sscanf("-Y %d +X %d") in OpenCV does
            ++pos;
        const std::uint8_t sign = r.u8(pos);
        const std::uint8_t name = r.u8(pos + 1);
        if ((sign != '+' && sign != '-') || (name != 'X' && name != 'Y'))
            throw Malformed{};
        pos += 2;
        return std::pair{name, pnmNumber(r, pos)};
    };
    const auto [firstName, first] = axis();
    const auto [secondName, second] = axis();
    if (firstName == secondName)
        throw Malformed{};
    return firstName == 'Y' ? Size{second, first} : Size{first, second};
}

std::string_view cString(const ByteReader &r, std::size_t &pos)
{
    const std::size_t start = pos;
    while (r.u8(pos) != 0) {
        if (pos - start > 255)
            throw Malformed{};
        ++pos;
    }
    const std::span<const std::byte> text = r.sub(start, pos - start);
    ++pos;
    return {reinterpret_cast<const char *>(text.data()), text.size()};
}

Size exrSize(std::span<const std::byte> bytes)
{
    const ByteReader r(bytes, false);
    std::size_t pos = 8; // magic, version and flags
    for (;;) {
        const std::string_view name = cString(r, pos);
        if (name.empty()) // end of the header without a data window
            throw Malformed{};
        const std::string_view type = cString(r, pos);
        const std::uint32_t size = r.u32(pos);
        pos += 4;
        r.require(pos, size);
        if (name == "dataWindow" && type == "box2i" && size == 16) {
            const auto coordinate = [&r, pos](int i) {
                return std::int64_t{static_cast<std::int32_t>(r.u32(pos + 4 * i))};
            };
            const std::int64_t width = coordinate(2) - coordinate(0) + 1;
            const std::int64_t height = coordinate(3) - coordinate(1) + 1;
            if (width < 0 || height < 0)
                throw Malformed{};
            return {width, height};
        }
        pos += size;
    }
}

Size jpeg2000Size(const ByteReader &r)
{
    if (r.matches(0, "\xFF\x4F\xFF\x51"sv)) { // bare codestream: SIZ follows SOC
        const std::int64_t width = std::int64_t{r.u32(8)} - r.u32(16);
        const std::int64_t height = std::int64_t{r.u32(12)} - r.u32(20);
        if (width < 0 || height < 0)
            throw Malformed{};
        return {width, height};
    }
    // JP2 boxes: find the image header box in the header super box.
    const auto findBox = [&r](std::uint64_t pos, std::uint64_t end, std::string_view type) {
        while (pos < end) {
            std::uint64_t length = r.u32(pos);
            std::uint64_t header = 8;
            if (length == 1) {
                length = r.u64(pos + 8);
                header = 16;
            } else if (length == 0) {
                length = end - pos;
            }
            if (length < header || length > end - pos)
                throw Malformed{};
            if (r.matches(pos + 4, type))
                return std::pair{pos + header, pos + length};
            pos += length;
        }
        throw Malformed{};
    };
    const auto [headerStart, headerEnd] = findBox(0, r.size(), "jp2h"sv);
    const auto [imageHeader, imageHeaderEnd] = findBox(headerStart, headerEnd, "ihdr"sv);
    if (imageHeaderEnd - imageHeader < 8)
        throw Malformed{};
    return {r.u32(imageHeader + 4), r.u32(imageHeader)};
}

Size gifSize(const ByteReader &r)
{
    return {r.u16(6), r.u16(8)};
}

Size parseSize(Format format, std::span<const std::byte> bytes)
{
    const ByteReader big(bytes);
    const ByteReader little(bytes, false);
    switch (format) {
    case Format::Png:
        return pngSize(big);
    case Format::Jpeg:
        return jpegSize(big);
    case Format::Tiff:
        return tiffSize(bytes);
    case Format::Bmp:
        return bmpSize(little);
    case Format::WebP:
        return webpSize(little);
    case Format::Gif:
        return gifSize(little);
    case Format::Pnm:
        return pnmSize(big);
    case Format::Pfm:
        return pfmSize(big);
    case Format::Pam:
        return pamSize(big);
    case Format::SunRaster:
        return sunRasterSize(big);
    case Format::Hdr:
        return hdrSize(big);
    case Format::Exr:
        return exrSize(bytes);
    case Format::Jpeg2000:
        return jpeg2000Size(big);
    case Format::Dicom:
    case Format::Heif:
    case Format::Avif:
    case Format::JpegXl:
    case Format::Psd:
    case Format::Qoi:
        break;
    }
    throw Malformed{};
}

// ---------------------------------------------------------------------------
// Integrity and orientation

/// The CRC-32 of PNG chunks (ISO 3309), eight bytes per step ("slicing by
/// 8": tables[k][n] is the CRC of byte n followed by k zero bytes), fast
/// enough (about 2.5 GB/s here) to check every chunk of a large PNG.
std::uint32_t crc32(std::span<const std::byte> bytes)
{
    static const auto tables = [] {
        std::array<std::array<std::uint32_t, 256>, 8> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[0][n] = c;
        }
        for (std::size_t k = 1; k < 8; ++k)
            for (std::uint32_t n = 0; n < 256; ++n)
                t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFF];
        return t;
    }();
    const auto at = [&bytes](std::size_t i) { return std::to_integer<std::uint32_t>(bytes[i]); };
    std::uint32_t crc = 0xFFFFFFFFu;
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        const std::uint32_t low =
            crc ^ (at(i) | at(i + 1) << 8 | at(i + 2) << 16 | at(i + 3) << 24);
        crc = tables[7][low & 0xFF] ^ tables[6][(low >> 8) & 0xFF] ^ tables[5][(low >> 16) & 0xFF] ^
              tables[4][low >> 24] ^ tables[3][at(i + 4)] ^ tables[2][at(i + 5)] ^
              tables[1][at(i + 6)] ^ tables[0][at(i + 7)];
    }
    for (; i < bytes.size(); ++i)
        crc = tables[0][(crc ^ at(i)) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

struct PngChunk {
    std::string_view type;
    std::span<const std::byte> data;
    std::uint32_t crc;
};

/// Calls visit for each chunk up to IEND; returns why the chunk structure is
/// broken, or an empty string.
template <typename Visit> std::string walkPngChunks(std::span<const std::byte> bytes, Visit visit)
{
    const ByteReader r(bytes);
    std::size_t pos = 8;
    for (;;) {
        if (!r.has(pos, 8))
            return "the PNG data ends early";
        const std::uint32_t length = r.u32(pos);
        if (length > 0x7FFFFFFFu)
            return "bad PNG chunk length";
        if (!r.has(pos + 8, std::uint64_t{length} + 4))
            return "the PNG data ends early";
        const std::span<const std::byte> type = r.sub(pos + 4, 4);
        const PngChunk chunk{{reinterpret_cast<const char *>(type.data()), 4},
                             r.sub(pos + 8, length),
                             r.u32(pos + 8 + length)};
        visit(chunk, r.sub(pos + 4, std::uint64_t{length} + 4));
        if (chunk.type == "IEND")
            return {};
        pos += 12 + std::size_t{length};
    }
}

/// Why OpenCV's Radiance HDR reader (rgbe.c) would fail on this data, or an
/// empty string. It fails by throwing after opening a file that it then
/// never closes (OpenCV 4.6 leaks a file descriptor per refused image, until
/// nothing can be opened), so whatever it would refuse is refused here
/// first: a header without the piece "FORMAT=32-bit_rle_rgbe\n", a size line
/// that sscanf(line, "-Y %d +X %d") does not read, and pixel data, flat or
/// run-length encoded, that is cut short or malformed. Throws Malformed when
/// the data ends early.
std::string hdrProblem(std::span<const std::byte> bytes)
{
    const ByteReader r(bytes);
    std::size_t pos = 0;
    bool formatFound = false;
    for (std::size_t piece = nextHdrPiece(r, pos); !endsHdrHeader(r, piece);
         piece = nextHdrPiece(r, pos)) {
        constexpr auto kFormat = "FORMAT=32-bit_rle_rgbe\n"sv;
        formatFound = formatFound || (pos - piece == kFormat.size() && r.matches(piece, kFormat));
    }
    if (!formatFound)
        return "the Radiance HDR header has no FORMAT=32-bit_rle_rgbe line";

    // sscanf(line, "-Y %d +X %d", &height, &width) on the piece as C text.
    const std::size_t line = nextHdrPiece(r, pos);
    const std::size_t lineEnd = pos;
    std::size_t i = line;
    const auto at = [&r, lineEnd](std::size_t k) -> std::uint8_t {
        return k < lineEnd ? r.u8(k) : 0;
    };
    const auto literal = [&i, &at](char c) { return at(i) == c ? (++i, true) : false; };
    const auto integer = [&i, &at]() -> std::optional<std::int64_t> {
        while (isSpace(at(i)))
            ++i;
        const bool negative = at(i) == '-';
        if (at(i) == '-' || at(i) == '+')
            ++i;
        std::int64_t value = 0;
        int digits = 0;
        for (; at(i) >= '0' && at(i) <= '9'; ++i) {
            if (++digits > 9)
                return std::nullopt;
            value = value * 10 + (at(i) - '0');
        }
        if (digits == 0)
            return std::nullopt;
        return negative ? -value : value;
    };
    std::optional<std::int64_t> height;
    std::optional<std::int64_t> width;
    if (literal('-') && literal('Y') && (height = integer())) {
        while (isSpace(at(i)))
            ++i;
        if (literal('+') && literal('X'))
            width = integer();
    }
    if (!height || !width)
        return "the Radiance HDR size line is not -Y <height> +X <width>";
    if (*height <= 0 || *width <= 0)
        return {}; // OpenCV refuses it cleanly; the size check says why

    // The pixels, as RGBE_ReadPixels_RLE reads them.
    const auto w = static_cast<std::uint64_t>(*width);
    const auto h = static_cast<std::uint64_t>(*height);
    const auto take = [&r, &pos](std::uint64_t n) {
        r.require(pos, n);
        const std::size_t start = pos;
        pos += n;
        return start;
    };
    if (w < 8 || w > 0x7FFF) { // flat
        take(w * h * 4);
        return {};
    }
    for (std::uint64_t row = 0; row < h; ++row) {
        const std::size_t rgbe = take(4);
        if (r.u8(rgbe) != 2 || r.u8(rgbe + 1) != 2 || (r.u8(rgbe + 2) & 0x80) != 0) {
            take((w * (h - row) - 1) * 4); // flat from here on
            return {};
        }
        if (r.u16(rgbe + 2) != w)
            return "wrong scanline width in the Radiance HDR data";
        for (int channel = 0; channel < 4; ++channel) {
            for (std::uint64_t filled = 0; filled < w;) {
                const std::uint8_t code = r.u8(take(2));
                const std::uint64_t count = code > 128 ? code - 128u : code;
                if (count == 0 || count > w - filled)
                    return "bad scanline data in the Radiance HDR data";
                if (code <= 128) // literal values: the first was in the pair
                    take(count - 1);
                filled += count;
            }
        }
    }
    return {};
}

/// Why the data cannot be complete, checked before decoding; empty if no
/// problem is seen. PNG: chunk structure up to IEND and the checksums of the
/// critical chunks (IHDR, PLTE, IDAT, ...: libpng would refuse them anyway,
/// but with a line of its own on stderr). JPEG: the EOI marker. Radiance
/// HDR: hdrProblem.
std::string integrityProblem(Format format, std::span<const std::byte> bytes)
{
    try {
        if (format == Format::Png) {
            std::string badChunk; // the first critical chunk with a wrong CRC
            std::string problem = walkPngChunks(
                bytes, [&](const PngChunk &chunk, std::span<const std::byte> covered) {
                    const bool critical = chunk.type[0] >= 'A' && chunk.type[0] <= 'Z';
                    if (badChunk.empty() && critical && crc32(covered) != chunk.crc) {
                        badChunk = chunk.type;
                        for (char &c : badChunk) // the type comes from the file
                            if (!std::isalnum(static_cast<unsigned char>(c)))
                                c = '?';
                    }
                });
            if (!badChunk.empty())
                return "bad " + badChunk + " checksum";
            return problem;
        }
        if (format == Format::Jpeg && !jpegReachesEnd(ByteReader(bytes)))
            return "the JPEG data ends before its end marker";
        if (format == Format::Hdr)
            return hdrProblem(bytes);
    } catch (const Malformed &) {
        return std::string("the ") + info(format).name + " data ends early";
    }
    return {};
}

/// The Orientation tag (1..8) of an Exif block (a TIFF structure); 1 when
/// absent or invalid.
int exifOrientation(std::span<const std::byte> exif)
{
    const auto value = tiffTag(withoutExifPrefix(exif), 0x0112);
    return value && *value >= 1 && *value <= 8 ? static_cast<int>(*value) : 1;
}

/// The EXIF orientation OpenCV does not apply itself with IMREAD_UNCHANGED:
/// JPEG (APP1 Exif), PNG (eXIf) and WebP (EXIF chunk). OpenCV's TIFF decoder
/// applies the TIFF Orientation tag itself.
int orientationOf(Format format, std::span<const std::byte> bytes)
{
    try {
        if (format == Format::Jpeg) {
            const ByteReader r(bytes);
            for (const JpegSegment &segment : jpegSegmentsUntilScan(r)) {
                if (segment.marker == 0xE1 && r.matches(segment.data, "Exif\0\0"sv))
                    return exifOrientation(r.sub(segment.data, segment.size));
            }
        } else if (format == Format::Png) {
            std::optional<std::span<const std::byte>> exif;
            walkPngChunks(bytes, [&exif](const PngChunk &chunk, std::span<const std::byte>) {
                if (chunk.type == "eXIf" && !exif)
                    exif = chunk.data;
            });
            if (exif)
                return exifOrientation(*exif);
        } else if (format == Format::WebP) {
            const ByteReader r(bytes, false);
            for (std::uint64_t pos = 12; r.has(pos, 8);) {
                const std::uint64_t size = r.u32(pos + 4);
                if (r.matches(pos, "EXIF"sv))
                    return exifOrientation(r.sub(pos + 8, size));
                pos += 8 + size + (size & 1);
            }
        }
    } catch (const Malformed &) {
        // A broken Exif block does not make the image unreadable.
    }
    return 1;
}

cv::Mat oriented(const cv::Mat &image, int orientation)
{
    cv::Mat result;
    switch (orientation) {
    case 2: // mirrored
        cv::flip(image, result, 1);
        break;
    case 3: // upside down
        cv::flip(image, result, -1);
        break;
    case 4: // mirrored upside down
        cv::flip(image, result, 0);
        break;
    case 5: // mirrored, rotated 90° counter-clockwise
        cv::transpose(image, result);
        break;
    case 6: // rotated 90° counter-clockwise: turn it clockwise
        cv::rotate(image, result, cv::ROTATE_90_CLOCKWISE);
        break;
    case 7: // mirrored, rotated 90° clockwise
        cv::transpose(image, result);
        cv::flip(result, result, -1);
        break;
    case 8: // rotated 90° clockwise: turn it counter-clockwise
        cv::rotate(image, result, cv::ROTATE_90_COUNTERCLOCKWISE);
        break;
    default:
        return image;
    }
    return result;
}

/// CV_8U, CV_16U or CV_32F with 1, 3 or 4 channels: other depths become
/// CV_32F with the same values, grey+alpha becomes BGRA. Empty string or the
/// reason the layout cannot be represented.
std::string normalizeLayout(cv::Mat &image)
{
    const int depth = image.depth();
    if (depth != CV_8U && depth != CV_16U && depth != CV_32F) {
        cv::Mat converted;
        image.convertTo(converted, CV_32F);
        image = converted;
    }
    if (image.channels() == 2) {
        std::array<cv::Mat, 2> greyAlpha;
        cv::split(image, greyAlpha.data());
        const std::array<cv::Mat, 4> bgra{greyAlpha[0], greyAlpha[0], greyAlpha[0], greyAlpha[1]};
        cv::merge(bgra.data(), bgra.size(), image);
    }
    const int channels = image.channels();
    if (channels != 1 && channels != 3 && channels != 4)
        return "unsupported format (" + std::to_string(channels) + " channels)";
    return {};
}

std::string pixelsText(std::uint64_t pixels)
{
    if (pixels >= 1'000'000 && pixels % 1'000'000 == 0)
        return std::to_string(pixels / 1'000'000) + " megapixels";
    return std::to_string(pixels) + " pixels";
}

/// Empty, or why an image of this size is refused.
std::string sizeProblem(std::int64_t width, std::int64_t height, std::uint64_t maxPixels)
{
    const std::string size = std::to_string(width) + " x " + std::to_string(height);
    if (width <= 0 || height <= 0)
        return "zero width or height (" + size + " pixels)";
    const auto w = static_cast<std::uint64_t>(width);
    const auto h = static_cast<std::uint64_t>(height);
    if (w > maxPixels / h)
        return "too large: " + size + " pixels is more than the limit of " + pixelsText(maxPixels);
    // OpenCV refuses longer sides itself (OPENCV_IO_MAX_IMAGE_WIDTH and
    // _HEIGHT), with a message that would not say why.
    constexpr std::int64_t kOpenCvMaxSide = 1 << 20;
    if (width > kOpenCvMaxSide || height > kOpenCvMaxSide)
        return "too large: " + size + " pixels, OpenCV decodes at most " +
               std::to_string(kOpenCvMaxSide) + " pixels per side";
    return {};
}

std::string oneLine(std::string text)
{
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    if (text.size() > 200)
        text = text.substr(0, 200) + "...";
    return text;
}

/// While alive, whatever the process writes to file descriptor 2 goes to a
/// temporary file: libpng and libjpeg print their own lines on corrupt data
/// inside a valid container (a broken deflate stream, a damaged scan), and a
/// refused file must give one line, ours, which then quotes theirs. The
/// redirect is process-wide, so one capture runs at a time and each lasts
/// one decode. Under AddressSanitizer its reports are sent to the real
/// stderr meanwhile (the fuzz targets decode images).
class StderrCapture {
public:
    StderrCapture() : lock_(mutex())
    {
        std::fflush(stderr);
        file_ = std::tmpfile();
        if (!file_)
            return; // no capture: the libraries' lines reach the terminal as before
        saved_ = ::dup(STDERR_FILENO);
        if (saved_ < 0 || ::dup2(::fileno(file_), STDERR_FILENO) < 0) {
            if (saved_ >= 0)
                ::close(saved_);
            saved_ = -1;
            std::fclose(std::exchange(file_, nullptr));
            return;
        }
        reportSanitizerErrorsTo(saved_);
    }
    StderrCapture(const StderrCapture &) = delete;
    StderrCapture &operator=(const StderrCapture &) = delete;
    ~StderrCapture() { (void)finish(); }

    /// Restores file descriptor 2; returns the first non-empty line written
    /// meanwhile, if any.
    std::string finish()
    {
        if (!file_)
            return {};
        std::fflush(stderr);
        ::dup2(saved_, STDERR_FILENO);
        reportSanitizerErrorsTo(STDERR_FILENO);
        ::close(saved_);
        std::string text;
        std::rewind(file_);
        char chunk[512];
        std::size_t n = 0;
        while (text.size() < 4096 && (n = std::fread(chunk, 1, sizeof chunk, file_)) > 0)
            text.append(chunk, n);
        std::fclose(std::exchange(file_, nullptr));
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos)
                end = text.size();
            std::string line = text.substr(start, end - start);
            while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
                line.pop_back();
            if (!line.empty())
                return line;
            start = end + 1;
        }
        return {};
    }

private:
    static std::mutex &mutex()
    {
        static std::mutex m;
        return m;
    }

    static void reportSanitizerErrorsTo([[maybe_unused]] int fd)
    {
#if defined(__SANITIZE_ADDRESS__)
        __sanitizer_set_report_fd(reinterpret_cast<void *>(static_cast<std::intptr_t>(fd)));
#endif
    }

    std::unique_lock<std::mutex> lock_;
    std::FILE *file_ = nullptr;
    int saved_ = -1;
};

std::string quoted(const fs::path &path)
{
    return "'" + path.string() + "'";
}

// ---------------------------------------------------------------------------
// Saving

enum class SaveFormat { Png, Jpeg, Tiff, Bmp, WebP };

std::string lowerExtension(std::string extension)
{
    if (!extension.empty() && extension.front() == '.')
        extension.erase(0, 1);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

std::optional<SaveFormat> saveFormatOf(const std::string &extension)
{
    const std::string e = lowerExtension(extension);
    if (e == "png")
        return SaveFormat::Png;
    if (e == "jpg" || e == "jpeg")
        return SaveFormat::Jpeg;
    if (e == "tif" || e == "tiff")
        return SaveFormat::Tiff;
    if (e == "bmp")
        return SaveFormat::Bmp;
    if (e == "webp" && cv::haveImageWriter(".webp"))
        return SaveFormat::WebP;
    return std::nullopt;
}

const char *saveFormatName(SaveFormat format)
{
    switch (format) {
    case SaveFormat::Png:
        return "PNG";
    case SaveFormat::Jpeg:
        return "JPEG";
    case SaveFormat::Tiff:
        return "TIFF";
    case SaveFormat::Bmp:
        return "BMP";
    case SaveFormat::WebP:
        return "WebP";
    }
    return "?";
}

bool holdsDepth(SaveFormat format, int depth)
{
    switch (depth) {
    case CV_8U:
        return true;
    case CV_16U:
        return format == SaveFormat::Png || format == SaveFormat::Tiff;
    case CV_32F:
        return format == SaveFormat::Tiff;
    default:
        return false;
    }
}

/// OpenCV drops the fourth channel of JPEG and BMP without a word; we refuse.
bool holdsAlpha(SaveFormat format)
{
    return format != SaveFormat::Jpeg && format != SaveFormat::Bmp;
}

std::vector<int> encoderParameters(SaveFormat format, int quality)
{
    switch (format) {
    case SaveFormat::Jpeg:
        return {cv::IMWRITE_JPEG_QUALITY, quality};
    case SaveFormat::WebP:
        // OpenCV encodes losslessly only above 100.
        return {cv::IMWRITE_WEBP_QUALITY, quality >= 100 ? 101 : quality};
    case SaveFormat::Tiff:
        // LZW for every depth: OpenCV's default for 3-channel float is the
        // lossy SGI LogLuv, and float responses must round-trip exactly.
        return {cv::IMWRITE_TIFF_COMPRESSION, 5};
    case SaveFormat::Png:
    case SaveFormat::Bmp:
        break;
    }
    return {};
}

} // namespace

std::optional<ImageHeader> readImageHeader(std::span<const std::byte> bytes)
{
    const std::optional<Format> format = detectFormat(bytes);
    if (!format)
        return std::nullopt;
    try {
        const Size size = parseSize(*format, bytes);
        return ImageHeader{info(*format).id, size.width, size.height};
    } catch (const Malformed &) {
        return std::nullopt;
    }
}

cv::Mat decodeImage(std::span<const std::byte> bytes, const std::string &name,
                    const LoadOptions &options)
{
    const auto failure = [&name](const std::string &reason) {
        return FileError("cannot open '" + name + "': " + reason);
    };
    if (bytes.empty())
        throw failure("empty file (zero bytes)");
    const std::optional<Format> format = detectFormat(bytes);
    if (!format)
        throw failure("not an image (unrecognised data)");
    const std::string formatName = info(*format).name;
    if (!openCvReads(*format))
        throw failure("unsupported format (" + formatName + ")");

    // The size from the header decides before anything is allocated for
    // pixels.
    const std::optional<ImageHeader> header = readImageHeader(bytes);
    if (!header)
        throw failure("truncated or corrupt data (incomplete " + formatName + " header)");
    if (const std::string problem = sizeProblem(header->width, header->height, options.maxPixels);
        !problem.empty())
        throw failure(problem);
    if (const std::string problem = integrityProblem(*format, bytes); !problem.empty())
        throw failure("truncated or corrupt data (" + problem + ")");
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw failure("file too large to decode (over 2 GiB)");

    cv::Mat image;
    try {
        // imdecode only reads the buffer.
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                             const_cast<std::byte *>(bytes.data()));
        StderrCapture capture;
        image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        const std::string library = capture.finish();
        if (image.empty())
            throw failure("truncated or corrupt data (" +
                          (library.empty() ? "or a " + formatName + " variant OpenCV cannot decode"
                                           : oneLine(library)) +
                          ")");
        // Formats whose header does not give the final size (none known)
        // are still held to the limit.
        if (const std::string problem = sizeProblem(image.cols, image.rows, options.maxPixels);
            !problem.empty())
            throw failure(problem);
        if (const std::string problem = normalizeLayout(image); !problem.empty())
            throw failure(problem);
        return oriented(image, orientationOf(*format, bytes));
    } catch (const cv::Exception &e) {
        throw failure("truncated or corrupt data (" + oneLine(e.err) + ")");
    } catch (const std::bad_alloc &) {
        throw failure("not enough memory for " + std::to_string(header->width) + " x " +
                      std::to_string(header->height) + " pixels");
    }
}

cv::Mat loadImage(const std::filesystem::path &path, const LoadOptions &options)
{
    return decodeImage(readFile(path), path.string(), options);
}

void saveImage(const std::filesystem::path &path, const cv::Mat &image, const SaveOptions &options)
{
    const auto failure = [&path](const std::string &reason) {
        return FileError("cannot save " + quoted(path) + ": " + reason);
    };
    static constexpr const char *kChoices = "use .png, .jpg, .tif, .bmp or .webp";
    const std::string extension = path.extension().string();
    if (extension.empty())
        throw failure(std::string("no file extension to choose the format (") + kChoices + ")");
    const std::optional<SaveFormat> format = saveFormatOf(extension);
    if (!format)
        throw failure("unknown image format '" + extension + "' (" + kChoices + ")");
    const std::string formatName = saveFormatName(*format);

    if (image.empty())
        throw failure("the image is empty");
    const int depth = image.depth();
    if (depth != CV_8U && depth != CV_16U && depth != CV_32F)
        throw failure(depthName(depth) + " pixels are not supported (use 8-bit, 16-bit or "
                                         "32-bit float)");
    if (!holdsDepth(*format, depth))
        throw failure(
            formatName + " cannot store " +
            (depth == CV_16U ? "16-bit data: use .png or .tif" : "32-bit float data: use .tif"));
    const int channels = image.channels();
    if (channels != 1 && channels != 3 && channels != 4)
        throw failure(std::to_string(channels) +
                      "-channel images cannot be saved (use 1, 3 or 4 channels)");
    if (channels == 4 && !holdsAlpha(*format))
        throw failure(formatName + " cannot store an alpha channel: use .png, .tif or .webp");
    const bool lossy = *format == SaveFormat::Jpeg || *format == SaveFormat::WebP;
    if (lossy && (options.jpegQuality < 1 || options.jpegQuality > 100))
        throw failure("quality " + std::to_string(options.jpegQuality) + " is outside 1..100");

    if (options.source && !options.force) {
        std::error_code ec; // an error means one of them does not exist: nothing to protect
        if (fs::equivalent(path, *options.source, ec) && !ec)
            throw failure("it is the opened image " + quoted(*options.source) +
                          " (choose another name, or force to overwrite it)");
    }

    std::vector<uchar> encoded;
    try {
        if (!cv::imencode("." + lowerExtension(extension), image, encoded,
                          encoderParameters(*format, options.jpegQuality)))
            throw failure("OpenCV could not encode the image as " + formatName);
    } catch (const cv::Exception &e) {
        throw failure("OpenCV could not encode the image as " + formatName + " (" + oneLine(e.err) +
                      ")");
    }
    writeFileAtomically(path, std::as_bytes(std::span(encoded)));
}

bool formatSupportsDepth(const std::string &extension, int depth)
{
    const std::optional<SaveFormat> format = saveFormatOf(extension);
    return format && holdsDepth(*format, depth);
}

std::vector<std::string> readableImageExtensions()
{
    struct Entry {
        const char *extension;
        Format format;
    };
    static constexpr std::array kExtensions{
        Entry{"bmp", Format::Bmp},       Entry{"dib", Format::Bmp},
        Entry{"exr", Format::Exr},       Entry{"hdr", Format::Hdr},
        Entry{"jp2", Format::Jpeg2000},  Entry{"jpe", Format::Jpeg},
        Entry{"jpeg", Format::Jpeg},     Entry{"jpg", Format::Jpeg},
        Entry{"pam", Format::Pam},       Entry{"pbm", Format::Pnm},
        Entry{"pfm", Format::Pfm},       Entry{"pgm", Format::Pnm},
        Entry{"pic", Format::Hdr},       Entry{"png", Format::Png},
        Entry{"pnm", Format::Pnm},       Entry{"ppm", Format::Pnm},
        Entry{"ras", Format::SunRaster}, Entry{"sr", Format::SunRaster},
        Entry{"tif", Format::Tiff},      Entry{"tiff", Format::Tiff},
        Entry{"webp", Format::WebP},
    };
    std::vector<std::string> result;
    for (const Entry &entry : kExtensions) {
        if (openCvReads(entry.format))
            result.emplace_back(entry.extension);
    }
    return result;
}

} // namespace ks
