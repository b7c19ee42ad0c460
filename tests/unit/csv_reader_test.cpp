// Registry CSV reader: splitter (RFC 4180), header, records; reliability §5 C1-C11.
#include "patient/csv_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace oligoscreen::test_patient {

using namespace oligoscreen::detail;

Schema make_test_schema();  // patient_reader_test.cpp

namespace {

enum Slot : uint32_t { kId, kAge, kEcog, kLife, kHist, kPSite, kPDiag, kPCtrl, kSysAct, kImaging, kLesions };

constexpr std::string_view kHeader =
    "id,age,ecog,life_expectancy_months,histology,primary.site,primary.diagnosed,primary.controlled,"
    "systemic_therapy.active,imaging,lesions\n";

struct Row {
  CsvStatus status = CsvStatus::NeedMore;
  uint32_t line = 0;  // physical line where it starts
  bool ok = false;
  Patient p;
  std::vector<InputError> errors;
};

struct CsvRun {
  bool header_ok = false;
  InputError header_error;
  std::vector<PatientWarning> header_warnings;
  std::deque<Row> rows;  // data records (a deque: moving a Patient keeps its pointers valid) and errors (blank lines
                         // counted separately)
  uint32_t blank = 0;
  uint32_t lines = 0;  // physical lines seen
};

// Drives the splitter like the batch reader: the buffer grows by `chunk` bytes whenever the
// splitter asks for more; every record error becomes an error row.
CsvRun run_csv(const Schema& schema, std::string_view csv, size_t max_record = 1u << 20,
               size_t chunk = std::string_view::npos) {
  CsvRun out;
  CsvSplitter splitter(max_record);
  CsvHeader header;
  std::vector<std::string_view> cells;
  size_t avail = std::min(csv.size(), chunk);
  size_t pos = 0;
  uint32_t line = 1;
  bool have_header = false;
  for (int guard = 0; guard < 100000; ++guard) {
    const bool eof = avail == csv.size();
    CsvSplit s = splitter.split(csv.data(), avail, pos, eof, cells, line);
    if (s.status == CsvStatus::NeedMore) {
      pos = s.next;
      if (eof) break;
      avail = chunk == std::string_view::npos ? csv.size() : std::min(csv.size(), avail + chunk);
      continue;
    }
    const uint32_t first_line = line;
    line += s.lines;
    pos = s.next;
    if (s.status == CsvStatus::Blank) {
      ++out.blank;
      continue;
    }
    if (!have_header) {
      have_header = true;
      if (s.status == CsvStatus::Error) return out;
      out.header_ok = header.parse(schema, cells, out.header_error, out.header_warnings, false,
                                   &splitter.cell_positions(), first_line);
      if (!out.header_ok) return out;
      continue;
    }
    Row row;
    row.status = s.status;
    row.line = first_line;
    if (s.status == CsvStatus::Error) {
      row.errors.push_back(s.error);
    } else {
      row.ok = read_patient_csv(schema, header, cells, first_line, ReadOptions{}, row.p, row.errors,
                                &splitter.cell_positions());
      EXPECT_EQ(row.ok, row.errors.empty());
    }
    out.rows.push_back(std::move(row));
  }
  out.lines = line - 1;
  return out;
}

class CsvReaderTest : public ::testing::Test {
 protected:
  Schema schema = make_test_schema();

  CsvRun run(std::string_view body, size_t max_record = 1u << 20) {
    text = std::string(kHeader) + std::string(body);
    CsvRun r = run_csv(schema, text, max_record);
    EXPECT_TRUE(r.header_ok) << r.header_error.message;
    // Feeding the same bytes in small pieces gives the same rows.
    for (size_t chunk : {1U, 3U, 7U}) {
      CsvRun c = run_csv(schema, text, max_record, chunk);
      EXPECT_EQ(c.rows.size(), r.rows.size()) << "chunk " << chunk;
      EXPECT_EQ(c.blank, r.blank);
      EXPECT_EQ(c.lines, r.lines) << "chunk " << chunk;
      for (size_t i = 0; i < std::min(c.rows.size(), r.rows.size()); ++i) {
        EXPECT_EQ(c.rows[i].line, r.rows[i].line) << "chunk " << chunk << " row " << i;
        EXPECT_EQ(c.rows[i].p.id, r.rows[i].p.id);
        EXPECT_EQ(c.rows[i].errors.size(), r.rows[i].errors.size()) << "chunk " << chunk << " row " << i;
        for (size_t e = 0; e < std::min(c.rows[i].errors.size(), r.rows[i].errors.size()); ++e) {
          EXPECT_EQ(c.rows[i].errors[e].message, r.rows[i].errors[e].message);
        }
      }
    }
    return r;
  }

