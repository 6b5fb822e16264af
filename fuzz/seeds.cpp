// Writes the binary part of the fuzz seed corpus: small images of every
// format and layout OpenCV writes here (fuzz_image) and .npy kernels of every
// dtype, byte order, order and shape the importer reads (fuzz_kernel_npy).
// The text seeds (presets, CSV and JSON kernels, --region values) are
// checked in beside this file.
//
// Usage: fuzz_seeds DIR   (writes DIR/image/* and DIR/kernel_npy/*)

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

void writeFile(const fs::path &path, const std::vector<unsigned char> &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

cv::Mat pattern(int depth, int channels, cv::Size size = {8, 6})
{
    cv::Mat image(size, CV_MAKETYPE(depth, channels));
    cv::RNG rng(static_cast<std::uint64_t>(depth * 10 + channels));
    const double high = depth == CV_8U ? 256 : depth == CV_16U ? 65536 : 1;
    rng.fill(image, cv::RNG::UNIFORM, 0, high);
    return image;
}

/// Encodes when OpenCV has the codec; returns whether a seed was written.
bool writeImage(const fs::path &folder, const std::string &name, const cv::Mat &image,
                const std::vector<int> &params = {})
{
    const std::string extension = fs::path(name).extension().string();
    if (!cv::haveImageWriter(extension))
        return false;
    std::vector<unsigned char> bytes;
    try {
        if (!cv::imencode(extension, image, bytes, params))
            return false;
    } catch (const cv::Exception &) {
        return false;
    }
    writeFile(folder / name, bytes);
    return true;
}

/// The JPEG with an APP1 Exif segment (big-endian TIFF, one Orientation
/// entry) inserted after SOI.
std::vector<unsigned char> withExifOrientation(const std::vector<unsigned char> &jpeg,
                                               int orientation)
{
    const unsigned char exif[] = {'E',  'x',
                                  'i',  'f',
                                  0,    0,
                                  'M',  'M',
                                  0,    42,
                                  0,    0,
                                  0,    8,
                                  0,    1,
                                  0x01, 0x12,
                                  0,    3,
                                  0,    0,
                                  0,    1,
                                  0,    static_cast<unsigned char>(orientation),
                                  0,    0,
                                  0,    0,
                                  0,    0};
    std::vector<unsigned char> out(jpeg.begin(), jpeg.begin() + 2);
    const std::size_t length = sizeof exif + 2;
    out.insert(out.end(), {0xFF, 0xE1, static_cast<unsigned char>(length >> 8),
                           static_cast<unsigned char>(length & 0xFF)});
    out.insert(out.end(), std::begin(exif), std::end(exif));
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

void writeImages(const fs::path &folder)
{
    fs::create_directories(folder);
    for (const int channels : {1, 3, 4}) {
        const std::string c = std::to_string(channels);
        writeImage(folder, "u8c" + c + ".png", pattern(CV_8U, channels));
        writeImage(folder, "u16c" + c + ".png", pattern(CV_16U, channels));
        writeImage(folder, "u8c" + c + ".tif", pattern(CV_8U, channels));
        writeImage(folder, "u16c" + c + ".tif", pattern(CV_16U, channels),
                   {cv::IMWRITE_TIFF_COMPRESSION, 5});
        writeImage(folder, "f32c" + c + ".tif", pattern(CV_32F, channels),
                   {cv::IMWRITE_TIFF_COMPRESSION, 5});
        writeImage(folder, "u8c" + c + ".webp", pattern(CV_8U, channels),
                   {cv::IMWRITE_WEBP_QUALITY, 101});
    }
    for (const int channels : {1, 3}) {
        const std::string c = std::to_string(channels);
        writeImage(folder, "u8c" + c + ".jpg", pattern(CV_8U, channels));
        writeImage(folder, "u8c" + c + "-progressive.jpg", pattern(CV_8U, channels),
                   {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
        writeImage(folder, "u8c" + c + "-restart.jpg", pattern(CV_8U, channels),
                   {cv::IMWRITE_JPEG_RST_INTERVAL, 1});
        writeImage(folder, "u8c" + c + ".bmp", pattern(CV_8U, channels));
        writeImage(folder, "u8c" + c + ".ras", pattern(CV_8U, channels));
        writeImage(folder, "u8c" + c + ".pnm", pattern(CV_8U, channels));
        writeImage(folder, "u8c" + c + ".pam", pattern(CV_8U, channels));
        writeImage(folder, "f32c" + c + ".pfm", pattern(CV_32F, channels));
        writeImage(folder, "f32c" + c + ".exr", pattern(CV_32F, channels));
        // OpenJPEG needs more pixels than the others for its default resolutions.
        writeImage(folder, "u8c" + c + ".jp2", pattern(CV_8U, channels, {64, 64}));
    }
    writeImage(folder, "f32c3.hdr", pattern(CV_32F, 3));
    std::vector<unsigned char> jpeg;
    if (cv::imencode(".jpg", pattern(CV_8U, 3), jpeg))
        writeFile(folder / "exif6.jpg", withExifOrientation(jpeg, 6));
}

/// A .npy file of 3 x 3 values (or the shape given) in any layout.
std::vector<unsigned char> npy(std::string_view descr, std::string_view shape, bool fortran,
                               int major, const std::vector<unsigned char> &data)
{
    std::string header = "{'descr': '" + std::string(descr) +
                         "', 'fortran_order': " + (fortran ? "True" : "False") +
                         ", 'shape': " + std::string(shape) + ", }";
    const std::size_t preamble = major == 1 ? 10 : 12;
    while ((preamble + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::vector<unsigned char> out{0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major),
                                   0};
    const std::size_t length = header.size();
    for (std::size_t i = 0; i < preamble - 8; ++i)
        out.push_back(static_cast<unsigned char>((length >> (8 * i)) & 0xFF));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

/// The values 1..n as little- or big-endian elements of the given kind and size.
std::vector<unsigned char> elements(char kind, std::size_t size, bool bigEndian, int n = 9)
{
    std::vector<unsigned char> out;
    for (int i = 1; i <= n; ++i) {
        unsigned char raw[8] = {};
        if (kind == 'f' && size == 8) {
            const double v = i * 0.25 - 1;
            std::memcpy(raw, &v, 8);
        } else if (kind == 'f') {
            const float v = static_cast<float>(i * 0.25 - 1);
            std::memcpy(raw, &v, 4);
        } else {
            const std::int64_t v = kind == 'i' ? i - 5 : i;
            std::memcpy(raw, &v, 8);
        }
        for (std::size_t b = 0; b < size; ++b) // the host is little-endian
            out.push_back(raw[bigEndian ? size - 1 - b : b]);
    }
    return out;
}

void writeKernels(const fs::path &folder)
{
    fs::create_directories(folder);
    int index = 0;
    const auto add = [&](const std::vector<unsigned char> &bytes) {
        char name[32];
        std::snprintf(name, sizeof name, "k%02d.npy", index++);
        writeFile(folder / name, bytes);
    };
    for (const char *descr :
         {"<f8", "<f4", ">f8", ">f4", "<i1", "|u1", "<i2", ">u2", "<i4", ">i8", "<u8"}) {
        const bool big = descr[0] == '>';
        const char kind = descr[1];
        const std::size_t size = static_cast<std::size_t>(descr[2] - '0');
        add(npy(descr, "(3, 3)", false, 1, elements(kind, size, big)));
    }
    add(npy("<f8", "(3, 3)", true, 1, elements('f', 8, false)));
    add(npy("<f8", "(1, 3, 3)", false, 1, elements('f', 8, false)));
    add(npy("<f8", "(3, 3, 1, 1)", false, 2, elements('f', 8, false)));
    add(npy("<f4", "(1, 5)", false, 3, elements('f', 4, false, 5)));
    add(npy("<f8", "(5, 1)", false, 1, elements('f', 8, false, 5)));
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    const fs::path root(argv[1]);
    writeImages(root / "image");
    writeKernels(root / "kernel_npy");
    return 0;
}
