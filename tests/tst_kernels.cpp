// Tests for core/kernels: every kernel is checked against an independent
// reference (OpenCV's own kernel functions or a closed form written here).

#include "core/errors.h"
#include "core/filter_spec.h"
#include "core/kernels.h"
#include "core/parameters.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QTest>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(ks::FilterSpec)

namespace {

constexpr double kTight = 1e-12;

double radians(double degrees)
{
    return degrees * CV_PI / 180.0;
}

/// Largest absolute difference of two matrices of equal size and type.
double maxAbsDiff(const cv::Mat &a, const cv::Mat &b)
{
    return cv::norm(a, b, cv::NORM_INF);
}

bool isKernelOfSize(const cv::Mat &k, int rows, int cols)
{
    return k.type() == CV_64FC1 && k.rows == rows && k.cols == cols;
}

/// The Gabor function in image coordinates (x right, y down), written from
/// its definition: a cosine carrier along the rotated axis xr with a Gaussian
/// envelope of sigma along xr and sigma / gamma across it.
double gaborValue(double x, double y, double sigma, double thetaDeg, double lambda, double gamma,
                  double psiDeg)
{
    const double c = std::cos(radians(thetaDeg));
    const double s = std::sin(radians(thetaDeg));
    const double xr = x * c + y * s;
    const double yr = -x * s + y * c;
    const double sigmaY = sigma / gamma;
    const double envelope =
        std::exp(-0.5 * (xr * xr / (sigma * sigma) + yr * yr / (sigmaY * sigmaY)));
    return envelope * std::cos(2.0 * CV_PI * xr / lambda + radians(psiDeg));
}

/// The outer product g * g^T of a column vector, by a naive loop.
cv::Mat outerProduct(const cv::Mat &g)
{
    cv::Mat k(g.rows, g.rows, CV_64FC1);
    for (int i = 0; i < g.rows; ++i) {
        for (int j = 0; j < g.rows; ++j) {
            k.at<double>(i, j) = g.at<double>(i) * g.at<double>(j);
        }
    }
    return k;
}

/// Directional derivative-of-Gaussian kernel from its closed form, with the
/// Gaussian normalized to sum 1 over the window.
cv::Mat derivativeReference(int order, double angleDeg, double sigma, int ksize)
{
    const int r = ksize / 2;
    cv::Mat gauss(ksize, ksize, CV_64FC1);
    double sum = 0;
    for (int i = 0; i < ksize; ++i) {
        for (int j = 0; j < ksize; ++j) {
            const double dx = j - r;
            const double dy = i - r;
            const double v = std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            gauss.at<double>(i, j) = v;
            sum += v;
        }
    }
    const double c = std::cos(radians(angleDeg));
    const double s = std::sin(radians(angleDeg));
    const double s2 = sigma * sigma;
    cv::Mat k(ksize, ksize, CV_64FC1);
    for (int i = 0; i < ksize; ++i) {
        for (int j = 0; j < ksize; ++j) {
            const double u = (j - r) * c + (i - r) * s;
            const double g = gauss.at<double>(i, j) / sum;
            k.at<double>(i, j) = order == 1 ? u / s2 * g : (u * u / (s2 * s2) - 1.0 / s2) * g;
        }
    }
    return k;
}

/// Correlation of a kernel with an image given as a function of the offset
/// (x, y) from the anchor, evaluated at the anchor.
template <class Image> double correlateAtCentre(const cv::Mat &k, Image image)
{
    const int ax = k.cols / 2;
    const int ay = k.rows / 2;
    double acc = 0;
    for (int i = 0; i < k.rows; ++i) {
        for (int j = 0; j < k.cols; ++j) {
            acc += k.at<double>(i, j) * image(double(j - ax), double(i - ay));
        }
    }
    return acc;
}

double sumAbs(const cv::Mat &k)
{
    return cv::norm(k, cv::NORM_L1);
}

/// The ParameterError thrown by f, or nullopt if it returned normally.
template <class F> std::optional<ks::ParameterError> parameterErrorOf(F &&f)
{
    try {
        f();
    } catch (const ks::ParameterError &e) {
        return e;
    }
    return std::nullopt;
}

} // namespace

