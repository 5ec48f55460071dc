#pragma once
// Operator metrics in the Prometheus text exposition format (version 0.0.4): a registry of
// counters, gauges and histograms with fixed buckets, and callback families whose samples are
// computed at scrape time (pool gauges, queue depths, /proc). No singletons: each App owns one
// Registry and hands references to the parts it instruments.
//
// Rationale: the hot path (Counter::inc, Gauge::set, Histogram::observe) is a few relaxed
// atomic operations on an object the caller looked up once; only Family::with() (a label
// lookup) and render() take a mutex.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace printmon::metrics {

/// Prometheus metric types as written on the `# TYPE` line.
enum class Type { kCounter, kGauge, kHistogram };

/// A monotonically increasing 64-bit integer (counters are never floats, STYLE.md §6).
class Counter {
  public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (a depth, a lag in seconds, a timestamp).
class Gauge {
  public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> value_{0.0};
};

/// Cumulative view of a histogram at one moment.
struct HistogramSnapshot {
    std::vector<double> bounds;         ///< upper bounds, ascending, without +Inf
    std::vector<std::uint64_t> counts;  ///< cumulative, one per bound plus the +Inf bucket
    double sum = 0.0;
    std::uint64_t count = 0;  ///< == counts.back()
};

/// Observations counted into fixed buckets (upper bounds given at construction).
class Histogram {
  public:
    /// `bounds` ascending, finite, no duplicates; throws std::invalid_argument otherwise.
    explicit Histogram(std::vector<double> bounds);
    void observe(double value) noexcept;
    HistogramSnapshot snapshot() const;

  private:
    std::vector<double> bounds_;
    std::vector<std::atomic<std::uint64_t>> buckets_;  // bounds_.size() + 1 (the +Inf one)
    std::atomic<double> sum_{0.0};
};

/// Latency buckets in seconds, 5 ms to 30 s: what every printmon latency histogram uses.
const std::vector<double>& default_latency_buckets();

/// One metric name with its help, type and label names; children per label-value tuple.
template <class Metric>
class Family {
  public:
    using Factory = std::function<std::unique_ptr<Metric>()>;
    Family(std::vector<std::string> label_names, Factory factory)
        : label_names_(std::move(label_names)), factory_(std::move(factory)) {}

    /// The child for these label values (created at first use; the reference stays valid for
    /// the registry's lifetime). Throws std::invalid_argument when the number of values is
    /// not the number of label names.
    Metric& with(const std::vector<std::string>& values);
    /// The child without labels (a family declared with no label names).
    Metric& get() { return with({}); }
    /// Drops a child (a deleted device), so the label set stays bounded.
    void remove(const std::vector<std::string>& values);

    const std::vector<std::string>& label_names() const { return label_names_; }
    /// Calls fn(values, metric) for every child, in label order, under the family's lock.
    void each(const std::function<void(const std::vector<std::string>&, const Metric&)>& fn) const;

  private:
    std::vector<std::string> label_names_;
    Factory factory_;
    mutable std::mutex mutex_;
    std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

/// A sample produced by a callback family at scrape time.
struct Sample {
    std::vector<std::string> label_values;
    double value = 0.0;
};
using Collect = std::function<std::vector<Sample>()>;

/// All metrics of one process. Thread-safe. Registration happens at startup; a second
/// registration of a name, or an invalid metric or label name, throws std::invalid_argument.
class Registry {
  public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    Family<Counter>& counter_family(const std::string& name, const std::string& help,
                                    const std::vector<std::string>& label_names);
    Family<Gauge>& gauge_family(const std::string& name, const std::string& help,
                                const std::vector<std::string>& label_names);
    Family<Histogram>& histogram_family(const std::string& name, const std::string& help,
                                        const std::vector<double>& bounds,
                                        const std::vector<std::string>& label_names);

    Counter& counter(const std::string& name, const std::string& help);
    Gauge& gauge(const std::string& name, const std::string& help);
    Histogram& histogram(const std::string& name, const std::string& help,
                         const std::vector<double>& bounds);

    /// A family whose samples `collect` computes at each scrape (type counter or gauge). It
    /// runs on the scrape thread: keep it cheap and never throwing (an exception drops that
    /// family from this scrape).
    void callback(const std::string& name, const std::string& help, Type type,
                  const std::vector<std::string>& label_names, Collect collect);

    /// Every metric in the text exposition format 0.0.4, families in registration order.
    std::string render() const;

    /// Registered metric names (for tests and docs checks).
    std::vector<std::string> names() const;

  private:
    struct Entry;
    Entry& add(const std::string& name, const std::string& help, Type type,
               const std::vector<std::string>& label_names);
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Entry>> entries_;
};

/// The content type of render()'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Escapes a label value: backslash, double quote and line feed (exposition format rules).
std::string escape_label_value(std::string_view value);
/// Escapes HELP text: backslash and line feed.
std::string escape_help(std::string_view help);
/// A sample value: shortest round-trip decimal, "+Inf", "-Inf" or "NaN".
std::string format_value(double value);
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

/// Process metrics from /proc/self (Linux): process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_threads, process_start_time_seconds,
/// process_cpu_seconds_total.
void register_process_metrics(Registry& registry);

/// A `[metrics] listen` value: "HOST:PORT" ("127.0.0.1:9464", "[::1]:9464"). Empty: off.
struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};
/// Parses a listen value; nullopt for "" (metrics off). Throws std::invalid_argument with a
/// message naming the problem for anything else that is not HOST:PORT with a port 1-65535.
std::optional<ListenAddress> parse_listen(std::string_view text);

}  // namespace printmon::metrics
