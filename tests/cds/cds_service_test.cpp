// The CDS Hooks service without sockets: discovery, cards checked field by field against the
// specification's rules (acceptance 2), the data-needed card, feedback and every error path.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "cds/card.hpp"
#include "cds/cds_service.hpp"
#include "fhir_test_util.hpp"

namespace oligoscreen::test {
namespace {

using detail::CdsService;

std::shared_ptr<CdsService> service(detail::CdsLimits limits = {}) {
  static std::shared_ptr<const detail::RuleSetModel> m = [] {
    detail::Diagnostics d;
    return std::shared_ptr<const detail::RuleSetModel>(detail::load_embedded_rules(d));
  }();
  static std::shared_ptr<const detail::FhirMapping> map = [] {
    detail::Diagnostics d;
    return detail::load_fhir_mapping_for("", m->schema, d);
  }();
  return std::make_shared<CdsService>(m, map, limits);
}

struct Parsed {
  detail::Doc doc;
  std::string text;
  bool ok = false;
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  p->text = text;
  detail::JsonError err;
  p->ok = detail::read_json(p->text, detail::JsonLimits{1u << 22, 64u << 20, 64u << 20, 1000000}, p->doc, err);
  EXPECT_TRUE(p->ok) << err.message;
  return p;
}

// Recursive walk: counts JSON nulls anywhere.
size_t count_nulls(const detail::Doc& d, uint32_t n) {
  const auto& node = d.node(n);
  if (node.is_null()) return 1;
  size_t c = 0;
  if (node.is_map()) {
    for (const auto& e : d.entries(n)) c += count_nulls(d, e.value);
  } else if (node.is_seq()) {
    for (uint32_t i : d.items(n)) c += count_nulls(d, i);
  }
  return c;
}

std::string str(const detail::Doc& d, uint32_t obj, const char* key) {
  uint32_t n = d.find(obj, key);
  if (!n || !d.node(n).is_scalar() || d.node(n).style != detail::ScalarStyle::Quoted) return "<not a string>";
  return std::string(d.node(n).text);
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string request(const std::string& prefetch_json,
                    const std::string& instance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea") {
  std::string r = R"({"hook":"patient-view","hookInstance":")" + instance +
                  R"(","fhirServer":"http://ehr.example/fhir","context":{"userId":"Practitioner/1","patientId":"p1"})";
  if (!prefetch_json.empty()) r += R"(,"prefetch":)" + prefetch_json;
  return r + "}";
}

std::string example_request(const std::string& name,
                            const std::string& instance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea") {
  return request(R"({"conditions":)" + file_bytes(source_path("examples/fhir/" + name + ".bundle.json")) + "}",
                 instance);
}

// Every rule of the CDS Hooks Card object that this service promises (cds/card.hpp).
void check_card(const detail::Doc& d, uint32_t card) {
  static const std::set<std::string> kAllowed = {"uuid", "summary", "detail", "indicator", "source", "links"};
  ASSERT_TRUE(d.node(card).is_map());
  for (const auto& e : d.entries(card))
    EXPECT_TRUE(kAllowed.count(std::string(d.node(e.key).text))) << d.node(e.key).text;
  EXPECT_TRUE(std::regex_match(str(d, card, "uuid"),
                               std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")))
      << str(d, card, "uuid");
  std::string summary = str(d, card, "summary");
  EXPECT_GT(code_points(summary), 0u);
  EXPECT_LT(code_points(summary), 140u) << summary;
  std::string indicator = str(d, card, "indicator");
  EXPECT_TRUE(indicator == "info" || indicator == "warning") << indicator;  // never critical
  EXPECT_FALSE(str(d, card, "detail").empty());
  uint32_t source = d.find(card, "source");
  ASSERT_NE(source, 0u);
  EXPECT_EQ(str(d, source, "label"), "oligoscreen sarcoma-sbrt 1.0.1");
  EXPECT_EQ(d.find(source, "url"), 0u);  // optional, and not given rather than empty
  uint32_t topic = d.find(source, "topic");
  ASSERT_NE(topic, 0u);
  EXPECT_EQ(str(d, topic, "system"), detail::kCardTopicSystem);
  EXPECT_FALSE(str(d, topic, "code").empty());
  EXPECT_FALSE(str(d, topic, "display").empty());
  if (uint32_t links = d.find(card, "links")) {
    ASSERT_TRUE(d.node(links).is_seq());
    EXPECT_GT(d.node(links).count, 0u);
    for (uint32_t l : d.items(links)) {
      EXPECT_FALSE(str(d, l, "label").empty());
      EXPECT_EQ(str(d, l, "url").rfind("https://doi.org/10.", 0), 0u) << str(d, l, "url");
      EXPECT_EQ(str(d, l, "type"), "absolute");
    }
  }
}

// ---- Discovery ---------------------------------------------------------------------------------

TEST(CdsDiscovery, OnePatientViewServiceWithPrefetch) {
  auto r = service()->discovery();
  EXPECT_EQ(r.status, 200);
  auto p = parse(r.body);
  const auto& d = p->doc;
  EXPECT_EQ(count_nulls(d, d.root()), 0u);
  uint32_t services = d.find(d.root(), "services");
  ASSERT_TRUE(d.node(services).is_seq());
  ASSERT_EQ(d.node(services).count, 1u);
  uint32_t s = d.items(services)[0];
  EXPECT_EQ(str(d, s, "hook"), "patient-view");
  EXPECT_EQ(str(d, s, "id"), "sarcoma-sbrt");
  EXPECT_FALSE(str(d, s, "title").empty());
  EXPECT_FALSE(str(d, s, "description").empty());
  uint32_t prefetch = d.find(s, "prefetch");
  for (const char* key : {"patient", "conditions", "observations", "medicationRequests", "medicationAdministrations",
                          "medicationStatements", "procedures", "imagingStudies"}) {
    EXPECT_NE(str(d, prefetch, key).find("{{context.patientId}}"), std::string::npos) << key;
  }
}

// ---- Cards -------------------------------------------------------------------------------------------

class CdsExampleCards : public ::testing::TestWithParam<const char*> {};

TEST_P(CdsExampleCards, OneCardThatFollowsTheSpecification) {
  auto r = service()->call("sarcoma-sbrt", "application/json", example_request(GetParam()));
  ASSERT_EQ(r.status, 200) << r.body;
  auto p = parse(r.body);
  const auto& d = p->doc;
  EXPECT_EQ(count_nulls(d, d.root()), 0u);
  ASSERT_EQ(d.node(d.root()).count, 1u);  // only "cards"
  uint32_t cards = d.find(d.root(), "cards");
  ASSERT_TRUE(d.node(cards).is_seq());
  ASSERT_EQ(d.node(cards).count, 1u);
  check_card(d, d.items(cards)[0]);
  std::string detail = str(d, d.items(cards)[0], "detail");
  EXPECT_NE(detail.find("### What is missing"), std::string::npos);
  EXPECT_NE(detail.find("- \xE2\x9C\x93"), std::string::npos);  // the checklist
}

INSTANTIATE_TEST_SUITE_P(Examples, CdsExampleCards,
                         ::testing::Values("lms-lung-metachronous", "ups-lung-synchronous",
                                           "ddlps-repeat-oligoprogression", "ewing-induced-oligopersistence",
                                           "ups-polymetastatic", "dsrct-peritoneal-not-oligometastatic",
                                           "lms-missing-data"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

TEST(CdsCards, SummaryIndicatorAndLinksSayWhatTheResultSays) {
  auto p = parse(service()->call("sarcoma-sbrt", "application/json", example_request("lms-lung-metachronous")).body);
  uint32_t card = p->doc.items(p->doc.find(p->doc.root(), "cards"))[0];
  EXPECT_EQ(str(p->doc, card, "summary"),
            "SBRT supported \xE2\x80\x94 metachronous oligorecurrence; OMD definition met");
  EXPECT_EQ(str(p->doc, card, "indicator"), "info");
  EXPECT_NE(p->doc.find(card, "links"), 0u);
  // Missing ECOG (SBRT indeterminate) and an unmapped histology code: a warning card that says so.
  p = parse(service()->call("sarcoma-sbrt", "application/json", example_request("lms-missing-data")).body);
  card = p->doc.items(p->doc.find(p->doc.root(), "cards"))[0];
  EXPECT_EQ(str(p->doc, card, "indicator"), "warning");
  EXPECT_NE(str(p->doc, card, "summary").find("SBRT indeterminate"), std::string::npos);
  EXPECT_NE(str(p->doc, card, "summary").find("missing"), std::string::npos);
  EXPECT_NE(str(p->doc, card, "detail").find("icd-o-3|8805/3"), std::string::npos);
}

TEST(CdsCards, UuidIsDeterministicAndDependsOnTheRequest) {
  auto svc = service();
  std::string req = example_request("ddlps-repeat-oligoprogression");
  auto a = svc->call("sarcoma-sbrt", "application/json", req);
  auto b = svc->call("sarcoma-sbrt", "application/json", req);
  EXPECT_EQ(a.body, b.body);
  auto c = svc->call("sarcoma-sbrt", "application/json",
                     example_request("ddlps-repeat-oligoprogression", "0b9d4a1e-7a44-4d45-8d25-6c3a1e2b9f00"));
  auto pa = parse(a.body), pc = parse(c.body);
  uint32_t ca = pa->doc.items(pa->doc.find(pa->doc.root(), "cards"))[0];
  uint32_t cc = pc->doc.items(pc->doc.find(pc->doc.root(), "cards"))[0];
  EXPECT_NE(str(pa->doc, ca, "uuid"), str(pc->doc, cc, "uuid"));
  EXPECT_EQ(str(pa->doc, ca, "detail"), str(pc->doc, cc, "detail"));
}

TEST(CdsCards, PrefetchOfSeparateSearchsetsAndResources) {
  // The EHR sends one searchset per template and the Patient as a bare resource.
  std::string b = file_bytes(source_path("examples/fhir/lms-lung-metachronous.bundle.json"));
  auto whole = service()->call("sarcoma-sbrt", "application/json", request(R"({"conditions":)" + b + "}"));
  std::string split = R"({"patient":{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01","gender":"female"},)"
                      R"("conditions":)" +
                      b +
                      R"(,"observations":{"resourceType":"Bundle","type":"searchset","total":0},)"
                      R"("medicationRequests":null})";
  auto r = service()->call("sarcoma-sbrt", "application/json", request(split));
  ASSERT_EQ(r.status, 200);
  auto p = parse(r.body);
  check_card(p->doc, p->doc.items(p->doc.find(p->doc.root(), "cards"))[0]);
  EXPECT_NE(p->doc.find(p->doc.root(), "cards"), 0u);
  EXPECT_EQ(whole.status, 200);
}

TEST(CdsCards, NoUsablePrefetchGetsTheDataNeededCard) {
  for (const std::string& prefetch : {std::string(), std::string(R"({"patient":null,"conditions":null})"),
                                      std::string(R"({"patient":{"resourceType":"Patient","id":"p1"}})")}) {
    auto r = service()->call("sarcoma-sbrt", "application/json", request(prefetch));
    ASSERT_EQ(r.status, 200) << r.body;
    auto p = parse(r.body);
    EXPECT_EQ(count_nulls(p->doc, p->doc.root()), 0u);
    uint32_t card = p->doc.items(p->doc.find(p->doc.root(), "cards"))[0];
    check_card(p->doc, card);
    EXPECT_EQ(str(p->doc, card, "summary"), "oligoscreen needs FHIR data to screen this patient for SBRT");
    EXPECT_NE(str(p->doc, card, "detail").find("`conditions`"), std::string::npos);
    EXPECT_EQ(str(p->doc, p->doc.find(card, "source"), "label"), "oligoscreen sarcoma-sbrt 1.0.1");
  }
}

TEST(CdsCards, DataErrorsGiveAWarningCardNotAnHttpError) {
  // A metastasis before the primary: a contradiction, screened as an error result.
  std::string b = file_bytes(source_path("examples/fhir/lms-lung-metachronous.bundle.json"));
  b.replace(b.find("\"onsetDateTime\": \"2021-03-10\""), 29, "\"onsetDateTime\": \"2025-03-10\"");
  auto r = service()->call("sarcoma-sbrt", "application/json", request(R"({"conditions":)" + b + "}"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto p = parse(r.body);
  uint32_t card = p->doc.items(p->doc.find(p->doc.root(), "cards"))[0];
  check_card(p->doc, card);
  EXPECT_EQ(str(p->doc, card, "indicator"), "warning");
  EXPECT_NE(str(p->doc, card, "summary").find("could not screen"), std::string::npos);
}

TEST(CdsCardParts, CutCharsCountsCodePoints) {
  EXPECT_EQ(detail::cut_chars("abc", 3), "abc");
  EXPECT_EQ(detail::cut_chars("abcd", 3), "ab\xE2\x80\xA6");
  std::string s;
  for (int i = 0; i < 200; ++i) s += "\xC3\xA9";  // é
  std::string cut = detail::cut_chars(s, 139);
  EXPECT_EQ(code_points(cut), 139u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "\xE2\x80\xA6");
}

TEST(CdsCardParts, HashUuidIsVersion8) {
  EXPECT_EQ(detail::hash_uuid("x"), detail::hash_uuid("x"));
  EXPECT_NE(detail::hash_uuid("x"), detail::hash_uuid("y"));
  EXPECT_TRUE(std::regex_match(detail::hash_uuid(""),
                               std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")));
}

// ---- Feedback ------------------------------------------------------------------------------------

TEST(CdsFeedback, AcceptedAndSummarisedWithoutPatientData) {
  detail::FeedbackSummary s;
  auto r = service()->feedback(
      "sarcoma-sbrt", "application/json; charset=utf-8",
      R"({"feedback":[{"card":"c8cbfe9f-8b90-89c0-a927-78f0ab6ff93d","outcome":"accepted","outcomeTimestamp":"2024-05-02T10:00:00Z"},)"
      R"({"card":"Jane Doe\n1970-01-01","outcome":"overridden","overrideReason":{"userComment":"patient Jane Doe declined"}}]})",
      s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  ASSERT_EQ(s.items, 2u);
  EXPECT_EQ(s.lines[0], "card c8cbfe9f-8b90-89c0-a927-78f0ab6ff93d: accepted");
  EXPECT_EQ(s.lines[1], "card Jane?Doe?1970-01-01: overridden");  // no line break, no comment
  for (const auto& l : s.lines) EXPECT_EQ(l.find("declined"), std::string::npos);
}

// ---- Errors ---------------------------------------------------------------------------------------

void expect_error(const detail::HttpReply& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  auto p = parse(r.body);
  const auto& d = p->doc;
  EXPECT_EQ(count_nulls(d, d.root()), 0u);
  uint32_t e = d.find(d.root(), "error");
  ASSERT_NE(e, 0u) << r.body;
  EXPECT_EQ(std::string(d.node(d.find(e, "status")).text), std::to_string(status));
  EXPECT_FALSE(str(d, e, "message").empty());
}

TEST(CdsErrors, EveryClientErrorIsJson) {
  auto svc = service();
  std::string ok = example_request("lms-lung-metachronous");
  expect_error(svc->call("other-service", "application/json", ok), 404);
  expect_error(svc->call("sarcoma-sbrt", "text/plain", ok), 415);
  expect_error(svc->call("sarcoma-sbrt", "", ok), 415);
  expect_error(svc->call("sarcoma-sbrt", "application/xml", ok), 415);
  EXPECT_EQ(svc->call("sarcoma-sbrt", "Application/JSON; charset=UTF-8", ok).status, 200);
  expect_error(svc->call("sarcoma-sbrt", "application/json", "{\"hook\":"), 400);
  expect_error(svc->call("sarcoma-sbrt", "application/json", "[]"), 400);
  expect_error(svc->call("sarcoma-sbrt", "application/json", R"({"hookInstance":"x","context":{"patientId":"p"}})"),
               400);
  expect_error(svc->call("sarcoma-sbrt", "application/json",
                         R"({"hook":"order-sign","hookInstance":"x","context":{"patientId":"p"}})"),
               400);
  expect_error(svc->call("sarcoma-sbrt", "application/json", R"({"hook":"patient-view","context":{"patientId":"p"}})"),
               400);
  expect_error(svc->call("sarcoma-sbrt", "application/json", R"({"hook":"patient-view","hookInstance":"x"})"), 400);
  expect_error(svc->call("sarcoma-sbrt", "application/json",
                         R"({"hook":"patient-view","hookInstance":"x","context":{"userId":"u"}})"),
               400);
  expect_error(svc->call("sarcoma-sbrt", "application/json",
                         R"({"hook":"patient-view","hookInstance":"x","context":{"patientId":"p"},"prefetch":[]})"),
               400);
  detail::FeedbackSummary s;
  expect_error(svc->feedback("sarcoma-sbrt", "application/json", R"({"card":"x"})", s), 400);
  expect_error(svc->feedback("sarcoma-sbrt", "application/json", "{", s), 400);
  expect_error(svc->feedback("sarcoma-sbrt", "text/plain", R"({"feedback":[]})", s), 415);
  expect_error(svc->feedback("nope", "application/json", R"({"feedback":[]})", s), 404);
}

TEST(CdsErrors, BodyOverTheLimitIs413) {
  detail::CdsLimits small;
  small.max_body_bytes = 1000;
  auto svc = service(small);
  expect_error(svc->call("sarcoma-sbrt", "application/json", std::string(1001, ' ')), 413);
  detail::FeedbackSummary s;
  expect_error(svc->feedback("sarcoma-sbrt", "application/json", std::string(1001, ' '), s), 413);
  EXPECT_EQ(svc->call("sarcoma-sbrt", "application/json", request("")).status, 200);
}

}  // namespace
}  // namespace oligoscreen::test
