#include "spawn.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace printmon::test {

pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
    std::vector<std::string> args = argv;
    std::vector<char*> arg_ptrs;
    for (auto& a : args) arg_ptrs.push_back(a.data());
    arg_ptrs.push_back(nullptr);

    std::vector<std::string> env = options.env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const auto name = entry.substr(0, entry.find('=') + 1);
        bool replaced = false;
        for (const auto& mine : options.env) replaced = replaced || mine.rfind(name, 0) == 0;
        if (!replaced) env.emplace_back(entry);
    }
    std::vector<char*> env_ptrs;
    for (auto& e : env) env_ptrs.push_back(e.data());
    env_ptrs.push_back(nullptr);

    const std::string output = options.output.string();
    const int flags = O_WRONLY | O_CREAT | (options.truncate ? O_TRUNC : O_APPEND);

    const pid_t pid = fork();
    if (pid == 0) {
        if (!output.empty()) {
            const int fd = ::open(output.c_str(), flags, 0600);
            if (fd >= 0) {
                if (options.include_stdout) dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
        _exit(127);
    }
    return pid;
}

}  // namespace printmon::test
