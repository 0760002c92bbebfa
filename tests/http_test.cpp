// Unit tests of the HTTP/1.1 subset (shared/http.hpp) and of the codec chooser: every split
// point, each error status, keep-alive and close, pipelining, request bodies, and that LABP/1
// is untouched. No sockets: bytes in, requests and reply bytes out.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http.hpp"
#include "protocol.hpp"

namespace {

using lab::Codec;
using lab::Command;
using lab::Decoded;
using lab::ErrorCode;
using lab::Framing;

// What a connection would send back for `input`, fed in pieces of `piece` bytes (0: at
// once), with each request answered the way the server would: PING -> PONG, ECHO -> its
// text, WORK -> its byte count with a body, STATS -> {}, INCR/GET -> 1. Stops at a reply
// that closes. Returns the replies' bytes, WORK bodies included.
struct Conversation {
    std::string replies;
    int requests = 0;
    bool closed = false;
};

lab::Reply answer(const lab::Request& r) {
    switch (r.command) {
        case Command::Ping:
            return lab::ok_reply("PONG");
        case Command::Echo:
            return lab::ok_reply(r.text);
        case Command::Work: {
            lab::Reply reply = lab::ok_reply(std::to_string(r.reply_bytes));
            reply.body_bytes = r.reply_bytes;
            return reply;
        }
        case Command::Stats:
            return lab::ok_reply("{}");
        case Command::Incr:
        case Command::Get:
        case Command::Post:
            return lab::ok_reply("1");
        case Command::Wait:
            return lab::ok_reply(r.value.empty() ? "v" : r.value);
        case Command::Query: {
            lab::Reply reply = lab::ok_reply(std::to_string(r.rows));
            reply.rows.assign(r.rows * lab::kQueryRowBytes, 'q');
            return reply;
        }
        case Command::Quit:
            break;
    }
    lab::Reply bye = lab::ok_reply("BYE");
    bye.close_after = true;
    return bye;
}

Conversation converse(std::string_view input, std::size_t piece = 0) {
    std::unique_ptr<Codec> codec = lab::make_codec();
    Conversation c;
    std::size_t at = 0;
    while (true) {
        Decoded d = codec->next();
        if (d.kind == Decoded::Kind::NeedMore) {
            if (at == input.size()) break;
            std::size_t n = piece == 0 ? input.size() - at : std::min(piece, input.size() - at);
            std::size_t taken = codec->feed(input.substr(at, n));
            EXPECT_GT(taken, 0u) << "the codec took nothing while it needed more";
            if (taken == 0) break;
            at += taken;
            continue;
        }
        lab::Reply reply = d.kind == Decoded::Kind::Error ? d.error : answer(d.request);
        if (d.kind == Decoded::Kind::Request) ++c.requests;
        Framing f = codec->encode(reply, c.replies);
        std::string body(f.body_bytes, '\0');
        lab::fill_pattern(body.data(), body.size(), 0);
        c.replies += body;
        if (f.close_after) {
            c.closed = true;
            break;
        }
    }
    return c;
}

std::string response(std::string_view status, std::string_view body,
                     std::string_view extra_headers = "", std::string_view type = "text/plain") {
    std::string out = "HTTP/1.1 ";
    out += status;
    out += "\r\nContent-Type: ";
    out += type;
    out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    out += extra_headers;
    out += "\r\n";
    out += body;
    return out;
}

const std::string kClose = "Connection: close\r\n";

TEST(HttpRequestLine, WhatCountsAsHttp) {
    EXPECT_TRUE(lab::is_http_request_line("GET /ping HTTP/1.1"));
    EXPECT_TRUE(lab::is_http_request_line("POST / HTTP/1.0"));
    EXPECT_TRUE(lab::is_http_request_line("GET /x HTTP/2.0"));  // then refused with 505
    EXPECT_FALSE(lab::is_http_request_line("get /ping HTTP/1.1"));
    EXPECT_FALSE(lab::is_http_request_line("GET ping HTTP/1.1"));
    EXPECT_FALSE(lab::is_http_request_line("GET /ping"));
    EXPECT_FALSE(lab::is_http_request_line("GET /ping HTTP/1.1 x"));
    EXPECT_FALSE(lab::is_http_request_line("ECHO /a path"));
    EXPECT_FALSE(lab::is_http_request_line("PING"));
    EXPECT_FALSE(lab::is_http_request_line(" GET / HTTP/1.1"));
}

TEST(HttpPercent, Decodes) {
    std::string out;
    EXPECT_TRUE(lab::percent_decode("a%20b+c%2Fd%2f", out));
    EXPECT_EQ(out, "a b c/d/");
    EXPECT_FALSE(lab::percent_decode("%2", out));
    EXPECT_FALSE(lab::percent_decode("%", out));
    EXPECT_FALSE(lab::percent_decode("%zz", out));
    EXPECT_TRUE(lab::percent_decode("", out));
    EXPECT_EQ(out, "");
}

TEST(Http, EveryRoute) {
    const std::string host = " HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(converse("GET /ping" + host).replies, response("200 OK", "PONG"));
    EXPECT_EQ(converse("GET /echo?text=hello%20world" + host).replies,
              response("200 OK", "hello world"));
    EXPECT_EQ(converse("GET /echo?text=%20a+" + host).replies, response("200 OK", " a "));
    EXPECT_EQ(converse("GET /echo" + host).replies, response("200 OK", ""));
    EXPECT_EQ(converse("GET /work?cpu_us=0&io_ms=0&bytes=30" + host).replies,
              response("200 OK", "abcdefghijklmnopqrstuvwxyzabcd"));
    EXPECT_EQ(converse("GET /work?bytes=2" + host).replies, response("200 OK", "ab"));
    EXPECT_EQ(converse("GET /work" + host).replies, response("200 OK", ""));
    EXPECT_EQ(converse("GET /incr?key=k1" + host).replies, response("200 OK", "1"));
    EXPECT_EQ(converse("GET /get?key=k1" + host).replies, response("200 OK", "1"));
    EXPECT_EQ(converse("GET /stats" + host).replies,
              response("200 OK", "{}", "", "application/json"));
}

// QUERY, WAIT and POST (issue 14). The answers are converse()'s: QUERY's body is rows * 100
// bytes, WAIT says "v", POST says "1".
TEST(Http, QueryWaitPostRoutes) {
    const std::string host = " HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(converse("GET /query?ms=5&rows=3" + host).replies,
              response("200 OK", std::string(300, 'q')));
    EXPECT_EQ(converse("GET /query?rows=2&ms=0" + host).replies,
              response("200 OK", std::string(200, 'q')));
    EXPECT_EQ(converse("GET /query" + host).replies, response("200 OK", ""));  // 0 and 0
    EXPECT_EQ(converse("GET /query?rows=1000" + host).replies,
              response("200 OK", std::string(100000, 'q')));
    EXPECT_EQ(converse("GET /wait?key=k&timeout_ms=100" + host).replies, response("200 OK", "v"));
    EXPECT_EQ(converse("GET /wait?timeout_ms=100&key=k" + host).replies, response("200 OK", "v"));
    EXPECT_EQ(converse("GET /wait?key=k" + host).replies, response("200 OK", "v"));
    EXPECT_EQ(converse("GET /post?key=k&value=v" + host).replies, response("200 OK", "1"));
    EXPECT_EQ(converse("GET /post?value=v&key=k" + host).replies, response("200 OK", "1"));
}

