#include "profiles/profile.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "polling/charset.hpp"
#include "polling/text.hpp"
#include "printmon/proto/enums.hpp"

namespace printmon::scanner {
namespace {

[[noreturn]] void fail(std::string_view file, const toml::source_region& where,
                       const std::string& message) {
    std::ostringstream out;
    out << file << ':' << where.begin.line << ':' << where.begin.column << ": " << message;
    throw ProfileError(out.str());
}

std::regex compile(std::string_view file, const toml::node& node, const std::string& pattern) {
    try {
        return std::regex(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
        fail(file, node.source(), "bad regular expression '" + pattern + "': " + e.what());
    }
}

snmp::Oid oid_of(std::string_view file, const toml::node& node) {
    const auto* s = node.as_string();
    if (s == nullptr) fail(file, node.source(), "expected an OID string");
    auto oid = snmp::parse_oid(s->get());
    if (!oid) fail(file, node.source(), "bad OID '" + s->get() + "'");
    return *oid;
}

std::string string_of(std::string_view file, const toml::node& node, std::string_view what) {
    const auto* s = node.as_string();
    if (s == nullptr) fail(file, node.source(), std::string(what) + " must be a string");
    return s->get();
}

std::int64_t int_of(std::string_view file, const toml::node& node, std::string_view what) {
    const auto* i = node.as_integer();
    if (i == nullptr) fail(file, node.source(), std::string(what) + " must be an integer");
    return i->get();
}

bool bool_of(std::string_view file, const toml::node& node, std::string_view what) {
    const auto* b = node.as_boolean();
    if (b == nullptr) fail(file, node.source(), std::string(what) + " must be true or false");
    return b->get();
}

/// A counter's name, one the protocol allows (lower-case words joined by '_').
std::string counter_name_of(std::string_view file, const toml::node& node,
                            std::string_view what = "name") {
    auto name = string_of(file, node, what);
    if (!proto::is_counter_name(name)) fail(file, node.source(), "bad counter name '" + name + "'");
    return name;
}

/// One integer, or a non-empty array of them.
std::vector<std::int64_t> int_list_of(std::string_view file, const toml::node& node,
                                      std::string_view what) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return {int_of(file, node, what)};
    if (arr->empty()) fail(file, node.source(), std::string(what) + " must not be empty");
    std::vector<std::int64_t> out;
    for (const auto& v : *arr) out.push_back(int_of(file, v, what));
    return out;
}

void check_keys(std::string_view file, const toml::table& table,
                std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : table) {
        if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
            fail(file, value.source(), "unknown key '" + std::string(key.str()) + "'");
        }
    }
}

ValueSource source_of(std::string_view file, const toml::node& node) {
    const auto* t = node.as_table();
    if (t == nullptr) fail(file, node.source(), "expected a table {oid = ..., ...}");
    check_keys(file, *t,
               {"oid", "column", "sysdescr", "hr_device_descr", "format", "regex", "prefix",
                "name_column", "row_name", "skip_row_name"});
    ValueSource src;
    if (const auto* p = t->get("prefix")) {
        src.prefix = string_of(file, *p, "prefix");
        if (src.prefix.empty() || src.prefix.size() > 16) {
            fail(file, p->source(), "prefix must be 1 to 16 characters");
        }
    }
    const auto* o = t->get("oid");
    const auto* c = t->get("column");
    if (o != nullptr && c != nullptr)
        fail(file, c->source(), "a source has oid or column, not both");
    if (o != nullptr || c != nullptr) {
        src.field = o != nullptr ? ValueSource::Field::oid : ValueSource::Field::column;
        src.oid = oid_of(file, o != nullptr ? *o : *c);
        if (const auto* r = t->get("regex")) {
            src.regex_text = string_of(file, *r, "regex");
            src.regex = compile(file, *r, src.regex_text);
        }
        const auto* nc = t->get("name_column");
        const auto* rn = t->get("row_name");
        const auto* sn = t->get("skip_row_name");
        if (nc != nullptr || rn != nullptr || sn != nullptr) {
            if (c == nullptr) fail(file, t->source(), "name_column only goes with column");
            if (nc == nullptr || (rn == nullptr) == (sn == nullptr)) {
                fail(file, t->source(),
                     "a named-row column needs name_column and one of row_name, skip_row_name");
            }
            src.name_column = oid_of(file, *nc);
            const auto* pattern = rn != nullptr ? rn : sn;
            src.skip_named_rows = sn != nullptr;
            src.row_name_text =
                string_of(file, *pattern, sn != nullptr ? "skip_row_name" : "row_name");
            src.row_name = compile(file, *pattern, src.row_name_text);
        }
    } else if (const auto* d = t->get("sysdescr")) {
        src.field = ValueSource::Field::sys_descr;
        src.regex_text = string_of(file, *d, "sysdescr");
        src.regex = compile(file, *d, src.regex_text);
    } else if (const auto* h = t->get("hr_device_descr")) {
        src.field = ValueSource::Field::hr_device_descr;
        src.regex_text = string_of(file, *h, "hr_device_descr");
        src.regex = compile(file, *h, src.regex_text);
    } else {
        fail(file, node.source(), "a source needs one of oid, column, sysdescr, hr_device_descr");
    }
    if (const auto* f = t->get("format")) {
        src.format = string_of(file, *f, "format");
        const bool known =
            src.format.empty() || src.format == "mac" || src.format.rfind("ieee1284:", 0) == 0 ||
            src.format.rfind("brother_block:", 0) == 0 ||
            src.format.rfind("brother_life:", 0) == 0 || src.format.rfind("brother_tlv:", 0) == 0 ||
            src.format.rfind("epson_st2_ink:", 0) == 0 ||
            src.format.rfind("epson_st2_count:", 0) == 0 ||
            src.format.rfind("epson_st2_box:", 0) == 0 || src.format == "epson_st2_status" ||
            src.format == "enum";
        if (!known) fail(file, f->source(), "unknown format '" + src.format + "'");
        if (src.format.rfind("epson_st2_ink:", 0) == 0) {
            const auto colour = src.format.substr(14);
            if (colour.size() != 1 || colour[0] < '0' || colour[0] > '5') {
                fail(file, f->source(), "epson_st2_ink needs an ink colour 0..5");
            }
        }
        if (src.format.rfind("epson_st2_box:", 0) == 0) {
            const auto box = src.format.substr(14);
            if (box != "0" && box != "1") {
                fail(file, f->source(), "epson_st2_box needs a box number 0..1");
            }
        }
        if (src.format.rfind("epson_st2_count:", 0) == 0) {
            const auto field = src.format.substr(16);
            if (field.size() != 1 || field[0] < '0' || field[0] > '4') {
                fail(file, f->source(), "epson_st2_count needs a count number 0..4");
            }
        }
        for (const std::string_view kind : {"brother_block", "brother_life", "brother_tlv"}) {
            if (src.format.rfind(std::string(kind) + ":", 0) != 0) continue;
            const auto code = src.format.substr(kind.size() + 1);
            if (code.empty() ||
                code.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos ||
                code.size() > 2) {
                fail(file, f->source(),
                     std::string(kind) + " needs a hex record code, e.g. " + std::string(kind) +
                         ":0a");
            }
        }
    }
    return src;
}

