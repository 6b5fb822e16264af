// Tests for ui/parameter_panel.cpp: controls generated from the parameter
// descriptors, slider mappings, signals and round trips.
//
// Expected values come from the descriptor table (core/parameters.h), from
// specs written out here, or from arithmetic done here; the panel is only
// asked what it shows.

#include "ui/kernel_editor.h"
#include "ui/parameter_control.h"
#include "ui/parameter_panel.h"

#include "core/errors.h"
#include "core/gabor_bank.h"
#include "core/parameters.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>

#include <cmath>

Q_DECLARE_METATYPE(ks::FilterKind)
Q_DECLARE_METATYPE(ks::FilterSpec)
Q_DECLARE_METATYPE(ks::DisplayMode)
Q_DECLARE_METATYPE(ks::BorderMode)
Q_DECLARE_METATYPE(ks::ColorMode)

using namespace ks;

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// What the spin boxes append to a value: written out, not asked.
QString expectedSuffix(const std::string &unit)
{
    if (unit == "px")
        return QStringLiteral(" px");
    if (unit == "deg")
        return QStringLiteral("°");
    return {};
}

QString expectedLabel(const ParamDescriptor &d)
{
    if (d.unit == "px")
        return qs(d.label) + QStringLiteral(" (px)");
    if (d.unit == "deg")
        return qs(d.label) + QStringLiteral(" (°)");
    return qs(d.label);
}

// Fewest decimals showing step exactly: 0.1 -> 1, 0.01 -> 2, 0.5 -> 1, 1 -> 0.
int expectedDecimals(double step)
{
    int decimals = 0;
    double scaled = step;
    while (std::abs(scaled - std::round(scaled)) > 1e-9 && decimals < 10) {
        scaled *= 10;
        ++decimals;
    }
    return decimals;
}

// The sliders documented as logarithmic: sigma, wavelength, aspect ratio.
bool expectLogarithmic(const std::string &key)
{
    return key == "sigma" || key == "lambda" || key == "gamma";
}

double shownValue(const QAbstractSpinBox *box)
{
    if (const auto *real = qobject_cast<const QDoubleSpinBox *>(box))
        return real->value();
    return qobject_cast<const QSpinBox *>(box)->value();
}

void selectKind(ParameterPanel &panel, FilterKind kind)
{
    QComboBox *selector = panel.filterSelector();
    const int index = selector->findText(qs(filterLabel(kind)));
    QVERIFY(index >= 0);
    selector->setCurrentIndex(index);
}

QSet<QString> keysOf(FilterKind kind, bool booleans)
{
    QSet<QString> keys;
    for (const ParamDescriptor &d : parameterDescriptors(kind))
        if ((d.type == ParamType::Boolean) == booleans)
            keys.insert(qs(d.key));
    return keys;
}

template <class Widget> QSet<QString> namesOf(const ParameterPanel &panel)
{
    QSet<QString> names;
    for (const Widget *w : panel.findChildren<Widget *>())
        names.insert(w->objectName());
    return names;
}

void addKindRows()
{
    QTest::addColumn<FilterKind>("kind");
    for (FilterKind kind : kAllFilterKinds)
        QTest::newRow(std::string(filterName(kind)).c_str()) << kind;
}

// One row per (filter, parameter with a slider).
void addSliderRows()
{
    QTest::addColumn<FilterKind>("kind");
    QTest::addColumn<QString>("key");
    for (FilterKind kind : kAllFilterKinds)
        for (const ParamDescriptor &d : parameterDescriptors(kind))
            if (d.type != ParamType::Boolean)
                QTest::addRow("%s/%s", std::string(filterName(kind)).c_str(), d.key.c_str())
                    << kind << qs(d.key);
}

} // namespace

class TestParameterPanel : public QObject {
    Q_OBJECT

private slots:
    void controlsMatchDescriptors_data() { addKindRows(); }
    void controlsMatchDescriptors();

    void defaultsShown_data() { addKindRows(); }
    void defaultsShown();

    void sliderEmitsOncePerValueChange_data() { addSliderRows(); }
    void sliderEmitsOncePerValueChange();

    void sliderEndsAndOrder_data() { addSliderRows(); }
    void sliderEndsAndOrder();

    void logarithmicSliders_data();
    void logarithmicSliders();

    void kernelSizeSliderOnlyOdd_data();
    void kernelSizeSliderOnlyOdd();

    void kernelSizeTypedAndStepped_data();
    void kernelSizeTypedAndStepped();

    void typingMovesSlider_data();
    void typingMovesSlider();

    void dragIsMarkedAndClosed();

    void resetRestoresDefault_data();
    void resetRestoresDefault();

    void resetAll();

    void filterChangeRebuildsAndSetsDisplay_data();
    void filterChangeRebuildsAndSetsDisplay();

    void filterChangeRemembersEdits();

    void colorRoundTrip_data();
    void colorRoundTrip();

    void borderRoundTrip_data();
    void borderRoundTrip();

    void displayRoundTrip_data();
    void displayRoundTrip();

    void gain();

    void setSettingsShowsValuesAndEmitsNothing_data();
    void setSettingsShowsValuesAndEmitsNothing();

    void customMatrixAndNormalize();

    void invalidSpecShowsMessage();

    void bankGroupOnlyForGabor();
    void bankToggleEditsAndRemembers();
    void bankFromSetSettings();
    void bankDragIsMarkedAndClosed();
    void bankRefusesScalesOutOfRange();
    void bankKeptAcrossFilters();
};