  static void expect_error(const Row& row, std::string_view kind, std::string_view field, std::string_view message,
                           uint32_t line, uint32_t col) {
    std::string all;
    for (const auto& e : row.errors) all += e.kind + " | " + e.message + "\n";
    ASSERT_EQ(row.errors.size(), 1U) << all;
    EXPECT_EQ(row.errors[0].kind, kind);
    EXPECT_EQ(row.errors[0].field, field);
    EXPECT_EQ(row.errors[0].message, message);
    EXPECT_EQ(row.errors[0].pos.line, line);
    EXPECT_EQ(row.errors[0].pos.col, col);
  }

  std::string text;
};

}  // namespace

TEST_F(CsvReaderTest, ReadsARecord) {
  CsvRun r =
      run("TB-1,54,1,24.5,leiomyosarcoma,\"knee, popliteal fossa\",2021-03-10,yes,FALSE,ct_chest;pet_ct,"
          "lung:14:new:true;bone::stable:\n");
  ASSERT_EQ(r.rows.size(), 1U);
  const Row& row = r.rows[0];
  ASSERT_TRUE(row.ok) << row.errors[0].message;
  const Patient& p = row.p;
  EXPECT_EQ(row.line, 2U);
  EXPECT_EQ(p.id, "TB-1");
  EXPECT_EQ(p.values[kAge].num, 54.0);
  EXPECT_EQ(p.values[kLife].num, 24.5);
  EXPECT_EQ(p.values[kHist].e, 0U);
  EXPECT_EQ(p.values[kPSite].str(), "knee, popliteal fossa");
  EXPECT_EQ(p.values[kPDiag].kind, VKind::Date);
  EXPECT_TRUE(p.values[kPCtrl].b);
  EXPECT_EQ(p.values[kSysAct].kind, VKind::Bool);
  EXPECT_FALSE(p.values[kSysAct].b);
  const Value& img = p.values[kImaging];
  ASSERT_EQ(img.list.count, 2U);
  EXPECT_EQ(img.list.items[0].e, 0U);
  EXPECT_EQ(img.list.items[1].e, 2U);
  const Value& les = p.values[kLesions];
  ASSERT_EQ(les.kind, VKind::List);
  ASSERT_EQ(les.list.count, 2U);
  const Value& l0 = les.list.items[0];
  const Value& l1 = les.list.items[1];
  EXPECT_EQ(l0.aux, make_ref(kLesions, 1));
  EXPECT_EQ(l0.rec.fields[0].e, 0U);
  EXPECT_EQ(l0.rec.fields[1].num, 14.0);
  EXPECT_EQ(l0.rec.fields[2].e, 0U);
  EXPECT_TRUE(l0.rec.fields[3].b);
  EXPECT_EQ(l1.rec.fields[0].e, 2U);
  EXPECT_TRUE(l1.rec.fields[1].is_unknown());  // empty subfield: unknown
  EXPECT_EQ(l1.rec.fields[2].e, 2U);
  EXPECT_TRUE(l1.rec.fields[3].is_unknown());
  EXPECT_EQ(p.value_pos[kAge].line, 2U);
  EXPECT_EQ(p.value_pos[kAge].col, 6U);
}

