#include "document_commands.h"

#include <QUndoStack>

#include <utility>

namespace ks {

namespace {

// All document commands share one id, so QUndoStack offers them to each
// other's mergeWith; the merge key decides.
constexpr int kDocumentCommandId = 0x4b53; // "KS"

} // namespace

DocumentCommand::DocumentCommand(Document before, Document after, const QString &text,
                                 QString mergeKey, bool open, Apply apply)
    : QUndoCommand(text), before_(std::move(before)), after_(std::move(after)),
      mergeKey_(std::move(mergeKey)), open_(open && !mergeKey_.isEmpty()), apply_(std::move(apply))
{
}

void DocumentCommand::undo()
{
    apply_(before_);
}

void DocumentCommand::redo()
{
    if (firstRedo_) {
        firstRedo_ = false;
        return;
    }
    apply_(after_);
}

int DocumentCommand::id() const
{
    return mergeKey_.isEmpty() ? -1 : kDocumentCommandId;
}

bool DocumentCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const DocumentCommand *>(other);
    if (!open_ || next->mergeKey_ != mergeKey_)
        return false;
    after_ = next->after_;
    open_ = next->open_;
    setObsolete(after_ == before_);
    return true;
}

void pushDocumentEdit(QUndoStack &stack, const Document &before, const Document &after,
                      const QString &text, const QString &mergeKey, bool open,
                      DocumentCommand::Apply apply)
{
    if (before == after) {
        // A release that changes nothing still closes an open drag step.
        const auto *top =
            stack.count() > 0 && stack.index() == stack.count()
                ? dynamic_cast<const DocumentCommand *>(stack.command(stack.index() - 1))
                : nullptr;
        if (open || top == nullptr || !top->isOpen() || top->mergeKey() != mergeKey)
            return;
    }
    stack.push(new DocumentCommand(before, after, text, mergeKey, open, std::move(apply)));
}

} // namespace ks
