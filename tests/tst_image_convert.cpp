// Tests for ui/image_convert.cpp: cv::Mat <-> QImage conversion.
//
// Expected values are written out or read straight from the pixels of the
// other side (QImage::pixel, QImage::pixelColor, scanlines, Mat::at), never
// computed with the functions under test.

#include "ui/image_convert.h"

#include <QDir>
#include <QTemporaryFile>
#include <QTest>

#include <opencv2/core.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>

Q_DECLARE_METATYPE(QImage::Format)

namespace {

// Random pixels with a fixed seed, full range of the depth.
cv::Mat randomImage(int rows, int cols, int type, uint64_t seed)
{
    cv::Mat image(rows, cols, type);
    cv::RNG rng(seed);
    const double top = CV_MAT_DEPTH(type) == CV_16U ? 65536.0 : 256.0;
    rng.fill(image, cv::RNG::UNIFORM, 0.0, top);
    return image;
}

bool identical(const cv::Mat &a, const cv::Mat &b)
{
    return a.type() == b.type() && a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// The 16-bit halfword at channel c of pixel x in row y of a 64-bit or
// Grayscale16 QImage, read from the scanline.
quint16 halfword(const QImage &image, int x, int y, int channelsPerPixel, int c)
{
    const auto *row = reinterpret_cast<const quint16 *>(image.constScanLine(y));
    return row[x * channelsPerPixel + c];
}

} // namespace

class TestImageConvert : public QObject {
    Q_OBJECT

private slots:
    void emptyAndNull();

    void formatOfResult_data();
    void formatOfResult();

    void roundTripMatQImageMat_data();
    void roundTripMatQImageMat();

    void eightBitPixels();
    void sixteenBitPixels();

    void floatScaling_data();
    void floatScaling();
    void floatColourAndAlpha();

    void nonContiguousRoi_data();
    void nonContiguousRoi();

    void paddedRowsToMat();
    void paddedRowsFromMat();

    void qimageFormatsToMat_data();
    void qimageFormatsToMat();
    void premultipliedAlphaIsUndone();
    void indexedAndMonoExpand();

    void resultsAreDeepCopies();

    void badTypeThrows_data();
    void badTypeThrows();
    void threeDimensionalMatThrows();

    void decodeFile();
    void decodeGarbageThrows();
    void decodeMissingThrows();
};

void TestImageConvert::emptyAndNull()
{
    QVERIFY(ks::toQImage(cv::Mat()).isNull());
    QVERIFY(ks::toQImage(cv::Mat(0, 5, CV_8UC3)).isNull());
    QVERIFY(ks::toMat(QImage()).empty());
}

void TestImageConvert::formatOfResult_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QImage::Format>("format");

    QTest::newRow("8UC1") << CV_8UC1 << QImage::Format_Grayscale8;
    QTest::newRow("8UC3") << CV_8UC3 << QImage::Format_RGB888;
    QTest::newRow("8UC4") << CV_8UC4 << QImage::Format_RGBA8888;
    QTest::newRow("16UC1") << CV_16UC1 << QImage::Format_Grayscale16;
    QTest::newRow("16UC3") << CV_16UC3 << QImage::Format_RGBX64;
    QTest::newRow("16UC4") << CV_16UC4 << QImage::Format_RGBA64;
    QTest::newRow("32FC1") << CV_32FC1 << QImage::Format_Grayscale8;
    QTest::newRow("32FC3") << CV_32FC3 << QImage::Format_RGB888;
    QTest::newRow("32FC4") << CV_32FC4 << QImage::Format_RGBA8888;
}

void TestImageConvert::formatOfResult()
{
    QFETCH(int, type);
    QFETCH(QImage::Format, format);

    const QImage image = ks::toQImage(cv::Mat(4, 6, type, cv::Scalar::all(0)));
    QCOMPARE(image.format(), format);
    QCOMPARE(image.width(), 6);
    QCOMPARE(image.height(), 4);
}