TEST_F(CsvReaderTest, EmptyCellsNoneAndIntegerId) {
  CsvRun r = run("123,,,,,,,,,,\nA,,,,,,,,,none,none\n");
  ASSERT_EQ(r.rows.size(), 2U);
  ASSERT_TRUE(r.rows[0].ok);
  EXPECT_EQ(r.rows[0].p.id, "123");
  for (size_t s = 1; s < schema.fields.size(); ++s) EXPECT_TRUE(r.rows[0].p.values[s].is_unknown());
  ASSERT_TRUE(r.rows[1].ok);
  ASSERT_EQ(r.rows[1].p.values[kLesions].kind, VKind::List);
  EXPECT_EQ(r.rows[1].p.values[kLesions].list.count, 0U);
  EXPECT_EQ(r.rows[1].p.values[kImaging].list.count, 0U);
}

TEST_F(CsvReaderTest, Booleans) {
  CsvRun r = run("A,,,,,,,True,0,,\nB,,,,,,,NO,1,,\nC,,,,,,,maybe,,,\n");
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_TRUE(r.rows[0].p.values[kPCtrl].b);
  EXPECT_FALSE(r.rows[0].p.values[kSysAct].b);
  EXPECT_FALSE(r.rows[1].p.values[kPCtrl].b);
  EXPECT_TRUE(r.rows[1].p.values[kSysAct].b);
  expect_error(r.rows[2], "type", "primary.controlled",
               "primary.controlled: expected true/false, yes/no or 1/0, got 'maybe'", 4, 9);
}

TEST_F(CsvReaderTest, ValueErrorsNameFieldAndColumn) {
  CsvRun r = run("A,250,7,,leiomyosarcomma,,2023-02-30,,,ct_chest;;xray,lung:0:new:true;:3::\n");
  ASSERT_EQ(r.rows.size(), 1U);
  const auto& e = r.rows[0].errors;
  ASSERT_EQ(e.size(), 8U);
  EXPECT_EQ(e[0].message, "age: 250 is outside 0-120");
  EXPECT_EQ(e[0].pos.col, 3U);
  EXPECT_EQ(e[1].message, "ecog: 7 is outside 0-4");
  EXPECT_EQ(e[1].pos.col, 7U);
  EXPECT_EQ(e[2].kind, "enum");
  EXPECT_EQ(e[2].message,
            "histology: 'leiomyosarcomma' is not an allowed value (did you mean 'leiomyosarcoma'?); allowed: "
            "leiomyosarcoma, "
            "synovial_sarcoma, osteosarcoma");
  EXPECT_EQ(e[3].message, "primary.diagnosed: '2023-02-30' is not a valid date (YYYY-MM-DD or YYYY-MM)");
  EXPECT_EQ(e[4].message, "imaging[1]: empty item");
  EXPECT_EQ(e[4].pos.col, 49U);
  EXPECT_EQ(e[5].field, "imaging[2]");
  EXPECT_EQ(e[5].kind, "enum");
  EXPECT_EQ(e[6].message, "lesions[0].size_mm: 0 is outside (0, 500]");
  EXPECT_EQ(e[6].pos.col, 60U);
  EXPECT_EQ(e[7].kind, "missing_field");
  EXPECT_EQ(e[7].message, "lesions[1].site: missing (required)");
}

// spec/patient-format.md: CSV numbers are plain decimals (no exponent), in cells and in the
// lesion mini-format alike.
TEST_F(CsvReaderTest, NumbersArePlainDecimals) {
  CsvRun r = run("A,1e1,2,,leiomyosarcoma,,2023-02-01,,,ct_chest,lung:1E1:new:true\n");
  ASSERT_EQ(r.rows.size(), 1U);
  const auto& e = r.rows[0].errors;
  ASSERT_EQ(e.size(), 2U);
  EXPECT_EQ(e[0].kind, "type");
  EXPECT_EQ(e[0].message, "age: expected an integer, got '1e1'");
  EXPECT_EQ(e[1].kind, "type");
  EXPECT_EQ(e[1].field, "lesions[0].size_mm");
}

