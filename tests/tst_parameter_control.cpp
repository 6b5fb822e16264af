// Tests for ui/parameter_control.cpp: the widgets one descriptor gives, the
// slider position tables, signals while typing, dragging and resetting.
//
// The descriptors are written out here, not taken from the core tables, so
// every expected value is arithmetic on numbers visible in this file.

#include "ui/parameter_control.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <cmath>

Q_DECLARE_METATYPE(ks::ParamDescriptor)

using namespace ks;

namespace {

ParamDescriptor descriptor(std::string key, ParamType type, double min, double max,
                           double defaultValue, double step, std::string unit = "px",
                           bool zeroIsAuto = false)
{
    ParamDescriptor d;
    d.key = key;
    d.label = "Label of " + key;
    d.unit = std::move(unit);
    d.min = min;
    d.max = max;
    d.defaultValue = defaultValue;
    d.step = step;
    d.type = type;
    d.zeroIsAuto = zeroIsAuto;
    d.help = "Help for " + key + ".";
    return d;
}

ParamDescriptor logSigma()
{
    return descriptor("sigma", ParamType::Real, 0.1, 100, 4, 0.1);
}
ParamDescriptor angle()
{
    return descriptor("theta", ParamType::Real, 0, 180, 0, 1, "deg");
}
ParamDescriptor ratio() // max / min < 100: linear
{
    return descriptor("ratio", ParamType::Real, 1.1, 4, 2, 0.1, "");
}
ParamDescriptor count()
{
    return descriptor("count", ParamType::Integer, 2, 16, 8, 1, "");
}
ParamDescriptor oddSize()
{
    return descriptor("ksize", ParamType::OddInteger, 2, 40, 9, 2);
}
ParamDescriptor autoSize()
{
    return descriptor("auto", ParamType::OddInteger, 1, 51, 0, 2, "px", true);
}
ParamDescriptor flag()
{
    return descriptor("flag", ParamType::Boolean, 0, 1, 1, 1, "");
}

double shownValue(const QAbstractSpinBox *box)
{
    if (const auto *real = qobject_cast<const QDoubleSpinBox *>(box))
        return real->value();
    return qobject_cast<const QSpinBox *>(box)->value();
}

void addSliderRows()
{
    QTest::addColumn<ParamDescriptor>("d");
    QTest::addColumn<int>("positions");
    QTest::addColumn<double>("first");
    // 100 positions per factor of 10: 3 decades -> 300 steps.
    QTest::newRow("log sigma") << logSigma() << 301 << 0.1;
    QTest::newRow("linear angle") << angle() << 181 << 0.0;
    QTest::newRow("linear ratio") << ratio() << 30 << 1.1;
    QTest::newRow("integer") << count() << 15 << 2.0;
    QTest::newRow("odd 3..39") << oddSize() << 19 << 3.0;
    QTest::newRow("odd with auto") << autoSize() << 27 << 0.0;
}

} // namespace

class TestParameterControl : public QObject {
    Q_OBJECT

private slots:
    void widgetsFromDescriptor();
    void booleanIsACheckBox();

    void tableEndsExactAndOrdered_data() { addSliderRows(); }
    void tableEndsExactAndOrdered();

    void oddOnlyValues_data();
    void oddOnlyValues();

    void logTableMonotone();

    void setValueEmitsNothing();
    void typedValueOnEnter();
    void onePerValueChange();
    void dragReporting();
    void reset();
    void resetBoolean();
    void columnWidths();
};