void TestImageConvert::roundTripMatQImageMat_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");

    // Odd widths make QImage pad its rows for the 8- and 24-bit formats.
    QTest::newRow("8UC1 7x5") << CV_8UC1 << 5 << 7;
    QTest::newRow("8UC3 7x5") << CV_8UC3 << 5 << 7;
    QTest::newRow("8UC4 7x5") << CV_8UC4 << 5 << 7;
    QTest::newRow("16UC1 7x5") << CV_16UC1 << 5 << 7;
    QTest::newRow("16UC3 7x5") << CV_16UC3 << 5 << 7;
    QTest::newRow("16UC4 7x5") << CV_16UC4 << 5 << 7;
    QTest::newRow("8UC3 1x1") << CV_8UC3 << 1 << 1;
    QTest::newRow("8UC3 64x33") << CV_8UC3 << 33 << 64;
    QTest::newRow("16UC4 1x9") << CV_16UC4 << 9 << 1;
}

void TestImageConvert::roundTripMatQImageMat()
{
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, cols);

    const cv::Mat original = randomImage(rows, cols, type, 1234 + static_cast<uint64_t>(type));
    const cv::Mat back = ks::toMat(ks::toQImage(original));
    QCOMPARE(back.type(), original.type());
    QCOMPARE(back.rows, rows);
    QCOMPARE(back.cols, cols);
    QCOMPARE(cv::norm(original, back, cv::NORM_INF), 0.0);
    QVERIFY(back.isContinuous());
}

void TestImageConvert::eightBitPixels()
{
    // Grey
    cv::Mat grey(1, 2, CV_8UC1);
    grey.at<uchar>(0, 0) = 77;
    grey.at<uchar>(0, 1) = 255;
    const QImage qgrey = ks::toQImage(grey);
    QCOMPARE(qgrey.pixel(0, 0), qRgb(77, 77, 77));
    QCOMPARE(qgrey.pixel(1, 0), qRgb(255, 255, 255));

    // BGR: a pure blue OpenCV pixel is blue in Qt, and so on.
    cv::Mat bgr(1, 4, CV_8UC3);
    bgr.at<cv::Vec3b>(0, 0) = {255, 0, 0};
    bgr.at<cv::Vec3b>(0, 1) = {0, 255, 0};
    bgr.at<cv::Vec3b>(0, 2) = {0, 0, 255};
    bgr.at<cv::Vec3b>(0, 3) = {10, 20, 30};
    const QImage qbgr = ks::toQImage(bgr);
    QCOMPARE(qbgr.pixel(0, 0), qRgb(0, 0, 255));
    QCOMPARE(qbgr.pixel(1, 0), qRgb(0, 255, 0));
    QCOMPARE(qbgr.pixel(2, 0), qRgb(255, 0, 0));
    QCOMPARE(qbgr.pixel(3, 0), qRgb(30, 20, 10));
    // Memory order of RGB888 is R, G, B.
    const uchar *row = qbgr.constScanLine(0);
    QCOMPARE(int(row[9]), 30);
    QCOMPARE(int(row[10]), 20);
    QCOMPARE(int(row[11]), 10);

    // BGRA keeps straight alpha.
    cv::Mat bgra(1, 2, CV_8UC4);
    bgra.at<cv::Vec4b>(0, 0) = {10, 20, 30, 128};
    bgra.at<cv::Vec4b>(0, 1) = {255, 0, 0, 0};
    const QImage qbgra = ks::toQImage(bgra);
    QCOMPARE(qbgra.pixel(0, 0), qRgba(30, 20, 10, 128));
    QCOMPARE(qAlpha(qbgra.pixel(1, 0)), 0);
    const uchar *arow = qbgra.constScanLine(0);
    QCOMPARE(int(arow[4]), 0);   // R
    QCOMPARE(int(arow[6]), 255); // B
    QCOMPARE(int(arow[7]), 0);   // A
}

