#include "parameter_control.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>

namespace ks {

namespace {

// ------------------------------------------------------------ slider mapping

/// Positions of a logarithmic slider per factor of 10: one position is a
/// factor of 10^(1/100), about 2.3 %, so a key press moves sigma 4 to 4.1.
constexpr int kLogPositionsPerDecade = 100;

bool isLogarithmic(const ParamDescriptor &d)
{
    return d.type == ParamType::Real && d.min > 0 && d.max / d.min >= 100;
}

/// Decimals that show every multiple of step: 0.1 -> 1, 0.5 -> 1, 0.01 -> 2, 1 -> 0.
int decimalsOf(double step)
{
    for (int decimals = 0; decimals < 6; ++decimals) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-9 * scaled)
            return decimals;
    }
    return 6;
}

/// v rounded to decimals exactly as QDoubleSpinBox rounds what it holds, so
/// a slider value and the spin box showing it are the same double.
double roundToDecimals(double v, int decimals)
{
    return QString::number(v, 'f', decimals).toDouble();
}

int lowestOdd(const ParamDescriptor &d)
{
    const int low = static_cast<int>(std::ceil(std::max(1.0, d.min)));
    return low % 2 != 0 ? low : low + 1;
}

int highestOdd(const ParamDescriptor &d)
{
    const int high = static_cast<int>(std::floor(d.max));
    return high % 2 != 0 ? high : high - 1;
}

/// Slider position -> value, d.min first and d.max last (see the class
/// comment): strictly increasing, except that neighbouring positions of a
/// logarithmic slider may show the same value where the step is coarser than
/// the curve (sigma 0.1 to 1). Empty for Boolean.
std::vector<double> sliderValues(const ParamDescriptor &d)
{
    std::vector<double> values;
    switch (d.type) {
    case ParamType::Boolean:
        break;
    case ParamType::Integer:
        for (int v = static_cast<int>(std::ceil(d.min)); v <= d.max; ++v)
            values.push_back(v);
        break;
    case ParamType::OddInteger:
        if (d.zeroIsAuto)
            values.push_back(0);
        for (int v = lowestOdd(d); v <= highestOdd(d); v += 2)
            values.push_back(v);
        break;
    case ParamType::Real: {
        const int decimals = decimalsOf(d.step);
        const double top = roundToDecimals(d.max, decimals);
        const auto onGrid = [&](double v) { // monotonic, so the table stays sorted
            const double snapped = d.min + std::round((v - d.min) / d.step) * d.step;
            return std::clamp(roundToDecimals(snapped, decimals), d.min, top);
        };
        if (isLogarithmic(d)) {
            const double ratio = d.max / d.min;
            const int last =
                static_cast<int>(std::lround(kLogPositionsPerDecade * std::log10(ratio)));
            for (int i = 0; i < last; ++i)
                values.push_back(onGrid(d.min * std::pow(ratio, static_cast<double>(i) / last)));
        } else {
            const long long last = std::llround((d.max - d.min) / d.step);
            for (long long i = 0; i < last; ++i)
                values.push_back(onGrid(d.min + static_cast<double>(i) * d.step));
        }
        values.push_back(top); // exactly, whatever pow and the rounding made of it
        break;
    }
    }
    return values;
}

/// The position whose value is nearest to v (by ratio on a logarithmic
/// slider). Of neighbouring positions showing that same value, the middle
/// one, which is where the curve passes v.
int positionOf(const std::vector<double> &values, double v, bool logarithmic)
{
    auto nearest = std::lower_bound(values.begin(), values.end(), v);
    if (nearest == values.end()) {
        --nearest;
    } else if (nearest != values.begin() && *nearest != v) {
        const auto previous = std::prev(nearest);
        const bool nearerPrevious = logarithmic && v > 0
                                        ? std::log(v / *previous) <= std::log(*nearest / v)
                                        : v - *previous <= *nearest - v;
        if (nearerPrevious)
            nearest = previous;
    }
    const auto first = std::lower_bound(values.begin(), values.end(), *nearest);
    const auto last = std::upper_bound(first, values.end(), *nearest) - 1;
    return static_cast<int>(std::distance(values.begin(), first) + std::distance(first, last) / 2);
}

// ---------------------------------------------------------------- spin boxes

/// A spin box for an OddInteger: typing an even number is shown as
/// incomplete, and Enter (or leaving the box) turns it into the next odd
/// number up (the one below at the maximum), visibly in the box. Stepping
/// from "auto" (0) goes to 1.
class OddSpinBox : public QSpinBox {
public:
    OddSpinBox(bool zeroIsAuto, QWidget *parent) : QSpinBox(parent), zeroIsAuto_(zeroIsAuto) {}

    QValidator::State validate(QString &text, int &pos) const override
    {
        if (!specialValueText().isEmpty() && text == specialValueText())
            return QValidator::Acceptable;
        const QValidator::State state = QSpinBox::validate(text, pos);
        if (state == QValidator::Acceptable && !isAllowed(valueFromText(text)))
            return QValidator::Intermediate;
        return state;
    }

