// The parameter panel: filter type, the filter's parameters, image options
// and display mapping, all generated from the core parameter descriptors.
#pragma once

#include "core/display.h"
#include "core/filter.h"
#include "core/filter_spec.h"
#include "core/gabor_bank.h"

#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

class QAbstractButton;
class QAbstractSpinBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSlider;
class QToolButton;

namespace ks {

class KernelEditor;
class ParameterControl;

/// Edits a filter spec, filter options and a display mapping.
///
/// The controls of a filter come from parameterDescriptors(kind), in its
/// order, with nothing written per filter: one ParameterControl each (label,
/// slider and spin box or checkbox, reset button; see parameter_control.h for
/// the slider tables, odd kernel sizes and logarithmic sliders).
///
/// For Gabor, a checkable "Filter bank" group follows the Filter group:
/// unchecked, the single kernel; checked, one control per
/// bankParameterDescriptors() entry (orientations, scales, ratio) and a
/// Max / Energy combine selector, which exist only while it is checked.
/// Unchecking keeps the bank's values, so checking again brings them back.
/// The bank is kept when another filter is chosen (the document ignores it
/// for other filters); its group is hidden then.
///
/// Every value goes through setParameter, and with a bank validateBank, so
/// filter() (and bank() with it) is always valid and equals what the
/// controls show; a refused value (also a sigma whose largest bank scale
/// would be out of range) is reported in a red line in the panel and the
/// control goes back to the applied value. Choosing Gabor with a bank it
/// cannot take turns the bank off and says why.
///
/// The Custom filter's matrix is edited by kernelEditor(), shown below its
/// controls; the normalize checkbox is applied once the editor accepts the
/// kernel with it. Changing the filter type restores the last spec used for
/// that type in this panel (its default at first) and sets the display mode
/// to defaultDisplayMode of it. GUI thread only.
class ParameterPanel : public QWidget {
    Q_OBJECT

public:
    explicit ParameterPanel(QWidget *parent = nullptr);
    ~ParameterPanel() override;

    /// Shows these settings; emits nothing. Rebuilds the parameter controls
    /// when the filter type changes. bank: the Gabor filter bank, std::nullopt
    /// for the single kernel (the bank's last values stay remembered).
    void setSettings(const FilterSpec &filter, const FilterOptions &options,
                     const DisplayMapping &display, std::optional<BankSpec> bank = {});

    FilterSpec filter() const { return filter_; }
    FilterOptions options() const { return options_; }
    DisplayMapping display() const { return display_; }
    /// The bank when its box is checked, whatever the filter; std::nullopt
    /// for the single kernel.
    std::optional<BankSpec> bank() const;

    // For tests and the window's keyboard shortcuts. Controls belong to the
    // current filter and are replaced when its type changes.
    QComboBox *filterSelector() const { return filterBox_; }
    /// The control of a parameter of the current filter, or of the bank
    /// while it shows (Gabor, checked); nullptr for an unknown key.
    ParameterControl *control(const QString &key) const;
    /// The slider of such a parameter; nullptr for an unknown key or a
    /// Boolean.
    QSlider *slider(const QString &key) const;
    /// Its QSpinBox or QDoubleSpinBox; nullptr for an unknown key or a Boolean.
    QAbstractSpinBox *spinBox(const QString &key) const;
    /// Its reset-to-default button; nullptr for an unknown key.
    QAbstractButton *resetButton(const QString &key) const;
    KernelEditor *kernelEditor() const { return kernelEditor_; }
    /// The "Filter bank" group; its check box turns the bank on and off.
    QGroupBox *bankGroup() const { return bankGroup_; }
    /// The bank's Max / Energy selector; nullptr unless the bank shows.
    QComboBox *bankCombineSelector() const { return combineBox_; }

signals:
    /// The user changed something. key: a descriptor key (of the filter or
    /// the bank: "orientations", "scales", "ratio"), or "filter" (the type,
    /// or "Reset all"), "bank" (turned on or off, or its combine mode),
    /// "color", "border", "display", "gain" or "matrix". dragging is true while a slider is held
    /// down (sliderDown), so an undo system can merge one drag into one step; when a drag that
    /// changed the value is released, settingsChanged(key, false) follows
    /// once to close it.
    void settingsChanged(const QString &key, bool dragging);

private:
    void buildControls();
    void showFilterValues();
    void showOptions();
    void showDisplay();

    void filterChosen(int index);
    void parameterEdited(ParameterControl *control, double value, bool dragging);
    /// Tracks drags of key for settingsChanged's closing signal: after an
    /// edit that changed (or not) the settings, dragging or not.
    void closeDrag(const QString &key, bool changed, bool dragging);
    void resetAll();
    /// Makes candidate the filter when it is valid (for Custom: once the
    /// kernel editor accepts it) and emits settingsChanged(key, dragging)
    /// when it differs; returns whether it did. Throws ParameterError for an
    /// invalid spec.
    bool commit(const FilterSpec &candidate, const QString &key, bool dragging);
    void kernelEdited(const CustomSpec &spec);
    void showError(const QString &message);

    /// Builds the bank's controls when they show (Gabor, bank on), else
    /// removes them.
    void buildBankControls();
    void showBankValues();
    /// Throws ParameterError when the current filter cannot take bank.
    void checkBank(const BankSpec &bank) const;
    void bankToggled(bool on);
    void bankParameterEdited(ParameterControl *control, double value, bool dragging);

    FilterSpec filter_;
    FilterOptions options_;
    DisplayMapping display_;
    /// The last spec of each filter kind, indexed by FilterKind.
    std::vector<FilterSpec> remembered_;
    BankSpec bankValues_; ///< shown while bankOn_, remembered while not
    bool bankOn_ = false;

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
    QGroupBox *bankGroup_ = nullptr;
    QWidget *bankHost_ = nullptr; ///< the bank's controls, while it is on
    QComboBox *combineBox_ = nullptr;
    QToolButton *gainReset_ = nullptr;

    std::vector<ParameterControl *> parameters_;   ///< children of controls_
    std::vector<ParameterControl *> bankControls_; ///< children of bankHost_
    QString dragKey_;    ///< the parameter whose drag changed the settings, until released
    int labelWidth_ = 0; ///< shared by every group, so their columns line up
    int spinWidth_ = 0;  ///< one width for every spin box
};

} // namespace ks