class TestKernels : public QObject {
    Q_OBJECT

private slots:
    void gaborMatchesOpenCv_data();
    void gaborMatchesOpenCv();
    void gaborSymmetry_data();
    void gaborSymmetry();
    void gaborOrientation_data();
    void gaborOrientation();
    void gaborIsPointReflected();

    void gaussianMatchesOpenCv_data();
    void gaussianMatchesOpenCv();
    void gaussianAutomaticSize_data();
    void gaussianAutomaticSize();
    void gaussianDefaultDepthIs8Bit();

    void box_data();
    void box();

    void derivativeClosedForm_data();
    void derivativeClosedForm();

    void customAsGiven_data();
    void customAsGiven();
    void customNormalize_data();
    void customNormalize();
    void customInvalid_data();
    void customInvalid();

    void identity();

    void invalidSpecsThrow_data();
    void invalidSpecsThrow();
};

// ---------------------------------------------------------------- Gabor

void TestKernels::gaborMatchesOpenCv_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("theta");
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("gamma");
    QTest::addColumn<double>("psi");

    QTest::newRow("k1") << 1 << 1.0 << 0.0 << 10.0 << 0.5 << 0.0;
    QTest::newRow("k3 tiny sigma, lambda 2") << 3 << 0.5 << 30.0 << 2.0 << 1.0 << 90.0;
    QTest::newRow("k7 theta 45 psi -45") << 7 << 1.5 << 45.0 << 4.0 << 0.3 << -45.0;
    QTest::newRow("defaults") << 31 << 4.0 << 0.0 << 10.0 << 0.5 << 0.0;
    QTest::newRow("k31 theta 90 odd") << 31 << 4.0 << 90.0 << 10.0 << 0.5 << 90.0;
    QTest::newRow("k31 theta 137.5 psi 180") << 31 << 5.0 << 137.5 << 12.0 << 0.8 << 180.0;
    QTest::newRow("k61 theta 300 gamma 2") << 61 << 10.0 << 300.0 << 20.0 << 2.0 << 0.0;
    QTest::newRow("k61 lambda 50") << 61 << 8.0 << 45.0 << 50.0 << 1.5 << -45.0;
    QTest::newRow("k301 sigma 20 odd") << 301 << 20.0 << 137.5 << 30.0 << 0.3 << 90.0;
    QTest::newRow("k301 psi 180") << 301 << 20.0 << 0.0 << 50.0 << 1.0 << 180.0;
    QTest::newRow("k7 theta 300 lambda 3") << 7 << 2.0 << 300.0 << 3.0 << 2.0 << 90.0;
    QTest::newRow("k3 theta 90 lambda 2") << 3 << 1.0 << 90.0 << 2.0 << 1.2 << 0.0;
    QTest::newRow("k61 sigma 0.5") << 61 << 0.5 << 30.0 << 6.0 << 0.7 << 180.0;
    QTest::newRow("k31 theta 30 psi -45") << 31 << 3.0 << 30.0 << 8.0 << 1.0 << -45.0;
    QTest::newRow("k61 sigma 15 theta 137.5") << 61 << 15.0 << 137.5 << 25.0 << 0.3 << 90.0;
    QTest::newRow("k1 odd") << 1 << 0.5 << 300.0 << 2.0 << 2.0 << 90.0;
}

void TestKernels::gaborMatchesOpenCv()
{
    QFETCH(int, ksize);
    QFETCH(double, sigma);
    QFETCH(double, theta);
    QFETCH(double, lambda);
    QFETCH(double, gamma);
    QFETCH(double, psi);

    const ks::GaborSpec spec{ksize, sigma, theta, lambda, gamma, psi};
    const cv::Mat k = ks::makeKernel(spec);
    QVERIFY(isKernelOfSize(k, ksize, ksize));

    const cv::Mat expected = cv::getGaborKernel(cv::Size(ksize, ksize), sigma, radians(theta),
                                                lambda, gamma, radians(psi), CV_64F);
    const double diff = maxAbsDiff(k, expected);
    QVERIFY2(diff <= kTight, qPrintable(QString("max abs diff %1").arg(diff)));

    // The same kernel from the closed form, point-reflected as documented.
    const int r = ksize / 2;
    double closedDiff = 0;
    for (int i = 0; i < ksize; ++i) {
        for (int j = 0; j < ksize; ++j) {
            const double g = gaborValue(r - j, r - i, sigma, theta, lambda, gamma, psi);
            closedDiff = std::max(closedDiff, std::abs(k.at<double>(i, j) - g));
        }
    }
    QVERIFY2(closedDiff <= kTight, qPrintable(QString("closed form diff %1").arg(closedDiff)));
}

