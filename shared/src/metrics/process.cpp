// Process metrics read from /proc at scrape time (Linux only; what the Go and Python clients
// export under the same names, so standard dashboards work).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "printmon/metrics/registry.hpp"

namespace printmon::metrics {
namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces and parens).
std::vector<std::string> stat_fields() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');
    std::vector<std::string> fields;
    if (close == std::string::npos) return fields;
    std::istringstream rest(line.substr(close + 2));
    std::string f;
    while (rest >> f) fields.push_back(f);
    return fields;  // fields[0] is field 3 (state)
}

double boot_time_seconds() {
    std::ifstream in("/proc/stat");
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime") {
            in >> value;
            return value;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return 0;
}

double field(const std::vector<std::string>& fields, std::size_t number) {
    // `number` as in proc(5) (1-based, with pid and comm as 1 and 2).
    const std::size_t index = number - 3;
    return index < fields.size() ? std::stod(fields[index]) : 0.0;
}

}  // namespace

void register_process_metrics(Registry& registry) {
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
    // The start time never changes: computed once here.
    const double start = boot_time_seconds() + field(stat_fields(), 22) / ticks;

    registry.callback("process_resident_memory_bytes", "Resident memory size in bytes.",
                      Type::kGauge, {}, [page] {
                          return std::vector<Sample>{{{}, field(stat_fields(), 24) * page}};
                      });
    registry.callback("process_virtual_memory_bytes", "Virtual memory size in bytes.", Type::kGauge,
                      {}, [] {
                          return std::vector<Sample>{{{}, field(stat_fields(), 23)}};
                      });
    registry.callback("process_open_fds", "Number of open file descriptors.", Type::kGauge, {}, [] {
        double n = 0;
        std::error_code ec;
        for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
             it.increment(ec)) {
            ++n;
        }
        return std::vector<Sample>{{{}, n}};
    });
    registry.callback("process_threads", "Number of threads of the process.", Type::kGauge, {}, [] {
        return std::vector<Sample>{{{}, field(stat_fields(), 20)}};
    });
    registry.callback("process_start_time_seconds",
                      "Start time of the process since the Unix epoch in seconds.", Type::kGauge,
                      {}, [start] {
                          return std::vector<Sample>{{{}, start}};
                      });
    registry.callback("process_cpu_seconds_total", "Total user and system CPU time in seconds.",
                      Type::kCounter, {}, [ticks] {
                          const auto f = stat_fields();
                          return std::vector<Sample>{{{}, (field(f, 14) + field(f, 15)) / ticks}};
                      });
}

}  // namespace printmon::metrics
