// printmon-cloud-api: everything lives in cloud_api_lib; this only hands over the arguments.
#include <csignal>
#include <exception>
#include <iostream>

#include "app/cli.hpp"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed peer is an error value, not a dead process
    try {
        return printmon::cloud::run_cli(argc, argv, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "printmon-cloud-api: fatal: " << e.what() << "\n";
        return 70;
    }
}
