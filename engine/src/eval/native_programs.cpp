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

uint64_t native_fingerprint(const RuleSetModel& m) {
  uint64_t h = native_fingerprint(m.fast_ops);
  auto mix = [&h](uint64_t x) {
    for (int i = 0; i < 8; ++i, x >>= 8) {
      h ^= x & 0xFFU;
      h *= 1099511628211ULL;
    }
  };
  mix(m.def_hot.size());
  for (const RuleSetModel::DefHot& d : m.def_hot) {
    const bool has_root = d.root != kNone && d.root < m.hot.size();
    mix((static_cast<uint64_t>(d.enum_id) << 16) | (static_cast<uint64_t>(d.kind) << 8) |
        static_cast<uint64_t>(d.type));
    mix(has_root ? (static_cast<uint64_t>(m.hot[d.root].prog_first) << 32) | m.hot[d.root].prog_len : ~uint64_t{0});
  }
  return h;
}

void attach_native_programs(RuleSetModel& m) {
  m.native_programs.clear();
  const NativeProgramTable& t = native_program_table();
  if (t.count == 0 || t.op_count != m.fast_ops.size() || t.fingerprint != native_fingerprint(m)) return;
  m.native_programs.assign(m.fast_ops.size(), nullptr);
  for (uint32_t i = 0; i < t.count; ++i) m.native_programs[t.entries[i].first] = t.entries[i].fn;
}

}  // namespace oligoscreen::detail
