#pragma once
// What an audit entry says changed: "field: before → after; other: a → b". The cloud's audit
// log and the branch scanner's change log write their details this one way, so support reads
// (and searches) both alike.

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace printmon::common {

class ChangeNote {
  public:
    /// Adds "field: from → to"; nothing when the two are equal (a save that changed nothing
    /// says nothing).
    ChangeNote& add(std::string_view field, std::string_view from, std::string_view to) {
        if (from == to) return *this;
        text_ += fmt::format("{}{}: {} → {}", text_.empty() ? "" : "; ", field, from, to);
        return *this;
    }
    bool empty() const { return text_.empty(); }
    const std::string& str() const { return text_; }

  private:
    std::string text_;
};

}  // namespace printmon::common