    void fixup(QString &text) const override
    {
        QSpinBox::fixup(text);
        QString copy = text;
        int pos = 0;
        if (QSpinBox::validate(copy, pos) != QValidator::Acceptable)
            return;
        const int v = valueFromText(copy);
        if (isAllowed(v))
            return;
        text = prefix() + textFromValue(v + 1 <= maximum() ? v + 1 : v - 1) + suffix();
    }

    void stepBy(int steps) override
    {
        if (zeroIsAuto_ && value() == 0 && steps > 0) {
            setValue(minimum() + 1);
            if (--steps == 0)
                return;
        }
        QSpinBox::stepBy(steps); // odd +- 2k stays odd; the bounds are odd (or 0)
    }

private:
    bool isAllowed(int v) const
    {
        return (zeroIsAuto_ && v == 0) || (v % 2 != 0 && v >= minimum() && v <= maximum());
    }

    bool zeroIsAuto_;
};

QString unitSuffix(const std::string &unit)
{
    if (unit.empty())
        return {};
    if (unit == "deg")
        return QStringLiteral("°");
    return QStringLiteral(" ") + QString::fromStdString(unit);
}

/// A value as its spin box shows it: "4 px", "90°", "auto".
QString valueText(const ParamDescriptor &d, double value)
{
    if (d.type == ParamType::Boolean)
        return value != 0 ? QObject::tr("on") : QObject::tr("off");
    if (d.zeroIsAuto && value == 0)
        return QObject::tr("auto");
    return QString::number(value, 'g', 10) + unitSuffix(d.unit);
}

QAbstractSpinBox *makeSpinBox(const ParamDescriptor &d, QWidget *parent)
{
    QAbstractSpinBox *box = nullptr;
    switch (d.type) {
    case ParamType::Boolean:
        return nullptr;
    case ParamType::Real: {
        auto *real = new QDoubleSpinBox(parent);
        real->setDecimals(decimalsOf(d.step)); // before the range, which it rounds
        real->setRange(d.min, d.max);
        real->setSingleStep(d.step);
        if (isLogarithmic(d)) // steps of about 1 % of the value, like the slider
            real->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
        real->setSuffix(unitSuffix(d.unit));
        box = real;
        break;
    }
    case ParamType::Integer: {
        auto *integer = new QSpinBox(parent);
        integer->setRange(static_cast<int>(d.min), static_cast<int>(d.max));
        integer->setSuffix(unitSuffix(d.unit));
        box = integer;
        break;
    }
    case ParamType::OddInteger: {
        auto *odd = new OddSpinBox(d.zeroIsAuto, parent);
        odd->setRange(d.zeroIsAuto ? 0 : lowestOdd(d), highestOdd(d));
        odd->setSingleStep(2);
        if (d.zeroIsAuto)
            odd->setSpecialValueText(QObject::tr("auto"));
        odd->setSuffix(unitSuffix(d.unit));
        box = odd;
        break;
    }
    }
    box->setObjectName(QString::fromStdString(d.key));
    box->setToolTip(QString::fromStdString(d.help));
    box->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    box->setCorrectionMode(QAbstractSpinBox::CorrectToNearestValue);
    box->setAccelerated(true);
    // Typing "15" applies 15 on Enter, not 1 and then 15.
    box->setKeyboardTracking(false);
    return box;
}

double spinValue(const QAbstractSpinBox *box)
{
    if (const auto *real = qobject_cast<const QDoubleSpinBox *>(box))
        return real->value();
    return qobject_cast<const QSpinBox *>(box)->value();
}

} // namespace

// ------------------------------------------------------------------- helpers

QGridLayout *makeParameterGrid(QWidget *owner)
{
    auto *grid = new QGridLayout(owner);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);
    return grid;
}

QToolButton *makeResetButton(QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setIcon(parent->style()->standardIcon(QStyle::SP_BrowserReload));
    button->setAutoRaise(true);
    button->setFocusPolicy(Qt::TabFocus);
    return button;
}

void setSpinBoxValue(QAbstractSpinBox *box, double value, int stepDecimals)
{
    const QSignalBlocker blocker(box);
    if (auto *real = qobject_cast<QDoubleSpinBox *>(box)) {
        int decimals = stepDecimals;
        while (decimals < 6 && roundToDecimals(value, decimals) != value)
            ++decimals;
        if (decimals != real->decimals())
            real->setDecimals(decimals);
        real->setValue(value);
    } else
        qobject_cast<QSpinBox *>(box)->setValue(static_cast<int>(std::lround(value)));
}

// ------------------------------------------------------------------ building

