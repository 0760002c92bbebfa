// lab-plot against the fixture results files in tests/fixtures/ (made by the real harness):
// every figure comes out as a complete PNG and SVG with its gnuplot script beside it, each
// script draws one series per model in every plot and redraws its pictures on its own, each
// model keeps one colour everywhere, the one its registry entry gives (asked of lab-server);
// bad input (a missing file, an unknown schema_version, no runs, a run without
// a field a figure needs) and a missing gnuplot exit 2 with one message naming the file and
// what is missing, and draw nothing, while a file of an older harness, without connection
// counts, is drawn without the connections figure, with a note. Every lab-plot run is bounded
// in time. The timelines (PlotTimeline) are checked on the committed reference traces: the
// wait before service that a client's row shows, and the tint of a server's wait.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "figure.hpp"
#include "server_models.hpp"
#include "timeline_chart.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The longest one lab-plot (or gnuplot) run may take before the test kills it.
constexpr std::chrono::seconds kRunTimeout{90};
// A figure's PNG is at least this big: a canvas with axes, labels and lines, not a blank one.
constexpr std::uintmax_t kMinPngBytes = 5 * 1024;
// ...and at least this wide and high.
constexpr std::uint32_t kMinPngSide = 600;
// A timeline of one model (three clients and a server thread) is at least this high.
constexpr std::uint32_t kMinTimelineHeight = 300;
// Most stderr a run may produce that the test keeps.
constexpr std::size_t kMaxCapturedBytes = 1 << 20;

const std::vector<std::string> kFigures = {"throughput",  "latency",    "context-switches",
                                           "cpu-blocked", "memory",     "timeseries",
                                           "percentiles", "connections"};
const std::vector<std::string> kModels = {"sequential", "threads", "fork", "select"};

// lab-plot beside this test binary (both are built into the common bin directory), else the
// path CMake gave at build time.
std::string lab_plot() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path beside = self.parent_path() / "lab-plot";
        if (access(beside.c_str(), X_OK) == 0) return beside.string();
    }
    return LAB_PLOT_PATH;
}

// lab-server beside this test binary, else the path CMake gave at build time.
std::string lab_server() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path beside = self.parent_path() / "lab-server";
        if (access(beside.c_str(), X_OK) == 0) return beside.string();
    }
    return LAB_SERVER_PATH;
}

fs::path fixture(const std::string& name) {
    return fs::path(LAB_PLOT_FIXTURES) / name;
}

struct Outcome {
    int exit_status = -1;  // -1: killed by a signal or by the timeout
    bool timed_out = false;
    std::string output;  // stdout and stderr together
};

// Removes LANG, LANGUAGE and every LC_* variable from this process's environment, then sets
// LC_ALL to locale unless it is "": the caller's locale, whatever it was, is gone.
void replace_locale(const std::string& locale) {
    std::vector<std::string> names;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string name(*entry, std::strcspn(*entry, "="));
        if (name == "LANG" || name == "LANGUAGE" || name.rfind("LC_", 0) == 0)
            names.push_back(name);
    }
    for (const std::string& name : names)
        unsetenv(name.c_str());
    if (!locale.empty()) setenv("LC_ALL", locale.c_str(), 1);
}

// Runs program with args in its own process group, PATH replaced by path if given, and the
// locale replaced by locale if given ("": none at all, as in a minimal container); kills the
// group if it runs longer than kRunTimeout.
Outcome run(const std::string& program, const std::vector<std::string>& args,
            const std::optional<std::string>& path = std::nullopt,
            const std::optional<std::string>& locale = std::nullopt) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        if (path) setenv("PATH", path->c_str(), 1);
        if (locale) replace_locale(*locale);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(program.c_str()));
        for (const std::string& arg : args)
            argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        execv(program.c_str(), argv.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    Outcome outcome;
    auto deadline = std::chrono::steady_clock::now() + kRunTimeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            outcome.timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        pollfd pfd{pipe_fds[0], POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[4096];
        ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
        if (n <= 0) break;  // every writer has closed: the run is over
        if (outcome.output.size() < kMaxCapturedBytes)
            outcome.output.append(buffer, static_cast<std::size_t>(n));
    }
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!outcome.timed_out && WIFEXITED(status)) outcome.exit_status = WEXITSTATUS(status);
    return outcome;
}

// A fresh directory for one test's output, removed with it.
class ScratchDir {
  public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "plot_test.XXXXXX").string();
        if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

json read_json(const fs::path& file) {
    std::ifstream in(file);
    return json::parse(in);
}

void write_json(const fs::path& file, const json& doc) {
    std::ofstream out(file);
    out << doc.dump();
}

std::uint32_t big_endian32(const std::string& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
        value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
}

// Checks that file is a complete PNG of a plausible size: the signature, an IHDR chunk of at
// least kMinPngSide by min_height (kMinPngSide but for the short timelines), more than
// kMinPngBytes, and an IEND chunk at the very end.
void expect_complete_png(const fs::path& file, std::uint32_t min_height = kMinPngSide) {
    SCOPED_TRACE(file.string());
    ASSERT_TRUE(fs::exists(file));
    std::string bytes = read_file(file);
    ASSERT_GT(bytes.size(), kMinPngBytes);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    EXPECT_GE(big_endian32(bytes, 16), kMinPngSide);  // width
    EXPECT_GE(big_endian32(bytes, 20), min_height);   // height
    EXPECT_EQ(bytes.substr(bytes.size() - 12), std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12));
}

// Checks that file is a complete SVG document: <?xml or <svg first, </svg> last, one <svg.
void expect_complete_svg(const fs::path& file) {
    SCOPED_TRACE(file.string());
    ASSERT_TRUE(fs::exists(file));
    std::string text = read_file(file);
    auto first = text.find_first_not_of(" \t\r\n");
    auto last = text.find_last_not_of(" \t\r\n");
    ASSERT_NE(first, std::string::npos);
    std::string start = text.substr(first, 5);
    EXPECT_TRUE(start == "<?xml" || start.rfind("<svg", 0) == 0) << start;
    ASSERT_GE(last, 5u);
    EXPECT_EQ(text.substr(last - 5, 6), "</svg>");
    EXPECT_NE(text.find("<svg"), std::string::npos);
}

