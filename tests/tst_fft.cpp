// core/fft: FFTW's real transforms behind RealDft, checked against a naive
// DFT written here (in long double for the large sizes), and their plans shared and evicted
// safely while other threads use them.

#include "core/fft.h"

#include <QTest>

#include <opencv2/core.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <thread>
#include <vector>

namespace {

using Complex = std::complex<double>;

std::vector<double> randomValues(std::size_t n, std::uint64_t seed)
{
    cv::RNG rng(seed);
    std::vector<double> v(n);
    for (double &x : v)
        x = rng.uniform(-255.0, 255.0);
    return v;
}

/// The 2-D DFT of a rows x cols array at (u, v), summed term by term.
Complex naiveDft(const std::vector<double> &x, int rows, int cols, int u, int v)
{
    Complex sum = 0;
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
            const double angle =
                -2 * std::numbers::pi *
                (static_cast<double>(u) * i / rows + static_cast<double>(v) * j / cols);
            sum += x[static_cast<std::size_t>(i) * cols + j] *
                   Complex(std::cos(angle), std::sin(angle));
        }
    return sum;
}

/// Runs forward() on a copy of x in an FFTW buffer; returns the spectrum.
std::vector<Complex> forwardOf(const ks::fft::RealDft &dft, const std::vector<double> &x)
{
    auto in = ks::fft::realBuffer(dft.points());
    std::copy(x.begin(), x.end(), in.get());
    auto out = ks::fft::complexBuffer(dft.spectrumSize());
    dft.forward(in.get(), out.get());
    for (std::size_t i = 0; i < x.size(); ++i)
        if (in[i] != x[i])
            throw std::logic_error("forward() changed its input");
    return {out.get(), out.get() + dft.spectrumSize()};
}

double maxAbs(const std::vector<double> &x)
{
    double m = 0;
    for (double v : x)
        m = std::max(m, std::abs(v));
    return m;
}

} // namespace

class TestFft : public QObject {
    Q_OBJECT

private slots:
    void forwardMatchesNaiveDft_data();
    void forwardMatchesNaiveDft();
    void forwardIsAccurate_data();
    void forwardIsAccurate();
    void inverseUndoesForward_data();
    void inverseUndoesForward();
    void multiplyIsComplexProduct();
    void plansAreSharedPerSize();
    void evictionKeepsPlansInUseAlive();
    void threadsTransformAtOnce();
    void badSizeIsRefused();
};

void TestFft::forwardMatchesNaiveDft_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::newRow("1 x 1") << 1 << 1;
    QTest::newRow("1 x 2") << 1 << 2;
    QTest::newRow("1 x 7 (odd)") << 1 << 7;
    QTest::newRow("1 x 48") << 1 << 48;
    QTest::newRow("3 x 5") << 3 << 5;
    QTest::newRow("16 x 24") << 16 << 24;
    QTest::newRow("8 x 9") << 8 << 9;
}

void TestFft::forwardMatchesNaiveDft()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    const ks::fft::RealDft dft(rows, cols);
    QCOMPARE(dft.spectrumCols(), cols / 2 + 1);
    const std::vector<double> x = randomValues(dft.points(), 1);
    const std::vector<Complex> spectrum = forwardOf(dft, x);
    const double tolerance = 1e-12 * maxAbs(x) * static_cast<double>(dft.points());
    for (int u = 0; u < rows; ++u)
        for (int v = 0; v < dft.spectrumCols(); ++v) {
            const Complex want = naiveDft(x, rows, cols, u, v);
            const Complex got = spectrum[static_cast<std::size_t>(u) * dft.spectrumCols() + v];
            QVERIFY2(std::abs(got - want) <= tolerance,
                     qPrintable(QStringLiteral("(%1, %2): %3%4i, naive %5%6i")
                                    .arg(u)
                                    .arg(v)
                                    .arg(got.real())
                                    .arg(got.imag(), 0, 'g', 6, QLatin1Char('+'))
                                    .arg(want.real())
                                    .arg(want.imag())));
        }
}

void TestFft::forwardIsAccurate_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    // The engine's tile and row lengths.
    QTest::newRow("256 x 1024") << 256 << 1024;
    QTest::newRow("128 x 384") << 128 << 384;
    QTest::newRow("1 x 12288") << 1 << 12288;
    QTest::newRow("1 x 3072") << 1 << 3072;
}

// Sampled bins against a naive DFT in long double, within the bound the
// engine's planner assumes: 20 log2(points) 2^-53 ||x||_2. (cv::dft's 1-D
// transforms of these lengths miss it by three orders of magnitude.)
void TestFft::forwardIsAccurate()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    const ks::fft::RealDft dft(rows, cols);
    const std::vector<double> x = randomValues(dft.points(), 2);
    const std::vector<Complex> spectrum = forwardOf(dft, x);
    double norm = 0;
    for (double v : x)
        norm += v * v;
    norm = std::sqrt(norm);
    const double points = static_cast<double>(dft.points());
    const double bound = 20 * std::log2(points) * 0x1p-53 * norm;
    using Wide = std::complex<long double>;
    const long double pi = 3.141592653589793238462643383279502884L;
    for (int k = 0; k < 12; ++k) {
        const int u = (k * 37) % rows;
        const int v = (k * 101 + 1) % dft.spectrumCols();
        Wide want = 0;
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j) {
                const long double angle = -2 * pi *
                                          (static_cast<long double>(u) * i / rows +
                                           static_cast<long double>(v) * j / cols);
                want += static_cast<long double>(x[static_cast<std::size_t>(i) * cols + j]) *
                        Wide(std::cos(angle), std::sin(angle));
            }
        const Complex got = spectrum[static_cast<std::size_t>(u) * dft.spectrumCols() + v];
        const auto error = static_cast<double>(std::abs(Wide(got.real(), got.imag()) - want));
        QVERIFY2(error <= bound, qPrintable(QStringLiteral("(%1, %2): error %3, bound %4")
                                                .arg(u)
                                                .arg(v)
                                                .arg(error)
                                                .arg(bound)));
    }
}

