// Tests for ui/region_panel.cpp: rows, selection, the editor, reordering,
// removal and the template for new regions.
//
// Expected texts are written out here; defaults and keys come from the
// region descriptor table (core/region_blur.h).

#include "ui/parameter_control.h"
#include "ui/region_panel.h"

#include "test_fixtures.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <memory>

Q_DECLARE_METATYPE(ks::Region)

using namespace ks;
using ks::test::region;

namespace {

std::vector<Region> threeRegions()
{
    return {region({40, 30, 120, 80}, RegionMethod::Gaussian, 8, 0),
            region({300, 52, 76, 80}, RegionMethod::Pixelate, 12, 4),
            region({40, 400, 160, 40}, RegionMethod::Box, 31, 2)};
}

QStringList rowTexts(const RegionPanel &panel)
{
    QStringList texts;
    for (int i = 0; i < panel.list()->count(); ++i)
        texts << panel.list()->item(i)->text();
    return texts;
}

double defaultStrength(RegionMethod method)
{
    return regionParameterDescriptors(method)[0].defaultValue;
}

/// Every signal of a panel, to check that something emits nothing.
struct AllSignals {
    explicit AllSignals(RegionPanel *panel)
        : selection(panel, &RegionPanel::selectionChanged),
          edited(panel, &RegionPanel::regionEdited), move(panel, &RegionPanel::moveRequested),
          remove(panel, &RegionPanel::removeRequested), clear(panel, &RegionPanel::clearRequested)
    {
    }
    int count() const
    {
        return selection.count() + edited.count() + move.count() + remove.count() + clear.count();
    }
    QSignalSpy selection, edited, move, remove, clear;
};

Region editedRegion(const QSignalSpy &spy, int i)
{
    return spy.at(i).at(1).value<Region>();
}

void typeInto(QAbstractSpinBox *spin, const QString &text)
{
    spin->selectAll();
    QTest::keyClicks(spin, text);
    QTest::keyClick(spin, Qt::Key_Return);
}

} // namespace

class TestRegionPanel : public QObject {
    Q_OBJECT

private slots:
    void emptyState();
    void rowsAndNoSignals();
    void editorShowsSelected();
    void setRegionsKeepsValidSelection();
    void userSelectionEmits();
    void strengthAndFeatherEdits();
    void dragIsMarkedAndClosed();
    void methodChangeStrength();
    void ownerAnswersAtOnce();
    void reorderButtons();
    void dragAndDropReorder();
    void removeAndClear();
    void templateFollowsEdits();
};

void TestRegionPanel::emptyState()
{
    RegionPanel panel;
    QCOMPARE(panel.selected(), -1);
    QCOMPARE(panel.list()->count(), 0);
    QCOMPARE(panel.hint(), QStringLiteral("Press B and drag on the image to blur a region."));
    QVERIFY(!panel.clearButton()->isEnabled());
    QVERIFY(!panel.upButton()->isEnabled());
    QVERIFY(!panel.downButton()->isEnabled());
    QVERIFY(!panel.removeButton()->isEnabled());
    QVERIFY(!panel.methodSelector()->isVisibleTo(&panel));
    QCOMPARE(panel.newRegionTemplate(), Region{});
}

void TestRegionPanel::rowsAndNoSignals()
{
    RegionPanel panel;
    AllSignals all(&panel);
    panel.setRegions(threeRegions());
    QCOMPARE(rowTexts(panel),
             (QStringList{QStringLiteral("1  Gaussian σ 8 · 120×80 at (40, 30)"),
                          QStringLiteral("2  Pixelate cell 12 · 76×80 at (300, 52)"),
                          QStringLiteral("3  Box size 31 · 160×40 at (40, 400)")}));
    QVERIFY(panel.list()->item(1)->toolTip().contains(QStringLiteral("feather 4 px")));
    QCOMPARE(panel.selected(), -1);
    QCOMPARE(panel.hint(), QStringLiteral("Select a region to edit its blur."));
    QVERIFY(panel.clearButton()->isEnabled());
    QVERIFY(!panel.removeButton()->isEnabled());

    // Fractional strengths as they are; fewer regions drop rows.
    panel.setRegions({region({-5, 0, 10, 20}, RegionMethod::Gaussian, 2.5, 0)});
    QCOMPARE(rowTexts(panel), QStringList{QStringLiteral("1  Gaussian σ 2.5 · 10×20 at (-5, 0)")});
    panel.setSelected(0);
    panel.setSelected(-1);
    panel.setRegions({});
    QCOMPARE(panel.list()->count(), 0);
    QVERIFY(!panel.clearButton()->isEnabled());
    QCOMPARE(all.count(), 0);
}

