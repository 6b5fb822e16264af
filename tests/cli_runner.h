// Runs the real kernelscope executable, as a user would: for the tests that
// compare the command line with the library and the window. The test target
// must define KERNELSCOPE_BINARY (tests/CMakeLists.txt does for these tests).
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace ks::test {

struct CliRun {
    int exitCode = -1; ///< -1 when the process crashed or timed out
    QByteArray out;
    QByteArray err;
};

/// Runs kernelscope with these arguments in folder, on the offscreen
/// platform; gives up (exitCode -1) after two minutes.
inline CliRun kernelscope(const QStringList &arguments, const QString &folder)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(folder);
    process.start(QStringLiteral(KERNELSCOPE_BINARY), arguments);
    CliRun run;
    if (!process.waitForFinished(120'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    return run;
}

} // namespace ks::test
