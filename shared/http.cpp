// The HTTP/1.1 subset, the codec chooser, and the encoder of replies sent before a codec is
// chosen. See http.hpp and protocol.hpp, and PROTOCOL.md for the format.
#include "http.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

namespace lab {
namespace {

bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
char lower(char c) {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == y; });
}

// A header name: RFC 9110's token characters.
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || is_upper(c) || is_digit(c) ||
               std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
    });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Does the comma-separated header value hold `token` (case-insensitive)?
bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

bool parse_decimal(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 18) return false;  // 18 digits cannot overflow
    out = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
}

const char* reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 413:
            return "Content Too Large";
        case 422:
            return "Unprocessable Content";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Error";
    }
}

Decoded error(ErrorCode code, std::string_view message) {
    Decoded d;
    d.kind = Decoded::Kind::Error;
    d.code = code;
    d.error = error_reply(code, message);
    return d;
}

// The query's parameters, checked against the names a route takes; each at most once.
struct Query {
    static constexpr std::size_t kMax = 3;
    std::string_view names[kMax];
    std::string values[kMax];
    bool seen[kMax] = {};
};

using Body = HttpCodec::Body;

// One route: its path, the LABP/1 command it stands for, the query parameters it takes in the
// order of that command's arguments (a Number left out is 0; a Word left out is empty), and
// what its reply's body is.
struct Param {
    enum Kind { Number, Word };
    std::string_view name;
    Kind kind = Number;
};
struct Route {
    std::string_view path;
    std::string_view command;
    Param params[Query::kMax];
    Body body = Body::Text;
};

constexpr Route kRoutes[] = {
    {"/ping", "PING", {}, Body::Text},
    {"/stats", "STATS", {}, Body::Json},
    {"/echo", "ECHO", {{"text", Param::Word}}, Body::Text},
    {"/work",
     "WORK",
     {{"cpu_us", Param::Number}, {"io_ms", Param::Number}, {"bytes", Param::Number}},
     Body::Pattern},
    {"/incr", "INCR", {{"key", Param::Word}}, Body::Text},
    {"/get", "GET", {{"key", Param::Word}}, Body::Text},
    {"/query", "QUERY", {{"ms", Param::Number}, {"rows", Param::Number}}, Body::Rows},
    {"/wait", "WAIT", {{"key", Param::Word}, {"timeout_ms", Param::Number}}, Body::Text},
    {"/post", "POST", {{"key", Param::Word}, {"value", Param::Word}}, Body::Text},
};

const Route* find_route(std::string_view path) {
    for (const Route& route : kRoutes) {
        if (route.path == path) return &route;
    }
    return nullptr;
}

// Fills `q` (whose names are set) from "a=1&b=2"; an error message, or empty on success.
std::string parse_query(std::string_view query, Query& q, std::size_t count) {
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        std::size_t eq = pair.find('=');
        std::string name;
        if (!percent_decode(pair.substr(0, eq), name)) return "bad % escape in the query";
        std::size_t i = 0;
        while (i < count && q.names[i] != name)
            ++i;
        if (i == count) {
            std::string message = "unknown parameter ";
            message += name.substr(0, 64);
            return message;
        }
        if (q.seen[i]) return "parameter given twice";
        q.seen[i] = true;
        std::string_view raw = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
        if (!percent_decode(raw, q.values[i])) return "bad % escape in the query";
    }
    return {};
}

// A connection's first line in `bytes`, without its CR LF; nullopt while it is incomplete.
std::optional<std::string_view> complete_first_line(std::string_view bytes) {
    std::size_t lf = bytes.find('\n');
    if (lf == std::string_view::npos) return std::nullopt;
    std::string_view line = bytes.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// The codec chooser's rule: a connection speaks HTTP if its complete first line is an HTTP
// request line.
bool starts_with_http_request_line(std::string_view bytes) {
    std::optional<std::string_view> line = complete_first_line(bytes);
    return line && is_http_request_line(*line);
}

// The codec a connection starts with: holds its first line in a LABP/1 codec, then either
// keeps that codec or hands the bytes to an HTTP one. Until then replies are LABP/1.
class ChoosingCodec final : public Codec {
  public:
    std::span<char> input_space() override {
        if (chosen_) return chosen_->input_space();
        return labp_->input_space();
    }
    bool has_input_space() const override {
        return chosen_ ? chosen_->has_input_space() : labp_->has_input_space();
    }
    void commit(std::size_t n) override {
        if (chosen_) return chosen_->commit(n);
        labp_->commit(n);
        choose();
    }
    Decoded next() override {
        if (!chosen_) return Decoded{};
        return chosen_->next();
    }
    std::size_t buffered() const override {
        return chosen_ ? chosen_->buffered() : labp_->buffered();
    }
    Framing encode(const Reply& reply, std::string& out) override {
        if (chosen_) return chosen_->encode(reply, out);
        // A 408 before the first line is complete: LABP/1, since no complete line is held.
        return encode_before_codec(reply, labp_->pending(), out);
    }

  private:
    void choose() {
        std::string_view bytes = labp_->pending();
        if (!complete_first_line(bytes) && bytes.size() < kMaxLineBytes) return;  // not yet
        if (starts_with_http_request_line(bytes)) {
            auto http = std::make_unique<HttpCodec>();
            http->feed(bytes);  // fits: an HTTP codec holds more than a LABP/1 line
            chosen_ = std::move(http);
        } else {
            chosen_ = std::move(labp_);  // a line over 4096 bytes is LABP/1's 413
        }
        labp_.reset();
    }

    std::unique_ptr<LabpCodec> labp_ = std::make_unique<LabpCodec>();
    std::unique_ptr<Codec> chosen_;
};

}  // namespace

