// Kernelscope: opens an image (or the embedded sample) in the main window, or
// runs a headless subcommand (cli.h).

#include "cli.h"

#include "ui/image_convert.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStringList>
#include <QTimer>

#include "core/image_io.h"

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>

namespace {

const QString kSamplePath = QStringLiteral(":/samples/astronaut.png");

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
    parser.process(app); // exits for --help, --version and unknown options

    const QStringList arguments = parser.positionalArguments();
    if (arguments.size() > 1) {
        printError(
            QApplication::translate("main", "too many arguments: expected at most one IMAGE"));
        return 1;
    }

    cv::Mat image;
    QString name;
    if (arguments.isEmpty()) {
        image = ks::decodeImageResource(kSamplePath);
        name = QApplication::translate("main", "astronaut.png (sample)");
    } else {
        const QString &path = arguments.first();
        try {
            image = ks::loadImage(std::filesystem::path(QFile::encodeName(path).toStdString()));
        } catch (const ks::FileError &e) {
            printError(QString::fromLocal8Bit(e.what()));
            return 1;
        }
        name = QFileInfo(path).fileName();
    }

    ks::MainWindow window(image, name);
    window.resize(1100, 800);
    window.show();
    if (parser.isSet(screenshotOption)) {
        const QString path = parser.value(screenshotOption);
        int status = 1;
        QTimer::singleShot(0, &window, [&] {
            status = saveScreenshot(window, path) ? 0 : 1;
            QApplication::quit();
        });
        QApplication::exec();
        return status;
    }
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