void TestParameterPanel::controlsMatchDescriptors()
{
    QFETCH(FilterKind, kind);
    ParameterPanel panel;
    selectKind(panel, kind);
    QCOMPARE(kindOf(panel.filter()), kind);
    QCOMPARE(panel.filterSelector()->currentText(), qs(filterLabel(kind)));

    for (const ParamDescriptor &d : parameterDescriptors(kind)) {
        const QString key = qs(d.key);
        const QString help = qs(d.help);
        QVERIFY2(panel.resetButton(key), qPrintable(key));
        if (d.type == ParamType::Boolean) {
            QVERIFY(!panel.slider(key));
            QVERIFY(!panel.spinBox(key));
            const auto *check = panel.findChild<QCheckBox *>(key);
            QVERIFY(check);
            QCOMPARE(check->text(), qs(d.label));
            QCOMPARE(check->toolTip(), help);
            continue;
        }
        QSlider *slider = panel.slider(key);
        QAbstractSpinBox *spin = panel.spinBox(key);
        QVERIFY(slider);
        QVERIFY(spin);
        const auto *label = panel.findChild<QLabel *>(key);
        QVERIFY(label);
        QCOMPARE(label->text(), expectedLabel(d));
        QCOMPARE(label->toolTip(), help);
        QCOMPARE(slider->toolTip(), help);
        QCOMPARE(spin->toolTip(), help);
        switch (d.type) {
        case ParamType::Real: {
            const auto *box = qobject_cast<QDoubleSpinBox *>(spin);
            QVERIFY(box);
            QCOMPARE(box->minimum(), d.min);
            QCOMPARE(box->maximum(), d.max);
            QCOMPARE(box->singleStep(), d.step);
            QCOMPARE(box->decimals(), expectedDecimals(d.step));
            QCOMPARE(box->suffix(), expectedSuffix(d.unit));
            break;
        }
        case ParamType::Integer:
        case ParamType::OddInteger: {
            const auto *box = qobject_cast<QSpinBox *>(spin);
            QVERIFY(box);
            QCOMPARE(box->minimum(), d.zeroIsAuto ? 0.0 : d.min);
            QCOMPARE(box->maximum(), d.max);
            QCOMPARE(box->singleStep(), d.type == ParamType::OddInteger ? 2 : 1);
            QCOMPARE(box->suffix(), expectedSuffix(d.unit));
            QCOMPARE(box->specialValueText(), d.zeroIsAuto ? QStringLiteral("auto") : QString());
            break;
        }
        case ParamType::Boolean:
            break;
        }
    }

    // Exactly these controls, nothing left over from another filter. The
    // other spin boxes are the gain and the kernel editor's size.
    QCOMPARE(namesOf<QSlider>(panel), keysOf(kind, false));
    QCOMPARE(namesOf<QCheckBox>(panel), keysOf(kind, true));
    QSet<QString> spinBoxes = namesOf<QAbstractSpinBox>(panel);
    spinBoxes -=
        QSet<QString>{QStringLiteral("gain"), QStringLiteral("rows"), QStringLiteral("cols")};
    QCOMPARE(spinBoxes, keysOf(kind, false));
}

void TestParameterPanel::defaultsShown()
{
    QFETCH(FilterKind, kind);
    ParameterPanel panel;
    selectKind(panel, kind);
    QCOMPARE(panel.filter(), defaultSpec(kind));
    for (const ParamDescriptor &d : parameterDescriptors(kind)) {
        const QString key = qs(d.key);
        QCOMPARE(parameterValue(panel.filter(), d.key), d.defaultValue);
        if (d.type == ParamType::Boolean)
            QCOMPARE(panel.findChild<QCheckBox *>(key)->isChecked(), d.defaultValue != 0);
        else
            QCOMPARE(shownValue(panel.spinBox(key)), d.defaultValue);
        QVERIFY2(!panel.resetButton(key)->isEnabled(), "nothing to reset at the default");
    }
}

void TestParameterPanel::sliderEmitsOncePerValueChange()
{
    QFETCH(FilterKind, kind);
    QFETCH(QString, key);
    const ParamDescriptor &d = *findParameter(kind, key.toStdString());
    ParameterPanel panel;
    selectKind(panel, kind);
    QSlider *slider = panel.slider(key);
    QAbstractSpinBox *spin = panel.spinBox(key);
    slider->setValue(0);
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);

    int changes = 0;
    double previous = shownValue(spin);
    for (int position = 1; position <= slider->maximum(); ++position) {
        slider->setValue(position);
        const double shown = shownValue(spin);
        if (shown != previous) {
            ++changes;
            QCOMPARE(spy.last().at(0).toString(), key);
            QCOMPARE(spy.last().at(1).toBool(), false);
        }
        QCOMPARE(spy.count(), changes);
        QCOMPARE(parameterValue(panel.filter(), d.key), shown);
        previous = shown;
    }
    // Every position is a new value, except on logarithmic sliders where
    // the step is coarser than the curve.
    if (!expectLogarithmic(d.key))
        QCOMPARE(changes, slider->maximum());
    QVERIFY(changes > 0);
}

void TestParameterPanel::sliderEndsAndOrder()
{
    QFETCH(FilterKind, kind);
    QFETCH(QString, key);
    const ParamDescriptor &d = *findParameter(kind, key.toStdString());
    ParameterPanel panel;
    selectKind(panel, kind);
    QSlider *slider = panel.slider(key);
    QAbstractSpinBox *spin = panel.spinBox(key);

    // Number of positions: whole numbers, odd numbers (+ auto) or steps.
    int expectedPositions = 0;
    switch (d.type) {
    case ParamType::Integer:
        expectedPositions = static_cast<int>(d.max - d.min) + 1;
        break;
    case ParamType::OddInteger: {
        const int lowest = static_cast<int>(d.min) % 2 == 1 ? static_cast<int>(d.min)
                                                            : static_cast<int>(d.min) + 1;
        expectedPositions = (static_cast<int>(d.max) - lowest) / 2 + 1 + (d.zeroIsAuto ? 1 : 0);
        break;
    }
    case ParamType::Real:
        if (expectLogarithmic(d.key)) // 100 positions per factor of 10
            expectedPositions = static_cast<int>(std::lround(100 * std::log10(d.max / d.min))) + 1;
        else
            expectedPositions = static_cast<int>(std::lround((d.max - d.min) / d.step)) + 1;
        break;
    case ParamType::Boolean:
        QFAIL("no slider expected");
    }
    QCOMPARE(slider->minimum(), 0);
    QCOMPARE(slider->maximum(), expectedPositions - 1);

    slider->setValue(0);
    QCOMPARE(shownValue(spin), d.zeroIsAuto ? 0.0 : d.min);
    QCOMPARE(parameterValue(panel.filter(), d.key), d.zeroIsAuto ? 0.0 : d.min);
    slider->setValue(slider->maximum());
    QCOMPARE(shownValue(spin), d.max);
    QCOMPARE(parameterValue(panel.filter(), d.key), d.max);

    double previous = -1e300;
    for (int position = 0; position <= slider->maximum(); ++position) {
        slider->setValue(position);
        const double value = shownValue(spin);
        if (expectLogarithmic(d.key))
            QVERIFY2(value >= previous, qPrintable(QStringLiteral("position %1").arg(position)));
        else
            QVERIFY2(value > previous, qPrintable(QStringLiteral("position %1").arg(position)));
        QVERIFY(value >= (d.zeroIsAuto ? 0.0 : d.min) && value <= d.max);
        previous = value;
    }
}

