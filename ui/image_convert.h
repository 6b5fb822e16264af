// The one place where OpenCV images meet Qt images. Every function returns a
// deep copy: the result never shares pixels with its argument, so either side
// can be modified or destroyed afterwards.
#pragma once

#include <QImage>
#include <QRect>
#include <QString>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace ks {

/// Converts an OpenCV image (channels in B, G, R, A order) to a QImage.
///
///   depth    1 channel          3 channels (BGR)             4 channels (BGRA)
///   CV_8U    Format_Grayscale8  Format_RGB888                Format_RGBA8888
///   CV_16U   Format_Grayscale16 Format_RGBX64 (alpha 65535)  Format_RGBA64
///   CV_32F   as CV_8U, after mapping 0..1 to 0..255
///
/// CV_32F values (alpha included) are multiplied by 255, rounded to nearest
/// and saturated: below 0 and NaN give 0, above 1 and +inf give 255.
/// Alpha is straight (not premultiplied). Any ROI or row stride is accepted.
/// An empty Mat gives a null QImage. Throws std::invalid_argument, naming the
/// type (e.g. "CV_64FC1"), for any other depth or channel count.
QImage toQImage(const cv::Mat &image);

/// Converts a QImage to an OpenCV image in B, G, R(, A) channel order:
///
///   Format_Grayscale8                          CV_8UC1
///   Format_Grayscale16                         CV_16UC1
///   64- and 128-bit formats without alpha      CV_16UC3 (BGR)
///   64- and 128-bit formats with alpha         CV_16UC4 (BGRA, straight alpha)
///   other formats without alpha                CV_8UC3 (BGR)
///   other formats with alpha                   CV_8UC4 (BGRA, straight alpha)
///
/// Indexed, mono and packed formats are expanded with
/// QImage::convertToFormat first; premultiplied alpha is undone there. The
/// result is continuous. A null QImage gives an empty Mat.
cv::Mat toMat(const QImage &image);

/// Reads a file through QFile, so a Qt resource path such as
/// ":/samples/astronaut.png" works as well as a file name, and decodes it
/// with cv::imdecode(IMREAD_UNCHANGED): an 8-bit colour PNG gives CV_8UC3 BGR.
/// Throws std::runtime_error naming the path if the file cannot be read or
/// is not an image OpenCV can decode.
cv::Mat decodeImageResource(const QString &path);

/// The same rectangle in the other library's type.
inline QRect toQRect(const cv::Rect &r)
{
    return {r.x, r.y, r.width, r.height};
}

inline cv::Rect toCvRect(const QRect &r)
{
    return {r.x(), r.y(), r.width(), r.height()};
}

} // namespace ks
