#include "web/setup_code.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "printmon/crypto/crypto.hpp"
#include "printmon/net/client.hpp"

namespace printmon::scanner::web {
namespace {

/// An open file descriptor, closed once.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

[[noreturn]] void fail(const std::string& file, const char* what) {
    throw std::runtime_error(fmt::format("cannot write the setup code file '{}': {}: {}", file,
                                         what, std::strerror(errno)));
}

}  // namespace

bool SetupCode::required_for(const std::string& address) { return !net::is_loopback_host(address); }

void SetupCode::issue(const std::string& file) {
    // 96 random bits as 24 hex digits: easy to copy, far beyond guessing at the login rate
    // limit's pace.
    std::array<unsigned char, 12> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("setup code: no random bytes from OpenSSL");
    }
    std::string code = crypto::hex(bytes.data(), bytes.size());
    {
        // O_NOFOLLOW: a link planted where the file goes must not redirect the write.
        const Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                           S_IRUSR | S_IWUSR));
        if (fd.get() < 0) fail(file, "open");
        // An older file may have a wider mode; the umask may have narrowed nothing.
        if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) fail(file, "chmod");
        const std::string line = code + "\n";
        if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
            fail(file, "write");
        }
    }
    const std::lock_guard lock(mutex_);
    code_ = std::move(code);
}

void SetupCode::retire(const std::string& file) {
    {
        const std::lock_guard lock(mutex_);
        code_.reset();
    }
    std::error_code ec;
    std::filesystem::remove(file, ec);  // gone already is fine; a code without a use is harmless
}

SetupCode::Check SetupCode::check(std::string_view offered) const {
    while (!offered.empty() && std::isspace(static_cast<unsigned char>(offered.front())) != 0) {
        offered.remove_prefix(1);
    }
    while (!offered.empty() && std::isspace(static_cast<unsigned char>(offered.back())) != 0) {
        offered.remove_suffix(1);
    }
    std::string lower(offered);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::lock_guard lock(mutex_);
    if (!code_) return Check::none_issued;
    if (lower.empty()) return Check::missing;
    return crypto::constant_time_equal(lower, *code_) ? Check::ok : Check::wrong;
}

}  // namespace printmon::scanner::web
