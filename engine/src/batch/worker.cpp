#include "batch/worker.hpp"

#include "json/json_reader.hpp"
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

ChunkWorker::ChunkWorker(const RuleSetModel& m, const BatchOptions& opt)
    : m_(m), opt_(opt), splitter_(opt.max_record_bytes) {
  copt_.strict = opt.strict;
  copt_.explain = opt.explain;
  copt_.what_if = opt.what_if;
  copt_.max_bytes = opt.max_record_bytes;
  ro_.explain = opt.explain;
  ro_.what_if = opt.what_if;
  splitter_.set_skip_bom(false);
  columns_ = batch_csv_columns(m);
}

void ChunkWorker::screen_jsonl(std::string_view text, uint32_t line) {
  JsonLimits limits;
  limits.max_bytes = opt_.max_record_bytes;
  JsonError err;
  cr_.first_line = line;
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
    InputError e = s.status == CsvStatus::Error ? s.error : InputError{"syntax", "", Pos{line, 1, 0}, false, "empty record"};
    cr_.errors.push_back(std::move(e));
    return;
  }
  ReadOptions ro;
  ro.strict = opt_.strict;
  bool ok = read_patient_csv(m_.schema, header, cells_, line, ro, cr_.patient, cr_.errors, &splitter_.cell_positions());
  if (!ok) return;
  AssessOptions ao;
  ao.explain = opt_.explain;
  ao.what_if = opt_.what_if;
  assess(m_, cr_.patient, ao, cr_.scratch, cr_.assessment);
  if (!cr_.assessment.contradictions.empty()) {
    cr_.errors = cr_.assessment.contradictions;
    return;
  }
  cr_.ok = true;
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
      render_result_json(m_, cr_.patient, cr_.assessment, ro_, c.out);
    } else {
      render_error_json(m_, id, static_cast<uint32_t>(r.record), r.line, cr_.errors, ro_, c.out);
    }
    c.out += '\n';
    return;
  }
  // CSV: id, one column per output, missing, error, ruleset_sha256[, source].
  append_csv_cell(id ? std::string_view(*id) : std::string_view(), c.out);
  for (uint32_t o : columns_) {
    c.out += ',';
    if (cr_.ok) {
      append_csv_cell(m_.schema.enums[m_.outputs[o].enum_id].values[cr_.assessment.outputs[o].code], c.out);
    }
  }
  c.out += ',';
  scratch_.clear();
  if (cr_.ok) {
    for (const auto& mf : cr_.assessment.missing) {
      if (!scratch_.empty()) scratch_ += ';';
      scratch_ += field_path(m_.schema, mf.ref);
    }
  }
  append_csv_cell(scratch_, c.out);
  c.out += ',';
  if (!cr_.ok && !cr_.errors.empty()) {
    scratch_ = cr_.errors.front().kind;
    scratch_ += ": ";
    scratch_ += cr_.errors.front().message;
    append_csv_cell(scratch_, c.out);
  }
  c.out += ',';
  c.out += m_.sha256;
  if (!ro_.source.empty()) {
    c.out += ',';
    append_csv_cell(ro_.source, c.out);
  }
  c.out += '\n';
}

void ChunkWorker::run(Chunk& c, const std::string& source) {
  ro_.source = source;
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
  }
  c.done = true;
}

}  // namespace oligoscreen::detail
