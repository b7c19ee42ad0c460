#include "cds/cds_service.hpp"

#include <cctype>

#include "api/screen.hpp"
#include "cds/card.hpp"
#include "fhir/fhir_screen.hpp"
#include "json/json_reader.hpp"
#include "json/json_writer.hpp"

namespace oligoscreen::detail {

namespace {

struct PrefetchTemplate {
  const char* key;
  const char* query;
};

// The resources the FHIR reader uses (docs/fhir-mapping.md), for the patient in context.
constexpr PrefetchTemplate kPrefetch[] = {
    {"patient", "Patient/{{context.patientId}}"},
    {"conditions", "Condition?patient={{context.patientId}}"},
    {"observations", "Observation?patient={{context.patientId}}"},
    {"medicationRequests", "MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication"},
    {"medicationAdministrations",
     "MedicationAdministration?patient={{context.patientId}}&_include=MedicationAdministration:medication"},
    {"medicationStatements",
     "MedicationStatement?patient={{context.patientId}}&_include=MedicationStatement:medication"},
    {"procedures", "Procedure?patient={{context.patientId}}"},
    {"imagingStudies", "ImagingStudy?patient={{context.patientId}}"},
};

JsonLimits request_limits(const CdsLimits& l) {
  JsonLimits j;
  j.max_bytes = l.max_body_bytes;
  j.max_depth = l.max_depth;
  j.max_nodes = 2000000;
  j.max_string_bytes = 1u << 20;
  return j;
}

// A string member, or empty.
std::string_view str_member(const Doc& d, uint32_t obj, std::string_view key) {
  uint32_t n = d.find(obj, key);
  if (!n || !d.node(n).is_scalar() || d.node(n).style != ScalarStyle::Quoted) return {};
  return d.node(n).text;
}

// Keeps what may go to a log from an untrusted token: [A-Za-z0-9._-], at most 64 bytes.
std::string log_token(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '?';
  }
  return out.empty() ? std::string("(none)") : out;
}

struct Scratch {
  Doc doc;
  FhirPatient fhir;
  CaseResult result;
  std::string json;
  std::vector<uint32_t> resources;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

}  // namespace

CdsService::CdsService(std::shared_ptr<const RuleSetModel> model, std::shared_ptr<const FhirMapping> mapping,
                       CdsLimits limits)
    : model_(std::move(model)), mapping_(std::move(mapping)), limits_(limits), id_(model_->manifest.id) {
  JsonWriter w(discovery_);
  w.begin_object();
  w.key("services").begin_array();
  w.begin_object();
  w.key("hook").string("patient-view");
  w.key("id").string(id_);
  w.key("title").string("oligoscreen: oligometastatic sarcoma and SBRT screen");
  w.key("description")
      .string(
          "Classifies the metastatic state (ESTRO-ASTRO definition, ESTRO/EORTC classification), screens for "
          "radical-intent SBRT and the OligoRARE trial, and lists the missing data that would change the answer. "
          "Rule set " +
          model_->manifest.id + " " + model_->manifest.version + ". Decision support for a tumour board.");
  w.key("prefetch").begin_object();
  for (const auto& p : kPrefetch) w.key(p.key).string(p.query);
  w.end_object();
  w.key("usageRequirements")
      .string(
          "Send the prefetch: the service does not query the FHIR server. Codes are read through the rule "
          "set's FHIR mapping (mappings/fhir.yaml).");
  w.end_object();
  w.end_array();
  w.end_object();
}

HttpReply CdsService::error(int status, std::string_view message) {
  HttpReply r;
  r.status = status;
  JsonWriter w(r.body);
  w.begin_object();
  w.key("error").begin_object();
  w.key("status").integer(status);
  w.key("message").string(message);
  w.end_object();
  w.end_object();
  return r;
}

bool CdsService::is_json_content_type(std::string_view ct) {
  size_t semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string lower;
  for (char c : type) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json" || lower == "application/fhir+json";
}

HttpReply CdsService::discovery() const {
  HttpReply r;
  r.body = discovery_;
  return r;
}

std::optional<HttpReply> CdsService::read_request(std::string_view service, std::string_view content_type,
                                                  std::string_view body, Doc& doc) const {
  if (service != id_) return error(404, "no CDS service with this id (see GET /cds-services)");
  if (!is_json_content_type(content_type)) return error(415, "the request body must be application/json");
  if (body.size() > limits_.max_body_bytes) {
    return error(413, "the request body is larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
  }
  JsonError err;
  if (!read_json(body, request_limits(limits_), doc, err)) {
    return error(err.kind == "limit" ? 413 : 400, "malformed JSON at " + std::to_string(err.pos.line) + ":" +
                                                      std::to_string(err.pos.col) + ": " + err.message);
  }
  return std::nullopt;
}

HttpReply CdsService::call(std::string_view service, std::string_view content_type, std::string_view body) const {
  Scratch& s = scratch();
  if (auto refused = read_request(service, content_type, body, s.doc)) return *refused;
  const Doc& d = s.doc;
  uint32_t root = d.root();
  if (!d.node(root).is_map()) return error(400, "a CDS Hooks request must be a JSON object");
  std::string_view hook = str_member(d, root, "hook");
  if (hook.empty()) return error(400, "the request has no hook");
  if (hook != "patient-view") return error(400, "this service answers the patient-view hook only");
  std::string_view instance = str_member(d, root, "hookInstance");
  if (instance.empty()) return error(400, "the request has no hookInstance");
  uint32_t context = d.find(root, "context");
  if (!context || !d.node(context).is_map()) return error(400, "the request has no context object");
  std::string_view patient_id = str_member(d, context, "patientId");
  if (patient_id.empty()) return error(400, "the patient-view context has no patientId");

  // Resources from the prefetch: each value a resource, a Bundle of them, or null.
  s.resources.clear();
  bool usable = false;
  uint32_t prefetch = d.find(root, "prefetch");
  if (prefetch && !d.node(prefetch).is_null() && !d.node(prefetch).is_map()) {
    return error(400, "prefetch must be an object");
  }
  auto add = [&](uint32_t res) {
    std::string_view type = str_member(d, res, "resourceType");
    if (type.empty()) return;
    s.resources.push_back(res);
    usable = usable || (type != "Patient" && type != "OperationOutcome" && type != "Bundle");
  };
  for (const auto& e : d.entries(prefetch)) {
    if (!d.node(e.value).is_map()) continue;
    if (str_member(d, e.value, "resourceType") == "Bundle") {
      uint32_t entry = d.find(e.value, "entry");
      for (uint32_t en : d.items(entry)) {
        uint32_t res = d.find(en, "resource");
        if (res && d.node(res).is_map()) add(res);
      }
    } else {
      add(e.value);
    }
  }
  HttpReply reply;
  JsonWriter w(reply.body);
  w.begin_object();
  w.key("cards").begin_array();
  if (!usable) {
    write_data_needed_card(
        *model_, instance,
        prefetch ? "The prefetch holds no clinical resources for this patient." : "The request carries no prefetch.",
        w);
  } else {
    CaseOptions copt;
    copt.explain = true;  // the report's checklists
    copt.what_if = true;
    FhirOptions fopt;
    screen_fhir_resources(*model_, *mapping_, d, s.resources, patient_id, fopt, copt, s.fhir, s.result);
    s.json.clear();
    CaseOptions render = copt;
    render.explain = false;
    case_json(*model_, s.result, render, false, "", s.json);
    add_mapping_provenance(*mapping_, false, s.json);
    write_result_card(*model_, s.result, instance, s.json, w);
  }
  w.end_array();
  w.end_object();
  return reply;
}

HttpReply CdsService::feedback(std::string_view service, std::string_view content_type, std::string_view body,
                               FeedbackSummary& summary) const {
  summary = {};
  Scratch& s = scratch();
  if (auto refused = read_request(service, content_type, body, s.doc)) return *refused;
  const Doc& d = s.doc;
  uint32_t list = d.find(d.root(), "feedback");
  if (!d.node(d.root()).is_map() || !list || !d.node(list).is_seq()) {
    return error(400, "a feedback request is an object with a feedback array");
  }
  for (uint32_t item : d.items(list)) {
    ++summary.items;
    summary.lines.push_back("card " + log_token(str_member(d, item, "card")) + ": " +
                            log_token(str_member(d, item, "outcome")));
  }
  HttpReply r;
  r.body = "{}";
  return r;
}

}  // namespace oligoscreen::detail