// The `plot` commands of a gnuplot script, each as its element lines (lab-plot writes one
// element per line, continued with a trailing backslash).
std::vector<std::vector<std::string>> plot_commands(const std::string& script) {
    std::vector<std::vector<std::string>> commands;
    std::istringstream in(script);
    std::string line;
    bool continuing = false;
    while (std::getline(in, line)) {
        std::string trimmed = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
        if (!continuing && trimmed.rfind("plot ", 0) != 0) continue;
        if (!continuing) {
            commands.emplace_back();
            trimmed = trimmed.substr(5);
        }
        bool more = !trimmed.empty() && trimmed.back() == '\\';
        if (more) trimmed.pop_back();
        trimmed.erase(trimmed.find_last_not_of(" ,") + 1);
        if (!trimmed.empty()) commands.back().push_back(trimmed);
        continuing = more;
    }
    return commands;
}

// The key titles of one plot command's elements (those with `title "..."`).
std::vector<std::string> titles(const std::vector<std::string>& elements) {
    static const std::regex kTitle(R"re(\btitle "([^"]*)")re");
    std::vector<std::string> found;
    for (const std::string& element : elements) {
        std::smatch match;
        if (std::regex_search(element, match, kTitle)) found.push_back(match[1]);
    }
    return found;
}

// Draws fixture file into out, expecting success without a message from gnuplot.
void draw(const fs::path& file, const fs::path& out) {
    Outcome outcome = run(lab_plot(), {file.string(), "--out", out.string()});
    ASSERT_FALSE(outcome.timed_out) << outcome.output;
    ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_EQ(outcome.output.find("lab-plot: gnuplot:"), std::string::npos)
        << "gnuplot had errors or warnings:\n"
        << outcome.output;
}

// Runs lab-plot on a bad file and checks it exits 2 with one message naming the file and
// every one of expected, and that it drew nothing.
void expect_refused(const fs::path& file, const fs::path& out,
                    const std::vector<std::string>& expected) {
    Outcome outcome = run(lab_plot(), {file.string(), "--out", out.string()});
    ASSERT_FALSE(outcome.timed_out) << outcome.output;
    EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("lab-plot: " + file.string()), std::string::npos)
        << outcome.output;
    for (const std::string& text : expected)
        EXPECT_NE(outcome.output.find(text), std::string::npos) << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
    EXPECT_FALSE(fs::exists(out / file.stem())) << "drew pictures for a bad file";
}

TEST(PlotSweep, DrawsEveryFigureOfEveryWorkloadAsPngSvgAndScript) {
    ScratchDir out;
    draw(fixture("closed-io-cpu.json"), out.path());
    fs::path directory = out.path() / "closed-io-cpu";
    for (const char* workload : {"io", "cpu"}) {
        for (const std::string& figure : kFigures) {
            std::string stem = figure + "-" + std::string(workload);
            expect_complete_png(directory / (stem + ".png"));
            expect_complete_svg(directory / (stem + ".svg"));
            EXPECT_TRUE(fs::exists(directory / (stem + ".gp"))) << stem;
        }
    }
}

TEST(PlotSweep, EveryPlotOfEveryScriptHasOneSeriesPerModel) {
    ScratchDir out;
    draw(fixture("closed-io-cpu.json"), out.path());
    draw(fixture("open-io.json"), out.path());
    int scripts = 0;
    for (const auto& entry : fs::recursive_directory_iterator(out.path())) {
        if (entry.path().extension() != ".gp") continue;
        ++scripts;
        SCOPED_TRACE(entry.path().string());
        auto commands = plot_commands(read_file(entry.path()));
        ASSERT_GE(commands.size(), 2u);  // at least one panel and the key
        for (const auto& command : commands) {
            std::vector<std::string> found = titles(command);
            std::multiset<std::string> counted(found.begin(), found.end());
            for (const std::string& model : kModels)
                EXPECT_EQ(counted.count(model), 1u) << model;
            EXPECT_EQ(found.size(), kModels.size());
        }
    }
    EXPECT_EQ(scripts, 3 * static_cast<int>(kFigures.size()));  // io and cpu, then open io
}

TEST(PlotSweep, EachModelHasOneColourInEveryFigure) {
    ScratchDir out;
    draw(fixture("closed-io-cpu.json"), out.path());
    draw(fixture("open-io.json"), out.path());
    static const std::regex kLinetype(
        R"re(set linetype \d+ linecolor rgb "(#[0-9A-Fa-f]{6})".*# (\S+))re");
    std::map<std::string, std::set<std::string>> colours;
    for (const auto& entry : fs::recursive_directory_iterator(out.path())) {
        if (entry.path().extension() != ".gp") continue;
        std::string script = read_file(entry.path());
        for (std::sregex_iterator it(script.begin(), script.end(), kLinetype), end; it != end; ++it)
            colours[(*it)[2]].insert((*it)[1]);
    }
    std::set<std::string> all;
    for (const std::string& model : kModels) {
        EXPECT_EQ(colours[model].size(), 1u) << model;
        all.insert(colours[model].begin(), colours[model].end());
    }
    EXPECT_EQ(all.size(), kModels.size()) << "two models share a colour";
}

TEST(PlotSweep, OpenLoopPercentilesShowCorrectedBesideUncorrected) {
    ScratchDir out;
    draw(fixture("open-io.json"), out.path());
    fs::path directory = out.path() / "open-io";
    for (const std::string& figure : kFigures) {
        expect_complete_png(directory / (figure + "-io.png"));
        expect_complete_svg(directory / (figure + "-io.svg"));
    }
    auto commands = plot_commands(read_file(directory / "percentiles-io.gp"));
    ASSERT_EQ(commands.size(), 3u);  // corrected, uncorrected, the key
    std::string corrected, uncorrected;
    for (const std::string& element : commands[0])
        corrected += element + "\n";
    for (const std::string& element : commands[1])
        uncorrected += element + "\n";
    EXPECT_NE(corrected.find("$threads using"), std::string::npos) << corrected;
    EXPECT_EQ(corrected.find("_uncorrected"), std::string::npos) << corrected;
    EXPECT_NE(uncorrected.find("$threads_uncorrected using"), std::string::npos) << uncorrected;
    // Open loop: the closed-loop fixture draws one panel, this one names the correction.
    EXPECT_NE(read_file(directory / "percentiles-io.gp").find("scheduled send"), std::string::npos);
}

TEST(PlotSweep, AScriptRedrawsItsPicturesOnItsOwn) {
    ScratchDir out;
    draw(fixture("open-io.json"), out.path());
    fs::path directory = out.path() / "open-io";
    fs::remove(directory / "latency-io.png");
    fs::remove(directory / "latency-io.svg");
    std::string command = "cd '" + directory.string() + "' && exec gnuplot latency-io.gp";
    Outcome outcome = run("/bin/sh", {"-c", command});
    ASSERT_FALSE(outcome.timed_out);
    EXPECT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_EQ(outcome.output, "");  // no errors or warnings
    expect_complete_png(directory / "latency-io.png");
    expect_complete_svg(directory / "latency-io.svg");
}

// The figures do not depend on the caller's locale: with none at all (no LANG, as in a minimal
// container or a clean Debian), in POSIX and in C.UTF-8, lab-plot draws the same bytes without
// a word from gnuplot, and a script redraws its pictures by hand without one either (gnuplot
// warns "iconv failed to convert degree sign" in the POSIX locale after a `set encoding`).
// The fixture's labels have non-ASCII letters (µs, ·).
TEST(PlotSweep, TheFiguresAreTheSameInEveryLocaleAndDrawnWithoutAWarning) {
    ScratchDir out;
    // Each locale's figures go to a directory of that name; "" is no locale variable at all.
    const std::vector<std::pair<std::string, std::string>> locales = {
        {"none", ""}, {"posix", "POSIX"}, {"c-utf8", "C.UTF-8"}};
    for (const auto& [name, locale] : locales) {
        SCOPED_TRACE(name);
        Outcome outcome =
            run(lab_plot(),
                {fixture("closed-io-cpu.json").string(), "--out", (out.path() / name).string()},
                std::nullopt, locale);
        ASSERT_FALSE(outcome.timed_out) << outcome.output;
        ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
        EXPECT_EQ(outcome.output.find("lab-plot: gnuplot:"), std::string::npos) << outcome.output;
    }
    fs::path without = out.path() / "none" / "closed-io-cpu";
    int compared = 0;
    for (const auto& entry : fs::directory_iterator(without)) {
        for (const char* name : {"posix", "c-utf8"}) {
            fs::path other = out.path() / name / "closed-io-cpu" / entry.path().filename();
            EXPECT_TRUE(read_file(entry.path()) == read_file(other)) << other << " differs";
            ++compared;
        }
    }
    EXPECT_EQ(compared, 2 * 2 * 3 * static_cast<int>(kFigures.size()));  // io, cpu; png svg gp

    // By hand, with no locale and in C.UTF-8: no word from gnuplot, the same picture.
    for (const auto& [name, locale] : {locales.front(), locales.back()}) {
        SCOPED_TRACE(name);
        fs::path directory = out.path() / name / "closed-io-cpu";
        fs::remove(directory / "latency-io.svg");
        std::string command = "cd '" + directory.string() + "' && exec gnuplot latency-io.gp";
        Outcome by_hand = run("/bin/sh", {"-c", command}, std::nullopt, locale);
        ASSERT_FALSE(by_hand.timed_out);
        EXPECT_EQ(by_hand.exit_status, 0) << by_hand.output;
        EXPECT_EQ(by_hand.output, "");  // no errors or warnings
    }
    EXPECT_TRUE(read_file(without / "latency-io.svg") ==
                read_file(out.path() / "c-utf8" / "closed-io-cpu" / "latency-io.svg"));
}

TEST(PlotSweep, MarksASanitizerBuildLoudly) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    doc["tool"]["sanitizers"] = "address,undefined";
    doc["tool"]["sanitized"] = true;
    fs::path file = out.path() / "sanitized.json";
    write_json(file, doc);
    draw(file, out.path());
    std::string script = read_file(out.path() / "sanitized" / "throughput-io.gp");
    EXPECT_NE(script.find("SANITIZER BUILD (address,undefined)"), std::string::npos);
}

// Values the harness could not measure well are shown for what they are: a memory peak of 0
// (no sample fell inside the window) is left out with a note, and a latency at the histogram's
// 2^40 ns ceiling runs off the top of the percentile panel, which says so.
TEST(PlotSweep, UnsampledMemoryAndCeilingLatenciesAreMarked) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    doc["runs"][0]["server"]["peak_rss_kb"] = 0;
    for (json& run : doc["runs"])
        run["client"]["histogram_uncorrected"].push_back({1099511627775LL, 1});
    fs::path file = out.path() / "rough.json";
    write_json(file, doc);
    Outcome outcome = run(lab_plot(), {file.string(), "--out", out.path().string()});
    ASSERT_FALSE(outcome.timed_out);
    ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_EQ(outcome.output.find("lab-plot: gnuplot:"), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find("1 run had no memory sample"), std::string::npos)
        << outcome.output;
    fs::path directory = out.path() / "rough";
    EXPECT_NE(read_file(directory / "memory-io.gp").find("without a memory sample left out"),
              std::string::npos);
    std::string script = read_file(directory / "percentiles-io.gp");
    auto uncorrected = script.find("# Panel 2");
    ASSERT_NE(uncorrected, std::string::npos);
    EXPECT_NE(script.find("2^40 ns ceiling", uncorrected), std::string::npos);
    EXPECT_EQ(script.substr(0, uncorrected).find("2^40 ns ceiling"), std::string::npos);
    expect_complete_png(directory / "percentiles-io.png");
    expect_complete_png(directory / "memory-io.png");
}

// Sets, in every run of doc of the model, workload and connection count, the client's count of
// connections open at the window's end, connects refused and connects timed out (each also in
// errors, as the harness counts them).
void set_connection_counts(json& doc, const std::string& model, const std::string& workload,
                           int connections, int held, int refused, int connect_timeouts) {
    for (json& run : doc["runs"]) {
        if (run["model"] != model || run["workload"] != workload ||
            run["connections"].get<int>() != connections)
            continue;
        run["client"]["connected"]["window_end"] = held;
        run["client"]["errors"]["refused"] = refused;
        run["client"]["connect_timeouts"] = connect_timeouts;
        run["client"]["errors"]["timeout"] = connect_timeouts;
    }
}

// The lines of the script from "# Panel N:" to the next panel (or the key).
std::string panel_text(const std::string& script, int panel) {
    auto from = script.find("# Panel " + std::to_string(panel) + ":");
    if (from == std::string::npos) return "";
    auto to = script.find("# Panel " + std::to_string(panel + 1) + ":", from);
    if (to == std::string::npos) to = script.find("# The key", from);
    return script.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// Each model's limit as the connections figure shows it: held on a log axis with the
// "offered = held" diagonal, refused and timed-out connects on linear axes that start at 0;
// the values are those of the runs (median, lowest, highest of the repeats).
TEST(PlotSweep, TheConnectionsFigureShowsEachModelsLimit) {
    ScratchDir out;
    json doc = read_json(fixture("closed-io-cpu.json"));
    // Say select refused past a limit and sequential's backlog overflowed at 32 connections.
    int repeat = 0;
    for (json& run : doc["runs"]) {
        if (run["model"] == "select" && run["workload"] == "io" && run["connections"] == 32) {
            run["client"]["connected"]["window_end"] = repeat == 0 ? 20 : 22;
            run["client"]["errors"]["refused"] = repeat == 0 ? 150 : 170;
            ++repeat;
        }
    }
    ASSERT_EQ(repeat, 2);
    set_connection_counts(doc, "sequential", "io", 32, 17, 0, 40);
    // A server that held nothing at the end of the window: 0 cannot be drawn on a log axis.
    set_connection_counts(doc, "fork", "cpu", 32, 0, 0, 60);
    // ...and one repeat of another that held nothing: its bar reaches 0, off the log axis.
    for (json& run : doc["runs"]) {
        if (run["model"] == "threads" && run["workload"] == "cpu" && run["connections"] == 8 &&
            run["repeat"] == 0)
            run["client"]["connected"]["window_end"] = 0;
    }
    fs::path file = out.path() / "limits.json";
    write_json(file, doc);
    draw(file, out.path());
    fs::path directory = out.path() / "limits";
    for (const char* workload : {"io", "cpu"}) {
        expect_complete_png(directory / ("connections-" + std::string(workload) + ".png"));
        expect_complete_svg(directory / ("connections-" + std::string(workload) + ".svg"));
    }
    std::string script = read_file(directory / "connections-io.gp");
    // Columns: connections, then held, refused, timed out (median min max), then repeats.
    EXPECT_NE(script.find("\n32 21 20 22 160 150 170 0 0 0 2\n"), std::string::npos) << script;
    EXPECT_NE(script.find("\n32 17 17 17 0 0 0 40 40 40 2\n"), std::string::npos) << script;
    ASSERT_EQ(plot_commands(script).size(), 4u);  // held, refused, timed out, the key
    std::string held = panel_text(script, 1);
    std::string refused = panel_text(script, 2);
    std::string timed_out = panel_text(script, 3);
    EXPECT_NE(held.find("set logscale y"), std::string::npos) << held;
    EXPECT_NE(held.find("nohead back dashtype 2"), std::string::npos) << held;
    EXPECT_NE(held.find("\"offered = held\""), std::string::npos) << held;
    for (const std::string* panel : {&refused, &timed_out}) {
        EXPECT_NE(panel->find("unset logscale y"), std::string::npos) << *panel;
        EXPECT_EQ(panel->find("set arrow"), std::string::npos) << *panel;
        // From a little below 0 (so that a 0 is drawn above the border) to above the highest.
        std::smatch range;
        ASSERT_TRUE(
            std::regex_search(*panel, range, std::regex(R"(set yrange \[([^:\]]+):([^:\]]+)\])")))
            << *panel;
        EXPECT_LT(std::stod(range[1]), 0);
        EXPECT_GT(std::stod(range[1]), -10);
        EXPECT_GT(std::stod(range[2]), panel == &refused ? 170 : 40);
    }
    EXPECT_EQ(script.find("of 0 not drawn"), std::string::npos);
    std::string cpu = read_file(directory / "connections-cpu.gp");
    EXPECT_NE(cpu.find("on the log axis: 1 point of 0 not drawn, 1 bar down to 0 drawn only as "
                       "its top"),
              std::string::npos);
}

// A file whose runs lack the connection counts was made by an older harness: every figure but
// the connections figure is drawn, and a note says why that one is not.
TEST(PlotSweep, AFileOfAnOlderHarnessIsDrawnWithoutTheConnectionsFigure) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    for (json& run : doc["runs"]) {
        run["client"].erase("connected");
        run["client"].erase("connect_timeouts");
    }
    fs::path file = out.path() / "older.json";
    write_json(file, doc);
    Outcome outcome = run(lab_plot(), {file.string(), "--out", out.path().string()});
    ASSERT_FALSE(outcome.timed_out);
    ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_EQ(outcome.output.find("lab-plot: gnuplot:"), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find("lab-plot: note: " + file.string() +
                                  ": no connections figure: the file has no connection counts"),
              std::string::npos)
        << outcome.output;
    EXPECT_NE(outcome.output.find("made by an older lab-harness"), std::string::npos)
        << outcome.output;
    fs::path directory = out.path() / "older";
    for (const std::string& figure : kFigures) {
        std::string stem = figure + "-io";
        if (figure == "connections") {
            for (const char* extension : {".png", ".svg", ".gp"}) {
                EXPECT_FALSE(fs::exists(directory / (stem + extension))) << stem << extension;
            }
        } else {
            expect_complete_png(directory / (stem + ".png"));
        }
    }
    EXPECT_NE(outcome.output.find(std::to_string(kFigures.size() - 1) + " figures in"),
              std::string::npos)
        << outcome.output;
}

// A model's style is its registry entry's, as the lab-server beside lab-plot lists it. The
// eight models that results files made before this listing name keep the colours and shapes
// they were drawn with then, so that those files draw as they did; a name not in the registry
// (a --connect label, a model since removed) gets one of the three further styles, none of the
// registry's, the same every time.
TEST(PlotStyle, RegistryModelsKeepTheirStylesAndOtherNamesGetFurtherOnes) {
    std::string error;
    auto listed = lab::list_server_models(lab_server(), error);
    ASSERT_TRUE(listed.has_value()) << error;
    std::map<std::string, lab::plot::ModelStyle> registry;
    for (const lab::ListedModel& model : *listed)
        registry[model.name] = {model.plot_colour, model.plot_point_type};
    lab::plot::ModelStyles styles(registry);
    const std::map<std::string, lab::plot::ModelStyle> kBefore = {
        {"sequential", {"#D55E00", 5}}, {"threads", {"#0072B2", 7}}, {"fork", {"#009E73", 9}},
        {"select", {"#CC79A7", 13}},    {"poll", {"#E69F00", 11}},   {"epoll", {"#56B4E9", 15}},
        {"threadpool", {"#000000", 6}}, {"prefork", {"#8C564B", 8}}};
    for (const auto& [model, before] : kBefore) {
        if (registry.count(model) == 0) continue;  // renamed or removed: a further style now
        EXPECT_EQ(styles.of(model).colour, before.colour) << model;
        EXPECT_EQ(styles.of(model).point_type, before.point_type) << model;
    }
    std::set<std::string> colours;
    std::set<int> shapes;
    for (const auto& [model, style] : registry) {
        EXPECT_EQ(styles.of(model).colour, style.colour) << model;
        colours.insert(style.colour);
        shapes.insert(style.point_type);
    }
    std::set<std::string> further;
    for (int n = 0; n < 64; ++n) {
        std::string model = "student" + std::to_string(n);
        lab::plot::ModelStyle style = styles.of(model);
        EXPECT_EQ(colours.count(style.colour), 0u) << model << " got a registry model's colour";
        EXPECT_EQ(shapes.count(style.point_type), 0u) << model << " got a registry model's shape";
        EXPECT_EQ(styles.of(model).colour, style.colour);  // the same every time
        further.insert(style.colour);
    }
    EXPECT_EQ(further.size(), lab::plot::further_model_styles().size())
        << "64 names should reach each of the further colours";
}

// The registry is where the figures' colours come from: a lab-server that lists threads in
// another colour (a stand-in script given as --server-bin) draws threads in that colour, and a
// model it does not list (select) in a further style.
TEST(PlotStyle, TheFiguresTakeTheirColoursFromTheServersListing) {
    ScratchDir out;
    fs::path fake = out.path() / "fake-server";
    {
        std::ofstream script(fake);
        script << "#!/bin/sh\n"
                  "echo '{\"models\": [{\"name\": \"threads\", \"summary\": \"s\", "
                  "\"flags\": {}, \"plot\": {\"colour\": \"#123456\", \"point_type\": 3}}]}'\n";
    }
    fs::permissions(fake, fs::perms::owner_all);
    Outcome outcome =
        run(lab_plot(), {fixture("closed-io-cpu.json").string(), "--out",
                         (out.path() / "plots").string(), "--server-bin", fake.string()});
    ASSERT_FALSE(outcome.timed_out) << outcome.output;
    ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
    std::string script = read_file(out.path() / "plots" / "closed-io-cpu" / "throughput-io.gp");
    static const std::regex kLinetype(
        R"re(set linetype \d+ linecolor rgb "(#[0-9A-Fa-f]{6})".* pointtype (\d+) .*# (\S+))re");
    std::map<std::string, std::pair<std::string, std::string>> drawn;
    for (std::sregex_iterator it(script.begin(), script.end(), kLinetype), end; it != end; ++it)
        drawn[(*it)[3]] = {(*it)[1], (*it)[2]};
    ASSERT_EQ(drawn.count("threads"), 1u) << script;
    EXPECT_EQ(drawn["threads"], std::make_pair(std::string("#123456"), std::string("3")));
    lab::plot::ModelStyle select = lab::plot::ModelStyles().of("select");
    EXPECT_EQ(drawn["select"], std::make_pair(select.colour, std::to_string(select.point_type)));
}

// Without a lab-server to list the models, lab-plot cannot know their colours: one line, exit
// status 2, nothing drawn.
TEST(PlotBadInput, AServerBinaryThatCannotBeRunIsNamed) {
    ScratchDir out;
    const std::string missing = "/nonexistent/lab-server";
    Outcome outcome = run(lab_plot(), {fixture("closed-io-cpu.json").string(), "--out",
                                       out.path().string(), "--server-bin", missing});
    ASSERT_FALSE(outcome.timed_out) << outcome.output;
    EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("cannot run " + missing), std::string::npos) << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
    EXPECT_FALSE(fs::exists(out.path() / "closed-io-cpu")) << "drew pictures without styles";
}

TEST(PlotBadInput, AMissingFileIsNamed) {
    ScratchDir out;
    fs::path file = out.path() / "no-such-results.json";
    expect_refused(file, out.path(), {"no such file"});
}

TEST(PlotBadInput, AFileThatIsNotJsonIsNamed) {
    ScratchDir out;
    fs::path file = out.path() / "garbage.json";
    std::ofstream(file) << "this is not {json";
    expect_refused(file, out.path(), {"not a JSON object"});
}

TEST(PlotBadInput, AnUnknownSchemaVersionIsNamed) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    doc["schema_version"] = 99;
    fs::path file = out.path() / "future.json";
    write_json(file, doc);
    expect_refused(file, out.path(), {"schema_version 99"});
}

TEST(PlotBadInput, AFileWithoutRunsIsNamed) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    doc["runs"] = json::array();
    fs::path file = out.path() / "empty.json";
    write_json(file, doc);
    expect_refused(file, out.path(), {"no runs"});
}

