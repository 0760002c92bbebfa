// Unit tests of the load harness's core (lab_harness_core): durations, workload files, the
// results file, Jain's fairness index, and the client engine (run_engine) driven directly
// against a real lab-server that the test spawns with lab::SpawnedServer, or against a
// small fake server in this process that answers wrongly on purpose.
//
// Machine-independent: no test asserts a time or a rate, only relations with wide margins.
// Every run is bounded (the engine's window), and every server is stopped by its guard.
// Tests that start a server end in the lowercase names of the models they run
// (_threads, _sequential): the tsan preset skips names matching sequential|fork.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "database.hpp"
#include "duration.hpp"
#include "engine.hpp"
#include "results.hpp"
#include "spawned_server.hpp"
#include "workload.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kSec = 1'000'000'000;

// A fresh directory for one test, removed at the end (tests/temp_dir.hpp).
class TempDir : public lab::test::TempDir {
  public:
    TempDir() : lab::test::TempDir("harness-unit") {}
};

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
}

// ---------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------

TEST(Duration, ParsesEachUnit) {
    EXPECT_EQ(lab::parse_duration_ns("5"), 5 * kSec);  // a bare number is seconds
    EXPECT_EQ(lab::parse_duration_ns("0"), 0u);
    EXPECT_EQ(lab::parse_duration_ns("250ms"), 250 * kMs);
    EXPECT_EQ(lab::parse_duration_ns("1500ms"), 1500 * kMs);
    EXPECT_EQ(lab::parse_duration_ns("3s"), 3 * kSec);
    EXPECT_EQ(lab::parse_duration_ns("2m"), 120 * kSec);
    EXPECT_EQ(lab::parse_duration_ns("007s"), 7 * kSec);
}