void TestImageConvert::sixteenBitPixels()
{
    cv::Mat grey(1, 2, CV_16UC1);
    grey.at<quint16>(0, 0) = 1000;
    grey.at<quint16>(0, 1) = 65535;
    const QImage qgrey = ks::toQImage(grey);
    QCOMPARE(halfword(qgrey, 0, 0, 1, 0), quint16(1000));
    QCOMPARE(halfword(qgrey, 1, 0, 1, 0), quint16(65535));
    QCOMPARE(qgrey.pixelColor(0, 0).rgba64().red(), quint16(1000));

    cv::Mat bgr(1, 1, CV_16UC3);
    bgr.at<cv::Vec3w>(0, 0) = {100, 200, 300};
    const QImage qbgr = ks::toQImage(bgr);
    const QRgba64 c = qbgr.pixelColor(0, 0).rgba64();
    QCOMPARE(c.red(), quint16(300));
    QCOMPARE(c.green(), quint16(200));
    QCOMPARE(c.blue(), quint16(100));
    QCOMPARE(c.alpha(), quint16(65535));
    QCOMPARE(halfword(qbgr, 0, 0, 4, 3), quint16(65535)); // the X halfword is opaque

    cv::Mat bgra(1, 2, CV_16UC4);
    bgra.at<cv::Vec4w>(0, 0) = {100, 200, 300, 400};
    bgra.at<cv::Vec4w>(0, 1) = {65535, 0, 1, 65535};
    const QImage qbgra = ks::toQImage(bgra);
    QCOMPARE(halfword(qbgra, 0, 0, 4, 0), quint16(300));
    QCOMPARE(halfword(qbgra, 0, 0, 4, 1), quint16(200));
    QCOMPARE(halfword(qbgra, 0, 0, 4, 2), quint16(100));
    QCOMPARE(halfword(qbgra, 0, 0, 4, 3), quint16(400));
    const QRgba64 d = qbgra.pixelColor(1, 0).rgba64();
    QCOMPARE(d.red(), quint16(1));
    QCOMPARE(d.green(), quint16(0));
    QCOMPARE(d.blue(), quint16(65535));
    QCOMPARE(d.alpha(), quint16(65535));
}

void TestImageConvert::floatScaling_data()
{
    QTest::addColumn<float>("value");
    QTest::addColumn<int>("expected");

    const float inf = std::numeric_limits<float>::infinity();
    QTest::newRow("0") << 0.0f << 0;
    QTest::newRow("1") << 1.0f << 255;
    QTest::newRow("0.5 rounds up") << 0.5f << 128;
    QTest::newRow("0.2") << 0.2f << 51;
    QTest::newRow("1/255") << 1.0f / 255.0f << 1;
    QTest::newRow("just below half a step") << 0.49f / 255.0f << 0;
    QTest::newRow("negative") << -0.5f << 0;
    QTest::newRow("above 1") << 2.0f << 255;
    QTest::newRow("huge") << 1e30f << 255;
    QTest::newRow("+inf") << inf << 255;
    QTest::newRow("-inf") << -inf << 0;
    QTest::newRow("NaN") << std::numeric_limits<float>::quiet_NaN() << 0;
}

void TestImageConvert::floatScaling()
{
    QFETCH(float, value);
    QFETCH(int, expected);

    const cv::Mat image(2, 3, CV_32FC1, cv::Scalar(static_cast<double>(value)));
    const QImage q = ks::toQImage(image);
    QCOMPARE(q.format(), QImage::Format_Grayscale8);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            QCOMPARE(int(q.constScanLine(y)[x]), expected);
}

void TestImageConvert::floatColourAndAlpha()
{
    cv::Mat bgr(1, 2, CV_32FC3);
    bgr.at<cv::Vec3f>(0, 0) = {1.0f, 0.0f, 0.0f};
    bgr.at<cv::Vec3f>(0, 1) = {0.2f, 0.4f, 2.0f};
    const QImage qbgr = ks::toQImage(bgr);
    QCOMPARE(qbgr.pixel(0, 0), qRgb(0, 0, 255));
    QCOMPARE(qbgr.pixel(1, 0), qRgb(255, 102, 51));

    cv::Mat bgra(1, 1, CV_32FC4);
    bgra.at<cv::Vec4f>(0, 0) = {0.0f, 1.0f, 0.0f, 0.5f};
    QCOMPARE(ks::toQImage(bgra).pixel(0, 0), qRgba(0, 255, 0, 128));
}

void TestImageConvert::nonContiguousRoi_data()
{
    QTest::addColumn<int>("type");

    QTest::newRow("8UC1") << CV_8UC1;
    QTest::newRow("8UC3") << CV_8UC3;
    QTest::newRow("8UC4") << CV_8UC4;
    QTest::newRow("16UC1") << CV_16UC1;
    QTest::newRow("16UC3") << CV_16UC3;
    QTest::newRow("16UC4") << CV_16UC4;
}

