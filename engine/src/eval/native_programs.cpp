#include "eval/native_programs.hpp"

#include <cstring>

#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

uint64_t native_fingerprint(const std::vector<FastOp>& ops) {
  uint64_t h = 1469598103934665603ULL;
  for (const FastOp& op : ops) {
    unsigned char bytes[sizeof(FastOp)];
    std::memcpy(bytes, &op, sizeof bytes);
    for (unsigned char b : bytes) {
      h ^= b;
      h *= 1099511628211ULL;
    }
  }
  return h;
}

void attach_native_programs(RuleSetModel& m) {
  m.native_programs.clear();
  const NativeProgramTable& t = native_program_table();
  if (t.count == 0 || t.op_count != m.fast_ops.size() || t.fingerprint != native_fingerprint(m.fast_ops)) return;
  m.native_programs.assign(m.fast_ops.size(), nullptr);
  for (uint32_t i = 0; i < t.count; ++i) m.native_programs[t.entries[i].first] = t.entries[i].fn;
}

}  // namespace oligoscreen::detail
