#include "printmon/metrics/registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <variant>

#include <fmt/format.h>

namespace printmon::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        if (!std::isfinite(bounds_[i])) {
            throw std::invalid_argument("histogram bucket bounds must be finite");
        }
        if (i > 0 && !(bounds_[i - 1] < bounds_[i])) {
            throw std::invalid_argument("histogram bucket bounds must ascend strictly");
        }
    }
}

void Histogram::observe(double value) noexcept {
    // le is "less than or equal": the first bound >= value.
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
    const auto index = static_cast<std::size_t>(it - bounds_.begin());
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
    HistogramSnapshot s;
    s.bounds = bounds_;
    s.counts.resize(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.counts[i] = running;
    }
    // Rationale: _count is the +Inf bucket (not a separate atomic), so the two always agree
    // even when an observation lands during the scrape.
    s.count = running;
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

const std::vector<double>& default_latency_buckets() {
    static const std::vector<double> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10,  30};
    return kBuckets;
}

template <class Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& values) {
    if (values.size() != label_names_.size()) {
        throw std::invalid_argument(fmt::format("metric needs {} label values, got {}",
                                                label_names_.size(), values.size()));
    }
    std::lock_guard lock(mutex_);
    auto it = children_.find(values);
    if (it == children_.end()) it = children_.emplace(values, factory_()).first;
    return *it->second;
}

template <class Metric>
void Family<Metric>::remove(const std::vector<std::string>& values) {
    std::lock_guard lock(mutex_);
    children_.erase(values);
}

template <class Metric>
void Family<Metric>::each(
    const std::function<void(const std::vector<std::string>&, const Metric&)>& fn) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, metric] : children_) fn(values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct Registry::Entry {
    std::string name;
    std::string help;
    Type type = Type::kGauge;
    std::vector<std::string> label_names;
    std::variant<std::monostate, std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
                 std::unique_ptr<Family<Histogram>>, Collect>
        body;
};

Registry::Registry() = default;
Registry::~Registry() = default;

bool valid_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        const bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) return false;
    }
    return true;
}

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.rfind("__", 0) == 0) return false;  // "__" is reserved
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) return false;
    }
    return true;
}

Registry::Entry& Registry::add(const std::string& name, const std::string& help, Type type,
                               const std::vector<std::string>& label_names) {
    if (!valid_metric_name(name)) {
        throw std::invalid_argument(fmt::format("invalid metric name '{}'", name));
    }
    for (const auto& label : label_names) {
        if (!valid_label_name(label) || (type == Type::kHistogram && label == "le")) {
            throw std::invalid_argument(
                fmt::format("invalid label name '{}' of '{}'", label, name));
        }
    }
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_) {
        if (e->name == name) {
            throw std::invalid_argument(fmt::format("metric '{}' registered twice", name));
        }
    }
    auto entry = std::make_unique<Entry>();
    entry->name = name;
    entry->help = help;
    entry->type = type;
    entry->label_names = label_names;
    entries_.push_back(std::move(entry));
    return *entries_.back();
}

Family<Counter>& Registry::counter_family(const std::string& name, const std::string& help,
                                          const std::vector<std::string>& label_names) {
    auto family =
        std::make_unique<Family<Counter>>(label_names, [] { return std::make_unique<Counter>(); });
    auto& ref = *family;
    add(name, help, Type::kCounter, label_names).body = std::move(family);
    return ref;
}

Family<Gauge>& Registry::gauge_family(const std::string& name, const std::string& help,
                                      const std::vector<std::string>& label_names) {
    auto family =
        std::make_unique<Family<Gauge>>(label_names, [] { return std::make_unique<Gauge>(); });
    auto& ref = *family;
    add(name, help, Type::kGauge, label_names).body = std::move(family);
    return ref;
}

Family<Histogram>& Registry::histogram_family(const std::string& name, const std::string& help,
                                              const std::vector<double>& bounds,
                                              const std::vector<std::string>& label_names) {
    Histogram check(bounds);  // validates the bounds now, at registration
    auto family = std::make_unique<Family<Histogram>>(
        label_names, [bounds] { return std::make_unique<Histogram>(bounds); });
    auto& ref = *family;
    add(name, help, Type::kHistogram, label_names).body = std::move(family);
    return ref;
}

