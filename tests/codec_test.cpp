// Unit tests of the LABP/1 codec (shared/protocol.hpp): decoding split streams, CRLF, every
// error, the 4096-byte line limit, bounded buffering, encoding, and the replies sent before a
// connection's codec is chosen (refusals). No sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol.hpp"

namespace {

using lab::Codec;
using lab::Command;
using lab::Decoded;
using lab::ErrorCode;
using lab::kMaxLineBytes;

const char* command_name(Command c) {
    switch (c) {
        case Command::Ping:
            return "PING";
        case Command::Echo:
            return "ECHO";
        case Command::Work:
            return "WORK";
        case Command::Incr:
            return "INCR";
        case Command::Get:
            return "GET";
        case Command::Stats:
            return "STATS";
        case Command::Quit:
            return "QUIT";
        case Command::Query:
            return "QUERY";
        case Command::Wait:
            return "WAIT";
        case Command::Post:
            return "POST";
    }
    return "?";
}

// One Decoded as a comparable, readable string: the kind, the command and every field that
// means something for it, or the error code, reply text and close flag.
std::string describe(const Decoded& d) {
    switch (d.kind) {
        case Decoded::Kind::NeedMore:
            return "NEED";
        case Decoded::Kind::Error:
            return "ERR " + std::to_string(static_cast<int>(d.code)) + " [" + d.error.text + "]" +
                   (d.error.ok ? " ok?!" : "") + (d.error.close_after ? " close" : "");
        case Decoded::Kind::Request:
            break;
    }
    const lab::Request& r = d.request;
    std::string s = command_name(r.command);
    switch (r.command) {
        case Command::Echo:
            return s + " <" + r.text + ">";
        case Command::Work:
            return s + " " + std::to_string(r.cpu_us) + " " + std::to_string(r.io_ms) + " " +
                   std::to_string(r.reply_bytes);
        case Command::Incr:
        case Command::Get:
            return s + " " + r.text;
        case Command::Query:
            return s + " " + std::to_string(r.query_ms) + " " + std::to_string(r.rows);
        case Command::Wait:
            return s + " " + r.text + " " + std::to_string(r.timeout_ms);
        case Command::Post:
            return s + " " + r.text + " " + r.value;
        default:
            return s;
    }
}

// Calls next() until NeedMore, appending each result. Returns true when a closing error
// (413) was seen: the codec is failed then and would repeat it forever.
bool drain(Codec& codec, std::vector<std::string>& out) {
    for (int i = 0; i < 100000; ++i) {  // bounded: a codec that never says NeedMore fails
        Decoded d = codec.next();
        if (d.kind == Decoded::Kind::NeedMore) {
            // The input contract: after NeedMore there is room for more bytes.
            EXPECT_FALSE(codec.input_space().empty()) << "NeedMore with no input space";
            return false;
        }
        out.push_back(describe(d));
        if (d.kind == Decoded::Kind::Error && lab::closes_connection(d.code)) return true;
    }
    ADD_FAILURE() << "next() never returned NeedMore";
    return true;
}

// Feeds each piece in turn, draining after every feed. feed() may take only part of a piece
// (the codec holds at most one line's worth); the rest is fed after draining.
std::vector<std::string> decode_pieces(Codec& codec, const std::vector<std::string_view>& pieces) {
    std::vector<std::string> out;
    for (std::string_view piece : pieces) {
        while (!piece.empty()) {
            std::size_t room = kMaxLineBytes - codec.buffered();
            std::size_t taken = codec.feed(piece);
            EXPECT_LE(taken, room);
            EXPECT_LE(taken, piece.size());
            EXPECT_LE(codec.buffered(), kMaxLineBytes);
            piece.remove_prefix(taken);
            if (drain(codec, out)) return out;
            if (taken == 0 && !piece.empty()) {
                ADD_FAILURE() << "feed() took nothing although no request was pending";
                return out;
            }
        }
    }
    drain(codec, out);
    return out;
}

std::vector<std::string> decode_whole(std::string_view bytes) {
    auto codec = lab::make_codec();
    return decode_pieces(*codec, {bytes});
}

std::vector<std::string> decode_split(std::string_view bytes, std::size_t at) {
    auto codec = lab::make_codec();
    return decode_pieces(*codec, {bytes.substr(0, at), bytes.substr(at)});
}

std::vector<std::string> decode_bytewise(std::string_view bytes) {
    auto codec = lab::make_codec();
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < bytes.size(); ++i)
        pieces.push_back(bytes.substr(i, 1));
    return decode_pieces(*codec, pieces);
}

// Same, through input_space()/commit() instead of feed(), in pieces of `step` bytes.
std::vector<std::string> decode_via_input_space(std::string_view bytes, std::size_t step) {
    auto codec = lab::make_codec();
    std::vector<std::string> out;
    while (!bytes.empty()) {
        bool predicted = codec->has_input_space();  // asked first: it must change nothing
        std::span<char> space = codec->input_space();
        EXPECT_EQ(predicted, !space.empty()) << "has_input_space() disagrees with input_space()";
        std::size_t n = std::min({space.size(), step, bytes.size()});
        std::copy_n(bytes.data(), n, space.data());
        codec->commit(n);
        bytes.remove_prefix(n);
        if (drain(*codec, out)) return out;
        if (n == 0) {
            ADD_FAILURE() << "input_space() empty although no request was pending";
            return out;
        }
    }
    drain(*codec, out);
    return out;
}

// Decodes exactly one line (LF appended) with a fresh codec.
Decoded decode_one(std::string_view line) {
    auto codec = lab::make_codec();
    std::string bytes(line);
    bytes += '\n';
    EXPECT_EQ(codec->feed(bytes), bytes.size());
    Decoded d = codec->next();
    EXPECT_EQ(describe(codec->next()), "NEED") << "after " << describe(d);
    EXPECT_EQ(codec->buffered(), 0u);
    return d;
}

