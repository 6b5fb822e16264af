#include "image_convert.h"

#include <QFile>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ks {

namespace {

// A Mat header over the pixels of a QImage that the caller keeps alive for
// as long as the header is used. Rows keep the QImage's bytesPerLine, which
// is padded to a multiple of 4 bytes.
cv::Mat pixelsOf(QImage &image, int type)
{
    return cv::Mat(image.height(), image.width(), type, image.bits(),
                   static_cast<size_t>(image.bytesPerLine()));
}

// Read-only version of pixelsOf. The const_cast only satisfies cv::Mat's
// constructor: the header is used as a source and never written through.
cv::Mat constPixelsOf(const QImage &image, int type)
{
    return cv::Mat(image.height(), image.width(), type, const_cast<uchar *>(image.constBits()),
                   static_cast<size_t>(image.bytesPerLine()));
}

// 0..1 to 0..255, rounded and saturated; NaN gives 0. Written out rather than
// left to convertTo because saturate_cast sends +inf and NaN to 0 through the
// integer overflow of cvRound.
cv::Mat floatToEightBit(const cv::Mat &image)
{
    cv::Mat result(image.size(), CV_MAKETYPE(CV_8U, image.channels()));
    const int valuesPerRow = image.cols * image.channels();
    for (int y = 0; y < image.rows; ++y) {
        const float *in = image.ptr<float>(y);
        uchar *out = result.ptr<uchar>(y);
        for (int i = 0; i < valuesPerRow; ++i) {
            const float scaled = in[i] * 255.0f;
            if (!(scaled > 0.0f)) // also catches NaN
                out[i] = 0;
            else if (scaled >= 255.0f)
                out[i] = 255;
            else
                out[i] = static_cast<uchar>(std::lround(scaled));
        }
    }
    return result;
}

QImage integerToQImage(const cv::Mat &image)
{
    const bool eightBit = image.depth() == CV_8U;
    QImage result;
    switch (image.channels()) {
    case 1:
        result = QImage(image.cols, image.rows,
                        eightBit ? QImage::Format_Grayscale8 : QImage::Format_Grayscale16);
        if (!result.isNull()) {
            cv::Mat target = pixelsOf(result, image.type());
            image.copyTo(target);
        }
        break;
    case 3:
        if (eightBit) {
            result = QImage(image.cols, image.rows, QImage::Format_RGB888);
            if (!result.isNull()) {
                cv::Mat target = pixelsOf(result, CV_8UC3);
                cv::cvtColor(image, target, cv::COLOR_BGR2RGB);
            }
        } else {
            // Qt has no 48-bit format: RGBX64 is R, G, B, X halfwords with X = 65535,
            // which is what cvtColor writes as alpha.
            result = QImage(image.cols, image.rows, QImage::Format_RGBX64);
            if (!result.isNull()) {
                cv::Mat target = pixelsOf(result, CV_16UC4);
                cv::cvtColor(image, target, cv::COLOR_BGR2RGBA);
            }
        }
        break;
    case 4:
        // RGBA8888 and RGBA64 hold R, G, B, A in memory order on every platform.
        result = QImage(image.cols, image.rows,
                        eightBit ? QImage::Format_RGBA8888 : QImage::Format_RGBA64);
        if (!result.isNull()) {
            cv::Mat target = pixelsOf(result, image.type());
            cv::cvtColor(image, target, cv::COLOR_BGRA2RGBA);
        }
        break;
    }
    if (result.isNull())
        throw std::runtime_error("toQImage: cannot allocate a " + std::to_string(image.cols) +
                                 " x " + std::to_string(image.rows) + " image");
    return result;
}

} // namespace

QImage toQImage(const cv::Mat &image)
{
    if (image.empty())
        return {};
    const int depth = image.depth();
    const int channels = image.channels();
    const bool depthOk = depth == CV_8U || depth == CV_16U || depth == CV_32F;
    const bool channelsOk = channels == 1 || channels == 3 || channels == 4;
    if (image.dims != 2)
        throw std::invalid_argument("toQImage: a " + std::to_string(image.dims) +
                                    "-dimensional Mat is not an image");
    if (!depthOk || !channelsOk)
        throw std::invalid_argument("toQImage: unsupported image type " +
                                    cv::typeToString(image.type()) +
                                    " (expected 8U, 16U or 32F with 1, 3 or 4 channels)");
    if (depth == CV_32F)
        return integerToQImage(floatToEightBit(image));
    return integerToQImage(image);
}

cv::Mat toMat(const QImage &image)
{
    if (image.isNull())
        return {};

    // Bring every format to one of six whose memory layout maps onto a Mat.
    // convertToFormat returns a shallow copy when the format already matches.
    QImage source;
    int type = 0;
    int code = -1; // cvtColor code to B, G, R(, A) order; -1 for a plain copy
    switch (image.format()) {
    case QImage::Format_Grayscale8:
        source = image;
        type = CV_8UC1;
        break;
    case QImage::Format_Grayscale16:
        source = image;
        type = CV_16UC1;
        break;
    default:
        if (image.depth() >= 64) {
            const bool alpha = image.hasAlphaChannel();
            source = image.convertToFormat(alpha ? QImage::Format_RGBA64 : QImage::Format_RGBX64);
            type = CV_16UC4;
            code = alpha ? cv::COLOR_RGBA2BGRA : cv::COLOR_RGBA2BGR;
        } else if (image.hasAlphaChannel()) {
            source = image.convertToFormat(QImage::Format_RGBA8888);
            type = CV_8UC4;
            code = cv::COLOR_RGBA2BGRA;
        } else {
            source = image.convertToFormat(QImage::Format_RGB888);
            type = CV_8UC3;
            code = cv::COLOR_RGB2BGR;
        }
        break;
    }
    if (source.isNull())
        throw std::runtime_error("toMat: cannot convert the QImage (out of memory?)");

    const cv::Mat pixels = constPixelsOf(source, type);
    cv::Mat result;
    if (code < 0)
        result = pixels.clone();
    else
        cv::cvtColor(pixels, result, code);
    return result;
}

cv::Mat decodeImageResource(const QString &path)
{
    const std::string name = path.toStdString();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("cannot open '" + name + "': " + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    if (bytes.isEmpty())
        throw std::runtime_error("cannot read '" + name + "': the file is empty");
    if (bytes.size() > std::numeric_limits<int>::max())
        throw std::runtime_error("cannot decode '" + name + "': larger than 2 GiB");

    cv::Mat image;
    try {
        const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                              const_cast<char *>(bytes.constData()));
        image = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &e) {
        throw std::runtime_error("cannot decode '" + name + "': " + e.err);
    }
    if (image.empty())
        throw std::runtime_error("cannot decode '" + name + "': not an image OpenCV can read");
    return image;
}

} // namespace ks