std::vector<ValueSource> sources_of(std::string_view file, const toml::table& t,
                                    std::string_view key) {
    std::vector<ValueSource> out;
    const auto* node = t.get(key);
    if (node == nullptr) return out;
    const auto* arr = node->as_array();
    if (arr == nullptr) fail(file, node->source(), std::string(key) + " must be an array");
    for (const auto& item : *arr) out.push_back(source_of(file, item));
    return out;
}

/// The tables of an array of tables (none when `node` is absent); `not_array` and `not_table`
/// are the errors for a value, or an element of it, of another type.
std::vector<const toml::table*> tables_of(std::string_view file, const toml::node* node,
                                          const std::string& not_array,
                                          const std::string& not_table) {
    std::vector<const toml::table*> out;
    if (node == nullptr) return out;
    const auto* arr = node->as_array();
    if (arr == nullptr) fail(file, node->source(), not_array);
    for (const auto& item : *arr) {
        const auto* t = item.as_table();
        if (t == nullptr) fail(file, item.source(), not_table);
        out.push_back(t);
    }
    return out;
}

proto::SupplyState state_of(std::string_view file, const toml::node& node) {
    const auto text = string_of(file, node, "state");
    auto state = proto::supply_state_from_string(text);
    if (!state) fail(file, node.source(), "unknown supply state '" + text + "'");
    return *state;
}

std::vector<LevelCode> codes_of(std::string_view file, const toml::node& node) {
    std::vector<LevelCode> out;
    const std::string shape = "expected {level = N, state = \"...\"}";
    for (const auto* t : tables_of(file, &node, "expected an array of {level, state}", shape)) {
        if (t->get("level") == nullptr || t->get("state") == nullptr)
            fail(file, t->source(), shape);
        check_keys(file, *t, {"level", "state"});
        out.push_back({int_of(file, *t->get("level"), "level"), state_of(file, *t->get("state"))});
    }
    return out;
}

/// A list of {code = N, <key> = "text"} tables; `parse` turns each text into a value or fails.
template <typename Parse>
auto code_map(std::string_view file, const toml::node& node, const std::string& key, Parse parse) {
    std::map<std::int64_t, decltype(parse(std::string{}, node))> out;
    const auto* codes = node.as_array();
    if (codes == nullptr) fail(file, node.source(), "expected an array of {code, " + key + "}");
    for (const auto& c : *codes) {
        const auto* ct = c.as_table();
        if (ct == nullptr || ct->get("code") == nullptr || ct->get(key) == nullptr) {
            fail(file, c.source(), "expected {code = ..., " + key + " = ...}");
        }
        check_keys(file, *ct, {"code", key});
        const auto* v = ct->get(key);
        out[int_of(file, *ct->get("code"), "code")] = parse(string_of(file, *v, key), *v);
    }
    return out;
}

/// `states` and `errors` of a status source or a shared enumeration.
void status_codes_of(std::string_view file, const toml::table& tt,
                     std::map<std::int64_t, proto::DeviceStatus>& states,
                     std::map<std::int64_t, std::string>& errors) {
    if (const auto* node = tt.get("states")) {
        states =
            code_map(file, *node, "device", [&](const std::string& text, const toml::node& at) {
                const auto d = proto::device_status_from_string(text);
                if (!d) fail(file, at.source(), "unknown device status '" + text + "'");
                return *d;
            });
    }
    if (const auto* node = tt.get("errors")) {
        errors = code_map(file, *node, "error", [&](const std::string& text, const toml::node& at) {
            const auto& known = proto::error_codes();
            if (std::find(known.begin(), known.end(), text) == known.end()) {
                fail(file, at.source(), "unknown error code '" + text + "'");
            }
            return text;
        });
    }
}

/// Top-level `[[status_enum]]`: {id, states, errors}.
std::map<std::string, StatusEnum> status_enums_of(std::string_view file, const toml::table& doc) {
    std::map<std::string, StatusEnum> out;
    for (const auto* tt : tables_of(file, doc.get("status_enum"), "use [[status_enum]] tables",
                                    "use [[status_enum]] tables")) {
        check_keys(file, *tt, {"id", "states", "errors"});
        const auto* id = tt->get("id");
        if (id == nullptr) fail(file, tt->source(), "status_enum without id");
        const std::string name = string_of(file, *id, "id");
        StatusEnum e;
        e.file = std::string(file);
        status_codes_of(file, *tt, e.states, e.errors);
        if (e.states.empty() && e.errors.empty()) {
            fail(file, tt->source(), "status_enum '" + name + "' has neither states nor errors");
        }
        if (!out.emplace(name, std::move(e)).second) {
            fail(file, id->source(), "status_enum '" + name + "' defined twice");
        }
    }
    return out;
}

