// printmon-scanner: everything lives in scanner_lib; this only hands over the arguments.
#include <csignal>
#include <exception>
#include <iostream>

#include "app/cli.hpp"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed peer is an error value, not a dead process
    try {
        return printmon::scanner::run_cli(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "printmon-scanner: fatal: " << e.what() << "\n";
        return 70;
    }
}