void TestParameterControl::widgetsFromDescriptor()
{
    ParameterControl control(logSigma());
    QCOMPARE(control.key(), QStringLiteral("sigma"));
    QCOMPARE(control.objectName(), QStringLiteral("sigma"));
    QVERIFY(!control.checkBox());
    QCOMPARE(control.label()->text(), QStringLiteral("Label of sigma (px)"));
    QCOMPARE(control.label()->buddy(), control.spinBox());
    const auto *spin = qobject_cast<QDoubleSpinBox *>(control.spinBox());
    QVERIFY(spin);
    QCOMPARE(spin->suffix(), QStringLiteral(" px"));
    QCOMPARE(spin->decimals(), 1);
    QCOMPARE(spin->minimum(), 0.1);
    QCOMPARE(spin->maximum(), 100.0);
    for (const QWidget *w :
         {static_cast<const QWidget *>(control.label()),
          static_cast<const QWidget *>(control.slider()), static_cast<const QWidget *>(spin)}) {
        QCOMPARE(w->toolTip(), QStringLiteral("Help for sigma."));
        QCOMPARE(w->objectName(), QStringLiteral("sigma"));
    }
    QCOMPARE(control.resetButton()->toolTip(), QStringLiteral("Reset Label of sigma to 4 px"));
    QCOMPARE(control.value(), 4.0);
    QVERIFY(!control.resetButton()->isEnabled());

    ParameterControl degrees(angle());
    QCOMPARE(degrees.label()->text(), QStringLiteral("Label of theta (°)"));
    QCOMPARE(qobject_cast<QDoubleSpinBox *>(degrees.spinBox())->suffix(), QStringLiteral("°"));

    ParameterControl unitless(count());
    QCOMPARE(unitless.label()->text(), QStringLiteral("Label of count"));
    const auto *integer = qobject_cast<QSpinBox *>(unitless.spinBox());
    QVERIFY(integer);
    QCOMPARE(integer->suffix(), QString());
    QCOMPARE(integer->minimum(), 2);
    QCOMPARE(integer->maximum(), 16);
    QCOMPARE(unitless.value(), 8.0);

    ParameterControl automatic(autoSize());
    QCOMPARE(automatic.spinBox()->text(), QStringLiteral("auto"));
    QCOMPARE(ParameterControl::labelText(autoSize()), QStringLiteral("Label of auto (px)"));
}

void TestParameterControl::booleanIsACheckBox()
{
    ParameterControl control(flag());
    QVERIFY(control.checkBox());
    QVERIFY(!control.slider());
    QVERIFY(!control.spinBox());
    QVERIFY(!control.label());
    QCOMPARE(control.checkBox()->text(), QStringLiteral("Label of flag"));
    QCOMPARE(control.checkBox()->toolTip(), QStringLiteral("Help for flag."));
    QVERIFY(control.checkBox()->isChecked());
    QCOMPARE(control.value(), 1.0);
    QCOMPARE(ParameterControl::spinBoxWidthHint(flag()), 0);
    QCOMPARE(control.resetButton()->toolTip(), QStringLiteral("Reset Label of flag to on"));

    QSignalSpy spy(&control, &ParameterControl::valueEdited);
    control.checkBox()->toggle();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toDouble(), 0.0);
    QCOMPARE(spy.at(0).at(1).toBool(), false);
    QCOMPARE(control.value(), 0.0);
}

void TestParameterControl::tableEndsExactAndOrdered()
{
    QFETCH(ParamDescriptor, d);
    QFETCH(int, positions);
    QFETCH(double, first);
    ParameterControl control(d);
    QSlider *slider = control.slider();
    QCOMPARE(slider->minimum(), 0);
    QCOMPARE(slider->maximum(), positions - 1);

    slider->setValue(0);
    QCOMPARE(control.value(), first);
    QCOMPARE(shownValue(control.spinBox()), first);
    slider->setValue(slider->maximum());
    const double last =
        d.type == ParamType::OddInteger && std::fmod(d.max, 2) == 0 ? d.max - 1 : d.max;
    QCOMPARE(control.value(), last);

    const bool logarithmic = d.type == ParamType::Real && d.max / d.min >= 100;
    double previous = -1e300;
    for (int position = 0; position <= slider->maximum(); ++position) {
        slider->setValue(position);
        const double value = control.value();
        const QString where = QStringLiteral("position %1: %2").arg(position).arg(value);
        if (logarithmic)
            QVERIFY2(value >= previous, qPrintable(where));
        else
            QVERIFY2(value > previous, qPrintable(where));
        QVERIFY2(value >= first && value <= d.max, qPrintable(where));
        previous = value;
    }
}

