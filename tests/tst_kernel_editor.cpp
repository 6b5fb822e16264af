// Tests for ui/kernel_editor.cpp: the custom-kernel grid, its validation
// and the text area.
//
// Expected kernels are written out here; cells are read back with
// QLocale::c().toDouble, never through the editor's own parsing.

#include "ui/kernel_editor.h"

#include <QLocale>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include <limits>

Q_DECLARE_METATYPE(ks::CustomSpec)

using ks::CustomSpec;
using ks::KernelEditor;

namespace {

double cellValue(const QTableWidget *table, int row, int col)
{
    bool ok = false;
    const double value = QLocale::c().toDouble(table->item(row, col)->text(), &ok);
    return ok ? value : std::numeric_limits<double>::quiet_NaN();
}

bool isHighlighted(const QTableWidgetItem *item)
{
    return item->data(Qt::BackgroundRole).isValid();
}

// A kernel different from the editor's default, to start edits from.
const CustomSpec kStart{2, 3, {1, 2, 3, 4, 5, 6}, false};

} // namespace

class TestKernelEditor : public QObject {
    Q_OBJECT

private slots:
    void defaultKernel();

    void roundTrip_data();
    void roundTrip();

    void editCellEmits_data();
    void editCellEmits();

    void invalidCell_data();
    void invalidCell();

    void pastedText_data();
    void pastedText();

    void badText_data();
    void badText();

    void normalizeZeroSum();

    void resizeKeepsAnchor_data();
    void resizeKeepsAnchor();

    void statusShowsSum();

    void anchorAndHeaders();
};

void TestKernelEditor::defaultKernel()
{
    KernelEditor editor;
    QCOMPARE(editor.kernel(), CustomSpec{});
    QVERIFY(editor.isValid());
    QCOMPARE(editor.table()->rowCount(), 3);
    QCOMPARE(editor.table()->columnCount(), 3);
}

void TestKernelEditor::roundTrip_data()
{
    QTest::addColumn<CustomSpec>("spec");
    QTest::newRow("3x3 sharpen") << CustomSpec{};
    QTest::newRow("1x1") << CustomSpec{1, 1, {2.5}, false};
    QTest::newRow("1x5 row") << CustomSpec{1, 5, {-2, -1, 0, 1, 2}, false};
    QTest::newRow("5x1 column") << CustomSpec{5, 1, {1, 4, 6, 4, 1}, true};
    QTest::newRow("2x3 awkward doubles")
        << CustomSpec{2, 3, {0.1, 1.0 / 3, -2.5e17, 1e-300, 4.9e-324, -0.0}, false};
    QTest::newRow("3x2 normalized") << CustomSpec{3, 2, {1, 1, 1, 1, 1, 1}, true};
    CustomSpec large{31, 17, {}, false};
    for (int i = 0; i < 31 * 17; ++i)
        large.values.push_back(i % 7 - 3 + i * 1e-3);
    QTest::newRow("31x17") << large;
}

void TestKernelEditor::roundTrip()
{
    QFETCH(CustomSpec, spec);
    KernelEditor editor;
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);
    editor.setKernel(spec);
    QCOMPARE(spy.count(), 0);
    QVERIFY(editor.isValid());
    QCOMPARE(editor.kernel(), spec);
    QCOMPARE(editor.table()->rowCount(), spec.rows);
    QCOMPARE(editor.table()->columnCount(), spec.cols);
    QCOMPARE(editor.findChild<QSpinBox *>(QStringLiteral("rows"))->value(), spec.rows);
    QCOMPARE(editor.findChild<QSpinBox *>(QStringLiteral("cols"))->value(), spec.cols);
    for (int r = 0; r < spec.rows; ++r)
        for (int c = 0; c < spec.cols; ++c)
            QCOMPARE(cellValue(editor.table(), r, c),
                     spec.values[static_cast<std::size_t>(r * spec.cols + c)]);
}

