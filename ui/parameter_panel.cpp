#include "parameter_panel.h"

#include "kernel_editor.h"

#include "core/border.h"
#include "core/errors.h"
#include "core/parameters.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontMetrics>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <span>

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

QString labelText(const ParamDescriptor &d)
{
    const QString label = QString::fromStdString(d.label);
    if (d.unit.empty())
        return label;
    return QStringLiteral("%1 (%2)").arg(label, unitSuffix(d.unit).trimmed());
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

/// Shows value in box. A QDoubleSpinBox shows at least stepDecimals, and
/// more (up to 6) when the value has them, so a preset's theta 22.5 shows
/// as 22.5° and not as a rounded 22° that was never applied.
void setSpinValue(QAbstractSpinBox *box, double value, int stepDecimals)
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

QToolButton *makeResetButton(QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setIcon(parent->style()->standardIcon(QStyle::SP_BrowserReload));
    button->setAutoRaise(true);
    button->setFocusPolicy(Qt::TabFocus);
    return button;
}

QString borderLabel(BorderMode mode)
{
    switch (mode) {
    case BorderMode::Reflect101:
        return QObject::tr("Reflect 101");
    case BorderMode::Reflect:
        return QObject::tr("Reflect");
    case BorderMode::Replicate:
        return QObject::tr("Replicate");
    case BorderMode::Constant:
        return QObject::tr("Constant 0");
    case BorderMode::Wrap:
        return QObject::tr("Wrap");
    }
    return {};
}

/// The row "abcdefgh" extended by three pixels, as in border.h.
QString borderExample(BorderMode mode)
{
    switch (mode) {
    case BorderMode::Reflect101:
        return QStringLiteral("gfedcb|abcdefgh|gfedcba (OpenCV's default)");
    case BorderMode::Reflect:
        return QStringLiteral("cba|abcdefgh|hgf");
    case BorderMode::Replicate:
        return QStringLiteral("aaa|abcdefgh|hhh");
    case BorderMode::Constant:
        return QStringLiteral("000|abcdefgh|000");
    case BorderMode::Wrap:
        return QStringLiteral("fgh|abcdefgh|abc");
    }
    return {};
}

QString displayLabel(DisplayMode mode)
{
    switch (mode) {
    case DisplayMode::Clamp:
        return QObject::tr("Clamp");
    case DisplayMode::Abs:
        return QObject::tr("Absolute value");
    case DisplayMode::Offset:
        return QObject::tr("Offset (0 = grey)");
    case DisplayMode::Normalize:
        return QObject::tr("Normalize min–max");
    case DisplayMode::Raw:
        return QObject::tr("Raw float");
    }
    return {};
}

QString displayHelp(DisplayMode mode)
{
    switch (mode) {
    case DisplayMode::Clamp:
        return QObject::tr("The response in the source's range, clipped: for smoothing filters.");
    case DisplayMode::Abs:
        return QObject::tr("|response| × gain, clipped: edges of either sign show bright.");
    case DisplayMode::Offset:
        return QObject::tr("Mid-grey + response × gain, clipped: zero shows as mid-grey.");
    case DisplayMode::Normalize:
        return QObject::tr("The smallest value maps to black and the largest to white.");
    case DisplayMode::Raw:
        return QObject::tr("The 32-bit float response itself, for TIFF export; shown clipped.");
    }
    return {};
}

/// Decimals of the gain box; a finer gain from setSettings shows more.
constexpr int kGainDecimals = 2;

bool usesGain(DisplayMode mode)
{
    return mode == DisplayMode::Abs || mode == DisplayMode::Offset;
}

void selectData(QComboBox *box, int data)
{
    const QSignalBlocker blocker(box);
    box->setCurrentIndex(box->findData(data));
}

int dataOf(const QComboBox *box)
{
    return box->currentData().toInt();
}

/// The grid every group uses, so their columns line up: label, stretch,
/// spin box, reset button.
QGridLayout *makeGrid(QWidget *owner)
{
    auto *grid = new QGridLayout(owner);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);
    return grid;
}

} // namespace

