// Tests for ui/main_window.cpp: the real window, offscreen, with its live
// preview. Expected images come from calling the engine directly
// (ks::runPipeline), never from the window's own code.

#include "cli_runner.h"
#include "core/document.h"
#include "core/kernels.h"
#include "core/parameters.h"
#include "ui/image_convert.h"
#include "ui/image_view.h"
#include "ui/kernel_plots.h"
#include "ui/main_window.h"
#include "ui/parameter_panel.h"
#include "ui/preview_controller.h"
#include "ui/region_panel.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QGroupBox>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <QUrl>

#include <opencv2/core.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <qcustomplot.h>

#include <stdexcept>

namespace {

const QString kSample = QStringLiteral(":/samples/astronaut.png");

QAction *findAction(const QMainWindow &window, const QString &menuTitle, const QString &text)
{
    for (QAction *menuAction : window.menuBar()->actions()) {
        if (menuAction->text() != menuTitle || !menuAction->menu())
            continue;
        for (QAction *action : menuAction->menu()->actions())
            if (action->text() == text)
                return action;
    }
    return nullptr;
}

/// What the window should show for its document: the engine's own result,
/// computed here on the test's thread.
cv::Mat expectedOutput(const cv::Mat &source, ks::Document document)
{
    if (document.display.mode == ks::DisplayMode::Raw)
        document.display = {ks::DisplayMode::Normalize, 0};
    return ks::runPipeline(source, document, CV_8U).output;
}

bool identical(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

/// Waits until the window shows the exact result of its newest request.
bool waitForExact(ks::MainWindow &window, int timeoutMs = 30000)
{
    return QTest::qWaitFor(
        [&] { return window.showsExactResult() && !window.previewController()->isBusy(); },
        timeoutMs);
}

cv::Mat randomImage(int rows, int cols, int type, std::uint64_t seed)
{
    cv::Mat image(rows, cols, type);
    cv::RNG rng(seed);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    return image;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void sampleDecodes();
    void missingResourceThrows();
    void opensWithSampleAndExactResult();
    void sliderUpdatesDisplayedImage();
    void rapidSliderChangesEndWithFinalResult();
    void badFileKeepsDocument_data();
    void badFileKeepsDocument();
    void dragAndDropOpensFile();
    void splitViewShowsOriginalOnOneSide();
    void infoTextDescribesImage_data();
    void infoTextDescribesImage();
    void recentFilesRemembered();
    void quitClosesWindow();
    void sliderDragIsOneUndoStep();
    void undoRestoresExactOutput();
    void kernelPlotsFollowEdits();
    void bankShownAndComputed();
    void kernelExportMatchesCommandLine_data();
    void kernelExportMatchesCommandLine();
    void regionPanelClearEmptiesEverything();

private:
    QTemporaryDir dir_;
};

void TestMainWindow::initTestCase()
{
    // Keep the developer's own settings out of the tests.
    QCoreApplication::setOrganizationName(QStringLiteral("KernelscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
    QSettings().clear();
    QVERIFY(dir_.isValid());
}

void TestMainWindow::sampleDecodes()
{
    const cv::Mat image = ks::decodeImageResource(kSample);
    QCOMPARE(image.cols, 512);
    QCOMPARE(image.rows, 512);
    QCOMPARE(image.type(), CV_8UC3);
}

void TestMainWindow::missingResourceThrows()
{
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             ks::decodeImageResource(QStringLiteral(":/no/such.png")));
}

void TestMainWindow::opensWithSampleAndExactResult()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.windowTitle().contains(QStringLiteral("astronaut.png")));
    QCOMPARE(window.source().size(), cv::Size(512, 512));
    QVERIFY(waitForExact(window));
    QCOMPARE(window.stageText(), QStringLiteral("Exact"));
    QVERIFY(identical(window.exactOutput(), expectedOutput(window.source(), window.document())));
    // The view shows exactly that image.
    QVERIFY(identical(ks::toMat(window.imageView()->image()), window.exactOutput()));
}

void TestMainWindow::sliderUpdatesDisplayedImage()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(waitForExact(window));
    const cv::Mat before = window.exactOutput().clone();