std::string encode(const lab::Reply& reply) {
    std::string out;
    lab::make_codec()->encode(reply, out);
    return out;
}

// A pipelined stream: every command, odd spacing, LF and CRLF endings, and errors in between.
// It ends in an incomplete line, which must stay undecoded.
const std::string kStream =
    "PING\n"
    "ECHO  a  b \r\n"
    "ping\r\n"
    "WORK 100 2 30\n"
    "\n"
    "INCR hits\n"
    "GET hits\r\n"
    "WORK 1 -2 3\n"
    "ECHO\n"
    "STATS\n"
    "Echo x\n"
    "\r\n"
    "FOO bar\n"
    "WORK 1000001 0 0\n"
    "GET a.b\n"
    "QUIT\n"
    "PING\n"
    "PIN";

const std::vector<std::string> kStreamDecoded = {
    "PING",
    "ECHO <  a  b >",
    "PING",
    "WORK 100 2 30",
    "ERR 400 [400 empty line]",
    "INCR hits",
    "GET hits",
    "ERR 400 [400 bad number]",
    "ECHO <>",
    "STATS",
    "ECHO < x>",
    "ERR 400 [400 empty line]",
    "ERR 400 [400 unknown command]",
    "ERR 422 [422 cpu_us over 1000000]",
    "ERR 400 [400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -]",
    "QUIT",
    "PING",
};

// ---------------------------------------------------------------------------------------
// 1. Split streams decode exactly like whole ones.

TEST(CodecStream, WholeStreamDecodesInOrder) {
    EXPECT_EQ(decode_whole(kStream), kStreamDecoded);
}

TEST(CodecStream, EverySplitPointMatchesWhole) {
    const std::vector<std::string> whole = decode_whole(kStream);
    ASSERT_EQ(whole, kStreamDecoded);
    for (std::size_t at = 0; at <= kStream.size(); ++at) {
        ASSERT_EQ(decode_split(kStream, at), whole) << "split at byte " << at;
    }
}

TEST(CodecStream, OneByteAtATimeMatchesWhole) {
    EXPECT_EQ(decode_bytewise(kStream), kStreamDecoded);
}

TEST(CodecStream, InputSpaceCommitInVariousStepsMatchesWhole) {
    for (std::size_t step : {1u, 2u, 3u, 5u, 7u, 13u, 64u, 4096u}) {
        EXPECT_EQ(decode_via_input_space(kStream, step), kStreamDecoded) << "step " << step;
    }
}

TEST(CodecStream, UnevenPiecesMatchWhole) {
    for (std::size_t seed = 1; seed <= 11; ++seed) {
        std::vector<std::string_view> pieces;
        std::string_view rest = kStream;
        for (std::size_t i = 0; !rest.empty(); ++i) {
            std::size_t n = std::min(rest.size(), (i * seed) % 17);  // includes empty pieces
            pieces.push_back(rest.substr(0, n));
            rest.remove_prefix(n);
        }
        auto codec = lab::make_codec();
        EXPECT_EQ(decode_pieces(*codec, pieces), kStreamDecoded) << "seed " << seed;
    }
}

TEST(CodecStream, ManyRequestsInOneFeed) {
    std::string bytes;
    std::vector<std::string> expected;
    for (int i = 0; i < 300; ++i) {
        bytes += "PING\n";
        expected.push_back("PING");
    }
    ASSERT_LT(bytes.size(), kMaxLineBytes);
    auto codec = lab::make_codec();
    ASSERT_EQ(codec->feed(bytes), bytes.size());
    std::vector<std::string> out;
    EXPECT_FALSE(drain(*codec, out));
    EXPECT_EQ(out, expected);
    EXPECT_EQ(codec->buffered(), 0u);
}

TEST(CodecStream, StreamLongerThanBufferIsFedInRounds) {
    // 40 copies of the stream's complete part: about 7 KB, more than one feed() can take.
    const std::string_view complete(kStream.data(), kStream.size() - 3);  // without "PIN"
    std::string bytes;
    std::vector<std::string> expected;
    for (int i = 0; i < 40; ++i) {
        bytes += complete;
        expected.insert(expected.end(), kStreamDecoded.begin(), kStreamDecoded.end());
    }
    ASSERT_GT(bytes.size(), kMaxLineBytes);
    auto codec = lab::make_codec();
    EXPECT_LT(codec->feed(bytes), bytes.size());  // the first feed cannot take it all
    auto fresh = lab::make_codec();
    EXPECT_EQ(decode_pieces(*fresh, {bytes}), expected);
    EXPECT_EQ(fresh->buffered(), 0u);
}

// ---------------------------------------------------------------------------------------
// 2. CR and LF.

TEST(CodecCrlf, CrBeforeLfIsDropped) {
    EXPECT_EQ(describe(decode_one("PING\r")), "PING");
    EXPECT_EQ(describe(decode_one("ECHO a\r")), "ECHO < a>");
    EXPECT_EQ(describe(decode_one("ECHO \r")), "ECHO < >");
    EXPECT_EQ(describe(decode_one("GET k\r")), "GET k");
    EXPECT_EQ(describe(decode_one("WORK 1 2 3\r")), "WORK 1 2 3");
}

TEST(CodecCrlf, CrElsewhereIsBadRequest) {
    for (std::string_view line : {"PING\r\r", "PI\rNG", "\rPING", "ECHO a\rb", "ECHO \r ", "\r\r",
                                  "WORK 1\r 2 3", "INCR k\r\r"}) {
        Decoded d = decode_one(line);
        EXPECT_EQ(d.kind, Decoded::Kind::Error) << describe(d);
        EXPECT_EQ(d.code, ErrorCode::BadRequest) << describe(d);
    }
}

