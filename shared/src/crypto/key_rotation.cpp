#include "printmon/crypto/key_rotation.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "printmon/common/logging.hpp"

namespace printmon::crypto {
namespace {

/// Reads a key file, or nullopt when it is missing or unreadable (said by the caller).
std::optional<SecretKey> try_load(const std::filesystem::path& path) {
    if (path.empty()) return std::nullopt;
    try {
        return SecretKey::load(path);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

SecretKeyHolder::SecretKeyHolder(std::filesystem::path file, const SecretKey& key)
    : file_(std::move(file)), key_(std::make_shared<const SecretKey>(key)) {}

std::shared_ptr<const SecretKey> SecretKeyHolder::current() const {
    std::lock_guard lock(mutex_);
    return key_;
}

std::shared_ptr<const SecretKey> SecretKeyHolder::adopt(const std::string& key_id) {
    std::lock_guard lock(mutex_);
    if (key_->id() == key_id) return key_;
    if (key_id.empty()) return nullptr;
    auto from_file = try_load(file_);
    if (!from_file || from_file->id() != key_id) return nullptr;
    common::get_logger("secrets")->info("event=secret_key_adopted key_id={} previous_key_id={}",
                                        key_id, key_->id());
    key_ = std::make_shared<const SecretKey>(*from_file);
    return key_;
}

std::filesystem::path pending_key_path(const std::filesystem::path& key_file) {
    auto p = key_file;
    p += ".next";
    return p;
}

void install_key_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        throw std::runtime_error(fmt::format("secret key file {}: cannot put {} in place: {}",
                                             to.string(), from.string(), std::strerror(errno)));
    }
    const auto folder = to.has_parent_path() ? to.parent_path() : std::filesystem::path(".");
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        // Best effort: the rename is in place either way; the sync only makes it survive a
        // power cut.
        (void)::fsync(fd);
        ::close(fd);
    }
}

bool complete_pending_rotation(const std::filesystem::path& key_file,
                               const std::string& registered_key_id) {
    const auto pending_path = pending_key_path(key_file);
    std::error_code ec;
    if (registered_key_id.empty() || !std::filesystem::exists(pending_path, ec)) return false;
    const auto pending = try_load(pending_path);
    // Not committed (or committing now): not this start's to finish.
    if (!pending || pending->id() != registered_key_id) return false;
    const auto current = try_load(key_file);
    if (current && current->id() == registered_key_id) return false;
    install_key_file(pending_path, key_file);
    common::get_logger("secrets")->warn("event=secret_key_rotation_completed key_id={} path={}",
                                        registered_key_id, common::log_value(key_file.string()));
    return true;
}

}  // namespace printmon::crypto