void TestKernels::gaborSymmetry_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("theta");
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("gamma");
    QTest::addColumn<double>("psi");

    for (const double psi : {0.0, 90.0}) {
        const char *phase = psi == 0 ? "even" : "odd";
        QTest::addRow("%s defaults", phase) << 31 << 4.0 << 0.0 << 10.0 << 0.5 << psi;
        QTest::addRow("%s theta 30", phase) << 15 << 3.0 << 30.0 << 7.0 << 1.0 << psi;
        QTest::addRow("%s theta 137.5", phase) << 61 << 8.0 << 137.5 << 13.0 << 0.3 << psi;
        QTest::addRow("%s theta 300", phase) << 7 << 1.0 << 300.0 << 2.0 << 2.0 << psi;
        QTest::addRow("%s k301", phase) << 301 << 20.0 << 45.0 << 50.0 << 1.0 << psi;
    }
}

void TestKernels::gaborSymmetry()
{
    QFETCH(int, ksize);
    QFETCH(double, sigma);
    QFETCH(double, theta);
    QFETCH(double, lambda);
    QFETCH(double, gamma);
    QFETCH(double, psi);

    const cv::Mat k = ks::makeKernel(ks::GaborSpec{ksize, sigma, theta, lambda, gamma, psi});
    QVERIFY(isKernelOfSize(k, ksize, ksize));
    const double sign = psi == 0 ? 1.0 : -1.0;
    const int n = ksize;
    double asym = 0;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            asym = std::max(
                asym, std::abs(k.at<double>(i, j) - sign * k.at<double>(n - 1 - i, n - 1 - j)));
        }
    }
    QVERIFY2(asym <= kTight, qPrintable(QString("point symmetry violated by %1").arg(asym)));

    if (psi == 90) {
        const double sum = cv::sum(k)[0];
        QVERIFY2(
            std::abs(sum) <= kTight * sumAbs(k),
            qPrintable(QString("odd kernel sums to %1 (sum |k| = %2)").arg(sum).arg(sumAbs(k))));
        QVERIFY(sumAbs(k) > 0.1); // not trivially zero
    }
}

void TestKernels::gaborOrientation_data()
{
    QTest::addColumn<double>("theta");
    QTest::addColumn<bool>("vertical");

    QTest::newRow("theta 0: vertical stripes") << 0.0 << true;
    QTest::newRow("theta 180: vertical stripes") << 180.0 << true;
    QTest::newRow("theta 90: horizontal stripes") << 90.0 << false;
    QTest::newRow("theta 270: horizontal stripes") << 270.0 << false;
}

void TestKernels::gaborOrientation()
{
    QFETCH(double, theta);
    QFETCH(bool, vertical);

    // A long envelope across the wave (small gamma) makes the stripes clear.
    const int n = 31;
    const int r = n / 2;
    const cv::Mat k = ks::makeKernel(ks::GaborSpec{n, 10.0, theta, 10.0, 0.3, 0.0});
    QVERIFY(isKernelOfSize(k, n, n));

    double colMin = 1e300, colMax = -1e300, rowMin = 1e300, rowMax = -1e300;
    for (int t = 0; t < n; ++t) {
        colMin = std::min(colMin, k.at<double>(t, r));
        colMax = std::max(colMax, k.at<double>(t, r));
        rowMin = std::min(rowMin, k.at<double>(r, t));
        rowMax = std::max(rowMax, k.at<double>(r, t));
    }
    const double colVariation = colMax - colMin;
    const double rowVariation = rowMax - rowMin;
    const QString detail =
        QString("centre column varies by %1, centre row by %2").arg(colVariation).arg(rowVariation);
    if (vertical) {
        // Vertical stripes: nearly constant down a column, oscillating along a row.
        QVERIFY2(colVariation < 0.25 * rowVariation, qPrintable(detail));
        QVERIFY2(rowMin < -0.5, qPrintable(detail));
    } else {
        QVERIFY2(rowVariation < 0.25 * colVariation, qPrintable(detail));
        QVERIFY2(colMin < -0.5, qPrintable(detail));
    }
    QCOMPARE(k.at<double>(r, r), 1.0);
}