TEST(CodecCrlf, CrLfAloneIsEmptyLine) {
    EXPECT_EQ(describe(decode_one("\r")), "ERR 400 [400 empty line]");
    EXPECT_EQ(describe(decode_one("")), "ERR 400 [400 empty line]");
}

TEST(CodecCrlf, CrAndLfInSeparateFeeds) {
    auto codec = lab::make_codec();
    EXPECT_EQ(decode_pieces(*codec, {"ECHO a\r", "\n", "ECHO b\r", "c\n", "PING\r", "\r\n"}),
              (std::vector<std::string>{"ECHO < a>",
                                        "ERR 400 [400 only printable ASCII and "
                                        "spaces are allowed]",
                                        "ERR 400 [400 only printable ASCII and spaces are "
                                        "allowed]"}));
}

TEST(CodecCrlf, LoneLfAfterCrlfLineIsEmptyLine) {
    EXPECT_EQ(decode_whole("PING\r\n\n\r\nPING\n"),
              (std::vector<std::string>{"PING", "ERR 400 [400 empty line]",
                                        "ERR 400 [400 empty line]", "PING"}));
}

// ---------------------------------------------------------------------------------------
// 3. Every request and every error.

struct LineCase {
    std::string line;
    std::string expected;  // describe() of the result
};

// Runs each case alone, then all of them pipelined with a PING after each: every error
// that does not close the connection leaves the codec decoding the next request.
void check_cases(const std::vector<LineCase>& cases) {
    std::string stream;
    std::vector<std::string> expected;
    for (const LineCase& c : cases) {
        EXPECT_EQ(describe(decode_one(c.line)), c.expected) << "line: " << c.line;
        stream += c.line + "\nPING\n";
        expected.push_back(c.expected);
        expected.push_back("PING");
    }
    EXPECT_EQ(decode_whole(stream), expected);
    EXPECT_EQ(decode_bytewise(stream), expected);
}

TEST(CodecRequests, EveryCommandDecodes) {
    check_cases({
        {"PING", "PING"},
        {"STATS", "STATS"},
        {"QUIT", "QUIT"},
        {"ECHO hello", "ECHO < hello>"},
        {"ECHO", "ECHO <>"},
        {"ECHO ", "ECHO < >"},
        {"ECHO  a  b", "ECHO <  a  b>"},
        {"ECHO ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", "ECHO < ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./>"},
        {"WORK 0 0 0", "WORK 0 0 0"},
        {"WORK 1000000 60000 16777216", "WORK 1000000 60000 16777216"},
        {"WORK 007 010 0", "WORK 7 10 0"},
        {"INCR k", "INCR k"},
        {"GET k", "GET k"},
        {"INCR A-z_09", "INCR A-z_09"},
        {"GET " + std::string(64, 'k'), "GET " + std::string(64, 'k')},
        {"INCR " + std::string(64, '-'), "INCR " + std::string(64, '-')},
    });
}

TEST(CodecRequests, CommandWordIsCaseInsensitive) {
    check_cases({
        {"ping", "PING"},
        {"PiNg", "PING"},
        {"stats", "STATS"},
        {"Quit", "QUIT"},
        {"Echo x", "ECHO < x>"},
        {"echo", "ECHO <>"},
        {"work 1 2 3", "WORK 1 2 3"},
        {"incr K", "INCR K"},
        {"gEt k", "GET k"},
    });
}

TEST(CodecErrors, UnknownCommand) {
    const std::string e = "ERR 400 [400 unknown command]";
    check_cases({
        {"FOO", e},
        {"HELLO world", e},
        {"ECHOX", e},
        {"ECHOX y", e},
        {"PINGPING", e},
        {"PIN", e},
        {"GETS k", e},
        {" PING", e},  // the command word is empty
        {" ", e},
        {"ÄPING", "ERR 400 [400 only printable ASCII and spaces are allowed]"},
    });
}

TEST(CodecErrors, WrongArgumentCount) {
    auto err = [](const char* message) { return "ERR 400 [400 " + std::string(message) + "]"; };
    const std::string work = err("WORK takes three numbers: cpu_us io_ms reply_bytes");
    const std::string key = err("takes one key");
    check_cases({
        {"PING x", err("PING takes no arguments")},
        {"PING ", err("PING takes no arguments")},
        {"STATS all", err("STATS takes no arguments")},
        {"QUIT now", err("QUIT takes no arguments")},
        {"WORK", work},
        {"WORK ", work},
        {"WORK 1", work},
        {"WORK 1 2", work},
        {"WORK 1 2 3 4", work},
        {"WORK 1 2 3 ", work},  // a trailing space makes an empty fourth field
        {"WORK 1  2 3", work},  // a double space makes an empty field (four in all)
        {"INCR", key},
        {"INCR a b", key},
        {"INCR a ", key},
        {"GET", key},
        {"GET a b", key},
    });
}

TEST(CodecErrors, BadNumbers) {
    const std::string bad = "ERR 400 [400 bad number]";
    const std::string wrong_count =
        "ERR 400 [400 WORK takes three numbers: cpu_us io_ms reply_bytes]";
    check_cases({
        {"WORK -1 0 0", bad},
        {"WORK +1 0 0", bad},
        {"WORK 1x 0 0", bad},
        {"WORK 0 x1 0", bad},
        {"WORK 0 0 0x10", bad},
        {"WORK 0 0 1.5", bad},
        {"WORK 0 0 1e3", bad},
        {"WORK  1 2", bad},  // leading double space: an empty first field
        {"WORK 1 2 ", bad},  // a trailing space: an empty third field
        {"WORK 1  2", bad},  // an empty middle field
        {"WORK 1 2  3", wrong_count},
        {"WORK 18446744073709551616 0 0", bad},  // 2^64 overflows
        {"WORK 0 18446744073709551616 0", bad},
        {"WORK 0 0 18446744073709551616", bad},
        {"WORK 0 0 99999999999999999999999", bad},
    });
}