// Each route decodes to the LABP/1 request it stands for; a number left out is 0.
TEST(Http, QueryWaitPostDecodeToTheirRequests) {
    auto decode = [](const std::string& target) {
        std::unique_ptr<Codec> codec = lab::make_codec();
        std::string bytes = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
        EXPECT_EQ(codec->feed(bytes), bytes.size());
        Decoded d = codec->next();
        EXPECT_EQ(d.kind, Decoded::Kind::Request) << target << ": " << d.error.text;
        return d.request;
    };
    lab::Request r = decode("/query?ms=5&rows=10");
    EXPECT_EQ(r.command, Command::Query);
    EXPECT_EQ(r.query_ms, 5u);
    EXPECT_EQ(r.rows, 10u);
    r = decode("/query?rows=7");
    EXPECT_EQ(r.command, Command::Query);
    EXPECT_EQ(r.query_ms, 0u);
    EXPECT_EQ(r.rows, 7u);
    r = decode("/query?ms=10000&rows=1000");
    EXPECT_EQ(r.query_ms, 10000u);
    EXPECT_EQ(r.rows, 1000u);
    r = decode("/wait?key=Ab-_9&timeout_ms=250");
    EXPECT_EQ(r.command, Command::Wait);
    EXPECT_EQ(r.text, "Ab-_9");
    EXPECT_EQ(r.timeout_ms, 250u);
    r = decode("/wait?key=k");
    EXPECT_EQ(r.command, Command::Wait);
    EXPECT_EQ(r.timeout_ms, 0u);
    r = decode("/post?key=%6B&value=V-1");  // a percent-escaped key is decoded first
    EXPECT_EQ(r.command, Command::Post);
    EXPECT_EQ(r.text, "k");
    EXPECT_EQ(r.value, "V-1");
}

