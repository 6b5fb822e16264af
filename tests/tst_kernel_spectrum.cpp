// Tests for core/kernel_spectrum: the frequency response against a naive
// DFT double loop written here and against the closed-form peak of a Gabor
// kernel; profiles against taps read directly, a closed-form Gaussian and a
// bilinear function that bilinear interpolation reproduces exactly.

#include "core/filter_spec.h"
#include "core/kernel_spectrum.h"
#include "core/kernels.h"

#include <opencv2/core.hpp>

#include <QTest>

#include <cmath>
#include <complex>
#include <stdexcept>
#include <vector>

using ks::GaborSpec;
using ks::KernelSpectrum;
using ks::ProfileSample;

Q_DECLARE_METATYPE(cv::Mat)

namespace {

constexpr double kPi = 3.14159265358979323846;

double radians(double degrees)
{
    return degrees * kPi / 180.0;
}

/// A kernel of distinct, signed values from a fixed seed.
cv::Mat randomKernel(int rows, int cols, unsigned seed)
{
    cv::Mat k(rows, cols, CV_64FC1);
    cv::RNG rng(seed);
    rng.fill(k, cv::RNG::UNIFORM, -1.0, 1.0);
    return k;
}

/// |sum over taps k(i, j) exp(-2 pi i (fx j + fy i))|, by the definition.
double naiveMagnitude(const cv::Mat &k, double fx, double fy)
{
    std::complex<double> sum = 0;
    for (int i = 0; i < k.rows; ++i)
        for (int j = 0; j < k.cols; ++j)
            sum += k.at<double>(i, j) * std::polar(1.0, -2.0 * kPi * (fx * j + fy * i));
    return std::abs(sum);
}

/// The position (column, row) of the largest magnitude among the cells
/// where keep(fx, fy) holds.
template <typename Keep> cv::Point argmaxWhere(const KernelSpectrum &s, Keep keep)
{
    cv::Point best(-1, -1);
    double bestValue = -1;
    for (int v = 0; v < s.size; ++v) {
        for (int u = 0; u < s.size; ++u) {
            const double value = s.magnitude.at<double>(v, u);
            if (keep(s.frequency(u), s.frequency(v)) && value > bestValue) {
                bestValue = value;
                best = {u, v};
            }
        }
    }
    return best;
}

/// The normalized 1-D Gaussian of length 2r + 1, from its definition.
std::vector<double> gaussian1D(int r, double sigma)
{
    std::vector<double> g;
    double sum = 0;
    for (int t = -r; t <= r; ++t) {
        g.push_back(std::exp(-t * t / (2 * sigma * sigma)));
        sum += g.back();
    }
    for (double &value : g)
        value /= sum;
    return g;
}

} // namespace

class TestKernelSpectrum : public QObject {
    Q_OBJECT

private slots:
    void matchesNaiveDft_data();
    void matchesNaiveDft();

    void gridSize_data();
    void gridSize();

    void dcIsTheSum();

    void gaborPeaks_data();
    void gaborPeaks();

    void rejectsBadInput();

    void axisProfilesReadTaps_data();
    void axisProfilesReadTaps();

    void gaussianProfile_data();
    void gaussianProfile();

    void bilinearProfile_data();
    void bilinearProfile();
};

void TestKernelSpectrum::matchesNaiveDft_data()
{
    QTest::addColumn<cv::Mat>("kernel");
    QTest::addColumn<int>("minSize");

    QTest::newRow("3x5 in 8") << randomKernel(3, 5, 1) << 8;
    QTest::newRow("5x3 in 16") << randomKernel(5, 3, 2) << 16;
    QTest::newRow("4x4 even in 8") << randomKernel(4, 4, 3) << 8;
    QTest::newRow("7x2 grows to 8") << randomKernel(7, 2, 4) << 2;
    QTest::newRow("1x1") << cv::Mat(1, 1, CV_64FC1, cv::Scalar(-0.5)) << 4;
}

void TestKernelSpectrum::matchesNaiveDft()
{
    QFETCH(cv::Mat, kernel);
    QFETCH(int, minSize);

    const KernelSpectrum s = ks::kernelSpectrum(kernel, minSize);
    QCOMPARE(s.magnitude.type(), CV_64FC1);
    QCOMPARE(s.magnitude.rows, s.size);
    QCOMPARE(s.magnitude.cols, s.size);
    const double scale = cv::norm(kernel, cv::NORM_L1);
    for (int v = 0; v < s.size; ++v) {
        for (int u = 0; u < s.size; ++u) {
            const double fx = static_cast<double>(u - s.size / 2) / s.size;
            const double fy = static_cast<double>(v - s.size / 2) / s.size;
            QCOMPARE(s.frequency(u), fx);
            const double expected = naiveMagnitude(kernel, fx, fy);
            if (std::abs(s.magnitude.at<double>(v, u) - expected) > 1e-13 * scale)
                QFAIL(qPrintable(QStringLiteral("cell (row %1, col %2): %3, expected %4")
                                     .arg(v)
                                     .arg(u)
                                     .arg(s.magnitude.at<double>(v, u), 0, 'g', 17)
                                     .arg(expected, 0, 'g', 17)));
        }
    }
}