TEST(CodecErrors, LimitsExactly) {
    auto over = [](const char* what) { return "ERR 422 [422 " + std::string(what) + "]"; };
    check_cases({
        {"WORK 1000000 0 0", "WORK 1000000 0 0"},
        {"WORK 1000001 0 0", over("cpu_us over 1000000")},
        {"WORK 0 60000 0", "WORK 0 60000 0"},
        {"WORK 0 60001 0", over("io_ms over 60000")},
        {"WORK 0 0 16777216", "WORK 0 0 16777216"},
        {"WORK 0 0 16777217", over("reply_bytes over 16777216")},
        {"WORK 18446744073709551615 0 0", over("cpu_us over 1000000")},  // fits u64
        {"WORK 0 18446744073709551615 0", over("io_ms over 60000")},
        {"WORK 0 0 18446744073709551615", over("reply_bytes over 16777216")},
    });
}

TEST(CodecErrors, MalformedNumberBeforeOverLimit) {
    const std::string bad = "ERR 400 [400 bad number]";
    check_cases({
        {"WORK 99999999 x 1", bad},
        {"WORK 99999999 1 x", bad},
        {"WORK 1 99999999 -1", bad},
        {"WORK x 99999999 99999999999", bad},
        {"WORK 99999999 99999999 18446744073709551616", bad},
    });
}

TEST(CodecErrors, NonPrintableBytes) {
    const std::string e = "ERR 400 [400 only printable ASCII and spaces are allowed]";
    check_cases({
        {"ECHO a\tb", e},
        {"PING\t", e},
        {"ECHO \x7f", e},
        {"ECHO \x80", e},
        {"ECHO \xff", e},
        {std::string("ECHO a\0b", 8), e},
        {std::string("\0", 1), e},
        {"\x1b[A", e},
        {"INCR k\x01", e},
    });
}

TEST(CodecErrors, Keys) {
    const std::string bad = "ERR 400 [400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -]";
    const std::string too_long = bad;  // a key over 64 characters is a bad key, not a 422
    check_cases({
        {"INCR " + std::string(64, 'a'), "INCR " + std::string(64, 'a')},
        {"INCR " + std::string(65, 'a'), too_long},
        {"GET " + std::string(65, 'a'), too_long},
        {"GET " + std::string(1000, 'Z'), too_long},
        {"INCR a.b", bad},
        {"GET a.b", bad},
        {"INCR a/b", bad},
        {"INCR a:b", bad},
        {"INCR ", bad},  // empty key
        {"GET ", bad},
        {"INCR " + std::string(64, 'a') + ".", bad},  // 65 bytes and a bad char
    });
}

// ---------------------------------------------------------------------------------------
// 3b. QUERY, WAIT and POST (issue 14).

TEST(CodecQueryWaitPost, GoodRequestsDecode) {
    const std::string k64(64, 'k');
    const std::string v64(64, '-');
    check_cases({
        {"QUERY 5 10", "QUERY 5 10"},
        {"QUERY 0 0", "QUERY 0 0"},
        {"QUERY 10000 1000", "QUERY 10000 1000"},  // both limits exactly
        {"QUERY 007 0010", "QUERY 7 10"},
        {"QUERY 1 2\r", "QUERY 1 2"},
        {"WAIT k 0", "WAIT k 0"},
        {"WAIT A-z_09 60000", "WAIT A-z_09 60000"},
        {"WAIT " + k64 + " 1", "WAIT " + k64 + " 1"},
        {"POST k v", "POST k v"},
        {"POST A-z_09 Zz_-9", "POST A-z_09 Zz_-9"},
        {"POST " + k64 + " " + v64, "POST " + k64 + " " + v64},
        {"POST k v\r", "POST k v"},
    });
}

TEST(CodecQueryWaitPost, CommandWordIsCaseInsensitive) {
    check_cases({
        {"query 1 2", "QUERY 1 2"},
        {"QuErY 0 0", "QUERY 0 0"},
        {"wait k 5", "WAIT k 5"},
        {"Wait K 5", "WAIT K 5"},  // the key keeps its case
        {"post k V", "POST k V"},
        {"pOsT K v", "POST K v"},
    });
}

TEST(CodecQueryWaitPost, QueryErrors) {
    const std::string count = "ERR 400 [400 QUERY takes two numbers: ms rows]";
    const std::string bad = "ERR 400 [400 bad number]";
    check_cases({
        {"QUERY", count},
        {"QUERY ", count},  // one (empty) field of two
        {"QUERY 1", count},
        {"QUERY 1 2 3", count},
        {"QUERY 1 2 ", count},  // a trailing space makes a third field
        {"QUERY 1  2", count},
        {"QUERY x 1", bad},
        {"QUERY 1 x", bad},
        {"QUERY -1 1", bad},
        {"QUERY 1 +2", bad},
        {"QUERY 1.5 1", bad},
        {"QUERY  1", bad},                      // an empty first field
        {"QUERY 18446744073709551616 0", bad},  // 2^64 overflows
        {"QUERY 99999 x", bad},                 // a malformed number before a limit
        {"QUERY 10001 0", "ERR 422 [422 ms over 10000]"},
        {"QUERY 0 1001", "ERR 422 [422 rows over 1000]"},
        {"QUERY 10001 1001", "ERR 422 [422 ms over 10000]"},
        {"QUERY 18446744073709551615 0", "ERR 422 [422 ms over 10000]"},  // fits u64
        {"QUERY 0 18446744073709551615", "ERR 422 [422 rows over 1000]"},
    });
}