/// A file's `[not_a_model]` table: non-empty lower-case words and texts.
NotAModel not_a_model_of(std::string_view file, const toml::table& doc) {
    NotAModel out;
    const auto* node = doc.get("not_a_model");
    if (node == nullptr) return out;
    const auto* t = node->as_table();
    if (t == nullptr) fail(file, node->source(), "not_a_model must be a table");
    check_keys(file, *t, {"first_words", "containing"});
    const auto texts = [&](const char* key, const auto& add) {
        const auto* n = t->get(key);
        if (n == nullptr) return;
        const auto* arr = n->as_array();
        if (arr == nullptr) fail(file, n->source(), std::string(key) + " must be an array");
        for (const auto& v : *arr) {
            auto s = string_of(file, v, key);
            if (s.empty() || s != text::lower(s)) {
                fail(file, v.source(), std::string(key) + " entries must be non-empty lower case");
            }
            add(std::move(s), v);
        }
    };
    texts("first_words", [&](std::string s, const toml::node& v) {
        if (s.find_first_of(NotAModel::kWordEnd) != std::string::npos) {
            fail(file, v.source(), "first_words entries are single words: '" + s + "'");
        }
        out.first_words.insert(std::move(s));
    });
    texts("containing",
          [&](std::string s, const toml::node&) { out.containing.push_back(std::move(s)); });
    return out;
}

/// One `[words]` entry: its bounds from the stars at its ends ("тонер*" starts a word, "*[k]*"
/// anywhere), folded to lower case. Chinese, Japanese and Korean text (from U+2E80 on: CJK,
/// kana, Hangul) matches anywhere: those panels do not space words.
Vocabulary::Word word_of(std::string_view file, const toml::node& node, const std::string& key) {
    const auto raw = string_of(file, node, key);
    std::string_view t = raw;
    Vocabulary::Word w;
    if (!t.empty() && t.front() == '*') {
        w.starts_word = false;
        t.remove_prefix(1);
    }
    if (!t.empty() && t.back() == '*') {
        w.ends_word = false;
        t.remove_suffix(1);
    }
    if (t.empty() || t.find('*') != std::string_view::npos || text::trim(t) != t) {
        fail(file, node.source(),
             key + " entries are words or phrases with '*' only at their ends: '" + raw + "'");
    }
    if (static_cast<unsigned char>(t.front()) >= 0xE2 &&
        (static_cast<unsigned char>(t.front()) > 0xE2 ||
         static_cast<unsigned char>(t[1]) >= 0xBA)) {
        w.starts_word = w.ends_word = false;  // U+2E80 is E2 BA 80
    }
    w.text = text::fold_case(t);
    return w;
}

/// Array `key` of table `t` as words, or none.
Vocabulary::Words words_of(std::string_view file, const toml::table& t, const std::string& key,
                           const std::string& where) {
    Vocabulary::Words out;
    const auto* n = t.get(key);
    if (n == nullptr) return out;
    const auto* arr = n->as_array();
    if (arr == nullptr) fail(file, n->source(), where + key + " must be an array of strings");
    for (const auto& v : *arr) out.push_back(word_of(file, v, where + key));
    return out;
}

