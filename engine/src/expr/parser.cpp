#include "expr/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/date.hpp"

namespace oligoscreen::detail {
namespace {

enum class Tok : uint8_t {
  End,
  Number,
  String,
  Date,
  Name,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  Plus,
  Minus,
  Star,
  Slash,
  EqEq,
  NotEq,
  Lt,
  Le,
  Gt,
  Ge,
  KwAnd,
  KwOr,
  KwNot,
  KwIn,
  KwIf,
  KwThen,
  KwElse,
  KwTrue,
  KwFalse,
  KwUnknown,
  Error
};

struct Token {
  Tok kind = Tok::End;
  uint32_t begin = 0, end = 0;
  std::string text;  // Name / String (unescaped) / Number / Date source
  std::string error;
};

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    skip_space();
    Token t;
    t.begin = static_cast<uint32_t>(i_);
    if (i_ >= s_.size()) {
      t.kind = Tok::End;
      t.end = t.begin;
      return t;
    }
    char c = s_[i_];
    auto one = [&](Tok k, size_t n = 1) {
      i_ += n;
      t.kind = k;
      t.end = static_cast<uint32_t>(i_);
      return t;
    };
    switch (c) {
      case '(':
        return one(Tok::LParen);
      case ')':
        return one(Tok::RParen);
      case '[':
        return one(Tok::LBracket);
      case ']':
        return one(Tok::RBracket);
      case ',':
        return one(Tok::Comma);
      case '.':
        return one(Tok::Dot);
      case '+':
        return one(Tok::Plus);
      case '-':
        return one(Tok::Minus);
      case '*':
        return one(Tok::Star);
      case '/':
        return one(Tok::Slash);
      case '=':
        if (peek(1) == '=') return one(Tok::EqEq, 2);
        return error(t, "unexpected '=' (use '==' to compare)");
      case '!':
        if (peek(1) == '=') return one(Tok::NotEq, 2);
        return error(t, "unexpected '!' (use 'not' for negation)");
      case '<':
        if (peek(1) == '=') return one(Tok::Le, 2);
        return one(Tok::Lt);
      case '>':
        if (peek(1) == '=') return one(Tok::Ge, 2);
        return one(Tok::Gt);
      case '&':
        return error(t, "unexpected '&' (use 'and')");
      case '|':
        return error(t, "unexpected '|' (use 'or')");
      case '"':
      case '\'':
        return string(t, c);
      case '@':
        return date(t);
      default:
        break;
    }
    if (is_digit(c)) return number(t);
    if (is_name_start(c)) {
      size_t j = i_;
      while (j < s_.size() && is_name_char(s_[j])) ++j;
      t.text.assign(s_.substr(i_, j - i_));
      i_ = j;
      t.end = static_cast<uint32_t>(i_);
      t.kind = keyword(t.text);
      return t;
    }
    if (static_cast<unsigned char>(c) >= 0x80) return error(t, "unexpected non-ASCII character");
    return error(t, std::string("unexpected character '") + c + "'");
  }

 private:
  char peek(size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

  void skip_space() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '#') {  // comment to end of line
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  Token& error(Token& t, std::string msg) {
    t.kind = Tok::Error;
    t.error = std::move(msg);
    t.end = t.begin + 1;
    return t;
  }

  static Tok keyword(const std::string& w) {
    if (w == "and") return Tok::KwAnd;
    if (w == "or") return Tok::KwOr;
    if (w == "not") return Tok::KwNot;
    if (w == "in") return Tok::KwIn;
    if (w == "if") return Tok::KwIf;
    if (w == "then") return Tok::KwThen;
    if (w == "else") return Tok::KwElse;
    if (w == "true") return Tok::KwTrue;
    if (w == "false") return Tok::KwFalse;
    if (w == "unknown") return Tok::KwUnknown;
    return Tok::Name;
  }

  Token& number(Token& t) {
    size_t j = i_;
    while (j < s_.size() && is_digit(s_[j])) ++j;
    if (j - i_ > 1 && s_[i_] == '0') {
      i_ = j;
      return error(t, "numbers may not have leading zeros");
    }
    if (j < s_.size() && s_[j] == '.') {
      if (j + 1 >= s_.size() || !is_digit(s_[j + 1])) {
        i_ = j + 1;
        return error(t, "a decimal point must be followed by digits");
      }
      ++j;
      while (j < s_.size() && is_digit(s_[j])) ++j;
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      size_t k = j + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k < s_.size() && is_digit(s_[k])) {
        while (k < s_.size() && is_digit(s_[k])) ++k;
        j = k;
      }
    }
    if (j < s_.size() && is_name_char(s_[j])) {
      i_ = j;
      return error(t, "malformed number");
    }
    t.text.assign(s_.substr(i_, j - i_));
    i_ = j;
    t.kind = Tok::Number;
    t.end = static_cast<uint32_t>(i_);
    return t;
  }