TEST(Duration, AcceptsExactlyADay) {
    EXPECT_EQ(lab::parse_duration_ns("86400"), 86'400 * kSec);
    EXPECT_EQ(lab::parse_duration_ns("86400s"), 86'400 * kSec);
    EXPECT_EQ(lab::parse_duration_ns("1440m"), 86'400 * kSec);
    EXPECT_EQ(lab::parse_duration_ns("86400000ms"), 86'400 * kSec);
}

TEST(Duration, RejectsWhatIsNotADuration) {
    const char* bad[] = {
        "",
        "-1",
        "+1",
        "-5ms",
        "1.5s",
        "1.5",
        "0.5m",
        ".5s",
        "1e3ms",
        "5h",
        "5us",
        "5ns",
        "5d",
        "5S",
        "5MS",
        "5 s",
        " 5s",
        "5s ",
        "ms",
        "s",
        "m",
        "5sm",
        "5mss",
        "5ms5",
        "0x10",
        "five",
        "5,0s",
        "86401",
        "86401s",
        "1441m",
        "86400001ms",  // over a day
        "99999999999999999999",
        "18446744073709551616",
        "18446744073709551615ms",  // overflow
        "4294967296s",
        "1000000001ms",
        "100000000000000000000000000000000000000m",
    };
    for (const char* text : bad) {
        EXPECT_FALSE(lab::parse_duration_ns(text).has_value()) << "'" << text << "'";
    }
}

TEST(Duration, FormatsBackToWhatParses) {
    EXPECT_EQ(lab::format_duration(1500 * kMs), "1500ms");
    EXPECT_EQ(lab::format_duration(2 * kSec), "2s");
    EXPECT_EQ(lab::format_duration(120 * kSec), "2m");
    for (std::uint64_t ns :
         {0 * kMs, 1 * kMs, 999 * kMs, 1000 * kMs, 61 * kSec, 60 * kSec, 86'400 * kSec}) {
        EXPECT_EQ(lab::parse_duration_ns(lab::format_duration(ns)), ns) << ns;
    }
}

// ---------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------

TEST(Workload, EveryShippedWorkloadLoads) {
    std::vector<std::string> names = lab::list_workloads(LAB_WORKLOAD_DIR);
    for (const char* required : {"ping", "echo", "cpu", "io", "mixed", "shared", "bulk",
                                 "slow-clients", "c10k", "db", "db-mixed", "chat"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), required), names.end())
            << "harness/workloads has no " << required << ".json";
    }
    for (const std::string& name : names) {
        std::string error;
        auto w = lab::load_workload(name, LAB_WORKLOAD_DIR, error);
        ASSERT_TRUE(w.has_value()) << name << ": " << error;
        EXPECT_EQ(w->name, name) << "a workload's name should be its file's name";
        EXPECT_FALSE(w->description.empty()) << name;
        EXPECT_FALSE(w->mix.empty()) << name;
        EXPECT_EQ(w->path, std::string(LAB_WORKLOAD_DIR) + "/" + name + ".json");
        // The shipped workloads reconnect after a finite number of requests, so that the
        // sequential model serves every client in turn; c10k's point is connections held open.
        if (name != "c10k") {
            EXPECT_GT(w->requests_per_connection, 0u) << name;
        }
        EXPECT_GT(w->request_timeout_ns, 0u) << name;
    }
}

TEST(Workload, ShippedWorkloadsAreWhatTheIssueSays) {
    std::string error;
    auto load = [&](const std::string& name) {
        auto w = lab::load_workload(name, LAB_WORKLOAD_DIR, error);
        EXPECT_TRUE(w.has_value()) << error;
        return w.value_or(lab::Workload{});
    };
    using Kind = lab::RequestSpec::Kind;
    auto only = [](const lab::Workload& w, Kind kind) {
        return !w.mix.empty() && std::all_of(w.mix.begin(), w.mix.end(),
                                             [&](const auto& s) { return s.kind == kind; });
    };
    lab::Workload ping = load("ping");
    EXPECT_TRUE(only(ping, Kind::Ping));
    EXPECT_TRUE(only(load("echo"), Kind::Echo));
    lab::Workload io = load("io");  // WORK 0 20 64
    ASSERT_EQ(io.mix.size(), 1u);
    EXPECT_EQ(io.mix[0].kind, Kind::Work);
    EXPECT_EQ(io.mix[0].cpu_us, 0u);
    EXPECT_EQ(io.mix[0].io_ms, 20u);
    EXPECT_EQ(io.mix[0].reply_bytes, 64u);
    lab::Workload cpu = load("cpu");
    ASSERT_TRUE(only(cpu, Kind::Work));
    for (const auto& s : cpu.mix) {
        EXPECT_GT(s.cpu_us, 0u);
        EXPECT_EQ(s.io_ms, 0u);
    }
    lab::Workload shared = load("shared");
    ASSERT_TRUE(only(shared, Kind::Incr));
    for (const auto& s : shared.mix)
        EXPECT_LE(s.keys, 16u) << "the shared workload's keys should be few and hot";
    lab::Workload bulk = load("bulk");
    ASSERT_TRUE(only(bulk, Kind::Work));
    for (const auto& s : bulk.mix)
        EXPECT_GE(s.reply_bytes, 64u * 1024u) << "bulk means large replies";
    lab::Workload mixed = load("mixed");
    std::set<Kind> kinds;
    for (const auto& s : mixed.mix)
        kinds.insert(s.kind);
    EXPECT_GE(kinds.size(), 3u);
    lab::Workload slow = load("slow-clients");
    ASSERT_TRUE(slow.slow.has_value());
    EXPECT_TRUE(slow.slow->write_chunk_bytes > 0 || slow.slow->read_chunk_bytes > 0);
    // c10k: mostly idle connections kept open, a small active set, opened in paced groups.
    lab::Workload c10k = load("c10k");
    EXPECT_TRUE(only(c10k, Kind::Ping));
    EXPECT_EQ(c10k.requests_per_connection, 0u);
    ASSERT_TRUE(c10k.idle.has_value());
    EXPECT_GE(c10k.idle->share_pct, 90u);
    EXPECT_LT(c10k.idle->share_pct, 100u) << "an active set too";
    EXPECT_GE(c10k.idle->think_time_ns, 1 * kSec);
    EXPECT_GT(c10k.request_timeout_ns, c10k.idle->think_time_ns);
    ASSERT_TRUE(c10k.pace.has_value());
    EXPECT_LT(c10k.pace->group, 10'000u) << "10,000 connections in more than one group";
    // Its warm-up need at 10,000 connections is a few seconds, not minutes.
    EXPECT_GT(lab::pacing_ns(c10k.pace, 10'000), 0u);
    EXPECT_LE(lab::pacing_ns(c10k.pace, 10'000), 30 * kSec);
    // db: QUERY 5 0 and nothing else.
    lab::Workload db = load("db");
    ASSERT_EQ(db.mix.size(), 1u);
    EXPECT_EQ(db.mix[0].kind, Kind::Query);
    EXPECT_EQ(db.mix[0].query_ms, 5u);
    EXPECT_EQ(db.mix[0].rows, 0u);
    // db-mixed: QUERY 5 10 beside PING and WORK.
    lab::Workload db_mixed = load("db-mixed");
    std::set<Kind> db_mixed_kinds;
    for (const auto& s : db_mixed.mix) {
        db_mixed_kinds.insert(s.kind);
        if (s.kind != Kind::Query) continue;
        EXPECT_EQ(s.query_ms, 5u);
        EXPECT_EQ(s.rows, 10u);
    }
    EXPECT_EQ(db_mixed_kinds, (std::set<Kind>{Kind::Query, Kind::Ping, Kind::Work}));
    // chat: WAIT and POST on the same few keys, WAITs that end well within the request timeout.
    lab::Workload chat = load("chat");
    std::set<Kind> chat_kinds;
    for (const auto& s : chat.mix) {
        chat_kinds.insert(s.kind);
        EXPECT_LE(s.keys, 16u) << "few keys, so that POSTs find their waiters";
        EXPECT_EQ(s.keys, chat.mix[0].keys) << "WAIT and POST on the same keys";
        if (s.kind == Kind::Wait) {
            EXPECT_LT(s.timeout_ms * kMs, chat.request_timeout_ns);
        }
    }
    EXPECT_EQ(chat_kinds, (std::set<Kind>{Kind::Wait, Kind::Post}));
}

TEST(Workload, ReadsQueryWaitAndPost) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("issue14.json");
    write_file(path, R"({
      "name": "issue14",
      "mix": [
        {"request": "QUERY", "ms": 10000, "rows": 1000},
        {"request": "WAIT", "keys": 4, "timeout_ms": 60000, "weight": 2},
        {"request": "POST", "keys": 1024},
        {"request": "QUERY"},
        {"request": "WAIT"}
      ],
      "request_timeout": "61s"
    })");
    std::string error;
    auto w = lab::load_workload(path, "/nonexistent", error);
    ASSERT_TRUE(w.has_value()) << error;
    using Kind = lab::RequestSpec::Kind;
    ASSERT_EQ(w->mix.size(), 5u);
    EXPECT_EQ(w->mix[0].kind, Kind::Query);
    EXPECT_EQ(w->mix[0].query_ms, 10'000u);
    EXPECT_EQ(w->mix[0].rows, 1'000u);
    EXPECT_EQ(w->mix[1].kind, Kind::Wait);
    EXPECT_EQ(w->mix[1].keys, 4u);
    EXPECT_EQ(w->mix[1].timeout_ms, 60'000u);
    EXPECT_EQ(w->mix[1].weight, 2u);
    EXPECT_EQ(w->mix[2].kind, Kind::Post);
    EXPECT_EQ(w->mix[2].keys, 1024u);
    // The defaults: QUERY 0 0, WAIT on one key for 1 s.
    EXPECT_EQ(w->mix[3].query_ms, 0u);
    EXPECT_EQ(w->mix[3].rows, 0u);
    EXPECT_EQ(w->mix[4].keys, 1u);
    EXPECT_EQ(w->mix[4].timeout_ms, 1'000u);
    EXPECT_TRUE(lab::has_request(*w, Kind::Query));
    EXPECT_FALSE(lab::has_request(*w, Kind::Incr));

    // A request timeout the WAIT or QUERY outlasts is refused, naming the entry.
    w->request_timeout_ns = 60 * kSec;
    EXPECT_NE(lab::check_request_timeout(*w).find("mix[1].timeout_ms"), std::string::npos)
        << lab::check_request_timeout(*w);
    w->mix[1].timeout_ms = 1'000;
    w->request_timeout_ns = 10 * kSec;
    EXPECT_NE(lab::check_request_timeout(*w).find("mix[0].ms"), std::string::npos);
    w->request_timeout_ns = 10 * kSec + 1;
    EXPECT_EQ(lab::check_request_timeout(*w), "");
}

TEST(Workload, ReadsIdleClientsAndConnectPace) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("c10k-like.json");
    write_file(path, R"({
      "name": "c10k-like",
      "mix": [{"request": "PING"}],
      "think_time": "10ms",
      "idle_clients": {"share_pct": 99, "think_time": "5s"},
      "connect_pace": {"group": 500, "every": "100ms"}
    })");
    std::string error;
    auto w = lab::load_workload(path, "/nonexistent", error);
    ASSERT_TRUE(w.has_value()) << error;
    EXPECT_EQ(w->think_time_ns, 10 * kMs);  // the active set's
    ASSERT_TRUE(w->idle.has_value());
    EXPECT_EQ(w->idle->share_pct, 99u);
    EXPECT_EQ(w->idle->think_time_ns, 5 * kSec);
    ASSERT_TRUE(w->pace.has_value());
    EXPECT_EQ(w->pace->group, 500u);
    EXPECT_EQ(w->pace->every_ns, 100 * kMs);

    // share_pct defaults to every connection.
    write_file(path, R"({"name": "x", "mix": [{"request": "PING"}],
                         "idle_clients": {"think_time": "1s"}})");
    w = lab::load_workload(path, "/nonexistent", error);
    ASSERT_TRUE(w.has_value()) << error;
    ASSERT_TRUE(w->idle.has_value());
    EXPECT_EQ(w->idle->share_pct, 100u);
    EXPECT_FALSE(w->pace.has_value());

    // When the last group is due: group k starts k * every after the first.
    std::optional<lab::ConnectPace> pace = lab::ConnectPace{500, 100 * kMs};
    EXPECT_EQ(lab::pacing_ns(pace, 1), 0u);
    EXPECT_EQ(lab::pacing_ns(pace, 500), 0u);
    EXPECT_EQ(lab::pacing_ns(pace, 501), 100 * kMs);
    EXPECT_EQ(lab::pacing_ns(pace, 10'000), 1900 * kMs);
    EXPECT_EQ(lab::pacing_ns(std::nullopt, 10'000), 0u);
}

TEST(Workload, ReadsEveryFieldOfAFileGivenByPath) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("full.json");
    write_file(path, R"({
      "name": "full",
      "description": "every field",
      "mix": [
        {"request": "PING", "weight": 3},
        {"request": "ECHO", "bytes": 4000},
        {"request": "WORK", "cpu_us": 1000000, "io_ms": 60000, "reply_bytes": 16777216},
        {"request": "INCR", "keys": 1024, "weight": 2}
      ],
      "think_time": "20ms",
      "requests_per_connection": 7,
      "request_timeout": "3s",
      "slow_client": {"write_chunk_bytes": 4, "write_pause": "10ms",
                      "read_chunk_bytes": 64, "read_pause": "1s", "share_pct": 25}
    })");
    std::string error;
    auto w = lab::load_workload(path, "/nonexistent", error);
    ASSERT_TRUE(w.has_value()) << error;
    EXPECT_EQ(w->name, "full");
    EXPECT_EQ(w->description, "every field");
    EXPECT_EQ(w->path, path);
    ASSERT_EQ(w->mix.size(), 4u);
    EXPECT_EQ(w->mix[0].kind, lab::RequestSpec::Kind::Ping);
    EXPECT_EQ(w->mix[0].weight, 3u);
    EXPECT_EQ(w->mix[1].kind, lab::RequestSpec::Kind::Echo);
    EXPECT_EQ(w->mix[1].echo_bytes, 4000u);
    EXPECT_EQ(w->mix[1].weight, 1u);  // the default
    EXPECT_EQ(w->mix[2].kind, lab::RequestSpec::Kind::Work);
    EXPECT_EQ(w->mix[2].cpu_us, 1'000'000u);
    EXPECT_EQ(w->mix[2].io_ms, 60'000u);
    EXPECT_EQ(w->mix[2].reply_bytes, 16'777'216u);
    EXPECT_EQ(w->mix[3].kind, lab::RequestSpec::Kind::Incr);
    EXPECT_EQ(w->mix[3].keys, 1024u);
    EXPECT_EQ(w->mix[3].weight, 2u);
    EXPECT_EQ(w->think_time_ns, 20 * kMs);
    EXPECT_EQ(w->requests_per_connection, 7u);
    EXPECT_EQ(w->request_timeout_ns, 3 * kSec);
    ASSERT_TRUE(w->slow.has_value());
    EXPECT_EQ(w->slow->write_chunk_bytes, 4u);
    EXPECT_EQ(w->slow->write_pause_ns, 10 * kMs);
    EXPECT_EQ(w->slow->read_chunk_bytes, 64u);
    EXPECT_EQ(w->slow->read_pause_ns, 1 * kSec);
    EXPECT_EQ(w->slow->share_pct, 25u);

    // A name is looked up in the directory; a name ending in .json is a path.
    write_file(dir.file("named.json"), R"({"name": "named", "mix": [{"request": "PING"}]})");
    auto named = lab::load_workload("named", dir.path(), error);
    ASSERT_TRUE(named.has_value()) << error;
    EXPECT_EQ(named->name, "named");
    EXPECT_EQ(named->requests_per_connection, 0u);  // the default: keep the connection
    EXPECT_FALSE(named->slow.has_value());
}

TEST(Workload, UnknownNameAndMissingFileAreNamed) {
    std::string error;
    EXPECT_FALSE(lab::load_workload("no-such-workload", LAB_WORKLOAD_DIR, error).has_value());
    EXPECT_NE(error.find("no-such-workload"), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(lab::load_workload("/nonexistent/dir/w.json", LAB_WORKLOAD_DIR, error));
    EXPECT_NE(error.find("/nonexistent/dir/w.json"), std::string::npos) << error;
}

// A bad workload file and what its error must say: the field and (a word of) what is wrong.
struct BadWorkload {
    const char* label;
    const char* text;
    const char* field;  // "" when there is no field to name (not JSON)
    const char* what;
};

void PrintTo(const BadWorkload& bad, std::ostream* os) {
    *os << bad.label;
}

class WorkloadErrors : public testing::TestWithParam<BadWorkload> {};

TEST_P(WorkloadErrors, NameTheFileTheFieldAndTheFault) {
    const BadWorkload& bad = GetParam();
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file(std::string(bad.label) + ".json");
    write_file(path, bad.text);
    std::string error;
    auto w = lab::load_workload(path, LAB_WORKLOAD_DIR, error);
    EXPECT_FALSE(w.has_value()) << bad.label << " was accepted";
    EXPECT_NE(error.find(path), std::string::npos) << "no file name in: " << error;
    EXPECT_NE(error.find(bad.field), std::string::npos)
        << "no field '" << bad.field << "' in: " << error;
    EXPECT_NE(error.find(bad.what), std::string::npos) << "no '" << bad.what << "' in: " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "not one line: " << error;
}

const BadWorkload kBadWorkloads[] = {
    {"missing_name", R"({"mix": [{"request": "PING"}]})", "name", "missing"},
    {"empty_name", R"({"name": "", "mix": [{"request": "PING"}]})", "name", "non-empty"},
    {"name_not_string", R"({"name": 5, "mix": [{"request": "PING"}]})", "name", "string"},
    {"missing_mix", R"({"name": "x"})", "mix", "missing"},
    {"empty_mix", R"({"name": "x", "mix": []})", "mix", "non-empty"},
    {"mix_not_array", R"({"name": "x", "mix": {"request": "PING"}})", "mix", "array"},
    {"unknown_kind", R"({"name": "x", "mix": [{"request": "PING"}, {"request": "FETCH"}]})",
     "mix[1].request", "FETCH"},
    {"missing_kind", R"({"name": "x", "mix": [{"weight": 2}]})", "mix[0].request", "missing"},
    {"negative_cpu", R"({"name": "x", "mix": [{"request": "WORK", "cpu_us": -1}]})",
     "mix[0].cpu_us", ">= 0"},
    {"cpu_over_limit", R"({"name": "x", "mix": [{"request": "WORK", "cpu_us": 1000001}]})",
     "mix[0].cpu_us", "1000000"},
    {"io_over_limit", R"({"name": "x", "mix": [{"request": "WORK", "io_ms": 60001}]})",
     "mix[0].io_ms", "60000"},
    {"reply_over_limit", R"({"name": "x", "mix": [{"request": "WORK", "reply_bytes": 16777217}]})",
     "mix[0].reply_bytes", "16777216"},
    {"echo_over_limit", R"({"name": "x", "mix": [{"request": "ECHO", "bytes": 5000}]})",
     "mix[0].bytes", "4000"},
    {"huge_number", R"({"name": "x", "mix": [{"request": "ECHO", "bytes": 18446744073709551615}]})",
     "mix[0].bytes", "4000"},
    {"fraction",
     R"({"name": "x", "mix": [{"request": "PING"}, {"request": "PING", "weight": 1.5}]})",
     "mix[1].weight", "whole number"},
    {"number_as_string", R"({"name": "x", "mix": [{"request": "ECHO", "bytes": "10"}]})",
     "mix[0].bytes", "whole number"},
    {"zero_weight", R"({"name": "x", "mix": [{"request": "PING", "weight": 0}]})", "mix[0].weight",
     "at least 1"},
    {"zero_keys", R"({"name": "x", "mix": [{"request": "INCR", "keys": 0}]})", "mix[0].keys",
     "at least 1"},
    {"too_many_keys", R"({"name": "x", "mix": [{"request": "INCR", "keys": 1025}]})", "mix[0].keys",
     "1024"},
    {"negative_requests_per_connection",
     R"({"name": "x", "mix": [{"request": "PING"}], "requests_per_connection": -5})",
     "requests_per_connection", ">= 0"},
    {"unknown_top_field", R"({"name": "x", "mix": [{"request": "PING"}], "colour": "red"})",
     "colour", "not a known field"},
    {"unknown_request_field", R"({"name": "x", "mix": [{"request": "PING", "bytes": 3}]})",
     "mix[0].bytes", "not a known field"},
    {"unknown_slow_field",
     R"({"name": "x", "mix": [{"request": "PING"}], "slow_client": {"speed": 1}})",
     "slow_client.speed", "not a known field"},
    {"bad_duration", R"({"name": "x", "mix": [{"request": "PING"}], "think_time": "5 parsecs"})",
     "think_time", "Nms"},
    {"fractional_duration", R"({"name": "x", "mix": [{"request": "PING"}], "think_time": "1.5s"})",
     "think_time", "Nms"},
    {"duration_over_a_day",
     R"({"name": "x", "mix": [{"request": "PING"}], "request_timeout": "1441m"})",
     "request_timeout", "day"},
    {"duration_as_number", R"({"name": "x", "mix": [{"request": "PING"}], "think_time": 20})",
     "think_time", "duration"},
    {"zero_request_timeout",
     R"({"name": "x", "mix": [{"request": "PING"}], "request_timeout": "0ms"})", "request_timeout",
     "more than 0"},
    {"bad_slow_pause",
     R"({"name": "x", "mix": [{"request": "PING"}], "slow_client": {"read_pause": "soon"}})",
     "slow_client.read_pause", "Nms"},
    {"share_over_100",
     R"({"name": "x", "mix": [{"request": "PING"}], "slow_client": {"share_pct": 101}})",
     "slow_client.share_pct", "100"},
    {"idle_not_object", R"({"name": "x", "mix": [{"request": "PING"}], "idle_clients": 99})",
     "idle_clients", "object"},
    {"idle_unknown_field",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "idle_clients": {"think_time": "5s", "share": 99}})",
     "idle_clients.share", "not a known field"},
    {"idle_without_think_time",
     R"({"name": "x", "mix": [{"request": "PING"}], "idle_clients": {"share_pct": 99}})",
     "idle_clients.think_time", "missing"},
    {"idle_zero_think_time",
     R"({"name": "x", "mix": [{"request": "PING"}], "idle_clients": {"think_time": "0s"}})",
     "idle_clients.think_time", "more than 0"},
    {"idle_share_over_100",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "idle_clients": {"think_time": "5s", "share_pct": 101}})",
     "idle_clients.share_pct", "100"},
    {"pace_not_object",
     R"({"name": "x", "mix": [{"request": "PING"}], "connect_pace": [500, "100ms"]})",
     "connect_pace", "object"},
    {"pace_unknown_field",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "connect_pace": {"group": 500, "every": "100ms", "jitter": "1ms"}})",
     "connect_pace.jitter", "not a known field"},
    {"pace_without_group",
     R"({"name": "x", "mix": [{"request": "PING"}], "connect_pace": {"every": "100ms"}})",
     "connect_pace.group", "missing"},
    {"pace_zero_group",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "connect_pace": {"group": 0, "every": "100ms"}})",
     "connect_pace.group", "at least 1"},
    {"pace_group_over_limit",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "connect_pace": {"group": 100001, "every": "100ms"}})",
     "connect_pace.group", "100000"},
    {"pace_without_every",
     R"({"name": "x", "mix": [{"request": "PING"}], "connect_pace": {"group": 500}})",
     "connect_pace.every", "missing"},
    {"pace_zero_every",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "connect_pace": {"group": 500, "every": "0ms"}})",
     "connect_pace.every", "more than 0"},
    {"pace_every_over_a_minute",
     R"({"name": "x", "mix": [{"request": "PING"}],
         "connect_pace": {"group": 500, "every": "61s"}})",
     "connect_pace.every", "1m"},
    {"pace_every_as_number",
     R"({"name": "x", "mix": [{"request": "PING"}], "connect_pace": {"group": 5, "every": 1}})",
     "connect_pace.every", "duration"},
    {"query_ms_over_limit", R"({"name": "x", "mix": [{"request": "QUERY", "ms": 10001}]})",
     "mix[0].ms", "10000"},
    {"query_rows_over_limit", R"({"name": "x", "mix": [{"request": "QUERY", "rows": 1001}]})",
     "mix[0].rows", "1000"},
    {"query_unknown_field", R"({"name": "x", "mix": [{"request": "QUERY", "keys": 4}]})",
     "mix[0].keys", "not a known field"},
    {"wait_timeout_over_limit",
     R"({"name": "x", "mix": [{"request": "WAIT", "timeout_ms": 60001}],
         "request_timeout": "2m"})",
     "mix[0].timeout_ms", "60000"},
    {"wait_zero_keys", R"({"name": "x", "mix": [{"request": "WAIT", "keys": 0}]})", "mix[0].keys",
     "at least 1"},
    {"post_too_many_keys", R"({"name": "x", "mix": [{"request": "POST", "keys": 1025}]})",
     "mix[0].keys", "1024"},
    {"post_unknown_field", R"({"name": "x", "mix": [{"request": "POST", "value": "v"}]})",
     "mix[0].value", "not a known field"},
    {"wait_outlasts_request_timeout",
     R"({"name": "x", "mix": [{"request": "PING"}, {"request": "WAIT", "timeout_ms": 2000}],
         "request_timeout": "2s"})",
     "request_timeout", "mix[1].timeout_ms"},
    {"query_outlasts_request_timeout",
     R"({"name": "x", "mix": [{"request": "QUERY", "ms": 5000}], "request_timeout": "1s"})",
     "request_timeout", "mix[0].ms"},
    {"top_level_array", R"([{"name": "x"}])", "top level", "object"},
    {"not_json", R"({"name": "x", "mix": [{"request": "PING"})", "", "JSON"},
    {"empty_file", "", "", "JSON"},
};

