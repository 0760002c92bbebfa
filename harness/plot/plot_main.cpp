// lab-plot: draws the figures of lab-harness results files with gnuplot.
//   lab-plot [sweep] RESULTS.json... [--out DIR]
//       figures 1-8 of each results file (see sweep_figures.hpp), as PNG and SVG with the
//       gnuplot script of each beside it, into DIR/NAME/ (NAME: the file name without .json;
//       DIR: results/plots by default). Each model's colour and point shape are the registry's,
//       asked of lab-server (--server-bin, default the one beside lab-plot) at plot time.
// `sweep` is the default subcommand; further kinds of figure are further subcommands (see
// kSubcommands below).
// Exit status: 0 drawn; 1 gnuplot failed or a picture could not be written; 2 bad input (a
// missing or unreadable file, an unknown schema_version, no runs, a run without a field that a
// figure needs), a bad command line, no gnuplot, or (sweep) no lab-server to list the models'
// styles. A bad file does not stop the others.
#include <csignal>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include "render.hpp"
#include "server_models.hpp"
#include "sweep.hpp"
#include "sweep_figures.hpp"
#include "timeline_chart.hpp"

namespace {

constexpr int kDrawFailed = 1;
constexpr int kUsageError = 2;
constexpr const char* kDefaultOutDir = "results/plots";

// Prints one line, "lab-plot: MESSAGE", to stderr.
void complain(const std::string& message) {
    std::cerr << "lab-plot: " << message << "\n";
}

// The gnuplot to draw with, or "" after saying how to install it.
std::string gnuplot_or_complain() {
    std::string gnuplot = lab::plot::find_gnuplot();
    if (gnuplot.empty()) {
        complain(
            "gnuplot is not installed (or not on PATH): install it with "
            "`apt-get install gnuplot-nox` (or run ./lab setup)");
    }
    return gnuplot;
}

// What `lab-plot sweep` was asked to draw, and where.
struct SweepOptions {
    std::vector<std::string> files;
    std::string out_dir = kDefaultOutDir;
    std::string server_bin;  // the lab-server whose registry gives the models' styles
};

// The models' styles as the registry gives them (`lab-server --list-models --json`), or
// nullopt after saying why the server binary could not tell.
std::optional<lab::plot::ModelStyles> registry_styles_or_complain(const std::string& server_bin) {
    std::string error;
    auto listed = lab::list_server_models(server_bin, error);
    if (!listed) {
        complain(error + " (lab-plot takes each model's colour from its registry entry)");
        return std::nullopt;
    }
    std::map<std::string, lab::plot::ModelStyle> registry;
    for (const lab::ListedModel& model : *listed)
        registry[model.name] = {model.plot_colour, model.plot_point_type};
    return lab::plot::ModelStyles(std::move(registry));
}

// lab-plot sweep: figures 1-8 of each file. Returns the exit status.
int run_sweep(const SweepOptions& options) {
    if (options.files.empty()) {
        complain("give one or more results files, e.g. lab-plot results/demo.json (see --help)");
        return kUsageError;
    }
    // Two files with one name would draw into one directory, the second over the first.
    std::map<std::string, std::string> file_of_name;
    for (const std::string& file : options.files) {
        std::string name = std::filesystem::path(file).stem().string();
        auto [seen, inserted] = file_of_name.emplace(name, file);
        if (!inserted && seen->second != file) {
            complain(seen->second + " and " + file + " would both be drawn into " +
                     (std::filesystem::path(options.out_dir) / name).string() +
                     ": give them in separate runs with different --out");
            return kUsageError;
        }
    }
    std::string gnuplot = gnuplot_or_complain();
    if (gnuplot.empty()) return kUsageError;
    auto styles = registry_styles_or_complain(
        options.server_bin.empty() ? lab::lab_server_beside_self() : options.server_bin);
    if (!styles) return kUsageError;

    int status = 0;
    std::vector<std::string> done;
    for (const std::string& file : options.files) {
        if (std::find(done.begin(), done.end(), file) != done.end()) continue;
        done.push_back(file);
        std::string error;
        std::optional<lab::plot::Sweep> sweep;
        std::vector<std::string> notes;
        std::optional<std::vector<lab::plot::Figure>> figures;
        try {
            sweep = lab::plot::load_sweep(file, error);
            if (sweep) figures = lab::plot::sweep_figures(*sweep, *styles, notes, error);
        } catch (const nlohmann::json::exception& e) {
            // A field of an unexpected type that the checks did not foresee: still bad input.
            error = file + ": not a results file lab-plot can read (" + e.what() + ")";
        }
        if (!figures) {
            complain(error);
            status = std::max(status, kUsageError);
            continue;
        }
        for (const std::string& note : notes)
            complain("note: " + note);
        std::filesystem::path directory = std::filesystem::path(options.out_dir) / sweep->name;
        if (!lab::plot::draw_figures(gnuplot, directory, *figures, error)) {
            complain(file + ": " + error);
            status = std::max(status, kDrawFailed);
            continue;
        }
        std::cerr << "lab-plot: " << file << ": " << figures->size() << " figures in "
                  << directory.string() << "/\n";
    }
    return status;
}

// Adds the sweep subcommand's options to command; returns what runs it.
std::function<int()> add_sweep(CLI::App& command) {
    auto options = std::make_shared<SweepOptions>();
    command.add_option("files", options->files, "lab-harness results files (JSON)")
        ->type_name("RESULTS.json");
    command
        .add_option("--out", options->out_dir,
                    "Draw each file's figures into DIR/NAME/, NAME being the file name "
                    "without .json (default results/plots)")
        ->type_name("DIR");
    command
        .add_option("--server-bin", options->server_bin,
                    "The lab-server whose registry gives each model's colour and point shape "
                    "(default: the one beside lab-plot)")
        ->type_name("PATH");
    return [options] { return run_sweep(*options); };
}

// What `lab-plot timeline` was asked to draw, and where.
struct TimelineOptions {
    std::vector<std::string> files;
    std::string out_dir = "results/plots/timelines";
};

// lab-plot timeline: a Gantt chart per trace of `lab-harness timeline`, and one per scenario
// with every model given. Returns the exit status.
int run_timeline(const TimelineOptions& options) {
    if (options.files.empty()) {
        complain("give one or more traces of `lab-harness timeline` (see --help)");
        return kUsageError;
    }
    std::string error;
    auto figures = lab::plot::timeline_figures(options.files, error);
    if (!figures) {
        complain(error);
        return kUsageError;
    }
    std::string gnuplot = gnuplot_or_complain();
    if (gnuplot.empty()) return kUsageError;
    if (!lab::plot::draw_figures(gnuplot, options.out_dir, *figures, error)) {
        complain(error);
        return kDrawFailed;
    }
    std::cerr << "lab-plot: " << figures->size() << " timelines in " << options.out_dir << "/\n";
    return 0;
}

std::function<int()> add_timeline(CLI::App& command) {
    auto options = std::make_shared<TimelineOptions>();
    command.add_option("files", options->files, "traces written by lab-harness timeline")
        ->type_name("TRACE.json");
    command.add_option("--out", options->out_dir, "Directory (default results/plots/timelines)")
        ->type_name("DIR");
    return [options] { return run_timeline(*options); };
}

// lab-plot's subcommands. Each adds its options to its CLI11 subcommand and returns the
// function that runs it. The first is the default: `lab-plot FILE...` means
// `lab-plot sweep FILE...`. A new kind of figure (the timelines of issue 4) is one more entry.
struct Subcommand {
    const char* name;
    const char* description;
    std::function<std::function<int()>(CLI::App&)> add;
};
const std::vector<Subcommand> kSubcommands = {
    {"sweep",
     "Figures 1-8 of each results file: throughput, latency, context switches, CPU and blocked "
     "time, memory and tasks, one run over time, latency percentiles, connections held and "
     "refused (the default)",
     add_sweep},
    {"timeline",
     "Gantt charts of `lab-harness timeline` traces: a row per server thread or process and "
     "per client, bars coloured by client, waiting in gray; one chart per scenario with all",
     add_timeline},
};

bool is_subcommand(const std::string& word) {
    return std::any_of(kSubcommands.begin(), kSubcommands.end(),
                       [&](const Subcommand& s) { return word == s.name; });
}

}  // namespace