struct ParameterPanel::Control {
    const ParamDescriptor *descriptor = nullptr;
    std::vector<double> positions; ///< slider position -> value
    bool logarithmic = false;
    QLabel *label = nullptr;
    QSlider *slider = nullptr;
    QAbstractSpinBox *spin = nullptr;
    QCheckBox *check = nullptr;
    QToolButton *reset = nullptr;
    bool changedInDrag = false;

    QString key() const { return QString::fromStdString(descriptor->key); }
    double shownValue() const { return check ? (check->isChecked() ? 1 : 0) : spinValue(spin); }
};

ParameterPanel::ParameterPanel(QWidget *parent) : QWidget(parent)
{
    for (FilterKind kind : kAllFilterKinds)
        remembered_.push_back(defaultSpec(kind));
    display_.mode = defaultDisplayMode(filter_); // filter_ starts as None

    // Shared sizes, measured over every filter so nothing shifts when the
    // type changes.
    const QFontMetrics metrics(font());
    QStringList labels{tr("Type"), tr("Colour"), tr("Border"), tr("Mapping"), tr("Gain")};
    for (FilterKind kind : kAllFilterKinds) {
        for (const ParamDescriptor &d : parameterDescriptors(kind)) {
            if (d.type == ParamType::Boolean)
                continue;
            labels << labelText(d);
            const std::unique_ptr<QAbstractSpinBox> probe(makeSpinBox(d, nullptr));
            spinWidth_ = std::max(spinWidth_, probe->sizeHint().width());
        }
    }
    for (const QString &label : labels)
        labelWidth_ = std::max(labelWidth_, metrics.horizontalAdvance(label));

    // ---- Filter
    auto *filterGroup = new QGroupBox(tr("Filter"), this);
    auto *filterLayout = new QVBoxLayout(filterGroup);
    filterLayout->setSpacing(6);
    auto *typeGrid = new QGridLayout;
    typeGrid->setHorizontalSpacing(6);
    typeGrid->setColumnMinimumWidth(0, labelWidth_);
    filterBox_ = new QComboBox(filterGroup);
    filterBox_->setObjectName(QStringLiteral("filter"));
    for (FilterKind kind : kAllFilterKinds)
        filterBox_->addItem(QString::fromUtf8(filterLabel(kind).data(),
                                              static_cast<qsizetype>(filterLabel(kind).size())),
                            static_cast<int>(kind));
    filterBox_->setToolTip(tr("The filter applied to the image."));
    auto *typeLabel = new QLabel(tr("Type"), filterGroup);
    typeLabel->setBuddy(filterBox_);
    typeGrid->addWidget(typeLabel, 0, 0);
    typeGrid->addWidget(filterBox_, 0, 1);
    typeGrid->setColumnStretch(1, 1);
    filterLayout->addLayout(typeGrid);

    controlsHost_ = new QWidget(filterGroup);
    auto *hostLayout = new QVBoxLayout(controlsHost_);
    hostLayout->setContentsMargins(0, 0, 0, 0);
    filterLayout->addWidget(controlsHost_);

    kernelEditor_ = new KernelEditor(filterGroup);
    filterLayout->addWidget(kernelEditor_);

    error_ = new QLabel(filterGroup);
    error_->setObjectName(QStringLiteral("error"));
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #c62828;"));
    error_->setVisible(false);
    filterLayout->addWidget(error_);

    resetAll_ = new QPushButton(tr("Reset all"), filterGroup);
    resetAll_->setObjectName(QStringLiteral("resetAll"));
    resetAll_->setToolTip(tr("Set every parameter of this filter to its default."));
    auto *resetRow = new QHBoxLayout;
    resetRow->addStretch(1);
    resetRow->addWidget(resetAll_);
    filterLayout->addLayout(resetRow);

    // ---- Image
    auto *imageGroup = new QGroupBox(tr("Image"), this);
    auto *imageGrid = makeGrid(imageGroup);
    imageGrid->setColumnMinimumWidth(0, labelWidth_);
    colorBox_ = new QComboBox(imageGroup);
    colorBox_->setObjectName(QStringLiteral("color"));
    colorBox_->addItem(tr("Per channel"), static_cast<int>(ColorMode::PerChannel));
    colorBox_->setItemData(0, tr("Filter each colour channel on its own."), Qt::ToolTipRole);
    colorBox_->addItem(tr("Grey"), static_cast<int>(ColorMode::Gray));
    colorBox_->setItemData(1, tr("Convert to grey first (0.299 R + 0.587 G + 0.114 B)."),
                           Qt::ToolTipRole);
    colorBox_->setToolTip(tr("Filter the colour channels separately, or a grey conversion."));
    borderBox_ = new QComboBox(imageGroup);
    borderBox_->setObjectName(QStringLiteral("border"));
    for (BorderMode mode : kAllBorderModes) {
        borderBox_->addItem(borderLabel(mode), static_cast<int>(mode));
        borderBox_->setItemData(borderBox_->count() - 1, borderExample(mode), Qt::ToolTipRole);
    }
    borderBox_->setToolTip(tr("How the image is extended beyond its edges."));
    auto *colorLabel = new QLabel(tr("Colour"), imageGroup);
    colorLabel->setBuddy(colorBox_);
    auto *borderLabelWidget = new QLabel(tr("Border"), imageGroup);
    borderLabelWidget->setBuddy(borderBox_);
    imageGrid->addWidget(colorLabel, 0, 0);
    imageGrid->addWidget(colorBox_, 0, 1, 1, 3);
    imageGrid->addWidget(borderLabelWidget, 1, 0);
    imageGrid->addWidget(borderBox_, 1, 1, 1, 3);

    // ---- Display
    auto *displayGroup = new QGroupBox(tr("Display"), this);
    auto *displayGrid = makeGrid(displayGroup);
    displayGrid->setColumnMinimumWidth(0, labelWidth_);
    displayBox_ = new QComboBox(displayGroup);
    displayBox_->setObjectName(QStringLiteral("display"));
    for (DisplayMode mode : kAllDisplayModes) {
        displayBox_->addItem(displayLabel(mode), static_cast<int>(mode));
        displayBox_->setItemData(displayBox_->count() - 1, displayHelp(mode), Qt::ToolTipRole);
    }
    displayBox_->setToolTip(tr("How the filter's response is turned into an image."));
    gainBox_ = new QDoubleSpinBox(displayGroup);
    gainBox_->setObjectName(QStringLiteral("gain"));
    gainBox_->setDecimals(kGainDecimals);
    gainBox_->setRange(0, 1000);
    gainBox_->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    gainBox_->setSpecialValueText(tr("auto"));
    gainBox_->setSuffix(QStringLiteral(" ×"));
    gainBox_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    gainBox_->setKeyboardTracking(false);
    gainBox_->setAccelerated(true);
    gainBox_->setToolTip(tr("Factor applied to the response (in full-scale units) for the "
                            "absolute-value and offset mappings; auto scales the largest "
                            "response to fill the range."));
    spinWidth_ = std::max(spinWidth_, gainBox_->sizeHint().width());
    gainBox_->setFixedWidth(spinWidth_);
    gainReset_ = makeResetButton(displayGroup);
    gainReset_->setObjectName(QStringLiteral("gain"));
    gainReset_->setToolTip(tr("Reset the gain to auto"));
    auto *displayLabelWidget = new QLabel(tr("Mapping"), displayGroup);
    displayLabelWidget->setBuddy(displayBox_);
    auto *gainLabel = new QLabel(tr("Gain"), displayGroup);
    gainLabel->setBuddy(gainBox_);
    gainLabel->setToolTip(gainBox_->toolTip());
    displayGrid->addWidget(displayLabelWidget, 0, 0);
    displayGrid->addWidget(displayBox_, 0, 1, 1, 3);
    displayGrid->addWidget(gainLabel, 1, 0);
    displayGrid->addWidget(gainBox_, 1, 2);
    displayGrid->addWidget(gainReset_, 1, 3);

    // ---- Scrolling column of groups, for a dock of any height
    auto *content = new QWidget;
    auto *column = new QVBoxLayout(content);
    column->setContentsMargins(6, 6, 6, 6);
    column->setSpacing(8);
    column->addWidget(filterGroup);
    column->addWidget(imageGroup);
    column->addWidget(displayGroup);
    column->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // As narrow as the controls allow, with room for the vertical scroll bar.
    scroll->setMinimumWidth(content->minimumSizeHint().width() +
                            scroll->verticalScrollBar()->sizeHint().width());
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    connect(filterBox_, &QComboBox::currentIndexChanged, this, &ParameterPanel::filterChosen);
    connect(resetAll_, &QPushButton::clicked, this, &ParameterPanel::resetAll);
    connect(kernelEditor_, &KernelEditor::kernelChanged, this, &ParameterPanel::kernelEdited);
    connect(colorBox_, &QComboBox::currentIndexChanged, this, [this] {
        options_.color = static_cast<ColorMode>(dataOf(colorBox_));
        emit settingsChanged(QStringLiteral("color"), false);
    });
    connect(borderBox_, &QComboBox::currentIndexChanged, this, [this] {
        options_.border = static_cast<BorderMode>(dataOf(borderBox_));
        emit settingsChanged(QStringLiteral("border"), false);
    });
    connect(displayBox_, &QComboBox::currentIndexChanged, this, [this] {
        display_.mode = static_cast<DisplayMode>(dataOf(displayBox_));
        showDisplay();
        emit settingsChanged(QStringLiteral("display"), false);
    });
    connect(gainBox_, &QDoubleSpinBox::valueChanged, this, [this](double gain) {
        display_.gain = gain;
        showDisplay();
        emit settingsChanged(QStringLiteral("gain"), false);
    });
    connect(gainReset_, &QToolButton::clicked, this, [this] { gainBox_->setValue(0); });

    buildControls();
    showOptions();
    showDisplay();
}