void TestKernels::gaborIsPointReflected()
{
    // An asymmetric kernel (theta 30, psi 45): tap (i, j) holds g(r - j, r - i),
    // which differs visibly from the unreflected g(j - r, i - r).
    const int n = 15;
    const int r = n / 2;
    const double sigma = 3, theta = 30, lambda = 7, gamma = 0.6, psi = 45;
    const cv::Mat k = ks::makeKernel(ks::GaborSpec{n, sigma, theta, lambda, gamma, psi});
    QVERIFY(isKernelOfSize(k, n, n));

    double reflectedDiff = 0;
    double unreflectedDiff = 0;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const double tap = k.at<double>(i, j);
            reflectedDiff = std::max(
                reflectedDiff,
                std::abs(tap - gaborValue(r - j, r - i, sigma, theta, lambda, gamma, psi)));
            unreflectedDiff = std::max(
                unreflectedDiff,
                std::abs(tap - gaborValue(j - r, i - r, sigma, theta, lambda, gamma, psi)));
        }
    }
    QVERIFY2(reflectedDiff <= kTight, qPrintable(QString("diff %1").arg(reflectedDiff)));
    QVERIFY2(unreflectedDiff > 0.1, qPrintable(QString("diff %1").arg(unreflectedDiff)));

    // Concretely: the tap right of the centre holds g at x = -1.
    QVERIFY(std::abs(k.at<double>(r, r + 1) -
                     gaborValue(-1, 0, sigma, theta, lambda, gamma, psi)) <= kTight);
}

// ---------------------------------------------------------------- Gaussian

void TestKernels::gaussianMatchesOpenCv_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");

    QTest::newRow("k1") << 1 << 0.3;
    QTest::newRow("k3 s0.3") << 3 << 0.3;
    QTest::newRow("k3 s1") << 3 << 1.0;
    QTest::newRow("k5 s0.8") << 5 << 0.8;
    QTest::newRow("k5 s0.3") << 5 << 0.3;
    QTest::newRow("k7 s1.5") << 7 << 1.5;
    QTest::newRow("k7 s30") << 7 << 30.0;
    QTest::newRow("k9 s2") << 9 << 2.0;
    QTest::newRow("k31 s5") << 31 << 5.0;
    QTest::newRow("k31 s0.5") << 31 << 0.5;
    QTest::newRow("k101 s30") << 101 << 30.0;
    QTest::newRow("k101 s12.5") << 101 << 12.5;
}

void TestKernels::gaussianMatchesOpenCv()
{
    QFETCH(int, ksize);
    QFETCH(double, sigma);

    const cv::Mat g = cv::getGaussianKernel(ksize, sigma, CV_64F);

    const cv::Mat g1 = ks::gaussianKernel1D(ksize, sigma);
    QVERIFY(isKernelOfSize(g1, ksize, 1));
    QVERIFY2(maxAbsDiff(g1, g) <= kTight,
             qPrintable(QString("1-D diff %1").arg(maxAbsDiff(g1, g))));

    const cv::Mat k = ks::makeKernel(ks::GaussianSpec{ksize, sigma});
    QVERIFY(isKernelOfSize(k, ksize, ksize));
    const cv::Mat expected = outerProduct(g);
    QVERIFY2(maxAbsDiff(k, expected) <= kTight,
             qPrintable(QString("2-D diff %1").arg(maxAbsDiff(k, expected))));
    QVERIFY(maxAbsDiff(k, cv::Mat(g * g.t())) <= kTight);
    QVERIFY2(std::abs(cv::sum(k)[0] - 1.0) <= kTight,
             qPrintable(QString("sum - 1 = %1").arg(cv::sum(k)[0] - 1.0)));

    // The depth argument only matters for ksize 0.
    for (const int depth : {CV_8U, CV_16U, CV_32F}) {
        QCOMPARE(maxAbsDiff(ks::makeKernel(ks::GaussianSpec{ksize, sigma}, depth), k), 0.0);
    }
}

