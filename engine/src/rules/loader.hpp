// Loading a rule set: folder (or embedded copy) -> checked, compiled RuleSetModel.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/source.hpp"
#include "expr/parser.hpp"
#include "rules/ruleset_model.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {

// Where the files of a rule set come from: a folder, or the copy compiled into the binary.
class RuleFiles {
 public:
  virtual ~RuleFiles() = default;
  // Reads `rel` (relative to the rule set's root). False with `error` set when it cannot.
  virtual bool read(std::string_view rel, std::string& out, std::string& error) const = 0;
  // The name diagnostics use for `rel` ("rules/sarcoma-sbrt/schema.yaml").
  [[nodiscard]] virtual std::string display(std::string_view rel) const = 0;
  [[nodiscard]] virtual std::string label() const = 0;
  // Relative names of the test case files in `dir` (sorted).
  [[nodiscard]] virtual std::vector<std::string> list(std::string_view dir) const = 0;
};

class DirRuleFiles final : public RuleFiles {
 public:
  explicit DirRuleFiles(std::string dir, size_t max_bytes = 4u << 20);
  bool read(std::string_view rel, std::string& out, std::string& error) const override;
  [[nodiscard]] std::string display(std::string_view rel) const override;
  [[nodiscard]] std::string label() const override { return dir_; }
  [[nodiscard]] std::vector<std::string> list(std::string_view dir) const override;

 private:
  std::string dir_;
  size_t max_bytes_;
};

class MemoryRuleFiles final : public RuleFiles {
 public:
  MemoryRuleFiles(std::string label, std::vector<std::pair<std::string, std::string>> files)
      : label_(std::move(label)), files_(std::move(files)) {}
  bool read(std::string_view rel, std::string& out, std::string& error) const override;
  [[nodiscard]] std::string display(std::string_view rel) const override { return label_ + "/" + std::string(rel); }
  [[nodiscard]] std::string label() const override { return label_; }
  [[nodiscard]] std::vector<std::string> list(std::string_view dir) const override;

 private:
  std::string label_;
  std::vector<std::pair<std::string, std::string>> files_;
};

struct LoadLimits {
  YamlLimits yaml;
  ExprLimits expr;
};

// Loads, checks and compiles. Returns null when there is any error; every mistake found is
// in `diags` (warnings too). Never throws for bad rule files.
std::shared_ptr<RuleSetModel> load_rule_set(const RuleFiles& files, Diagnostics& diags, const LoadLimits& limits = {});

}  // namespace oligoscreen::detail