TEST_F(CsvReaderTest, LesionMiniFormatShape) {
  CsvRun r = run("A,,,,,,,,,,lung:14:new\n");
  expect_error(r.rows[0], "type", "lesions[0]",
               "lesions[0]: expected 4 sub-fields (site:size_mm:status:treatable), found 3", 2, 12);
  r = run("A,,,,,,,,,,lung:1:new:true:x;bone:::\n");
  expect_error(r.rows[0], "type", "lesions[0]",
               "lesions[0]: expected 4 sub-fields (site:size_mm:status:treatable), found 5", 2, 12);
  r = run("A,,,,,,,,,,lung:::;lung:::;lung:::;lung:::;lung:::;lung:::\n");
  expect_error(r.rows[0], "limit", "lesions", "lesions: 6 items, more than the limit of 5", 2, 12);
}

TEST_F(CsvReaderTest, C1ColumnCount) {
  CsvRun r = run("A,1\nB,,,,,,,,,,,\nC,,,,,,,,,,\n");
  ASSERT_EQ(r.rows.size(), 3U);
  expect_error(r.rows[0], "syntax", "", "expected 11 fields, found 2", 2, 1);
  expect_error(r.rows[1], "syntax", "", "expected 11 fields, found 12", 3, 1);
  EXPECT_TRUE(r.rows[2].ok);
  EXPECT_EQ(r.rows[2].line, 4U);
}

TEST_F(CsvReaderTest, C2UnterminatedQuoteDoesNotSwallowTheFile) {
  CsvRun r = run("A,,,,,,,,,,\nB,,,,,\"thigh,,,,,\nC,,,,,,,,,,\nD,,,,,,,,,,\n");
  ASSERT_EQ(r.rows.size(), 4U);
  EXPECT_TRUE(r.rows[0].ok);
  expect_error(r.rows[1], "syntax", "", "truncated record: unterminated quoted field", 3, 7);
  EXPECT_EQ(r.rows[2].line, 4U);
  EXPECT_EQ(r.rows[2].p.id, "C");
  EXPECT_TRUE(r.rows[2].ok);
  EXPECT_EQ(r.rows[3].p.id, "D");
  EXPECT_EQ(r.lines, 5U);
}

TEST_F(CsvReaderTest, C2UnterminatedQuoteCaughtByTheLimitInABigFile) {
  std::string body = "B,,,,,\"thigh,,,,,\n";
  for (int i = 0; i < 50; ++i) body += "R" + std::to_string(i) + ",,,,,,,,,,\n";
  CsvRun r = run(body, 200);
  ASSERT_EQ(r.rows.size(), 51U);
  expect_error(r.rows[0], "limit", "", "record longer than the limit of 200 bytes (unterminated quoted field?)", 2, 7);
  EXPECT_EQ(r.rows[1].p.id, "R0");
  EXPECT_EQ(r.rows[1].line, 3U);
  EXPECT_EQ(r.rows[50].p.id, "R49");
}

TEST_F(CsvReaderTest, C3EmbeddedNewlineAndDoubledQuote) {
  CsvRun r = run("A,,,,,\"thigh,\n\"\"posterior\"\"\r\ncompartment\",,,,,\nB,,,,,,,,,,\n");
  ASSERT_EQ(r.rows.size(), 2U);
  ASSERT_TRUE(r.rows[0].ok) << r.rows[0].errors[0].message;
  EXPECT_EQ(r.rows[0].p.values[kPSite].str(), "thigh,\n\"posterior\"\r\ncompartment");
  EXPECT_EQ(r.rows[0].line, 2U);
  EXPECT_EQ(r.rows[1].line, 5U);  // the quoted line breaks count as physical lines
  EXPECT_EQ(r.rows[1].p.id, "B");
}

TEST_F(CsvReaderTest, C3PositionsAfterAQuotedLineBreak) {
  CsvRun r = run("A,,,,,\"a\nb\",x,,,,\n");
  ASSERT_EQ(r.rows.size(), 1U);
  expect_error(r.rows[0], "date", "primary.diagnosed",
               "primary.diagnosed: 'x' is not a valid date (YYYY-MM-DD or YYYY-MM)", 3, 4);
}