void TestImageConvert::nonContiguousRoi()
{
    QFETCH(int, type);

    const cv::Mat big = randomImage(20, 30, type, 99);
    const cv::Mat roi = big(cv::Rect(3, 2, 5, 4));
    QVERIFY(!roi.isContinuous());

    const QImage q = ks::toQImage(roi);
    QCOMPARE(q.width(), 5);
    QCOMPARE(q.height(), 4);
    const int channels = roi.channels();
    for (int y = 0; y < roi.rows; ++y) {
        for (int x = 0; x < roi.cols; ++x) {
            // The QImage holds R, G, B(, A) where the Mat holds B, G, R(, A).
            for (int c = 0; c < channels; ++c) {
                const int qc = (channels >= 3 && c < 3) ? 2 - c : c;
                if (roi.depth() == CV_8U) {
                    const int stored = q.constScanLine(y)[x * channels + qc];
                    QCOMPARE(stored, int(roi.ptr<uchar>(y)[x * channels + c]));
                } else {
                    const int qChannels = channels == 1 ? 1 : 4;
                    QCOMPARE(halfword(q, x, y, qChannels, qc),
                             roi.ptr<quint16>(y)[x * channels + c]);
                }
            }
        }
    }
    QVERIFY(identical(ks::toMat(q), roi));
}

void TestImageConvert::paddedRowsToMat()
{
    // Width 3 RGB888: 9 bytes of pixels in each 12-byte row.
    QImage rgb(3, 2, QImage::Format_RGB888);
    QVERIFY(rgb.bytesPerLine() > 9);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            rgb.setPixel(x, y, qRgb(10 * x + 1, 100 + y, 50 * y + x));
    const cv::Mat m = ks::toMat(rgb);
    QCOMPARE(m.type(), CV_8UC3);
    QCOMPARE(m.cols, 3);
    QCOMPARE(m.rows, 2);
    QCOMPARE(m.step[0], size_t(9));
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            QCOMPARE(m.at<cv::Vec3b>(y, x),
                     cv::Vec3b(uchar(50 * y + x), uchar(100 + y), uchar(10 * x + 1)));

    // Width 3 Grayscale8 (3 of 4 bytes) and Grayscale16 (6 of 8 bytes).
    QImage grey(3, 3, QImage::Format_Grayscale8);
    QImage grey16(3, 3, QImage::Format_Grayscale16);
    QCOMPARE(grey.bytesPerLine(), 4);
    QCOMPARE(grey16.bytesPerLine(), 8);
    for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) {
            grey.scanLine(y)[x] = uchar(y * 3 + x);
            reinterpret_cast<quint16 *>(grey16.scanLine(y))[x] = quint16(1000 * (y * 3 + x) + 7);
        }
    }
    const cv::Mat g = ks::toMat(grey);
    const cv::Mat g16 = ks::toMat(grey16);
    QCOMPARE(g.type(), CV_8UC1);
    QCOMPARE(g16.type(), CV_16UC1);
    for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) {
            QCOMPARE(int(g.at<uchar>(y, x)), y * 3 + x);
            QCOMPARE(int(g16.at<quint16>(y, x)), 1000 * (y * 3 + x) + 7);
        }
    }
}

void TestImageConvert::paddedRowsFromMat()
{
    cv::Mat bgr(2, 3, CV_8UC3);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x), uchar(10 + y), uchar(20 + x + y));
    const QImage q = ks::toQImage(bgr);
    QCOMPARE(q.bytesPerLine(), 12);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            QCOMPARE(q.pixel(x, y), qRgb(20 + x + y, 10 + y, x));
}

