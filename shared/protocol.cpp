// LABP/1's decoder and encoder, and the replies every wire format shares. See protocol.hpp for
// the contract, PROTOCOL.md for the format.
#include "protocol.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace lab {
namespace {

bool is_printable(char c) {
    return c >= 0x20 && c <= 0x7e;
}

char to_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool equals_upper(std::string_view word, std::string_view upper) {
    if (word.size() != upper.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (to_upper(word[i]) != upper[i]) return false;
    }
    return true;
}

Decoded error(ErrorCode code, std::string_view message) {
    Decoded d;
    d.kind = Decoded::Kind::Error;
    d.code = code;
    d.error = error_reply(code, message);
    return d;
}

Decoded request(Request r) {
    Decoded d;
    d.kind = Decoded::Kind::Request;
    d.request = std::move(r);
    return d;
}

// Unsigned decimal, 64-bit. Empty, signs, other characters and overflow are all "bad".
bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty()) return false;
    std::uint64_t value = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

// Splits `args` on single spaces into exactly `count` fields; false if the count differs.
// An empty field (two spaces in a row, a leading or trailing space) is kept as a field, so
// the caller rejects it as a bad number or key.
template <std::size_t N>
bool split_fields(std::string_view args, std::string_view (&fields)[N]) {
    std::size_t n = 0;
    std::size_t pos = 0;
    while (true) {
        std::size_t space = args.find(' ', pos);
        if (n == N) return false;
        fields[n++] = args.substr(pos, space == std::string_view::npos ? args.npos : space - pos);
        if (space == std::string_view::npos) break;
        pos = space + 1;
    }
    return n == N;
}

Decoded parse_work(std::string_view args, bool has_args) {
    std::string_view f[3];
    if (!has_args || !split_fields(args, f)) {
        return error(ErrorCode::BadRequest, "WORK takes three numbers: cpu_us io_ms reply_bytes");
    }
    Request r;
    r.command = Command::Work;
    // A malformed number anywhere is a 400 before any limit is looked at.
    if (!parse_u64(f[0], r.cpu_us) || !parse_u64(f[1], r.io_ms) ||
        !parse_u64(f[2], r.reply_bytes)) {
        return error(ErrorCode::BadRequest, "bad number");
    }
    if (r.cpu_us > kMaxCpuUs) return error(ErrorCode::OverLimit, "cpu_us over 1000000");
    if (r.io_ms > kMaxIoMs) return error(ErrorCode::OverLimit, "io_ms over 60000");
    if (r.reply_bytes > kMaxReplyBytes) {
        return error(ErrorCode::OverLimit, "reply_bytes over 16777216");
    }
    return request(std::move(r));
}

// A key (or POST's value) of the wrong shape, too long included, is a bad request (400); 422
// is kept for numbers and for the count of keys, which are well-formed but over a limit.
bool is_key(std::string_view key) {
    return !key.empty() && key.size() <= kMaxKeyBytes &&
           std::all_of(key.begin(), key.end(), is_key_char);
}

constexpr std::string_view kBadKey = "bad key: use 1 to 64 of A-Z a-z 0-9 _ -";

Decoded parse_key_command(Command command, std::string_view args, bool has_args) {
    std::string_view f[1];
    if (!has_args || !split_fields(args, f)) {
        return error(ErrorCode::BadRequest, "takes one key");
    }
    if (!is_key(f[0])) return error(ErrorCode::BadRequest, kBadKey);
    Request r;
    r.command = command;
    r.text = std::string(f[0]);
    return request(std::move(r));
}

Decoded parse_query(std::string_view args, bool has_args) {
    std::string_view f[2];
    if (!has_args || !split_fields(args, f)) {
        return error(ErrorCode::BadRequest, "QUERY takes two numbers: ms rows");
    }
    Request r;
    r.command = Command::Query;
    if (!parse_u64(f[0], r.query_ms) || !parse_u64(f[1], r.rows)) {
        return error(ErrorCode::BadRequest, "bad number");
    }
    if (r.query_ms > kMaxQueryMs) return error(ErrorCode::OverLimit, "ms over 10000");
    if (r.rows > kMaxQueryRows) return error(ErrorCode::OverLimit, "rows over 1000");
    return request(std::move(r));
}

Decoded parse_wait(std::string_view args, bool has_args) {
    std::string_view f[2];
    if (!has_args || !split_fields(args, f)) {
        return error(ErrorCode::BadRequest, "WAIT takes a key and a number: key timeout_ms");
    }
    Request r;
    r.command = Command::Wait;
    if (!is_key(f[0])) return error(ErrorCode::BadRequest, kBadKey);
    if (!parse_u64(f[1], r.timeout_ms)) return error(ErrorCode::BadRequest, "bad number");
    if (r.timeout_ms > kMaxWaitMs) return error(ErrorCode::OverLimit, "timeout_ms over 60000");
    r.text = std::string(f[0]);
    return request(std::move(r));
}

Decoded parse_post(std::string_view args, bool has_args) {
    std::string_view f[2];
    if (!has_args || !split_fields(args, f)) {
        return error(ErrorCode::BadRequest, "POST takes a key and a value");
    }
    if (!is_key(f[0])) return error(ErrorCode::BadRequest, kBadKey);
    if (!is_key(f[1])) {
        return error(ErrorCode::BadRequest, "bad value: use 1 to 64 of A-Z a-z 0-9 _ -");
    }
    Request r;
    r.command = Command::Post;
    r.text = std::string(f[0]);
    r.value = std::string(f[1]);
    return request(std::move(r));
}

}  // namespace

Reply ok_reply(std::string text) {
    Reply r;
    r.ok = true;
    r.text = std::move(text);
    return r;
}