void TestParameterPanel::logarithmicSliders_data()
{
    QTest::addColumn<FilterKind>("kind");
    QTest::addColumn<QString>("key");
    QTest::newRow("gabor sigma") << FilterKind::Gabor << QStringLiteral("sigma");
    QTest::newRow("gabor lambda") << FilterKind::Gabor << QStringLiteral("lambda");
    QTest::newRow("gabor gamma") << FilterKind::Gabor << QStringLiteral("gamma");
    QTest::newRow("gaussian sigma") << FilterKind::Gaussian << QStringLiteral("sigma");
    QTest::newRow("derivative sigma") << FilterKind::Derivative << QStringLiteral("sigma");
}

void TestParameterPanel::logarithmicSliders()
{
    QFETCH(FilterKind, kind);
    QFETCH(QString, key);
    const ParamDescriptor &d = *findParameter(kind, key.toStdString());
    ParameterPanel panel;
    selectKind(panel, kind);
    QSlider *slider = panel.slider(key);
    QAbstractSpinBox *spin = panel.spinBox(key);
    const int last = slider->maximum();

    slider->setValue(0);
    QCOMPARE(shownValue(spin), d.min);
    slider->setValue(last);
    QCOMPARE(shownValue(spin), d.max);

    // Position p shows min * (max / min)^(p / last), to within half a step.
    for (int position = 0; position <= last; ++position) {
        slider->setValue(position);
        const double curve = d.min * std::pow(d.max / d.min, static_cast<double>(position) / last);
        QVERIFY2(std::abs(shownValue(spin) - curve) <= d.step / 2 + 1e-9,
                 qPrintable(QStringLiteral("position %1 shows %2, curve %3")
                                .arg(position)
                                .arg(shownValue(spin))
                                .arg(curve)));
    }

    // Each factor of 10 gets the same length: the geometric mean of the
    // ends sits in the middle, so sigma 1 to 10 is a third of the slider.
    slider->setValue(last / 2);
    const double middle = std::sqrt(d.min * d.max);
    QVERIFY(std::abs(shownValue(spin) - middle) <= d.step / 2 + middle * 0.02);
}

void TestParameterPanel::kernelSizeSliderOnlyOdd_data()
{
    QTest::addColumn<FilterKind>("kind");
    for (FilterKind kind : kAllFilterKinds)
        if (findParameter(kind, "ksize"))
            QTest::newRow(std::string(filterName(kind)).c_str()) << kind;
}

void TestParameterPanel::kernelSizeSliderOnlyOdd()
{
    QFETCH(FilterKind, kind);
    const ParamDescriptor &d = *findParameter(kind, "ksize");
    ParameterPanel panel;
    selectKind(panel, kind);
    QSlider *slider = panel.slider(QStringLiteral("ksize"));
    const auto *spin = qobject_cast<QSpinBox *>(panel.spinBox(QStringLiteral("ksize")));
    QVERIFY(spin);
    for (int position = 0; position <= slider->maximum(); ++position) {
        slider->setValue(position);
        const int value = spin->value();
        const double applied = parameterValue(panel.filter(), "ksize");
        QCOMPARE(applied, static_cast<double>(value));
        if (d.zeroIsAuto && position == 0) {
            QCOMPARE(value, 0);
            QCOMPARE(spin->text(), QStringLiteral("auto"));
        } else {
            QVERIFY2(value % 2 == 1,
                     qPrintable(QStringLiteral("position %1 gives %2").arg(position).arg(value)));
            QCOMPARE(spin->text(), QStringLiteral("%1 px").arg(value));
        }
    }
}

void TestParameterPanel::kernelSizeTypedAndStepped_data()
{
    QTest::addColumn<FilterKind>("kind");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<int>("expected");
    // Even numbers go to the next odd one up (down at the maximum), visibly.
    QTest::newRow("gabor 8") << FilterKind::Gabor << "8" << 9;
    QTest::newRow("gabor 33") << FilterKind::Gabor << "33" << 33;
    QTest::newRow("gabor 300") << FilterKind::Gabor << "300" << 301;
    QTest::newRow("gabor 0 below 1") << FilterKind::Gabor << "0" << 1;
    QTest::newRow("gaussian 0 auto") << FilterKind::Gaussian << "0" << 0;
    QTest::newRow("gaussian 2") << FilterKind::Gaussian << "2" << 3;
    QTest::newRow("gaussian 1000") << FilterKind::Gaussian << "1000" << 1001;
    QTest::newRow("box 64") << FilterKind::Box << "64" << 65;
    QTest::newRow("derivative 1 below 3") << FilterKind::Derivative << "1" << 3;
    QTest::newRow("derivative 20") << FilterKind::Derivative << "20" << 21;
}

void TestParameterPanel::kernelSizeTypedAndStepped()
{
    QFETCH(FilterKind, kind);
    QFETCH(QString, typed);
    QFETCH(int, expected);
    ParameterPanel panel;
    selectKind(panel, kind);
    auto *spin = qobject_cast<QSpinBox *>(panel.spinBox(QStringLiteral("ksize")));
    QVERIFY(spin);
    spin->selectAll();
    QTest::keyClicks(spin, typed);
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(spin->value(), expected);
    QCOMPARE(parameterValue(panel.filter(), "ksize"), static_cast<double>(expected));
    QCOMPARE(spin->text(),
             expected == 0 ? QStringLiteral("auto") : QStringLiteral("%1 px").arg(expected));

    // The arrows keep it odd: up from auto is 1, otherwise +-2 within the range.
    const ParamDescriptor &d = *findParameter(kind, "ksize");
    spin->stepBy(1);
    const int up = expected == 0 ? 1 : std::min(expected + 2, static_cast<int>(d.max));
    QCOMPARE(spin->value(), up);
    QCOMPARE(parameterValue(panel.filter(), "ksize"), static_cast<double>(up));
    spin->stepBy(-1);
    const int lowest = d.zeroIsAuto ? 0 : static_cast<int>(d.min);
    const int down = up == 1 && d.zeroIsAuto ? 0 : std::max(up - 2, lowest);
    QCOMPARE(spin->value(), down);
    QCOMPARE(parameterValue(panel.filter(), "ksize"), static_cast<double>(down));
}

