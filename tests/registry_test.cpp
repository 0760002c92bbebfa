// The registry (models/models.cpp) as the tools see it: `lab-server --list-models --json`, read
// with the function lab-harness and lab-plot use (harness/server_models.hpp). It registers
// nothing; it checks that every model in the registry, whichever they are, has what the tools
// need, so that a new model's one entry is enough: a name that fits a label and the counter
// block, a one-line summary, a colour and point shape of its own for lab-plot (none of lab-plot's
// further styles), and flags that lab-server has, each with a default in its range. And the
// plain listing (./lab demo, harness/bench/crosscheck-wrk) says the same.
#include <stdio.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "command_output.hpp"
#include "figure.hpp"
#include "server_models.hpp"

namespace {

std::vector<lab::ListedModel> listed_models() {
    std::string error;
    auto models = lab::list_server_models(LAB_SERVER_PATH, error);
    EXPECT_TRUE(models.has_value()) << error;
    return models.value_or(std::vector<lab::ListedModel>{});
}

TEST(Registry, ListsModels) {
    EXPECT_FALSE(listed_models().empty());
}

// --model NAME, a --connect label of lab-harness (letters, digits, - and _) and the counter
// block's model field (31 bytes and a NUL); unique.
TEST(Registry, EveryModelHasANameThatFitsEveryTool) {
    static const std::regex kName("[a-z0-9_-]{1,31}");
    std::set<std::string> names;
    for (const lab::ListedModel& model : listed_models()) {
        EXPECT_TRUE(std::regex_match(model.name, kName)) << "'" << model.name << "'";
        EXPECT_TRUE(names.insert(model.name).second) << model.name << " twice";
    }
}

// --help and --list-models print it on one line after a tab.
TEST(Registry, EveryModelHasAOneLineSummary) {
    for (const lab::ListedModel& model : listed_models()) {
        EXPECT_FALSE(model.summary.empty()) << model.name;
        EXPECT_EQ(model.summary.find_first_of("\t\n"), std::string::npos) << model.name;
    }
}

// lab-plot draws each model in its registry colour and point shape: each must be well-formed,
// its own, and none of the further styles lab-plot gives names outside the registry.
TEST(Registry, EveryModelHasAPlotStyleOfItsOwn) {
    static const std::regex kColour("#[0-9A-F]{6}");
    std::set<std::string> further_colours;
    std::set<int> further_shapes;
    for (const lab::plot::ModelStyle& style : lab::plot::further_model_styles()) {
        further_colours.insert(style.colour);
        further_shapes.insert(style.point_type);
    }
    std::set<std::string> colours;
    std::set<int> shapes;
    for (const lab::ListedModel& model : listed_models()) {
        SCOPED_TRACE(model.name);
        EXPECT_TRUE(std::regex_match(model.plot_colour, kColour))
            << "'" << model.plot_colour << "': give its entry .plot = {.colour = \"#RRGGBB\"}";
        EXPECT_GE(model.plot_point_type, 1);
        EXPECT_LE(model.plot_point_type, 15) << "gnuplot's point types are 1 to 15";
        EXPECT_TRUE(colours.insert(model.plot_colour).second) << "another model's colour";
        EXPECT_TRUE(shapes.insert(model.plot_point_type).second) << "another model's shape";
        EXPECT_EQ(further_colours.count(model.plot_colour), 0u) << "a further style's colour";
        EXPECT_EQ(further_shapes.count(model.plot_point_type), 0u) << "a further style's shape";
    }
}

// The flags a model lists are lab-server flags (its --help names them) of a model's own (not
// --model, --port and the others every model takes), a value flag's default (or null: the
// system's) lies within its range, and a choice's default (or null) is one of its choices. ./lab
// reads --max-clients' maximum from here.
TEST(Registry, EveryModelsFlagsAreLabServerFlagsWithTheirRanges) {
    const std::string help = lab::test::command_output(std::string(LAB_SERVER_PATH) + " --help");
    ASSERT_NE(help.find("--list-models"), std::string::npos) << help;
    const std::set<std::string> kOwnFlags = {
        "--max-clients",         "--workers",     "--thread-stack-kb", "--blocking-io-in-loop",
        "--db-blocking-in-loop", "--db-pool",     "--loops",           "--accept",
        "--libevent-backend",    "--recv-buffers"};
    for (const lab::ListedModel& model : listed_models()) {
        ASSERT_TRUE(model.flags.is_object()) << model.name;
        for (const auto& [flag, range] : model.flags.items()) {
            SCOPED_TRACE(model.name + " " + flag);
            EXPECT_EQ(kOwnFlags.count(flag), 1u) << "not a flag of a model's own";
            EXPECT_NE(help.find(flag), std::string::npos) << "lab-server --help has no " << flag;
            ASSERT_TRUE(range.is_object());
            ASSERT_TRUE(range.contains("default"));
            if (range.contains("choices")) {  // a choice: null (the default's own) or one of them
                ASSERT_TRUE(range["choices"].is_array());
                EXPECT_FALSE(range["choices"].empty());
                for (const auto& choice : range["choices"])
                    EXPECT_TRUE(choice.is_string()) << choice;
                if (!range["default"].is_null()) {
                    EXPECT_NE(std::find(range["choices"].begin(), range["choices"].end(),
                                        range["default"]),
                              range["choices"].end());
                }
                continue;
            }
            if (!range.contains("min")) {  // a switch
                EXPECT_EQ(range["default"], false);
                continue;
            }
            ASSERT_TRUE(range["min"].is_number_unsigned());
            ASSERT_TRUE(range["max"].is_number_unsigned());
            EXPECT_LE(range["min"].get<std::uint64_t>(), range["max"].get<std::uint64_t>());
            if (range["default"].is_null()) continue;
            ASSERT_TRUE(range["default"].is_number_unsigned());
            EXPECT_GE(range["default"].get<std::uint64_t>(), range["min"].get<std::uint64_t>());
            EXPECT_LE(range["default"].get<std::uint64_t>(), range["max"].get<std::uint64_t>());
        }
    }
}

// `lab-server --list-models` (NAME, a tab, SUMMARY) names the same models in the same order.
TEST(Registry, ThePlainListingSaysTheSame) {
    std::istringstream plain(
        lab::test::command_output(std::string(LAB_SERVER_PATH) + " --list-models"));
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(plain, line))
        lines.push_back(line);
    std::vector<std::string> expected;
    for (const lab::ListedModel& model : listed_models())
        expected.push_back(model.name + "\t" + model.summary);
    EXPECT_EQ(lines, expected);
}

}  // namespace