  Token& string(Token& t, char quote) {
    size_t j = i_ + 1;
    std::string out;
    while (j < s_.size() && s_[j] != quote) {
      if (s_[j] == '\\' && j + 1 < s_.size()) {
        char e = s_[j + 1];
        if (e == quote || e == '\\') {
          out += e;
          j += 2;
          continue;
        }
        i_ = j;
        return error(t, "unknown escape in string (only \\\\ and \\" + std::string(1, quote) + ")");
      }
      if (s_[j] == '\n') break;
      out += s_[j++];
    }
    if (j >= s_.size() || s_[j] != quote) {
      return error(t, "unterminated string");
    }
    i_ = j + 1;
    t.kind = Tok::String;
    t.text = std::move(out);
    t.end = static_cast<uint32_t>(i_);
    return t;
  }

  Token& date(Token& t) {
    size_t j = i_ + 1;
    while (j < s_.size() && (is_digit(s_[j]) || s_[j] == '-')) ++j;
    t.text.assign(s_.substr(i_ + 1, j - i_ - 1));
    i_ = j;
    if (!parse_date(t.text)) return error(t, "invalid date literal (write @YYYY-MM-DD or @YYYY-MM)");
    t.kind = Tok::Date;
    t.end = static_cast<uint32_t>(i_);
    return t;
  }

  std::string_view s_;
  size_t i_ = 0;
};

class Parser {
 public:
  Parser(std::string_view src, std::vector<ExprNode>& pool, ParseIssue& issue, const ExprLimits& limits)
      : lex_(src), pool_(pool), issue_(issue), limits_(limits) {
    advance();
  }

  uint32_t parse() {
    uint32_t root = expr();
    if (failed_) return kNone;
    if (cur_.kind != Tok::End) {
      fail(cur_.begin, "unexpected " + describe(cur_) + " after the end of the expression");
      return kNone;
    }
    return root;
  }