    QSignalSpy shown(&window, &ks::MainWindow::exactResultShown);
    QSlider *sigma = window.parameterPanel()->slider(QStringLiteral("sigma"));
    QVERIFY(sigma);
    sigma->setValue(sigma->value() + (sigma->maximum() - sigma->value()) / 3);
    QVERIFY(shown.wait(30000) || window.showsExactResult());
    QVERIFY(waitForExact(window));

    const double newSigma = ks::parameterValue(window.document().filter, "sigma");
    QVERIFY(newSigma != ks::GaborSpec{}.sigma);
    QVERIFY(!identical(window.exactOutput(), before));
    QVERIFY(identical(window.exactOutput(), expectedOutput(window.source(), window.document())));
}

void TestMainWindow::rapidSliderChangesEndWithFinalResult()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSlider *theta = window.parameterPanel()->slider(QStringLiteral("theta"));
    QVERIFY(theta);
    for (int i = 0; i < 500; ++i) {
        theta->setValue(theta->minimum() + (i * 7919) % (theta->maximum() - theta->minimum()));
        if (i % 10 == 0)
            QCoreApplication::processEvents(); // some results arrive in between
    }
    QVERIFY(waitForExact(window));
    const double finalTheta = ks::parameterValue(window.document().filter, "theta");
    ks::Document expected = window.document();
    QCOMPARE(ks::parameterValue(expected.filter, "theta"), finalTheta);
    QVERIFY(identical(window.exactOutput(), expectedOutput(window.source(), expected)));
    QVERIFY(identical(ks::toMat(window.imageView()->image()), window.exactOutput()));
}

void TestMainWindow::badFileKeepsDocument_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("text named png") << "notes.png" << QByteArray("just some text\n");
    QTest::newRow("zero bytes") << "empty.jpg" << QByteArray();
    QTest::newRow("truncated png") << "cut.png" << QByteArray("\x89PNG\r\n\x1a\n\0\0", 10);
    QTest::newRow("missing") << "missing.png" << QByteArray("<missing>");
}

void TestMainWindow::badFileKeepsDocument()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    const QString path = dir_.filePath(name);
    if (bytes != "<missing>") {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }
    ks::MainWindow window;
    window.show();
    QVERIFY(waitForExact(window));
    const cv::Mat before = window.source().clone();
    const QString title = window.windowTitle();
    QSignalSpy errors(&window, &ks::MainWindow::errorShown);

    QVERIFY(!window.openFile(path));
    QCOMPARE(errors.count(), 1);
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.contains(name), qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    QVERIFY(identical(window.source(), before));
    QCOMPARE(window.windowTitle(), title);
    QVERIFY(window.findChild<QMessageBox *>());
}

void TestMainWindow::dragAndDropOpensFile()
{
    const cv::Mat image = randomImage(40, 60, CV_8UC3, 7);
    const QString path = dir_.filePath(QStringLiteral("dropped image.png"));
    QVERIFY(cv::imwrite(path.toStdString(), image));

    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);

    QVERIFY(identical(window.source(), image));
    QVERIFY(window.windowTitle().contains(QStringLiteral("dropped image.png")));
    QVERIFY(waitForExact(window));
    QVERIFY(identical(window.exactOutput(), expectedOutput(image, window.document())));
}