void TestRegionPanel::editorShowsSelected()
{
    RegionPanel panel;
    AllSignals all(&panel);
    const std::vector<Region> regions = threeRegions();
    panel.setRegions(regions);
    for (int i : {1, 0, 2}) {
        panel.setSelected(i);
        QCOMPARE(panel.selected(), i);
        QCOMPARE(panel.list()->currentRow(), i);
        QVERIFY(panel.list()->item(i)->isSelected());
        QCOMPARE(panel.hint(), QString());
        QVERIFY(panel.methodSelector()->isVisibleTo(&panel));
        const Region &r = regions[static_cast<std::size_t>(i)];
        QCOMPARE(panel.methodSelector()->currentData().toInt(), static_cast<int>(r.method));
        QCOMPARE(panel.strengthControl()->key(),
                 QString::fromStdString(regionParameterDescriptors(r.method)[0].key));
        QCOMPARE(panel.strengthControl()->value(), r.strength);
        QCOMPARE(panel.featherControl()->key(), QStringLiteral("feather"));
        QCOMPARE(panel.featherControl()->value(), static_cast<double>(r.feather));
    }
    QCOMPARE(panel.methodSelector()->currentText(), QStringLiteral("Box"));
    QCOMPARE(panel.strengthControl()->label()->text(), QStringLiteral("Kernel size (px)"));

    panel.setSelected(3); // out of range: none
    QCOMPARE(panel.selected(), -1);
    QVERIFY(panel.list()->selectedItems().isEmpty());
    QCOMPARE(panel.hint(), QStringLiteral("Select a region to edit its blur."));
    QCOMPARE(all.count(), 0);
}

void TestRegionPanel::setRegionsKeepsValidSelection()
{
    RegionPanel panel;
    AllSignals all(&panel);
    std::vector<Region> regions = threeRegions();
    panel.setRegions(regions);
    panel.setSelected(2);

    // The owner changed the region: the editor shows the new values.
    regions[2].strength = 5;
    regions[2].feather = 9;
    panel.setRegions(regions);
    QCOMPARE(panel.selected(), 2);
    QVERIFY(panel.list()->item(2)->isSelected());
    QCOMPARE(panel.strengthControl()->value(), 5.0);
    QCOMPARE(panel.featherControl()->value(), 9.0);
    QCOMPARE(panel.list()->item(2)->text(), QStringLiteral("3  Box size 5 · 160×40 at (40, 400)"));

    // And its method: the editor follows.
    regions[2].method = RegionMethod::Gaussian;
    regions[2].strength = 3.5;
    panel.setRegions(regions);
    QCOMPARE(panel.methodSelector()->currentText(), QStringLiteral("Gaussian"));
    QCOMPARE(panel.strengthControl()->key(), QStringLiteral("sigma"));
    QCOMPARE(panel.strengthControl()->value(), 3.5);

    regions.pop_back();
    panel.setRegions(regions);
    QCOMPARE(panel.selected(), -1);
    QVERIFY(panel.list()->selectedItems().isEmpty());
    QVERIFY(!panel.removeButton()->isEnabled());
    QCOMPARE(all.count(), 0);
}

void TestRegionPanel::userSelectionEmits()
{
    RegionPanel panel;
    panel.setRegions(threeRegions());
    QSignalSpy spy(&panel, &RegionPanel::selectionChanged);
    panel.list()->setCurrentRow(1);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 1);
    QCOMPARE(panel.selected(), 1);
    QCOMPARE(panel.methodSelector()->currentText(), QStringLiteral("Pixelate"));
    QCOMPARE(panel.strengthControl()->value(), 12.0);

    panel.list()->clearSelection();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toInt(), -1);
    QCOMPARE(panel.selected(), -1);
}