TEST(PlotBadInput, ARunWithoutItsModelIsNamed) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    doc["runs"][3].erase("model");
    fs::path file = out.path() / "anonymous.json";
    write_json(file, doc);
    expect_refused(file, out.path(), {"runs[3]", "model"});
}

// Each field a figure reads: taking it out of one run names that run, the field and the figure.
TEST(PlotBadInput, ARunWithoutAFieldAFigureNeedsIsNamed) {
    struct Case {
        std::string pointer;
        std::string field;
        std::string figure;
    };
    const std::vector<Case> cases = {
        {"/client/throughput_rps", "client.throughput_rps", "throughput"},
        {"/client/latency_ns/p99", "client.latency_ns.p99", "latency"},
        {"/per_request/involuntary_ctx_switches", "per_request.involuntary_ctx_switches",
         "context-switches"},
        {"/per_request/blocked_us", "per_request.blocked_us", "cpu-blocked"},
        {"/server/peak_pss_kb", "server.peak_pss_kb", "memory"},
        {"/client/histogram_uncorrected", "client.histogram_uncorrected", "percentiles"},
        // Other runs have the connection counts, so this one must too.
        {"/client/connected", "client.connected.window_end", "connections"},
        {"/client/connect_timeouts", "client.connect_timeouts", "connections"},
    };
    json original = read_json(fixture("open-io.json"));
    // The last run is at the most connections, which the percentile figure reads.
    std::size_t last = original["runs"].size() - 1;
    const json& run = original["runs"][last];
    std::string label = "runs[" + std::to_string(last) + "] (" + run["model"].get<std::string>() +
                        ", workload io, " + std::to_string(run["connections"].get<int>()) +
                        " connections, repeat " + std::to_string(run["repeat"].get<int>()) + ")";
    for (const Case& c : cases) {
        SCOPED_TRACE(c.field);
        ScratchDir out;
        json doc = original;
        json::json_pointer pointer(c.pointer);
        doc["runs"][last][pointer.parent_pointer()].erase(pointer.back());
        fs::path file = out.path() / "lacking.json";
        write_json(file, doc);
        expect_refused(file, out.path(), {label, "has no " + c.field, c.figure + " figure"});
    }
}