int main(int argc, char** argv) {
    // gnuplot may exit before reading all it is sent; the pictures are checked afterwards.
    std::signal(SIGPIPE, SIG_IGN);

    std::vector<std::string> args(argv + 1, argv + argc);
    bool asks_help = !args.empty() && (args[0] == "-h" || args[0] == "--help");
    if (args.empty() || (!asks_help && !is_subcommand(args[0])))
        args.insert(args.begin(), kSubcommands.front().name);

    CLI::App app{
        "lab-plot: draw the figures of lab-harness results files with gnuplot (PNG and SVG, "
        "and the gnuplot script of each)."};
    app.name("lab-plot");
    app.footer(std::string("`lab-plot FILE...` is short for `lab-plot ") +
               kSubcommands.front().name + " FILE...`.");
    app.require_subcommand(1);
    std::map<const CLI::App*, std::function<int()>> runners;
    for (const Subcommand& subcommand : kSubcommands) {
        CLI::App* command = app.add_subcommand(subcommand.name, subcommand.description);
        runners[command] = subcommand.add(*command);
    }
    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 wants it so
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        complain(what + " (see --help)");
        return kUsageError;
    }
    for (const CLI::App* command : app.get_subcommands())
        return runners.at(command)();
    return kUsageError;  // unreachable: require_subcommand(1)
}
