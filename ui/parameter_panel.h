// The parameter panel: filter type, the filter's parameters, image options
// and display mapping, all generated from the core parameter descriptors.
#pragma once

#include "core/display.h"
#include "core/filter.h"
#include "core/filter_spec.h"

#include <QString>
#include <QWidget>

#include <cstddef>
#include <vector>

class QAbstractButton;
class QAbstractSpinBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSlider;
class QToolButton;

namespace ks {

class KernelEditor;

/// Edits a filter spec, filter options and a display mapping.
///
/// The controls of a filter come from parameterDescriptors(kind), in its
/// order, with nothing written per filter. Each parameter gets its label
/// ("Sigma (px)"), a reset-to-default button, the descriptor's help as tooltip
/// and, by type:
///  - Real: a QDoubleSpinBox (decimals from the step, unit as suffix) over a
///    slider;
///  - Integer: a QSpinBox over a slider;
///  - OddInteger: a QSpinBox that only holds odd values (and 0, shown as
///    "auto", when zeroIsAuto) over a slider of odd values;
///  - Boolean: a QCheckBox.
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
/// A value typed in a spin box is kept as typed (within its decimals), and a
/// value from setSettings with more decimals than the step (a preset's theta
/// 22.5) is shown with them; the slider moves to the nearest position.
///
/// Every value goes through setParameter, so filter() is always valid and
/// equals what the controls show; a refused value is reported in a red line
/// in the panel and the control goes back to the applied value. The Custom
/// filter's matrix is edited by kernelEditor(), shown below its controls;
/// the normalize checkbox is applied once the editor accepts the kernel
/// with it. Changing the filter type restores the last spec used for that
/// type in this panel (its default at first) and sets the display mode to
/// defaultDisplayMode of it. GUI thread only.
class ParameterPanel : public QWidget {
    Q_OBJECT

public:
    explicit ParameterPanel(QWidget *parent = nullptr);
    ~ParameterPanel() override;

    /// Shows these settings; emits nothing. Rebuilds the parameter controls
    /// when the filter type changes.
    void setSettings(const FilterSpec &filter, const FilterOptions &options,
                     const DisplayMapping &display);

    FilterSpec filter() const { return filter_; }
    FilterOptions options() const { return options_; }
    DisplayMapping display() const { return display_; }

    // For tests and the window's keyboard shortcuts. Controls belong to the
    // current filter and are replaced when its type changes.
    QComboBox *filterSelector() const { return filterBox_; }
    /// The slider of a parameter of the current filter; nullptr for an
    /// unknown key or a Boolean.
    QSlider *slider(const QString &key) const;
    /// Its QSpinBox or QDoubleSpinBox; nullptr for an unknown key or a Boolean.
    QAbstractSpinBox *spinBox(const QString &key) const;
    /// Its reset-to-default button; nullptr for an unknown key.
    QAbstractButton *resetButton(const QString &key) const;
    KernelEditor *kernelEditor() const { return kernelEditor_; }

signals:
    /// The user changed something. key: a descriptor key, or "filter" (the
    /// type, or "Reset all"), "color", "border", "display", "gain" or
    /// "matrix". dragging is true while a slider is held down (sliderDown),
    /// so an undo system can merge one drag into one step; when a drag that
    /// changed the value is released, settingsChanged(key, false) follows
    /// once to close it.
    void settingsChanged(const QString &key, bool dragging);

private:
    struct Control;

    void buildControls();
    void addControl(QGridLayout *grid, int &row, std::size_t index);
    void showFilterValues();
    void showControlValue(Control &control, double value);
    void updateResetButton(Control &control);
    void showOptions();
    void showDisplay();

    void filterChosen(int index);
    void sliderMoved(std::size_t index, int position);
    void spinBoxEdited(std::size_t index);
    void sliderReleased(std::size_t index);
    void resetParameter(std::size_t index);
    void resetAll();
    void applyParameter(std::size_t index, double value, bool dragging);
    /// Makes candidate the filter when it is valid (for Custom: once the
    /// kernel editor accepts it) and emits settingsChanged(key, dragging)
    /// when it differs; returns whether it did. Throws ParameterError for an
    /// invalid spec.
    bool commit(const FilterSpec &candidate, const QString &key, bool dragging);
    void kernelEdited(const CustomSpec &spec);
    void showError(const QString &message);

    FilterSpec filter_;
    FilterOptions options_;
    DisplayMapping display_;
    /// The last spec of each filter kind, indexed by FilterKind.
    std::vector<FilterSpec> remembered_;

    QComboBox *filterBox_ = nullptr;
    QWidget *controlsHost_ = nullptr; ///< the current filter's controls, rebuilt per type
    QWidget *controls_ = nullptr;
    KernelEditor *kernelEditor_ = nullptr;
    QLabel *error_ = nullptr;
    QPushButton *resetAll_ = nullptr;
    QComboBox *colorBox_ = nullptr;
    QComboBox *borderBox_ = nullptr;
    QComboBox *displayBox_ = nullptr;
    QDoubleSpinBox *gainBox_ = nullptr;
    QToolButton *gainReset_ = nullptr;

    std::vector<Control> parameters_;
    int labelWidth_ = 0; ///< shared by every group, so their columns line up
    int spinWidth_ = 0;  ///< one width for every spin box
};

} // namespace ks
