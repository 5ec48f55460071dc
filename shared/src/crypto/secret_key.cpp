#include "printmon/crypto/secret_key.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "printmon/common/logging.hpp"
#include "printmon/crypto/crypto.hpp"

namespace printmon::crypto {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string base64(const std::vector<unsigned char>& data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::vector<unsigned char>> unbase64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // Rationale: EVP_DecodeBlock counts the padding as zero bytes; drop them.
    auto size = static_cast<std::size_t>(n);
    if (text.back() == '=') --size;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
    out.resize(size);
    return out;
}

void throw_file_error(const std::filesystem::path& path, const std::string& what) {
    throw std::runtime_error(fmt::format("secret key file {}: {}", path.string(), what));
}

std::string read_key_text(const std::filesystem::path& path, int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) throw_file_error(path, std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw_file_error(path, "not a regular file");
    if ((st.st_mode & 077U) != 0) {
        // Not fatal: the service must still start, but the admin should know.
        common::get_logger("secrets")->warn("event=secret_key_mode path={} mode={:o} expected=600",
                                            common::log_value(path.string()), st.st_mode & 0777U);
    }
    std::string text(128, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == text.size()) throw_file_error(path, "too long to be a printmon key");
        const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_file_error(path, std::strerror(errno));
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    text.resize(used);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

/// Writes a fresh key to a temporary file beside `path` and links it into place: the name
/// appears only with its whole content. Returns the raw key, or nullopt when `path` appeared
/// meanwhile (another process won; the caller reads that one). Throws on I/O errors.
std::optional<std::string> write_new_key(const std::filesystem::path& path) {
    std::array<unsigned char, SecretKey::kBytes> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
        throw_file_error(path, "OpenSSL RAND_bytes failed");
    }
    std::string tmp = path.string() + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) throw_file_error(path, fmt::format("cannot create it: {}", std::strerror(errno)));
    std::string text = hex(raw.data(), raw.size()) + "\n";
    // Rationale: mkstemp makes 0600 already; fchmod keeps it exact whatever the platform does.
    bool ok = ::fchmod(fd, 0600) == 0;
    // An administrator's command run as root (`secrets rotate`, `forget-key`) makes the key
    // for the service, which runs as the owner of its state folder: a root-owned 0600 file
    // would lock the service out of its own key.
    const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    struct stat dir {};
    if (ok && ::geteuid() == 0 && ::stat(folder.c_str(), &dir) == 0 &&
        (dir.st_uid != 0 || dir.st_gid != 0)) {
        ok = ::fchown(fd, dir.st_uid, dir.st_gid) == 0;
    }
    ok = ok && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ok && ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    OPENSSL_cleanse(text.data(), text.size());
    if (!ok) {
        ::unlink(tmp.c_str());
        OPENSSL_cleanse(raw.data(), raw.size());
        throw_file_error(path, std::strerror(saved));
    }
    const bool linked = ::link(tmp.c_str(), path.c_str()) == 0;
    saved = errno;
    ::unlink(tmp.c_str());
    if (!linked) {
        OPENSSL_cleanse(raw.data(), raw.size());
        if (saved == EEXIST) return std::nullopt;
        throw_file_error(path, fmt::format("cannot create it: {}", std::strerror(saved)));
    }
    std::string bytes(reinterpret_cast<const char*>(raw.data()), raw.size());
    OPENSSL_cleanse(raw.data(), raw.size());
    return bytes;
}

}  // namespace

SecretKey SecretKey::from_bytes(std::string_view bytes) {
    if (bytes.size() != kBytes) throw std::invalid_argument("a secret key has 32 bytes");
    SecretKey k;
    std::memcpy(k.key_.data(), bytes.data(), kBytes);
    // The id hashes the key with a label, so it reveals nothing usable about the key itself.
    std::string labelled = "printmon-secret-key-id:";
    labelled.append(bytes.data(), bytes.size());
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(labelled.data()), labelled.size(), digest.data());
    OPENSSL_cleanse(labelled.data(), labelled.size());
    k.id_ = hex(digest.data(), 8);
    return k;
}

SecretKey SecretKey::load_or_create(const std::filesystem::path& path, bool* created) {
    if (path.empty()) throw std::runtime_error("secret key file: no path configured");
    if (created != nullptr) *created = false;
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
        if (auto raw = write_new_key(path)) {
            if (created != nullptr) *created = true;
            auto key = from_bytes(*raw);
            OPENSSL_cleanse(raw->data(), raw->size());
            return key;
        }
        // Another process linked its key first: read that one below.
    }
    return load(path);
}

SecretKey SecretKey::create(const std::filesystem::path& path) {
    if (path.empty()) throw std::runtime_error("secret key file: no path configured");
    auto raw = write_new_key(path);
    if (!raw) throw_file_error(path, "exists already");
    auto key = from_bytes(*raw);
    OPENSSL_cleanse(raw->data(), raw->size());
    return key;
}

SecretKey SecretKey::load(const std::filesystem::path& path) {
    if (path.empty()) throw std::runtime_error("secret key file: no path configured");
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_file_error(path, std::strerror(errno));
    std::string text;
    try {
        text = read_key_text(path, fd);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    if (text.size() != 2 * kBytes) {
        OPENSSL_cleanse(text.data(), text.size());
        throw_file_error(path, "not a printmon key (expected 64 hexadecimal characters)");
    }
    std::string raw(kBytes, '\0');
    for (std::size_t i = 0; i < kBytes; ++i) {
        const int hi = hex_value(text[2 * i]);
        const int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            OPENSSL_cleanse(text.data(), text.size());
            throw_file_error(path, "not a printmon key (expected 64 hexadecimal characters)");
        }
        raw[i] = static_cast<char>((hi << 4) | lo);
    }
    OPENSSL_cleanse(text.data(), text.size());
    auto key = from_bytes(raw);
    OPENSSL_cleanse(raw.data(), raw.size());
    return key;
}

SecretKey::~SecretKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string SecretKey::encrypt(std::string_view plaintext, std::string_view aad) const {
    std::vector<unsigned char> out(kNonceBytes + plaintext.size() + kTagBytes);
    if (RAND_bytes(out.data(), static_cast<int>(kNonceBytes)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    const bool ok =
        ctx &&
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data()) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), out.data() + kNonceBytes, &len,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceBytes + len, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                            out.data() + kNonceBytes + plaintext.size()) == 1;
    if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
    return base64(out);
}

tl::expected<std::string, std::string> SecretKey::decrypt(std::string_view sealed,
                                                          std::string_view aad) const {
    const auto raw = unbase64(sealed);
    if (!raw) return tl::make_unexpected(std::string("not base64"));
    if (raw->size() < kNonceBytes + kTagBytes) {
        return tl::make_unexpected(std::string("too short to be a sealed value"));
    }
    const std::size_t n = raw->size() - kNonceBytes - kTagBytes;
    std::string plain(n, '\0');
    std::array<unsigned char, kTagBytes> tag{};
    std::memcpy(tag.data(), raw->data() + kNonceBytes + n, kTagBytes);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    const bool setup =
        ctx &&
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), raw->data()) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                          raw->data() + kNonceBytes, static_cast<int>(n)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                            tag.data()) == 1;
    // An empty plaintext gives plain.data() + len one past the end; Final writes nothing there.
    std::array<unsigned char, 16> scratch{};
    if (!setup || EVP_DecryptFinal_ex(ctx.get(), scratch.data(), &len) != 1) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return tl::make_unexpected(std::string("does not authenticate with this key"));
    }
    return plain;
}

}  // namespace printmon::crypto
