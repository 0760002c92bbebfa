// HTTP/1.1 against every model, with real clients: curl for every route, and wrk for two
// seconds. The models have no HTTP code: the protocol module picks the codec per connection.
// curl and wrk come from Debian (./lab setup installs them).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "command_output.hpp"
#include "exchange_log.hpp"
#include "server_process.hpp"

namespace labtest {
namespace {

using nlohmann::json;

// Runs a shell command (bounded by `timeout`, coreutils) and returns its standard output.
std::string run(const std::string& command, int timeout_s = 20) {
    std::string line = "timeout " + std::to_string(timeout_s) + " " + command + " 2>/dev/null";
    return lab::test::command_output(line);
}

bool have(const std::string& program) {
    return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

std::string status_of(const std::string& response);

class Http : public ModelTest {
  protected:
    std::string url(const std::string& path) const {
        return "'http://127.0.0.1:" + std::to_string(port()) + path + "'";
    }
    // curl -i: the status line, headers and body of one request (CRLF kept). Noted in the
    // exchange log (exchange_log.hpp) for the grader's report.
    std::string curl(const std::string& path, const std::string& options = "") {
        std::string request = "curl ";
        if (!options.empty()) request += options.substr(0, 20) + " ";
        exchange::sent(request + path);
        std::string response = run("curl -s -i --max-time 10 " + options + " " + url(path));
        if (response.empty()) {
            exchange::received("no HTTP response");
        } else {
            std::string status = "'";
            status += exchange::quote(status_of(response));
            status += "'";
            exchange::received(status);
        }
        return response;
    }
};

// The body after the blank line of a response.
std::string body_of(const std::string& response) {
    std::size_t end = response.find("\r\n\r\n");
    return end == std::string::npos ? "<no head>" : response.substr(end + 4);
}

std::string status_of(const std::string& response) {
    return response.substr(0, response.find("\r\n"));
}

TEST_P(Http, CurlEveryRoute) {
    ASSERT_TRUE(have("curl")) << "curl is missing: run ./lab setup";
    ASSERT_NO_FATAL_FAILURE(start());
    std::string r = curl("/ping");
    EXPECT_EQ(status_of(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), "PONG");
    // The issue's own example.
    r = curl("/work?cpu_us=100&io_ms=5&bytes=10");
    EXPECT_EQ(status_of(r), "HTTP/1.1 200 OK");
    EXPECT_NE(r.find("Content-Length: 10\r\n"), std::string::npos) << r;
    EXPECT_EQ(body_of(r), "abcdefghij");
    r = curl("/work?bytes=1000000");
    EXPECT_EQ(body_of(r).size(), 1000000u);
    EXPECT_EQ(body_of(curl("/echo?text=hello%20world")), "hello world");
    EXPECT_EQ(body_of(curl("/incr?key=http")), "1");
    EXPECT_EQ(body_of(curl("/incr?key=http")), "2");
    EXPECT_EQ(body_of(curl("/get?key=http")), "2");
    r = curl("/stats");
    EXPECT_NE(r.find("Content-Type: application/json\r\n"), std::string::npos) << r;
    json stats = json::parse(body_of(r), nullptr, false);
    ASSERT_FALSE(stats.is_discarded()) << body_of(r);
    EXPECT_EQ(stats["model"], model());
    EXPECT_EQ(status_of(curl("/nope")), "HTTP/1.1 404 Not Found");
    r = curl("/ping", "-X POST");
    EXPECT_EQ(status_of(r), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_NE(r.find("Allow: GET\r\n"), std::string::npos) << r;
    EXPECT_EQ(status_of(curl("/work?cpu_us=1000001")), "HTTP/1.1 422 Unprocessable Content");
    EXPECT_EQ(status_of(curl("/ping", "-H 'Transfer-Encoding: chunked' -d x")),
              "HTTP/1.1 501 Not Implemented");
    EXPECT_EQ(status_of(curl("/ping", "-H 'X-Big: " + std::string(9000, 'a') + "'")),
              "HTTP/1.1 431 Request Header Fields Too Large");
    // Keep-alive: two URLs on one connection; HTTP/1.0 closes.
    r = run("curl -s --max-time 10 -w '%{num_connects}\\n' " + url("/ping") + " " + url("/ping"));
    EXPECT_EQ(r, "PONG1\nPONG0\n") << "the second request did not reuse the connection";
    r = curl("/ping", "--http1.0");
    EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos) << r;
    // LABP/1 still works on the same port.
    Client c = connect();
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

// wrk's summary in a line: "N requests in Ts; Socket errors: ..." (what the grader quotes).
std::string wrk_summary(const std::string& out) {
    std::string summary;
    for (const char* marker : {" requests in ", "Socket errors", "Non-2xx"}) {
        std::size_t at = out.find(marker);
        if (at == std::string::npos) continue;
        std::size_t start = out.rfind('\n', at);
        start = start == std::string::npos ? 0 : start + 1;
        std::size_t end = out.find('\n', at);
        std::string line = out.substr(start, end == std::string::npos ? end : end - start);
        line.erase(0, line.find_first_not_of(' '));
        if (!summary.empty()) summary += "; ";
        summary += line;
    }
    return summary.empty() ? "no output from wrk" : summary;
}

// wrk for two seconds: no socket errors, every reply 200. The sequential model with
// keep-alive serves one of wrk's connections until wrk closes it; the others wait in the
// backlog the whole run. wrk still prints a healthy rate (the one connection's) and, as its
// timeouts are not reported for them, no errors: the README shows what it prints. Here the
// run must at least finish and be all 200s.
TEST_P(Http, WrkTwoSeconds) {
    ASSERT_TRUE(have("wrk")) << "wrk is missing: run ./lab setup";
    ASSERT_NO_FATAL_FAILURE(start());
    exchange::sent("wrk: GET /ping on 8 connections for 2 s");
    std::string out = run("wrk -t1 -c8 -d2s --timeout 5s " + url("/ping"), 30);
    exchange::received(wrk_summary(out));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"((\d+) requests in)"))) << out;
    EXPECT_GT(std::stoll(m[1]), 100) << out;
    EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
    if (!sequential()) {
        EXPECT_EQ(out.find("Socket errors"), std::string::npos) << out;
    }
    exchange::sent("wrk: GET /work?cpu_us=0&io_ms=1&bytes=100000 on 4 connections for 1 s");
    out = run("wrk -t1 -c4 -d1s --timeout 5s " + url("/work?cpu_us=0&io_ms=1&bytes=100000"), 30);
    exchange::received(wrk_summary(out));
    EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
    if (!sequential()) {
        EXPECT_EQ(out.find("Socket errors"), std::string::npos) << out;
    }
    EXPECT_EQ(server().stop(), 0) << "the server did not stop cleanly after wrk";
}

INSTANTIATE_TEST_SUITE_P(Models, Http, testing::ValuesIn(model_variants()), model_test_name);

}  // namespace
}  // namespace labtest