// The time series figure draws one run per model at the most connections: a sample of those
// without a field stops it, naming the first model's run.
TEST(PlotBadInput, ATimeSeriesSampleWithoutAFieldIsNamed) {
    ScratchDir out;
    json doc = read_json(fixture("open-io.json"));
    int most = 0;
    for (const json& run : doc["runs"])
        most = std::max(most, run["connections"].get<int>());
    for (json& run : doc["runs"]) {
        if (run["connections"].get<int>() != most) continue;
        ASSERT_GT(run["timeseries"].size(), 4u);
        run["timeseries"][4].erase("accept_queue");
    }
    fs::path file = out.path() / "gappy.json";
    write_json(file, doc);
    expect_refused(file, out.path(),
                   {"(sequential, workload io, " + std::to_string(most) + " connections",
                    "has no timeseries[4].accept_queue", "timeseries figure"});
}

TEST(PlotBadInput, AGoodFileIsStillDrawnBesideABadOne) {
    ScratchDir out;
    fs::path missing = out.path() / "missing.json";
    Outcome outcome = run(lab_plot(), {missing.string(), fixture("open-io.json").string(), "--out",
                                       out.path().string()});
    ASSERT_FALSE(outcome.timed_out);
    EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(missing.string() + ": no such file"), std::string::npos)
        << outcome.output;
    expect_complete_png(out.path() / "open-io" / "throughput-io.png");
}