void TestMainWindow::splitViewShowsOriginalOnOneSide()
{
    // A uniform red source, filtered in grey: normalizing a constant response
    // gives black, so the two sides of the divider differ by colour alone.
    const cv::Mat red(300, 400, CV_8UC3, cv::Scalar(30, 40, 220));
    ks::MainWindow window;
    window.resize(1000, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(red, QStringLiteral("red"));
    ks::Document document;
    document.filter = ks::IdentitySpec{};
    document.options.color = ks::ColorMode::Gray;
    document.display = {ks::DisplayMode::Normalize, 0};
    window.setDocument(document);
    QVERIFY(waitForExact(window));

    ks::ImageView *view = window.imageView();
    view->setSplitEnabled(true);
    view->setSplitPosition(0.5);
    const QImage shot = view->grab().toImage();
    const QRect drawn = view->imageRect().intersected(view->rect());
    QVERIFY(drawn.width() > 40);
    const int y = drawn.center().y() + drawn.height() / 4; // away from the side labels
    const QColor left = shot.pixelColor(drawn.left() + drawn.width() / 4, y);
    const QColor right = shot.pixelColor(drawn.right() - drawn.width() / 4, y);
    QCOMPARE(left.red(), 220);
    QCOMPARE(left.green(), 40);
    QCOMPARE(left.blue(), 30);
    QCOMPARE(right.red(), 0);
    QCOMPARE(right.green(), 0);
    QCOMPARE(right.blue(), 0);
}

void TestMainWindow::infoTextDescribesImage_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("expected");
    QTest::newRow("8-bit colour") << int(CV_8UC3) << QStringLiteral("30 × 20 · 8-bit · 3 channels");
    QTest::newRow("grey") << int(CV_8UC1) << QStringLiteral("30 × 20 · 8-bit · 1 channel");
    QTest::newRow("16-bit") << int(CV_16UC4) << QStringLiteral("30 × 20 · 16-bit · 4 channels");
    QTest::newRow("float") << int(CV_32FC3)
                           << QStringLiteral("30 × 20 · 32-bit float · 3 channels");
}

void TestMainWindow::infoTextDescribesImage()
{
    QFETCH(int, type);
    QFETCH(QString, expected);
    ks::MainWindow window;
    window.setSource(cv::Mat(20, 30, type, cv::Scalar::all(0)), QStringLiteral("x"));
    QCOMPARE(window.imageInfoText(), expected);
}

void TestMainWindow::recentFilesRemembered()
{
    const QString path = dir_.filePath(QStringLiteral("recent.png"));
    QVERIFY(cv::imwrite(path.toStdString(), randomImage(10, 12, CV_8UC3, 3)));
    {
        ks::MainWindow window;
        QVERIFY(window.openFile(path));
        QCOMPARE(window.recentFiles().value(0), QFileInfo(path).absoluteFilePath());
    }
    ks::MainWindow again; // a new window reads the list back from the settings
    QCOMPARE(again.recentFiles().value(0), QFileInfo(path).absoluteFilePath());
}

void TestMainWindow::quitClosesWindow()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QAction *quit = findAction(window, QStringLiteral("&File"), QStringLiteral("&Quit"));
    QVERIFY(quit);
    QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
    quit->trigger();
    QVERIFY(!window.isVisible());
}

void TestMainWindow::sliderDragIsOneUndoStep()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.undoStack()->count(), 0);
    QSlider *sigma = window.parameterPanel()->slider(QStringLiteral("sigma"));
    QVERIFY(sigma);
    const int start = sigma->value();
    sigma->setSliderDown(true);
    for (int i = 1; i <= 40; ++i) {
        sigma->setValue(start + i);
        QCoreApplication::processEvents();
    }
    sigma->setSliderDown(false);
    QCOMPARE(window.undoStack()->count(), 1);
    QCOMPARE(window.undoStack()->undoText(), QStringLiteral("Change sigma"));
    const double dragged = ks::parameterValue(window.document().filter, "sigma");
    QVERIFY(dragged > ks::GaborSpec{}.sigma);

    // A second drag is a second step; undo walks back through both.
    sigma->setSliderDown(true);
    sigma->setValue(start + 60);
    sigma->setSliderDown(false);
    QCOMPARE(window.undoStack()->count(), 2);
    window.undoStack()->undo();
    QCOMPARE(ks::parameterValue(window.document().filter, "sigma"), dragged);
    window.undoStack()->undo();
    QCOMPARE(ks::parameterValue(window.document().filter, "sigma"), ks::GaborSpec{}.sigma);
    QCOMPARE(sigma->value(), start);

    QAction *undo = findAction(window, QStringLiteral("&Edit"), QStringLiteral("&Undo"));
    QAction *redo =
        findAction(window, QStringLiteral("&Edit"), QStringLiteral("&Redo Change sigma"));
    QVERIFY(undo);
    QVERIFY(!undo->isEnabled());
    QVERIFY(redo);
    QVERIFY(redo->isEnabled());
}

