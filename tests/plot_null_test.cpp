// lab-plot and the figures the harness writes as null (results/SCHEMA.md: a figure it cannot
// know): a null peak, blocked time or steal share is left out of the figures like an
// unsampled value, never an error and never drawn as 0. The inputs are the plot fixtures
// (tests/fixtures/, made by the real harness) with those fields set to null as a harness run
// leaves them: a window without a sample inside it, or --connect.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& path) {
    std::ifstream in(path);
    return json::parse(in);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Drawn {
    int exit_status = -1;
    std::string output;  // stdout and stderr
};

// Writes doc to DIR/NAME.json and draws it with lab-plot into DIR (figures in DIR/NAME/).
// The whole run is bounded by the test's ctest TIMEOUT.
Drawn draw(const json& doc, const lab::test::TempDir& dir, const std::string& name) {
    std::string file = dir.file(name + ".json");
    std::ofstream(file) << doc.dump();
    std::string log = dir.file(name + ".log");
    std::string command = std::string("'") + LAB_PLOT_PATH + "' '" + file + "' --out '" +
                          dir.path() + "' > '" + log + "' 2>&1";
    int status = std::system(command.c_str());
    Drawn drawn;
    if (status != -1 && WIFEXITED(status)) drawn.exit_status = WEXITSTATUS(status);
    drawn.output = read_text(log);
    return drawn;
}

TEST(PlotNull, NullPeaksAndBlockedTimeOfASpawnedRunAreLeftOut) {
    lab::test::TempDir dir("plot-null");
    ASSERT_FALSE(dir.path().empty());
    json doc = read_json(fs::path(LAB_PLOT_FIXTURES) / "open-io.json");
    json& run = doc["runs"][0];
    run["server"]["peak_pss_kb"] = nullptr;  // no sample inside the window
    run["server"]["accept_queue_max"] = nullptr;
    run["per_request"]["blocked_us"] = nullptr;
    run["client"]["steal_pct"] = nullptr;
    Drawn drawn = draw(doc, dir, "nulls");
    ASSERT_EQ(drawn.exit_status, 0) << drawn.output;
    EXPECT_NE(drawn.output.find("1 run had no memory sample"), std::string::npos) << drawn.output;
    fs::path figures = fs::path(dir.path()) / "nulls";
    for (const char* script : {"memory-io.gp", "cpu-blocked-io.gp", "context-switches-io.gp"})
        EXPECT_TRUE(fs::exists(figures / script)) << script << "\n" << drawn.output;
    EXPECT_NE(read_text(figures / "memory-io.gp").find("without a memory sample left out"),
              std::string::npos);
}

TEST(PlotNull, AConnectSweepWithNullBlockedTimeIsDrawn) {
    lab::test::TempDir dir("plot-null");
    ASSERT_FALSE(dir.path().empty());
    json doc = read_json(fs::path(LAB_PLOT_FIXTURES) / "open-io.json");
    for (json& run : doc["runs"]) {
        run["source"] = "connect";
        run["per_request"]["blocked_us"] = nullptr;
        run["timeseries"] = json::array();
        run["server"] = {{"figures_from", "STATS"}, {"requests", 1}};
    }
    Drawn drawn = draw(doc, dir, "connected");
    ASSERT_EQ(drawn.exit_status, 0) << drawn.output;
    EXPECT_NE(drawn.output.find("no cpu-blocked, memory or timeseries figure"), std::string::npos)
        << drawn.output;
    EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "connected" / "context-switches-io.gp"))
        << drawn.output;
}

}  // namespace