INSTANTIATE_TEST_SUITE_P(Bad, WorkloadErrors, testing::ValuesIn(kBadWorkloads),
                         [](const testing::TestParamInfo<BadWorkload>& param_info) {
                             return std::string(param_info.param.label);
                         });

// ---------------------------------------------------------------------------------------
// The results file
// ---------------------------------------------------------------------------------------

json sample_document(std::size_t runs) {
    json doc = {{"schema_version", lab::kSchemaVersion},
                {"tool", lab::tool_info()},
                {"machine", lab::machine_info()},
                {"config", {{"models", {"threads", "select"}}, {"duration_s", 1.5}}},
                {"runs", json::array()}};
    for (std::size_t i = 0; i < runs; ++i) {
        doc["runs"].push_back({{"model", i % 2 ? "threads" : "select"},
                               {"connections", i},
                               {"rate_rps", nullptr},
                               {"client",
                                {{"requests", std::uint64_t{18'446'744'073'709'551'615u}},
                                 {"throughput_rps", 1234.5678 + static_cast<double>(i)},
                                 {"note", "µs — \"quoted\"\n"},
                                 {"histogram", {{1023, 5}, {2047, i}}}}}});
    }
    return doc;
}

TEST(Results, RoundTripLeavesNoTemporaryFile) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("sweep.json");
    json doc = sample_document(3);
    std::string error;
    ASSERT_TRUE(lab::write_results(path, doc, error)) << error;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"sweep.json"});
    auto back = lab::read_results(path, error);
    ASSERT_TRUE(back.has_value()) << error;
    EXPECT_EQ(*back, doc);
    // Overwriting goes through a temporary name too, and leaves none behind.
    json second = sample_document(1);
    ASSERT_TRUE(lab::write_results(path, second, error)) << error;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"sweep.json"});
    back = lab::read_results(path, error);
    ASSERT_TRUE(back.has_value()) << error;
    EXPECT_EQ(*back, second);
}