/// The names of `names`, for messages.
template <std::size_t N>
std::string names_of(const std::array<std::string_view, N>& names) {
    std::string out;
    for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

/// A file's `[words]` table: word lists, `[words.supply]` by supply kind and `[words.color]`
/// by colour (Vocabulary's fixed keys; any other key is an error, so a typo is not a list
/// nobody reads).
Vocabulary words_of_file(std::string_view file, const toml::table& doc) {
    Vocabulary out;
    const auto* node = doc.get("words");
    if (node == nullptr) return out;
    const auto* t = node->as_table();
    if (t == nullptr) fail(file, node->source(), "words must be a table");
    for (const auto& [key, value] : *t) {
        const std::string k(key.str());
        if (k == "supply" || k == "color") continue;
        const auto& lists = Vocabulary::lists();
        const auto l = std::find_if(lists.begin(), lists.end(),
                                    [&](const Vocabulary::List& x) { return x.key == k; });
        if (l == lists.end()) {
            fail(file, value.source(), "unknown key 'words." + k + "'");
        }
        out.*(l->words) = words_of(file, *t, k, "words.");
    }
    const auto named = [&](const char* sub, const auto& names, auto& lists) {
        const auto* n = t->get(sub);
        if (n == nullptr) return;
        const auto* st = n->as_table();
        if (st == nullptr)
            fail(file, n->source(), std::string("words.") + sub + " must be a table");
        for (const auto& [key, value] : *st) {
            const std::string k(key.str());
            const auto it = std::find(names.begin(), names.end(), k);
            if (it == names.end()) {
                fail(file, value.source(),
                     "unknown " + std::string(sub) + " '" + k + "' (known: " + names_of(names) +
                         ")");
            }
            lists[static_cast<std::size_t>(it - names.begin())] =
                words_of(file, *st, k, std::string("words.") + sub + ".");
        }
    };
    named("supply", Vocabulary::kSupplies, out.supplies);
    named("color", Vocabulary::kColors, out.colors);
    return out;
}

/// Profile `status`: vendor status blocks and what their state and error codes mean.
std::vector<StatusSource> status_sources_of(std::string_view file, const toml::table& t) {
    std::vector<StatusSource> out;
    for (const auto* tt : tables_of(file, t.get("status"), "status must be an array of tables",
                                    "expected {oid = ..., format = ...}")) {
        check_keys(file, *tt, {"oid", "format", "states", "errors", "enum"});
        StatusSource ss;
        toml::table src;
        for (const auto& [k, v] : *tt) {
            if (k == "oid" || k == "format") src.insert(k, v);
        }
        ss.source = source_of(file, src);
        if (ss.source.format != "epson_st2_status" && ss.source.format != "enum") {
            fail(file, tt->source(),
                 R"(a status source needs format "epson_st2_status" or "enum")");
        }
        if (const auto* e = tt->get("enum")) {
            if (ss.source.format != "enum") {
                fail(file, e->source(), R"(enum = ... needs format "enum")");
            }
            if (tt->get("states") != nullptr || tt->get("errors") != nullptr) {
                fail(file, e->source(),
                     "a status source names an enum or lists its codes, not both");
            }
            ss.enum_id = string_of(file, *e, "enum");
        } else {
            status_codes_of(file, *tt, ss.states, ss.errors);
        }
        out.push_back(std::move(ss));
    }
    return out;
}

/// Profile `status_flags`: {oid, error, device = "down" | "warning"}.
std::vector<StatusFlag> status_flags_of(std::string_view file, const toml::table& t) {
    std::vector<StatusFlag> out;
    for (const auto* tt :
         tables_of(file, t.get("status_flags"), "status_flags must be an array of tables",
                   "expected {oid = ..., error = ...}")) {
        if (tt->get("oid") == nullptr || tt->get("error") == nullptr) {
            fail(file, tt->source(), "expected {oid = ..., error = ...}");
        }
        check_keys(file, *tt, {"oid", "error", "device", "set", "clear", "mask"});
        StatusFlag f;
        toml::table src;
        src.insert("oid", *tt->get("oid"));
        f.source = source_of(file, src);
        f.error = string_of(file, *tt->get("error"), "error");
        const auto& known = proto::error_codes();
        if (std::find(known.begin(), known.end(), f.error) == known.end()) {
            fail(file, tt->get("error")->source(), "unknown error code '" + f.error + "'");
        }
        if (const auto* d = tt->get("device")) {
            const auto text = string_of(file, *d, "device");
            if (text != "down" && text != "warning") {
                fail(file, d->source(), R"(device must be "down" or "warning")");
            }
            f.device = text == "down" ? proto::DeviceStatus::down : proto::DeviceStatus::warning;
        }
        const auto* set = tt->get("set");
        const auto* clear = tt->get("clear");
        if ((set == nullptr) != (clear == nullptr)) {
            fail(file, tt->source(), "set and clear go together");
        }
        if (set != nullptr) {
            f.set_values = int_list_of(file, *set, "set");
            f.clear_values = int_list_of(file, *clear, "clear");
            for (const auto v : f.set_values) {
                if (std::find(f.clear_values.begin(), f.clear_values.end(), v) !=
                    f.clear_values.end()) {
                    fail(file, clear->source(), std::to_string(v) + " is both set and clear");
                }
            }
        }
        if (const auto* m = tt->get("mask")) {
            if (set == nullptr) fail(file, m->source(), "mask needs set and clear");
            f.mask = int_of(file, *m, "mask");
            if (*f.mask <= 0) fail(file, m->source(), "mask must be positive");
        }
        out.push_back(std::move(f));
    }
    return out;
}

constexpr const char* kDerivedShape =
    "expected {name = ..., sum = [...]} or {name = ..., difference = [...]}";
constexpr const char* kCounterTableShape = "expected {type_column, value_column, types = [...]}";
constexpr const char* kSizeTableShape =
    "expected {unit_column, length_column, value_column, large, small} or "
    "{size_column, large_sizes, small_sizes (or the profile's paper_sizes), value_column, large, "
    "small}, optionally total";

Profile profile_of(std::string_view file, const toml::table& t) {
    check_keys(
        file, t,
        {"id",           "vendor",       "sys_object_id",  "sysdescr",     "model_from_sysdescr",
         "charset",      "inkjet_model", "model",          "serial",       "firmware",
         "mac",          "console",      "status",         "status_flags", "device_id",
         "counters",     "derived",      "counter_tables", "supply_pages", "supply_tables",
         "size_tables",  "supplies",     "supply_levels",  "low_percent",  "paper_sizes",
         "hand_fed_tray"});
    Profile p;
    p.file = std::string(file);
    const auto* id = t.get("id");
    if (id == nullptr) fail(file, t.source(), "profile without id");
    p.id = string_of(file, *id, "id");
    if (const auto* v = t.get("vendor")) p.vendor = string_of(file, *v, "vendor");
    if (const auto* s = t.get("sys_object_id")) {
        const auto* arr = s->as_array();
        if (arr == nullptr) fail(file, s->source(), "sys_object_id must be an array of OIDs");
        for (const auto& o : *arr) p.sys_object_ids.push_back(oid_of(file, o));
    }
    if (const auto* d = t.get("sysdescr"))
        p.sysdescr = compile(file, *d, string_of(file, *d, "sysdescr"));
    if (const auto* m = t.get("model_from_sysdescr")) {
        p.model_from_sysdescr = bool_of(file, *m, "model_from_sysdescr");
    }
    if (const auto* c = t.get("charset")) {
        p.charset = string_of(file, *c, "charset");
        if (!text::charset_from_name(p.charset)) {
            fail(file, c->source(), "unknown charset '" + p.charset + "'");
        }
    }
    if (const auto* m = t.get("inkjet_model"))
        p.inkjet_model = compile(file, *m, string_of(file, *m, "inkjet_model"));
    if (const auto* h = t.get("hand_fed_tray"))
        p.hand_fed_tray = compile(file, *h, string_of(file, *h, "hand_fed_tray"));
    if (const auto* l = t.get("low_percent")) {
        p.low_percent = static_cast<int>(int_of(file, *l, "low_percent"));
    }
    p.model = sources_of(file, t, "model");
    p.serial = sources_of(file, t, "serial");
    p.firmware = sources_of(file, t, "firmware");
    p.mac = sources_of(file, t, "mac");
    p.console = sources_of(file, t, "console");
    p.status = status_sources_of(file, t);
    p.status_flags = status_flags_of(file, t);
    p.device_id = sources_of(file, t, "device_id");
    for (const auto* dt :
         tables_of(file, t.get("derived"), "derived must be an array of tables", kDerivedShape)) {
        if (dt->get("name") == nullptr ||
            (dt->get("sum") == nullptr) == (dt->get("difference") == nullptr)) {
            fail(file, dt->source(), kDerivedShape);
        }
        check_keys(file, *dt, {"name", "sum", "difference", "partial"});
        DerivedCounter d;
        d.difference = dt->get("difference") != nullptr;
        const char* const how = d.difference ? "difference" : "sum";
        if (d.difference && dt->get("partial") != nullptr) {
            fail(file, dt->get("partial")->source(), "a difference needs all its parts");
        }
        if (const auto* pa = dt->get("partial")) {
            d.partial = bool_of(file, *pa, "partial");
        }
        d.name = counter_name_of(file, *dt->get("name"));
        const auto* parts = dt->get(how)->as_array();
        if (parts == nullptr || parts->size() < 2) {
            fail(file, dt->get(how)->source(),
                 std::string(how) + " needs at least two counter names");
        }
        for (const auto& part : *parts) d.parts.push_back(string_of(file, part, how));
        p.derived.push_back(std::move(d));
    }
    for (const auto* st : tables_of(file, t.get("supplies"), "supplies must be an array of tables",
                                    "expected {description = ..., oid = ...}")) {
        check_keys(file, *st,
                   {"description", "type", "color", "class", "oid", "format", "regex", "divisor",
                    "codes", "max_oid", "used"});
        SupplySource ss;
        const auto* d = st->get("description");
        const auto* ty = st->get("type");
        if (d == nullptr || ty == nullptr || st->get("oid") == nullptr) {
            fail(file, st->source(), "a supply needs description, type and oid");
        }
        ss.description = string_of(file, *d, "description");
        ss.type = string_of(file, *ty, "type");
        if (const auto* c = st->get("color")) ss.color = string_of(file, *c, "color");
        if (const auto* c = st->get("class")) {
            const auto cls = string_of(file, *c, "class");
            if (cls != "consumed" && cls != "receptacle") {
                fail(file, c->source(), R"(class must be "consumed" or "receptacle")");
            }
            ss.receptacle = cls == "receptacle";
        }
        toml::table src;
        for (const auto& [k, v] : *st) {
            if (k == "oid" || k == "format" || k == "regex") src.insert(k, v);
        }
        ss.source = source_of(file, src);
        if (const auto* dv = st->get("divisor")) {
            ss.divisor = int_of(file, *dv, "divisor");
            if (ss.divisor <= 0) fail(file, dv->source(), "divisor must be positive");
        }
        if (const auto* cd = st->get("codes")) {
            ss.codes = codes_of(file, *cd);
            if (ss.codes.empty()) fail(file, cd->source(), "codes must not be empty");
        }
        if (const auto* mx = st->get("max_oid")) ss.max_oid = oid_of(file, *mx);
        if (const auto* u = st->get("used")) {
            const auto b = u->value<bool>();
            if (!b) fail(file, u->source(), "used must be true or false");
            ss.used = *b;
            if (ss.used && !ss.max_oid) fail(file, u->source(), "used needs max_oid");
        }
        if (ss.max_oid && (!ss.codes.empty() || ss.divisor != 1)) {
            fail(file, st->source(), "max_oid goes with neither codes nor divisor");
        }
        p.supplies_private.push_back(std::move(ss));
    }
    for (const auto* st :
         tables_of(file, t.get("supply_pages"), "supply_pages must be an array of tables",
                   "expected {type = ..., oid = ...}")) {
        check_keys(file, *st, {"description", "type", "color", "oid", "format", "regex"});
        const auto* ty = st->get("type");
        if (ty == nullptr || st->get("oid") == nullptr) {
            fail(file, st->source(), "supply pages need type and oid");
        }
        SupplyPagesSource ps;
        ps.type = string_of(file, *ty, "type");
        if (const auto* d = st->get("description")) {
            ps.description = string_of(file, *d, "description");
        }
        if (ps.type == "other" && ps.description.empty()) {
            fail(file, st->source(), "supply pages of type other need a description");
        }
        if (const auto* c = st->get("color")) ps.color = string_of(file, *c, "color");
        toml::table src;
        for (const auto& [k, v] : *st) {
            if (k == "oid" || k == "format" || k == "regex") src.insert(k, v);
        }
        ps.source = source_of(file, src);
        p.supply_pages.push_back(std::move(ps));
    }
    for (const auto* st :
         tables_of(file, t.get("supply_tables"), "supply_tables must be an array of tables",
                   "expected {name_columns = ..., ...}")) {
        check_keys(file, *st,
                   {"name_columns", "level_column", "type", "codes", "type_column", "types",
                    "capacity_column", "color_column", "state_column", "states"});
        SupplyTable table;
        const auto* names = st->get("name_columns");
        const auto* level = st->get("level_column");
        const auto* ty = st->get("type");
        const auto* type_col = st->get("type_column");
        if (names == nullptr || level == nullptr || (ty == nullptr && type_col == nullptr)) {
            fail(file, st->source(),
                 "a supply table needs name_columns, level_column and type (or type_column)");
        }
        const auto* name_arr = names->as_array();
        if (name_arr == nullptr || name_arr->empty()) {
            fail(file, names->source(), "name_columns must be a non-empty array of OIDs");
        }
        for (const auto& n : *name_arr) table.name_columns.push_back(oid_of(file, n));
        table.level_column = oid_of(file, *level);
        if (ty != nullptr && type_col != nullptr) {
            fail(file, ty->source(), "type and type_column exclude each other");
        }
        if (ty != nullptr) table.type = string_of(file, *ty, "type");
        if (const auto* cd = st->get("codes")) table.codes = codes_of(file, *cd);
        const auto* types = st->get("types");
        if ((type_col == nullptr) != (types == nullptr)) {
            fail(file, st->source(), "type_column and types go together");
        }
        if (type_col != nullptr) {
            table.type_column = oid_of(file, *type_col);
            table.types = code_map(file, *types, "type",
                                   [](std::string text, const toml::node&) { return text; });
            if (table.types.empty()) fail(file, types->source(), "types must not be empty");
        }
        if (const auto* c = st->get("capacity_column")) table.capacity_column = oid_of(file, *c);
        if (const auto* c = st->get("color_column")) table.color_column = oid_of(file, *c);
        const auto* state_col = st->get("state_column");
        const auto* states = st->get("states");
        if ((state_col == nullptr) != (states == nullptr)) {
            fail(file, st->source(), "state_column and states go together");
        }
        if (state_col != nullptr) {
            table.state_column = oid_of(file, *state_col);
            table.states = code_map(
                file, *states, "state",
                [&](const std::string&, const toml::node& n) { return state_of(file, n); });
            if (table.states.empty()) fail(file, states->source(), "states must not be empty");
        }
        p.supply_tables.push_back(std::move(table));
    }
    for (const auto* ct : tables_of(file, t.get("counters"), "counters must be an array of tables",
                                    "expected {name = ..., oid = ...}")) {
        check_keys(file, *ct, {"name", "oid", "format", "regex", "scale", "override", "sum"});
        CounterSource cs;
        const auto* name = ct->get("name");
        if (name == nullptr) fail(file, ct->source(), "counter without name");
        cs.name = counter_name_of(file, *name);
        toml::table src;
        for (const auto& [k, v] : *ct) {
            if (k == "oid" || k == "format" || k == "regex") src.insert(k, v);
        }
        if (ct->get("oid") == nullptr) fail(file, ct->source(), "counter without oid");
        cs.source = source_of(file, src);
        if (const auto* s = ct->get("scale")) cs.scale = int_of(file, *s, "scale");
        if (const auto* o = ct->get("override")) {
            cs.override_standard = bool_of(file, *o, "override");
        }
        if (const auto* su = ct->get("sum")) {
            cs.sum = bool_of(file, *su, "sum");
        }
        p.counters.push_back(std::move(cs));
    }
    for (const auto* tt :
         tables_of(file, t.get("counter_tables"), "counter_tables must be an array of tables",
                   kCounterTableShape)) {
        if (tt->get("type_column") == nullptr || tt->get("value_column") == nullptr ||
            tt->get("types") == nullptr) {
            fail(file, tt->source(), kCounterTableShape);
        }
        check_keys(file, *tt,
                   {"type_column", "value_column", "types", "unit_column", "units",
                    "attribute_columns", "row_scale", "rows"});
        CounterTable table;
        if (const auto* ac = tt->get("attribute_columns")) {
            const auto* cols = ac->as_table();
            if (cols == nullptr || cols->empty()) {
                fail(file, ac->source(), "attribute_columns must be a non-empty table");
            }
            for (const auto& [key, col] : *cols) {
                table.attribute_columns[std::string(key.str())] = oid_of(file, col);
            }
        }
        // A rule names attributes by the table's attribute_columns, each with its codes.
        const auto match_of = [&](const toml::node& node) {
            const auto* m = node.as_table();
            if (m == nullptr || m->empty()) fail(file, node.source(), "match must be a table");
            CounterTable::Match out;
            for (const auto& [key, codes] : *m) {
                const std::string attr(key.str());
                if (table.attribute_columns.count(attr) == 0) {
                    fail(file, codes.source(),
                         "match on '" + attr + "', which no attribute_columns entry names");
                }
                out[attr] = int_list_of(file, codes, attr);
            }
            return out;
        };
        if (const auto* rw = tt->get("rows")) table.rows = match_of(*rw);
        if (const auto* rs = tt->get("row_scale")) {
            const auto* rules = rs->as_array();
            if (rules == nullptr || rules->empty()) {
                fail(file, rs->source(), "row_scale must be a non-empty array");
            }
            for (const auto& r : *rules) {
                const auto* rt = r.as_table();
                if (rt == nullptr || rt->get("match") == nullptr || rt->get("scale") == nullptr) {
                    fail(file, r.source(), "expected {match = {...}, scale = N}");
                }
                check_keys(file, *rt, {"match", "scale"});
                CounterTable::RowScale rule{match_of(*rt->get("match")),
                                            int_of(file, *rt->get("scale"), "scale")};
                if (rule.scale < 1 || rule.scale > 1000) {
                    fail(file, rt->get("scale")->source(), "scale must be 1..1000");
                }
                table.row_scale.push_back(std::move(rule));
            }
        }
        table.type_column = oid_of(file, *tt->get("type_column"));
        table.value_column = oid_of(file, *tt->get("value_column"));
        if ((tt->get("unit_column") == nullptr) != (tt->get("units") == nullptr)) {
            fail(file, tt->source(), "unit_column and units go together");
        }
        if (const auto* uc = tt->get("unit_column")) {
            table.unit_column = oid_of(file, *uc);
            const auto* units = tt->get("units")->as_array();
            if (units == nullptr || units->empty()) {
                fail(file, tt->get("units")->source(), "units must be a non-empty array");
            }
            for (const auto& u : *units) table.units.push_back(int_of(file, u, "units"));
        }
        const auto* types = tt->get("types")->as_array();
        if (types == nullptr) fail(file, tt->get("types")->source(), "types must be an array");
        for (const auto& ty : *types) {
            const auto* row = ty.as_table();
            if (row == nullptr || row->get("name") == nullptr ||
                (row->get("type") == nullptr) == (row->get("pattern") == nullptr)) {
                fail(file, ty.source(),
                     R"(expected {type = N, name = "..."} or {pattern = '...', name = "..."})");
            }
            check_keys(file, *row, {"type", "pattern", "name", "override", "match", "void"});
            CounterTable::Type entry;
            if (const auto* pt = row->get("pattern")) {
                entry.pattern = compile(file, *pt, string_of(file, *pt, "pattern"));
            } else {
                entry.types = int_list_of(file, *row->get("type"), "type");
            }
            if (const auto* m = row->get("match")) entry.match = match_of(*m);
            if (const auto* v = row->get("void")) {
                entry.void_counter = bool_of(file, *v, "void");
            }
            entry.name = counter_name_of(file, *row->get("name"));
            if (const auto* o = row->get("override")) {
                entry.override_standard = bool_of(file, *o, "override");
            }
            table.types.push_back(std::move(entry));
        }
        p.counter_tables.push_back(std::move(table));
    }
    // Size codes classed once for every size table of the profile (Lexmark's PaperSizeTC is
    // the same in its sides and sheets tables); a table may still list its own.
    const toml::table* paper_sizes = nullptr;
    if (const auto* ps = t.get("paper_sizes")) {
        paper_sizes = ps->as_table();
        if (paper_sizes == nullptr || paper_sizes->get("large") == nullptr ||
            paper_sizes->get("small") == nullptr) {
            fail(file, ps->source(), "paper_sizes must be {large = [...], small = [...]}");
        }
        check_keys(file, *paper_sizes, {"large", "small"});
    }
    for (const auto* tt : tables_of(file, t.get("size_tables"),
                                    "size_tables must be an array of tables", kSizeTableShape)) {
        // A row's size comes from its dimensions (unit + long edge) or from a size code
        // the profile classes as large or small: exactly one of the two ways.
        const auto has = [&](const char* k) { return tt->get(k) != nullptr; };
        const bool own_codes = has("large_sizes") && has("small_sizes");
        const bool by_length = has("unit_column") && has("length_column");
        const bool by_code = has("size_column") && (own_codes || paper_sizes != nullptr);
        if (!has("value_column") || !has("large") || !has("small") || by_length == by_code) {
            fail(file, tt->source(), kSizeTableShape);
        }
        check_keys(file, *tt,
                   {"unit_column", "length_column", "size_column", "large_sizes", "small_sizes",
                    "value_column", "large", "small", "total"});
        SizeTable table;
        if (by_length) {
            if (has("size_column") || has("large_sizes") || has("small_sizes")) {
                fail(file, tt->source(), "a size table is by length or by size code");
            }
            table.unit_column = oid_of(file, *tt->get("unit_column"));
            table.length_column = oid_of(file, *tt->get("length_column"));
        } else {
            if (has("unit_column") || has("length_column")) {
                fail(file, tt->source(), "a size table is by length or by size code");
            }
            if (has("large_sizes") != has("small_sizes")) fail(file, tt->source(), kSizeTableShape);
            table.size_column = oid_of(file, *tt->get("size_column"));
            const toml::table& from = own_codes ? *tt : *paper_sizes;
            const char* large_key = own_codes ? "large_sizes" : "large";
            const char* small_key = own_codes ? "small_sizes" : "small";
            for (auto [key, out] : {std::pair{large_key, &table.large_sizes},
                                    std::pair{small_key, &table.small_sizes}}) {
                const auto* codes = from.get(key)->as_array();
                if (codes == nullptr || codes->empty()) {
                    fail(file, from.get(key)->source(),
                         std::string(key) + " must be a non-empty array");
                }
                for (const auto& c : *codes) out->push_back(int_of(file, c, key));
            }
            for (const auto code : table.large_sizes) {
                if (std::find(table.small_sizes.begin(), table.small_sizes.end(), code) !=
                    table.small_sizes.end()) {
                    fail(file, from.get(small_key)->source(),
                         "size code " + std::to_string(code) + " is both large and small");
                }
            }
        }
        // One column, or several summed per row (mono + colour sides).
        const auto* vc = tt->get("value_column");
        if (const auto* cols = vc->as_array()) {
            if (cols->empty()) fail(file, vc->source(), "value_column must not be empty");
            for (const auto& c : *cols) table.value_columns.push_back(oid_of(file, c));
        } else {
            table.value_columns.push_back(oid_of(file, *vc));
        }
        for (auto [key, out] :
             {std::pair{"large", &table.large}, std::pair{"small", &table.small}}) {
            *out = counter_name_of(file, *tt->get(key), key);
        }
        if (const auto* total = tt->get("total")) {
            table.total = counter_name_of(file, *total, "total");
        }
        p.size_tables.push_back(std::move(table));
    }
    if (const auto* s = t.get("supply_levels")) {
        const auto* st = s->as_table();
        if (st == nullptr) fail(file, s->source(), "supply_levels must be a table");
        check_keys(file, *st, {"special", "coded_max_at_most", "coded"});
        if (const auto* sp = st->get("special")) p.supplies.special = codes_of(file, *sp);
        if (const auto* cm = st->get("coded_max_at_most")) {
            p.supplies.coded_max_at_most = int_of(file, *cm, "coded_max_at_most");
        }
        if (const auto* cd = st->get("coded")) p.supplies.coded = codes_of(file, *cd);
    }
    return p;
}

Brand brand_of(std::string_view file, const toml::table& t) {
    check_keys(file, t, {"vendor", "pattern", "products", "enterprises", "profile"});
    Brand b;
    b.file = std::string(file);
    const auto* v = t.get("vendor");
    if (v == nullptr) fail(file, t.source(), "brand without vendor");
    b.vendor = string_of(file, *v, "vendor");
    if (const auto* p = t.get("pattern")) {
        b.pattern_text = string_of(file, *p, "pattern");
        b.pattern = compile(file, *p, b.pattern_text);
    }
    if (const auto* p = t.get("products")) {
        b.products_text = string_of(file, *p, "products");
        b.products = compile(file, *p, b.products_text);
    }
    if (const auto* e = t.get("enterprises")) {
        const auto* arr = e->as_array();
        if (arr == nullptr) fail(file, e->source(), "enterprises must be an array of integers");
        for (const auto& n : *arr) {
            const auto value = int_of(file, n, "enterprise number");
            if (value < 0 || value > 0xFFFFFFFFLL)
                fail(file, n.source(), "enterprise out of range");
            b.enterprises.push_back(static_cast<std::uint32_t>(value));
        }
    }
    if (const auto* p = t.get("profile")) b.profile = string_of(file, *p, "profile");
    return b;
}

bool oid_prefix(const std::string& oid_text, const snmp::Oid& prefix) {
    const auto oid = snmp::parse_oid(oid_text);
    return oid && snmp::starts_with(*oid, prefix);
}

}  // namespace

