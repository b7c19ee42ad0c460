#include "patient/patient.hpp"

namespace oligoscreen::detail {

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
