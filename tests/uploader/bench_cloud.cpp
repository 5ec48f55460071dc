// printmon-uploader-bench-cloud CERT KEY: the test cloud (uploader_support's TestCloud, the
// ingest contract over HTTPS) as a process, for bench/uploader. Prints "port=N", serves until
// stdin closes, then prints what it stored as key=value lines.
#include <cstdio>
#include <iostream>
#include <string>

#include "uploader_support.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " CERT KEY\n";
        return 2;
    }
    auto store = std::make_shared<printmon::uploader::test::CloudStore>();
    printmon::uploader::test::TestCloud cloud(argv[1], argv[2], store);
    std::cout << "port=" << cloud.port() << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    cloud.stop();
    std::lock_guard lock(store->mutex);
    std::cout << "requests=" << store->requests << "\nbatches=" << store->batches.size()
              << "\nreadings_stored=" << store->readings_stored
              << "\nreadings_duplicate=" << store->readings_duplicate << std::endl;
    return 0;
}