TEST(CodecQueryWaitPost, WaitErrors) {
    const std::string count = "ERR 400 [400 WAIT takes a key and a number: key timeout_ms]";
    const std::string key = "ERR 400 [400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -]";
    const std::string bad = "ERR 400 [400 bad number]";
    check_cases({
        {"WAIT", count},
        {"WAIT k", count},
        {"WAIT k 1 2", count},
        {"WAIT k 1 ", count},
        {"WAIT a.b 1", key},
        {"WAIT " + std::string(65, 'k') + " 1", key},  // too long: a bad key, not a 422
        {"WAIT  1", key},                              // an empty key
        {"WAIT a.b x", key},                           // the key is looked at first
        {"WAIT k x", bad},
        {"WAIT k -1", bad},
        {"WAIT k ", bad},
        {"WAIT k 18446744073709551616", bad},
        {"WAIT k 60001", "ERR 422 [422 timeout_ms over 60000]"},
        {"WAIT k 18446744073709551615", "ERR 422 [422 timeout_ms over 60000]"},
    });
}

TEST(CodecQueryWaitPost, PostErrors) {
    const std::string count = "ERR 400 [400 POST takes a key and a value]";
    const std::string key = "ERR 400 [400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -]";
    const std::string value = "ERR 400 [400 bad value: use 1 to 64 of A-Z a-z 0-9 _ -]";
    check_cases({
        {"POST", count},
        {"POST k", count},
        {"POST k v w", count},
        {"POST k v ", count},
        {"POST a.b v", key},
        {"POST  v", key},
        {"POST " + std::string(65, 'k') + " v", key},
        {"POST a.b c.d", key},  // the key is looked at first
        {"POST k a.b", value},
        {"POST k ", value},  // an empty value
        {"POST k " + std::string(65, 'v'), value},
        {"POST k 1:2", value},
    });
}

// ---------------------------------------------------------------------------------------
// 4. The 4096-byte line limit.

// "ECHO " followed by padding, `total` bytes long.
std::string echo_line(std::size_t total) {
    std::string line = "ECHO ";
    line.append(total - line.size(), 'x');
    return line;
}

TEST(CodecLimit, Line4095PlusLfDecodes) {
    const std::string line = echo_line(kMaxLineBytes - 1) + "\n";
    ASSERT_EQ(line.size(), kMaxLineBytes);
    auto codec = lab::make_codec();
    ASSERT_EQ(codec->feed(line), line.size());
    EXPECT_TRUE(codec->input_space().empty());
    Decoded d = codec->next();
    ASSERT_EQ(d.kind, Decoded::Kind::Request) << describe(d);
    EXPECT_EQ(d.request.command, Command::Echo);
    EXPECT_EQ(d.request.text.size(), kMaxLineBytes - 1 - 4);
    EXPECT_EQ(d.request.text, line.substr(4, kMaxLineBytes - 5));
    EXPECT_EQ(codec->next().kind, Decoded::Kind::NeedMore);
    EXPECT_EQ(codec->input_space().size(), kMaxLineBytes);
    // ... and the codec carries on.
    EXPECT_EQ(decode_pieces(*codec, {"PING\n"}), std::vector<std::string>{"PING"});
}

TEST(CodecLimit, Line4094PlusCrLfDecodes) {
    const std::string line = echo_line(kMaxLineBytes - 2) + "\r\n";
    ASSERT_EQ(line.size(), kMaxLineBytes);
    std::vector<std::string> expected = {"ECHO <" + line.substr(4, kMaxLineBytes - 6) + ">"};
    EXPECT_EQ(expected[0].size(), kMaxLineBytes - 6 + 7);
    EXPECT_EQ(decode_whole(line), expected);
    EXPECT_EQ(decode_bytewise(line), expected);
    for (std::size_t at : {1u, 100u, 4093u, 4094u, 4095u}) {
        EXPECT_EQ(decode_split(line, at), expected) << "split at " << at;
    }
}

TEST(CodecLimit, Line4095PlusLfBytewiseDecodes) {
    const std::string line = echo_line(kMaxLineBytes - 1) + "\n";
    const std::vector<std::string> expected = {"ECHO <" + line.substr(4, kMaxLineBytes - 5) + ">"};
    EXPECT_EQ(decode_bytewise(line), expected);
    EXPECT_EQ(decode_via_input_space(line, 1000), expected);
}

TEST(CodecLimit, Bytes4096WithoutLfIs413AtTheLastByte) {
    const std::string line = echo_line(kMaxLineBytes);
    auto codec = lab::make_codec();
    ASSERT_EQ(codec->feed(std::string_view(line).substr(0, kMaxLineBytes - 1)), kMaxLineBytes - 1);
    EXPECT_EQ(codec->next().kind, Decoded::Kind::NeedMore);
    EXPECT_EQ(codec->input_space().size(), 1u);
    ASSERT_EQ(codec->feed(std::string_view(line).substr(kMaxLineBytes - 1)), 1u);
    Decoded d = codec->next();
    EXPECT_EQ(describe(d), "ERR 413 [413 line over 4096 bytes] close");
    EXPECT_TRUE(d.error.close_after);
    // Failed for good: the same error again, no room, nothing more taken.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(describe(codec->next()), "ERR 413 [413 line over 4096 bytes] close");
        EXPECT_TRUE(codec->input_space().empty());
    }
    // (feed() after 413: see CodecFeedWithoutRoom below.)
    EXPECT_EQ(codec->buffered(), kMaxLineBytes);
}