TEST(Results, ToolAndMachineHaveTheirFields) {
    json tool = lab::tool_info();
    EXPECT_EQ(tool.value("name", ""), "lab-harness");
    for (const char* key : {"version", "git_revision", "build_type", "sanitizers"}) {
        ASSERT_TRUE(tool.contains(key)) << key;
        EXPECT_TRUE(tool[key].is_string()) << key;
    }
    ASSERT_TRUE(tool.contains("sanitized"));
    EXPECT_EQ(tool["sanitized"].get<bool>(), !tool["sanitizers"].get<std::string>().empty());
    json machine = lab::machine_info();
    for (const char* key : {"hostname", "kernel", "cpu_model", "cores", "rlimit_nofile",
                            "perf_event_paranoid", "harness_cpu_affinity"}) {
        EXPECT_TRUE(machine.contains(key)) << key;
    }
    EXPECT_GE(machine.value("cores", 0), 1);
    EXPECT_FALSE(machine.value("harness_cpu_affinity", "").empty());
    EXPECT_EQ(lab::cpu_affinity(getpid()), machine.value("harness_cpu_affinity", ""));
    EXPECT_FALSE(machine.value("hostname", "").empty());
}

TEST(Results, TimestampIsIso8601Utc) {
    std::string when = lab::utc_timestamp();
    ASSERT_EQ(when.size(), 20u) << when;
    EXPECT_EQ(when[4], '-');
    EXPECT_EQ(when[10], 'T');
    EXPECT_EQ(when.back(), 'Z');
    EXPECT_GE(when.substr(0, 4), "2024");
}

// A reader that opens the file while it is being rewritten sees the old document or the
// new one, never part of one: the writer writes a temporary file and renames it.
TEST(Results, AReaderNeverSeesHalfAFile) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("live.json");
    json small = sample_document(1);
    json large = sample_document(3000);  // a few hundred kB: writing it takes a while
    std::string error;
    ASSERT_TRUE(lab::write_results(path, small, error)) << error;

    std::atomic<bool> done{false};
    std::atomic<int> write_failures{0};
    std::thread writer([&] {
        std::string werror;
        for (int i = 0; i < 20; ++i) {
            if (!lab::write_results(path, i % 2 ? small : large, werror)) ++write_failures;
        }
        done = true;
    });
    int reads = 0;
    int bad = 0;
    std::string first_bad;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        json doc = json::parse(text.str(), nullptr, false);
        ++reads;
        if (doc.is_discarded() || (doc != small && doc != large)) {
            if (bad++ == 0) first_bad = text.str().substr(0, 200);
        }
    }
    writer.join();
    EXPECT_EQ(write_failures.load(), 0);
    EXPECT_GT(reads, 0);
    EXPECT_EQ(bad, 0) << bad << " of " << reads << " reads saw half a file, e.g.: " << first_bad;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"live.json"});
}

TEST(Results, WriteIntoAMissingDirectoryFailsCleanly) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("no/such/dir/out.json");
    std::string error;
    EXPECT_FALSE(lab::write_results(path, sample_document(1), error));
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(dir.entries(), std::vector<std::string>{});
}

TEST(Results, RefusesAnUnknownOrMissingSchemaVersion) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string error;

    json v2 = sample_document(1);
    v2["schema_version"] = 2;
    write_file(dir.file("v2.json"), v2.dump());
    EXPECT_FALSE(lab::read_results(dir.file("v2.json"), error).has_value());
    EXPECT_NE(error.find("schema_version"), std::string::npos) << error;
    EXPECT_NE(error.find('2'), std::string::npos) << error;
    EXPECT_NE(error.find(dir.file("v2.json")), std::string::npos) << error;

    json none = sample_document(1);
    none.erase("schema_version");
    write_file(dir.file("none.json"), none.dump());
    error.clear();
    EXPECT_FALSE(lab::read_results(dir.file("none.json"), error).has_value());
    EXPECT_NE(error.find("schema_version"), std::string::npos) << error;

    json as_string = sample_document(1);
    as_string["schema_version"] = "1";
    write_file(dir.file("string.json"), as_string.dump());
    error.clear();
    EXPECT_FALSE(lab::read_results(dir.file("string.json"), error).has_value());
    EXPECT_NE(error.find("schema_version"), std::string::npos) << error;

    json v0 = sample_document(1);
    v0["schema_version"] = 0;
    write_file(dir.file("v0.json"), v0.dump());
    error.clear();
    EXPECT_FALSE(lab::read_results(dir.file("v0.json"), error).has_value());

    write_file(dir.file("bad.json"), "{\"schema_version\": 1, ");
    error.clear();
    EXPECT_FALSE(lab::read_results(dir.file("bad.json"), error).has_value());
    EXPECT_NE(error.find(dir.file("bad.json")), std::string::npos) << error;

    error.clear();
    EXPECT_FALSE(lab::read_results(dir.file("missing.json"), error).has_value());
    EXPECT_NE(error.find(dir.file("missing.json")), std::string::npos) << error;
}

// ---------------------------------------------------------------------------------------
// Jain's fairness index
// ---------------------------------------------------------------------------------------

TEST(JainFairness, EqualOneAndEmpty) {
    EXPECT_DOUBLE_EQ(lab::jain_fairness({7, 7, 7, 7}), 1.0);
    EXPECT_DOUBLE_EQ(lab::jain_fairness({1}), 1.0);
    EXPECT_DOUBLE_EQ(lab::jain_fairness({0, 0, 9, 0}), 0.25);
    EXPECT_DOUBLE_EQ(lab::jain_fairness({0, 5}), 0.5);
    std::vector<std::uint64_t> one_of_ten(10, 0);
    one_of_ten[3] = 1000;
    EXPECT_NEAR(lab::jain_fairness(one_of_ten), 0.1, 1e-12);
    EXPECT_DOUBLE_EQ(lab::jain_fairness({}), 1.0);
    EXPECT_NEAR(lab::jain_fairness({1, 3}), 0.8, 1e-12);  // 16 / (2 * 10)
    double skewed = lab::jain_fairness({10, 10, 10, 1});
    EXPECT_GT(skewed, 0.25);
    EXPECT_LT(skewed, 1.0);
}

// ---------------------------------------------------------------------------------------
// The engine against a real lab-server
// ---------------------------------------------------------------------------------------

lab::Workload make_workload(lab::RequestSpec spec, std::uint64_t requests_per_connection = 0) {
    lab::Workload w;
    w.name = "test";
    w.mix.push_back(spec);
    w.requests_per_connection = requests_per_connection;
    return w;
}

lab::RequestSpec ping() {
    return lab::RequestSpec{};
}

lab::RequestSpec work(std::uint64_t cpu_us, std::uint64_t io_ms, std::uint64_t reply_bytes) {
    lab::RequestSpec s;
    s.kind = lab::RequestSpec::Kind::Work;
    s.cpu_us = cpu_us;
    s.io_ms = io_ms;
    s.reply_bytes = reply_bytes;
    return s;
}

lab::RequestSpec query_of(std::uint64_t ms, std::uint64_t rows) {
    lab::RequestSpec s;
    s.kind = lab::RequestSpec::Kind::Query;
    s.query_ms = ms;
    s.rows = rows;
    return s;
}

lab::RequestSpec wait_of(std::uint64_t keys, std::uint64_t timeout_ms) {
    lab::RequestSpec s;
    s.kind = lab::RequestSpec::Kind::Wait;
    s.keys = keys;
    s.timeout_ms = timeout_ms;
    return s;
}

lab::RequestSpec post_of(std::uint64_t keys) {
    lab::RequestSpec s;
    s.kind = lab::RequestSpec::Kind::Post;
    s.keys = keys;
    return s;
}

// A lab-server for one test, stopped (and checked) at the end. SpawnedServer::start must
// run on the main thread (PR_SET_PDEATHSIG), which is where gtest runs tests.
class EngineTest : public testing::Test {
  protected:
    void start(const std::string& model, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--model", model, "--port", "0"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::string error;
        auto started = lab::SpawnedServer::start(LAB_SERVER_PATH, args, error);
        ASSERT_TRUE(started.has_value()) << error;
        server_.emplace(std::move(*started));
        ASSERT_GT(server_->port(), 0);
    }
    lab::EngineConfig config(lab::Workload w, std::uint64_t connections, std::uint64_t warmup_ns,
                             std::uint64_t duration_ns) const {
        lab::EngineConfig c;
        c.host = server_->host();
        c.port = server_->port();
        c.workload = std::move(w);
        c.connections = connections;
        c.warmup_ns = warmup_ns;
        c.duration_ns = duration_ns;
        return c;
    }
    lab::EngineResult run(const lab::EngineConfig& c) {
        lab::EngineHooks hooks;
        hooks.window_start = [this] { ++window_starts_; };
        hooks.window_end = [this] { ++window_ends_; };
        hooks.progress = [this](const lab::Progress& p) { progress_.push_back(p); };
        return lab::run_engine(c, hooks, interrupted_);
    }
    // Stops the server and expects that it exits cleanly (status 0 after SIGTERM).
    void stop_cleanly() {
        ASSERT_TRUE(server_.has_value());
        lab::ServerExit exit = server_->stop();
        EXPECT_TRUE(exit.exited_cleanly) << "status " << exit.status << ": " << exit.stderr_text;
    }
    void TearDown() override {
        if (server_) server_->stop(2000);
    }

    std::optional<lab::SpawnedServer> server_;
    std::atomic<bool> interrupted_{false};
    int window_starts_ = 0;
    int window_ends_ = 0;
    std::vector<lab::Progress> progress_;
};

// The latency percentiles are ordered and every request is somebody's.
void expect_consistent(const lab::EngineResult& r, std::uint64_t connections) {
    const lab::Histogram& h = r.latency;
    EXPECT_LE(h.percentile(50), h.percentile(90));
    EXPECT_LE(h.percentile(90), h.percentile(99));
    EXPECT_LE(h.percentile(99), h.percentile(99.9));
    EXPECT_LE(h.percentile(99.9), h.max());
    EXPECT_LE(h.min(), h.percentile(50));
    EXPECT_GT(h.percentile(50), 0u);
    // Every recorded request is counted once: answered in the window, or unfinished at its end.
    EXPECT_EQ(h.count(), r.requests + r.unfinished);
    EXPECT_LE(r.unfinished, connections) << "closed loop: at most one in flight per connection";
    ASSERT_EQ(r.per_connection_requests.size(), connections);
    EXPECT_EQ(std::accumulate(r.per_connection_requests.begin(), r.per_connection_requests.end(),
                              std::uint64_t{0}),
              r.requests);
}