std::string ValueSource::describe() const {
    std::string out;
    switch (field) {
        case Field::oid:
            out = snmp::to_string(oid);
            break;
        case Field::column:
            out = snmp::to_string(oid) + " (first row";
            if (name_column)
                out += (skip_named_rows ? " not named '" : " named '") + row_name_text + "'";
            out += ")";
            break;
        case Field::sys_descr:
            out = "sysDescr";
            break;
        case Field::hr_device_descr:
            out = "hrDeviceDescr";
            break;
    }
    if (!format.empty()) out += " (" + format + ")";
    return out;
}

void ProfileSet::load_text(std::string_view file_name, std::string_view toml_text) {
    toml::table doc;
    try {
        doc = toml::parse(toml_text, file_name);
    } catch (const toml::parse_error& e) {
        fail(file_name, e.source(), std::string(e.description()));
    }
    check_keys(file_name, doc, {"profile", "brand", "status_enum", "not_a_model", "words"});
    std::vector<Profile> profiles;
    std::vector<Brand> brands;
    for (const auto* t : tables_of(file_name, doc.get("profile"), "use [[profile]] tables",
                                   "use [[profile]] tables")) {
        profiles.push_back(profile_of(file_name, *t));
    }
    for (const auto* t :
         tables_of(file_name, doc.get("brand"), "use [[brand]] tables", "use [[brand]] tables")) {
        brands.push_back(brand_of(file_name, *t));
    }
    files_[std::string(file_name)] = {
        std::move(profiles), std::move(brands), status_enums_of(file_name, doc),
        not_a_model_of(file_name, doc), words_of_file(file_name, doc)};
    rebuild();
}