void TestMainWindow::undoRestoresExactOutput()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(waitForExact(window));
    const ks::Document initial = window.document();
    const cv::Mat initialOutput = window.exactOutput().clone();

    // Mixed edits: a filter change, a slider click, a display change.
    QComboBox *filters = window.parameterPanel()->filterSelector();
    filters->setCurrentIndex(static_cast<int>(ks::FilterKind::Derivative));
    QSlider *angle = window.parameterPanel()->slider(QStringLiteral("angle"));
    QVERIFY(angle);
    angle->setValue(angle->value() + 15);
    QCOMPARE(window.undoStack()->count(), 2);
    QVERIFY(waitForExact(window));
    const ks::Document edited = window.document();
    const cv::Mat editedOutput = window.exactOutput().clone();
    QVERIFY(!identical(editedOutput, initialOutput));

    window.undoStack()->undo();
    window.undoStack()->undo();
    QVERIFY(window.document() == initial);
    QCOMPARE(window.parameterPanel()->filterSelector()->currentIndex(),
             static_cast<int>(ks::FilterKind::Gabor));
    QVERIFY(waitForExact(window));
    QVERIFY(identical(window.exactOutput(), initialOutput));

    window.undoStack()->redo();
    window.undoStack()->redo();
    QVERIFY(window.document() == edited);
    QVERIFY(waitForExact(window));
    QVERIFY(identical(window.exactOutput(), editedOutput));
}

namespace {

/// The heat map's cells as a matrix (row i = dy, column j = dx).
cv::Mat heatmapCells(ks::KernelPlots &plots)
{
    QCPColorMapData *cells = plots.colorMap()->data();
    cv::Mat out(cells->valueSize(), cells->keySize(), CV_64F);
    for (int i = 0; i < out.rows; ++i)
        for (int j = 0; j < out.cols; ++j)
            out.at<double>(i, j) = cells->cell(j, i);
    return out;
}

} // namespace

void TestMainWindow::kernelPlotsFollowEdits()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ks::KernelPlots *plots = window.kernelPlots();
    QVERIFY(plots);
    plots->setCurrentTab(ks::KernelPlots::Tab::Heatmap);
    QVERIFY(QTest::qWaitFor([&] { return !plots->kernel().empty(); }, 5000));
    QVERIFY(identical(heatmapCells(*plots),
                      cv::getGaborKernel(cv::Size(31, 31), 4.0, 0.0, 10.0, 0.5, 0.0, CV_64F)));

    QSlider *theta = window.parameterPanel()->slider(QStringLiteral("theta"));
    QVERIFY(theta);
    theta->setValue(theta->value() + 30);
    QCoreApplication::processEvents();
    const auto &gabor = std::get<ks::GaborSpec>(window.document().filter);
    QVERIFY(gabor.theta_deg != 0);
    const cv::Mat expected = cv::getGaborKernel(cv::Size(gabor.ksize, gabor.ksize), gabor.sigma,
                                                gabor.theta_deg * CV_PI / 180, gabor.lambda,
                                                gabor.gamma, gabor.psi_deg * CV_PI / 180, CV_64F);
    QVERIFY(cv::norm(heatmapCells(*plots), expected, cv::NORM_INF) < 1e-12);

    // Undo brings the plot back with the document.
    window.undoStack()->undo();
    QCoreApplication::processEvents();
    QVERIFY(cv::norm(heatmapCells(*plots),
                     cv::getGaborKernel(cv::Size(31, 31), 4.0, 0.0, 10.0, 0.5, 0.0, CV_64F),
                     cv::NORM_INF) < 1e-12);
}