TEST_F(EngineTest, ClosedLoopPing_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads"));
    lab::EngineConfig c = config(make_workload(ping()), 4, 200 * kMs, 1 * kSec);
    lab::EngineResult r = run(c);
    EXPECT_GT(r.requests, 50u);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 4);
    for (std::uint64_t n : r.per_connection_requests)
        EXPECT_GT(n, 0u) << "threads serves every connection at once";
    EXPECT_GT(lab::jain_fairness(r.per_connection_requests), 0.5);
    EXPECT_EQ(r.latency_uncorrected.count(), 0u) << "uncorrected latency is for the open loop";
    EXPECT_EQ(r.window_ns, c.duration_ns);
    EXPECT_GT(r.harness_cpu_ns, 0u);
    // One engine thread: it cannot use much more CPU than the window's wall time.
    EXPECT_LT(r.harness_cpu_ns, r.window_ns + 300 * kMs);
    EXPECT_EQ(window_starts_, 1);
    EXPECT_EQ(window_ends_, 1);
    ASSERT_FALSE(progress_.empty()) << "a progress call about once a second";
    EXPECT_LE(progress_.back().requests, r.requests);
    stop_cleanly();
}

TEST_F(EngineTest, ClosedLoopPing_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::EngineResult r = run(config(make_workload(ping()), 4, 200 * kMs, 1 * kSec));
    EXPECT_GT(r.requests, 50u);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 4);
    for (std::uint64_t n : r.per_connection_requests)
        EXPECT_GT(n, 0u);
    stop_cleanly();
}

TEST_F(EngineTest, ReconnectsAfterRequestsPerConnection_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::EngineResult r = run(config(make_workload(ping(), 5), 4, 100 * kMs, 1 * kSec));
    EXPECT_GT(r.requests, 40u);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 4);
    // One connect per five requests (connects are recorded when they complete in the window).
    std::uint64_t connects = r.connect.count();
    EXPECT_GE(connects + 8, r.requests / 5) << connects << " connects, " << r.requests;
    EXPECT_LE(connects, r.requests / 5 + 8) << connects << " connects, " << r.requests;
    EXPECT_LE(r.connect.percentile(50), r.connect.percentile(99));
    stop_cleanly();
}

// With a finite number of requests per connection, the sequential server serves every
// client in turn: nobody starves, nobody times out.
TEST_F(EngineTest, ServesEveryClientInTurn_sequential) {
    ASSERT_NO_FATAL_FAILURE(start("sequential"));
    lab::EngineResult r = run(config(make_workload(ping(), 5), 4, 100 * kMs, 1 * kSec));
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 4);
    for (std::uint64_t n : r.per_connection_requests)
        EXPECT_GE(n, 5u) << "a sequential client starved";
    stop_cleanly();
}

TEST_F(EngineTest, ChecksWorkBodiesAndIncrValues_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads"));
    lab::Workload w = make_workload(work(0, 0, 100'000), 3);
    lab::RequestSpec incr;
    incr.kind = lab::RequestSpec::Kind::Incr;
    incr.keys = 3;
    w.mix.push_back(incr);
    lab::RequestSpec echo;
    echo.kind = lab::RequestSpec::Kind::Echo;
    echo.echo_bytes = 4000;
    w.mix.push_back(echo);
    lab::EngineResult r = run(config(w, 3, 100 * kMs, 700 * kMs));
    EXPECT_GT(r.requests, 10u);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 3);
    stop_cleanly();
}

// WAIT and POST against a real server: every WAIT's value must be one that a POST to its key
// sent (c<slot>), every POST's reply a count of waiters; a WAIT that no POST ends in time is
// ERR 408, counted as wait_timeout and nothing else.
TEST_F(EngineTest, ChecksWaitValuesAndPostCounts_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads"));
    lab::Workload w = make_workload(wait_of(2, 300), 10);
    w.mix.push_back(post_of(2));
    lab::EngineResult r = run(config(w, 6, 100 * kMs, 1 * kSec));
    EXPECT_GT(r.requests, 20u);
    EXPECT_EQ(r.errors.total(), r.errors.wait_timeout) << r.first_wrong_reply;
    stop_cleanly();
}

// A WAIT that nobody POSTs to: ERR 408 after its timeout, on a connection both sides keep.
TEST_F(EngineTest, AWaitNobodyEndsIsAWaitTimeoutOnAKeptConnection_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::EngineResult r = run(config(make_workload(wait_of(1, 50)), 2, 0, 600 * kMs));
    EXPECT_GE(r.errors.wait_timeout, 8u) << "two connections, one WAIT each 50 ms";
    EXPECT_EQ(r.errors.total(), r.errors.wait_timeout) << r.first_wrong_reply;
    EXPECT_EQ(r.requests, 0u) << "an ERR is not a request";
    EXPECT_LE(r.connect.count(), 2u) << "no reconnects";
    stop_cleanly();
}

// Without a database every QUERY is ERR 503 backend unavailable: a kept error, after which
// the connection backs off (10 ms doubling) before its next QUERY.
TEST_F(EngineTest, QueryWithoutADatabaseIsBackendUnavailable_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads", {"--db", ""}));
    lab::EngineResult r = run(config(make_workload(query_of(1, 0)), 2, 0, 700 * kMs));
    EXPECT_GE(r.errors.backend_unavailable, 4u);
    EXPECT_LE(r.errors.backend_unavailable, 2u * 8) << "a back-off between them";
    EXPECT_EQ(r.errors.total(), r.errors.backend_unavailable) << r.first_wrong_reply;
    EXPECT_LE(r.connect.count(), 2u) << "no reconnects";
    stop_cleanly();
}

// Slow clients write their requests in pieces and read their replies in pieces, pausing
// between them. While a client pauses it must not be woken by its socket (no EPOLLOUT in a
// write pause, no EPOLLIN in a read pause): the engine then sleeps, and the pauses are kept.
TEST_F(EngineTest, SlowClientsKeepTheirPausesAndLetTheEngineSleep_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads"));
    lab::Workload w = make_workload(work(0, 0, 1024));
    lab::SlowClient slow;
    slow.write_chunk_bytes = 4;  // "WORK 0 0 1024\n": 4 pieces, 3 pauses
    slow.write_pause_ns = 10 * kMs;
    slow.read_chunk_bytes = 256;  // "OK 1024\n" and 1024 bytes: 5 pieces, 4 pauses
    slow.read_pause_ns = 10 * kMs;
    w.slow = slow;
    lab::EngineConfig c = config(w, 2, 0, 1 * kSec);
    lab::EngineResult r = run(c);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 2);
    // At least 70 ms of pauses per request: at most 15 requests a connection in a second.
    EXPECT_GE(r.requests, 4u);
    EXPECT_LE(r.requests, 2u * 16) << "a slow client did not keep its pauses";
    EXPECT_GE(r.latency.percentile(50), 70 * kMs);
    // An engine woken again and again by a socket it does not read would spin at 100%.
    EXPECT_LT(r.harness_cpu_ns, r.window_ns / 4) << "the engine spun through the pauses";
    stop_cleanly();
}

// Think time: a closed-loop client waits after each reply before its next request.
TEST_F(EngineTest, ThinkTimeSpacesTheRequests_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::Workload w = make_workload(ping());
    w.think_time_ns = 20 * kMs;
    lab::EngineResult r = run(config(w, 2, 0, 1 * kSec));
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    expect_consistent(r, 2);
    EXPECT_GE(r.requests, 10u);
    EXPECT_LE(r.requests, 2u * 51) << "requests closer together than the think time";
    // Latency counts from the send, not from the start of the think time.
    EXPECT_LT(r.latency.percentile(50), 20 * kMs);
    EXPECT_LT(r.harness_cpu_ns, r.window_ns / 4) << "the engine spun through the think time";
    stop_cleanly();
}

TEST_F(EngineTest, CountsRefusalsOverMaxClients_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads", {"--max-clients", "2"}));
    lab::EngineResult r = run(config(make_workload(ping()), 4, 0, 1 * kSec));
    EXPECT_GT(r.errors.refused, 0u);
    EXPECT_EQ(r.errors.wrong_reply, 0u) << r.first_wrong_reply;
    EXPECT_EQ(r.errors.server_err, 0u);
    EXPECT_GT(r.requests, 0u) << "two clients are served";
    // Refused connects back off (10 ms doubling to 1 s): two refused clients cannot
    // storm the server with hundreds of attempts a second.
    EXPECT_LT(r.errors.refused, 60u);
    stop_cleanly();
}

// A client refused at once (ERR 503 over --max-clients) while it has no request in flight
// yet (an idle client's first pause) is a refusal, not a wrong reply.
TEST_F(EngineTest, CountsRefusalsOfIdleClients_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads", {"--max-clients", "2"}));
    lab::Workload w = make_workload(ping());
    w.idle = lab::IdleClients{100, 5 * kSec};
    lab::EngineResult r = run(config(w, 6, 0, 1 * kSec));
    EXPECT_GT(r.errors.refused, 0u);
    EXPECT_EQ(r.errors.wrong_reply, 0u) << r.first_wrong_reply;
    EXPECT_EQ(r.errors.server_err, 0u);
    EXPECT_EQ(r.idle_connections, 6u);
    EXPECT_EQ(r.idle_requests, r.requests);
    stop_cleanly();
}

