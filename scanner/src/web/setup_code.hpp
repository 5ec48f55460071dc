#pragma once
// The one-time setup code (docs/scanner-ui.md, Security): when the UI listens beyond loopback,
// whoever reaches it first could otherwise claim the admin account, so first-run setup also
// requires a code that only someone on the machine can read (Jenkins' initialAdminPassword).

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace printmon::scanner::web {

class SetupCode {
  public:
    /// Whether a UI listening on `address` needs a code: any address but a loopback one (on
    /// loopback only the machine's own users reach the form).
    static bool required_for(const std::string& address);

    /// Makes a fresh random code and writes it to `file`, mode 0600 (the service account and
    /// root), replacing an older one. Throws std::runtime_error naming the file when it cannot
    /// be written: without it nobody could finish the setup.
    void issue(const std::string& file);

    /// Forgets the code and removes `file` (an account exists: setup is over).
    void retire(const std::string& file);

    enum class Check {
        ok,
        missing,      ///< no code offered
        wrong,        ///< not the issued code
        none_issued,  ///< no code is open (the account exists)
    };
    /// Compares in constant time; case and surrounding spaces of `offered` do not matter.
    Check check(std::string_view offered) const;

  private:
    mutable std::mutex mutex_;
    std::optional<std::string> code_;
};

}  // namespace printmon::scanner::web
