#pragma once
// The UI's files (scanner/web/*), embedded at build time by cmake/EmbedWeb.cmake so the binary
// serves them with no file system and no internet access.

#include <string_view>
#include <utility>
#include <vector>

namespace printmon::scanner::web {

/// (file name, bytes) of every file under scanner/web/, sorted by name. Generated.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_web_assets();

}  // namespace printmon::scanner::web