ParameterPanel::~ParameterPanel() = default;

// ------------------------------------------------------------------ building

void ParameterPanel::buildControls()
{
    const FilterKind kind = kindOf(filter_);
    selectData(filterBox_, static_cast<int>(kind));

    parameters_.clear();
    if (controls_) {
        // Detached now, deleted later: this may run inside a signal of one
        // of these controls.
        controls_->setParent(nullptr);
        controls_->deleteLater();
    }
    controls_ = new QWidget(controlsHost_);
    controlsHost_->layout()->addWidget(controls_);
    auto *grid = makeGrid(controls_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnMinimumWidth(0, labelWidth_);

    const std::span<const ParamDescriptor> descriptors = parameterDescriptors(kind);
    parameters_.resize(descriptors.size());
    int row = 0;
    for (std::size_t i = 0; i < descriptors.size(); ++i) {
        parameters_[i].descriptor = &descriptors[i];
        addControl(grid, row, i);
    }
    if (descriptors.empty()) {
        auto *none = new QLabel(tr("No parameters: the output is the source image."), controls_);
        none->setWordWrap(true);
        none->setEnabled(false);
        grid->addWidget(none, 0, 0, 1, 4);
    }
    resetAll_->setVisible(!descriptors.empty());
    kernelEditor_->setVisible(kind == FilterKind::Custom);
    if (const auto *custom = std::get_if<CustomSpec>(&filter_))
        kernelEditor_->setKernel(*custom);
    showFilterValues();
}

void ParameterPanel::addControl(QGridLayout *grid, int &row, std::size_t index)
{
    Control &c = parameters_[index];
    const ParamDescriptor &d = *c.descriptor;
    const QString help = QString::fromStdString(d.help);
    const QString key = c.key();

    c.reset = makeResetButton(controls_);
    c.reset->setObjectName(key);
    c.reset->setToolTip(
        tr("Reset %1 to %2").arg(QString::fromStdString(d.label), valueText(d, d.defaultValue)));
    connect(c.reset, &QToolButton::clicked, this, [this, index] { resetParameter(index); });

    if (d.type == ParamType::Boolean) {
        c.check = new QCheckBox(QString::fromStdString(d.label), controls_);
        c.check->setObjectName(key);
        c.check->setToolTip(help);
        grid->addWidget(c.check, row, 0, 1, 3);
        grid->addWidget(c.reset, row, 3);
        ++row;
        connect(c.check, &QCheckBox::toggled, this,
                [this, index](bool on) { applyParameter(index, on ? 1 : 0, false); });
        return;
    }

    c.positions = sliderValues(d);
    c.logarithmic = isLogarithmic(d);
    c.label = new QLabel(labelText(d), controls_);
    c.label->setObjectName(key);
    c.label->setToolTip(help);
    c.spin = makeSpinBox(d, controls_);
    c.spin->setFixedWidth(spinWidth_);
    c.label->setBuddy(c.spin);
    c.slider = new QSlider(Qt::Horizontal, controls_);
    c.slider->setObjectName(key);
    c.slider->setToolTip(help);
    c.slider->setRange(0, static_cast<int>(c.positions.size()) - 1);
    c.slider->setPageStep(std::max(1, static_cast<int>(c.positions.size()) / 10));

    // Label and spin box on one line, the slider under them at full width:
    // a dock is narrow, and a 500-position slider wants every pixel.
    grid->addWidget(c.label, row, 0, 1, 2);
    grid->addWidget(c.spin, row, 2);
    grid->addWidget(c.reset, row, 3);
    grid->addWidget(c.slider, row + 1, 0, 1, 3);
    grid->setRowMinimumHeight(row + 2, 2); // a little air before the next parameter
    row += 3;

    connect(c.slider, &QSlider::valueChanged, this,
            [this, index](int position) { sliderMoved(index, position); });
    connect(c.slider, &QSlider::sliderReleased, this, [this, index] { sliderReleased(index); });
    if (auto *real = qobject_cast<QDoubleSpinBox *>(c.spin))
        connect(real, &QDoubleSpinBox::valueChanged, this, [this, index] { spinBoxEdited(index); });
    else
        connect(qobject_cast<QSpinBox *>(c.spin), &QSpinBox::valueChanged, this,
                [this, index] { spinBoxEdited(index); });
}

// ------------------------------------------------------------------- showing

void ParameterPanel::showFilterValues()
{
    for (Control &c : parameters_)
        showControlValue(c, parameterValue(filter_, c.descriptor->key));
}

void ParameterPanel::showControlValue(Control &c, double value)
{
    if (c.check) {
        const QSignalBlocker blocker(c.check);
        c.check->setChecked(value != 0);
    } else {
        setSpinValue(c.spin, value, decimalsOf(c.descriptor->step));
        const QSignalBlocker blocker(c.slider);
        c.slider->setValue(positionOf(c.positions, value, c.logarithmic));
    }
    updateResetButton(c);
}

void ParameterPanel::updateResetButton(Control &c)
{
    const double defaultValue = c.descriptor->defaultValue;
    c.reset->setEnabled(c.shownValue() != defaultValue ||
                        parameterValue(filter_, c.descriptor->key) != defaultValue);
}

void ParameterPanel::showOptions()
{
    selectData(colorBox_, static_cast<int>(options_.color));
    selectData(borderBox_, static_cast<int>(options_.border));
}

void ParameterPanel::showDisplay()
{
    selectData(displayBox_, static_cast<int>(display_.mode));
    setSpinValue(gainBox_, display_.gain, kGainDecimals);
    const bool gain = usesGain(display_.mode);
    gainBox_->setEnabled(gain);
    gainReset_->setEnabled(gain && display_.gain != 0);
}

void ParameterPanel::showError(const QString &message)
{
    error_->setText(message);
    error_->setVisible(!message.isEmpty());
}

void ParameterPanel::setSettings(const FilterSpec &filter, const FilterOptions &options,
                                 const DisplayMapping &display)
{
    const bool sameKind = kindOf(filter) == kindOf(filter_);
    filter_ = filter;
    remembered_[static_cast<std::size_t>(kindOf(filter_))] = filter_;
    options_ = options;
    display_ = display;
    if (sameKind) {
        if (const auto *custom = std::get_if<CustomSpec>(&filter_))
            kernelEditor_->setKernel(*custom);
        showFilterValues();
    } else {
        buildControls();
    }
    showOptions();
    showDisplay();
    try {
        validate(filter_);
        showError({});
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
    }
}

QSlider *ParameterPanel::slider(const QString &key) const
{
    for (const Control &c : parameters_)
        if (c.key() == key)
            return c.slider;
    return nullptr;
}

QAbstractSpinBox *ParameterPanel::spinBox(const QString &key) const
{
    for (const Control &c : parameters_)
        if (c.key() == key)
            return c.spin;
    return nullptr;
}

QAbstractButton *ParameterPanel::resetButton(const QString &key) const
{
    for (const Control &c : parameters_)
        if (c.key() == key)
            return c.reset;
    return nullptr;
}

// ------------------------------------------------------------------- editing

void ParameterPanel::filterChosen(int index)
{
    const auto kind = static_cast<FilterKind>(filterBox_->itemData(index).toInt());
    if (kind == kindOf(filter_))
        return;
    remembered_[static_cast<std::size_t>(kindOf(filter_))] = filter_;
    filter_ = remembered_[static_cast<std::size_t>(kind)];
    display_.mode = defaultDisplayMode(filter_);
    showError({});
    buildControls();
    showDisplay();
    emit settingsChanged(QStringLiteral("filter"), false);
}

void ParameterPanel::sliderMoved(std::size_t index, int position)
{
    Control &c = parameters_[index];
    setSpinValue(c.spin, c.positions[static_cast<std::size_t>(position)],
                 decimalsOf(c.descriptor->step));
    // The spin box's value, so filter() is exactly what it shows.
    applyParameter(index, spinValue(c.spin), c.slider->isSliderDown());
}

void ParameterPanel::spinBoxEdited(std::size_t index)
{
    Control &c = parameters_[index];
    const double value = spinValue(c.spin);
    {
        const QSignalBlocker blocker(c.slider);
        c.slider->setValue(positionOf(c.positions, value, c.logarithmic));
    }
    applyParameter(index, value, false);
}

void ParameterPanel::sliderReleased(std::size_t index)
{
    Control &c = parameters_[index];
    if (!c.changedInDrag)
        return;
    c.changedInDrag = false;
    emit settingsChanged(c.key(), false);
}

void ParameterPanel::resetParameter(std::size_t index)
{
    Control &c = parameters_[index];
    showControlValue(c, c.descriptor->defaultValue);
    applyParameter(index, c.descriptor->defaultValue, false);
}

void ParameterPanel::resetAll()
{
    FilterSpec candidate = filter_;
    try {
        for (const Control &c : parameters_)
            setParameter(candidate, c.descriptor->key, c.descriptor->defaultValue);
        for (Control &c : parameters_)
            showControlValue(c, c.descriptor->defaultValue);
        commit(candidate, QStringLiteral("filter"), false);
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
        showFilterValues();
    }
    for (Control &c : parameters_)
        updateResetButton(c);
}

void ParameterPanel::applyParameter(std::size_t index, double value, bool dragging)
{
    Control &c = parameters_[index];
    FilterSpec candidate = filter_;
    bool changed = false;
    try {
        setParameter(candidate, c.descriptor->key, value);
        changed = commit(candidate, c.key(), dragging);
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
        showControlValue(c, parameterValue(filter_, c.descriptor->key));
        return;
    }
    if (changed && dragging)
        c.changedInDrag = true;
    updateResetButton(c);
}

bool ParameterPanel::commit(const FilterSpec &candidate, const QString &key, bool dragging)
{
    FilterSpec accepted = candidate;
    if (const auto *custom = std::get_if<CustomSpec>(&candidate)) {
        // The matrix lives in the kernel editor, which also judges whether
        // normalize is possible for it and shows why not; it is applied once
        // the kernel is valid.
        kernelEditor_->setNormalize(custom->normalize);
        if (!kernelEditor_->isValid())
            return false;
        accepted = kernelEditor_->kernel();
    } else {
        // Only reachable with an invalid spec from setSettings: the
        // controls' ranges keep every single value valid.
        validate(accepted);
    }
    showError({});
    if (accepted == filter_)
        return false;
    filter_ = std::move(accepted);
    emit settingsChanged(key, dragging);
    return true;
}

void ParameterPanel::kernelEdited(const CustomSpec &spec)
{
    if (!std::holds_alternative<CustomSpec>(filter_))
        return;
    filter_ = spec;
    showError({});
    for (Control &c : parameters_)
        updateResetButton(c);
    emit settingsChanged(QStringLiteral("matrix"), false);
}

} // namespace ks
