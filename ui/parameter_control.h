// The controls of one parameter, generated from its descriptor: label, slider
// and spin box (or checkbox) and a reset button, for any panel to place.
#pragma once

#include "core/parameters.h"

#include <QString>
#include <QWidget>

#include <vector>

class QAbstractButton;
class QAbstractSpinBox;
class QCheckBox;
class QGridLayout;
class QLabel;
class QSlider;
class QToolButton;

namespace ks {

/// Edits one value described by a ParamDescriptor (core/parameters.h), with
/// nothing written per parameter. It shows a reset-to-default button, the
/// descriptor's help as tooltip and, by type:
///  - Real: a QDoubleSpinBox (decimals from the step, unit as suffix) over a
///    slider;
///  - Integer: a QSpinBox over a slider;
///  - OddInteger: a QSpinBox that only holds odd values (and 0, shown as
///    "auto", when zeroIsAuto) over a slider of odd values;
///  - Boolean: a QCheckBox.
/// The label reads "Sigma (px)"; every widget is named after the key.
///
/// Slider positions map to values through a table that runs from the
/// descriptor's min (position 0) to its max (last position), exact at both
/// ends:
///  - Integer: every whole number; OddInteger: every odd number, with 0
///    ("auto") first when zeroIsAuto;
///  - Real with min > 0 and max / min >= 100 (sigma 0.1 to 100, wavelength
///    2 to 1000, aspect ratio 0.01 to 10): logarithmic, 100 positions per
///    factor of 10, position i of n showing min * (max / min)^(i / n)
///    rounded to the step. Every decade gets the same length, so small
///    values are as easy to set as large ones; where the step is coarser
///    than the curve (sigma below 1) neighbouring positions show the same
///    value, so the table is non-decreasing rather than increasing;
///  - other Real (angles): linear, min + i * step, every step a position.
/// A value typed in the spin box is kept as typed (within its decimals) and
/// applied on Enter, not per keystroke; a value from setValue with more
/// decimals than the step (a preset's theta 22.5) is shown with them; the
/// slider moves to the nearest position.
///
/// Layout: the widget holds the four columns of makeParameterGrid (label |
/// stretch | spin box | reset), the label and spin box on one line and the
/// slider under them at full width (a dock is narrow, and a 500-position
/// slider wants every pixel); a Boolean's checkbox spans the first three.
/// Put it in a grid from makeParameterGrid spanning the four columns, and
/// give every control and grid of a panel the same setColumnWidths /
/// setColumnMinimumWidth(0, ...) so the columns line up across groups.
///
/// The control judges nothing beyond the descriptor's range: an owner that
/// refuses a value (a combination of parameters it cannot accept) calls
/// setValue with the value it keeps. GUI thread only.
class ParameterControl : public QWidget {
    Q_OBJECT

public:
    /// Copies the descriptor.
    explicit ParameterControl(const ParamDescriptor &descriptor, QWidget *parent = nullptr);
    ~ParameterControl() override;

    const ParamDescriptor &descriptor() const { return descriptor_; }
    QString key() const { return QString::fromStdString(descriptor_.key); }

    /// The value shown: the spin box's (exactly what it displays), or 0/1.
    double value() const;
    /// Shows value; emits nothing. The slider moves to the nearest position,
    /// or stays where it is when its position already shows the value (an
    /// owner echoing a dragged value does not move the handle). The reset
    /// button is enabled when the value differs from the default.
    void setValue(double value);

    /// Minimum width of the label column and fixed width of the spin box.
    void setColumnWidths(int labelWidth, int spinBoxWidth);

    /// "Sigma (px)", "Theta (°)", "Order": the label this control shows.
    static QString labelText(const ParamDescriptor &descriptor);
    /// The width the spin box of this descriptor asks for; 0 for a Boolean.
    /// The largest over a panel's descriptors is its spinBoxWidth.
    static int spinBoxWidthHint(const ParamDescriptor &descriptor);

    // For tests and owners that need a widget (focus, buddies).
    QLabel *label() const { return label_; }            ///< nullptr for a Boolean
    QSlider *slider() const { return slider_; }         ///< nullptr for a Boolean
    QAbstractSpinBox *spinBox() const { return spin_; } ///< nullptr for a Boolean
    QCheckBox *checkBox() const { return check_; }      ///< nullptr unless Boolean
    QAbstractButton *resetButton() const;

signals:
    /// The user changed the value (slider, spin box, checkbox or reset), once
    /// per new value. dragging is true while the slider is held down
    /// (sliderDown), so an undo system can merge one drag into one step; when
    /// a drag that emitted is released, valueEdited(value(), false) follows
    /// once to close it.
    void valueEdited(double value, bool dragging);

private:
    void sliderMoved(int position);
    void spinBoxEdited();
    void sliderReleased();
    void reset();
    void edited(double value, bool dragging);
    void updateResetButton();

    ParamDescriptor descriptor_;
    std::vector<double> positions_; ///< slider position -> value
    bool logarithmic_ = false;
    int stepDecimals_ = 0;
    double lastValue_ = 0; ///< the value last shown or emitted
    bool emittedInDrag_ = false;

    QGridLayout *grid_ = nullptr;
    QLabel *label_ = nullptr;
    QSlider *slider_ = nullptr;
    QAbstractSpinBox *spin_ = nullptr;
    QCheckBox *check_ = nullptr;
    QToolButton *reset_ = nullptr;
};

/// The grid every group of parameters uses, so their columns line up:
/// label, stretch, spin box, reset button.
QGridLayout *makeParameterGrid(QWidget *owner);

/// The small reset-to-default tool button of every parameter.
QToolButton *makeResetButton(QWidget *parent);

/// Shows value in box without emitting. A QDoubleSpinBox shows at least
/// stepDecimals, and more (up to 6) when the value has them, so a preset's
/// theta 22.5 shows as 22.5° and not as a rounded 22° that was never applied.
void setSpinBoxValue(QAbstractSpinBox *box, double value, int stepDecimals);

} // namespace ks