void TestKernelEditor::editCellEmits_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("col");
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("value");
    QTest::newRow("plain") << 0 << 0 << "7" << 7.0;
    QTest::newRow("decimal") << 1 << 2 << "-0.25" << -0.25;
    QTest::newRow("exponent") << 0 << 1 << "1.5e-3" << 1.5e-3;
    QTest::newRow("plus sign, blanks") << 1 << 0 << " +2 " << 2.0;
}

void TestKernelEditor::editCellEmits()
{
    QFETCH(int, row);
    QFETCH(int, col);
    QFETCH(QString, text);
    QFETCH(double, value);
    KernelEditor editor;
    editor.setKernel(kStart);
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);
    editor.table()->item(row, col)->setText(text);
    QCOMPARE(spy.count(), 1);
    CustomSpec expected = kStart;
    expected.values[static_cast<std::size_t>(row * 3 + col)] = value;
    QCOMPARE(spy.at(0).at(0).value<CustomSpec>(), expected);
    QCOMPARE(editor.kernel(), expected);
    QVERIFY(editor.isValid());

    // The same number written differently is no change.
    editor.table()->item(row, col)->setText(QString::number(value, 'e', 6));
    QCOMPARE(spy.count(), 1);
}

void TestKernelEditor::invalidCell_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("word") << "abc"
                          << "'abc' is not a number";
    QTest::newRow("empty") << ""
                           << "is empty";
    QTest::newRow("blank") << "   "
                           << "is empty";
    QTest::newRow("decimal comma") << "1,5"
                                   << "'1,5' is not a number";
    QTest::newRow("two numbers") << "2 3"
                                 << "'2 3' is not a number";
    QTest::newRow("nan") << "nan"
                         << "'nan' is not a finite number";
    QTest::newRow("inf") << "inf"
                         << "'inf' is not a finite number";
    QTest::newRow("-inf") << "-inf"
                          << "'-inf' is not a finite number";
    QTest::newRow("overflow") << "1e999"
                              << "'1e999'";
}

void TestKernelEditor::invalidCell()
{
    QFETCH(QString, text);
    QFETCH(QString, reason);
    KernelEditor editor;
    editor.setKernel(kStart);
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);

    QTableWidgetItem *item = editor.table()->item(1, 2);
    item->setText(text);
    QCOMPARE(spy.count(), 0);
    QVERIFY(!editor.isValid());
    QCOMPARE(editor.kernel(), kStart); // not applied
    QVERIFY(isHighlighted(item));
    QVERIFY2(item->toolTip().contains(reason, Qt::CaseInsensitive), qPrintable(item->toolTip()));
    QVERIFY2(editor.statusMessage().contains(QStringLiteral("row 2, column 3")),
             qPrintable(editor.statusMessage()));
    QVERIFY(editor.statusMessage().contains(reason));
    QVERIFY(!isHighlighted(editor.table()->item(0, 0)));

    // A second bad cell is counted; fixing both applies the kernel.
    QTableWidgetItem *other = editor.table()->item(0, 0);
    other->setText(QStringLiteral("x"));
    QVERIFY(isHighlighted(other));
    QVERIFY2(editor.statusMessage().contains(QStringLiteral("1 more")),
             qPrintable(editor.statusMessage()));
    other->setText(QStringLiteral("1"));
    QCOMPARE(spy.count(), 0);
    QVERIFY(!isHighlighted(other));
    item->setText(QStringLiteral("60"));
    QCOMPARE(spy.count(), 1);
    QVERIFY(editor.isValid());
    QVERIFY(!isHighlighted(item));
    QVERIFY(item->toolTip().isEmpty());
    const CustomSpec expected{2, 3, {1, 2, 3, 4, 5, 60}, false};
    QCOMPARE(spy.at(0).at(0).value<CustomSpec>(), expected);
    QCOMPARE(editor.kernel(), expected);
}