TEST(Http, QueryWaitPostParameterErrorsKeepTheConnection) {
    const std::string host = " HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string bad_key = "bad key: use 1 to 64 of A-Z a-z 0-9 _ -";
    const std::string bad_value = "bad value: use 1 to 64 of A-Z a-z 0-9 _ -";
    struct Case {
        std::string target;
        std::string status;
        std::string body;
    };
    std::vector<Case> cases = {
        {"/query?ms=10001", "422 Unprocessable Content", "ms over 10000"},
        {"/query?rows=1001", "422 Unprocessable Content", "rows over 1000"},
        {"/query?ms=10001&rows=1001", "422 Unprocessable Content", "ms over 10000"},
        {"/query?ms=x", "400 Bad Request", "bad number"},
        {"/query?rows=-1", "400 Bad Request", "bad number"},
        {"/query?ms=", "400 Bad Request", "bad number"},
        {"/query?ms=1&ms=2", "400 Bad Request", "parameter given twice"},
        {"/query?row=1", "400 Bad Request", "unknown parameter row"},
        {"/wait", "400 Bad Request", bad_key},  // a word left out is a 400
        {"/wait?timeout_ms=5", "400 Bad Request", bad_key},
        {"/wait?key=a.b", "400 Bad Request", bad_key},
        {"/wait?key=a%20b", "400 Bad Request", bad_key},
        {"/wait?key=" + std::string(65, 'k'), "400 Bad Request", bad_key},
        {"/wait?key=k&timeout_ms=x", "400 Bad Request", "bad number"},
        {"/wait?key=k&timeout_ms=60001", "422 Unprocessable Content", "timeout_ms over 60000"},
        {"/wait?key=k&value=v", "400 Bad Request", "unknown parameter value"},
        {"/post", "400 Bad Request", bad_key},
        {"/post?value=v", "400 Bad Request", bad_key},
        {"/post?key=k", "400 Bad Request", bad_value},
        {"/post?key=k&value=", "400 Bad Request", bad_value},
        {"/post?key=k&value=a%20b", "400 Bad Request", bad_value},
        {"/post?key=k&value=a.b", "400 Bad Request", bad_value},
        {"/post?key=k&value=" + std::string(65, 'v'), "400 Bad Request", bad_value},
        {"/post?key=a.b&value=v", "400 Bad Request", bad_key},
        {"/post?key=k&value=v&timeout_ms=1", "400 Bad Request", "unknown parameter timeout_ms"},
    };
    for (const Case& c : cases) {
        Conversation conv = converse("GET " + c.target + host + "GET /ping" + host);
        EXPECT_EQ(conv.replies, response(c.status, c.body) + response("200 OK", "PONG"))
            << c.target;
        EXPECT_FALSE(conv.closed) << c.target;
    }
}