void TestKernels::gaussianAutomaticSize_data()
{
    QTest::addColumn<double>("sigma");
    QTest::addColumn<int>("depth");

    const std::pair<int, const char *> depths[] = {{CV_8U, "8U"}, {CV_16U, "16U"}, {CV_32F, "32F"}};
    for (const auto &[depth, name] : depths) {
        for (const double sigma : {0.1, 0.25, 0.5, 0.75, 1.0, 2.0, 2.3, 5.0, 12.5}) {
            QTest::addRow("%s sigma %g", name, sigma) << sigma << depth;
        }
    }
}

void TestKernels::gaussianAutomaticSize()
{
    QFETCH(double, sigma);
    QFETCH(int, depth);

    // OpenCV's rule, as in cv::GaussianBlur / createGaussianKernels.
    const int expectedSize = cvRound(sigma * (depth == CV_8U ? 3 : 4) * 2 + 1) | 1;
    QCOMPARE(ks::automaticGaussianSize(sigma, depth), expectedSize);

    const cv::Mat k = ks::makeKernel(ks::GaussianSpec{0, sigma}, depth);
    QVERIFY2(
        isKernelOfSize(k, expectedSize, expectedSize),
        qPrintable(QString("got %1x%2, expected %3").arg(k.rows).arg(k.cols).arg(expectedSize)));
    const cv::Mat expected = outerProduct(cv::getGaussianKernel(expectedSize, sigma, CV_64F));
    QVERIFY2(maxAbsDiff(k, expected) <= kTight,
             qPrintable(QString("diff %1").arg(maxAbsDiff(k, expected))));
    QVERIFY(std::abs(cv::sum(k)[0] - 1.0) <= kTight);
}

void TestKernels::gaussianDefaultDepthIs8Bit()
{
    // makeKernel's default imageDepth is CV_8U: sigma 2 gives round(13) | 1.
    const cv::Mat k = ks::makeKernel(ks::GaussianSpec{0, 2.0});
    QVERIFY(isKernelOfSize(k, 13, 13));
    const cv::Mat k16 = ks::makeKernel(ks::GaussianSpec{0, 2.0}, CV_16U);
    QVERIFY(isKernelOfSize(k16, 17, 17));
    // The default spec is ksize 0 (automatic), sigma 2.
    QVERIFY(isKernelOfSize(ks::makeKernel(ks::GaussianSpec{}), 13, 13));
}

// ---------------------------------------------------------------- Box

void TestKernels::box_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<bool>("normalized");

    for (const int k : {1, 3, 31}) {
        QTest::addRow("k%d normalized", k) << k << true;
        QTest::addRow("k%d unnormalized", k) << k << false;
    }
}

void TestKernels::box()
{
    QFETCH(int, ksize);
    QFETCH(bool, normalized);

    const cv::Mat k = ks::makeKernel(ks::BoxSpec{ksize, normalized});
    QVERIFY(isKernelOfSize(k, ksize, ksize));
    const double tap = normalized ? 1.0 / (ksize * ksize) : 1.0;
    double maxDiff = 0;
    for (int i = 0; i < ksize; ++i) {
        for (int j = 0; j < ksize; ++j) {
            maxDiff = std::max(maxDiff, std::abs(k.at<double>(i, j) - tap));
        }
    }
    QVERIFY2(maxDiff <= kTight, qPrintable(QString("tap diff %1").arg(maxDiff)));
    const double expectedSum = normalized ? 1.0 : double(ksize * ksize);
    QVERIFY(std::abs(cv::sum(k)[0] - expectedSum) <= kTight * expectedSum);
}