void TestKernelEditor::pastedText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<CustomSpec>("expected");
    const CustomSpec twoByThree{2, 3, {1, 2, 3, 4, 5, 6}, false};
    QTest::newRow("spaces") << "1 2 3\n4 5 6" << twoByThree;
    QTest::newRow("commas") << "1,2,3\n4,5,6\n" << twoByThree;
    QTest::newRow("tabs, CRLF") << "1\t2\t3\r\n4\t5\t6\r\n" << twoByThree;
    QTest::newRow("comment, blank lines") << "# sobel-ish\n\n1, 2, 3   # first\n4 ,5, 6\n\n"
                                          << twoByThree;
    QTest::newRow("column") << "0.25\n0.5\n0.25" << CustomSpec{3, 1, {0.25, 0.5, 0.25}, false};
    QTest::newRow("one") << "42" << CustomSpec{1, 1, {42}, false};
}

void TestKernelEditor::pastedText()
{
    QFETCH(QString, text);
    QFETCH(CustomSpec, expected);
    KernelEditor editor;
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);
    editor.setText(text);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<CustomSpec>(), expected);
    QCOMPARE(editor.kernel(), expected);
    QVERIFY(editor.isValid());
    QCOMPARE(editor.table()->rowCount(), expected.rows);
    QCOMPARE(editor.table()->columnCount(), expected.cols);
    QCOMPARE(editor.findChild<QSpinBox *>(QStringLiteral("rows"))->value(), expected.rows);
    QCOMPARE(editor.findChild<QSpinBox *>(QStringLiteral("cols"))->value(), expected.cols);
    for (int r = 0; r < expected.rows; ++r)
        for (int c = 0; c < expected.cols; ++c)
            QCOMPARE(cellValue(editor.table(), r, c),
                     expected.values[static_cast<std::size_t>(r * expected.cols + c)]);

    // Pasting the same kernel again changes nothing.
    editor.setText(text);
    QCOMPARE(spy.count(), 1);
}

void TestKernelEditor::badText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    // parseKernelText's messages, after the name the editor gives the text.
    QTest::newRow("ragged") << "1 2 3\n4 5"
                            << "row 2 has 2 values, row 1 has 3";
    QTest::newRow("word") << "1 2\n3 x"
                          << "row 2, column 2: 'x' is not a number";
    QTest::newRow("nan") << "1 nan"
                         << "row 1, column 2: 'nan' is not a finite number";
    QTest::newRow("two kernels") << "1 2\n\n3 4"
                                 << "line 2 is empty but more values follow";
    QTest::newRow("only a comment") << "# nothing"
                                    << "empty";
}

void TestKernelEditor::badText()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    KernelEditor editor;
    editor.setKernel(kStart);
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);
    editor.setText(text);
    QCOMPARE(spy.count(), 0);
    QVERIFY2(editor.textMessage().startsWith(QStringLiteral("Pasted text: ")),
             qPrintable(editor.textMessage()));
    QVERIFY2(editor.textMessage().contains(message), qPrintable(editor.textMessage()));
    // The grid keeps the kernel it had, which is still valid and applied.
    QCOMPARE(editor.kernel(), kStart);
    QVERIFY(editor.isValid());
    QCOMPARE(editor.table()->rowCount(), 2);
    QCOMPARE(editor.table()->columnCount(), 3);
}

void TestKernelEditor::normalizeZeroSum()
{
    const QString zeroSum = QStringLiteral("taps sum to 0");
    KernelEditor editor;
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);

    // Set with normalize on a zero sum: shown with the message, not applied.
    const CustomSpec laplacian{3, 3, {0, 1, 0, 1, -4, 1, 0, 1, 0}, true};
    editor.setKernel(laplacian);
    QVERIFY(!editor.isValid());
    QVERIFY2(editor.statusMessage().contains(zeroSum), qPrintable(editor.statusMessage()));
    QCOMPARE(editor.kernel(), CustomSpec{});
    QCOMPARE(cellValue(editor.table(), 1, 1), -4.0);

    // Normalize off: the same taps are fine.
    editor.setNormalize(false);
    QVERIFY(editor.isValid());
    QCOMPARE(editor.kernel(), (CustomSpec{3, 3, {0, 1, 0, 1, -4, 1, 0, 1, 0}, false}));
    QCOMPARE(spy.count(), 0); // setNormalize and setKernel emit nothing

    // Normalize on, then edits: a non-zero sum applies, a zero sum does not.
    editor.setNormalize(true);
    QVERIFY(!editor.isValid());
    editor.table()->item(1, 1)->setText(QStringLiteral("-3"));
    QCOMPARE(spy.count(), 1);
    const CustomSpec sumOne{3, 3, {0, 1, 0, 1, -3, 1, 0, 1, 0}, true};
    QCOMPARE(spy.at(0).at(0).value<CustomSpec>(), sumOne);
    QVERIFY(editor.isValid());
    editor.table()->item(1, 1)->setText(QStringLiteral("-4"));
    QCOMPARE(spy.count(), 1);
    QVERIFY(!editor.isValid());
    QVERIFY(editor.statusMessage().contains(zeroSum));
    QCOMPARE(editor.kernel(), sumOne);
}