bool is_http_request_line(std::string_view line) {
    std::size_t sp1 = line.find(' ');
    if (sp1 == 0 || sp1 == std::string_view::npos || sp1 > 20) return false;
    if (!std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(sp1), is_upper))
        return false;
    std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line[sp1 + 1] != '/') return false;
    std::string_view version = line.substr(sp2 + 1);
    return version.size() == 8 && version.substr(0, 5) == "HTTP/" && is_digit(version[5]) &&
           version[6] == '.' && is_digit(version[7]);
}

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    auto hex = [](char c) -> int {
        if (is_digit(c)) return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] != '%') {
            out += in[i];
        } else {
            if (i + 2 >= in.size()) return false;  // '%' needs two hex digits after it
            int high = hex(in[i + 1]);
            int low = hex(in[i + 2]);
            if (high < 0 || low < 0) return false;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        }
    }
    return true;
}

std::span<char> HttpCodec::input_space() {
    if (failed_) return {};
    if (start_ > 0 && end_ == sizeof buffer_) {
        std::memmove(buffer_, buffer_ + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
    }
    return {buffer_ + end_, sizeof buffer_ - end_};
}

void HttpCodec::commit(std::size_t n) {
    end_ += std::min(n, sizeof buffer_ - end_);
}

void HttpCodec::discard_body() {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, end_ - start_));
    start_ += n;
    body_left_ -= n;
    if (start_ == end_) start_ = end_ = 0;
}

Decoded HttpCodec::fail(ErrorCode code, std::string_view message) {
    // The stream has no trustworthy request boundaries any more: answer, then close.
    failed_ = true;
    failure_ = error(code, message);
    failure_.error.close_after = true;
    return answer(failure_, Pending{Body::Text, false, false});
}

Decoded HttpCodec::answer(Decoded d, Pending pending) {
    pending_.push_back(pending);
    return d;
}

Decoded HttpCodec::next() {
    if (failed_) return failure_;
    if (pending_.size() >= kMaxPendingReplies) return Decoded{};  // answer those first
    discard_body();
    if (body_left_ > 0) return Decoded{};
    while (true) {
        const char* begin = buffer_ + start_;
        std::size_t available = end_ - start_;
        const void* found = std::memchr(begin + scanned_, '\n', available - scanned_);
        if (found == nullptr) {
            scanned_ = available;
            if (available >= sizeof buffer_) {
                return fail(ErrorCode::HeadersTooLarge, "header section over 8192 bytes");
            }
            if (start_ == end_) start_ = end_ = scanned_ = line_start_ = 0;
            return Decoded{};
        }
        std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(found) - begin);
        std::size_t length = lf - line_start_;
        bool empty = length == 0 || (length == 1 && begin[line_start_] == '\r');
        scanned_ = lf + 1;
        if (!empty) {
            line_start_ = lf + 1;
            continue;
        }
        if (line_start_ == 0) {  // an empty line before a request line is ignored (RFC 9112)
            start_ += lf + 1;
            scanned_ = 0;
            continue;
        }
        std::string_view head(begin, line_start_);  // the request line and the headers
        start_ += lf + 1;
        scanned_ = line_start_ = 0;
        Decoded d = parse(head);
        if (start_ == end_) start_ = end_ = 0;
        return d;
    }
}

