// The CDS Hooks service (CDS Hooks 1.0/2.0) as plain functions: request bytes in, status and
// JSON body out. No sockets here: `oligoscreen serve` (cli/cmd_serve.cpp) routes HTTP to
// these, and tests/cds calls them directly.
//
// Endpoints (docs/cds-hooks.md):
//  - discovery():   GET /cds-services: one service (id = the rule set's id) on patient-view,
//                   with prefetch templates for the resources the FHIR reader uses;
//  - call():        POST /cds-services/{id}: {"cards":[one card]} (cds/card.hpp); a request
//                   without usable prefetch gets the data-needed card, not an error;
//  - feedback():    POST /cds-services/{id}/feedback: 200 {} and a summary for the log (card
//                   uuids and outcomes only, never patient data).
// Errors are JSON {"error":{"status":N,"message":"..."}}: 400 malformed JSON or a request that
// is not a CDS Hooks request, 404 unknown service, 413 body over the limit, 415 a content
// type other than application/json. Thread-safe: const, with per-thread scratch memory.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/mapping.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

struct HttpReply {
  int status = 200;
  std::string body;  // always JSON (application/json)
};

struct CdsLimits {
  size_t max_body_bytes = 4u << 20;
  uint32_t max_depth = 64;
};

// What a feedback request said, for the log.
struct FeedbackSummary {
  size_t items = 0;
  std::vector<std::string> lines;  // "card <uuid>: <outcome>"
};

class CdsService {
 public:
  CdsService(std::shared_ptr<const RuleSetModel> model, std::shared_ptr<const FhirMapping> mapping,
             CdsLimits limits = {});

  [[nodiscard]] const std::string& service_id() const { return id_; }
  [[nodiscard]] const CdsLimits& limits() const { return limits_; }

  [[nodiscard]] HttpReply discovery() const;
  [[nodiscard]] HttpReply call(std::string_view service, std::string_view content_type, std::string_view body) const;
  [[nodiscard]] HttpReply feedback(std::string_view service, std::string_view content_type, std::string_view body,
                                   FeedbackSummary& summary) const;

  // The JSON error body of every 4xx/5xx reply.
  static HttpReply error(int status, std::string_view message);
  // Whether a Content-Type header value is application/json (parameters such as charset allowed).
  static bool is_json_content_type(std::string_view content_type);

 private:
  // Checks the service id, content type and size of a POST and parses its body into `doc`:
  // the error reply when one of them fails, nothing when the request can be read.
  std::optional<HttpReply> read_request(std::string_view service, std::string_view content_type, std::string_view body,
                                        Doc& doc) const;

  std::shared_ptr<const RuleSetModel> model_;
  std::shared_ptr<const FhirMapping> mapping_;
  CdsLimits limits_;
  std::string id_;
  std::string discovery_;
};

}  // namespace oligoscreen::detail