void TestKernelSpectrum::gridSize_data()
{
    QTest::addColumn<int>("side");
    QTest::addColumn<int>("minSize");
    QTest::addColumn<int>("expected");

    QTest::newRow("31 in 256") << 31 << 256 << 256;
    QTest::newRow("256 in 256") << 256 << 256 << 256;
    QTest::newRow("257 in 256") << 257 << 256 << 512;
    QTest::newRow("301 in 256") << 301 << 256 << 512;
    QTest::newRow("3 in 1") << 3 << 1 << 4;
    QTest::newRow("1 in 1") << 1 << 1 << 1;
    QTest::newRow("5 in 100") << 5 << 100 << 128;
}

void TestKernelSpectrum::gridSize()
{
    QFETCH(int, side);
    QFETCH(int, minSize);
    QFETCH(int, expected);

    const KernelSpectrum s = ks::kernelSpectrum(cv::Mat::ones(side, side, CV_64FC1), minSize);
    QCOMPARE(s.size, expected);
    QCOMPARE(s.magnitude.size(), cv::Size(expected, expected));
}

void TestKernelSpectrum::dcIsTheSum()
{
    const cv::Mat k = randomKernel(9, 5, 7);
    const KernelSpectrum s = ks::kernelSpectrum(k);
    QCOMPARE(s.frequency(s.size / 2), 0.0);
    QVERIFY(std::abs(s.magnitude.at<double>(s.size / 2, s.size / 2) - std::abs(cv::sum(k)[0])) <
            1e-13);
}

void TestKernelSpectrum::gaborPeaks_data()
{
    QTest::addColumn<double>("theta");
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("gamma");
    QTest::addColumn<double>("psi");

    for (const double theta : {0.0, 30.0, 45.0, 90.0, 135.0, 200.0, 300.0})
        for (const double lambda : {4.0, 10.0, 16.0})
            for (const double psi : {0.0, 90.0})
                QTest::addRow("theta %g lambda %g psi %g", theta, lambda, psi)
                    << theta << lambda << (lambda > 8 ? 0.5 : 1.0) << psi;
}

void TestKernelSpectrum::gaborPeaks()
{
    QFETCH(double, theta);
    QFETCH(double, lambda);
    QFETCH(double, gamma);
    QFETCH(double, psi);

    // About one octave of bandwidth, the envelope kept whole by the size.
    GaborSpec g;
    g.sigma = 0.56 * lambda;
    g.ksize = 2 * static_cast<int>(std::ceil(3 * g.sigma / gamma)) + 1;
    g.theta_deg = theta;
    g.lambda = lambda;
    g.gamma = gamma;
    g.psi_deg = psi;
    const KernelSpectrum s = ks::kernelSpectrum(ks::makeKernel(g));

    const double fx0 = std::cos(radians(theta)) / lambda;
    const double fy0 = std::sin(radians(theta)) / lambda;
    const double bin = 1.0 / s.size;
    for (const double sign : {1.0, -1.0}) {
        // The largest magnitude on the side of the expected peak.
        const cv::Point peak =
            argmaxWhere(s, [&](double fx, double fy) { return sign * (fx * fx0 + fy * fy0) > 0; });
        const double fx = s.frequency(peak.x);
        const double fy = s.frequency(peak.y);
        if (std::abs(fx - sign * fx0) > bin || std::abs(fy - sign * fy0) > bin)
            QFAIL(qPrintable(QStringLiteral("peak at (%1, %2), expected (%3, %4) within %5")
                                 .arg(fx)
                                 .arg(fy)
                                 .arg(sign * fx0)
                                 .arg(sign * fy0)
                                 .arg(bin)));
    }
}