void ProfileSet::rebuild() {
    profiles_.clear();
    brands_.clear();
    enums_.clear();
    not_a_model_ = {};
    words_ = {};
    // generic.toml holds the catch-all brand table: vendor files come first so their more
    // specific patterns win.
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& [name, content] : files_) {
            if ((name == "generic.toml") != (pass == 1)) continue;
            profiles_.insert(profiles_.end(), content.profiles.begin(), content.profiles.end());
            brands_.insert(brands_.end(), content.brands.begin(), content.brands.end());
            // A file loaded over the embedded one of its name replaces its enums too; an id
            // defined in two files is the later file's (validate() refuses it).
            for (const auto& [id, e] : content.enums) enums_[id] = e;
            const auto& nam = content.not_a_model;
            not_a_model_.first_words.insert(nam.first_words.begin(), nam.first_words.end());
            not_a_model_.containing.insert(not_a_model_.containing.end(), nam.containing.begin(),
                                           nam.containing.end());
            words_.append(content.words);
        }
    }
    // Enumerations are shared across files: resolved once every file is in (validate() names
    // a reference left unresolved).
    for (auto& p : profiles_) {
        for (auto& ss : p.status) {
            if (ss.enum_id.empty()) continue;
            if (const auto it = enums_.find(ss.enum_id); it != enums_.end()) {
                ss.states = it->second.states;
                ss.errors = it->second.errors;
            }
        }
    }
}