TEST(CodecLimit, Bytes4095PlusCrWithoutLfIs413) {
    // With its LF the line would be 4097 bytes.
    const std::string bytes = echo_line(kMaxLineBytes - 1) + "\r";
    EXPECT_EQ(decode_whole(bytes),
              std::vector<std::string>{"ERR 413 [413 line over 4096 bytes] close"});
    EXPECT_EQ(decode_bytewise(bytes),
              std::vector<std::string>{"ERR 413 [413 line over 4096 bytes] close"});
}

TEST(CodecLimit, RequestsBeforeAnOverlongLineStillDecode) {
    const std::string bytes = "PING\nGET k\n" + echo_line(kMaxLineBytes) + "\nPING\n";
    const std::vector<std::string> expected = {"PING", "GET k",
                                               "ERR 413 [413 line over 4096 bytes] close"};
    EXPECT_EQ(decode_whole(bytes), expected);
    EXPECT_EQ(decode_bytewise(bytes), expected);
    for (std::size_t at = 0; at <= bytes.size(); at += 97) {
        EXPECT_EQ(decode_split(bytes, at), expected) << "split at " << at;
    }
}

TEST(CodecLimit, FullLineStartingMidBuffer) {
    // A maximal line that starts after a pipelined request: the codec must move it to the
    // front of its buffer rather than call it too long.
    const std::string a = echo_line(kMaxLineBytes - 1);
    const std::string b = echo_line(kMaxLineBytes - 2);
    const std::string bytes = "PING\n" + a + "\n" + "PING\r\n" + b + "\r\n" + "GET k\n";
    const std::vector<std::string> expected = {"PING", "ECHO <" + a.substr(4) + ">", "PING",
                                               "ECHO <" + b.substr(4) + ">", "GET k"};
    EXPECT_EQ(decode_whole(bytes), expected);
    EXPECT_EQ(decode_bytewise(bytes), expected);
    for (std::size_t step : {7u, 1000u, 4095u, 4096u}) {
        EXPECT_EQ(decode_via_input_space(bytes, step), expected) << "step " << step;
    }
    for (std::size_t at = 0; at <= bytes.size(); ++at) {
        ASSERT_EQ(decode_split(bytes, at), expected) << "split at " << at;
    }
}

TEST(CodecLimit, OverlongLineStartingMidBuffer) {
    const std::string line = echo_line(kMaxLineBytes);
    auto codec = lab::make_codec();
    std::vector<std::string> out =
        decode_pieces(*codec, {"PING\n", std::string_view(line).substr(0, kMaxLineBytes - 1)});
    EXPECT_EQ(out, std::vector<std::string>{"PING"});  // 4095 bytes: not yet too long
    EXPECT_EQ(codec->buffered(), kMaxLineBytes - 1);
    out = decode_pieces(*codec, {std::string_view(line).substr(kMaxLineBytes - 1)});
    EXPECT_EQ(out, std::vector<std::string>{"ERR 413 [413 line over 4096 bytes] close"});
}

// ---------------------------------------------------------------------------------------
// 5. Bounded buffering.

TEST(CodecLimit, MegabyteWithoutLfNeverGrowsTheBuffer) {
    const std::string piece(1000, 'x');
    auto codec = lab::make_codec();
    std::size_t accepted = 0;
    bool failed = false;
    for (std::size_t sent = 0; sent < (1u << 20); sent += piece.size()) {
        std::string_view rest = piece;
        while (!rest.empty()) {
            if (failed) {
                // The 413 stands and there is no room: a caller following the input contract
                // (input_space() then commit()) can add nothing. feed() after a 413 is
                // covered by CodecFeedWithoutRoom below.
                std::span<char> space = codec->input_space();
                ASSERT_TRUE(space.empty());
                codec->commit(space.size());
                ASSERT_EQ(codec->buffered(), kMaxLineBytes);
                ASSERT_EQ(codec->next().code, ErrorCode::LineTooLong);
                break;
            }
            std::size_t room = kMaxLineBytes - codec->buffered();
            std::size_t taken = codec->feed(rest);
            ASSERT_LE(taken, room);
            ASSERT_LE(codec->buffered(), kMaxLineBytes);
            accepted += taken;
            rest.remove_prefix(taken);
            Decoded d = codec->next();
            if (d.kind == Decoded::Kind::Error) {
                ASSERT_EQ(d.code, ErrorCode::LineTooLong);
                ASSERT_EQ(accepted, kMaxLineBytes) << "413 must come with the 4096th byte";
                failed = true;
            } else {
                ASSERT_EQ(d.kind, Decoded::Kind::NeedMore);
                ASSERT_LT(accepted, kMaxLineBytes);
            }
            ASSERT_NE(taken, 0u) << "feed() took nothing before the 413";
        }
    }
    EXPECT_TRUE(failed);
    EXPECT_EQ(accepted, kMaxLineBytes);
    EXPECT_LE(codec->buffered(), kMaxLineBytes);
    EXPECT_TRUE(codec->input_space().empty());
}

// Regression: feed() once called std::memcpy with a null pointer when there was no room
// (input_space() is an empty span with a null data() after a 413) or when given an empty
// view. That is undefined behaviour even for 0 bytes, and UBSan (the asan preset) stops on it.
TEST(CodecFeedWithoutRoom, FeedAfter413TakesNothingWithoutUndefinedBehaviour) {
    auto codec = lab::make_codec();
    ASSERT_EQ(codec->feed(echo_line(kMaxLineBytes)), kMaxLineBytes);
    ASSERT_EQ(codec->next().code, ErrorCode::LineTooLong);
    EXPECT_EQ(codec->feed("PING\n"), 0u);
    EXPECT_EQ(codec->buffered(), kMaxLineBytes);
    EXPECT_EQ(codec->next().code, ErrorCode::LineTooLong);
}