void TestImageConvert::qimageFormatsToMat_data()
{
    QTest::addColumn<QImage::Format>("format");
    QTest::addColumn<int>("type");

    QTest::newRow("RGB32") << QImage::Format_RGB32 << CV_8UC3;
    QTest::newRow("ARGB32") << QImage::Format_ARGB32 << CV_8UC4;
    QTest::newRow("RGB888") << QImage::Format_RGB888 << CV_8UC3;
    QTest::newRow("BGR888") << QImage::Format_BGR888 << CV_8UC3;
    QTest::newRow("RGBX8888") << QImage::Format_RGBX8888 << CV_8UC3;
    QTest::newRow("RGBA8888") << QImage::Format_RGBA8888 << CV_8UC4;
    QTest::newRow("RGB16") << QImage::Format_RGB16 << CV_8UC3;
    QTest::newRow("Grayscale8") << QImage::Format_Grayscale8 << CV_8UC1;
    QTest::newRow("Grayscale16") << QImage::Format_Grayscale16 << CV_16UC1;
    QTest::newRow("RGBX64") << QImage::Format_RGBX64 << CV_16UC3;
    QTest::newRow("RGBA64") << QImage::Format_RGBA64 << CV_16UC4;
    QTest::newRow("RGBA16FPx4") << QImage::Format_RGBA16FPx4 << CV_16UC4;
    QTest::newRow("RGBX32FPx4") << QImage::Format_RGBX32FPx4 << CV_16UC3;
}

void TestImageConvert::qimageFormatsToMat()
{
    QFETCH(QImage::Format, format);
    QFETCH(int, type);

    // Values every format holds exactly: 0 and full scale per channel.
    QImage image(2, 1, format);
    image.setPixelColor(0, 0, QColor(255, 0, 255));
    image.setPixelColor(1, 0, QColor(0, 255, 0));
    const cv::Mat m = ks::toMat(image);
    QCOMPARE(m.type(), type);
    QCOMPARE(m.cols, 2);
    QCOMPARE(m.rows, 1);

    cv::Mat expected;
    if (m.channels() == 1) {
        // Whatever grey level Qt stored for magenta and green, read raw.
        expected = cv::Mat(1, 2, m.type());
        for (int x = 0; x < 2; ++x) {
            if (m.depth() == CV_8U)
                expected.at<uchar>(0, x) = image.constScanLine(0)[x];
            else
                expected.at<quint16>(0, x) = halfword(image, x, 0, 1, 0);
        }
    } else {
        // B, G, R(, A) of magenta, then green.
        const double full = m.depth() == CV_16U ? 65535 : 255;
        expected = cv::Mat(1, 2, m.type());
        expected.col(0).setTo(cv::Scalar(full, 0, full, full));
        expected.col(1).setTo(cv::Scalar(0, full, 0, full));
    }
    QCOMPARE(cv::norm(m, expected, cv::NORM_INF), 0.0);
}

void TestImageConvert::premultipliedAlphaIsUndone()
{
    QImage premultiplied(1, 1, QImage::Format_ARGB32_Premultiplied);
    // Half-transparent pure blue: premultiplied storage is (0, 0, 127/128, 128).
    premultiplied.setPixelColor(0, 0, QColor(0, 0, 255, 128));
    const cv::Mat m = ks::toMat(premultiplied);
    QCOMPARE(m.type(), CV_8UC4);
    const cv::Vec4b v = m.at<cv::Vec4b>(0, 0);
    QCOMPARE(int(v[3]), 128);
    QVERIFY2(v[0] >= 253, qPrintable(QString::number(v[0]))); // blue restored, not 128
    QCOMPARE(int(v[1]), 0);
    QCOMPARE(int(v[2]), 0);
}