TEST(PlotBadInput, TwoFilesOfOneNameAreRefused) {
    ScratchDir out;
    fs::create_directories(out.path() / "other");
    fs::copy_file(fixture("open-io.json"), out.path() / "other" / "open-io.json");
    Outcome outcome = run(lab_plot(), {fixture("open-io.json").string(),
                                       (out.path() / "other" / "open-io.json").string(), "--out",
                                       out.path().string()});
    ASSERT_FALSE(outcome.timed_out);
    EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("would both be drawn into"), std::string::npos) << outcome.output;
}

TEST(PlotBadInput, ABadCommandLineExitsTwo) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{}, std::vector<std::string>{"--no-such-flag", "x.json"},
          std::vector<std::string>{"sweep"}}) {
        Outcome outcome = run(lab_plot(), args);
        ASSERT_FALSE(outcome.timed_out);
        EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
        EXPECT_NE(outcome.output.find("lab-plot: "), std::string::npos) << outcome.output;
    }
}

TEST(PlotBadInput, NoGnuplotSaysWhatToInstall) {
    ScratchDir out;
    Outcome outcome =
        run(lab_plot(), {fixture("open-io.json").string(), "--out", out.path().string()},
            (out.path() / "empty-path").string());
    ASSERT_FALSE(outcome.timed_out);
    EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("gnuplot-nox"), std::string::npos) << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
}