// A think time longer than the server's --idle-timeout: the server says ERR 408 and closes
// the connection while it thinks. No request's error and no wrong reply: the connection
// reconnects and goes on.
TEST_F(EngineTest, ServerIdleTimeoutWhileThinkingReconnectsQuietly_threads) {
    ASSERT_NO_FATAL_FAILURE(start("threads", {"--idle-timeout", "1"}));
    lab::Workload w = make_workload(ping());
    w.think_time_ns = 1500 * kMs;
    lab::EngineResult r = run(config(w, 2, 0, 3500 * kMs));
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    EXPECT_GE(r.requests, 4u) << "a request on every reconnect";
    EXPECT_GE(r.connect.count(), 2u) << "the server's idle closes were followed by reconnects";
    stop_cleanly();
}

TEST_F(EngineTest, CountsRequestTimeouts_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::Workload w = make_workload(work(0, 2000, 1));
    w.request_timeout_ns = 150 * kMs;
    lab::EngineResult r = run(config(w, 2, 0, 1 * kSec));
    EXPECT_GT(r.errors.timeout, 0u);
    EXPECT_EQ(r.errors.wrong_reply, 0u) << r.first_wrong_reply;
    EXPECT_EQ(r.requests, 0u);
    stop_cleanly();
}

// Open loop at 200 requests/s on a healthy server: it keeps the schedule.
TEST_F(EngineTest, OpenLoopKeepsItsRate_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::EngineConfig c = config(make_workload(ping()), 4, 0, 2 * kSec);
    c.rate_rps = 200;
    lab::EngineResult r = run(c);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    EXPECT_GE(r.requests, 300u);
    EXPECT_LE(r.requests, 402u) << "the open loop must not send faster than its rate";
    EXPECT_GE(r.latency.count(), r.latency_uncorrected.count());
    EXPECT_GT(r.latency_uncorrected.count(), 0u);
    EXPECT_EQ(std::accumulate(r.per_connection_requests.begin(), r.per_connection_requests.end(),
                              std::uint64_t{0}),
              r.requests);
    stop_cleanly();
}

// A request's latency from its actual send can never exceed its latency from its scheduled
// time, nor the run itself. (The run is repeated a few times: what goes wrong happens to the
// requests sent in the engine's last loop iteration, after the window has ended.)
TEST_F(EngineTest, OpenLoopUncorrectedLatencyStaysBelowCorrected_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    for (int attempt = 0; attempt < 3; ++attempt) {
        lab::EngineConfig c = config(make_workload(ping()), 4, 0, 500 * kMs);
        c.rate_rps = 400;
        lab::EngineResult r = run(c);
        EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
        EXPECT_LE(r.latency_uncorrected.max(), r.latency.max()) << "attempt " << attempt;
        EXPECT_LE(r.latency_uncorrected.max(), c.duration_ns)
            << "attempt " << attempt << ": an uncorrected latency longer than the run";
        EXPECT_LE(r.latency.max(), c.duration_ns) << "attempt " << attempt;
    }
    stop_cleanly();
}

// Sends SIGCONT on destruction, so a test that stops a server never leaves it stopped.
struct ContinueOnExit {
    pid_t pid;
    ~ContinueOnExit() { kill(pid, SIGCONT); }
};

// Coordinated omission: the server stops for a second in the middle of an open-loop run.
// Latency counted from the schedule shows the stall in its p99; latency counted from the
// actual send hides it (the requests due during the stall were not sent until it ended).
TEST_F(EngineTest, OpenLoopCorrectedLatencyShowsAStall_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::EngineConfig c = config(make_workload(ping()), 4, 0, 3 * kSec);
    c.rate_rps = 200;
    pid_t pid = server_->pid();
    ContinueOnExit guard{pid};
    std::atomic<bool> stopped{false};
    std::atomic<bool> continued{false};
    std::thread staller([&] {
        std::this_thread::sleep_for(1s);
        stopped = kill(pid, SIGSTOP) == 0;
        std::this_thread::sleep_for(1s);
        continued = kill(pid, SIGCONT) == 0;
    });
    lab::EngineResult r = run(c);
    staller.join();
    ASSERT_TRUE(stopped.load());
    ASSERT_TRUE(continued.load());

    std::uint64_t corrected_p99 = r.latency.percentile(99);
    std::uint64_t uncorrected_p99 = r.latency_uncorrected.percentile(99);
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    // Every request the schedule owed in the window is in the corrected histogram.
    EXPECT_GE(r.latency.count(), 500u);
    EXPECT_LE(r.latency.count(), 610u);
    EXPECT_GE(corrected_p99, 300 * kMs) << "the stall is missing from the corrected p99";
    EXPECT_GE(corrected_p99, 3 * uncorrected_p99)
        << "corrected p99 " << corrected_p99 << " ns, uncorrected p99 " << uncorrected_p99 << " ns";
    // The requests stuck in the stopped server (at most one per connection) saw it too.
    EXPECT_GE(r.latency_uncorrected.max(), 300 * kMs);
    std::cerr << "[ stall    ] corrected p99 " << static_cast<double>(corrected_p99) / 1e6
              << " ms, uncorrected p99 " << static_cast<double>(uncorrected_p99) / 1e6 << " ms\n";
    stop_cleanly();
}

TEST_F(EngineTest, StopsEarlyWhenInterrupted_select) {
    ASSERT_NO_FATAL_FAILURE(start("select"));
    lab::EngineConfig c = config(make_workload(ping()), 2, 0, 60 * kSec);
    std::thread interrupter([this] {
        std::this_thread::sleep_for(300ms);
        interrupted_ = true;
    });
    auto started = std::chrono::steady_clock::now();
    lab::EngineResult r = run(c);
    interrupter.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
    EXPECT_LT(r.window_ns, c.duration_ns);
    EXPECT_GT(r.requests, 0u);
    stop_cleanly();
}

// ---------------------------------------------------------------------------------------
// The engine against a fake server that answers wrongly
// ---------------------------------------------------------------------------------------

// A one-thread TCP server on 127.0.0.1 that answers every request line with reply(line).
class FakeServer {
  public:
    explicit FakeServer(std::function<std::string(const std::string&)> reply)
        : reply_(std::move(reply)) {
        listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof addr;
        if (listen_fd_ < 0 ||
            bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
            listen(listen_fd_, 64) != 0 ||
            getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            return;
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { loop(); });
    }
    ~FakeServer() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        for (auto& [fd, buffer] : clients_)
            close(fd);
        if (listen_fd_ >= 0) close(listen_fd_);
    }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;
    std::uint16_t port() const { return port_; }

  private:
    void loop() {
        while (!stop_) {
            std::vector<pollfd> fds;
            fds.push_back({listen_fd_, POLLIN, 0});
            for (auto& [fd, buffer] : clients_)
                fds.push_back({fd, POLLIN, 0});
            if (poll(fds.data(), fds.size(), 10) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) clients_.emplace(fd, std::string());
            }
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (fds[i].revents == 0) continue;
                int fd = fds[i].fd;
                char data[4096];
                ssize_t n = recv(fd, data, sizeof data, MSG_DONTWAIT);
                if (n <= 0) {
                    close(fd);
                    clients_.erase(fd);
                    continue;
                }
                std::string& buffer = clients_[fd];
                buffer.append(data, static_cast<std::size_t>(n));
                std::size_t lf = 0;
                while ((lf = buffer.find('\n')) != std::string::npos) {
                    std::string out = reply_(buffer.substr(0, lf));
                    buffer.erase(0, lf + 1);
                    send(fd, out.data(), out.size(), MSG_NOSIGNAL);
                }
            }
        }
    }

    std::function<std::string(const std::string&)> reply_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::map<int, std::string> clients_;  // used by the server's thread only
};

struct WrongServer {
    const char* label;
    lab::RequestSpec request;
    std::function<std::string(const std::string&)> reply;
    std::uint64_t lab::ErrorCounts::*kind;
    const char* message;  // in first_wrong_reply ("" when the kind is not wrong_reply)
    std::uint64_t think_time_ns = 0;
    bool http = false;  // the engine speaks HTTP (--protocol http)
};

// A FakeServer reply for HTTP: `reply` once the request's head is complete (its blank line;
// the fake server hands over lines without their LF), nothing for the lines before it.
std::function<std::string(const std::string&)> http_answer(std::string reply) {
    return [reply](const std::string& line) { return line == "\r" ? reply : std::string(); };
}

lab::RequestSpec echo_of(std::uint64_t bytes) {
    lab::RequestSpec s;
    s.kind = lab::RequestSpec::Kind::Echo;
    s.echo_bytes = bytes;
    return s;
}

lab::RequestSpec incr_of(std::uint64_t keys) {
    lab::RequestSpec s;
    s.kind = lab::RequestSpec::Kind::Incr;
    s.keys = keys;
    return s;
}

// QUERY's rows as harness/db/schema.sql makes them: row i is i as six digits, a space, 92
// times the letter 'a' + i % 26, and a LF.
std::string lab_rows(std::uint64_t rows) {
    std::string out;
    for (std::uint64_t i = 1; i <= rows; ++i) {
        std::string number = std::to_string(i);
        out += std::string(6 - number.size(), '0') + number + " ";
        out += std::string(92, static_cast<char>('a' + i % 26));
        out += "\n";
    }
    return out;
}

