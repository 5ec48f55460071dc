// printmon-scanner entry point (placeholder until the CLI lands).
#include <cstdio>
int main() {
    std::puts("printmon-scanner " PRINTMON_VERSION);
    return 0;
}
