#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "rules/loader.hpp"

namespace oligoscreen::detail {

namespace fs = std::filesystem;

static bool safe_relative(std::string_view rel, std::string& error) {
  if (rel.empty()) {
    error = "empty file name";
    return false;
  }
  if (rel.front() == '/' || rel.find('\\') != std::string_view::npos) {
    error = "'" + std::string(rel) + "': file names must be relative to the rule set folder";
    return false;
  }
  fs::path p{std::string(rel)};
  for (const auto& part : p) {
    if (part == "..") {
      error = "'" + std::string(rel) + "': '..' may not leave the rule set folder";
      return false;
    }
  }
  return true;
}

DirRuleFiles::DirRuleFiles(std::string dir, size_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

std::string DirRuleFiles::display(std::string_view rel) const {
  return dir_ + "/" + std::string(rel);
}

bool DirRuleFiles::read(std::string_view rel, std::string& out, std::string& error) const {
  if (!safe_relative(rel, error)) return false;
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::path(dir_), ec);
  fs::path full = fs::weakly_canonical(fs::path(dir_) / std::string(rel), ec);
  if (ec) {
    error = "cannot resolve '" + std::string(rel) + "': " + ec.message();
    return false;
  }
  auto rs = root.string(), fsr = full.string();
  if (fsr.compare(0, rs.size(), rs) != 0 || (fsr.size() > rs.size() && fsr[rs.size()] != '/')) {
    error = "'" + std::string(rel) + "' resolves outside the rule set folder (symbolic link?)";
    return false;
  }
  if (!fs::is_regular_file(full, ec)) {
    error = "cannot read '" + display(rel) + "': no such file";
    return false;
  }
  auto size = fs::file_size(full, ec);
  if (ec) {
    error = "cannot read '" + display(rel) + "': " + ec.message();
    return false;
  }
  if (size > max_bytes_) {
    error = "'" + display(rel) + "' is too large (" + std::to_string(size) + " bytes, limit " +
            std::to_string(max_bytes_) + ")";
    return false;
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    error = "cannot open '" + display(rel) + "'";
    return false;
  }
  out.assign(static_cast<size_t>(size), '\0');
  in.read(out.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size) {
    error = "cannot read '" + display(rel) + "'";
    return false;
  }
  return true;
}

std::vector<std::string> DirRuleFiles::list(std::string_view dir) const {
  std::vector<std::string> out;
  std::error_code ec;
  fs::path base = fs::path(dir_) / std::string(dir);
  if (!fs::is_directory(base, ec)) return out;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    auto name = e.path().filename().string();
    if (e.is_regular_file(ec) && (name.ends_with(".yaml") || name.ends_with(".yml"))) {
      out.push_back(std::string(dir) + "/" + name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool MemoryRuleFiles::read(std::string_view rel, std::string& out, std::string& error) const {
  if (!safe_relative(rel, error)) return false;
  for (const auto& [name, text] : files_) {
    if (name == rel) {
      out = text;
      return true;
    }
  }
  error = "cannot read '" + display(rel) + "': no such file";
  return false;
}

std::vector<std::string> MemoryRuleFiles::list(std::string_view dir) const {
  std::vector<std::string> out;
  std::string prefix = std::string(dir) + "/";
  for (const auto& [name, text] : files_) {
    if (name.starts_with(prefix) && name.find('/', prefix.size()) == std::string::npos) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace oligoscreen::detail
