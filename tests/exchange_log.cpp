// See exchange_log.hpp.
#include "exchange_log.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <mutex>

namespace labtest::exchange {
namespace {

constexpr std::size_t kQuoteChars = 60;

struct Log {
    std::mutex mutex;
    Snapshot now;         // the exchange in progress
    Snapshot first;       // kept at the test's first failure
    bool failed = false;  // the current test has failed at least once
    std::string skipped;  // GTEST_SKIP's message
};

Log& log() {
    static Log* the_log = new Log;  // never destroyed: gtest may report after static destructors
    return *the_log;
}

// Keeps the exchange in progress at a test's first failure. Installed before main() runs
// (gtest_main's RUN_ALL_TESTS then reports to it).
class FirstFailure : public testing::EmptyTestEventListener {
    void OnTestStart(const testing::TestInfo&) override {
        std::lock_guard lock(log().mutex);
        log().now = {};
        log().first = {};
        log().failed = false;
        log().skipped.clear();
    }
    void OnTestPartResult(const testing::TestPartResult& result) override {
        if (result.skipped()) {
            std::lock_guard lock(log().mutex);
            log().skipped = result.message();
            return;
        }
        if (!result.failed()) return;
        std::lock_guard lock(log().mutex);
        if (log().failed) return;
        log().failed = true;
        log().first = log().now;
    }
};

[[maybe_unused]] const bool kInstalled = [] {
    testing::UnitTest::GetInstance()->listeners().Append(new FirstFailure);
    return true;
}();

}  // namespace

std::string quote(std::string_view bytes) {
    std::string out;
    std::size_t shown = 0;
    for (char c : bytes) {
        if (out.size() >= kQuoteChars) break;
        auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (u < 0x20 || u == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            out += hex;
        } else {
            out += c;
        }
        ++shown;
    }
    if (shown < bytes.size()) out += "... (" + std::to_string(bytes.size()) + " bytes in all)";
    return out;
}

void sent(std::string_view bytes) {
    std::string text = quote(bytes);
    std::lock_guard lock(log().mutex);
    log().now = {text, ""};
}

void connected(bool ok) {
    std::lock_guard lock(log().mutex);
    log().now = {"(a new connection)", ok ? ""
                                          : "no connection: the server refused it or did "
                                            "not accept it in time"};
}

void received(const std::string& what) {
    std::lock_guard lock(log().mutex);
    log().now.received = what;
}

std::string skip_reason() {
    std::lock_guard lock(log().mutex);
    return log().skipped;
}

Snapshot at_first_failure() {
    std::lock_guard lock(log().mutex);
    return log().first;
}

}  // namespace labtest::exchange