// ---------------------------------------------------------------- Derivative

void TestKernels::derivativeClosedForm_data()
{
    QTest::addColumn<int>("order");
    QTest::addColumn<double>("angle");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<int>("ksize");

    for (const int order : {1, 2}) {
        for (const double angle : {0.0, 30.0, 90.0, 225.0}) {
            for (const double sigma : {1.0, 2.0, 5.0}) {
                for (const int ksize : {3, 15, 41}) {
                    QTest::addRow("order %d angle %g sigma %g k%d", order, angle, sigma, ksize)
                        << order << angle << sigma << ksize;
                }
            }
        }
    }
}

void TestKernels::derivativeClosedForm()
{
    QFETCH(int, order);
    QFETCH(double, angle);
    QFETCH(double, sigma);
    QFETCH(int, ksize);

    const cv::Mat k = ks::makeKernel(ks::DerivativeSpec{order, angle, sigma, ksize});
    QVERIFY(isKernelOfSize(k, ksize, ksize));

    const cv::Mat expected = derivativeReference(order, angle, sigma, ksize);
    const double diff = maxAbsDiff(k, expected);
    QVERIFY2(diff <= kTight, qPrintable(QString("max abs diff from closed form %1 (max |k| %2)")
                                            .arg(diff)
                                            .arg(cv::norm(expected, cv::NORM_INF))));

    const int n = ksize;
    if (order == 1) {
        const double sum = cv::sum(k)[0];
        QVERIFY2(std::abs(sum) <= kTight, qPrintable(QString("order-1 sum %1").arg(sum)));
        if (angle == 0) {
            // Antisymmetric in x, symmetric in y.
            double asym = 0;
            for (int i = 0; i < n; ++i) {
                for (int j = 0; j < n; ++j) {
                    asym =
                        std::max(asym, std::abs(k.at<double>(i, j) + k.at<double>(i, n - 1 - j)));
                    asym =
                        std::max(asym, std::abs(k.at<double>(i, j) - k.at<double>(n - 1 - i, j)));
                }
            }
            QVERIFY2(asym <= kTight, qPrintable(QString("symmetry violated by %1").arg(asym)));
            // Positive where the image gets brighter along +x.
            QVERIFY(k.at<double>(n / 2, n / 2 + 1) > 0);
            QVERIFY(k.at<double>(n / 2, n / 2 - 1) < 0);
        }
    }

    // Response to a ramp (order 1) or parabola (order 2) along u: ~1 when the
    // window holds the Gaussian out to 4 sigma.
    if (ksize >= 8 * sigma + 1 && sigma >= 1) {
        const double c = std::cos(radians(angle));
        const double s = std::sin(radians(angle));
        if (order == 1) {
            const double response =
                correlateAtCentre(k, [c, s](double x, double y) { return x * c + y * s; });
            QVERIFY2(std::abs(response - 1.0) <= 1e-3,
                     qPrintable(QString("ramp response %1").arg(response, 0, 'g', 15)));
            // The opposite ramp gives the opposite sign.
            const double reversed =
                correlateAtCentre(k, [c, s](double x, double y) { return -(x * c + y * s); });
            QVERIFY(std::abs(reversed + 1.0) <= 1e-3);
        } else {
            const double response = correlateAtCentre(k, [c, s](double x, double y) {
                const double u = x * c + y * s;
                return u * u / 2;
            });
            QVERIFY2(std::abs(response - 1.0) <= 1e-2,
                     qPrintable(QString("parabola response %1").arg(response, 0, 'g', 15)));
        }
    }
}

// ---------------------------------------------------------------- Custom