void ProfileSet::validate() const {
    std::map<std::string, std::string> defined;  // enum id -> file
    for (const auto& [name, content] : files_) {
        for (const auto& [id, e] : content.enums) {
            if (const auto [it, fresh] = defined.emplace(id, name); !fresh) {
                throw ProfileError(
                    fmt::format("{}: status_enum '{}' is defined in {} too", name, id, it->second));
            }
        }
    }
    for (const auto& p : profiles_) {
        for (const auto& ss : p.status) {
            if (!ss.enum_id.empty() && enums_.count(ss.enum_id) == 0) {
                throw ProfileError(fmt::format("{}: profile {} names unknown status_enum '{}'",
                                               p.file, p.id, ss.enum_id));
            }
        }
    }
    for (const auto& b : brands_) {
        if (!b.profile.empty() && by_id(b.profile) == nullptr) {
            throw ProfileError(b.file + ": brand " + b.vendor + " names unknown profile '" +
                               b.profile + "'");
        }
    }
}

ProfileSet ProfileSet::load(const std::string& dir) {
    return dir.empty() ? embedded() : with_overrides(dir);
}

ProfileSet ProfileSet::embedded() {
    ProfileSet set;
    for (const auto& [name, text] : embedded_profiles()) set.load_text(name, text);
    set.validate();
    return set;
}