std::vector<WrongServer> wrong_servers() {
    std::string row_two_wrong = lab_rows(2);
    row_two_wrong[100 + 50] = 'z';  // row 2, byte 50: 'c' is right
    return {
        {"PingAnsweredWrongly", ping(), [](const std::string&) { return "OK PANG\n"; },
         &lab::ErrorCounts::wrong_reply, "PANG"},
        {"EchoAnsweredWrongly", echo_of(10), [](const std::string&) { return "OK ABCDEFGHIX\n"; },
         &lab::ErrorCounts::wrong_reply, "ABCDEFGHIX"},
        {"WorkLengthWrong", work(0, 0, 10), [](const std::string&) { return "OK 11\n"; },
         &lab::ErrorCounts::wrong_reply, "OK 11"},
        {"WorkBodyWrong", work(0, 0, 10), [](const std::string&) { return "OK 10\nabcdefghiX"; },
         &lab::ErrorCounts::wrong_reply, "byte 9"},
        {"IncrNotIncreasing", incr_of(1), [](const std::string&) { return "OK 1\n"; },
         &lab::ErrorCounts::wrong_reply, "not above 1"},
        {"IncrNotANumber", incr_of(1), [](const std::string&) { return "OK x\n"; },
         &lab::ErrorCounts::wrong_reply, "OK x"},
        // A reply line nobody asked for: while the client thinks, and (closed loop, no think
        // time) right behind the reply, before the client has sent its next request.
        {"ExtraLineWhileThinking", ping(), [](const std::string&) { return "OK PONG\nOK PONG\n"; },
         &lab::ErrorCounts::wrong_reply, "no request in flight", 30 * kMs},
        {"ExtraLineRightBehindTheReply", ping(),
         [](const std::string&) { return "OK PONG\nOK PONG\n"; }, &lab::ErrorCounts::wrong_reply,
         "no request in flight"},
        {"LineTooLong", ping(), [](const std::string&) { return std::string(5000, 'x'); },
         &lab::ErrorCounts::wrong_reply, "4096"},
        {"ServerError", ping(), [](const std::string&) { return "ERR 500 oops\n"; },
         &lab::ErrorCounts::server_err, ""},
        {"Refusal", ping(), [](const std::string&) { return "ERR 503 busy\n"; },
         &lab::ErrorCounts::refused, ""},
        {"HttpBodyWrong", ping(), http_answer("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nPONX"),
         &lab::ErrorCounts::wrong_reply, "PONX", 0, true},
        {"HttpLengthNotANumber", ping(),
         http_answer("HTTP/1.1 200 OK\r\nContent-Length: 4x\r\n\r\nPONG"),
         &lab::ErrorCounts::wrong_reply, "without a Content-Length", 0, true},
        {"HttpNoStatusLine", ping(), http_answer("OK PONG\r\n\r\n"), &lab::ErrorCounts::wrong_reply,
         "not an HTTP status line", 0, true},
        {"HttpWorkLengthWrong", work(0, 0, 10),
         http_answer("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nabcdefghijk"),
         &lab::ErrorCounts::wrong_reply, "Content-Length 11 for a WORK of 10", 0, true},
        {"HttpServerError", ping(), http_answer("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"),
         &lab::ErrorCounts::server_err, "", 0, true},
        {"HttpRefusal", ping(), http_answer("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"),
         &lab::ErrorCounts::refused, "", 0, true},
        {"QueryCountWrong", query_of(0, 2),
         [](const std::string&) { return "OK 3\n" + lab_rows(3); }, &lab::ErrorCounts::wrong_reply,
         "OK 3"},
        {"QueryRowWrong", query_of(0, 2),
         [row_two_wrong](const std::string&) { return "OK 2\n" + row_two_wrong; },
         &lab::ErrorCounts::wrong_reply, "row 2 byte 50"},
        {"WaitValueNobodyPosted", wait_of(1, 10), [](const std::string&) { return "OK c0\n"; },
         &lab::ErrorCounts::wrong_reply, "no POST to that key sent"},
        {"PostNotACount", post_of(1), [](const std::string&) { return "OK many\n"; },
         &lab::ErrorCounts::wrong_reply, "not a count"},
        // The kept errors are kept only for the request kind that gets them.
        {"BackendUnavailableToAPing", ping(),
         [](const std::string&) { return "ERR 503 backend unavailable\n"; },
         &lab::ErrorCounts::refused, ""},
        {"WaitTimeoutToAQuery", query_of(0, 0),
         [](const std::string&) { return "ERR 408 no POST before the timeout\n"; },
         &lab::ErrorCounts::server_err, ""},
        {"AnotherMessageOn503ToAQuery", query_of(0, 0),
         [](const std::string&) { return "ERR 503 server at --max-clients\n"; },
         &lab::ErrorCounts::refused, ""},
        {"BytesAfterAKeptError", wait_of(1, 10),
         [](const std::string&) { return "ERR 408 no POST before the timeout\nOK c0\n"; },
         &lab::ErrorCounts::wrong_reply, "bytes after a complete reply"},
        {"HttpQueryLengthWrong", query_of(0, 1),
         http_answer("HTTP/1.1 200 OK\r\nContent-Length: 150\r\n\r\n" + std::string(150, 'a')),
         &lab::ErrorCounts::wrong_reply, "Content-Length 150 for 1 QUERY rows", 0, true},
        {"HttpQueryRowWrong", query_of(0, 2),
         http_answer("HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + row_two_wrong),
         &lab::ErrorCounts::wrong_reply, "row 2 byte 50", 0, true},
        {"HttpKeptErrorThatCloses", query_of(0, 0),
         http_answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 19\r\n"
                     "Connection: close\r\n\r\nbackend unavailable"),
         &lab::ErrorCounts::refused, "", 0, true},
        {"HttpAnother503ToAQuery", query_of(0, 0),
         http_answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"),
         &lab::ErrorCounts::refused, "", 0, true},
    };
}

void PrintTo(const WrongServer& wrong, std::ostream* os) {
    *os << wrong.label;
}

class EngineCatches : public testing::TestWithParam<WrongServer> {};