TEST_F(CsvReaderTest, C4BomCrlfAndBlankLines) {
  text = "\xEF\xBB\xBF" + std::string(kHeader.substr(0, kHeader.size() - 1)) +
         "\r\nA,,,,,,,,,,\r\n\r\n\nB,,,,,,,,,,\n\n\n";
  for (size_t chunk : {std::string_view::npos, size_t{1}, size_t{2}}) {
    CsvRun r = run_csv(schema, text, 1u << 20, chunk);
    ASSERT_TRUE(r.header_ok) << r.header_error.message;
    EXPECT_TRUE(r.header_warnings.empty());
    ASSERT_EQ(r.rows.size(), 2U);
    EXPECT_EQ(r.rows[0].p.id, "A");
    EXPECT_EQ(r.rows[1].p.id, "B");
    EXPECT_EQ(r.rows[1].line, 5U);
    EXPECT_EQ(r.blank, 4U);
    EXPECT_EQ(r.lines, 7U);
  }
}

TEST_F(CsvReaderTest, C5HeaderErrors) {
  CsvRun r = run_csv(schema, "age,ecog\n1,2\n");
  EXPECT_FALSE(r.header_ok);
  EXPECT_EQ(r.header_error.kind, "missing_id");
  EXPECT_EQ(r.header_error.message, "id: missing column (the record identifier)");
  EXPECT_TRUE(r.rows.empty());
  r = run_csv(schema, "id,age,ecog,age\nA,1,2,3\n");
  EXPECT_FALSE(r.header_ok);
  EXPECT_EQ(r.header_error.kind, "duplicate_key");
  EXPECT_EQ(r.header_error.field, "age");
  EXPECT_EQ(r.header_error.message, "age: duplicate column (columns 2 and 4)");
  EXPECT_EQ(r.header_error.pos.line, 1U);
  EXPECT_EQ(r.header_error.pos.col, 13U);
  EXPECT_TRUE(r.rows.empty());
}

TEST_F(CsvReaderTest, UnknownColumnsWarnOnceAndAreIgnored) {
  CsvRun r = run_csv(schema, "id,agee,colour\nA,5,red\n");
  ASSERT_TRUE(r.header_ok);
  ASSERT_EQ(r.header_warnings.size(), 2U);
  EXPECT_EQ(r.header_warnings[0].code, "unknown_field");
  EXPECT_EQ(r.header_warnings[0].field, "agee");
  EXPECT_EQ(r.header_warnings[0].message, "unknown column 'agee' (did you mean 'age'?)");
  EXPECT_EQ(r.header_warnings[0].pos.col, 4U);
  EXPECT_EQ(r.header_warnings[1].message, "unknown column 'colour'");
  ASSERT_EQ(r.rows.size(), 1U);
  EXPECT_TRUE(r.rows[0].ok);
  EXPECT_TRUE(r.rows[0].p.values[kAge].is_unknown());

  CsvHeader h;
  InputError err;
  std::vector<PatientWarning> w;
  std::vector<std::string_view> cells = {"id", "agee"};
  EXPECT_FALSE(h.parse(schema, cells, err, w, /*strict=*/true));
  EXPECT_EQ(err.kind, "unknown_field");
}

TEST_F(CsvReaderTest, C6DecimalComma) {
  CsvRun r = run("A,,,1,5,,,,,,,\n");  // unquoted: one column too many
  expect_error(r.rows[0], "syntax", "", "expected 11 fields, found 12", 2, 1);
  r = run("A,,,\"1,5\",,,,,,,\n");
  expect_error(r.rows[0], "type", "life_expectancy_months", "life_expectancy_months: expected a number, got '1,5'", 2,
               6);
  r = run("A,,,\"1.5\",,,,,,,\n");  // CSV quotes only protect commas
  ASSERT_TRUE(r.rows[0].ok);
  EXPECT_EQ(r.rows[0].p.values[kLife].num, 1.5);
  r = run("A,010,,0x10,,,,,,,\n");
  ASSERT_EQ(r.rows[0].errors.size(), 2U);
  EXPECT_EQ(r.rows[0].errors[0].message, "age: expected an integer, got '010'");
  EXPECT_EQ(r.rows[0].errors[1].message, "life_expectancy_months: expected a number, got '0x10'");
}