Counter& Registry::counter(const std::string& name, const std::string& help) {
    return counter_family(name, help, {}).get();
}
Gauge& Registry::gauge(const std::string& name, const std::string& help) {
    return gauge_family(name, help, {}).get();
}
Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<double>& bounds) {
    return histogram_family(name, help, bounds, {}).get();
}

void Registry::callback(const std::string& name, const std::string& help, Type type,
                        const std::vector<std::string>& label_names, Collect collect) {
    if (type == Type::kHistogram) {
        throw std::invalid_argument("callback metrics are counters or gauges");
    }
    add(name, help, type, label_names).body = std::move(collect);
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);
}

namespace {

const char* type_name(Type t) {
    switch (t) {
        case Type::kCounter:
            return "counter";
        case Type::kGauge:
            return "gauge";
        case Type::kHistogram:
            return "histogram";
    }
    return "untyped";
}

// `{a="x",b="y"}` (with an extra le pair for buckets), or "" without labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const std::string* le = nullptr) {
    if (names.empty() && le == nullptr) return;
    out += '{';
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ',';
        out += names[i];
        out += "=\"";
        out += escape_label_value(values[i]);
        out += '"';
    }
    if (le != nullptr) {
        if (!names.empty()) out += ',';
        out += "le=\"";
        out += *le;
        out += '"';
    }
    out += '}';
}

void append_sample(std::string& out, const std::string& name, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const std::string& value,
                   const std::string* le = nullptr) {
    out += name;
    append_labels(out, names, values, le);
    out += ' ';
    out += value;
    out += '\n';
}

}  // namespace

std::string Registry::render() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& entry : entries_) {
        const auto& e = *entry;
        std::string samples;
        if (const auto* counters = std::get_if<std::unique_ptr<Family<Counter>>>(&e.body)) {
            (*counters)->each([&](const std::vector<std::string>& values, const Counter& c) {
                append_sample(samples, e.name, e.label_names, values, std::to_string(c.value()));
            });
        } else if (const auto* gauges = std::get_if<std::unique_ptr<Family<Gauge>>>(&e.body)) {
            (*gauges)->each([&](const std::vector<std::string>& values, const Gauge& g) {
                append_sample(samples, e.name, e.label_names, values, format_value(g.value()));
            });
        } else if (const auto* hists = std::get_if<std::unique_ptr<Family<Histogram>>>(&e.body)) {
            (*hists)->each([&](const std::vector<std::string>& values, const Histogram& h) {
                const auto snap = h.snapshot();
                const std::string bucket = e.name + "_bucket";
                for (std::size_t i = 0; i < snap.bounds.size(); ++i) {
                    const std::string le = format_value(snap.bounds[i]);
                    append_sample(samples, bucket, e.label_names, values,
                                  std::to_string(snap.counts[i]), &le);
                }
                const std::string inf = "+Inf";
                append_sample(samples, bucket, e.label_names, values,
                              std::to_string(snap.counts.back()), &inf);
                append_sample(samples, e.name + "_sum", e.label_names, values,
                              format_value(snap.sum));
                append_sample(samples, e.name + "_count", e.label_names, values,
                              std::to_string(snap.count));
            });
        } else if (const auto* collect = std::get_if<Collect>(&e.body)) {
            try {
                for (const auto& s : (*collect)()) {
                    if (s.label_values.size() != e.label_names.size()) continue;
                    append_sample(samples, e.name, e.label_names, s.label_values,
                                  format_value(s.value));
                }
            } catch (...) {
                // Rationale: one failing source (a /proc read) must not take the whole scrape
                // down; its family is left out of this scrape.
                samples.clear();
            }
        }
        out += "# HELP ";
        out += e.name;
        out += ' ';
        out += escape_help(e.help);
        out += "\n# TYPE ";
        out += e.name;
        out += ' ';
        out += type_name(e.type);
        out += '\n';
        out += samples;
    }
    return out;
}

std::vector<std::string> Registry::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e->name);
    return out;
}

std::optional<ListenAddress> parse_listen(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw std::invalid_argument(
            fmt::format("'{}' is not HOST:PORT (e.g. \"127.0.0.1:9464\")", text));
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            throw std::invalid_argument(fmt::format("'{}': malformed [IPv6] host", text));
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        throw std::invalid_argument(
            fmt::format("'{}': an IPv6 host goes in brackets, e.g. \"[::1]:9464\"", text));
    }
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        throw std::invalid_argument(fmt::format("'{}': the port must be 1-65535", text));
    }
    return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace printmon::metrics