// --- Timelines, on the committed reference traces (results/reference/timelines/) ---

// The traces of `lab-harness timeline` committed as the reference run.
fs::path reference_trace(const std::string& name) {
    return fs::path(LAB_PLOT_FIXTURES).parent_path().parent_path() / "results" / "reference" /
           "timelines" / (name + ".json");
}

std::optional<lab::plot::Timeline> reference_timeline(const std::string& name) {
    std::string error;
    auto timeline = lab::plot::read_timeline(reference_trace(name).string(), error);
    EXPECT_TRUE(timeline) << error;
    return timeline;
}

const lab::plot::TimelineRequest* find_request(const lab::plot::Timeline& timeline, int client,
                                               int request) {
    for (const lab::plot::TimelineRequest& r : timeline.requests) {
        if (r.client == client && r.request == request) return &r;
    }
    ADD_FAILURE() << "no request " << request << " of client " << client;
    return nullptr;
}

// How long a request waited to be served (its send to the server's first span for it).
double wait_ms(const lab::plot::TimelineRequest& r) {
    return r.served_ms ? *r.served_ms - r.sent_ms : -1;
}

// From client's first send to its last reply.
double client_total_ms(const lab::plot::Timeline& timeline, int client) {
    double first = -1, last = 0;
    for (const lab::plot::TimelineRequest& r : timeline.requests) {
        if (r.client != client) continue;
        if (first < 0 || r.sent_ms < first) first = r.sent_ms;
        last = std::max(last, r.replied_ms);
    }
    return last - first;
}