void TestParameterPanel::typingMovesSlider_data()
{
    QTest::addColumn<FilterKind>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<double>("expected");
    QTest::addColumn<int>("position");
    // Linear: theta in steps of 1 degree from 0; psi from -180.
    QTest::newRow("theta 45") << FilterKind::Gabor << "theta"
                              << "45" << 45.0 << 45;
    QTest::newRow("psi -90") << FilterKind::Gabor << "psi"
                             << "-90" << -90.0 << 90;
    QTest::newRow("angle 359") << FilterKind::Derivative << "angle"
                               << "359" << 359.0 << 359;
    // Odd sizes: position (k - lowest) / 2, plus one for auto.
    QTest::newRow("gabor ksize 41") << FilterKind::Gabor << "ksize"
                                    << "41" << 41.0 << 20;
    QTest::newRow("gaussian ksize 41") << FilterKind::Gaussian << "ksize"
                                       << "41" << 41.0 << 21;
    QTest::newRow("derivative ksize 41") << FilterKind::Derivative << "ksize"
                                         << "41" << 41.0 << 19;
    QTest::newRow("order 2") << FilterKind::Derivative << "order"
                             << "2" << 2.0 << 1;
    // Logarithmic, 100 positions per decade: 100 * log10(v / min).
    QTest::newRow("sigma 1") << FilterKind::Gabor << "sigma"
                             << "1" << 1.0 << 100;
    QTest::newRow("sigma 10") << FilterKind::Gaussian << "sigma"
                              << "10" << 10.0 << 200;
    QTest::newRow("lambda 20") << FilterKind::Gabor << "lambda"
                               << "20" << 20.0 << 100;
    QTest::newRow("gamma 0.1") << FilterKind::Gabor << "gamma"
                               << "0.1" << 0.1 << 100;
    // Between positions: kept as typed, slider at the nearest one.
    QTest::newRow("sigma 12.3") << FilterKind::Gabor << "sigma"
                                << "12.3" << 12.3 << 209;
}

void TestParameterPanel::typingMovesSlider()
{
    QFETCH(FilterKind, kind);
    QFETCH(QString, key);
    QFETCH(QString, typed);
    QFETCH(double, expected);
    QFETCH(int, position);
    ParameterPanel panel;
    selectKind(panel, kind);
    QAbstractSpinBox *spin = panel.spinBox(key);
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    spin->selectAll();
    QTest::keyClicks(spin, typed);
    QCOMPARE(spy.count(), 0); // applied on Enter, not per keystroke
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), key);
    QCOMPARE(spy.at(0).at(1).toBool(), false);
    QCOMPARE(shownValue(spin), expected);
    QCOMPARE(parameterValue(panel.filter(), key.toStdString()), expected);
    QCOMPARE(panel.slider(key)->value(), position);
}

void TestParameterPanel::dragIsMarkedAndClosed()
{
    ParameterPanel panel;
    selectKind(panel, FilterKind::Gabor);
    QSlider *slider = panel.slider(QStringLiteral("theta"));
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);

    slider->setSliderDown(true);
    slider->setValue(10);
    slider->setValue(20);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(0).at(1).toBool(), true);
    QCOMPARE(spy.at(1).at(1).toBool(), true);
    QCOMPARE(parameterValue(panel.filter(), "theta"), 20.0);
    slider->setSliderDown(false); // release: one closing signal, same value
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), QStringLiteral("theta"));
    QCOMPARE(spy.at(2).at(1).toBool(), false);
    QCOMPARE(parameterValue(panel.filter(), "theta"), 20.0);

    // A press and release without a change says nothing.
    slider->setSliderDown(true);
    slider->setSliderDown(false);
    QCOMPARE(spy.count(), 3);
}

void TestParameterPanel::resetRestoresDefault_data()
{
    QTest::addColumn<FilterKind>("kind");
    QTest::addColumn<QString>("key");
    for (FilterKind kind : kAllFilterKinds)
        for (const ParamDescriptor &d : parameterDescriptors(kind))
            QTest::addRow("%s/%s", std::string(filterName(kind)).c_str(), d.key.c_str())
                << kind << qs(d.key);
}

void TestParameterPanel::resetRestoresDefault()
{
    QFETCH(FilterKind, kind);
    QFETCH(QString, key);
    const ParamDescriptor &d = *findParameter(kind, key.toStdString());
    ParameterPanel panel;
    selectKind(panel, kind);
    QAbstractButton *reset = panel.resetButton(key);
    QVERIFY(!reset->isEnabled());

    // Some other value: the other end of the range, or the other state.
    if (d.type == ParamType::Boolean) {
        panel.findChild<QCheckBox *>(key)->toggle();
    } else {
        QSlider *slider = panel.slider(key);
        slider->setValue(d.defaultValue == d.max ? 0 : slider->maximum());
    }
    QVERIFY(parameterValue(panel.filter(), d.key) != d.defaultValue);
    QVERIFY(reset->isEnabled());

    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    reset->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), key);
    QCOMPARE(parameterValue(panel.filter(), d.key), d.defaultValue);
    if (d.type == ParamType::Boolean)
        QCOMPARE(panel.findChild<QCheckBox *>(key)->isChecked(), d.defaultValue != 0);
    else
        QCOMPARE(shownValue(panel.spinBox(key)), d.defaultValue);
    QVERIFY(!reset->isEnabled());
    QCOMPARE(panel.filter(), defaultSpec(kind));
}

void TestParameterPanel::resetAll()
{
    ParameterPanel panel;
    selectKind(panel, FilterKind::Gabor);
    panel.slider(QStringLiteral("sigma"))->setValue(0);
    panel.slider(QStringLiteral("theta"))->setValue(90);
    panel.slider(QStringLiteral("ksize"))->setValue(3);
    QCOMPARE(panel.filter(), (FilterSpec{GaborSpec{7, 0.1, 90.0, 10.0, 0.5, 0.0}}));

    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    auto *button = panel.findChild<QPushButton *>(QStringLiteral("resetAll"));
    QVERIFY(button);
    button->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("filter"));
    QCOMPARE(panel.filter(), (FilterSpec{GaborSpec{}}));
    for (const ParamDescriptor &d : parameterDescriptors(FilterKind::Gabor)) {
        QCOMPARE(shownValue(panel.spinBox(qs(d.key))), d.defaultValue);
        QVERIFY(!panel.resetButton(qs(d.key))->isEnabled());
    }

    button->click(); // already at the defaults
    QCOMPARE(spy.count(), 1);
}

void TestParameterPanel::filterChangeRebuildsAndSetsDisplay_data()
{
    QTest::addColumn<FilterKind>("from");
    QTest::addColumn<FilterKind>("to");
    QTest::addColumn<DisplayMode>("display");
    // Smoothing filters (None, Gaussian, normalized Box) clamp; the others,
    // including the default sharpening custom kernel, are offset.
    QTest::newRow("none -> gabor")
        << FilterKind::Identity << FilterKind::Gabor << DisplayMode::Offset;
    QTest::newRow("gabor -> gaussian")
        << FilterKind::Gabor << FilterKind::Gaussian << DisplayMode::Clamp;
    QTest::newRow("gaussian -> box")
        << FilterKind::Gaussian << FilterKind::Box << DisplayMode::Clamp;
    QTest::newRow("box -> derivative")
        << FilterKind::Box << FilterKind::Derivative << DisplayMode::Offset;
    QTest::newRow("derivative -> custom")
        << FilterKind::Derivative << FilterKind::Custom << DisplayMode::Offset;
    QTest::newRow("custom -> none")
        << FilterKind::Custom << FilterKind::Identity << DisplayMode::Clamp;
    QTest::newRow("gabor -> derivative")
        << FilterKind::Gabor << FilterKind::Derivative << DisplayMode::Offset;
}