// QUERY's reply: the rows are the body, exactly, with their length as Content-Length; the
// "OK n" line of LABP/1 is not in it (the count is Content-Length / 100).
TEST(Http, QueryRowsAreTheBody) {
    std::string rows;
    for (int id = 1; id <= 10; ++id) {
        std::string digits = std::to_string(id);
        std::string row = std::string(6 - digits.size(), '0') + digits + " ";
        row.append(92, static_cast<char>('a' + id % 26));
        rows += row + '\n';
    }
    ASSERT_EQ(rows.size(), 1000u);
    std::unique_ptr<Codec> codec = lab::make_codec();
    codec->feed("GET /query?ms=5&rows=10 HTTP/1.1\r\nHost: x\r\n\r\n");
    Decoded d = codec->next();
    ASSERT_EQ(d.kind, Decoded::Kind::Request);
    lab::Reply reply = lab::ok_reply("10");
    reply.rows = rows;
    std::string out;
    Framing f = codec->encode(reply, out);
    EXPECT_EQ(out, response("200 OK", rows));
    EXPECT_NE(out.find("\r\nContent-Length: 1000\r\n"), std::string::npos) << out.substr(0, 120);
    EXPECT_EQ(f.body_bytes, 0u);
    EXPECT_FALSE(f.close_after);
    // A QUERY that failed has no rows: its error text is the body.
    codec->feed("GET /query?rows=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(codec->next().kind, Decoded::Kind::Request);
    out.clear();
    f = codec->encode(lab::backend_unavailable_reply(), out);
    EXPECT_EQ(out, response("503 Service Unavailable", "backend unavailable"));
    EXPECT_FALSE(f.close_after);
}

// ERR 503 backend unavailable, 408 no POST before the timeout and 503 too many waiters keep an
// HTTP/1.1 connection open (no Connection: close), unlike the 408 of an idle connection.
TEST(Http, BackendWaitAndWaiterErrorsKeepTheConnection) {
    struct Case {
        std::string target;
        lab::Reply reply;
        std::string expected;
    };
    for (const Case& c : {Case{"/query?rows=1", lab::backend_unavailable_reply(),
                               response("503 Service Unavailable", "backend unavailable")},
                          Case{"/wait?key=k&timeout_ms=5", lab::wait_timeout_reply(),
                               response("408 Request Timeout", "no POST before the timeout")},
                          Case{"/wait?key=k&timeout_ms=5", lab::too_many_waiters_reply(),
                               response("503 Service Unavailable", "too many waiters (1000)")}}) {
        std::unique_ptr<Codec> codec = lab::make_codec();
        codec->feed("GET " + c.target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_EQ(codec->next().kind, Decoded::Kind::Request) << c.target;
        std::string out;
        Framing f = codec->encode(c.reply, out);
        EXPECT_EQ(out, c.expected);
        EXPECT_FALSE(f.close_after) << c.expected;
        codec->feed("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
        Decoded next = codec->next();
        ASSERT_EQ(next.kind, Decoded::Kind::Request) << "after " << c.expected;
        EXPECT_EQ(next.request.command, Command::Ping);
    }
}

TEST(Http, ErrorsThatKeepTheConnection) {
    const std::string host = " HTTP/1.1\r\nHost: x\r\n\r\n";
    struct Case {
        std::string target;
        std::string status;
        std::string body;
    };
    std::vector<Case> cases = {
        {"/nope", "404 Not Found", "no such path"},
        {"/ping/", "404 Not Found", "no such path"},
        {"/work?cpu_us=1000001", "422 Unprocessable Content", "cpu_us over 1000000"},
        {"/work?io_ms=60001", "422 Unprocessable Content", "io_ms over 60000"},
        {"/work?bytes=16777217", "422 Unprocessable Content", "reply_bytes over 16777216"},
        {"/work?cpu_us=x", "400 Bad Request", "bad number"},
        {"/work?cpu_us=-1", "400 Bad Request", "bad number"},
        {"/work?byte=1", "400 Bad Request", "unknown parameter byte"},
        {"/work?bytes=1&bytes=2", "400 Bad Request", "parameter given twice"},
        {"/ping?x=1", "400 Bad Request", "unknown parameter x"},
        {"/incr", "400 Bad Request", "bad key: use 1 to 64 of A-Z a-z 0-9 _ -"},
        {"/incr?key=a%20b", "400 Bad Request", "bad key: use 1 to 64 of A-Z a-z 0-9 _ -"},
        {"/echo?text=%0A", "400 Bad Request", "only printable ASCII and spaces are allowed"},
        {"/echo?text=%G0", "400 Bad Request", "bad % escape in the query"},
    };
    for (const Case& c : cases) {
        // The error, then the next request on the same connection is served.
        Conversation conv = converse("GET " + c.target + host + "GET /ping" + host);
        EXPECT_EQ(conv.replies, response(c.status, c.body) + response("200 OK", "PONG"))
            << c.target;
        EXPECT_FALSE(conv.closed) << c.target;
    }
    Conversation post = converse(
        "POST /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"
        "abcGET /ping" +
        host);
    EXPECT_EQ(post.replies, response("405 Method Not Allowed", "only GET", "Allow: GET\r\n") +
                                response("200 OK", "PONG"));
}

TEST(Http, ErrorsThatClose) {
    struct Case {
        std::string request;
        std::string status;
        std::string body;
    };
    std::string big_header = "GET /ping HTTP/1.1\r\nHost: x\r\nX: " + std::string(8200, 'a');
    std::vector<Case> cases = {
        {"GET /ping HTTP/1.1\r\n\r\n", "400 Bad Request", "HTTP/1.1 needs Host"},
        {"GET /ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request", "Host given twice"},
        {"GET /ping HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "400 Bad Request",
         "folded header line"},
        {"GET /ping HTTP/1.1\r\nHost x\r\n\r\n", "400 Bad Request", "bad header line"},
        {"GET /ping HTTP/1.1\r\nBad Name: x\r\n\r\n", "400 Bad Request", "bad header line"},
        {"GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", "400 Bad Request",
         "bad Content-Length"},
        {"GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         "400 Bad Request", "bad Content-Length"},
        {"GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n",
         "413 Content Too Large", "request body over 1048576 bytes"},
        {"GET /ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
         "501 Not Implemented", "request bodies must use Content-Length"},
        {"GET /ping HTTP/2.0\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported",
         "only HTTP/1.0 and HTTP/1.1"},
        {big_header, "431 Request Header Fields Too Large", "header section over 8192 bytes"},
    };
    for (const Case& c : cases) {
        Conversation conv = converse(c.request + "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(conv.replies, response(c.status, c.body, kClose)) << c.request.substr(0, 80);
        EXPECT_TRUE(conv.closed);
    }
}

TEST(Http, KeepAliveAndClose) {
    // HTTP/1.1 keeps the connection unless told to close.
    Conversation c = converse("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_FALSE(c.closed);
    c = converse("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(c.replies, response("200 OK", "PONG", kClose));
    EXPECT_TRUE(c.closed);
    c = converse("GET /ping HTTP/1.1\r\nHost: x\r\nconnection: Keep-Alive, CLOSE\r\n\r\n");
    EXPECT_TRUE(c.closed);
    // HTTP/1.0 closes unless asked to keep it, and needs no Host.
    c = converse("GET /ping HTTP/1.0\r\n\r\nGET /ping HTTP/1.0\r\n\r\n");
    EXPECT_EQ(c.replies, response("200 OK", "PONG", kClose));
    EXPECT_TRUE(c.closed);
    c = converse("GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(c.replies, response("200 OK", "PONG", "Connection: keep-alive\r\n"));
    EXPECT_FALSE(c.closed);
}

// Pipelined requests, with a request body in the middle, fed at every split point and one
// byte at a time, are answered in order and identically.
TEST(Http, PipeliningAtEverySplitPoint) {
    std::string input =
        "GET /echo?text=first HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
        "\r\nGET /work?bytes=3 HTTP/1.1\n"  // an empty line first, and bare LF, are accepted
        "Host: x\n\n"
        "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";  // after close: never answered
    std::string expected = response("200 OK", "first") + response("200 OK", "PONG") +
                           response("200 OK", "abc") + response("404 Not Found", "no such path") +
                           response("200 OK", "PONG", kClose);
    Conversation whole = converse(input);
    EXPECT_EQ(whole.replies, expected);
    EXPECT_EQ(whole.requests, 4);
    EXPECT_TRUE(whole.closed);
    for (std::size_t piece = 1; piece <= 7; ++piece) {
        EXPECT_EQ(converse(input, piece).replies, expected) << "pieces of " << piece;
    }
    // Split in two at every point.
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        std::unique_ptr<Codec> codec = lab::make_codec();
        std::string replies;
        std::string_view rest = input;
        std::string_view parts[2] = {rest.substr(0, cut), rest.substr(cut)};
        int answered = 0;
        bool closed = false;
        for (std::string_view part : parts) {
            while (!part.empty() && !closed) {
                part.remove_prefix(codec->feed(part));
                for (Decoded d = codec->next(); d.kind != Decoded::Kind::NeedMore && !closed;
                     d = codec->next()) {
                    lab::Reply r = d.kind == Decoded::Kind::Error ? d.error : answer(d.request);
                    Framing f = codec->encode(r, replies);
                    std::string body(f.body_bytes, '\0');
                    lab::fill_pattern(body.data(), body.size(), 0);
                    replies += body;
                    closed = f.close_after;
                    ++answered;
                }
            }
        }
        ASSERT_EQ(replies, expected) << "cut at " << cut;
        EXPECT_EQ(answered, 5);
    }
}

// A request body is read and ignored even when it arrives in pieces; the buffer never holds
// more than the header limit however long the body.
TEST(Http, LongRequestBodyIsSkippedInBoundedSpace) {
    std::unique_ptr<Codec> codec = lab::make_codec();
    codec->feed("GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n");
    Decoded d = codec->next();
    ASSERT_EQ(d.kind, Decoded::Kind::Request);
    std::string out;
    codec->encode(answer(d.request), out);
    std::string chunk(4000, 'z');
    std::size_t sent = 0;
    while (sent < 1048576) {
        std::size_t n = std::min(chunk.size(), 1048576 - sent);
        std::size_t taken = codec->feed(std::string_view(chunk).substr(0, n));
        ASSERT_GT(taken, 0u);
        sent += taken;
        EXPECT_LE(codec->buffered(), lab::kMaxHeaderBytes);
        EXPECT_EQ(codec->next().kind, Decoded::Kind::NeedMore);
    }
    codec->feed("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    d = codec->next();
    ASSERT_EQ(d.kind, Decoded::Kind::Request);
    EXPECT_EQ(d.request.command, Command::Ping);
}

TEST(Http, RepliesBeforeTheCodecIsKnownAreLabp) {
    // An idle timeout before any complete line, and a first line over 4096 bytes.
    std::unique_ptr<Codec> codec = lab::make_codec();
    codec->feed("GET /pi");
    std::string out;
    Framing f = codec->encode(lab::error_reply(ErrorCode::IdleTimeout, "idle timeout"), out);
    EXPECT_EQ(out, "ERR 408 idle timeout\n");
    EXPECT_TRUE(f.close_after);
    Conversation c = converse("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n");
    EXPECT_EQ(c.replies, "ERR 413 line over 4096 bytes\n");
    // Once HTTP, an idle timeout is an HTTP 408 that closes.
    codec = lab::make_codec();
    codec->feed("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(codec->next().kind, Decoded::Kind::Request);
    out.clear();
    codec->encode(lab::ok_reply("PONG"), out);
    out.clear();
    f = codec->encode(lab::error_reply(ErrorCode::IdleTimeout, "idle timeout"), out);
    EXPECT_EQ(out, response("408 Request Timeout", "idle timeout", kClose));
    EXPECT_TRUE(f.close_after);
}

TEST(Http, LabpIsUnchanged) {
    EXPECT_EQ(converse("PING\nECHO /a b\nWORK 0 0 2\nQUIT\nPING\n").replies,
              "OK PONG\nOK /a b\nOK 2\nabOK BYE\n");
    EXPECT_EQ(converse("PING\r\n", 1).replies, "OK PONG\n");
    // LABP/1 lines that look a little like HTTP stay LABP/1.
    const std::string bad_key = "ERR 400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -\n";
    EXPECT_EQ(converse("GET /ping\n").replies, bad_key);
    EXPECT_EQ(converse("get /ping HTTP/1.1\n").replies, "ERR 400 takes one key\n");
}

}  // namespace
