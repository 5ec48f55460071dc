#pragma once
// The console's files (cloud-api/web/* and Debian's Chart.js as chart.js), embedded at build
// time by cmake/EmbedWeb.cmake so the binary serves them with no files and no internet.

#include <string_view>
#include <utility>
#include <vector>

namespace printmon::cloud::console {

/// (file name, bytes) of every embedded console file. Generated.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_web_assets();

}  // namespace printmon::cloud::console
