#include "patient/patient.hpp"

#include <cstring>

namespace oligoscreen::detail {

TextStore::TextStore(const TextStore& other) : cur_(other.cur_), used_(other.used_), bytes_(other.bytes_) {
  blocks_.reserve(other.blocks_.size());
  for (const Block& b : other.blocks_) {
    blocks_.push_back(Block{std::make_unique<char[]>(b.size), b.size});
    std::memcpy(blocks_.back().data.get(), b.data.get(), b.size);
  }
}

TextStore& TextStore::operator=(const TextStore& other) {
  if (this != &other) *this = TextStore(other);
  return *this;
}

std::string_view TextStore::keep(std::string_view s) {
  if (s.empty()) return std::string_view("", 0);
  while (cur_ < blocks_.size() && blocks_[cur_].size - used_ < s.size()) {
    ++cur_;
    used_ = 0;
  }
  if (cur_ == blocks_.size()) {
    const size_t size = s.size() > kBlockBytes ? s.size() : kBlockBytes;
    blocks_.push_back(Block{std::make_unique<char[]>(size), size});
    bytes_ += size;
    used_ = 0;
  }
  char* p = blocks_[cur_].data.get() + used_;
  std::memcpy(p, s.data(), s.size());
  used_ += s.size();
  return {p, s.size()};
}

void TextStore::clear() {
  if (bytes_ > kKeepBytes) {
    blocks_.resize(1);
    bytes_ = blocks_[0].size;
  }
  cur_ = 0;
  used_ = 0;
}

void Patient::link() {
  auto fix = [this](Value& v) {
    if (v.kind == VKind::List) v.list.items = items.data() + v.aux;
  };
  for (auto& v : values) fix(v);
  for (auto& v : items) {
    fix(v);
    if (v.kind == VKind::Record) v.rec.fields = items.data() + v.e;
  }
}

}  // namespace oligoscreen::detail
