#include "batch/worker.hpp"

#include <algorithm>

#include "json/json_reader.hpp"
#include "patient/json_direct_reader.hpp"
#include "patient/patient_reader.hpp"
#include "result/json_result.hpp"

namespace oligoscreen::detail {

uint64_t batch_id_hash(std::string_view id) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : id) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

ChunkWorker::ChunkWorker(const RuleSetModel& m, const BatchOptions& opt, const ResultFragments* fragments)
    : m_(m), opt_(opt), splitter_(opt.max_record_bytes), csv_(m), fragments_(fragments) {
  copt_.strict = opt.strict;
  copt_.explain = opt.explain;
  copt_.what_if = opt.what_if;
  copt_.max_bytes = opt.max_record_bytes;
  ro_.explain = opt.explain;
  ro_.what_if = opt.what_if;
  splitter_.set_skip_bom(false);
}

void ChunkWorker::screen_jsonl(std::string_view text, uint32_t line) {
  JsonLimits limits;
  limits.max_bytes = opt_.max_record_bytes;
  cr_.first_line = line;
  ReadOptions ro;
  ro.strict = opt_.strict;
  ro.json = true;
  if (read_patient_json_direct(m_.schema, text, line, limits, ro, cr_.patient, &direct_cache_) == DirectRead::Ok) {
    cr_.ok = false;
    cr_.errors.clear();
    assess_read_patient(m_, copt_, cr_);
    return;
  }
  cr_.patient.has_id = false;  // the general path below: an error row names no half-read id
  cr_.patient.id.clear();
  JsonError err;
  if (!read_json(text, limits, cr_.doc, err, line)) {
    cr_.ok = false;
    cr_.errors.clear();
    InputError e;
    e.kind = std::move(err.kind);
    e.pos = err.pos;
    e.has_offset = e.kind == "encoding";
    e.message = std::move(err.message);
    cr_.errors.push_back(std::move(e));
    return;
  }
  screen_doc(m_, "", cr_.doc, cr_.doc.root(), true, copt_, cr_);
}

void ChunkWorker::screen_csv(const CsvHeader& header, std::string_view text, uint32_t line) {
  cr_.ok = false;
  cr_.errors.clear();
  cr_.first_line = line;
  CsvSplit s = splitter_.split(text.data(), text.size(), 0, true, cells_, line);
  if (s.status != CsvStatus::Record) {
    // The reader cut this record out, so this does not happen; an error row if it ever does.
    InputError e =
        s.status == CsvStatus::Error ? s.error : InputError{"syntax", "", Pos{line, 1, 0}, false, "empty record"};
    cr_.errors.push_back(std::move(e));
    return;
  }
  ReadOptions ro;
  ro.strict = opt_.strict;
  bool ok = read_patient_csv(m_.schema, header, cells_, line, ro, cr_.patient, cr_.errors, &splitter_.cell_positions());
  if (!ok) return;
  assess_read_patient(m_, copt_, cr_);
}

void ChunkWorker::emit(Chunk& c, const RawRecord& r) {
  RecordInfo info;
  info.ok = cr_.ok;
  info.has_id = cr_.patient.has_id;
  if (info.has_id) {
    info.id_offset = static_cast<uint32_t>(c.ids.size());
    info.id_len = static_cast<uint32_t>(cr_.patient.id.size());
    info.id_hash = batch_id_hash(cr_.patient.id);
    c.ids += cr_.patient.id;
  }
  const std::string* id = info.has_id ? &cr_.patient.id : nullptr;
  if (!cr_.ok) {
    const std::string& kind = cr_.errors.empty() ? std::string("syntax") : cr_.errors.front().kind;
    info.kind_offset = static_cast<uint32_t>(c.ids.size());
    info.kind_len = static_cast<uint32_t>(kind.size());
    c.ids += kind;
  } else {
    for (const auto& o : cr_.assessment.outputs) c.codes.push_back(o.code);
  }
  c.info.push_back(info);

  if (opt_.output_format == BatchOutputFormat::Jsonl) {
    if (cr_.ok) {
      render_result_compact_spliced(m_, *fragments_, cr_.patient, cr_.assessment, ro_, c.out, c.splices);
    } else {
      render_error_json(m_, id, static_cast<uint32_t>(r.record), r.line, cr_.errors, ro_, c.out);
    }
    c.out += '\n';
    return;
  }
  csv_.row(id, cr_.ok ? &cr_.assessment : nullptr, cr_.errors, c.out);
}

void ChunkWorker::reserve_output(Chunk& c, uint64_t bytes, uint64_t records) {
  const uint64_t want = bytes / records * c.records.size() * 9 / 8 + (64u << 10);
  c.out.reserve(c.out.size() + static_cast<size_t>(std::min<uint64_t>(want, kMaxReserve)));
}

void ChunkWorker::run(Chunk& c, const std::string& source) {
  ro_.source = source;
  if (opt_.output_format == BatchOutputFormat::Csv) csv_.set_source(source);
  const size_t out_start = c.out.size();
  if (out_records_ != 0) reserve_output(c, out_bytes_, out_records_);
  for (const RawRecord& r : c.records) {
    cr_.patient.has_id = false;
    cr_.patient.id.clear();
    if (r.split_error >= 0) {
      cr_.ok = false;
      cr_.errors.clear();
      cr_.errors.push_back(c.split_errors[static_cast<size_t>(r.split_error)]);
    } else {
      std::string_view text(c.text.data() + r.offset, r.len);
      if (c.csv) {
        screen_csv(*c.header, text, r.line);
      } else {
        screen_jsonl(text, r.line);
      }
    }
    emit(c, r);
    if (out_records_ == 0 && &r == &c.records.front()) reserve_output(c, c.out.size() - out_start, 1);
  }
  out_bytes_ += c.out.size() - out_start;
  out_records_ += c.records.size();
}

}  // namespace oligoscreen::detail