TEST_F(CsvReaderTest, C9OverlongLine) {
  std::string body = "A," + std::string(300, '9') + ",,,,,,,,,\nB,,,,,,,,,,\n";
  CsvRun r = run(body, 200);
  ASSERT_EQ(r.rows.size(), 2U);
  expect_error(r.rows[0], "limit", "", "record longer than the limit of 200 bytes", 2, 201);
  EXPECT_EQ(r.rows[1].p.id, "B");
  EXPECT_EQ(r.rows[1].line, 3U);
  EXPECT_TRUE(r.rows[1].ok);
  // The same at the very end of the input, without a line break.
  r = run("B,,,,,,,,,,\nA," + std::string(300, '9'), 200);
  ASSERT_EQ(r.rows.size(), 2U);
  EXPECT_EQ(r.rows[1].errors[0].kind, "limit");
  EXPECT_EQ(r.lines, 3U);
}

TEST_F(CsvReaderTest, C10InvalidUtf8AndNul) {
  std::string body = "A,,,,,caf\xE9,,,,,\nB,,,,,a";
  body += '\0';
  body += "b,,,,,\nC,,,,,,,,,,\n";
  CsvRun r = run(body);
  ASSERT_EQ(r.rows.size(), 3U);
  expect_error(r.rows[0], "encoding", "primary.site", "primary.site: invalid UTF-8 (truncated sequence)", 2, 7);
  EXPECT_TRUE(r.rows[0].errors[0].has_offset);
  EXPECT_EQ(r.rows[0].errors[0].pos.offset, 9U);  // bytes from the record start: "A,,,,,caf"
  expect_error(r.rows[1], "encoding", "primary.site", "primary.site: NUL byte not allowed", 3, 7);
  EXPECT_EQ(r.rows[1].errors[0].pos.offset, 7U);
  EXPECT_TRUE(r.rows[2].ok);
  // In an enum cell, the message never echoes the invalid byte.
  r = run("A,,,,leio\xFFmyosarcoma,,,,,,\n");
  ASSERT_EQ(r.rows[0].errors.size(), 1U);
  EXPECT_EQ(r.rows[0].errors[0].kind, "encoding");
  EXPECT_EQ(r.rows[0].errors[0].pos.offset, 9U);
}

TEST_F(CsvReaderTest, C11LastLineWithoutNewline) {
  CsvRun r = run("A,,,,,,,,,,\nB,5,,,,,,,,,");
  ASSERT_EQ(r.rows.size(), 2U);
  EXPECT_TRUE(r.rows[1].ok);
  EXPECT_EQ(r.rows[1].p.values[kAge].num, 5.0);
  EXPECT_EQ(r.lines, 3U);
  r = run("A,,,,,,,,,,\nB,5,,,,\"thigh");
  ASSERT_EQ(r.rows.size(), 2U);
  expect_error(r.rows[1], "syntax", "", "truncated record: unterminated quoted field", 3, 8);
}

TEST_F(CsvReaderTest, QuoteMistakes) {
  CsvRun r = run("A,,,,,ab\"c,,,,,\nB,,,,,\"ab\"c,,,,,\nC,,,,,,,,,,\rD\nE,,,,,,,,,,\n");
  ASSERT_EQ(r.rows.size(), 4U);
  expect_error(r.rows[0], "syntax", "", "quote inside an unquoted field", 2, 9);
  expect_error(r.rows[1], "syntax", "", "unexpected character after a closing quote", 3, 11);
  expect_error(r.rows[2], "syntax", "", "bare carriage return (line breaks must be LF or CRLF)", 4, 12);
  EXPECT_EQ(r.rows[3].p.id, "E");
  EXPECT_EQ(r.rows[3].line, 5U);
}

}  // namespace oligoscreen::test_patient
