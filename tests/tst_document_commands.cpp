// Undo steps as document snapshots: exact restoration and drag merging.
#include "ui/document_commands.h"

#include <QUndoStack>
#include <QtTest>

#include <vector>

using namespace ks;

namespace {

Document withSigma(double sigma)
{
    Document document;
    GaborSpec gabor;
    gabor.sigma = sigma;
    document.filter = gabor;
    return document;
}

double sigmaOf(const Document &document)
{
    return std::get<GaborSpec>(document.filter).sigma;
}

/// A stand-in for the main window: the shown document, changed by edits and
/// by the commands' apply callback.
struct Editor {
    QUndoStack stack;
    Document shown = withSigma(1);
    int applied = 0;

    void edit(const Document &after, const QString &text, const QString &key, bool open)
    {
        const Document before = shown;
        shown = after; // the widget that made the edit already shows it
        pushDocumentEdit(stack, before, after, text, key, open, [this](const Document &d) {
            shown = d;
            ++applied;
        });
    }
};

} // namespace

class TestDocumentCommands : public QObject {
    Q_OBJECT

private slots:
    void pushDoesNotReapply();
    void undoRestoresExactState();
    void dragMergesIntoOneStep_data();
    void dragMergesIntoOneStep();
    void differentKeysDoNotMerge();
    void clickEditsAreSeparateSteps();
    void dragBackToStartLeavesNoStep();
    void releaseWithoutChangeClosesStep();
    void equalEditPushesNothing();
    void regionsRestored();
};

void TestDocumentCommands::pushDoesNotReapply()
{
    Editor editor;
    editor.edit(withSigma(2), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    QCOMPARE(editor.applied, 0);
    QCOMPARE(editor.stack.count(), 1);
    QCOMPARE(editor.stack.undoText(), QStringLiteral("Change sigma"));
}

void TestDocumentCommands::undoRestoresExactState()
{
    Editor editor;
    const Document start = editor.shown;
    editor.edit(withSigma(2.5), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    Document boxed = editor.shown;
    boxed.filter = BoxSpec{};
    editor.edit(boxed, QStringLiteral("Change filter"), QStringLiteral("filter"), false);
    QCOMPARE(editor.stack.count(), 2);

    editor.stack.undo();
    QCOMPARE(sigmaOf(editor.shown), 2.5);
    editor.stack.undo();
    QVERIFY(editor.shown == start);
    editor.stack.redo();
    editor.stack.redo();
    QVERIFY(editor.shown == boxed);
    QCOMPARE(editor.applied, 4);
}

void TestDocumentCommands::dragMergesIntoOneStep_data()
{
    QTest::addColumn<int>("moves");
    QTest::newRow("one move") << 1;
    QTest::newRow("ten moves") << 10;
    QTest::newRow("500 moves") << 500;
}

void TestDocumentCommands::dragMergesIntoOneStep()
{
    QFETCH(int, moves);
    Editor editor;
    for (int i = 1; i <= moves; ++i)
        editor.edit(withSigma(1 + i * 0.1), QStringLiteral("Change sigma"), QStringLiteral("sigma"),
                    true);
    // The release repeats the last value with open == false.
    editor.edit(editor.shown, QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    QCOMPARE(editor.stack.count(), 1);
    const auto *step = static_cast<const DocumentCommand *>(editor.stack.command(0));
    QVERIFY(!step->isOpen());
    QCOMPARE(sigmaOf(step->after()), 1 + moves * 0.1);

    // A second drag of the same slider is a new step.
    editor.edit(withSigma(7), QStringLiteral("Change sigma"), QStringLiteral("sigma"), true);
    editor.edit(withSigma(8), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    QCOMPARE(editor.stack.count(), 2);

    editor.stack.undo();
    QCOMPARE(sigmaOf(editor.shown), 1 + moves * 0.1);
    editor.stack.undo();
    QCOMPARE(sigmaOf(editor.shown), 1.0);
}

void TestDocumentCommands::differentKeysDoNotMerge()
{
    Editor editor;
    editor.edit(withSigma(2), QStringLiteral("Change sigma"), QStringLiteral("sigma"), true);
    Document other = editor.shown;
    std::get<GaborSpec>(other.filter).lambda = 20;
    editor.edit(other, QStringLiteral("Change lambda"), QStringLiteral("lambda"), true);
    QCOMPARE(editor.stack.count(), 2);
    QCOMPARE(editor.stack.undoText(), QStringLiteral("Change lambda"));
}

void TestDocumentCommands::clickEditsAreSeparateSteps()
{
    Editor editor;
    editor.edit(withSigma(2), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    editor.edit(withSigma(3), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    QCOMPARE(editor.stack.count(), 2);
}

void TestDocumentCommands::dragBackToStartLeavesNoStep()
{
    Editor editor;
    editor.edit(withSigma(2), QStringLiteral("Change sigma"), QStringLiteral("sigma"), true);
    editor.edit(withSigma(1), QStringLiteral("Change sigma"), QStringLiteral("sigma"), true);
    editor.edit(withSigma(1), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    QCOMPARE(editor.stack.count(), 0);
    QCOMPARE(sigmaOf(editor.shown), 1.0);
}

void TestDocumentCommands::releaseWithoutChangeClosesStep()
{
    Editor editor;
    editor.edit(withSigma(2), QStringLiteral("Change sigma"), QStringLiteral("sigma"), true);
    editor.edit(withSigma(2), QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    QCOMPARE(editor.stack.count(), 1);
    QVERIFY(!static_cast<const DocumentCommand *>(editor.stack.command(0))->isOpen());
    editor.edit(withSigma(3), QStringLiteral("Change sigma"), QStringLiteral("sigma"), true);
    QCOMPARE(editor.stack.count(), 2);
}

void TestDocumentCommands::equalEditPushesNothing()
{
    Editor editor;
    editor.edit(editor.shown, QStringLiteral("Change sigma"), QStringLiteral("sigma"), false);
    editor.edit(editor.shown, QStringLiteral("Add region"), QString(), false);
    QCOMPARE(editor.stack.count(), 0);
}

void TestDocumentCommands::regionsRestored()
{
    Editor editor;
    Document added = editor.shown;
    added.regions.push_back(Region{cv::Rect(1, 2, 30, 40), RegionMethod::Pixelate, 6, 3});
    editor.edit(added, QStringLiteral("Add region"), QString(), false);
    // A region drag: many moves, one step.
    for (int dx = 1; dx <= 20; ++dx) {
        Document moved = editor.shown;
        moved.regions[0].rect.x = 1 + dx;
        editor.edit(moved, QStringLiteral("Move region"), QStringLiteral("region-geometry 0"),
                    dx < 20);
    }
    QCOMPARE(editor.stack.count(), 2);
    QCOMPARE(editor.shown.regions[0].rect, cv::Rect(21, 2, 30, 40));
    editor.stack.undo();
    QVERIFY(editor.shown == added);
    editor.stack.undo();
    QVERIFY(editor.shown.regions.empty());
    editor.stack.redo();
    QVERIFY(editor.shown == added);
}

QTEST_MAIN(TestDocumentCommands)
#include "tst_document_commands.moc"