void TestMainWindow::bankShownAndComputed()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QGroupBox *bank = window.parameterPanel()->bankGroup();
    QVERIFY(bank);
    bank->setChecked(true);
    QVERIFY(window.document().bank.has_value());
    QCOMPARE(window.undoStack()->count(), 1);

    window.kernelPlots()->setCurrentTab(ks::KernelPlots::Tab::Bank);
    QCoreApplication::processEvents();
    const ks::BankSpec spec = *window.document().bank;
    QCOMPARE(window.kernelPlots()->bankMontage().size(),
             ks::KernelPlots::bankMontageSize(spec.orientations, spec.scales));

    // The image shows the bank's response, computed by the worker.
    QVERIFY(waitForExact(window));
    QVERIFY(identical(window.exactOutput(), expectedOutput(window.source(), window.document())));
    ks::Document single = window.document();
    single.bank.reset();
    QVERIFY(!identical(window.exactOutput(), expectedOutput(window.source(), single)));
}

void TestMainWindow::kernelExportMatchesCommandLine_data()
{
    QTest::addColumn<int>("orientations"); // 0: no bank
    QTest::addColumn<int>("scales");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("options");
    QTest::newRow("single kernel csv") << 0 << 1 << "k.csv" << QStringList{};
    QTest::newRow("single kernel npy") << 0 << 1 << "k.npy" << QStringList{};
    QTest::newRow("bank 8 npy") << 8 << 1 << "bank.npy"
                                << QStringList{"--bank", "8", "--layout", "keras"};
    QTest::newRow("bank 6x2 npy") << 6 << 2 << "bank.npy"
                                  << QStringList{"--bank", "6",        "--scales",
                                                 "2",      "--layout", "keras"};
    QTest::newRow("bank 4x3 json")
        << 4 << 3 << "bank.json"
        << QStringList{"--bank", "4", "--scales", "3", "--layout", "keras"};
}

void TestMainWindow::kernelExportMatchesCommandLine()
{
    QFETCH(int, orientations);
    QFETCH(int, scales);
    QFETCH(QString, file);
    QFETCH(QStringList, options);
    ks::MainWindow window;
    ks::Document document = window.document();
    ks::GaborSpec gabor;
    gabor.ksize = 21;
    gabor.theta_deg = 30;
    document.filter = gabor;
    if (orientations > 0)
        document.bank = ks::BankSpec{orientations, scales, 1.5, ks::BankCombine::Max};
    window.setDocument(document);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString gui = dir.filePath(QStringLiteral("gui-") + file);
    QCOMPARE(window.exportKernelTo(gui), QString());
    QStringList arguments{"kernel", "--filter", "gabor", "--ksize", "21", "--theta", "30"};
    if (orientations > 0)
        arguments << "--ratio"
                  << "1.5";
    arguments << options << "-o" << file;
    const ks::test::CliRun run = ks::test::kernelscope(arguments, dir.path());
    QCOMPARE(run.exitCode, 0);
    QFile a(gui);
    QFile b(dir.filePath(file));
    QVERIFY(a.open(QIODevice::ReadOnly));
    QVERIFY(b.open(QIODevice::ReadOnly));
    const QByteArray guiBytes = a.readAll();
    QVERIFY(!guiBytes.isEmpty());
    QCOMPARE(guiBytes, b.readAll());
}

void TestMainWindow::regionPanelClearEmptiesEverything()
{
    ks::MainWindow window;
    ks::Document document = window.document();
    document.regions = {ks::Region{cv::Rect(10, 20, 30, 40), ks::RegionMethod::Box, 5, 0},
                        ks::Region{cv::Rect(50, 60, 20, 20), ks::RegionMethod::Pixelate, 4, 2}};
    window.setDocument(document);
    QCOMPARE(window.regionPanel()->list()->count(), 2);
    QAbstractButton *clear = window.regionPanel()->clearButton();
    QVERIFY(clear->isEnabled());
    clear->click();
    QVERIFY(window.document().regions.empty());
    QCOMPARE(window.regionPanel()->list()->count(), 0);
    QVERIFY(window.imageView()->regions().empty());
    QCOMPARE(window.undoStack()->undoText(), QStringLiteral("Clear regions"));
    window.undoStack()->undo();
    QCOMPARE(window.regionPanel()->list()->count(), 2);
    QCOMPARE(window.imageView()->regions().size(), std::size_t{2});
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