void TestKernels::customAsGiven_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<std::vector<double>>("values");

    QTest::newRow("sharpen 3x3") << 3 << 3 << std::vector<double>{0, -1, 0, -1, 5, -1, 0, -1, 0};
    QTest::newRow("1x1") << 1 << 1 << std::vector<double>{2.5};
    QTest::newRow("2x4 even") << 2 << 4 << std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8};
    QTest::newRow("4x2 even") << 4 << 2 << std::vector<double>{-1, 2, -3, 4, -5, 6, -7, 8};
    QTest::newRow("1x5 row") << 1 << 5 << std::vector<double>{1, 4, 6, 4, 1};
    QTest::newRow("5x1 column") << 5 << 1 << std::vector<double>{-1, -2, 0, 2, 1};
    QTest::newRow("2x3 zero sum") << 2 << 3 << std::vector<double>{1, 0, -1, 1e-3, 0, -1e-3};
    std::vector<double> big(301 * 2);
    for (std::size_t t = 0; t < big.size(); ++t) {
        big[t] = std::sin(double(t));
    }
    QTest::newRow("301x2 largest") << 301 << 2 << big;
    QTest::newRow("2x301 largest") << 2 << 301 << big;
}

void TestKernels::customAsGiven()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(std::vector<double>, values);

    const cv::Mat k = ks::makeKernel(ks::CustomSpec{rows, cols, values, false});
    QVERIFY(isKernelOfSize(k, rows, cols));
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            QCOMPARE(k.at<double>(i, j), values[std::size_t(i * cols + j)]);
        }
    }
}

void TestKernels::customNormalize_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<std::vector<double>>("values");

    QTest::newRow("binomial 3x3") << 3 << 3 << std::vector<double>{1, 2, 1, 2, 4, 2, 1, 2, 1};
    QTest::newRow("2x4") << 2 << 4 << std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8};
    QTest::newRow("negative sum") << 1 << 2 << std::vector<double>{-1, -2};
    QTest::newRow("mixed signs") << 3 << 1 << std::vector<double>{-1, 3, 0.5};
    QTest::newRow("already normalized") << 1 << 3 << std::vector<double>{0.25, 0.5, 0.25};
    QTest::newRow("1x1") << 1 << 1 << std::vector<double>{7};
}

void TestKernels::customNormalize()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(std::vector<double>, values);

    double sum = 0;
    for (const double v : values) {
        sum += v;
    }
    const cv::Mat k = ks::makeKernel(ks::CustomSpec{rows, cols, values, true});
    QVERIFY(isKernelOfSize(k, rows, cols));
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
            const double expected = values[std::size_t(i * cols + j)] / sum;
            QVERIFY2(std::abs(k.at<double>(i, j) - expected) <= kTight,
                     qPrintable(QString("tap (%1,%2) = %3, expected %4")
                                    .arg(i)
                                    .arg(j)
                                    .arg(k.at<double>(i, j))
                                    .arg(expected)));
        }
    }
    QVERIFY(std::abs(cv::sum(k)[0] - 1.0) <= kTight);
}

void TestKernels::customInvalid_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<std::vector<double>>("values");
    QTest::addColumn<bool>("normalize");

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    QTest::newRow("zero sum normalized") << 1 << 3 << std::vector<double>{1, 0, -1} << true;
    QTest::newRow("zero sum 3x3 normalized")
        << 3 << 3 << std::vector<double>{-1, -1, -1, -1, 8, -1, -1, -1, -1} << true;
    QTest::newRow("empty") << 0 << 0 << std::vector<double>{} << false;
    QTest::newRow("zero rows") << 0 << 3 << std::vector<double>{} << false;
    QTest::newRow("zero cols") << 3 << 0 << std::vector<double>{} << false;
    QTest::newRow("negative rows") << -1 << 3 << std::vector<double>{1, 2, 3} << false;
    QTest::newRow("too few values") << 2 << 2 << std::vector<double>{1, 2, 3} << false;
    QTest::newRow("too many values") << 2 << 2 << std::vector<double>{1, 2, 3, 4, 5} << false;
    QTest::newRow("empty values") << 1 << 1 << std::vector<double>{} << false;
    QTest::newRow("NaN") << 1 << 3 << std::vector<double>{1, nan, 1} << false;
    QTest::newRow("NaN normalized") << 1 << 3 << std::vector<double>{1, nan, 1} << true;
    QTest::newRow("+inf") << 1 << 3 << std::vector<double>{1, inf, 1} << false;
    QTest::newRow("-inf") << 3 << 1 << std::vector<double>{-inf, 1, 1} << false;
    QTest::newRow("302 rows") << 302 << 1 << std::vector<double>(302, 1.0) << false;
    QTest::newRow("302 cols") << 1 << 302 << std::vector<double>(302, 1.0) << false;
}

