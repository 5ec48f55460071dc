// printmon-uploader: everything lives in uploader_lib; this only hands over the arguments.
#include <csignal>
#include <exception>
#include <iostream>

#include "app/cli.hpp"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed peer is an error value, not a dead process
    try {
        return printmon::uploader::run_cli(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "printmon-uploader: fatal: " << e.what() << "\n";
        return 70;
    }
}