void TestParameterPanel::filterChangeRebuildsAndSetsDisplay()
{
    QFETCH(FilterKind, from);
    QFETCH(FilterKind, to);
    QFETCH(DisplayMode, display);
    ParameterPanel panel;
    panel.setSettings(defaultSpec(from), {}, {DisplayMode::Normalize, 0});
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    selectKind(panel, to);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("filter"));
    QCOMPARE(spy.at(0).at(1).toBool(), false);
    QCOMPARE(panel.filter(), defaultSpec(to));
    QCOMPARE(panel.display().mode, display);
    const auto *displayBox = panel.findChild<QComboBox *>(QStringLiteral("display"));
    QCOMPARE(displayBox->currentData().toInt(), static_cast<int>(display));

    // The controls are the new filter's; the old filter's are gone.
    QCOMPARE(namesOf<QSlider>(panel), keysOf(to, false));
    QCOMPARE(namesOf<QCheckBox>(panel), keysOf(to, true));
    for (const ParamDescriptor &d : parameterDescriptors(from))
        if (!findParameter(to, d.key))
            QVERIFY(!panel.resetButton(qs(d.key)));
    QCOMPARE(panel.kernelEditor()->isVisibleTo(&panel), to == FilterKind::Custom);
}

void TestParameterPanel::filterChangeRemembersEdits()
{
    ParameterPanel panel;
    selectKind(panel, FilterKind::Gabor);
    panel.slider(QStringLiteral("theta"))->setValue(30);
    selectKind(panel, FilterKind::Box);
    QCOMPARE(panel.filter(), defaultSpec(FilterKind::Box));
    selectKind(panel, FilterKind::Gabor);
    GaborSpec expected;
    expected.theta_deg = 30;
    QCOMPARE(panel.filter(), FilterSpec{expected});
    QCOMPARE(shownValue(panel.spinBox(QStringLiteral("theta"))), 30.0);
}

void TestParameterPanel::colorRoundTrip_data()
{
    QTest::addColumn<ColorMode>("from");
    QTest::addColumn<ColorMode>("to");
    QTest::newRow("per channel -> grey") << ColorMode::PerChannel << ColorMode::Gray;
    QTest::newRow("grey -> per channel") << ColorMode::Gray << ColorMode::PerChannel;
}

void TestParameterPanel::colorRoundTrip()
{
    QFETCH(ColorMode, from);
    QFETCH(ColorMode, to);
    ParameterPanel panel;
    auto *box = panel.findChild<QComboBox *>(QStringLiteral("color"));
    QVERIFY(box);
    QCOMPARE(box->count(), 2);
    const FilterOptions options{BorderMode::Wrap, from};
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    panel.setSettings(GaussianSpec{}, options, {});
    QCOMPARE(panel.options(), options);
    QCOMPARE(box->currentData().toInt(), static_cast<int>(from));
    QCOMPARE(spy.count(), 0);

    box->setCurrentIndex(box->findData(static_cast<int>(to)));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("color"));
    QCOMPARE(panel.options(), (FilterOptions{BorderMode::Wrap, to}));
}

void TestParameterPanel::borderRoundTrip_data()
{
    QTest::addColumn<BorderMode>("from");
    QTest::addColumn<BorderMode>("to");
    for (BorderMode from : kAllBorderModes)
        for (BorderMode to : kAllBorderModes)
            if (from != to)
                QTest::addRow("%s -> %s", std::string(borderName(from)).c_str(),
                              std::string(borderName(to)).c_str())
                    << from << to;
}

void TestParameterPanel::borderRoundTrip()
{
    QFETCH(BorderMode, from);
    QFETCH(BorderMode, to);
    ParameterPanel panel;
    auto *box = panel.findChild<QComboBox *>(QStringLiteral("border"));
    QVERIFY(box);
    QCOMPARE(box->count(), static_cast<int>(std::size(kAllBorderModes)));
    const FilterOptions options{from, ColorMode::Gray};
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    panel.setSettings(GaborSpec{}, options, {});
    QCOMPARE(panel.options(), options);
    QCOMPARE(box->currentData().toInt(), static_cast<int>(from));
    QCOMPARE(spy.count(), 0);

    box->setCurrentIndex(box->findData(static_cast<int>(to)));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("border"));
    QCOMPARE(panel.options(), (FilterOptions{to, ColorMode::Gray}));
    QCOMPARE(panel.filter(), FilterSpec{GaborSpec{}});
}

void TestParameterPanel::displayRoundTrip_data()
{
    QTest::addColumn<DisplayMode>("from");
    QTest::addColumn<DisplayMode>("to");
    for (DisplayMode from : kAllDisplayModes)
        for (DisplayMode to : kAllDisplayModes)
            if (from != to)
                QTest::addRow("%s -> %s", std::string(displayName(from)).c_str(),
                              std::string(displayName(to)).c_str())
                    << from << to;
}

void TestParameterPanel::displayRoundTrip()
{
    QFETCH(DisplayMode, from);
    QFETCH(DisplayMode, to);
    ParameterPanel panel;
    auto *box = panel.findChild<QComboBox *>(QStringLiteral("display"));
    auto *gain = panel.findChild<QDoubleSpinBox *>(QStringLiteral("gain"));
    QVERIFY(box);
    QVERIFY(gain);
    QCOMPARE(box->count(), static_cast<int>(std::size(kAllDisplayModes)));
    const DisplayMapping mapping{from, 2.5};
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    panel.setSettings(DerivativeSpec{}, {}, mapping);
    QCOMPARE(panel.display(), mapping);
    QCOMPARE(box->currentData().toInt(), static_cast<int>(from));
    QCOMPARE(gain->value(), 2.5);
    // The gain only means something for the absolute-value and offset mappings.
    QCOMPARE(gain->isEnabled(), from == DisplayMode::Abs || from == DisplayMode::Offset);
    QCOMPARE(spy.count(), 0);

    box->setCurrentIndex(box->findData(static_cast<int>(to)));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("display"));
    QCOMPARE(panel.display(), (DisplayMapping{to, 2.5}));
    QCOMPARE(gain->isEnabled(), to == DisplayMode::Abs || to == DisplayMode::Offset);
}