Reply error_reply(ErrorCode code, std::string_view message) {
    Reply r;
    r.ok = false;
    r.text = std::to_string(static_cast<int>(code));
    r.text += ' ';
    r.text += message;
    r.close_after = closes_connection(code);
    return r;
}

Reply backend_unavailable_reply() {
    Reply r = error_reply(ErrorCode::OverCapacity, "backend unavailable");
    r.close_after = false;
    return r;
}

Reply wait_timeout_reply() {
    Reply r = error_reply(ErrorCode::IdleTimeout, "no POST before the timeout");
    r.close_after = false;
    return r;
}

Reply too_many_waiters_reply() {
    Reply r = error_reply(ErrorCode::OverCapacity, "too many waiters (1000)");
    r.close_after = false;
    return r;
}

Reply refusal_reply(Refusal why) {
    switch (why) {
        case Refusal::MaxClients:
            return error_reply(ErrorCode::OverCapacity, "server at --max-clients");
        case Refusal::OutOfDescriptors:
            return error_reply(ErrorCode::OverCapacity, "server out of file descriptors");
        case Refusal::OverFdSetSize:
            return error_reply(ErrorCode::OverCapacity, "descriptor over FD_SETSIZE");
    }
    return error_reply(ErrorCode::OverCapacity, "server busy");  // not reached: every case returns
}

Decoded parse_line(std::string_view line) {
    if (line.empty()) return error(ErrorCode::BadRequest, "empty line");
    if (!std::all_of(line.begin(), line.end(), is_printable)) {
        return error(ErrorCode::BadRequest, "only printable ASCII and spaces are allowed");
    }
    std::size_t space = line.find(' ');
    std::string_view word = line.substr(0, space);
    bool has_args = space != std::string_view::npos;
    std::string_view args = has_args ? line.substr(space + 1) : std::string_view{};

    auto no_args = [&](Command command, const char* name) {
        if (has_args)
            return error(ErrorCode::BadRequest, std::string(name) + " takes no arguments");
        Request r;
        r.command = command;
        return request(std::move(r));
    };

    if (equals_upper(word, "PING")) return no_args(Command::Ping, "PING");
    if (equals_upper(word, "STATS")) return no_args(Command::Stats, "STATS");
    if (equals_upper(word, "QUIT")) return no_args(Command::Quit, "QUIT");
    if (equals_upper(word, "ECHO")) {
        Request r;
        r.command = Command::Echo;
        r.text = std::string(line.substr(4));  // spaces and all: "ECHO  a" -> "OK  a"
        return request(std::move(r));
    }
    if (equals_upper(word, "WORK")) return parse_work(args, has_args);
    if (equals_upper(word, "INCR")) return parse_key_command(Command::Incr, args, has_args);
    if (equals_upper(word, "GET")) return parse_key_command(Command::Get, args, has_args);
    if (equals_upper(word, "QUERY")) return parse_query(args, has_args);
    if (equals_upper(word, "WAIT")) return parse_wait(args, has_args);
    if (equals_upper(word, "POST")) return parse_post(args, has_args);
    return error(ErrorCode::BadRequest, "unknown command");
}

std::size_t Codec::feed(std::string_view bytes) {
    std::span<char> room = input_space();
    std::size_t n = std::min(room.size(), bytes.size());
    if (n == 0) return 0;  // room.data() may be null (a failed codec): memcpy must not see it
    std::memcpy(room.data(), bytes.data(), n);
    commit(n);
    return n;
}

std::span<char> LabpCodec::input_space() {
    if (failed_) return {};
    if (start_ > 0 && end_ == sizeof buffer_) {
        // Move the undecoded tail to the front so a line may use the whole buffer.
        std::memmove(buffer_, buffer_ + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
    }
    return {buffer_ + end_, sizeof buffer_ - end_};
}

void LabpCodec::commit(std::size_t n) {
    end_ += std::min(n, sizeof buffer_ - end_);
}

Decoded LabpCodec::next() {
    if (failed_) return error(ErrorCode::LineTooLong, "line over 4096 bytes");
    const char* begin = buffer_ + start_;
    std::size_t available = end_ - start_;
    const void* lf = std::memchr(begin + scanned_, '\n', available - scanned_);
    if (lf == nullptr) {
        scanned_ = available;
        // A whole buffer without LF can only be a line over the limit: the buffer is exactly
        // kMaxLineBytes long and always moved to the front before it is refilled.
        if (available >= kMaxLineBytes) {
            failed_ = true;
            return error(ErrorCode::LineTooLong, "line over 4096 bytes");
        }
        if (start_ == end_) start_ = end_ = 0;
        return Decoded{};
    }
    std::size_t length = static_cast<std::size_t>(static_cast<const char*>(lf) - begin);
    std::string_view line(begin, length);
    start_ += length + 1;
    scanned_ = 0;
    if (start_ == end_) start_ = end_ = 0;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return parse_line(line);
}

Framing LabpCodec::encode(const Reply& reply, std::string& out) {
    return encode_labp(reply, out);
}

Framing LabpCodec::encode_labp(const Reply& reply, std::string& out) {
    out += reply.ok ? "OK" : "ERR";
    if (!reply.text.empty()) {
        // ECHO's text already starts with its own separator (the request's first space).
        if (reply.text.front() != ' ') out += ' ';
        out += reply.text;
    }
    out += '\n';
    out += reply.rows;
    return {reply.body_bytes, reply.close_after};
}

void fill_pattern(char* out, std::size_t n, std::uint64_t offset) {
    auto phase = static_cast<char>(offset % 26);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<char>('a' + phase);
        if (++phase == 26) phase = 0;
    }
}

}  // namespace lab
