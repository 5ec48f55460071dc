#include "profiles/vocabulary.hpp"

#include <algorithm>

namespace printmon::scanner {
namespace {

/// A letter byte for word bounds: ASCII letters and any byte of a non-ASCII character
/// (Cyrillic, accented Latin). Text is folded, so no upper case.
bool letter_byte(char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b >= 'a' && b <= 'z') || b >= 0x80;
}

}  // namespace

const std::array<Vocabulary::List, 17>& Vocabulary::lists() {
    static const std::array<List, 17> kLists = {{
        {"low", &Vocabulary::low},
        {"empty", &Vocabulary::empty},
        {"almost", &Vocabulary::almost},
        {"full", &Vocabulary::full},
        {"missing", &Vocabulary::missing},
        {"waste", &Vocabulary::waste},
        {"jam", &Vocabulary::jam},
        {"paper", &Vocabulary::paper},
        {"paper_wanted", &Vocabulary::paper_wanted},
        {"cover", &Vocabulary::cover},
        {"open", &Vocabulary::open},
        {"service", &Vocabulary::service},
        {"service_life", &Vocabulary::service_life},
        {"output", &Vocabulary::output},
        {"idle", &Vocabulary::idle},
        {"bypass", &Vocabulary::bypass},
        {"chromatic", &Vocabulary::chromatic},
    }};
    return kLists;
}

void Vocabulary::append(const Vocabulary& more) {
    const auto add = [](Words& to, const Words& from) {
        to.insert(to.end(), from.begin(), from.end());
    };
    for (const auto& l : lists()) add(this->*l.words, more.*l.words);
    for (std::size_t i = 0; i < supplies.size(); ++i) add(supplies[i], more.supplies[i]);
    for (std::size_t i = 0; i < colors.size(); ++i) add(colors[i], more.colors[i]);
}

bool contains_word(std::string_view hay, const Vocabulary::Word& word) {
    const std::string_view w = word.text;
    if (w.empty()) return false;
    for (std::size_t p = hay.find(w); p != std::string_view::npos; p = hay.find(w, p + 1)) {
        const std::size_t end = p + w.size();
        const bool start_ok = !word.starts_word || p == 0 || !letter_byte(hay[p - 1]);
        const bool end_ok = !word.ends_word || end >= hay.size() || !letter_byte(hay[end]);
        if (start_ok && end_ok) return true;
    }
    return false;
}

bool contains_any(std::string_view hay, const Vocabulary::Words& words) {
    return std::any_of(words.begin(), words.end(),
                       [&](const Vocabulary::Word& w) { return contains_word(hay, w); });
}

}  // namespace printmon::scanner