void TestParameterPanel::gain()
{
    ParameterPanel panel;
    panel.setSettings(GaborSpec{}, {}, {DisplayMode::Abs, 0});
    auto *gain = panel.findChild<QDoubleSpinBox *>(QStringLiteral("gain"));
    QCOMPARE(gain->text(), QStringLiteral("auto"));
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    gain->selectAll();
    QTest::keyClicks(gain, QStringLiteral("12.5"));
    QTest::keyClick(gain, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("gain"));
    QCOMPARE(panel.display(), (DisplayMapping{DisplayMode::Abs, 12.5}));

    auto *reset = panel.findChild<QToolButton *>(QStringLiteral("gain"));
    QVERIFY(reset);
    QVERIFY(reset->isEnabled());
    reset->click();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(panel.display(), (DisplayMapping{DisplayMode::Abs, 0}));
    QCOMPARE(gain->text(), QStringLiteral("auto"));
    QVERIFY(!reset->isEnabled());
}

void TestParameterPanel::setSettingsShowsValuesAndEmitsNothing_data()
{
    QTest::addColumn<FilterSpec>("spec");
    QTest::newRow("none") << FilterSpec{IdentitySpec{}};
    QTest::newRow("gabor") << FilterSpec{GaborSpec{21, 7.5, 30, 16, 0.8, 90}};
    QTest::newRow("gabor off the slider") << FilterSpec{GaborSpec{5, 12.3, 0.5, 2, 10, -180}};
    QTest::newRow("gaussian") << FilterSpec{GaussianSpec{9, 1.5}};
    QTest::newRow("gaussian auto") << FilterSpec{GaussianSpec{0, 100}};
    QTest::newRow("box") << FilterSpec{BoxSpec{1001, false}};
    QTest::newRow("derivative") << FilterSpec{DerivativeSpec{2, 45, 3.5, 25}};
    QTest::newRow("custom") << FilterSpec{CustomSpec{2, 3, {1, 2, 3, 4, 5, 6}, true}};
}

void TestParameterPanel::setSettingsShowsValuesAndEmitsNothing()
{
    QFETCH(FilterSpec, spec);
    const FilterOptions options{BorderMode::Replicate, ColorMode::Gray};
    const DisplayMapping display{DisplayMode::Abs, 3.25};
    ParameterPanel panel;
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    QSignalSpy kernelSpy(panel.kernelEditor(), &KernelEditor::kernelChanged);

    // Twice: once rebuilding the controls (another filter before), once not.
    for (int round = 0; round < 2; ++round) {
        panel.setSettings(spec, options, display);
        QCOMPARE(spy.count(), 0);
        QCOMPARE(kernelSpy.count(), 0);
        QCOMPARE(panel.filter(), spec);
        QCOMPARE(panel.options(), options);
        QCOMPARE(panel.display(), display);
        QCOMPARE(panel.filterSelector()->currentText(), qs(filterLabel(kindOf(spec))));
        for (const ParamDescriptor &d : parameterDescriptors(kindOf(spec))) {
            const QString key = qs(d.key);
            const double expected = parameterValue(spec, d.key);
            if (d.type == ParamType::Boolean) {
                QCOMPARE(panel.findChild<QCheckBox *>(key)->isChecked(), expected != 0);
            } else {
                QCOMPARE(shownValue(panel.spinBox(key)), expected);
                // The slider sits on a position at or next to the value.
                QSlider *slider = panel.slider(key);
                QVERIFY(slider->value() >= 0 && slider->value() <= slider->maximum());
            }
            QCOMPARE(panel.resetButton(key)->isEnabled(), expected != d.defaultValue);
        }
        if (const auto *custom = std::get_if<CustomSpec>(&spec)) {
            QCOMPARE(panel.kernelEditor()->kernel(), *custom);
            QCOMPARE(panel.kernelEditor()->table()->rowCount(), custom->rows);
            QCOMPARE(panel.kernelEditor()->table()->columnCount(), custom->cols);
        }
        QCOMPARE(panel.findChild<QComboBox *>(QStringLiteral("color"))->currentData().toInt(),
                 static_cast<int>(ColorMode::Gray));
        QCOMPARE(panel.findChild<QComboBox *>(QStringLiteral("border"))->currentData().toInt(),
                 static_cast<int>(BorderMode::Replicate));
        QCOMPARE(panel.findChild<QDoubleSpinBox *>(QStringLiteral("gain"))->value(), 3.25);
    }
    QVERIFY(!panel.findChild<QLabel *>(QStringLiteral("error"))->isVisibleTo(&panel));
}

void TestParameterPanel::customMatrixAndNormalize()
{
    ParameterPanel panel;
    selectKind(panel, FilterKind::Custom);
    KernelEditor *editor = panel.kernelEditor();
    QVERIFY(editor->isVisibleTo(&panel));
    QCOMPARE(editor->kernel(), CustomSpec{});

    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    editor->table()->item(1, 1)->setText(QStringLiteral("4"));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("matrix"));
    const CustomSpec zeroSum{3, 3, {0, -1, 0, -1, 4, -1, 0, -1, 0}, false};
    QCOMPARE(panel.filter(), FilterSpec{zeroSum});

    // Normalize cannot scale a zero sum: shown, not applied, nothing emitted.
    auto *normalize = panel.findChild<QCheckBox *>(QStringLiteral("normalize"));
    normalize->setChecked(true);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(panel.filter(), FilterSpec{zeroSum});
    QVERIFY(!editor->isValid());
    QVERIFY2(editor->statusMessage().contains(QStringLiteral("taps sum to 0")),
             qPrintable(editor->statusMessage()));

    // Making the sum non-zero applies the kernel with normalize on.
    editor->table()->item(1, 1)->setText(QStringLiteral("5"));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), QStringLiteral("matrix"));
    QCOMPARE(panel.filter(), (FilterSpec{CustomSpec{3, 3, {0, -1, 0, -1, 5, -1, 0, -1, 0}, true}}));

    // And off again through the checkbox's reset.
    panel.resetButton(QStringLiteral("normalize"))->click();
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), QStringLiteral("normalize"));
    QCOMPARE(panel.filter(), FilterSpec{CustomSpec{}});
    QVERIFY(!normalize->isChecked());
}