void TestFft::inverseUndoesForward_data()
{
    forwardIsAccurate_data();
    QTest::newRow("3 x 5") << 3 << 5;
    QTest::newRow("1 x 7") << 1 << 7;
}

void TestFft::inverseUndoesForward()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    const ks::fft::RealDft dft(rows, cols);
    const std::vector<double> x = randomValues(dft.points(), 3);
    std::vector<Complex> spectrum = forwardOf(dft, x);
    auto in = ks::fft::complexBuffer(dft.spectrumSize());
    std::copy(spectrum.begin(), spectrum.end(), in.get());
    auto out = ks::fft::realBuffer(dft.points());
    dft.inverse(in.get(), out.get());
    const double n = static_cast<double>(dft.points());
    for (std::size_t i = 0; i < x.size(); ++i)
        QVERIFY2(std::abs(out[i] / n - x[i]) <= 1e-12 * 255,
                 qPrintable(QStringLiteral("%1: %2 for %3").arg(i).arg(out[i] / n).arg(x[i])));
}

void TestFft::multiplyIsComplexProduct()
{
    const std::size_t n = 37;
    cv::RNG rng(4);
    auto a = ks::fft::complexBuffer(n);
    auto b = ks::fft::complexBuffer(n);
    std::vector<Complex> want(n);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = {rng.uniform(-9.0, 9.0), rng.uniform(-9.0, 9.0)};
        b[i] = {rng.uniform(-9.0, 9.0), rng.uniform(-9.0, 9.0)};
        // (p + qi)(r + si) = (pr - qs) + (ps + qr)i, written out here.
        want[i] = {a[i].real() * b[i].real() - a[i].imag() * b[i].imag(),
                   a[i].real() * b[i].imag() + a[i].imag() * b[i].real()};
    }
    ks::fft::multiply(a.get(), b.get(), n);
    for (std::size_t i = 0; i < n; ++i) {
        QCOMPARE(a[i].real(), want[i].real());
        QCOMPARE(a[i].imag(), want[i].imag());
    }
}

void TestFft::plansAreSharedPerSize()
{
    const ks::fft::RealDft first(10, 30);
    const std::size_t cached = ks::fft::cachedPlans();
    QVERIFY(cached >= 1);
    const ks::fft::RealDft again(10, 30);
    QCOMPARE(ks::fft::cachedPlans(), cached);
    const ks::fft::RealDft other(30, 10);
    QCOMPARE(ks::fft::cachedPlans(), cached + 1);
}

void TestFft::evictionKeepsPlansInUseAlive()
{
    // More sizes than the cache keeps: the early ones are evicted from the
    // cache while their RealDft objects still use them.
    std::vector<ks::fft::RealDft> transforms;
    for (int n = 100; n < 100 + 80; ++n)
        transforms.emplace_back(1, n);
    QVERIFY(ks::fft::cachedPlans() <= 64);
    for (const ks::fft::RealDft &dft : transforms) {
        std::vector<double> x(dft.points(), 0.0);
        x[1] = 1; // an impulse at 1: spectrum e^(-2 pi i v / n)
        const std::vector<Complex> spectrum = forwardOf(dft, x);
        const int v = dft.cols() / 3;
        const double angle = -2 * std::numbers::pi * v / dft.cols();
        QVERIFY(std::abs(spectrum[static_cast<std::size_t>(v)] -
                         Complex(std::cos(angle), std::sin(angle))) < 1e-12);
    }
}

void TestFft::threadsTransformAtOnce()
{
    // Planning (under the lock) and execution (none needed) from 4 threads at
    // once, sizes shared and not: every result as on one thread.
    const std::vector<double> x = randomValues(64 * 96, 5);
    const std::vector<Complex> want = forwardOf(ks::fft::RealDft(64, 96), x);
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 25; ++round) {
                const ks::fft::RealDft mine(1, 200 + 10 * t + round);
                (void)forwardOf(mine, std::vector<double>(mine.points(), 1.0));
                const std::vector<Complex> got = forwardOf(ks::fft::RealDft(64, 96), x);
                if (got != want)
                    ++failures[static_cast<std::size_t>(t)];
            }
        });
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(failures, std::vector<int>(4, 0));
}

void TestFft::badSizeIsRefused()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::fft::RealDft(0, 8));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::fft::RealDft(8, -1));
}

QTEST_APPLESS_MAIN(TestFft)

#include "tst_fft.moc"
