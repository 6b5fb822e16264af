// Kernelscope: opens an image (or the embedded sample) in the main window, or
// runs a headless subcommand (cli.h).

#include "cli.h"

#include "ui/main_window.h"

#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QSaveFile>
#include <QStringList>
#include <QTimer>

#include "core/image_io.h"
#include "core/preset.h"

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "kernelscope: %s\n", message.toLocal8Bit().constData());
}

/// True when the arguments only ask for --help or --version, which Qt's
/// parser answers; no display is needed for that.
bool wantsInformationOnly(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" ||
            arg == "-v")
            return true;
    }
    return false;
}

/// True when the arguments ask for a screenshot: the window is then rendered
/// offscreen (unless a platform was chosen explicitly), so it works without a
/// display, in CI and over SSH.
bool wantsScreenshot(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--screenshot" || arg.startsWith("--screenshot="))
            return true;
    }
    return false;
}

/// Saves a picture of the whole window as PNG, atomically; false on failure
/// (with the reason printed).
bool saveScreenshot(QWidget &window, const QString &path)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!window.grab().save(&buffer, "PNG")) {
        printError(QApplication::translate("main", "cannot render the window for '%1'").arg(path));
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(png) != png.size() || !file.commit()) {
        printError(
            QApplication::translate("main", "cannot write '%1': %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

int run(int argc, char *argv[])
{
    if ((wantsScreenshot(argc, argv) || wantsInformationOnly(argc, argv)) &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("kernelscope"));
    QApplication::setOrganizationName(QStringLiteral("Kernelscope"));
    QApplication::setApplicationVersion(QStringLiteral(KERNELSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Design, preview and export image filters."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("IMAGE"),
        QApplication::translate("main", "Image to open (default: the embedded sample)."),
        QStringLiteral("[IMAGE]"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QApplication::translate("main",
                                "Render the window offscreen, save it as a PNG to FILE and exit."),
        QStringLiteral("FILE"));
    parser.addOption(screenshotOption);
    const QCommandLineOption presetOption(
        QStringLiteral("preset"),
        QApplication::translate("main", "Open with the filter, display and regions of a preset."),
        QStringLiteral("FILE"));
    parser.addOption(presetOption);
    parser.process(app); // exits for --help, --version and unknown options

    const QStringList arguments = parser.positionalArguments();
    if (arguments.size() > 1) {
        printError(
            QApplication::translate("main", "too many arguments: expected at most one IMAGE"));
        return 1;
    }

    ks::MainWindow window;
    if (arguments.size() == 1) {
        const QString &path = arguments.first();
        try {
            const cv::Mat image =
                ks::loadImage(std::filesystem::path(QFile::encodeName(path).toStdString()));
            window.setSource(image, QFileInfo(path).fileName(), QFileInfo(path).absoluteFilePath());
        } catch (const std::exception &e) {
            printError(QString::fromLocal8Bit(e.what()));
            return 1;
        }
    }
    if (parser.isSet(presetOption)) {
        const QString path = parser.value(presetOption);
        try {
            const ks::PresetLoad loaded =
                ks::loadPreset(std::filesystem::path(QFile::encodeName(path).toStdString()));
            for (const std::string &warning : loaded.warnings)
                printError(QString::fromStdString(warning));
            window.setDocument(loaded.document);
        } catch (const std::exception &e) {
            printError(QString::fromLocal8Bit(e.what()));
            return 1;
        }
    }

    if (parser.isSet(screenshotOption)) {
        // Offscreen: a fixed size so the picture is the same everywhere; the
        // shot is taken once the exact result is on screen.
        window.resize(1400, 860);
        // Nothing to ask when the shot is taken and the window closes.
        window.setUnexportedRegionsPrompt([] { return QMessageBox::Discard; });
        window.show();
        const QString path = parser.value(screenshotOption);
        int status = 1;
        QObject::connect(&window, &ks::MainWindow::exactResultShown, &window, [&] {
            // Let the view repaint the exact result before grabbing it.
            QTimer::singleShot(50, &window, [&] {
                status = saveScreenshot(window, path) ? 0 : 1;
                QApplication::quit();
            });
        });
        QTimer::singleShot(120000, &window, [&] {
            printError(QApplication::translate("main", "no exact result within 120 s: no "
                                                       "screenshot taken"));
            QApplication::exit(1);
        });
        QApplication::exec();
        return status;
    }
    window.show();
    return QApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    // A file-size limit then makes a write fail with an error instead of
    // killing the process, and the atomic writer cleans up after itself.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        // The headless subcommands run before any QApplication exists, so
        // they need no display.
        if (const std::optional<int> status = ks::runCommandLine(argc, argv))
            return *status;
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "kernelscope: %s\n", e.what());
        return 1;
    }
}