void TestParameterPanel::invalidSpecShowsMessage()
{
    // The window should never pass one, but if it does: shown, no crash, and
    // nothing applied until the spec is valid again.
    const FilterSpec bad = GaborSpec{4, 4.0, 0, 10, 0.5, 0};
    std::string expected;
    try {
        validate(bad);
    } catch (const ParameterError &e) {
        expected = e.what();
    }
    QVERIFY(!expected.empty());
    ParameterPanel panel;
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    panel.setSettings(bad, {}, {});
    const auto *error = panel.findChild<QLabel *>(QStringLiteral("error"));
    QVERIFY(error->isVisibleTo(&panel));
    QCOMPARE(error->text(), qs(expected));
    QCOMPARE(panel.filter(), bad);

    // Another parameter cannot make the spec valid: refused, shown back.
    panel.slider(QStringLiteral("theta"))->setValue(10);
    QCOMPARE(spy.count(), 0);
    QCOMPARE(panel.filter(), bad);
    QCOMPARE(shownValue(panel.spinBox(QStringLiteral("theta"))), 0.0);
    QVERIFY(error->isVisibleTo(&panel));
    QCOMPARE(error->text(), qs(expected));

    // Fixing the kernel size does, and clears the message.
    panel.slider(QStringLiteral("ksize"))->setValue(2); // 1, 3, 5
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("ksize"));
    QCOMPARE(panel.filter(), (FilterSpec{GaborSpec{5, 4.0, 0, 10, 0.5, 0}}));
    QVERIFY(!error->isVisibleTo(&panel));
}

namespace {

// The message core gives for a Gabor that cannot take a bank.
QString bankError(const GaborSpec &spec, const BankSpec &bank)
{
    try {
        validateBank(spec, bank);
    } catch (const ParameterError &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

void TestParameterPanel::bankGroupOnlyForGabor()
{
    ParameterPanel panel;
    QGroupBox *group = panel.bankGroup();
    QVERIFY(group);
    QCOMPARE(group->title(), QStringLiteral("Filter bank"));
    QVERIFY(group->isCheckable());
    QVERIFY(!group->isVisibleTo(&panel)); // None
    selectKind(panel, FilterKind::Gabor);
    QVERIFY(group->isVisibleTo(&panel));
    QVERIFY(!group->isChecked());
    QVERIFY(!panel.bank());
    // Unchecked, the group is its title alone.
    for (const ParamDescriptor &d : bankParameterDescriptors())
        QVERIFY(!panel.control(qs(d.key)));
    QVERIFY(!panel.bankCombineSelector());
    selectKind(panel, FilterKind::Box);
    QVERIFY(!group->isVisibleTo(&panel));
}

void TestParameterPanel::bankToggleEditsAndRemembers()
{
    ParameterPanel panel;
    selectKind(panel, FilterKind::Gabor);
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    panel.bankGroup()->setChecked(true);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("bank"));
    QCOMPARE(spy.at(0).at(1).toBool(), false);
    QCOMPARE(panel.bank(), std::optional<BankSpec>(BankSpec{}));

    // One control per descriptor, at its default; the combine selector.
    for (const ParamDescriptor &d : bankParameterDescriptors()) {
        const ParameterControl *control = panel.control(qs(d.key));
        QVERIFY2(control, d.key.c_str());
        QCOMPARE(control->value(), d.defaultValue);
        QCOMPARE(control->label()->text(), qs(d.label));
        QCOMPARE(control->slider()->toolTip(), qs(d.help));
    }
    QComboBox *combine = panel.bankCombineSelector();
    QVERIFY(combine);
    QCOMPARE(combine->count(), 2);
    QCOMPARE(combine->itemText(0), QStringLiteral("Max"));
    QCOMPARE(combine->itemText(1), QStringLiteral("Energy"));
    QVERIFY(!combine->itemData(0, Qt::ToolTipRole).toString().isEmpty());
    QVERIFY(combine->itemData(1, Qt::ToolTipRole).toString().contains(QStringLiteral("phase")));
    QCOMPARE(combine->currentData().toInt(), static_cast<int>(BankCombine::Max));

    // Orientations 2, 3, ...: position 10 is 12.
    panel.slider(QStringLiteral("orientations"))->setValue(10);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), QStringLiteral("orientations"));
    QCOMPARE(spy.at(1).at(1).toBool(), false);
    auto *ratio = qobject_cast<QDoubleSpinBox *>(panel.spinBox(QStringLiteral("ratio")));
    QVERIFY(ratio);
    ratio->selectAll();
    QTest::keyClicks(ratio, QStringLiteral("1.5"));
    QTest::keyClick(ratio, Qt::Key_Return);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), QStringLiteral("ratio"));
    panel.slider(QStringLiteral("scales"))->setValue(2); // 1, 2, 3
    QCOMPARE(spy.count(), 4);
    QCOMPARE(spy.at(3).at(0).toString(), QStringLiteral("scales"));
    combine->setCurrentIndex(1);
    QCOMPARE(spy.count(), 5);
    QCOMPARE(spy.at(4).at(0).toString(), QStringLiteral("bank"));
    const BankSpec edited{12, 3, 1.5, BankCombine::Energy};
    QCOMPARE(panel.bank(), std::optional<BankSpec>(edited));
    QCOMPARE(panel.filter(), FilterSpec{GaborSpec{}});

    // Off: single kernel, no bank controls left.
    panel.bankGroup()->setChecked(false);
    QCOMPARE(spy.count(), 6);
    QCOMPARE(spy.at(5).at(0).toString(), QStringLiteral("bank"));
    QVERIFY(!panel.bank());
    QVERIFY(!panel.control(QStringLiteral("orientations")));
    QVERIFY(!panel.bankCombineSelector());
    QCOMPARE(namesOf<QSlider>(panel), keysOf(FilterKind::Gabor, false));

    // On again: the values it had.
    panel.bankGroup()->setChecked(true);
    QCOMPARE(spy.count(), 7);
    QCOMPARE(panel.bank(), std::optional<BankSpec>(edited));
    QCOMPARE(panel.control(QStringLiteral("orientations"))->value(), 12.0);
    QCOMPARE(panel.control(QStringLiteral("scales"))->value(), 3.0);
    QCOMPARE(panel.control(QStringLiteral("ratio"))->value(), 1.5);
    QCOMPARE(panel.bankCombineSelector()->currentData().toInt(),
             static_cast<int>(BankCombine::Energy));

    // Each control's reset.
    panel.resetButton(QStringLiteral("orientations"))->click();
    QCOMPARE(spy.count(), 8);
    QCOMPARE(spy.at(7).at(0).toString(), QStringLiteral("orientations"));
    QCOMPARE(panel.bank()->orientations, BankSpec{}.orientations);
}