 private:
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::End:
        return "end of expression";
      case Tok::Name:
        return "name '" + t.text + "'";
      case Tok::Number:
        return "number " + t.text;
      case Tok::String:
        return "string";
      case Tok::Date:
        return "date";
      case Tok::KwAnd:
        return "'and'";
      case Tok::KwOr:
        return "'or'";
      case Tok::KwNot:
        return "'not'";
      case Tok::KwIn:
        return "'in'";
      case Tok::KwIf:
        return "'if'";
      case Tok::KwThen:
        return "'then'";
      case Tok::KwElse:
        return "'else'";
      case Tok::KwTrue:
        return "'true'";
      case Tok::KwFalse:
        return "'false'";
      case Tok::KwUnknown:
        return "'unknown'";
      case Tok::RParen:
        return "')'";
      case Tok::LParen:
        return "'('";
      case Tok::RBracket:
        return "']'";
      case Tok::LBracket:
        return "'['";
      case Tok::Comma:
        return "','";
      case Tok::Dot:
        return "'.'";
      default:
        return "operator";
    }
  }

  void advance() {
    cur_ = lex_.next();
    if (cur_.kind == Tok::Error) fail(cur_.begin, cur_.error);
  }

  void fail(uint32_t at, std::string msg) {
    if (failed_) return;
    failed_ = true;
    issue_.offset = at;
    issue_.message = std::move(msg);
  }

  bool expect(Tok k, const char* what) {
    if (cur_.kind != k) {
      fail(cur_.begin, std::string("expected ") + what + ", found " + describe(cur_));
      return false;
    }
    advance();
    return true;
  }

  uint32_t add(ExprNode n) {
    pool_.push_back(std::move(n));
    return static_cast<uint32_t>(pool_.size() - 1);
  }

  uint32_t binary(Op op, uint32_t l, uint32_t r, uint32_t begin) {
    ExprNode n;
    n.op = op;
    n.a = l;
    n.b = r;
    n.begin = begin;
    n.end = pool_[r].end;
    return add(std::move(n));
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) { ++p.depth_; }
    ~DepthGuard() { --p.depth_; }
  };

  bool too_deep() {
    if (depth_ > limits_.max_depth) {
      fail(cur_.begin, "expression nested too deeply (limit " + std::to_string(limits_.max_depth) + ")");
      return true;
    }
    return false;
  }

  uint32_t expr() { return or_expr(); }

  uint32_t or_expr() {
    uint32_t begin = cur_.begin;
    uint32_t l = and_expr();
    while (!failed_ && cur_.kind == Tok::KwOr) {
      advance();
      uint32_t r = and_expr();
      if (failed_) return kNone;
      l = binary(Op::Or, l, r, begin);
    }
    return failed_ ? kNone : l;
  }

  uint32_t and_expr() {
    uint32_t begin = cur_.begin;
    uint32_t l = not_expr();
    while (!failed_ && cur_.kind == Tok::KwAnd) {
      advance();
      uint32_t r = not_expr();
      if (failed_) return kNone;
      l = binary(Op::And, l, r, begin);
    }
    return failed_ ? kNone : l;
  }

  uint32_t not_expr() {
    DepthGuard g(*this);
    if (too_deep()) return kNone;
    if (cur_.kind == Tok::KwNot) {
      uint32_t begin = cur_.begin;
      advance();
      uint32_t x = not_expr();
      if (failed_) return kNone;
      ExprNode n;
      n.op = Op::Not;
      n.a = x;
      n.begin = begin;
      n.end = pool_[x].end;
      return add(std::move(n));
    }
    return cmp_expr();
  }

  uint32_t cmp_expr() {
    uint32_t begin = cur_.begin;
    uint32_t l = add_expr();
    if (failed_) return kNone;
    Op op;
    switch (cur_.kind) {
      case Tok::EqEq:
        op = Op::Eq;
        break;
      case Tok::NotEq:
        op = Op::Ne;
        break;
      case Tok::Lt:
        op = Op::Lt;
        break;
      case Tok::Le:
        op = Op::Le;
        break;
      case Tok::Gt:
        op = Op::Gt;
        break;
      case Tok::Ge:
        op = Op::Ge;
        break;
      case Tok::KwIn:
        op = Op::In;
        break;
      default:
        return l;
    }
    uint32_t op_at = cur_.begin;
    advance();
    uint32_t r = add_expr();
    if (failed_) return kNone;
    uint32_t n = binary(op, l, r, begin);
    pool_[n].at = op_at;  // operator position, for diagnostics
    switch (cur_.kind) {
      case Tok::EqEq:
      case Tok::NotEq:
      case Tok::Lt:
      case Tok::Le:
      case Tok::Gt:
      case Tok::Ge:
      case Tok::KwIn:
        fail(cur_.begin, "comparisons do not chain: use 'and' (a < b and b < c)");
        return kNone;
      default:
        break;
    }
    return n;
  }

  uint32_t add_expr() {
    uint32_t begin = cur_.begin;
    uint32_t l = mul_expr();
    while (!failed_ && (cur_.kind == Tok::Plus || cur_.kind == Tok::Minus)) {
      Op op = cur_.kind == Tok::Plus ? Op::Add : Op::Sub;
      uint32_t op_at = cur_.begin;
      advance();
      uint32_t r = mul_expr();
      if (failed_) return kNone;
      l = binary(op, l, r, begin);
      pool_[l].at = op_at;
    }
    return failed_ ? kNone : l;
  }

  uint32_t mul_expr() {
    uint32_t begin = cur_.begin;
    uint32_t l = unary();
    while (!failed_ && (cur_.kind == Tok::Star || cur_.kind == Tok::Slash)) {
      Op op = cur_.kind == Tok::Star ? Op::Mul : Op::Div;
      uint32_t op_at = cur_.begin;
      advance();
      uint32_t r = unary();
      if (failed_) return kNone;
      l = binary(op, l, r, begin);
      pool_[l].at = op_at;
    }
    return failed_ ? kNone : l;
  }

  uint32_t unary() {
    DepthGuard g(*this);
    if (too_deep()) return kNone;
    if (cur_.kind == Tok::Minus) {
      uint32_t begin = cur_.begin;
      advance();
      uint32_t x = unary();
      if (failed_) return kNone;
      ExprNode n;
      n.op = Op::Neg;
      n.a = x;
      n.begin = begin;
      n.end = pool_[x].end;
      return add(std::move(n));
    }
    return postfix();
  }

  uint32_t postfix() {
    uint32_t x = primary();
    while (!failed_ && cur_.kind == Tok::Dot) {
      advance();
      if (cur_.kind != Tok::Name) {
        fail(cur_.begin, "expected a field name after '.', found " + describe(cur_));
        return kNone;
      }
      ExprNode n;
      n.op = Op::Member;
      n.a = x;
      n.text = cur_.text;
      n.begin = pool_[x].begin;
      n.end = cur_.end;
      n.at = cur_.begin;  // position of the member name
      advance();
      x = add(std::move(n));
    }
    return failed_ ? kNone : x;
  }

  uint32_t primary() {
    DepthGuard g(*this);
    if (too_deep()) return kNone;
    Token t = cur_;
    ExprNode n;
    n.begin = t.begin;
    n.end = t.end;
    switch (t.kind) {
      case Tok::Number: {
        double v = 0;
        auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (ec != std::errc() || !std::isfinite(v)) {
          fail(t.begin, "number out of range");
          return kNone;
        }
        (void)p;
        n.op = Op::Literal;
        n.lit = Value::number(v);
        n.type = Type::of(Type::Number);
        n.text = t.text;
        advance();
        return add(std::move(n));
      }
      case Tok::String:
        n.op = Op::Literal;
        n.lit.kind = VKind::Text;
        n.type = Type::of(Type::Text);
        n.text = t.text;
        advance();
        return add(std::move(n));
      case Tok::Date: {
        auto d = parse_date(t.text);
        n.op = Op::Literal;
        n.lit = Value::date_range(d->lo, d->hi);
        n.type = Type::of(Type::Date);
        n.text = t.text;
        advance();
        return add(std::move(n));
      }
      case Tok::KwTrue:
      case Tok::KwFalse:
        n.op = Op::Literal;
        n.lit = Value::boolean(t.kind == Tok::KwTrue);
        n.type = Type::of(Type::Bool);
        advance();
        return add(std::move(n));
      case Tok::KwUnknown:
        n.op = Op::Literal;
        n.lit = Value::unknown();
        n.type = Type::of(Type::Any);
        advance();
        return add(std::move(n));
      case Tok::LParen: {
        advance();
        uint32_t x = expr();
        if (failed_) return kNone;
        if (!expect(Tok::RParen, "')'")) return kNone;
        return x;
      }
      case Tok::LBracket: {
        advance();
        n.op = Op::ListLit;
        if (cur_.kind != Tok::RBracket) {
          for (;;) {
            uint32_t item = expr();
            if (failed_) return kNone;
            n.args.push_back(item);
            if (cur_.kind == Tok::Comma) {
              advance();
              continue;
            }
            break;
          }
        }
        n.end = cur_.end;
        if (!expect(Tok::RBracket, "',' or ']'")) return kNone;
        return add(std::move(n));
      }
      case Tok::KwIf: {
        advance();
        uint32_t c = expr();
        if (failed_) return kNone;
        if (!expect(Tok::KwThen, "'then'")) return kNone;
        uint32_t a = expr();
        if (failed_) return kNone;
        if (!expect(Tok::KwElse, "'else'")) return kNone;
        uint32_t b = expr();
        if (failed_) return kNone;
        n.op = Op::If;
        n.a = c;
        n.b = a;
        n.c = b;
        n.end = pool_[b].end;
        return add(std::move(n));
      }
      case Tok::Name: {
        advance();
        if (cur_.kind == Tok::LParen) {
          advance();
          n.op = Op::Call;
          n.text = t.text;
          if (cur_.kind != Tok::RParen) {
            for (;;) {
              uint32_t arg = expr();
              if (failed_) return kNone;
              n.args.push_back(arg);
              if (cur_.kind == Tok::Comma) {
                advance();
                continue;
              }
              break;
            }
          }
          n.end = cur_.end;
          if (!expect(Tok::RParen, "',' or ')'")) return kNone;
          return add(std::move(n));
        }
        n.op = Op::Name;
        n.text = t.text;
        return add(std::move(n));
      }
      case Tok::End:
        fail(t.begin, "expected an expression, found end of expression");
        return kNone;
      case Tok::Error:
        return kNone;
      default:
        fail(t.begin, "expected an expression, found " + describe(t));
        return kNone;
    }
  }

  Lexer lex_;
  std::vector<ExprNode>& pool_;
  ParseIssue& issue_;
  const ExprLimits& limits_;
  Token cur_;
  bool failed_ = false;
  uint32_t depth_ = 0;
};

}  // namespace