void TestKernelSpectrum::rejectsBadInput()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::kernelSpectrum(cv::Mat()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             ks::kernelSpectrum(cv::Mat::ones(3, 3, CV_32FC1)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             ks::kernelSpectrum(cv::Mat::ones(3, 3, CV_64FC1), 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::kernelProfile(cv::Mat(), 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             ks::kernelProfile(cv::Mat::ones(3, 3, CV_64FC2), 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             ks::kernelProfile(cv::Mat::ones(3, 3, CV_64FC1), 0, 0));
}

void TestKernelSpectrum::axisProfilesReadTaps_data()
{
    QTest::addColumn<cv::Mat>("kernel");

    QTest::newRow("5x7") << randomKernel(5, 7, 11);
    QTest::newRow("7x3") << randomKernel(7, 3, 12);
    QTest::newRow("4x6 even") << randomKernel(4, 6, 13);
    QTest::newRow("1x5") << randomKernel(1, 5, 14);
    QTest::newRow("1x1") << randomKernel(1, 1, 15);
}

void TestKernelSpectrum::axisProfilesReadTaps()
{
    QFETCH(cv::Mat, kernel);

    const int ax = kernel.cols / 2;
    const int ay = kernel.rows / 2;
    // angle, then the tap at offset t along it.
    const struct {
        double angle;
        int stepX, stepY;
    } directions[] = {{0, 1, 0}, {90, 0, 1}, {180, -1, 0}, {270, 0, -1}, {-90, 0, -1}};
    for (const auto &d : directions) {
        const std::vector<ProfileSample> profile = ks::kernelProfile(kernel, d.angle);
        std::vector<ProfileSample> expected;
        for (int t = -std::max(kernel.rows, kernel.cols); t <= std::max(kernel.rows, kernel.cols);
             ++t) {
            const int x = ax + t * d.stepX;
            const int y = ay + t * d.stepY;
            if (x >= 0 && x < kernel.cols && y >= 0 && y < kernel.rows)
                expected.push_back({static_cast<double>(t), kernel.at<double>(y, x)});
        }
        QCOMPARE(profile.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(profile[i].offset, expected[i].offset);
            QCOMPARE(profile[i].value, expected[i].value); // the taps themselves, exactly
        }
    }
}

void TestKernelSpectrum::gaussianProfile_data()
{
    QTest::addColumn<double>("angle");

    for (const double angle : {0.0, 90.0, 180.0, 270.0})
        QTest::addRow("%g degrees", angle) << angle;
}

void TestKernelSpectrum::gaussianProfile()
{
    QFETCH(double, angle);

    // The outer product g g^T: through the centre it is the 1-D Gaussian
    // times the centre of the other factor.
    const int r = 7;
    const double sigma = 2.0;
    const std::vector<double> g = gaussian1D(r, sigma);
    const std::vector<ProfileSample> profile =
        ks::kernelProfile(ks::makeKernel(ks::GaussianSpec{2 * r + 1, sigma}), angle);
    QCOMPARE(profile.size(), g.size());
    for (int t = -r; t <= r; ++t) {
        const ProfileSample &sample = profile[static_cast<std::size_t>(t + r)];
        QCOMPARE(sample.offset, static_cast<double>(t));
        const double expected = g[static_cast<std::size_t>(t + r)] * g[r];
        QVERIFY2(std::abs(sample.value - expected) < 1e-15,
                 qPrintable(QStringLiteral("t = %1: %2, expected %3")
                                .arg(t)
                                .arg(sample.value, 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
    }
}

void TestKernelSpectrum::bilinearProfile_data()
{
    QTest::addColumn<double>("angle");
    QTest::addColumn<double>("step");
    QTest::addColumn<double>("first");
    QTest::addColumn<double>("last");

    // A 5 x 7 kernel, anchor (3, 2): offsets dx in [-3, 3], dy in [-2, 2]; a
    // 45 degree line leaves the taps at t = +-2 sqrt(2), a 30 degree one at
    // t = +-3 / cos 30.
    QTest::newRow("45, step 1") << 45.0 << 1.0 << -2.0 << 2.0;
    QTest::newRow("45, step 0.5") << 45.0 << 0.5 << -2.5 << 2.5;
    QTest::newRow("135, step 0.5") << 135.0 << 0.5 << -2.5 << 2.5;
    QTest::newRow("30, step 1") << 30.0 << 1.0 << -3.0 << 3.0;
    QTest::newRow("200, step 0.5") << 200.0 << 0.5 << -3.0 << 3.0;
    QTest::newRow("0, step 0.5") << 0.0 << 0.5 << -3.0 << 3.0;
    QTest::newRow("90, step 0.25") << 90.0 << 0.25 << -2.0 << 2.0;
}

void TestKernelSpectrum::bilinearProfile()
{
    QFETCH(double, angle);
    QFETCH(double, step);
    QFETCH(double, first);
    QFETCH(double, last);

    // f(dx, dy) = a + b dx + c dy + d dx dy: bilinear interpolation between
    // its taps gives f itself anywhere inside.
    const double a = 0.25, b = -1.5, c = 0.75, d = 0.125;
    const auto f = [&](double dx, double dy) { return a + b * dx + c * dy + d * dx * dy; };
    cv::Mat kernel(5, 7, CV_64FC1);
    for (int i = 0; i < kernel.rows; ++i)
        for (int j = 0; j < kernel.cols; ++j)
            kernel.at<double>(i, j) = f(j - 3, i - 2);

    const std::vector<ProfileSample> profile = ks::kernelProfile(kernel, angle, step);
    QVERIFY(!profile.empty());
    QCOMPARE(profile.front().offset, first);
    QCOMPARE(profile.back().offset, last);
    QCOMPARE(profile.size(), static_cast<std::size_t>(std::lround((last - first) / step)) + 1);
    const double cx = std::cos(radians(angle));
    const double cy = std::sin(radians(angle));
    for (std::size_t i = 0; i < profile.size(); ++i) {
        const double t = first + static_cast<double>(i) * step;
        QCOMPARE(profile[i].offset, t);
        const double expected = f(t * cx, t * cy);
        QVERIFY2(std::abs(profile[i].value - expected) < 1e-12,
                 qPrintable(QStringLiteral("t = %1: %2, expected %3")
                                .arg(t)
                                .arg(profile[i].value, 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
    }
}

QTEST_APPLESS_MAIN(TestKernelSpectrum)
#include "tst_kernel_spectrum.moc"