TEST(CodecFeedWithoutRoom, FeedOfEmptyViewWithoutUndefinedBehaviour) {
    auto codec = lab::make_codec();
    EXPECT_EQ(codec->feed(std::string_view{}), 0u);
    EXPECT_EQ(codec->buffered(), 0u);
    EXPECT_EQ(codec->next().kind, Decoded::Kind::NeedMore);
}

// ---------------------------------------------------------------------------------------
// 6. Encoding.

TEST(CodecEncode, OkAndErrForms) {
    EXPECT_EQ(encode(lab::ok_reply("PONG")), "OK PONG\n");
    EXPECT_EQ(encode(lab::ok_reply("")), "OK\n");
    EXPECT_EQ(encode(lab::ok_reply("BYE")), "OK BYE\n");
    EXPECT_EQ(encode(lab::ok_reply("  a  b")), "OK  a  b\n");
    EXPECT_EQ(encode(lab::ok_reply(" ")), "OK \n");
    EXPECT_EQ(encode(lab::error_reply(ErrorCode::BadRequest, "unknown command")),
              "ERR 400 unknown command\n");
    EXPECT_EQ(encode(lab::error_reply(ErrorCode::LineTooLong, "line over 4096 bytes")),
              "ERR 413 line over 4096 bytes\n");
}

TEST(CodecEncode, AppendsToOutput) {
    auto codec = lab::make_codec();
    std::string out = "OK PONG\n";
    codec->encode(lab::ok_reply("1"), out);
    codec->encode(lab::error_reply(ErrorCode::OverLimit, "too many keys (1024)"), out);
    EXPECT_EQ(out, "OK PONG\nOK 1\nERR 422 too many keys (1024)\n");
}

TEST(CodecEncode, EchoRoundTrip) {
    for (std::string_view line : {"ECHO  a  b", "ECHO", "ECHO x", "ECHO ", "echo   "}) {
        Decoded d = decode_one(line);
        ASSERT_EQ(d.kind, Decoded::Kind::Request) << line;
        std::string expected = "OK" + std::string(line.substr(4)) + "\n";
        EXPECT_EQ(encode(lab::ok_reply(d.request.text)), expected) << line;
    }
}

TEST(CodecEncode, DecoderErrorsAreReadyReplies) {
    Decoded d = decode_one("WORK 1 2");
    ASSERT_EQ(d.kind, Decoded::Kind::Error);
    EXPECT_EQ(encode(d.error), "ERR 400 WORK takes three numbers: cpu_us io_ms reply_bytes\n");
}

TEST(CodecEncode, CloseAfterOnlyForClosingErrors) {
    struct Case {
        ErrorCode code;
        bool closes;
    };
    for (Case c : {Case{ErrorCode::BadRequest, false}, Case{ErrorCode::IdleTimeout, true},
                   Case{ErrorCode::LineTooLong, true}, Case{ErrorCode::OverLimit, false},
                   Case{ErrorCode::Internal, false}, Case{ErrorCode::OverCapacity, true}}) {
        lab::Reply r = lab::error_reply(c.code, "message");
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.close_after, c.closes) << static_cast<int>(c.code);
        EXPECT_EQ(lab::closes_connection(c.code), c.closes) << static_cast<int>(c.code);
        EXPECT_EQ(r.text, std::to_string(static_cast<int>(c.code)) + " message");
        EXPECT_EQ(r.body_bytes, 0u);
    }
    EXPECT_FALSE(lab::ok_reply("x").close_after);
    EXPECT_TRUE(lab::ok_reply("x").ok);
}

// Row `id` of QUERY's body as the database sends it (harness/db/schema.sql) and the server
// frames it: six digits, a space, 92 times 'a' + id % 26, LF.
std::string query_row(int id) {
    std::string digits = std::to_string(id);
    std::string row = std::string(6 - digits.size(), '0') + digits + " ";
    row.append(92, static_cast<char>('a' + id % 26));
    row += '\n';
    return row;
}

TEST(CodecEncode, QueryReplyIsOkCountThenTheRows) {
    lab::Reply reply = lab::ok_reply("3");
    for (int id = 1; id <= 3; ++id)
        reply.rows += query_row(id);
    ASSERT_EQ(reply.rows.size(), 3 * lab::kQueryRowBytes);
    std::string out;
    lab::Framing framing = lab::make_codec()->encode(reply, out);
    EXPECT_EQ(out, "OK 3\n" + reply.rows);
    EXPECT_EQ(framing.body_bytes, 0u) << "the rows are real bytes, not a streamed pattern";
    EXPECT_FALSE(framing.close_after);
    EXPECT_EQ(out.substr(5, 7), "000001 ");
    EXPECT_EQ(out.substr(5 + 100, 8), "000002 c");
    // No rows: the line alone.
    EXPECT_EQ(encode(lab::ok_reply("0")), "OK 0\n");
}

// The errors QUERY, WAIT and POST end in keep the connection, although a 503 (refusal) or a
// 408 (idle timeout) closes it elsewhere.
TEST(CodecEncode, BackendWaitAndWaiterErrorsKeepTheConnection) {
    struct Case {
        lab::Reply reply;
        std::string line;
    };
    for (const Case& c :
         {Case{lab::backend_unavailable_reply(), "ERR 503 backend unavailable\n"},
          Case{lab::wait_timeout_reply(), "ERR 408 no POST before the timeout\n"},
          Case{lab::too_many_waiters_reply(), "ERR 503 too many waiters (1000)\n"}}) {
        EXPECT_FALSE(c.reply.ok) << c.line;
        EXPECT_FALSE(c.reply.close_after) << c.line;
        EXPECT_EQ(c.reply.body_bytes, 0u) << c.line;
        EXPECT_TRUE(c.reply.rows.empty()) << c.line;
        auto codec = lab::make_codec();
        std::string out;
        lab::Framing framing = codec->encode(c.reply, out);
        EXPECT_EQ(out, c.line);
        EXPECT_FALSE(framing.close_after) << c.line;
        // The codec goes on decoding after it.
        EXPECT_EQ(decode_pieces(*codec, {"PING\n"}), std::vector<std::string>{"PING"}) << c.line;
    }
    EXPECT_TRUE(lab::closes_connection(ErrorCode::OverCapacity));
    EXPECT_TRUE(lab::closes_connection(ErrorCode::IdleTimeout));
}