void TestImageConvert::indexedAndMonoExpand()
{
    QImage indexed(2, 1, QImage::Format_Indexed8);
    indexed.setColorTable({qRgb(1, 2, 3), qRgb(200, 100, 50)});
    indexed.setPixel(0, 0, 1);
    indexed.setPixel(1, 0, 0);
    const cv::Mat m = ks::toMat(indexed);
    QCOMPARE(m.type(), CV_8UC3);
    QCOMPARE(m.at<cv::Vec3b>(0, 0), cv::Vec3b(50, 100, 200));
    QCOMPARE(m.at<cv::Vec3b>(0, 1), cv::Vec3b(3, 2, 1));

    QImage mono(9, 1, QImage::Format_Mono);
    mono.setColorTable({qRgb(0, 0, 0), qRgb(255, 255, 255)});
    mono.fill(0);
    mono.setPixel(8, 0, 1);
    const cv::Mat b = ks::toMat(mono);
    QCOMPARE(b.type(), CV_8UC3);
    QCOMPARE(b.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
    QCOMPARE(b.at<cv::Vec3b>(0, 8), cv::Vec3b(255, 255, 255));
}

void TestImageConvert::resultsAreDeepCopies()
{
    cv::Mat m(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
    const QImage q = ks::toQImage(m);
    m.setTo(cv::Scalar(9, 9, 9));
    QCOMPARE(q.pixel(2, 2), qRgb(3, 2, 1));

    QImage source(4, 4, QImage::Format_RGB888);
    source.fill(qRgb(7, 8, 9));
    const cv::Mat copy = ks::toMat(source);
    QVERIFY(copy.data != source.constBits());
    source.fill(qRgb(0, 0, 0));
    QCOMPARE(copy.at<cv::Vec3b>(3, 3), cv::Vec3b(9, 8, 7));

    // Formats that need no conversion still give their own buffer.
    QImage grey(4, 4, QImage::Format_Grayscale8);
    grey.fill(42);
    const cv::Mat greyCopy = ks::toMat(grey);
    QVERIFY(greyCopy.data != grey.constBits());
    grey.fill(0);
    QCOMPARE(int(greyCopy.at<uchar>(1, 1)), 42);
}

void TestImageConvert::badTypeThrows_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("name");

    QTest::newRow("8S") << CV_8SC1 << "CV_8SC1";
    QTest::newRow("16S") << CV_16SC3 << "CV_16SC3";
    QTest::newRow("32S") << CV_32SC1 << "CV_32SC1";
    QTest::newRow("64F") << CV_64FC1 << "CV_64FC1";
    QTest::newRow("8UC2") << CV_8UC2 << "CV_8UC2";
    QTest::newRow("16UC2") << CV_16UC2 << "CV_16UC2";
    QTest::newRow("32FC2") << CV_32FC2 << "CV_32FC2";
    QTest::newRow("8UC(5)") << CV_8UC(5) << "CV_8UC5";
}

void TestImageConvert::badTypeThrows()
{
    QFETCH(int, type);
    QFETCH(QString, name);

    const cv::Mat image(3, 3, type, cv::Scalar::all(0));
    try {
        ks::toQImage(image);
        QFAIL("no exception");
    } catch (const std::invalid_argument &e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.contains(name), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
    }
}

void TestImageConvert::threeDimensionalMatThrows()
{
    const int sizes[] = {2, 3, 4};
    const cv::Mat cube(3, sizes, CV_8UC1, cv::Scalar(0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::toQImage(cube));
}

void TestImageConvert::decodeFile()
{
    // A 2x1 PNG written by Qt, read back through QFile and imdecode.
    QTemporaryFile file(QDir::tempPath() + QStringLiteral("/tst_image_convert_XXXXXX.png"));
    QVERIFY(file.open());
    QImage png(2, 1, QImage::Format_RGB888);
    png.setPixel(0, 0, qRgb(255, 0, 0));
    png.setPixel(1, 0, qRgb(1, 2, 3));
    QVERIFY(png.save(&file, "PNG"));
    file.close();

    const cv::Mat m = ks::decodeImageResource(file.fileName());
    QCOMPARE(m.type(), CV_8UC3);
    QCOMPARE(m.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 255));
    QCOMPARE(m.at<cv::Vec3b>(0, 1), cv::Vec3b(3, 2, 1));
}

void TestImageConvert::decodeGarbageThrows()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("this is not an image, just some text long enough to look at");
    file.close();
    try {
        ks::decodeImageResource(file.fileName());
        QFAIL("no exception");
    } catch (const std::runtime_error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(file.fileName()), e.what());
    }

    QTemporaryFile empty;
    QVERIFY(empty.open());
    empty.close();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, ks::decodeImageResource(empty.fileName()));
}

void TestImageConvert::decodeMissingThrows()
{
    const QString path = QStringLiteral(":/no/such/resource.png");
    try {
        ks::decodeImageResource(path);
        QFAIL("no exception");
    } catch (const std::runtime_error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(path), e.what());
    }
}

QTEST_GUILESS_MAIN(TestImageConvert)
#include "tst_image_convert.moc"
