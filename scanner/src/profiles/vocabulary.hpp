#pragma once
// The words printers use on their front panels and in their alert texts, in every panel
// language (`[words]` in profile files, scanner/profiles/words.toml for the built-in ones,
// profiles/README.md for the notation). Data rather than C++ so that support can teach the
// scanner a panel's word from a walk, by a file in the profiles directory, without a build;
// what the words mean (supply_claims.hpp) stays in code.

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::scanner {

struct Vocabulary {
    /// One entry, folded to lower case (text::fold_case). Bounds: "low" matches only the
    /// whole word (not in "yellow"), "тонер*" only where a word starts ("тонера"), "*[k]*"
    /// anywhere. Chinese, Japanese and Korean entries match anywhere.
    struct Word {
        std::string text;
        bool starts_word = true;  ///< must begin where a word begins
        bool ends_word = true;    ///< must end where a word ends
    };
    using Words = std::vector<Word>;

    // What a clause says of a supply.
    Words low;      ///< "low", "мало", "不足"
    Words empty;    ///< "empty", "replace", "закончил*"
    Words almost;   ///< turns an empty or full word into a warning: "almost", "почти"
    Words full;     ///< a waste box's "empty": "full", "заполнен*"
    Words missing;  ///< "missing", "not installed", "отсутств*"
    Words waste;    ///< the waste receptacle: "waste", "отработ*", "collection"
    // What a clause says of the device.
    Words jam;
    Words paper;
    Words paper_wanted;  ///< with a paper word, the printer waits for paper: "no", "load"
    Words cover;
    Words open;  ///< with a cover word: "open", and the instruction "close"
    Words service;
    Words service_life;  ///< a part's "service life": not a service call
    Words output;        ///< with a full word: the output tray
    Words idle;          ///< a printer at rest or at work: "ready", "sleep", "printing"
    // What a tray's name says of it.
    Words bypass;  ///< a tray fed by hand: "Bypass Tray", "MP Tray", "Обходной лоток"
    // What a supply's name says of its colour without naming one.
    Words chromatic;  ///< "Color Toner", "Tri-color", "Цветной": not a monochrome's black

    /// Supply kinds (claims' families), in this order.
    static constexpr std::array<std::string_view, 7> kSupplies = {
        "toner", "ink", "marking", "opc", "developer", "fuser", "transfer_unit"};
    std::array<Words, kSupplies.size()> supplies;
    /// Process colours, in this order.
    static constexpr std::array<std::string_view, 4> kColors = {"black", "cyan", "magenta",
                                                                "yellow"};
    std::array<Words, kColors.size()> colors;

    /// The word lists by their key in `[words]`.
    struct List {
        std::string_view key;
        Words Vocabulary::*words;
    };
    static const std::array<List, 17>& lists();

    /// Adds every word of `more` (files' vocabularies are merged).
    void append(const Vocabulary& more);
};

/// Whether folded text `hay` holds `word` within its bounds.
bool contains_word(std::string_view hay, const Vocabulary::Word& word);
/// Whether it holds any of `words`.
bool contains_any(std::string_view hay, const Vocabulary::Words& words);

}  // namespace printmon::scanner
