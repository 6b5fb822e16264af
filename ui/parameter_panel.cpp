#include "parameter_panel.h"

#include "kernel_editor.h"
#include "parameter_control.h"

#include "core/border.h"
#include "core/errors.h"
#include "core/parameters.h"

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
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

namespace ks {

namespace {

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

/// A bank parameter by its descriptor key ("orientations", "scales", "ratio").
double bankParameter(const BankSpec &bank, std::string_view key)
{
    if (key == "orientations")
        return bank.orientations;
    if (key == "scales")
        return bank.scales;
    return bank.ratio;
}

/// Sets it; the controls only give whole numbers for the Integer ones.
void setBankParameter(BankSpec &bank, std::string_view key, double value)
{
    if (key == "orientations")
        bank.orientations = static_cast<int>(std::lround(value));
    else if (key == "scales")
        bank.scales = static_cast<int>(std::lround(value));
    else
        bank.ratio = value;
}

} // namespace

ParameterPanel::ParameterPanel(QWidget *parent) : QWidget(parent)
{
    for (FilterKind kind : kAllFilterKinds)
        remembered_.push_back(defaultSpec(kind));
    display_.mode = defaultDisplayMode(filter_); // filter_ starts as None

    // Shared sizes, measured over every filter so nothing shifts when the
    // type changes.
    const QFontMetrics metrics(font());
    QStringList labels{tr("Type"),    tr("Colour"), tr("Border"),
                       tr("Mapping"), tr("Gain"),   tr("Combine")};
    for (const ParamDescriptor &d : bankParameterDescriptors()) {
        labels << ParameterControl::labelText(d);
        spinWidth_ = std::max(spinWidth_, ParameterControl::spinBoxWidthHint(d));
    }
    for (FilterKind kind : kAllFilterKinds) {
        for (const ParamDescriptor &d : parameterDescriptors(kind)) {
            if (d.type == ParamType::Boolean)
                continue;
            labels << ParameterControl::labelText(d);
            spinWidth_ = std::max(spinWidth_, ParameterControl::spinBoxWidthHint(d));
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

    // ---- Filter bank, for Gabor: under its parameters, in a group of its
    // own so that its columns line up with theirs.
    bankGroup_ = new QGroupBox(tr("Filter bank"), this);
    bankGroup_->setObjectName(QStringLiteral("bank"));
    bankGroup_->setCheckable(true);
    bankGroup_->setChecked(false);
    bankGroup_->setToolTip(tr("Apply several orientations and scales of this Gabor kernel and "
                              "combine their responses; unchecked, the single kernel."));
    auto *bankLayout = new QVBoxLayout(bankGroup_); // holds bankHost_ while the bank is on
    bankLayout->setSpacing(0);

    // ---- Image
    auto *imageGroup = new QGroupBox(tr("Image"), this);
    auto *imageGrid = makeParameterGrid(imageGroup);
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
    auto *displayGrid = makeParameterGrid(displayGroup);
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
    column->addWidget(bankGroup_);
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
    connect(bankGroup_, &QGroupBox::toggled, this, &ParameterPanel::bankToggled);
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
    dragKey_.clear();
    if (controls_) {
        // Detached now, deleted later: this may run inside a signal of one
        // of these controls.
        controls_->setParent(nullptr);
        controls_->deleteLater();
    }
    controls_ = new QWidget(controlsHost_);
    controlsHost_->layout()->addWidget(controls_);
    auto *grid = makeParameterGrid(controls_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnMinimumWidth(0, labelWidth_);

    const std::span<const ParamDescriptor> descriptors = parameterDescriptors(kind);
    for (const ParamDescriptor &d : descriptors) {
        auto *control = new ParameterControl(d, controls_);
        control->setColumnWidths(labelWidth_, spinWidth_);
        grid->addWidget(control, grid->rowCount(), 0, 1, 4);
        connect(control, &ParameterControl::valueEdited, this,
                [this, control](double value, bool dragging) {
                    parameterEdited(control, value, dragging);
                });
        parameters_.push_back(control);
    }
    if (descriptors.empty()) {
        auto *none = new QLabel(tr("No parameters: the output is the source image."), controls_);
        none->setWordWrap(true);
        none->setEnabled(false);
        grid->addWidget(none, 0, 0, 1, 4);
    }
    resetAll_->setVisible(!descriptors.empty());
    bankGroup_->setVisible(kind == FilterKind::Gabor);
    buildBankControls();
    kernelEditor_->setVisible(kind == FilterKind::Custom);
    if (const auto *custom = std::get_if<CustomSpec>(&filter_))
        kernelEditor_->setKernel(*custom);
    showFilterValues();
}

// ------------------------------------------------------------------- showing

void ParameterPanel::showFilterValues()
{
    for (ParameterControl *control : parameters_)
        control->setValue(parameterValue(filter_, control->descriptor().key));
}

void ParameterPanel::showOptions()
{
    selectData(colorBox_, static_cast<int>(options_.color));
    selectData(borderBox_, static_cast<int>(options_.border));
}

void ParameterPanel::showDisplay()
{
    selectData(displayBox_, static_cast<int>(display_.mode));
    setSpinBoxValue(gainBox_, display_.gain, kGainDecimals);
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
                                 const DisplayMapping &display, std::optional<BankSpec> bank)
{
    const bool sameKind = kindOf(filter) == kindOf(filter_);
    const bool bankSwitched = bank.has_value() != bankOn_;
    filter_ = filter;
    remembered_[static_cast<std::size_t>(kindOf(filter_))] = filter_;
    options_ = options;
    display_ = display;
    if (bank)
        bankValues_ = *bank;
    bankOn_ = bank.has_value();
    {
        const QSignalBlocker blocker(bankGroup_);
        bankGroup_->setChecked(bankOn_);
    }
    if (sameKind) {
        if (const auto *custom = std::get_if<CustomSpec>(&filter_))
            kernelEditor_->setKernel(*custom);
        showFilterValues();
        if (bankSwitched)
            buildBankControls();
        else
            showBankValues();
    } else {
        buildControls();
    }
    showOptions();
    showDisplay();
    try {
        validate(filter_);
        if (bankOn_)
            checkBank(bankValues_);
        showError({});
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
    }
}

ParameterControl *ParameterPanel::control(const QString &key) const
{
    for (const auto *controls : {&parameters_, &bankControls_})
        for (ParameterControl *control : *controls)
            if (control->key() == key)
                return control;
    return nullptr;
}

std::optional<BankSpec> ParameterPanel::bank() const
{
    if (!bankOn_)
        return std::nullopt;
    return bankValues_;
}

QSlider *ParameterPanel::slider(const QString &key) const
{
    const ParameterControl *c = control(key);
    return c ? c->slider() : nullptr;
}

QAbstractSpinBox *ParameterPanel::spinBox(const QString &key) const
{
    const ParameterControl *c = control(key);
    return c ? c->spinBox() : nullptr;
}

QAbstractButton *ParameterPanel::resetButton(const QString &key) const
{
    const ParameterControl *c = control(key);
    return c ? c->resetButton() : nullptr;
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
    if (bankOn_) {
        try {
            checkBank(bankValues_);
        } catch (const ParameterError &e) {
            // This Gabor cannot take the bank: single kernel, and why.
            bankOn_ = false;
            const QSignalBlocker blocker(bankGroup_);
            bankGroup_->setChecked(false);
            showError(QString::fromStdString(e.what()));
        }
    }
    buildControls();
    showDisplay();
    emit settingsChanged(QStringLiteral("filter"), false);
}

void ParameterPanel::parameterEdited(ParameterControl *control, double value, bool dragging)
{
    const QString key = control->key();
    FilterSpec candidate = filter_;
    bool changed = false;
    try {
        setParameter(candidate, control->descriptor().key, value);
        changed = commit(candidate, key, dragging);
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
        control->setValue(parameterValue(filter_, control->descriptor().key));
    }
    closeDrag(key, changed, dragging);
}

void ParameterPanel::closeDrag(const QString &key, bool changed, bool dragging)
{
    if (dragging) {
        if (changed)
            dragKey_ = key;
        return;
    }
    // The control's closing valueEdited(value, false) after a drag repeats
    // the value already applied; say once that the drag is over.
    if (!changed && dragKey_ == key)
        emit settingsChanged(key, false);
    dragKey_.clear();
}

void ParameterPanel::resetAll()
{
    FilterSpec candidate = filter_;
    try {
        for (const ParameterControl *control : parameters_)
            setParameter(candidate, control->descriptor().key, control->descriptor().defaultValue);
        for (ParameterControl *control : parameters_)
            control->setValue(control->descriptor().defaultValue);
        commit(candidate, QStringLiteral("filter"), false);
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
        showFilterValues();
    }
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
        // But a larger sigma or lambda can take the bank's largest scale out
        // of range.
        if (bankOn_)
            if (const auto *gabor = std::get_if<GaborSpec>(&accepted))
                validateBank(*gabor, bankValues_);
    }
    showError({});
    if (accepted == filter_)
        return false;
    filter_ = std::move(accepted);
    emit settingsChanged(key, dragging);
    return true;
}

// ---------------------------------------------------------------------- bank

void ParameterPanel::buildBankControls()
{
    bankControls_.clear();
    combineBox_ = nullptr;
    if (bankHost_) {
        // Detached now, deleted later, as the filter's controls.
        bankHost_->setParent(nullptr);
        bankHost_->deleteLater();
        bankHost_ = nullptr;
    }
    // Only while they show: for Gabor with the bank on. Unchecked, the group
    // is its title alone.
    if (!bankOn_ || kindOf(filter_) != FilterKind::Gabor)
        return;
    bankHost_ = new QWidget(bankGroup_);
    bankGroup_->layout()->addWidget(bankHost_);
    auto *grid = makeParameterGrid(bankHost_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnMinimumWidth(0, labelWidth_);
    for (const ParamDescriptor &d : bankParameterDescriptors()) {
        auto *control = new ParameterControl(d, bankHost_);
        control->setColumnWidths(labelWidth_, spinWidth_);
        grid->addWidget(control, grid->rowCount(), 0, 1, 4);
        connect(control, &ParameterControl::valueEdited, this,
                [this, control](double value, bool dragging) {
                    bankParameterEdited(control, value, dragging);
                });
        bankControls_.push_back(control);
    }
    combineBox_ = new QComboBox(bankHost_);
    combineBox_->setObjectName(QStringLiteral("combine"));
    combineBox_->addItem(tr("Max"), static_cast<int>(BankCombine::Max));
    combineBox_->setItemData(0,
                             tr("The largest response over the bank's kernels, each with this "
                                "psi."),
                             Qt::ToolTipRole);
    combineBox_->addItem(tr("Energy"), static_cast<int>(BankCombine::Energy));
    combineBox_->setItemData(1,
                             tr("The largest local energy √(even² + odd²) over the orientations "
                                "and scales, the even kernel with psi 0° and the odd one with "
                                "90° (psi is ignored): independent of phase, never negative."),
                             Qt::ToolTipRole);
    combineBox_->setToolTip(tr("How the responses of the bank's kernels make one response."));
    auto *combineLabel = new QLabel(tr("Combine"), bankHost_);
    combineLabel->setBuddy(combineBox_);
    const int row = grid->rowCount();
    grid->addWidget(combineLabel, row, 0);
    grid->addWidget(combineBox_, row, 1, 1, 3);
    connect(combineBox_, &QComboBox::currentIndexChanged, this, [this] {
        bankValues_.combine = static_cast<BankCombine>(dataOf(combineBox_));
        emit settingsChanged(QStringLiteral("bank"), false);
    });
    showBankValues();
}

void ParameterPanel::showBankValues()
{
    for (ParameterControl *control : bankControls_)
        control->setValue(bankParameter(bankValues_, control->descriptor().key));
    if (combineBox_)
        selectData(combineBox_, static_cast<int>(bankValues_.combine));
}

void ParameterPanel::checkBank(const BankSpec &bank) const
{
    if (const auto *gabor = std::get_if<GaborSpec>(&filter_))
        validateBank(*gabor, bank);
    else
        validateBank(bank);
}

void ParameterPanel::bankToggled(bool on)
{
    if (on) {
        try {
            checkBank(bankValues_);
        } catch (const ParameterError &e) {
            showError(QString::fromStdString(e.what()));
            const QSignalBlocker blocker(bankGroup_);
            bankGroup_->setChecked(false);
            return;
        }
    }
    showError({});
    bankOn_ = on;
    buildBankControls();
    emit settingsChanged(QStringLiteral("bank"), false);
}

void ParameterPanel::bankParameterEdited(ParameterControl *control, double value, bool dragging)
{
    const std::string &key = control->descriptor().key;
    BankSpec candidate = bankValues_;
    setBankParameter(candidate, key, value);
    bool changed = false;
    try {
        checkBank(candidate);
        showError({});
        changed = candidate != bankValues_;
        if (changed) {
            bankValues_ = candidate;
            emit settingsChanged(control->key(), dragging);
        }
    } catch (const ParameterError &e) {
        showError(QString::fromStdString(e.what()));
        control->setValue(bankParameter(bankValues_, key));
    }
    closeDrag(control->key(), changed, dragging);
}

void ParameterPanel::kernelEdited(const CustomSpec &spec)
{
    if (!std::holds_alternative<CustomSpec>(filter_))
        return;
    filter_ = spec;
    showError({});
    emit settingsChanged(QStringLiteral("matrix"), false);
}

} // namespace ks