void TestKernels::customInvalid()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(std::vector<double>, values);
    QFETCH(bool, normalize);

    QCOMPARE(ks::kMaxCustomSize, 301);
    const ks::CustomSpec spec{rows, cols, values, normalize};
    const auto error = parameterErrorOf([&] { (void)ks::makeKernel(spec); });
    QVERIFY2(error.has_value(), "makeKernel accepted an invalid custom kernel");
    const std::string key = error->key();
    if (QByteArray(QTest::currentDataTag()).startsWith("zero sum")) {
        QVERIFY2(key == "matrix" || key == "normalize", key.c_str());
    } else {
        QCOMPARE(QString::fromStdString(key), QString("matrix"));
    }
    QVERIFY(!std::string(error->what()).empty());
    QVERIFY(std::string(error->what()).find('\n') == std::string::npos);
}

// ---------------------------------------------------------------- Identity

void TestKernels::identity()
{
    for (const int depth : {CV_8U, CV_16U, CV_32F}) {
        const cv::Mat k = ks::makeKernel(ks::IdentitySpec{}, depth);
        QVERIFY(isKernelOfSize(k, 1, 1));
        QCOMPARE(k.at<double>(0, 0), 1.0);
    }
}

// ---------------------------------------------------------------- invalid specs

void TestKernels::invalidSpecsThrow_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<QString>("key");

    const double nan = std::numeric_limits<double>::quiet_NaN();
    QTest::newRow("gabor even ksize") << ks::FilterSpec{ks::GaborSpec{.ksize = 4}} << "ksize";
    QTest::newRow("gabor ksize 303") << ks::FilterSpec{ks::GaborSpec{.ksize = 303}} << "ksize";
    QTest::newRow("gabor sigma 0") << ks::FilterSpec{ks::GaborSpec{.sigma = 0}} << "sigma";
    QTest::newRow("gabor lambda 1") << ks::FilterSpec{ks::GaborSpec{.lambda = 1}} << "lambda";
    QTest::newRow("gabor gamma NaN") << ks::FilterSpec{ks::GaborSpec{.gamma = nan}} << "gamma";
    QTest::newRow("gaussian ksize 2") << ks::FilterSpec{ks::GaussianSpec{.ksize = 2}} << "ksize";
    QTest::newRow("gaussian sigma 0") << ks::FilterSpec{ks::GaussianSpec{.sigma = 0}} << "sigma";
    QTest::newRow("gaussian auto sigma 0")
        << ks::FilterSpec{ks::GaussianSpec{.ksize = 0, .sigma = 0}} << "sigma";
    QTest::newRow("box ksize 2") << ks::FilterSpec{ks::BoxSpec{.ksize = 2}} << "ksize";
    QTest::newRow("box ksize 0") << ks::FilterSpec{ks::BoxSpec{.ksize = 0}} << "ksize";
    QTest::newRow("derivative order 3")
        << ks::FilterSpec{ks::DerivativeSpec{.order = 3}} << "order";
    QTest::newRow("derivative ksize 1")
        << ks::FilterSpec{ks::DerivativeSpec{.ksize = 1}} << "ksize";
    QTest::newRow("derivative sigma -1")
        << ks::FilterSpec{ks::DerivativeSpec{.sigma = -1}} << "sigma";
    QTest::newRow("custom 0x0") << ks::FilterSpec{ks::CustomSpec{
                                       .rows = 0, .cols = 0, .values = {}}}
                                << "matrix";
}

void TestKernels::invalidSpecsThrow()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(QString, key);

    for (const int depth : {CV_8U, CV_32F}) {
        const auto error = parameterErrorOf([&] { (void)ks::makeKernel(spec, depth); });
        QVERIFY2(error.has_value(), "makeKernel accepted an invalid spec");
        QCOMPARE(QString::fromStdString(error->key()), key);
    }
}

QTEST_APPLESS_MAIN(TestKernels)
#include "tst_kernels.moc"