TEST_P(EngineCatches, AWrongServer) {
    const WrongServer& p = GetParam();
    FakeServer fake(p.reply);
    ASSERT_GT(fake.port(), 0);
    lab::EngineConfig c;
    c.port = fake.port();
    c.workload = make_workload(p.request);
    c.workload.think_time_ns = p.think_time_ns;
    c.http = p.http;
    c.connections = 2;
    c.duration_ns = 300 * kMs;
    std::atomic<bool> interrupted{false};
    lab::EngineResult r = lab::run_engine(c, lab::EngineHooks{}, interrupted);
    EXPECT_GT(r.errors.*p.kind, 0u);
    EXPECT_EQ(r.errors.total(), r.errors.*p.kind) << "counted as another kind too";
    if (p.kind == &lab::ErrorCounts::wrong_reply) {
        EXPECT_NE(r.first_wrong_reply.find(p.message), std::string::npos)
            << "'" << r.first_wrong_reply << "' does not say '" << p.message << "'";
    }
    // A failed connection backs off before reconnecting: no storm of errors.
    EXPECT_LT(r.errors.total(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Fake, EngineCatches, testing::ValuesIn(wrong_servers()),
                         [](const testing::TestParamInfo<WrongServer>& param_info) {
                             return std::string(param_info.param.label);
                         });

// The replies after which the server keeps the connection, ERR 503 backend unavailable to a
// QUERY and ERR 408 no POST before the timeout to a WAIT, in either protocol: counted as their
// own kinds, and the connection goes on (no reconnect). The 503 backs off first.
struct KeptErrorCase {
    const char* label;
    lab::RequestSpec request;
    std::string reply;
    bool http;
    std::uint64_t lab::ErrorCounts::*kind;
};

class EngineKeeps : public testing::TestWithParam<KeptErrorCase> {};

TEST_P(EngineKeeps, TheConnectionAfterAKeptError) {
    const KeptErrorCase& p = GetParam();
    FakeServer fake(p.http ? http_answer(p.reply)
                           : std::function<std::string(const std::string&)>(
                                 [reply = p.reply](const std::string&) { return reply; }));
    ASSERT_GT(fake.port(), 0);
    lab::EngineConfig c;
    c.port = fake.port();
    c.workload = make_workload(p.request);
    c.http = p.http;
    c.connections = 2;
    c.duration_ns = 400 * kMs;
    std::atomic<bool> interrupted{false};
    lab::EngineResult r = lab::run_engine(c, lab::EngineHooks{}, interrupted);
    EXPECT_GE(r.errors.*p.kind, 4u);
    EXPECT_EQ(r.errors.total(), r.errors.*p.kind) << r.first_wrong_reply;
    EXPECT_EQ(r.requests, 0u);
    EXPECT_LE(r.connect.count(), 2u) << "the connections were kept";
    if (p.kind == &lab::ErrorCounts::backend_unavailable) {
        // 10, 20, 40, 80, 160 ms (+ up to half as jitter) between them: a handful a connection.
        EXPECT_LE(r.errors.*p.kind, 2u * 7) << "no back-off";
    } else {
        EXPECT_GT(r.errors.*p.kind, 2u * 7) << "a WAIT's timeout is no reason to back off";
    }
}

const KeptErrorCase kKeptErrors[] = {
    {"Labp503", query_of(0, 0), "ERR 503 backend unavailable\n", false,
     &lab::ErrorCounts::backend_unavailable},
    {"Labp408", wait_of(1, 1), "ERR 408 no POST before the timeout\n", false,
     &lab::ErrorCounts::wait_timeout},
    {"Http503", query_of(0, 0),
     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\n"
     "backend unavailable",
     true, &lab::ErrorCounts::backend_unavailable},
    {"Http408", wait_of(1, 1),
     "HTTP/1.1 408 Request Timeout\r\nContent-Length: 26\r\n\r\nno POST before the timeout", true,
     &lab::ErrorCounts::wait_timeout},
};

INSTANTIATE_TEST_SUITE_P(Fake, EngineKeeps, testing::ValuesIn(kKeptErrors),
                         [](const testing::TestParamInfo<KeptErrorCase>& param_info) {
                             return std::string(param_info.param.label);
                         });

// QUERY's rows as the lab's table has them, in both protocols, are good replies.
TEST(EngineQuery, AcceptsTheLabsRows) {
    for (bool http : {false, true}) {
        SCOPED_TRACE(http ? "HTTP/1.1" : "LABP/1");
        std::string rows = lab_rows(27);  // past 'z': row 26 is 'a' again
        FakeServer fake(http ? http_answer("HTTP/1.1 200 OK\r\nContent-Length: 2700\r\n\r\n" + rows)
                             : std::function<std::string(const std::string&)>(
                                   [rows](const std::string&) { return "OK 27\n" + rows; }));
        ASSERT_GT(fake.port(), 0);
        lab::EngineConfig c;
        c.port = fake.port();
        c.workload = make_workload(query_of(0, 27));
        c.http = http;
        c.connections = 2;
        c.duration_ns = 200 * kMs;
        std::atomic<bool> interrupted{false};
        lab::EngineResult r = lab::run_engine(c, lab::EngineHooks{}, interrupted);
        EXPECT_GT(r.requests, 10u);
        EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    }
}

// Runs the engine over HTTP for 300 ms against a fake server that answers every GET /ping
// with `reply`, on two connections.
lab::EngineResult run_http_against(const std::string& reply) {
    FakeServer fake(http_answer(reply));
    EXPECT_GT(fake.port(), 0);
    lab::EngineConfig c;
    c.port = fake.port();
    c.workload = make_workload(ping());
    c.http = true;
    c.connections = 2;
    c.duration_ns = 300 * kMs;
    std::atomic<bool> interrupted{false};
    return lab::run_engine(c, lab::EngineHooks{}, interrupted);
}

// A real server's reply has more headers than ours, in any case (nginx: Server, Date,
// Content-Type, Content-Length, Connection): the engine finds the two it needs.
TEST(EngineHttp, ReadsARealServersHeadersInAnyCase) {
    lab::EngineResult r = run_http_against(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 12:44:32 GMT\r\n"
        "Content-Type: text/plain\r\nCONTENT-length:   4\r\nConnection: keep-alive\r\n\r\nPONG");
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    EXPECT_GT(r.requests, 20u);
    EXPECT_LE(r.connect.count(), 2u) << "keep-alive: the connections stay open";
}

// "Connection: close" (any case): the client takes the hint and connects again.
TEST(EngineHttp, ReconnectsWhenTheServerSaysClose) {
    lab::EngineResult r =
        run_http_against("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nconnection: Close\r\n\r\nPONG");
    EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
    EXPECT_GT(r.requests, 10u);
    EXPECT_GE(r.connect.count() + 2, r.requests) << "a connect for every request";
}

// ---------------------------------------------------------------------------------------
// The database behind QUERY (harness/database.hpp): its pure parts, and /proc for this process
// ---------------------------------------------------------------------------------------

// lab-harness's own copy of lab-server's default: $LAB_DB_URI first (even empty), else
// build/db/uri three directories above the program (build/PRESET/bin/PROGRAM), else none.
TEST(Database, FindsTheUriAsLabServerDoes) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string exe = dir.path() + "/build/release/bin/lab-harness";
    EXPECT_EQ(lab::harness_db_uri(nullptr, exe).uri, "");
    EXPECT_EQ(lab::harness_db_uri(nullptr, exe).source, "none");
    fs::create_directories(dir.path() + "/build/db");
    write_file(dir.path() + "/build/db/uri", "postgresql:///lab?host=/x&port=5\n");
    lab::DbUri found = lab::harness_db_uri(nullptr, exe);
    EXPECT_EQ(found.uri, "postgresql:///lab?host=/x&port=5");
    EXPECT_EQ(found.source, dir.path() + "/build/db/uri");
    lab::DbUri env = lab::harness_db_uri("postgresql:///other", exe);
    EXPECT_EQ(env.uri, "postgresql:///other");
    EXPECT_EQ(env.source, "LAB_DB_URI");
    EXPECT_EQ(lab::harness_db_uri("", exe).uri, "") << "an empty LAB_DB_URI is none";
    EXPECT_EQ(lab::harness_db_uri(nullptr, "").source, "none");
}

TEST(Database, FlagValuesAreTheLastGivenInEitherForm) {
    std::vector<std::string> args = {"--db-pool=4", "--idle-timeout", "30", "--db-pool", "16"};
    EXPECT_EQ(lab::flag_value(args, "--db-pool"), std::optional<std::string>("16"));
    EXPECT_EQ(lab::flag_value(args, "--idle-timeout"), std::optional<std::string>("30"));
    EXPECT_EQ(lab::flag_value(args, "--db"), std::nullopt) << "--db-pool is not --db";
    EXPECT_EQ(lab::flag_value({"--db="}, "--db"), std::optional<std::string>(""));
    EXPECT_EQ(lab::flag_value({"--db"}, "--db"), std::nullopt) << "no value follows";
}

TEST(Database, ServerSettingsComeFromItsArgumentsAndItsListing) {
    json event_loop = {{"--db-pool", {{"default", 8}, {"min", 1}, {"max", 64}}},
                       {"--db-blocking-in-loop", {{"default", false}}}};
    lab::DbSettings plain = lab::spawned_db_settings({}, "postgresql:///h", event_loop);
    EXPECT_EQ(plain.uri, "postgresql:///h");
    EXPECT_TRUE(plain.passed_by_harness);
    EXPECT_EQ(plain.pool, std::optional<std::uint64_t>(8)) << "the listing's default";
    EXPECT_EQ(plain.blocking_in_loop, std::optional<bool>(false));

    lab::DbSettings own =
        lab::spawned_db_settings({"--db=postgresql:///own", "--db-pool=2", "--db-blocking-in-loop"},
                                 "postgresql:///h", event_loop);
    EXPECT_EQ(own.uri, "postgresql:///own");
    EXPECT_FALSE(own.passed_by_harness) << "the server's own --db wins; nothing is added";
    EXPECT_EQ(own.pool, std::optional<std::uint64_t>(2));
    EXPECT_EQ(own.blocking_in_loop, std::optional<bool>(true));

    lab::DbSettings none = lab::spawned_db_settings({}, "", event_loop);
    EXPECT_EQ(none.uri, "");
    EXPECT_TRUE(none.passed_by_harness) << "--db \"\": the server has none either";

    // A server whose listing has no --db-pool knows no database: nothing passed, nothing known.
    lab::DbSettings old = lab::spawned_db_settings({}, "postgresql:///h", json::object());
    EXPECT_FALSE(old.passed_by_harness);
    EXPECT_EQ(old.uri, "");
    EXPECT_EQ(old.pool, std::nullopt);
    EXPECT_EQ(old.blocking_in_loop, std::nullopt);

    lab::DbSettings connected = lab::connected_db_settings("postgresql:///h");
    EXPECT_EQ(connected.uri, "postgresql:///h");
    EXPECT_FALSE(connected.passed_by_harness);
    EXPECT_EQ(connected.pool, std::nullopt) << "a server started elsewhere: flags not known";
}

TEST(Database, ReadsPsqlsOutput) {
    auto r = lab::parse_psql_reading("100 9 4321\n");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->max_connections, 100u);
    EXPECT_EQ(r->backends, 9u);
    EXPECT_EQ(r->checkpointer, 4321);
    for (const char* bad : {"", "100 9", "100 9 4321 7", "100  9 4321", "x 9 4321", "100 -1 4",
                            "psql: error: connection to server failed"}) {
        EXPECT_FALSE(lab::parse_psql_reading(bad).has_value()) << "'" << bad << "'";
    }
}

TEST(Database, ReapedChildrenTimeIsCutimePlusCstime) {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime ...: comm may hold spaces and parentheses.
    std::string line = "42 (post gres) (x)) S 1 42 42 0 -1 4194560 10 20 0 0 7 8 130 25 20 0 1";
    EXPECT_EQ(lab::reaped_children_ticks(line), std::optional<std::uint64_t>(155));
    EXPECT_EQ(lab::reaped_children_ticks("42 (postgres) S 1 42"), std::nullopt);
    EXPECT_EQ(lab::reaped_children_ticks("no comm at all"), std::nullopt);
}

TEST(Database, ClusterCpuOfAProcessTreeIsReadFromProc) {
    // This test's own process stands for a postmaster: its tree's CPU is known, not negative.
    auto cpu = lab::cluster_cpu_s(getpid());
    ASSERT_TRUE(cpu.has_value());
    EXPECT_GE(*cpu, 0.0);
    EXPECT_EQ(lab::cluster_cpu_s(0x7ffffff0), std::nullopt) << "no such process";
}

TEST(Database, JsonHasNullsForWhatWasNotRead) {
    lab::DbSettings settings{"postgresql:///lab", true, 8, false};
    lab::DbReading start{lab::PsqlReading{100, 8, 77}, 1.25, ""};
    lab::DbReading end{lab::PsqlReading{100, 9, 77}, 2.0, ""};
    json j = lab::database_json(settings, true, start, end, "");
    EXPECT_EQ(j.at("uri"), "postgresql:///lab");
    EXPECT_EQ(j.at("passed_by_harness"), true);
    EXPECT_EQ(j.at("pool"), 8);
    EXPECT_EQ(j.at("blocking_in_loop"), false);
    EXPECT_EQ(j.at("max_connections"), 100);
    EXPECT_EQ(j.at("backends").at("window_start"), 8);
    EXPECT_EQ(j.at("backends").at("window_end"), 9);
    EXPECT_DOUBLE_EQ(j.at("cpu_s").get<double>(), 0.75);
    EXPECT_FALSE(j.contains("note"));

    // No QUERY in the workload: the database is not read, and its figures are null.
    json no_query = lab::database_json(settings, false, std::nullopt, std::nullopt, "");
    for (const char* field : {"max_connections", "cpu_s"})
        EXPECT_TRUE(no_query.at(field).is_null()) << field;
    EXPECT_TRUE(no_query.at("backends").at("window_start").is_null());
    EXPECT_NE(no_query.value("note", "").find("no QUERY"), std::string::npos);
    EXPECT_EQ(no_query.at("pool"), 8) << "the server's flag is known all the same";

    // No database at all.
    lab::DbSettings nothing{"", true, 8, false};
    json none = lab::database_json(nothing, true, std::nullopt, std::nullopt, "");
    EXPECT_TRUE(none.at("uri").is_null());
    EXPECT_NE(none.value("note", "").find("no database"), std::string::npos);

    // psql failed at the end, /proc was not readable: each missing figure null, and why.
    lab::DbReading failed{std::nullopt, std::nullopt, "psql failed: connection refused"};
    json half = lab::database_json(settings, true, start, failed, "");
    EXPECT_EQ(half.at("backends").at("window_start"), 8);
    EXPECT_TRUE(half.at("backends").at("window_end").is_null());
    EXPECT_EQ(half.at("max_connections"), 100);
    EXPECT_TRUE(half.at("cpu_s").is_null());
    EXPECT_EQ(half.value("note", ""), "psql failed: connection refused");
}

}  // namespace