// The longest server work span for client's task, in ms (a CPU slice of its request).
double work_slice_ms(const lab::plot::Timeline& timeline, int client) {
    const lab::plot::TimelineRequest* first = find_request(timeline, client, 1);
    if (first == nullptr) return 0;
    double longest = 0;
    for (const lab::plot::TimelineBar& b : timeline.bars) {
        if (b.kind == lab::plot::TimelineBar::Kind::ServerWork && b.task == first->task)
            longest = std::max(longest, b.end_ms - b.start_ms);
    }
    return longest;
}

// The sequential server serves client 1 to the end before it accepts client 2: client 2's
// first request waits in the listen backlog about as long as client 1's whole service, client
// 3's about twice that, and client 1's hardly at all. Once accepted, a client is not kept
// waiting again.
TEST(PlotTimeline, SequentialMixedClient2WaitsOneWholeServiceInTheBacklog) {
    auto timeline = reference_timeline("sequential-mixed");
    ASSERT_TRUE(timeline);
    double client1_total = client_total_ms(*timeline, 1);
    ASSERT_GT(client1_total, 0);
    const auto* first1 = find_request(*timeline, 1, 1);
    const auto* first2 = find_request(*timeline, 2, 1);
    const auto* first3 = find_request(*timeline, 3, 1);
    ASSERT_TRUE(first1 && first2 && first3);
    double wait2 = wait_ms(*first2);
    EXPECT_GE(wait2, 0.5 * client1_total) << "client 1 took " << client1_total << " ms";
    EXPECT_LE(wait2, 1.5 * client1_total) << "client 1 took " << client1_total << " ms";
    EXPECT_GE(wait_ms(*first1), 0.0);
    EXPECT_LT(wait_ms(*first1), 0.05 * wait2);
    EXPECT_GE(wait_ms(*first3), 1.5 * client1_total);
    EXPECT_LE(wait_ms(*first3), 2.5 * client1_total);
    for (const lab::plot::TimelineRequest& r : timeline->requests) {
        if (r.request > 1) {
            EXPECT_LT(wait_ms(r), 0.05 * wait2) << "client " << r.client;
        }
    }
}

// The select loop runs one request's CPU work at a time on its one thread: client 2's first
// request waits about one CPU slice of client 1's, client 3's about two slices, far less
// than a sequential client waits in the backlog.
TEST(PlotTimeline, SelectMixedClientsWaitForTheOthersCpuSlices) {
    auto timeline = reference_timeline("select-mixed");
    ASSERT_TRUE(timeline);
    double slice = work_slice_ms(*timeline, 1);
    ASSERT_GT(slice, 0);
    const auto* first1 = find_request(*timeline, 1, 1);
    const auto* first2 = find_request(*timeline, 2, 1);
    const auto* first3 = find_request(*timeline, 3, 1);
    ASSERT_TRUE(first1 && first2 && first3);
    EXPECT_LT(wait_ms(*first1), 0.1 * slice);
    EXPECT_GE(wait_ms(*first2), 0.5 * slice) << "a slice is " << slice << " ms";
    EXPECT_LE(wait_ms(*first2), 1.5 * slice) << "a slice is " << slice << " ms";
    EXPECT_GE(wait_ms(*first3), 1.5 * slice) << "a slice is " << slice << " ms";
    EXPECT_LE(wait_ms(*first3), 2.5 * slice) << "a slice is " << slice << " ms";
    for (const lab::plot::TimelineRequest& r : timeline->requests) {
        EXPECT_LT(wait_ms(r), 0.5 * client_total_ms(*timeline, 1)) << "client " << r.client;
    }
}

// Every request of every reference trace is split (the server has a span for each) between
// its send and its reply, and drawn as a waiting box then a served box that meet there.
TEST(PlotTimeline, EveryReferenceRequestIsSplitBetweenItsSendAndItsReply) {
    using Kind = lab::plot::TimelineBar::Kind;
    std::vector<fs::path> traces;
    for (const auto& entry : fs::directory_iterator(reference_trace("x").parent_path())) {
        if (entry.path().extension() == ".json") traces.push_back(entry.path());
    }
    ASSERT_EQ(traces.size(), 12u) << "four models by three scenarios";
    for (const fs::path& trace : traces) {
        SCOPED_TRACE(trace.filename().string());
        auto timeline = reference_timeline(trace.stem().string());
        ASSERT_TRUE(timeline);
        ASSERT_EQ(timeline->requests.size(), 9u);
        for (const lab::plot::TimelineRequest& r : timeline->requests) {
            ASSERT_TRUE(r.served_ms) << "client " << r.client << " request " << r.request;
            EXPECT_GE(*r.served_ms, r.sent_ms);
            EXPECT_LE(*r.served_ms, r.replied_ms);
            int waiting = 0, served = 0;
            for (const lab::plot::TimelineBar& b : timeline->bars) {
                if (b.task != r.task || b.phase != "request" || b.start_ms > r.replied_ms ||
                    b.end_ms < r.sent_ms)
                    continue;
                if (b.kind == Kind::ClientWaiting && b.start_ms == r.sent_ms &&
                    b.end_ms == *r.served_ms)
                    ++waiting;
                if (b.kind == Kind::ClientServed && b.start_ms == *r.served_ms &&
                    b.end_ms == r.replied_ms)
                    ++served;
                EXPECT_NE(b.kind, Kind::ClientUnsplit);
            }
            EXPECT_EQ(waiting, 1);
            EXPECT_EQ(served, 1);
        }
    }
}