uint32_t parse_expression(std::string_view src, std::vector<ExprNode>& pool, ParseIssue& issue,
                          const ExprLimits& limits) {
  if (src.size() > limits.max_length) {
    issue.offset = 0;
    issue.message = "expression too long (" + std::to_string(src.size()) + " bytes, limit " +
                    std::to_string(limits.max_length) + ")";
    return kNone;
  }
  size_t mark = pool.size();
  Parser p(src, pool, issue, limits);
  uint32_t root = p.parse();
  if (root != kNone) {
    // Children are added before their parents, so one forward pass gives every height.
    std::vector<uint32_t> height(pool.size() - mark, 1);
    auto h = [&](uint32_t child) { return child != kNone && child >= mark ? height[child - mark] : 0u; };
    for (size_t i = mark; i < pool.size(); ++i) {
      const ExprNode& n = pool[i];
      uint32_t below = std::max({h(n.a), h(n.b), h(n.c)});
      for (uint32_t arg : n.args) below = std::max(below, h(arg));
      height[i - mark] = below + 1;
      if (below + 1 > limits.max_height) {
        issue.offset = n.at != kNone ? n.at : n.begin;
        issue.message = "expression too complex (more than " + std::to_string(limits.max_height) +
                        " levels of operators): split it into named facts";
        root = kNone;
        break;
      }
    }
  }
  if (root == kNone) pool.resize(mark);
  return root;
}

}  // namespace oligoscreen::detail