// ---------------------------------------------------------------------------------------
// 7. Replies sent before the codec is chosen: refusals right after accept. They take the
// form of the client's complete first line if it has sent one (make_codec's rule), else
// LABP/1's.

std::string encode_early(const lab::Reply& reply, std::string_view first_bytes,
                         lab::Framing* framing = nullptr) {
    std::string out;
    lab::Framing f = lab::encode_before_codec(reply, first_bytes, out);
    if (framing != nullptr) *framing = f;
    return out;
}

TEST(CodecBeforeChoice, RefusalsAreErr503WithTheirReason) {
    using lab::Refusal;
    EXPECT_EQ(encode(lab::refusal_reply(Refusal::MaxClients)), "ERR 503 server at --max-clients\n");
    EXPECT_EQ(encode(lab::refusal_reply(Refusal::OutOfDescriptors)),
              "ERR 503 server out of file descriptors\n");
    EXPECT_EQ(encode(lab::refusal_reply(Refusal::OverFdSetSize)),
              "ERR 503 descriptor over FD_SETSIZE\n");
    for (Refusal why : {Refusal::MaxClients, Refusal::OutOfDescriptors, Refusal::OverFdSetSize}) {
        EXPECT_TRUE(lab::refusal_reply(why).close_after);
    }
}

TEST(CodecBeforeChoice, LabpLineUnlessACompleteHttpRequestLineCameFirst) {
    const lab::Reply refusal = lab::refusal_reply(lab::Refusal::MaxClients);
    const std::string labp = "ERR 503 server at --max-clients\n";
    // Nothing sent yet, a LABP/1 request, and what is not yet a whole line (HTTP or not).
    for (std::string_view first : {"", "PING\n", "PING", "ECHO /a b\n", "GET /ping HTTP/1.1",
                                   "GET /ping HTTP/1.1\r", "get /ping HTTP/1.1\r\n", "\r\n"}) {
        lab::Framing framing;
        EXPECT_EQ(encode_early(refusal, first, &framing), labp) << "first bytes '" << first << "'";
        EXPECT_TRUE(framing.close_after);
        EXPECT_EQ(framing.body_bytes, 0u);
    }
    const std::string http =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        "Content-Length: 23\r\nConnection: close\r\n\r\nserver at --max-clients";
    for (std::string_view first :
         {"GET /ping HTTP/1.1\r\n", "GET /ping HTTP/1.1\n", "GET /ping HTTP/1.0\r\nHost: x\r\n\r\n",
          "POST /work?cpu_us=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"}) {
        lab::Framing framing;
        EXPECT_EQ(encode_early(refusal, first, &framing), http) << "first bytes '" << first << "'";
        EXPECT_TRUE(framing.close_after);
        EXPECT_EQ(framing.body_bytes, 0u);
    }
}

// A connection's own codec agrees: before its first line is complete its replies (the 408 of
// an idle client) are LABP/1, as encode_before_codec has them.
TEST(CodecBeforeChoice, TheChoosingCodecUsesTheSameRule) {
    const lab::Reply timeout = lab::error_reply(ErrorCode::IdleTimeout, "idle timeout");
    for (std::string_view partial : {"", "GET /ping HTTP/1.1", "PIN"}) {
        auto codec = lab::make_codec();
        codec->feed(partial);
        std::string out;
        codec->encode(timeout, out);
        EXPECT_EQ(out, encode_early(timeout, partial)) << "after '" << partial << "'";
    }
}

std::string reference_pattern(std::uint64_t offset, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += static_cast<char>('a' + (offset + i) % 26);
    return s;
}

TEST(CodecPattern, FromZero) {
    std::string out(60, '?');
    lab::fill_pattern(out.data(), out.size(), 0);
    EXPECT_EQ(out, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh");
}

TEST(CodecPattern, AtOffsets) {
    for (std::uint64_t offset : {std::uint64_t{1}, std::uint64_t{25}, std::uint64_t{26},
                                 std::uint64_t{27}, std::uint64_t{1000003}, std::uint64_t{16777215},
                                 std::uint64_t{1} << 40, ~std::uint64_t{0} - 100}) {
        std::string out(100, '?');
        lab::fill_pattern(out.data(), out.size(), offset);
        EXPECT_EQ(out, reference_pattern(offset, 100)) << "offset " << offset;
    }
}

TEST(CodecPattern, ChunksAtArbitraryOffsetsContinue) {
    const std::size_t total = 100000;
    const std::string whole = reference_pattern(0, total);
    for (std::size_t seed : {1u, 3u, 7u, 26u, 4095u}) {
        std::string out(total + 1, '#');  // a guard byte after the body
        std::size_t offset = 0;
        for (std::size_t i = 1; offset < total; ++i) {
            std::size_t n = std::min(total - offset, (i * seed) % 5000);  // some chunks empty
            lab::fill_pattern(out.data() + offset, n, offset);
            offset += n;
        }
        EXPECT_EQ(out.back(), '#') << "seed " << seed;
        out.pop_back();
        EXPECT_EQ(out, whole) << "seed " << seed;
    }
}

TEST(CodecPattern, ZeroBytesWritesNothing) {
    std::string out = "###";
    lab::fill_pattern(out.data() + 1, 0, 5);
    EXPECT_EQ(out, "###");
}

}  // namespace