// On a server row a wait for a client's task is drawn in the tint of that client's colour,
// its CPU work in the colour itself, and a wait for no client in neither; the select loop's
// I/O timers are a client's waits too.
TEST(PlotTimeline, AServerWaitIsTintedWithItsTasksColour) {
    using Kind = lab::plot::TimelineBar::Kind;
    for (const char* name : {"sequential-mixed", "select-mixed", "threads-io"}) {
        SCOPED_TRACE(name);
        auto timeline = reference_timeline(name);
        ASSERT_TRUE(timeline);
        std::map<std::uint64_t, int> client_of_task;
        std::set<std::string> client_colours;
        for (const lab::plot::TimelineRequest& r : timeline->requests) {
            client_of_task[r.task] = r.client;
            client_colours.insert(lab::plot::client_colour(r.client));
            client_colours.insert(lab::plot::wait_tint(lab::plot::client_colour(r.client)));
        }
        ASSERT_EQ(client_colours.size(), 6u) << "three colours and three tints, all different";
        std::map<std::string, int> waits;  // by phase
        for (const lab::plot::TimelineBar& b : timeline->bars) {
            if (b.phase == "request") continue;
            auto client = client_of_task.find(b.task);
            if (client == client_of_task.end()) {
                EXPECT_EQ(b.kind, Kind::ServerIdle) << b.phase;
                EXPECT_EQ(client_colours.count(b.colour), 0u) << b.phase << " " << b.colour;
                continue;
            }
            std::string colour = lab::plot::client_colour(client->second);
            if (b.phase == "cpu") {
                EXPECT_EQ(b.kind, Kind::ServerWork);
                EXPECT_EQ(b.colour, colour);
            } else {
                EXPECT_EQ(b.kind, Kind::ServerWait) << b.phase;
                EXPECT_EQ(b.colour, lab::plot::wait_tint(colour)) << b.phase;
                ++waits[b.phase];
            }
        }
        EXPECT_EQ(waits["io_wait"], 9) << "each request's I/O wait, a thread's or a timer's";
    }
    EXPECT_EQ(lab::plot::wait_tint("#0072B2"), "#99C7E0");
}

// A request whose task has no server span cannot be split: the chart says so (an unsplit box
// and its key entry) rather than calling all of it service.
TEST(PlotTimeline, ARequestWithoutServerSpansIsDrawnUnsplit) {
    using Kind = lab::plot::TimelineBar::Kind;
    ScratchDir out;
    json trace = read_json(reference_trace("sequential-mixed"));
    std::uint64_t task2 = 0;
    for (const json& e : trace["traceEvents"]) {
        if (e.value("cat", "") == "client" && e["args"]["client"] == 2)
            task2 = e["args"]["task"].get<std::uint64_t>();
    }
    ASSERT_NE(task2, 0u);
    json kept = json::array();
    for (const json& e : trace["traceEvents"]) {
        bool server_span_of_2 = e.value("cat", "") == "server" && e["args"]["task"] == task2;
        if (!server_span_of_2) kept.push_back(e);
    }
    trace["traceEvents"] = kept;
    fs::path file = out.path() / "sequential-mixed.json";
    write_json(file, trace);

    std::string error;
    auto timeline = lab::plot::read_timeline(file.string(), error);
    ASSERT_TRUE(timeline) << error;
    for (const lab::plot::TimelineRequest& r : timeline->requests)
        EXPECT_EQ(r.served_ms.has_value(), r.client != 2) << "client " << r.client;
    int unsplit = 0;
    for (const lab::plot::TimelineBar& b : timeline->bars) {
        if (b.task != task2) continue;
        EXPECT_EQ(b.kind, Kind::ClientUnsplit);
        ++unsplit;
    }
    EXPECT_EQ(unsplit, 3);

    Outcome outcome =
        run(lab_plot(), {"timeline", "--out", (out.path() / "plots").string(), file.string()});
    ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_EQ(outcome.output.find("lab-plot: gnuplot:"), std::string::npos) << outcome.output;
    std::string script = read_file(out.path() / "plots" / "timeline-sequential-mixed.gp");
    auto commands = plot_commands(script);
    ASSERT_EQ(commands.size(), 1u);
    auto keys = titles(commands[0]);
    EXPECT_NE(std::find(keys.begin(), keys.end(), "request: no server span for it (unsplit)"),
              keys.end());
}

// lab-plot draws the reference traces without a word from gnuplot, each panel's key saying
// what the tints and the hatching mean, and no unsplit entry where every request is split.
TEST(PlotTimeline, DrawsTheReferenceTracesWithAKeyForTheTintsAndTheWaits) {
    ScratchDir out;
    Outcome outcome = run(lab_plot(), {"timeline", "--out", out.path().string(),
                                       reference_trace("sequential-mixed").string(),
                                       reference_trace("select-mixed").string()});
    ASSERT_FALSE(outcome.timed_out) << outcome.output;
    ASSERT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_EQ(outcome.output.find("lab-plot: gnuplot:"), std::string::npos) << outcome.output;
    const std::vector<std::string> expected = {
        "server: CPU for a client (its colour)", "server: waiting on a client (its tint)",
        "server: waiting for any client", "request: waiting to be served", "request: being served"};
    for (const char* stem :
         {"timeline-sequential-mixed", "timeline-select-mixed", "timeline-all-mixed"}) {
        SCOPED_TRACE(stem);
        expect_complete_png(out.path() / (std::string(stem) + ".png"), kMinTimelineHeight);
        expect_complete_svg(out.path() / (std::string(stem) + ".svg"));
        auto commands = plot_commands(read_file(out.path() / (std::string(stem) + ".gp")));
        ASSERT_FALSE(commands.empty());
        for (const auto& command : commands)
            EXPECT_EQ(titles(command), expected);
    }
}

}  // namespace