ParameterControl::ParameterControl(const ParamDescriptor &descriptor, QWidget *parent)
    : QWidget(parent), descriptor_(descriptor)
{
    const ParamDescriptor &d = descriptor_;
    const QString help = QString::fromStdString(d.help);
    const QString name = key();
    setObjectName(name);

    grid_ = makeParameterGrid(this);
    grid_->setContentsMargins(0, 0, 0, 0);

    reset_ = makeResetButton(this);
    reset_->setObjectName(name);
    reset_->setToolTip(
        tr("Reset %1 to %2").arg(QString::fromStdString(d.label), valueText(d, d.defaultValue)));
    connect(reset_, &QToolButton::clicked, this, &ParameterControl::reset);

    if (d.type == ParamType::Boolean) {
        check_ = new QCheckBox(QString::fromStdString(d.label), this);
        check_->setObjectName(name);
        check_->setToolTip(help);
        grid_->addWidget(check_, 0, 0, 1, 3);
        grid_->addWidget(reset_, 0, 3);
        connect(check_, &QCheckBox::toggled, this, [this](bool on) { edited(on ? 1 : 0, false); });
    } else {
        positions_ = sliderValues(d);
        logarithmic_ = isLogarithmic(d);
        stepDecimals_ = decimalsOf(d.step);
        label_ = new QLabel(labelText(d), this);
        label_->setObjectName(name);
        label_->setToolTip(help);
        spin_ = makeSpinBox(d, this);
        label_->setBuddy(spin_);
        slider_ = new QSlider(Qt::Horizontal, this);
        slider_->setObjectName(name);
        slider_->setToolTip(help);
        slider_->setRange(0, static_cast<int>(positions_.size()) - 1);
        slider_->setPageStep(std::max(1, static_cast<int>(positions_.size()) / 10));

        grid_->addWidget(label_, 0, 0, 1, 2);
        grid_->addWidget(spin_, 0, 2);
        grid_->addWidget(reset_, 0, 3);
        grid_->addWidget(slider_, 1, 0, 1, 3);
        grid_->setRowMinimumHeight(2, 2); // a little air before the next parameter

        connect(slider_, &QSlider::valueChanged, this, &ParameterControl::sliderMoved);
        connect(slider_, &QSlider::sliderReleased, this, &ParameterControl::sliderReleased);
        if (auto *real = qobject_cast<QDoubleSpinBox *>(spin_))
            connect(real, &QDoubleSpinBox::valueChanged, this, &ParameterControl::spinBoxEdited);
        else
            connect(qobject_cast<QSpinBox *>(spin_), &QSpinBox::valueChanged, this,
                    &ParameterControl::spinBoxEdited);
    }
    setValue(d.defaultValue);
}

ParameterControl::~ParameterControl() = default;

void ParameterControl::setColumnWidths(int labelWidth, int spinBoxWidth)
{
    grid_->setColumnMinimumWidth(0, labelWidth);
    if (spin_)
        spin_->setFixedWidth(spinBoxWidth);
}

QString ParameterControl::labelText(const ParamDescriptor &descriptor)
{
    const QString label = QString::fromStdString(descriptor.label);
    if (descriptor.unit.empty())
        return label;
    return QStringLiteral("%1 (%2)").arg(label, unitSuffix(descriptor.unit).trimmed());
}

int ParameterControl::spinBoxWidthHint(const ParamDescriptor &descriptor)
{
    const std::unique_ptr<QAbstractSpinBox> probe(makeSpinBox(descriptor, nullptr));
    return probe ? probe->sizeHint().width() : 0;
}

QAbstractButton *ParameterControl::resetButton() const
{
    return reset_;
}

// ------------------------------------------------------------------- showing

double ParameterControl::value() const
{
    if (check_)
        return check_->isChecked() ? 1 : 0;
    return spinValue(spin_);
}

void ParameterControl::setValue(double value)
{
    if (check_) {
        const QSignalBlocker blocker(check_);
        check_->setChecked(value != 0);
    } else {
        setSpinBoxValue(spin_, value, stepDecimals_);
        // A slider already on a position showing this value stays there: a
        // value echoed back during a drag must not move the handle.
        const double shown = spinValue(spin_);
        if (positions_[static_cast<std::size_t>(slider_->value())] != shown) {
            const QSignalBlocker blocker(slider_);
            slider_->setValue(positionOf(positions_, shown, logarithmic_));
        }
    }
    lastValue_ = this->value();
    updateResetButton();
}

void ParameterControl::updateResetButton()
{
    reset_->setEnabled(value() != descriptor_.defaultValue);
}

// ------------------------------------------------------------------- editing

void ParameterControl::sliderMoved(int position)
{
    setSpinBoxValue(spin_, positions_[static_cast<std::size_t>(position)], stepDecimals_);
    // The spin box's value, so what is emitted is exactly what it shows.
    edited(spinValue(spin_), slider_->isSliderDown());
}

void ParameterControl::spinBoxEdited()
{
    const double value = spinValue(spin_);
    {
        const QSignalBlocker blocker(slider_);
        slider_->setValue(positionOf(positions_, value, logarithmic_));
    }
    edited(value, false);
}

void ParameterControl::sliderReleased()
{
    if (!emittedInDrag_)
        return;
    emittedInDrag_ = false;
    emit valueEdited(value(), false);
}

void ParameterControl::reset()
{
    const double before = lastValue_;
    setValue(descriptor_.defaultValue);
    if (lastValue_ != before)
        emit valueEdited(lastValue_, false);
}

void ParameterControl::edited(double value, bool dragging)
{
    updateResetButton();
    if (value == lastValue_)
        return;
    lastValue_ = value;
    if (dragging)
        emittedInDrag_ = true;
    emit valueEdited(value, dragging);
}

} // namespace ks