Decoded HttpCodec::parse(std::string_view head) {
    auto next_line = [&head]() {
        std::size_t lf = head.find('\n');
        std::string_view line = head.substr(0, lf);
        head.remove_prefix(lf == std::string_view::npos ? head.size() : lf + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
    };
    std::string_view request_line = next_line();
    if (!is_http_request_line(request_line)) return fail(ErrorCode::BadRequest, "bad request line");
    std::size_t sp1 = request_line.find(' ');
    std::size_t sp2 = request_line.find(' ', sp1 + 1);
    std::string_view method = request_line.substr(0, sp1);
    std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = request_line.substr(sp2 + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return fail(ErrorCode::VersionNotSupported, "only HTTP/1.0 and HTTP/1.1");
    }
    Pending pending;
    pending.http10 = version == "HTTP/1.0";
    pending.keep_alive = !pending.http10;

    bool host = false;
    bool has_length = false;
    std::uint64_t length = 0;
    while (!head.empty()) {
        std::string_view line = next_line();
        if (line.front() == ' ' || line.front() == '\t') {
            return fail(ErrorCode::BadRequest, "folded header line");
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
            return fail(ErrorCode::BadRequest, "bad header line");
        }
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim(line.substr(colon + 1));
        if (std::any_of(value.begin(), value.end(), [](char c) {
                return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
            })) {
            return fail(ErrorCode::BadRequest, "control character in a header");
        }
        if (iequals(name, "host")) {
            if (host) return fail(ErrorCode::BadRequest, "Host given twice");
            host = true;
        } else if (iequals(name, "connection")) {
            if (has_token(value, "close")) pending.keep_alive = false;
            if (pending.http10 && has_token(value, "keep-alive")) pending.keep_alive = true;
        } else if (iequals(name, "content-length")) {
            std::uint64_t n = 0;
            if (!parse_decimal(value, n) || (has_length && n != length)) {
                return fail(ErrorCode::BadRequest, "bad Content-Length");
            }
            has_length = true;
            length = n;
        } else if (iequals(name, "transfer-encoding")) {
            return fail(ErrorCode::NotImplemented, "request bodies must use Content-Length");
        }
    }
    if (!pending.http10 && !host) return fail(ErrorCode::BadRequest, "HTTP/1.1 needs Host");
    if (length > kMaxRequestBodyBytes) {
        return fail(ErrorCode::LineTooLong, "request body over 1048576 bytes");
    }
    body_left_ = length;  // read and ignored before the next request

    if (method != "GET") {
        Decoded d = error(ErrorCode::MethodNotAllowed, "only GET");
        return answer(d, pending);
    }
    std::size_t question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    // Each route is the LABP/1 request it stands for, parsed by LABP/1's own parser so that
    // limits and errors are the same.
    const Route* route = find_route(path);
    if (route == nullptr) return answer(error(ErrorCode::NotFound, "no such path"), pending);
    pending.body = route->body;
    Query q;
    std::size_t count = 0;
    while (count < Query::kMax && !route->params[count].name.empty()) {
        q.names[count] = route->params[count].name;
        ++count;
    }
    std::string problem = parse_query(query, q, count);
    if (!problem.empty()) return answer(error(ErrorCode::BadRequest, problem), pending);
    std::string line(route->command);
    if (route->command == "ECHO") {
        if (q.seen[0]) {
            line += ' ';
            line += q.values[0];
        }
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            line += ' ';
            if (route->params[i].kind == Param::Number) {
                line += q.seen[i] ? q.values[i] : "0";  // a number left out is 0
                continue;
            }
            // A word left out is empty (a bad key, 400). A space in it would split the LABP/1
            // line in two; as '?', a character no key may hold, LABP/1's own check refuses
            // the word as it is.
            std::replace(q.values[i].begin(), q.values[i].end(), ' ', '?');
            line += q.values[i];
        }
    }
    if (line.size() > kMaxLineBytes - 2) {
        return answer(error(ErrorCode::BadRequest, "text over 4094 bytes"), pending);
    }
    return answer(parse_line(line), pending);
}

Framing HttpCodec::encode(const Reply& reply, std::string& out) {
    Pending p;  // a reply to no request (408 idle): close
    if (!pending_.empty()) {
        p = pending_.front();
        pending_.pop_front();
    }
    return encode_for(reply, p, out);
}

Framing HttpCodec::encode_unrequested(const Reply& reply, std::string& out) {
    return encode_for(reply, Pending{}, out);  // keep_alive false: Connection: close
}

Framing HttpCodec::encode_for(const Reply& reply, const Pending& p, std::string& out) {
    int status = 200;
    std::string_view body = reply.text;
    std::uint64_t pattern = 0;
    if (!reply.ok) {  // "404 message"
        std::size_t space = body.find(' ');
        status = std::atoi(std::string(body.substr(0, space)).c_str());
        body = space == std::string_view::npos ? std::string_view{} : body.substr(space + 1);
    } else if (p.body == Body::Pattern) {
        body = {};
        pattern = reply.body_bytes;
    } else if (p.body == Body::Rows) {
        body = reply.rows;  // the rows themselves; their count is Content-Length / 100
    } else if (!body.empty() && body.front() == ' ') {
        body.remove_prefix(1);  // ECHO's text keeps the request's separator
    }
    bool close = reply.close_after || !p.keep_alive;
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason(status);
    out += "\r\nContent-Type: ";
    out += reply.ok && p.body == Body::Json ? "application/json" : "text/plain";
    out += "\r\nContent-Length: ";
    out += std::to_string(pattern > 0 ? pattern : body.size());
    if (status == 405) out += "\r\nAllow: GET";
    if (close) {
        out += "\r\nConnection: close";
    } else if (p.http10) {
        out += "\r\nConnection: keep-alive";
    }
    out += "\r\n\r\n";
    out += body;
    return {pattern, close};
}

std::unique_ptr<Codec> make_codec() {
    return std::make_unique<ChoosingCodec>();
}

Framing encode_before_codec(const Reply& reply, std::string_view first_bytes, std::string& out) {
    if (starts_with_http_request_line(first_bytes))
        return HttpCodec::encode_unrequested(reply, out);
    return LabpCodec::encode_labp(reply, out);
}

}  // namespace lab
