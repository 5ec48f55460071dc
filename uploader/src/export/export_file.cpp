#include "export/export_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "app/unique_fd.hpp"
#include "printmon/common/logging.hpp"
#include "printmon/proto/codec.hpp"
#include "printmon/proto/export.hpp"
#include "printmon/proto/uuid.hpp"

namespace printmon::uploader {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error(
        fmt::format("export: {} {}: {}", what, path.string(), std::strerror(errno)));
}

/// Output over a file descriptor, buffered, throwing on write errors.
class FdStream {
  public:
    FdStream(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {
        buffer_.reserve(kBuffer);
    }
    void write(std::string_view text) {
        buffer_.append(text);
        if (buffer_.size() >= kBuffer) Flush();
    }
    void Flush() {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const auto n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot write", path_);
            }
            done += static_cast<std::size_t>(n);
        }
        written_ += buffer_.size();
        buffer_.clear();
    }
    std::size_t written() const { return written_ + buffer_.size(); }

  private:
    static constexpr std::size_t kBuffer = std::size_t{64} * 1024;
    int fd_;
    std::filesystem::path path_;
    std::string buffer_;
    std::size_t written_ = 0;
};

/// Removes the temporary file unless the rename happened.
struct TempFileGuard {
    std::filesystem::path path;
    bool keep = false;
    ~TempFileGuard() {
        if (!keep) {
            std::error_code ec;
            std::filesystem::remove(path, ec);
        }
    }
};

}  // namespace

ExportReport export_outbox(Outbox& outbox, const CloudSettings& settings,
                           const ExportOptions& options) {
    static const auto log = common::get_logger("uploader.export");
    if (settings.scanner_id.empty())
        throw std::runtime_error("export: settings.scanner_id is empty");
    // 1. Everything unsent (since --since) gets a batch id, as online delivery would do.
    std::size_t claimed = 0;
    while (outbox.claim_batch(options.since)) ++claimed;
    const auto ids = outbox.export_batch_ids(options.include_sent, options.since);

    // 2. Stream the batches into a temporary file beside the target.
    const auto target = std::filesystem::absolute(options.out);
    const auto dir = target.parent_path();
    TempFileGuard guard{dir / ("." + target.filename().string() + ".tmp-" + proto::new_uuid())};
    UniqueFd fd(::open(guard.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!fd) fail("cannot create", guard.path);

    ExportReport report;
    std::vector<std::string> exported;
    FdStream stream(fd.get(), guard.path);
    // The envelope's pieces come from proto (the format's one home), so this streaming writer
    // and proto::to_export_json write the same bytes.
    stream.write(proto::export_prefix());
    for (const auto& id : ids) {
        auto batch = outbox.load_batch(id, settings.scanner_id);
        if (!batch || (batch->readings.empty() && batch->events.empty())) continue;
        // Each batch is the exact document the ingest endpoint receives.
        if (report.batches > 0) stream.write(proto::kExportSeparator);
        stream.write(proto::to_json(*batch));
        ++report.batches;
        report.readings += batch->readings.size();
        report.events += batch->events.size();
        exported.push_back(id);
    }
    stream.write(proto::kExportSuffix);
    stream.Flush();

    // 3. Durable before visible, visible before anything is marked sent.
    if (::fsync(fd.get()) != 0) fail("cannot fsync", guard.path);
    fd.reset();
    if (::rename(guard.path.c_str(), target.c_str()) != 0) fail("cannot rename to", target);
    guard.keep = true;
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd || ::fsync(dir_fd.get()) != 0) fail("cannot fsync directory", dir);
    report.bytes = stream.written();

    if (options.mark_sent) {
        for (const auto& id : exported) {
            if (outbox.mark_sent(id)) ++report.marked_sent;
        }
    }
    log->info(
        "event=exported file={} batches={} readings={} events={} claimed={} marked_sent={} "
        "bytes={}",
        common::log_value(target.string()), report.batches, report.readings, report.events, claimed,
        report.marked_sent, report.bytes);
    return report;
}

}  // namespace printmon::uploader