void TestRegionPanel::strengthAndFeatherEdits()
{
    RegionPanel panel;
    panel.setRegions(threeRegions());
    panel.setSelected(0);
    QSignalSpy spy(&panel, &RegionPanel::regionEdited);

    typeInto(panel.strengthControl()->spinBox(), QStringLiteral("12.5"));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 0);
    QCOMPARE(editedRegion(spy, 0), region({40, 30, 120, 80}, RegionMethod::Gaussian, 12.5, 0));
    QCOMPARE(spy.at(0).at(2).toString(), QStringLiteral("sigma"));
    QCOMPARE(spy.at(0).at(3).toBool(), false);
    QCOMPARE(panel.list()->item(0)->text(),
             QStringLiteral("1  Gaussian σ 12.5 · 120×80 at (40, 30)"));

    // The next edit starts from the first, before any setRegions.
    typeInto(panel.featherControl()->spinBox(), QStringLiteral("6"));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(editedRegion(spy, 1), region({40, 30, 120, 80}, RegionMethod::Gaussian, 12.5, 6));
    QCOMPARE(spy.at(1).at(2).toString(), QStringLiteral("feather"));

    // Pixelate's cell and Box's odd kernel size.
    panel.setSelected(1);
    panel.strengthControl()->slider()->setValue(19); // cells 1, 2, ...: 20
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toInt(), 1);
    QCOMPARE(editedRegion(spy, 2).strength, 20.0);
    QCOMPARE(spy.at(2).at(2).toString(), QStringLiteral("cell"));
    panel.setSelected(2);
    panel.strengthControl()->slider()->setValue(2); // 1, 3, 5
    QCOMPARE(spy.count(), 4);
    QCOMPARE(spy.at(3).at(0).toInt(), 2);
    QCOMPARE(editedRegion(spy, 3), region({40, 400, 160, 40}, RegionMethod::Box, 5, 2));
    QCOMPARE(spy.at(3).at(2).toString(), QStringLiteral("ksize"));

    // The reset button is an edit too.
    panel.strengthControl()->resetButton()->click();
    QCOMPARE(spy.count(), 5);
    QCOMPARE(editedRegion(spy, 4).strength, defaultStrength(RegionMethod::Box));
}

void TestRegionPanel::dragIsMarkedAndClosed()
{
    RegionPanel panel;
    panel.setRegions(threeRegions());
    panel.setSelected(1);
    QSignalSpy spy(&panel, &RegionPanel::regionEdited);
    QSlider *feather = panel.featherControl()->slider();
    feather->setSliderDown(true);
    feather->setValue(3);
    feather->setValue(7);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(0).at(3).toBool(), true);
    QCOMPARE(spy.at(1).at(3).toBool(), true);
    QCOMPARE(editedRegion(spy, 1).feather, 7);
    feather->setSliderDown(false);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(2).toString(), QStringLiteral("feather"));
    QCOMPARE(spy.at(2).at(3).toBool(), false);
    QCOMPARE(editedRegion(spy, 2).feather, 7);
}

void TestRegionPanel::methodChangeStrength()
{
    RegionPanel panel;
    panel.setRegions(threeRegions());
    panel.setSelected(0); // Gaussian sigma 8
    QSignalSpy spy(&panel, &RegionPanel::regionEdited);
    QComboBox *method = panel.methodSelector();

    // Never used with Pixelate: its default cell size.
    method->setCurrentIndex(method->findText(QStringLiteral("Pixelate")));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 0);
    QCOMPARE(spy.at(0).at(2).toString(), QStringLiteral("method"));
    QCOMPARE(spy.at(0).at(3).toBool(), false);
    QCOMPARE(editedRegion(spy, 0), region({40, 30, 120, 80}, RegionMethod::Pixelate,
                                          defaultStrength(RegionMethod::Pixelate), 0));
    QCOMPARE(panel.strengthControl()->key(), QStringLiteral("cell"));
    QCOMPARE(panel.strengthControl()->value(), defaultStrength(RegionMethod::Pixelate));
    QCOMPARE(panel.list()->item(0)->text(),
             QStringLiteral("1  Pixelate cell %1 · 120×80 at (40, 30)")
                 .arg(defaultStrength(RegionMethod::Pixelate)));

    typeInto(panel.strengthControl()->spinBox(), QStringLiteral("20"));
    QCOMPARE(spy.count(), 2);

    // Back to Gaussian: the sigma it had when it left Gaussian.
    method->setCurrentIndex(method->findText(QStringLiteral("Gaussian")));
    QCOMPARE(spy.count(), 3);
    QCOMPARE(editedRegion(spy, 2), region({40, 30, 120, 80}, RegionMethod::Gaussian, 8, 0));
    QCOMPARE(panel.strengthControl()->key(), QStringLiteral("sigma"));
    QCOMPARE(panel.strengthControl()->value(), 8.0);

    // Another region switched to Pixelate gets the cell size last used.
    panel.setSelected(2); // Box 31
    method->setCurrentIndex(method->findText(QStringLiteral("Pixelate")));
    QCOMPARE(spy.count(), 4);
    QCOMPARE(spy.at(3).at(0).toInt(), 2);
    QCOMPARE(editedRegion(spy, 3), region({40, 400, 160, 40}, RegionMethod::Pixelate, 20, 2));
    // And back to Box: the 31 it had.
    method->setCurrentIndex(method->findText(QStringLiteral("Box")));
    QCOMPARE(editedRegion(spy, 4), region({40, 400, 160, 40}, RegionMethod::Box, 31, 2));
}