void TestKernelEditor::resizeKeepsAnchor_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<CustomSpec>("expected");
    // From 3 x 3 {1..9}, anchor (1, 1) holding 5. The anchor of an n-wide
    // kernel is at n / 2, so taps move by new / 2 - old / 2.
    QTest::newRow("5x5, padded around")
        << 5 << 5
        << CustomSpec{5,
                      5,
                      {0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 7, 8, 9, 0, 0, 0, 0, 0, 0},
                      false};
    QTest::newRow("4x4, padded before")
        << 4 << 4 << CustomSpec{4, 4, {0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9}, false};
    QTest::newRow("3x5") << 3 << 5
                         << CustomSpec{3, 5, {0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 7, 8, 9, 0}, false};
    QTest::newRow("1x1, the anchor") << 1 << 1 << CustomSpec{1, 1, {5}, false};
    QTest::newRow("1x3, middle row") << 1 << 3 << CustomSpec{1, 3, {4, 5, 6}, false};
    QTest::newRow("2x2, anchor at (1, 1)") << 2 << 2 << CustomSpec{2, 2, {1, 2, 4, 5}, false};
}

void TestKernelEditor::resizeKeepsAnchor()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(CustomSpec, expected);
    KernelEditor editor;
    editor.setKernel({3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9}, false});
    QSignalSpy spy(&editor, &KernelEditor::kernelChanged);
    auto *rowsBox = editor.findChild<QSpinBox *>(QStringLiteral("rows"));
    auto *colsBox = editor.findChild<QSpinBox *>(QStringLiteral("cols"));
    colsBox->setValue(cols);
    rowsBox->setValue(rows);
    QCOMPARE(editor.kernel(), expected);
    QCOMPARE(spy.count(), (rows != 3 ? 1 : 0) + (cols != 3 ? 1 : 0));
    QCOMPARE(spy.last().at(0).value<CustomSpec>(), expected);
    QCOMPARE(editor.table()->rowCount(), rows);
    QCOMPARE(editor.table()->columnCount(), cols);
}

void TestKernelEditor::statusShowsSum()
{
    KernelEditor editor;
    editor.setKernel({2, 2, {1, 2, 3, 4.5}, false});
    QCOMPARE(editor.statusMessage(), QStringLiteral("2 × 2 · sum 10.5"));
    editor.setNormalize(true);
    QCOMPARE(editor.statusMessage(), QStringLiteral("2 × 2 · sum 10.5, scaled to 1"));
}

void TestKernelEditor::anchorAndHeaders()
{
    KernelEditor editor;
    editor.setKernel({3, 4, std::vector<double>(12, 1.0), false});
    const QTableWidget *table = editor.table();
    // Anchor at column 4 / 2 = 2, row 3 / 2 = 1; headers are offsets from it.
    QCOMPARE(table->horizontalHeaderItem(0)->text(), QStringLiteral("-2"));
    QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("0"));
    QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("+1"));
    QCOMPARE(table->verticalHeaderItem(0)->text(), QStringLiteral("-1"));
    QCOMPARE(table->verticalHeaderItem(2)->text(), QStringLiteral("+1"));
    QVERIFY(table->item(1, 2)->font().bold());
    QVERIFY(!table->item(1, 1)->font().bold());
}

QTEST_MAIN(TestKernelEditor)
#include "tst_kernel_editor.moc"