ProfileSet ProfileSet::with_overrides(const std::filesystem::path& dir) {
    ProfileSet set = embedded();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        throw ProfileError(dir.string() + ": not a directory");
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".toml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw ProfileError(path.string() + ": cannot read");
        std::ostringstream buf;
        buf << in.rdbuf();
        set.load_text(path.filename().string(), buf.str());
    }
    set.validate();
    return set;
}

bool pattern_search(const std::string& text, const std::regex& pattern, std::smatch* match) {
    const auto end =
        text.begin() + static_cast<std::ptrdiff_t>(std::min(text.size(), kPatternInputMax));
    if (match != nullptr) return std::regex_search(text.begin(), end, *match, pattern);
    return std::regex_search(text.begin(), end, pattern);
}

const Profile* ProfileSet::by_id(const std::string& id) const {
    for (const auto& p : profiles_) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

const Brand* ProfileSet::brand_for_text(const std::string& text) const {
    if (text.empty()) return nullptr;
    for (const auto& b : brands_) {
        if (b.pattern && pattern_search(text, *b.pattern)) return &b;
    }
    // Product-line names after every maker's own name: "Ricoh" in a text beats a product word
    // another maker's pattern might share.
    for (const auto& b : brands_) {
        if (b.products && pattern_search(text, *b.products)) return &b;
    }
    return nullptr;
}

const Brand* ProfileSet::brand_for_enterprise(std::uint32_t enterprise) const {
    for (const auto& b : brands_) {
        if (std::find(b.enterprises.begin(), b.enterprises.end(), enterprise) !=
            b.enterprises.end()) {
            return &b;
        }
    }
    return nullptr;
}

const Profile* ProfileSet::match(const std::string& sys_object_id, const std::string& sys_descr,
                                 const std::string& vendor_hint) const {
    const Profile* best = nullptr;
    std::size_t best_score = 0;
    for (const auto& p : profiles_) {
        std::size_t len = 0;
        for (const auto& prefix : p.sys_object_ids) {
            if (oid_prefix(sys_object_id, prefix)) len = std::max(len, prefix.size());
        }
        if (len == 0) continue;
        if (p.sysdescr && !pattern_search(sys_descr, *p.sysdescr)) continue;
        const std::size_t score = len * 2 + (p.sysdescr ? 1 : 0);
        if (score > best_score) {
            best = &p;
            best_score = score;
        }
    }
    if (best != nullptr) return best;
    // No sysObjectID match (absent, or an OEM's number): use the brand's profile.
    for (const auto& b : brands_) {
        if (b.vendor == vendor_hint && !b.profile.empty()) {
            const Profile* p = by_id(b.profile);
            if (p != nullptr && (!p->sysdescr || pattern_search(sys_descr, *p->sysdescr))) {
                return p;
            }
        }
    }
    return nullptr;
}

}  // namespace printmon::scanner