void TestRegionPanel::ownerAnswersAtOnce()
{
    // The window applies each edit to its document and shows the result
    // before the signal returns, also while a slider is dragged.
    RegionPanel panel;
    std::vector<Region> document = threeRegions();
    panel.setRegions(document);
    panel.setSelected(0);
    int answered = 0;
    connect(&panel, &RegionPanel::regionEdited, &panel,
            [&](int index, const Region &edited, const QString &, bool) {
                document[static_cast<std::size_t>(index)] = edited;
                panel.setRegions(document);
                ++answered;
            });
    QSlider *sigma = panel.strengthControl()->slider();
    sigma->setSliderDown(true);
    for (int position = 150; position < 160; ++position)
        sigma->setValue(position);
    sigma->setSliderDown(false);
    QVERIFY(answered > 1);
    QCOMPARE(panel.strengthControl()->value(), document[0].strength);
    QCOMPARE(sigma->value(), 159);

    QComboBox *method = panel.methodSelector();
    method->setCurrentIndex(method->findText(QStringLiteral("Box")));
    QCOMPARE(document[0].method, RegionMethod::Box);
    QCOMPARE(panel.strengthControl()->key(), QStringLiteral("ksize"));
    QCOMPARE(panel.selected(), 0);
    QCOMPARE(rowTexts(panel).first(), QStringLiteral("1  Box size %1 · 120×80 at (40, 30)")
                                          .arg(defaultStrength(RegionMethod::Box)));
}

void TestRegionPanel::reorderButtons()
{
    RegionPanel panel;
    panel.setRegions(threeRegions());
    QSignalSpy spy(&panel, &RegionPanel::moveRequested);
    QVERIFY(!panel.upButton()->isEnabled());
    QVERIFY(!panel.downButton()->isEnabled());

    panel.setSelected(0);
    QVERIFY(!panel.upButton()->isEnabled());
    QVERIFY(panel.downButton()->isEnabled());
    panel.downButton()->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 0);
    QCOMPARE(spy.at(0).at(1).toInt(), 1);

    panel.setSelected(1);
    QVERIFY(panel.upButton()->isEnabled());
    QVERIFY(panel.downButton()->isEnabled());
    panel.upButton()->click();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toInt(), 1);
    QCOMPARE(spy.at(1).at(1).toInt(), 0);

    panel.setSelected(2);
    QVERIFY(panel.upButton()->isEnabled());
    QVERIFY(!panel.downButton()->isEnabled());
    panel.upButton()->click();
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toInt(), 2);
    QCOMPARE(spy.at(2).at(1).toInt(), 1);

    // The panel only asks: the list is as the owner last showed it.
    QCOMPARE(rowTexts(panel).first(), QStringLiteral("1  Gaussian σ 8 · 120×80 at (40, 30)"));

    panel.setRegions({threeRegions().front()});
    panel.setSelected(0);
    QVERIFY(!panel.upButton()->isEnabled());
    QVERIFY(!panel.downButton()->isEnabled());
}