void TestParameterControl::oddOnlyValues_data()
{
    QTest::addColumn<ParamDescriptor>("d");
    QTest::newRow("3..39") << oddSize();
    QTest::newRow("auto, 1..51") << autoSize();
}

void TestParameterControl::oddOnlyValues()
{
    QFETCH(ParamDescriptor, d);
    ParameterControl control(d);
    QSlider *slider = control.slider();
    auto *spin = qobject_cast<QSpinBox *>(control.spinBox());
    QVERIFY(spin);
    QCOMPARE(spin->singleStep(), 2);
    for (int position = 0; position <= slider->maximum(); ++position) {
        slider->setValue(position);
        const int value = spin->value();
        if (d.zeroIsAuto && position == 0) {
            QCOMPARE(value, 0);
            QCOMPARE(spin->text(), QStringLiteral("auto"));
            continue;
        }
        QVERIFY2(value % 2 == 1,
                 qPrintable(QStringLiteral("position %1 gives %2").arg(position).arg(value)));
        // Odd numbers in order: 1 or 3, then + 2 per position.
        const int lowest = d.zeroIsAuto ? 1 : 3;
        QCOMPARE(value, lowest + 2 * (position - (d.zeroIsAuto ? 1 : 0)));
    }

    // Typed even numbers go to the next odd one up, visibly.
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("10"));
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(spin->value(), 11);
    QCOMPARE(control.value(), 11.0);
}

void TestParameterControl::logTableMonotone()
{
    const ParamDescriptor d = logSigma();
    ParameterControl control(d);
    QSlider *slider = control.slider();
    const int last = slider->maximum();
    QCOMPARE(last, 300);
    double previous = 0;
    for (int position = 0; position <= last; ++position) {
        slider->setValue(position);
        const double value = control.value();
        QVERIFY(value >= previous);
        // Position p shows 0.1 * 1000^(p / 300), to within half a step.
        const double curve = 0.1 * std::pow(1000.0, position / 300.0);
        QVERIFY2(
            std::abs(value - curve) <= 0.05 + 1e-9,
            qPrintable(
                QStringLiteral("position %1: %2, curve %3").arg(position).arg(value).arg(curve)));
        previous = value;
    }
    // Each decade is a third of the slider.
    slider->setValue(100);
    QCOMPARE(control.value(), 1.0);
    slider->setValue(200);
    QCOMPARE(control.value(), 10.0);

    // setValue puts the slider on the nearest position: 12.3 lies between
    // 10^(1 + 9/100) = 12.30 (position 209) and its neighbours.
    control.setValue(12.3);
    QCOMPARE(control.value(), 12.3);
    QCOMPARE(slider->value(), 209);
    // A value with more decimals than the step is shown with them.
    control.setValue(2.25);
    QCOMPARE(control.value(), 2.25);
    QCOMPARE(control.spinBox()->text(), QStringLiteral("2.25 px"));
}

void TestParameterControl::setValueEmitsNothing()
{
    ParameterControl control(angle());
    QSignalSpy spy(&control, &ParameterControl::valueEdited);
    control.setValue(45);
    QCOMPARE(control.value(), 45.0);
    QCOMPARE(control.slider()->value(), 45);
    QVERIFY(control.resetButton()->isEnabled());
    control.setValue(0);
    QVERIFY(!control.resetButton()->isEnabled());
    QCOMPARE(spy.count(), 0);
}

void TestParameterControl::typedValueOnEnter()
{
    ParameterControl control(angle());
    QSignalSpy spy(&control, &ParameterControl::valueEdited);
    QAbstractSpinBox *spin = control.spinBox();
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("135"));
    QCOMPARE(spy.count(), 0); // not per keystroke
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toDouble(), 135.0);
    QCOMPARE(spy.at(0).at(1).toBool(), false);
    QCOMPARE(control.slider()->value(), 135);
}

