// Test helper: the bytes of a file, as they are on disk ("" when it cannot be read; the tests
// compare the result, so a missing file shows as a difference).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace oligoscreen::test {

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace oligoscreen::test