void TestRegionPanel::dragAndDropReorder()
{
    RegionPanel panel;
    panel.resize(400, 600);
    panel.setRegions(threeRegions());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy spy(&panel, &RegionPanel::moveRequested);
    QListWidget *list = panel.list();

    // Drag row `from` and drop it on the lower or upper half of row `on`.
    const auto drop = [&](int from, int on, bool lowerHalf) {
        panel.setSelected(from);
        const std::unique_ptr<QMimeData> data(
            list->model()->mimeData({list->model()->index(from, 0)}));
        const QRect target = list->visualItemRect(list->item(on));
        const QPoint at(target.center().x(), lowerHalf ? target.bottom() - 1 : target.top() + 1);
        QDragEnterEvent enter(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(list->viewport(), &enter);
        QDragMoveEvent move(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(list->viewport(), &move);
        QDropEvent dropped(QPointF(at), Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(list->viewport(), &dropped);
    };

    drop(0, 2, true); // below the last row: to the end
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 0);
    QCOMPARE(spy.at(0).at(1).toInt(), 2);
    drop(2, 0, false); // above the first row
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toInt(), 2);
    QCOMPARE(spy.at(1).at(1).toInt(), 0);
    drop(0, 1, false); // just above the next row: where it is already
    QCOMPARE(spy.count(), 2);

    // Nothing moved in the view: the owner moves regions.
    QCOMPARE(rowTexts(panel).first(), QStringLiteral("1  Gaussian σ 8 · 120×80 at (40, 30)"));
    QCOMPARE(list->count(), 3);
}

void TestRegionPanel::removeAndClear()
{
    RegionPanel panel;
    panel.setRegions(threeRegions());
    QSignalSpy remove(&panel, &RegionPanel::removeRequested);
    QSignalSpy clear(&panel, &RegionPanel::clearRequested);
    QVERIFY(!panel.removeButton()->isEnabled());
    panel.setSelected(1);
    QVERIFY(panel.removeButton()->isEnabled());
    panel.removeButton()->click();
    QCOMPARE(remove.count(), 1);
    QCOMPARE(remove.at(0).at(0).toInt(), 1);
    QCOMPARE(panel.list()->count(), 3); // until the owner says otherwise

    // Delete in the list.
    panel.setSelected(2);
    QTest::keyClick(panel.list(), Qt::Key_Delete);
    QCOMPARE(remove.count(), 2);
    QCOMPARE(remove.at(1).at(0).toInt(), 2);

    QVERIFY(panel.clearButton()->isEnabled());
    panel.clearButton()->click();
    QCOMPARE(clear.count(), 1);
    panel.setRegions({});
    QVERIFY(!panel.clearButton()->isEnabled());
    QVERIFY(!panel.removeButton()->isEnabled());
    QCOMPARE(panel.hint(), QStringLiteral("Press B and drag on the image to blur a region."));
}

void TestRegionPanel::templateFollowsEdits()
{
    RegionPanel panel;
    QCOMPARE(panel.newRegionTemplate(), Region{});
    panel.setRegions(threeRegions());
    panel.setSelected(1); // selecting is not using
    QCOMPARE(panel.newRegionTemplate(), Region{});

    // A feather edit takes the feather only.
    typeInto(panel.featherControl()->spinBox(), QStringLiteral("5"));
    Region expected;
    expected.feather = 5;
    QCOMPARE(panel.newRegionTemplate(), expected);

    // A strength edit takes the region's method and strength.
    typeInto(panel.strengthControl()->spinBox(), QStringLiteral("24"));
    expected.method = RegionMethod::Pixelate;
    expected.strength = 24;
    QCOMPARE(panel.newRegionTemplate(), expected);

    // A method change takes the new method with the strength it gave.
    panel.setSelected(0);
    QComboBox *method = panel.methodSelector();
    method->setCurrentIndex(method->findText(QStringLiteral("Box")));
    expected.method = RegionMethod::Box;
    expected.strength = defaultStrength(RegionMethod::Box);
    QCOMPARE(panel.newRegionTemplate(), expected);
    QVERIFY(panel.newRegionTemplate().rect.empty());
}

QTEST_MAIN(TestRegionPanel)
#include "tst_region_panel.moc"