void TestParameterPanel::bankFromSetSettings()
{
    ParameterPanel panel;
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    const BankSpec bank{6, 2, 1.25, BankCombine::Energy};
    for (int round = 0; round < 2; ++round) { // building the controls, then not
        panel.setSettings(GaborSpec{}, {}, {}, bank);
        QCOMPARE(panel.bank(), std::optional<BankSpec>(bank));
        QVERIFY(panel.bankGroup()->isChecked());
        QCOMPARE(panel.control(QStringLiteral("orientations"))->value(), 6.0);
        QCOMPARE(panel.control(QStringLiteral("scales"))->value(), 2.0);
        QCOMPARE(panel.control(QStringLiteral("ratio"))->value(), 1.25);
        QCOMPARE(panel.bankCombineSelector()->currentData().toInt(),
                 static_cast<int>(BankCombine::Energy));
    }

    // Without a bank (the three-argument form too): single kernel, and the
    // values are remembered for the check box.
    panel.setSettings(GaborSpec{}, {}, {});
    QVERIFY(!panel.bank());
    QVERIFY(!panel.bankGroup()->isChecked());
    QVERIFY(!panel.control(QStringLiteral("orientations")));
    QCOMPARE(spy.count(), 0);
    panel.bankGroup()->setChecked(true);
    QCOMPARE(panel.bank(), std::optional<BankSpec>(bank));
    QCOMPARE(spy.count(), 1);

    // A bank the Gabor cannot take is shown, with the reason.
    const GaborSpec wide{31, 40, 0, 10, 0.5, 0};
    const BankSpec tooLarge{8, 3, 2, BankCombine::Max};
    panel.setSettings(wide, {}, {}, tooLarge);
    const auto *error = panel.findChild<QLabel *>(QStringLiteral("error"));
    QVERIFY(error->isVisibleTo(&panel));
    QCOMPARE(error->text(), bankError(wide, tooLarge));
    QCOMPARE(panel.bank(), std::optional<BankSpec>(tooLarge));
    QCOMPARE(spy.count(), 1);
}

void TestParameterPanel::bankDragIsMarkedAndClosed()
{
    ParameterPanel panel;
    panel.setSettings(GaborSpec{}, {}, {}, BankSpec{});
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    QSlider *slider = panel.slider(QStringLiteral("orientations"));
    slider->setSliderDown(true);
    slider->setValue(0);
    slider->setValue(1);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(0).at(1).toBool(), true);
    QCOMPARE(spy.at(1).at(1).toBool(), true);
    slider->setSliderDown(false);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), QStringLiteral("orientations"));
    QCOMPARE(spy.at(2).at(1).toBool(), false);
    QCOMPARE(panel.bank()->orientations, 3);
}

void TestParameterPanel::bankRefusesScalesOutOfRange()
{
    // Sigma 40 doubled twice is 160, beyond sigma's 100.
    const GaborSpec wide{31, 40, 0, 10, 0.5, 0};
    ParameterPanel panel;
    panel.setSettings(wide, {}, {}, BankSpec{8, 1, 2, BankCombine::Max});
    const auto *error = panel.findChild<QLabel *>(QStringLiteral("error"));
    QVERIFY(!error->isVisibleTo(&panel));
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);

    panel.slider(QStringLiteral("scales"))->setValue(2); // 3 scales
    QCOMPARE(spy.count(), 0);
    QCOMPARE(panel.bank()->scales, 1);
    QCOMPARE(panel.control(QStringLiteral("scales"))->value(), 1.0);
    QVERIFY(error->isVisibleTo(&panel));
    QCOMPARE(error->text(), bankError(wide, BankSpec{8, 3, 2, BankCombine::Max}));

    // Two scales fit, and clear the message.
    panel.slider(QStringLiteral("scales"))->setValue(1);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(panel.bank()->scales, 2);
    QVERIFY(!error->isVisibleTo(&panel));

    // Now sigma 60 would make 120 at the second scale: refused too.
    auto *sigma = qobject_cast<QDoubleSpinBox *>(panel.spinBox(QStringLiteral("sigma")));
    sigma->selectAll();
    QTest::keyClicks(sigma, QStringLiteral("60"));
    QTest::keyClick(sigma, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(panel.filter(), FilterSpec{wide});
    QCOMPARE(sigma->value(), 40.0);
    QVERIFY(error->isVisibleTo(&panel));
    GaborSpec larger = wide;
    larger.sigma = 60;
    QCOMPARE(error->text(), bankError(larger, BankSpec{8, 2, 2, BankCombine::Max}));

    // Without the bank it is fine.
    panel.bankGroup()->setChecked(false);
    QCOMPARE(spy.count(), 2);
    sigma->selectAll();
    QTest::keyClicks(sigma, QStringLiteral("60"));
    QTest::keyClick(sigma, Qt::Key_Return);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(panel.filter(), FilterSpec{larger});

    // And turning it back on is refused, with the reason.
    panel.bankGroup()->setChecked(true);
    QCOMPARE(spy.count(), 3);
    QVERIFY(!panel.bankGroup()->isChecked());
    QVERIFY(!panel.bank());
    QVERIFY(error->isVisibleTo(&panel));
}

void TestParameterPanel::bankKeptAcrossFilters()
{
    ParameterPanel panel;
    const BankSpec bank{4, 2, 1.5, BankCombine::Max};
    panel.setSettings(GaborSpec{}, {}, {}, bank);
    selectKind(panel, FilterKind::Box);
    QCOMPARE(panel.bank(), std::optional<BankSpec>(bank)); // ignored by the document
    QVERIFY(!panel.bankGroup()->isVisibleTo(&panel));
    QVERIFY(!panel.control(QStringLiteral("orientations")));
    selectKind(panel, FilterKind::Gabor);
    QVERIFY(panel.bankGroup()->isVisibleTo(&panel));
    QVERIFY(panel.bankGroup()->isChecked());
    QCOMPARE(panel.bank(), std::optional<BankSpec>(bank));

    // A remembered Gabor that cannot take the bank: chosen without it.
    const BankSpec tooLarge{8, 4, 4, BankCombine::Max}; // sigma 4 * 64
    panel.setSettings(BoxSpec{}, {}, {}, tooLarge);
    QSignalSpy spy(&panel, &ParameterPanel::settingsChanged);
    selectKind(panel, FilterKind::Gabor);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("filter"));
    QCOMPARE(panel.filter(), FilterSpec{GaborSpec{}});
    QVERIFY(!panel.bank());
    QVERIFY(!panel.bankGroup()->isChecked());
    const auto *error = panel.findChild<QLabel *>(QStringLiteral("error"));
    QVERIFY(error->isVisibleTo(&panel));
    QCOMPARE(error->text(), bankError(GaborSpec{}, tooLarge));
}

QTEST_MAIN(TestParameterPanel)
#include "tst_parameter_panel.moc"
