// re2size: prints the RE2 program size of regular expressions, the number Envoy
// compares with its limit (100 by default) before it accepts a safe_regex.
//
// Input on stdin, one pattern per line. A line that starts with a double quote
// is read as a JSON string literal, so patterns may hold newlines or other
// control characters; any other line is taken verbatim (without its newline).
// Output on stdout, one JSON object per input line, in order, flushed at once:
//   {"ok":true,"size":N}   or   {"ok":false,"error":"..."}
// Patterns are compiled with RE2's default options with logging off, which is
// how Envoy builds them.

#include <re2/re2.h>

#include <cstdint>
#include <iostream>
#include <string>

namespace {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool ReadHex4(const std::string& s, size_t at, uint32_t* value) {
  if (at + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else return false;
  }
  *value = v;
  return true;
}

// Decodes a JSON string literal that fills the whole line. Returns false on
// malformed input, with a reason in *error.
bool DecodeJsonString(const std::string& line, std::string* out, std::string* error) {
  size_t end = line.find_last_not_of(" \t\r");
  if (end == std::string::npos || end == 0 || line[end] != '"') {
    *error = "malformed JSON string: missing closing quote";
    return false;
  }
  for (size_t i = 1; i < end; ++i) {
    char c = line[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i >= end) break;
    switch (line[i]) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        uint32_t cp = 0;
        if (!ReadHex4(line, i + 1, &cp)) {
          *error = "malformed JSON string: bad \\u escape";
          return false;
        }
        i += 4;
        uint32_t low = 0;
        bool high_surrogate = cp >= 0xD800 && cp <= 0xDBFF;
        if (high_surrogate && i + 6 < end + 1 && line[i + 1] == '\\' && line[i + 2] == 'u' &&
            ReadHex4(line, i + 3, &low) && low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(out, cp);
        break;
      }
      default:
        *error = "malformed JSON string: unknown escape";
        return false;
    }
  }
  return true;
}

std::string JsonEscape(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

void Report(const std::string& line) {
  std::string pattern;
  std::string error;
  if (!line.empty() && line[0] == '"') {
    if (!DecodeJsonString(line, &pattern, &error)) {
      std::cout << "{\"ok\":false,\"error\":\"" << JsonEscape(error) << "\"}\n";
      return;
    }
  } else {
    pattern = line;
  }
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) {
    std::cout << "{\"ok\":false,\"error\":\"" << JsonEscape(re.error()) << "\"}\n";
    return;
  }
  std::cout << "{\"ok\":true,\"size\":" << re.ProgramSize() << "}\n";
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    Report(line);
    std::cout.flush();
  }
  return 0;
}