void TestParameterControl::onePerValueChange()
{
    // Below sigma 1 the step (0.1) is coarser than the curve: positions
    // showing the same value emit once.
    ParameterControl control(logSigma());
    QSlider *slider = control.slider();
    slider->setValue(0);
    QSignalSpy spy(&control, &ParameterControl::valueEdited);
    int changes = 0;
    double previous = control.value();
    for (int position = 1; position <= 100; ++position) {
        slider->setValue(position);
        if (control.value() != previous) {
            ++changes;
            QCOMPARE(spy.last().at(0).toDouble(), control.value());
        }
        previous = control.value();
        QCOMPARE(spy.count(), changes);
    }
    QCOMPARE(changes, 9); // 0.1 to 1.0 in steps of 0.1
}

void TestParameterControl::dragReporting()
{
    ParameterControl control(angle());
    QSlider *slider = control.slider();
    QSignalSpy spy(&control, &ParameterControl::valueEdited);

    slider->setSliderDown(true);
    slider->setValue(10);
    slider->setValue(20);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(0).at(0).toDouble(), 10.0);
    QCOMPARE(spy.at(0).at(1).toBool(), true);
    QCOMPARE(spy.at(1).at(0).toDouble(), 20.0);
    QCOMPARE(spy.at(1).at(1).toBool(), true);
    slider->setSliderDown(false); // release: one closing signal, same value
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toDouble(), 20.0);
    QCOMPARE(spy.at(2).at(1).toBool(), false);

    // A press and release without a change says nothing.
    slider->setSliderDown(true);
    slider->setSliderDown(false);
    QCOMPARE(spy.count(), 3);

    // An owner refusing a dragged value sets it back; the release still
    // closes the drag, with the value kept.
    connect(&control, &ParameterControl::valueEdited, &control, [&control](double value, bool) {
        if (value > 30)
            control.setValue(30);
    });
    slider->setSliderDown(true);
    slider->setValue(40);
    QCOMPARE(control.value(), 30.0);
    QCOMPARE(slider->value(), 30);
    slider->setSliderDown(false);
    QCOMPARE(spy.count(), 5);
    QCOMPARE(spy.at(3).at(0).toDouble(), 40.0);
    QCOMPARE(spy.at(3).at(1).toBool(), true);
    QCOMPARE(spy.at(4).at(0).toDouble(), 30.0);
    QCOMPARE(spy.at(4).at(1).toBool(), false);
}

void TestParameterControl::reset()
{
    ParameterControl control(oddSize());
    QAbstractButton *reset = control.resetButton();
    QVERIFY(!reset->isEnabled());
    control.slider()->setValue(0);
    QCOMPARE(control.value(), 3.0);
    QVERIFY(reset->isEnabled());

    QSignalSpy spy(&control, &ParameterControl::valueEdited);
    reset->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toDouble(), 9.0);
    QCOMPARE(spy.at(0).at(1).toBool(), false);
    QCOMPARE(control.value(), 9.0);
    QCOMPARE(control.slider()->value(), 3); // 3, 5, 7, 9
    QVERIFY(!reset->isEnabled());
}

void TestParameterControl::resetBoolean()
{
    ParameterControl control(flag());
    control.setValue(0);
    QVERIFY(control.resetButton()->isEnabled());
    QSignalSpy spy(&control, &ParameterControl::valueEdited);
    control.resetButton()->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toDouble(), 1.0);
    QVERIFY(control.checkBox()->isChecked());
    QVERIFY(!control.resetButton()->isEnabled());
}

void TestParameterControl::columnWidths()
{
    const int hint = std::max(ParameterControl::spinBoxWidthHint(logSigma()),
                              ParameterControl::spinBoxWidthHint(count()));
    QVERIFY(hint > 0);
    ParameterControl a(logSigma());
    ParameterControl b(count());
    a.setColumnWidths(80, hint + 10);
    b.setColumnWidths(80, hint + 10);
    QCOMPARE(a.spinBox()->width(), hint + 10);
    QCOMPARE(b.spinBox()->width(), hint + 10);
    QCOMPARE(a.spinBox()->minimumWidth(), b.spinBox()->maximumWidth());
}

QTEST_MAIN(TestParameterControl)
#include "tst_parameter_control.moc"
