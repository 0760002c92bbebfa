// See sweep_figures.hpp. Each figure is built by one function below, in the order;
// they share the per-model data blocks of "median, min, max over the repeats" and the
// connection-count x axis.
#include "sweep_figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>

namespace lab::plot {
namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNsPerMs = 1e6;
constexpr double kKbPerMib = 1024;
constexpr double kUsPerMs = 1e3;
// Models' points at one connection count are spread apart by this factor on the log x axis,
// so that their error bars do not hide each other.
constexpr double kDodgeFactor = 1.04;
// The connection axis reaches this factor beyond the smallest and largest counts.
constexpr double kConnectionAxisMargin = 1.5;
// A log y axis reaches at least this factor beyond the lowest and highest values.
constexpr double kLogAxisMargin = 1.15;
// Points on the percentile axis of the spectrum (log-spaced from 0% to the last sample).
constexpr int kSpectrumPoints = 240;
// The latency histogram clamps values above 2^40 ns (results/SCHEMA.md).
constexpr double kHistogramCeilingNs = 1099511627776.0;
// Most buckets a histogram may have: 256 exact values and 128 per power of two up to 2^40.
constexpr std::size_t kMaxHistogramBuckets = 256 + 128 * 40;
// Most samples of a run's time series (results/SCHEMA.md).
constexpr std::size_t kMaxTimeseriesSamples = 10'000;

// Thrown by the field readers below and caught by sweep_figures, which turns it into the
// error line; never leaves this file.
struct MissingField {
    std::string message;
};

// "/client/latency_ns/p99" -> "client.latency_ns.p99"
std::string dotted(const std::string& pointer) {
    std::string text = pointer.substr(1);
    std::replace(text.begin(), text.end(), '/', '.');
    return text;
}

// Stops the figures: run lacks what (a field and its kind), which figure needs.
[[noreturn]] void missing(const Run& run, const std::string& what, const std::string& figure) {
    throw MissingField{run.label() + " has no " + what + ", which the " + figure + " figure needs"};
}

// The number at pointer in a run; a missing field or one that is not a number is an error.
double number_at(const Run& run, const std::string& pointer, const std::string& figure) {
    json::json_pointer where(pointer);
    if (!run.data.contains(where) || !run.data.at(where).is_number())
        missing(run, dotted(pointer) + " (a number)", figure);
    return run.data.at(where).get<double>();
}

// True if the field at pointer is there and null: a figure the harness could not know.
bool is_null_at(const Run& run, const std::string& pointer) {
    json::json_pointer where(pointer);
    return run.data.contains(where) && run.data.at(where).is_null();
}

// The array at pointer in a run; a missing field or one that is not an array is an error.
const json& array_at(const Run& run, const std::string& pointer, const std::string& figure) {
    json::json_pointer where(pointer);
    if (!run.data.contains(where) || !run.data.at(where).is_array())
        missing(run, dotted(pointer) + " (an array)", figure);
    return run.data.at(where);
}

// Median, lowest and highest of the finite values; NaN for all three if there are none.
struct Spread {
    double median = kNaN;
    double low = kNaN;
    double high = kNaN;
};

// The spread of values, NaNs and infinities left out.
Spread spread_of(std::vector<double> values) {
    values.erase(
        std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
        values.end());
    if (values.empty()) return {};
    std::sort(values.begin(), values.end());
    std::size_t n = values.size();
    double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return {median, values.front(), values.back()};
}

// A number in a label or a range: as gnuplot data, %.6g.
std::string number_text(double value) {
    return data_number(value);
}

// "1 run", "2 runs".
std::string plural(std::uint64_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// What every figure of one workload shares: names, caption, axis for connections.
struct Context {
    const Sweep* sweep = nullptr;
    const WorkloadRuns* workload = nullptr;
    const ModelStyles* styles = nullptr;                // how each model is drawn
    std::map<std::string, std::string> block_of_model;  // model -> gnuplot datablock name
    std::string file_tag;                               // the workload in file names
    std::string subtitle;
    std::string alarm;
    std::string machine_line;
    std::uint64_t max_repeats = 1;  // most repeats of any (model, connections)
    bool spread = false;            // max_repeats > 1: draw min–max around the median
};

// A gnuplot identifier for each model: its name with other characters as _, made unique.
std::map<std::string, std::string> datablock_names(const std::vector<std::string>& models) {
    std::map<std::string, std::string> names;
    std::vector<std::string> taken;
    for (const std::string& model : models) {
        std::string name;
        for (char c : model) {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            name += ok ? c : '_';
        }
        if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "model_" + name;
        std::string unique = name;
        for (int n = 2; std::find(taken.begin(), taken.end(), unique) != taken.end(); ++n)
            unique = name + "_" + std::to_string(n);
        taken.push_back(unique);
        names[model] = unique;
    }
    return names;
}

// The workload's name as it may appear in a file name.
std::string file_tag(const std::string& workload) {
    std::string tag;
    for (char c : workload) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        tag += ok ? c : '_';
    }
    if (tag.empty() || tag[0] == '.') tag = "w" + tag;
    return tag;
}

// The string or number at pointer in doc as text, or otherwise if there is none.
std::string text_at(const json& doc, const std::string& pointer, const std::string& otherwise) {
    json::json_pointer where(pointer);
    if (!doc.contains(where)) return otherwise;
    const json& value = doc.at(where);
    if (value.is_string())
        return value.get<std::string>().empty() ? otherwise : value.get<std::string>();
    if (value.is_number()) return value.dump();
    return otherwise;
}

// The context of one workload's figures; workload must be one of sweep's and outlive it.
Context make_context(const Sweep& sweep, const WorkloadRuns& workload, const ModelStyles& styles) {
    Context context;
    context.sweep = &sweep;
    context.workload = &workload;
    context.styles = &styles;
    context.block_of_model = datablock_names(workload.models);
    context.file_tag = file_tag(workload.name);
    for (const std::string& model : workload.models) {
        for (std::uint64_t count : workload.connections) {
            context.max_repeats = std::max<std::uint64_t>(context.max_repeats,
                                                          workload.repeats_of(model, count).size());
        }
    }
    context.spread = context.max_repeats > 1;

    context.subtitle = "workload " + workload.name;
    if (!workload.description.empty()) context.subtitle += ": " + workload.description;
    context.subtitle += workload.open_loop
                            ? " (open loop, " + number_text(workload.rate_rps) + " requests/s)"
                            : " (closed loop)";

    const json& doc = sweep.doc;
    bool sanitized =
        doc.contains("tool") && doc["tool"].is_object() && doc["tool"].value("sanitized", false);
    if (sanitized) {
        context.alarm = "SANITIZER BUILD (" + text_at(doc, "/tool/sanitizers", "?") +
                        "): these figures are NOT representative of the models";
    }
    std::string cores = text_at(doc, "/machine/cores", "?");
    context.machine_line = "machine: " + text_at(doc, "/machine/cpu_model", "unknown CPU") + ", " +
                           cores + (cores == "1" ? " core, " : " cores, ") +
                           text_at(doc, "/machine/kernel", "unknown kernel") + "  ·  " +
                           text_at(doc, "/tool/build_type", "unknown") + " build" +
                           (sanitized ? " WITH SANITIZERS" : "") + ", lab-harness " +
                           text_at(doc, "/tool/version", "?") + " (git " +
                           text_at(doc, "/tool/git_revision", "unknown") + ")  ·  " + sweep.name +
                           ".json";
    return context;
}

// The caption's second line: how the runs were made and what the marks mean.
std::string method_line(const Context& context, const std::string& marks) {
    const json& doc = context.sweep->doc;
    std::string line;
    json::json_pointer duration("/config/duration_s");
    json::json_pointer warmup("/config/warmup_s");
    if (doc.contains(duration) && doc.at(duration).is_number()) {
        line += number_text(doc.at(duration).get<double>()) + " s measured per run";
        if (doc.contains(warmup) && doc.at(warmup).is_number())
            line += " after " + number_text(doc.at(warmup).get<double>()) + " s of warm-up";
        line += "  ·  ";
    }
    line += marks;
    if (doc.value("interrupted", false)) line += "  ·  the sweep was interrupted: runs are missing";
    if (doc.contains("start_failure")) line += "  ·  the sweep stopped: a server would not start";
    std::size_t failed = 0;
    for (const Run& run : context.workload->runs)
        if (run.data.value("server_failed", false)) ++failed;
    if (failed > 0)
        line += "  ·  " + plural(failed, "run", "runs") + " where the server failed are included";
    return line;
}

// The caption's words for the marks of a connection sweep.
std::string spread_marks(const Context& context) {
    return context.spread
               ? "points: median of up to " + plural(context.max_repeats, "repeat", "repeats") +
                     ", bars: lowest to highest"
               : "one run per point";
}

// A figure NAME-WORKLOAD with the titles, caption and models every figure of the workload has.
Figure new_figure(const Context& context, const std::string& name, const std::string& title,
                  const std::string& what) {
    Figure figure;
    figure.stem = name + "-" + context.file_tag;
    figure.about = {what, "workload " + context.workload->name + " of " + context.sweep->path +
                              " (figure '" + name + "' of lab-plot)."};
    figure.title = title;
    figure.subtitle = context.subtitle;
    figure.alarm = context.alarm;
    figure.caption = {context.machine_line};
    figure.models = context.workload->models;
    figure.styles = *context.styles;
    return figure;
}

// ----- Figures against connections (1 to 5) -----

// One measured quantity of a connection sweep: where it is in a run, in what unit it is drawn.
struct Quantity {
    std::string pointer;   // JSON pointer into the run
    double scale = 1;      // multiplies the stored value into the plotted unit
    bool zero_is_missing;  // true: 0 means "not sampled" (memory peaks), so leave it out
    std::string column;    // the datablock column's name and unit
};

// Per model: connections, then median/min/max of each quantity over the repeats, then the
// number of repeats. Quantity q is in columns 2 + 3q (median), 3 + 3q (min), 4 + 3q (max).
// A null value is one the harness could not know (results/SCHEMA.md): it is left out like a
// "not sampled" 0, and its run added to unsampled_runs too.
std::vector<Datablock> connection_blocks(const Context& context,
                                         const std::vector<Quantity>& quantities,
                                         const std::string& figure_name,
                                         std::set<std::size_t>& unsampled_runs) {
    const WorkloadRuns& workload = *context.workload;
    std::vector<Datablock> blocks;
    std::string columns = "connections";
    for (const Quantity& q : quantities)
        columns += ", " + q.column + " (median min max)";
    columns += ", repeats";
    for (const std::string& model : workload.models) {
        Datablock block;
        block.name = context.block_of_model.at(model);
        block.columns = model + ": " + columns;
        for (std::uint64_t count : workload.connections) {
            std::vector<const Run*> repeats = workload.repeats_of(model, count);
            if (repeats.empty()) continue;
            std::vector<double> row = {static_cast<double>(count)};
            for (const Quantity& q : quantities) {
                std::vector<double> values;
                for (const Run* run : repeats) {
                    if (is_null_at(*run, q.pointer)) {
                        unsampled_runs.insert(run->index);
                        continue;
                    }
                    double value = number_at(*run, q.pointer, figure_name);
                    if (q.zero_is_missing && value == 0) {
                        unsampled_runs.insert(run->index);
                        continue;
                    }
                    values.push_back(value * q.scale);
                }
                Spread s = spread_of(values);
                row.insert(row.end(), {s.median, s.low, s.high});
            }
            row.push_back(static_cast<double>(repeats.size()));
            block.rows.push_back(std::move(row));
        }
        blocks.push_back(std::move(block));
    }
    return blocks;
}

// Lowest and highest plotted value of quantities qs over the blocks (positive ones only for a
// log axis); nullopt if there is none.
std::optional<std::pair<double, double>> extent(const std::vector<Datablock>& blocks,
                                                const std::vector<std::size_t>& qs, bool log) {
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (const Datablock& block : blocks) {
        for (const std::vector<double>& row : block.rows) {
            for (std::size_t q : qs) {
                for (std::size_t c = 1 + 3 * q; c < 4 + 3 * q; ++c) {
                    double v = row[c];
                    if (!std::isfinite(v) || (log && v <= 0)) continue;
                    low = std::min(low, v);
                    high = std::max(high, v);
                }
            }
        }
    }
    if (!(low <= high)) return std::nullopt;
    return std::make_pair(low, high);
}

// A y range from 0 to a little above the highest value.
std::string linear_range(std::optional<std::pair<double, double>> values) {
    double high = values ? values->second * 1.08 : 1;
    if (!(high > 0)) high = 1;
    return "[0:" + number_text(high) + "]";
}

// Puts panel's y axis on a log scale from a 1-2-5 step below the lowest value to one above the
// highest. Over less than three decades gnuplot labels few tics (or none: it labels powers of
// ten), so the tics are then listed: 1, 2, 5 times a power of ten, or finer if that gives few.
void set_log_y(Panel& panel, std::optional<std::pair<double, double>> values) {
    panel.log_y = true;
    if (!values) return;
    const double steps[] = {1, 2, 5};
    auto step_below = [&](double v) {
        double decade = std::pow(10.0, std::floor(std::log10(v)));
        double best = decade;
        for (double s : steps)
            if (s * decade <= v) best = s * decade;
        return best;
    };
    auto step_above = [&](double v) {
        double decade = std::pow(10.0, std::floor(std::log10(v)));
        for (double s : steps)
            if (s * decade >= v) return s * decade;
        return 10 * decade;
    };
    double low = step_below(values->first / kLogAxisMargin);
    double high = step_above(values->second * kLogAxisMargin);
    // A hair wider than the end tics: gnuplot drops a tic label that rounding puts outside.
    panel.yrange = "[" + number_text(low * 0.999) + ":" + number_text(high * 1.001) + "]";
    if (high / low >= 1000) return;  // powers of ten label it well enough
    std::vector<double> tics;
    for (const std::vector<double>& mantissas :
         {std::vector<double>{1, 2, 5}, std::vector<double>{1, 1.5, 2, 3, 5, 7}}) {
        tics.clear();
        for (double decade = std::pow(10.0, std::floor(std::log10(low))); decade <= high;
             decade *= 10) {
            for (double m : mantissas) {
                double tic = m * decade;
                if (tic >= low * 0.999 && tic <= high * 1.001) tics.push_back(tic);
            }
        }
        if (tics.size() >= 4) break;
    }
    std::string list = "(";
    for (std::size_t i = 0; i < tics.size(); ++i)
        list += (i ? ", " : "") + number_text(tics[i]);
    panel.ytics = list + ")";
}

// The x axis of connection counts: log scale, a tic at each count that was run.
void connection_axis(const Context& context, Panel& panel) {
    const std::vector<std::uint64_t>& counts = context.workload->connections;
    panel.log_x = true;
    panel.xlabel = "concurrent client connections (log scale)";
    std::string tics = "(";
    for (std::size_t i = 0; i < counts.size(); ++i)
        tics += (i ? ", " : "") + std::to_string(counts[i]);
    panel.xtics = tics + ")";
    panel.xrange = "[" + number_text(static_cast<double>(counts.front()) / kConnectionAxisMargin) +
                   ":" + number_text(static_cast<double>(counts.back()) * kConnectionAxisMargin) +
                   "]";
}

// A panel with one line per model of quantity q against connections. With repeats the models'
// points are dodged apart (so that their error bars do not hide each other); with dodge_always
// also without repeats, for a figure where models often have the very same value.
Panel connection_panel(const Context& context, std::size_t q, const std::string& title,
                       const std::string& ylabel, bool dodge_always = false) {
    Panel panel;
    panel.title = title;
    panel.ylabel = ylabel;
    connection_axis(context, panel);
    const std::vector<std::string>& models = context.workload->models;
    for (std::size_t m = 0; m < models.size(); ++m) {
        Series series;
        series.model = models[m];
        series.datablock = context.block_of_model.at(models[m]);
        std::string median = std::to_string(2 + 3 * q);
        if (context.spread) {
            series.using_columns = "(dodge($1," + std::to_string(m) + ")):" + median + ":" +
                                   std::to_string(3 + 3 * q) + ":" + std::to_string(4 + 3 * q);
            series.with = "yerrorlines";
        } else if (dodge_always) {
            series.using_columns = "(dodge($1," + std::to_string(m) + ")):" + median;
            series.with = "linespoints";
        } else {
            series.using_columns = "1:" + median;
            series.with = "linespoints";
        }
        panel.series.push_back(std::move(series));
    }
    return panel;
}

// The dodge function connection_panel's series use: with repeats, or with dodge_always.
std::vector<std::string> dodge_definition(const Context& context, bool dodge_always = false) {
    if (!context.spread && !dodge_always) return {};
    double centre = static_cast<double>(context.workload->models.size() - 1) / 2;
    return {
        "# dodge(x, i): model i's points sit a little apart from the others' at the same x,",
        "# so that they and their error bars do not hide each other. Set the factor to 1 to undo.",
        "dodge(x, i) = x * " + number_text(kDodgeFactor) + "**(i - " + number_text(centre) + ")"};
}

Figure throughput_figure(const Context& context) {
    std::set<std::size_t> unsampled;
    std::vector<Quantity> quantities = {
        {"/client/throughput_rps", 1, false, "throughput (requests/s)"}};
    Figure figure = new_figure(context, "throughput", "Throughput against connections",
                               "throughput against connections, one line per model.");
    figure.data = connection_blocks(context, quantities, "throughput", unsampled);
    figure.definitions = dodge_definition(context);
    Panel panel = connection_panel(context, 0, "requests answered per second (client side)",
                                   "throughput (requests/s)");
    panel.yrange = linear_range(extent(figure.data, {0}, false));
    figure.panels = {panel};
    figure.caption.push_back(method_line(context, spread_marks(context)));
    figure.width_px = 1100;
    figure.height_px = 720;
    return figure;
}

Figure latency_figure(const Context& context) {
    std::set<std::size_t> unsampled;
    std::vector<Quantity> quantities = {
        {"/client/latency_ns/p50", 1 / kNsPerMs, false, "p50 latency (ms)"},
        {"/client/latency_ns/p99", 1 / kNsPerMs, false, "p99 latency (ms)"}};
    Figure figure = new_figure(context, "latency", "Latency against connections",
                               "latency p50 and p99 against connections, one line per model.");
    figure.data = connection_blocks(context, quantities, "latency", unsampled);
    figure.definitions = dodge_definition(context);
    std::string ylabel = context.workload->open_loop
                             ? "latency from the scheduled send (ms, log scale)"
                             : "latency (ms, log scale)";
    std::optional<std::pair<double, double>> range = extent(figure.data, {0, 1}, true);
    for (std::size_t q = 0; q < 2; ++q) {
        Panel panel =
            connection_panel(context, q,
                             q == 0 ? "median (p50): half the requests took longer"
                                    : "99th percentile (p99): 1 request in 100 took longer",
                             ylabel);
        set_log_y(panel, range);
        figure.panels.push_back(std::move(panel));
    }
    figure.columns = 2;
    figure.caption.push_back(method_line(context, spread_marks(context)));
    figure.width_px = 1400;
    figure.height_px = 720;
    return figure;
}

Figure context_switch_figure(const Context& context) {
    std::set<std::size_t> unsampled;
    std::vector<Quantity> quantities = {
        {"/per_request/voluntary_ctx_switches", 1, false, "voluntary switches per request"},
        {"/per_request/involuntary_ctx_switches", 1, false, "involuntary switches per request"}};
    Figure figure = new_figure(context, "context-switches", "Context switches per request",
                               "the server's voluntary and involuntary context switches per "
                               "request, one line per model.");
    figure.data = connection_blocks(context, quantities, "context-switches", unsampled);
    figure.definitions = dodge_definition(context);
    std::string range = linear_range(extent(figure.data, {0, 1}, false));
    Panel voluntary = connection_panel(
        context, 0, "voluntary: a task gave up its CPU to wait (read, sleep, lock, accept)",
        "context switches per request");
    Panel involuntary =
        connection_panel(context, 1, "involuntary: the scheduler took the CPU away (preempted)",
                         "context switches per request");
    voluntary.yrange = involuntary.yrange = range;
    figure.panels = {voluntary, involuntary};
    figure.columns = 2;
    figure.caption.push_back(method_line(
        context, "all the server's threads and processes  ·  " + spread_marks(context)));
    figure.width_px = 1400;
    figure.height_px = 720;
    return figure;
}

Figure cpu_blocked_figure(const Context& context) {
    std::set<std::size_t> unsampled;
    std::vector<Quantity> quantities = {
        {"/per_request/cpu_us", 1, false, "CPU time per request (us)"},
        {"/per_request/blocked_us", 1 / kUsPerMs, false, "blocked time per request (ms)"}};
    Figure figure = new_figure(context, "cpu-blocked", "CPU time and blocked time per request",
                               "the server's CPU time and blocked time per request, one line "
                               "per model.");
    figure.data = connection_blocks(context, quantities, "cpu-blocked", unsampled);
    figure.definitions = dodge_definition(context);
    Panel cpu = connection_panel(context, 0, "on a CPU (all the server's tasks, from schedstat)",
                                 "CPU time per request (µs)");
    cpu.yrange = linear_range(extent(figure.data, {0}, false));
    Panel blocked =
        connection_panel(context, 1, "blocked: alive but neither running nor waiting for a CPU",
                         "blocked time per request (ms, log scale)");
    set_log_y(blocked, extent(figure.data, {1}, true));
    figure.panels = {cpu, blocked};
    figure.columns = 2;
    figure.caption.push_back(method_line(
        context,
        "task time summed over the server's threads and processes  ·  " + spread_marks(context)));
    figure.width_px = 1400;
    figure.height_px = 720;
    return figure;
}

Figure memory_figure(const Context& context, std::vector<std::string>& notes) {
    std::set<std::size_t> unsampled;
    std::vector<Quantity> quantities = {
        {"/server/peak_rss_kb", 1 / kKbPerMib, true, "peak RSS (MiB)"},
        {"/server/peak_pss_kb", 1 / kKbPerMib, true, "peak PSS (MiB)"},
        {"/server/peak_vm_kb", 1 / kKbPerMib, true, "peak virtual size (MiB)"},
        {"/server/peak_threads", 1, false, "peak tasks"}};
    Figure figure = new_figure(context, "memory", "Memory and tasks against connections",
                               "the server's memory (RSS, PSS, virtual size) and task count "
                               "against connections, one line per model.");
    figure.data = connection_blocks(context, quantities, "memory", unsampled);
    figure.definitions = dodge_definition(context);
    std::optional<std::pair<double, double>> resident = extent(figure.data, {0, 1}, true);
    Panel rss = connection_panel(
        context, 0, "resident (RSS), summed over processes: shared pages count in each",
        "peak memory (MiB, log scale)");
    Panel pss =
        connection_panel(context, 1, "proportional (PSS): a shared page is split among its sharers",
                         "peak memory (MiB, log scale)");
    Panel vm =
        connection_panel(context, 2, "virtual size: address space reserved, mostly never touched",
                         "peak virtual size (MiB, log scale)");
    Panel tasks = connection_panel(context, 3, "tasks: threads, counted in every process",
                                   "peak tasks (log scale)");
    set_log_y(rss, resident);
    set_log_y(pss, resident);
    set_log_y(vm, extent(figure.data, {2}, true));
    set_log_y(tasks, extent(figure.data, {3}, true));
    figure.panels = {rss, pss, vm, tasks};
    figure.rows = 2;
    figure.columns = 2;
    std::string marks = "peaks of samples 100 ms apart  ·  " + spread_marks(context);
    if (!unsampled.empty()) {
        std::string runs = plural(unsampled.size(), "run", "runs");
        marks += "  ·  " + runs + " without a memory sample left out";
        notes.push_back(context.sweep->path + ": workload " + context.workload->name + ": " + runs +
                        " had no memory sample inside the window (peaks of 0 kB or null): the "
                        "memory figure leaves those values out");
    }
    figure.caption.push_back(method_line(context, marks));
    figure.width_px = 1400;
    figure.height_px = 1100;
    return figure;
}

// ----- The time series (6) -----

// For each model, the run at the most connections whose throughput is the median of its
// repeats (the lower middle one for an even count): a typical run, not the best or worst.
std::vector<const Run*> typical_runs(const Context& context, const std::string& figure_name) {
    const WorkloadRuns& workload = *context.workload;
    std::uint64_t most = workload.connections.back();
    std::vector<const Run*> chosen;
    for (const std::string& model : workload.models) {
        std::vector<const Run*> repeats = workload.repeats_of(model, most);
        if (repeats.empty()) continue;
        std::vector<std::pair<double, const Run*>> ranked;
        for (const Run* run : repeats)
            ranked.emplace_back(number_at(*run, "/client/throughput_rps", figure_name), run);
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        chosen.push_back(ranked[(ranked.size() - 1) / 2].second);
    }
    return chosen;
}

// One run's time series as a datablock: per sample t, tasks and accept queue, then the
// interval's midpoint and its rates. Widens [t_min, t_max] to the samples' times.
Datablock timeseries_block(const Context& context, const Run& run, const std::string& name,
                           double& t_min, double& t_max) {
    const json& samples = array_at(run, "/timeseries", name);
    if (samples.size() < 2 || samples.size() > kMaxTimeseriesSamples)
        missing(run,
                "timeseries of 2 to " + std::to_string(kMaxTimeseriesSamples) +
                    " samples (it has " + std::to_string(samples.size()) + ")",
                name);
    Datablock block;
    block.name = context.block_of_model.at(run.model);
    block.columns = run.model + " (" + run.label() +
                    "): t (s), tasks, accept queue, interval midpoint t (s), requests/s, "
                    "context switches/s (voluntary + involuntary)";
    double previous_t = kNaN;
    double previous_requests = kNaN;
    double previous_switches = kNaN;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const json& sample = samples[i];
        auto field = [&](const char* key) {
            if (!sample.is_object() || !sample.contains(key) || !sample[key].is_number())
                missing(run, "timeseries[" + std::to_string(i) + "]." + key + " (a number)", name);
            return sample[key].get<double>();
        };
        double t = field("t_s");
        double requests = field("requests");
        double switches = field("voluntary_ctx_switches") + field("involuntary_ctx_switches");
        double interval = t - previous_t;  // NaN for the first sample
        bool rated = interval > 0;
        block.rows.push_back({t, field("threads"), field("accept_queue"),
                              rated ? (t + previous_t) / 2 : kNaN,
                              rated ? (requests - previous_requests) / interval : kNaN,
                              rated ? (switches - previous_switches) / interval : kNaN});
        previous_t = t;
        previous_requests = requests;
        previous_switches = switches;
        t_min = std::min(t_min, t);
        t_max = std::max(t_max, t);
    }
    return block;
}

// One panel of the time series: which datablock columns (1-based) it draws as x and y.
struct TimeseriesRow {
    std::string title;
    std::string ylabel;
    std::size_t x_column;
    std::size_t y_column;
};

// The four panels, top to bottom.
const std::vector<TimeseriesRow>& timeseries_rows() {
    static const std::vector<TimeseriesRow> rows = {
        {"requests answered per second (the server's count, per sample interval)", "requests/s", 4,
         5},
        {"tasks: threads, counted in every process", "tasks", 1, 2},
        {"context switches per second (voluntary + involuntary, all tasks)", "context switches/s",
         4, 6},
        {"accept queue: connections the kernel accepted that the server has not yet", "connections",
         1, 3}};
    return rows;
}

// Panel r of the time series over figure's datablocks, one series per run; the warm-up
// (t < 0) shaded.
Panel timeseries_panel(const Context& context, const Figure& figure,
                       const std::vector<const Run*>& runs, std::size_t r, double t_min,
                       double t_max) {
    const std::vector<TimeseriesRow>& rows = timeseries_rows();
    Panel panel;
    panel.title = rows[r].title;
    panel.ylabel = rows[r].ylabel;
    panel.xlabel = "time since the measured window opened (s)";
    panel.xrange = "[" + number_text(t_min) + ":" + number_text(t_max) + "]";
    panel.x_tic_labels = r + 1 == rows.size();
    // Every quantity here starts at 0; the range is the largest value over all models.
    double high = 0;
    for (const Datablock& block : figure.data) {
        for (const std::vector<double>& row : block.rows) {
            double y = row[rows[r].y_column - 1];
            if (std::isfinite(y)) high = std::max(high, y);
        }
    }
    panel.yrange = "[0:" + number_text(high > 0 ? high * 1.1 : 1) + "]";
    if (t_min < 0) {
        panel.extra.push_back(
            "set object 1 rectangle from graph 0, graph 0 to first 0, graph 1 behind "
            "fillcolor rgb \"#ebebeb\" fillstyle solid noborder");
        if (r == 0)
            panel.extra.push_back("set label 20 \"warm-up\" at first " + number_text(t_min / 2) +
                                  ", graph 0.9 center textcolor rgb \"#606060\"");
    }
    for (const Run* run : runs) {
        Series series;
        series.model = run->model;
        series.datablock = context.block_of_model.at(run->model);
        series.using_columns =
            std::to_string(rows[r].x_column) + ":" + std::to_string(rows[r].y_column);
        series.with = "linespoints pointsize 0.6";
        panel.series.push_back(std::move(series));
    }
    return panel;
}

Figure timeseries_figure(const Context& context) {
    const std::string name = "timeseries";
    std::uint64_t most = context.workload->connections.back();
    Figure figure = new_figure(
        context, name, "One run over time at " + plural(most, "connection", "connections"),
        "one run per model at the most connections, sample by sample: requests per second, "
        "tasks, context switches per second, accept queue.");
    double t_min = 0;
    double t_max = 0;
    std::vector<const Run*> runs = typical_runs(context, name);
    for (const Run* run : runs)
        figure.data.push_back(timeseries_block(context, *run, name, t_min, t_max));
    for (std::size_t r = 0; r < timeseries_rows().size(); ++r)
        figure.panels.push_back(timeseries_panel(context, figure, runs, r, t_min, t_max));
    figure.rows = static_cast<int>(timeseries_rows().size());
    figure.caption.push_back(
        method_line(context,
                    "for each model the repeat with the median throughput  ·  samples about "
                    "100 ms apart  ·  gray: warm-up, not measured"));
    figure.width_px = 1200;
    figure.height_px = 1250;
    return figure;
}

// ----- The percentile spectrum (7) -----

// A latency histogram: bucket upper bounds (ns) ascending, and the count in each.
struct Histogram {
    std::vector<std::pair<double, double>> buckets;
    double total = 0;

    // The latency of the rank-th fastest request (1-based), in ns.
    double value_at_rank(double rank) const {
        double seen = 0;
        for (const auto& [bound, count] : buckets) {
            seen += count;
            if (seen >= rank) return bound;
        }
        return buckets.empty() ? kNaN : buckets.back().first;
    }
};

Histogram histogram_at(const Run& run, const std::string& pointer, const std::string& figure) {
    const json& pairs = array_at(run, pointer, figure);
    if (pairs.size() > kMaxHistogramBuckets)
        missing(
            run,
            dotted(pointer) + " of at most " + std::to_string(kMaxHistogramBuckets) + " buckets",
            figure);
    Histogram histogram;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const json& pair = pairs[i];
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number() ||
            pair[1].get<double>() < 0)
            missing(run, dotted(pointer) + "[" + std::to_string(i) + "] as [upper_bound_ns, count]",
                    figure);
        histogram.buckets.emplace_back(pair[0].get<double>(), pair[1].get<double>());
        histogram.total += pair[1].get<double>();
    }
    std::sort(histogram.buckets.begin(), histogram.buckets.end());
    return histogram;
}

// One model's spectrum over its repeats: rows of x = 1/(1-p), then the median, lowest and
// highest latency (ms) of the repeats at that percentile. The last row is the maximum.
// Sets no_data when no repeat has a reply; sets clamped when a value is at the ceiling.
Datablock spectrum_block(const std::vector<Histogram>& repeats, bool& no_data, bool& clamped) {
    Datablock block;
    double samples = std::numeric_limits<double>::infinity();
    for (const Histogram& h : repeats) {
        if (h.total > 0) samples = std::min(samples, h.total);
    }
    no_data = !std::isfinite(samples);
    if (no_data) {
        block.rows.push_back({kNaN, kNaN, kNaN, kNaN});
        return block;
    }
    // From p = 0 (x = 1) to p = 1 - 1/N (x = N): the finest percentile N samples resolve.
    for (int k = 0; k < kSpectrumPoints; ++k) {
        bool last = k + 1 == kSpectrumPoints;
        double x = std::pow(samples, static_cast<double>(k) / (kSpectrumPoints - 1));
        std::vector<double> values;
        for (const Histogram& h : repeats) {
            if (h.total <= 0) continue;
            double rank = last ? h.total : std::max(1.0, std::ceil((1 - 1 / x) * h.total));
            double ns = h.value_at_rank(rank);
            clamped = clamped || ns >= kHistogramCeilingNs - 1;
            values.push_back(ns / kNsPerMs);
        }
        Spread s = spread_of(values);
        block.rows.push_back({x, s.median, s.low, s.high});
    }
    return block;
}

// One latency of the spectrum: which histogram, its datablocks' suffix, its panel's title.
struct SpectrumKind {
    std::string pointer;
    std::string suffix;  // of the datablock name
    std::string title;
};

// The spectra a workload's runs have: closed loop one, open loop corrected and uncorrected.
std::vector<SpectrumKind> spectrum_kinds(const WorkloadRuns& workload) {
    if (workload.open_loop) {
        return {{"/client/histogram", "", "corrected: from each request's scheduled send time"},
                {"/client/histogram_uncorrected", "_uncorrected",
                 "uncorrected: from the actual send (what a naive client reports)"}};
    }
    return {{"/client/histogram", "", "from sending a request to the last byte of its reply"}};
}

// What the spectra reach: the most samples (the x axis), the lowest and highest latency
// below the ceiling (the y axis).
struct SpectrumExtent {
    double most_samples = 1;
    double low = std::numeric_limits<double>::infinity();
    double high = 0;

    void widen(const Datablock& block) {
        for (const std::vector<double>& row : block.rows) {
            if (!std::isfinite(row[0])) continue;
            most_samples = std::max(most_samples, row[0]);
            for (std::size_t c = 1; c < 4; ++c) {
                if (row[c] > 0 && row[c] * kNsPerMs < kHistogramCeilingNs - 1) {
                    low = std::min(low, row[c]);
                    high = std::max(high, row[c]);
                }
            }
        }
    }
};

// The panel of one kind of spectrum at `most` connections, one line per model; adds its
// datablocks to figure and widens extent. Its axes are set once all panels are built.
Panel spectrum_panel(const Context& context, const SpectrumKind& kind, std::uint64_t most,
                     const std::string& name, Figure& figure, SpectrumExtent& extent) {
    const WorkloadRuns& workload = *context.workload;
    bool clamped = false;
    Panel panel;
    panel.title = kind.title;
    panel.log_x = true;
    panel.xlabel = "percentile (a log scale of 1/(1-p): each labelled step is 10 times rarer)";
    panel.ylabel = "latency (ms, log scale)";
    for (const std::string& model : workload.models) {
        std::vector<Histogram> repeats;
        for (const Run* run : workload.repeats_of(model, most))
            repeats.push_back(histogram_at(*run, kind.pointer, name));
        if (repeats.empty()) continue;
        bool no_data = false;
        Datablock block = spectrum_block(repeats, no_data, clamped);
        block.name = context.block_of_model.at(model) + kind.suffix;
        block.columns = model + ": 1/(1-p), latency (ms): median min max of " +
                        plural(repeats.size(), "repeat", "repeats");
        extent.widen(block);
        Series series;
        series.model = model;
        series.datablock = block.name;
        series.using_columns = "1:2";
        series.with = "steps";
        if (context.spread) series.band = "1:3:4";
        if (no_data) {
            series.key_note = " (no replies)";
            series.empty = true;
        }
        panel.series.push_back(std::move(series));
        figure.data.push_back(std::move(block));
    }
    if (clamped)
        panel.extra.push_back(
            "set label 21 \"a line that leaves the top reached the histogram's "
            "2^40 ns ceiling\" at graph 0.02, graph 0.95 left textcolor rgb \"#606060\"");
    return panel;
}

// Tics at 0%, 50%, 90%, 99%, 99.9%... as far as the samples reach ("%%": a tic label is a
// format).
std::string percentile_tics(double most_samples) {
    std::string tics = "(\"0%%\" 1, \"50%%\" 2";
    std::string nines = "90";
    for (double x = 10; x <= most_samples * 1.0001; x *= 10) {
        tics += ", \"" + nines + "%%\" " + number_text(x);
        nines = nines == "90" ? "99" : nines == "99" ? "99.9" : nines + "9";
    }
    tics += ")";
    return tics;
}

Figure percentiles_figure(const Context& context) {
    const std::string name = "percentiles";
    std::uint64_t most = context.workload->connections.back();
    Figure figure = new_figure(
        context, name, "Latency by percentile at " + plural(most, "connection", "connections"),
        "the latency percentile spectrum from the stored histograms, one line per model, at "
        "the most connections.");
    SpectrumExtent extent;
    std::vector<Panel> panels;
    for (const SpectrumKind& kind : spectrum_kinds(*context.workload))
        panels.push_back(spectrum_panel(context, kind, most, name, figure, extent));
    std::string tics = percentile_tics(extent.most_samples);
    std::optional<std::pair<double, double>> yrange;
    if (std::isfinite(extent.low)) yrange = std::make_pair(extent.low, extent.high);
    for (Panel& panel : panels) {
        panel.xtics = tics;
        panel.xrange = "[1:" + number_text(std::max(2.0, extent.most_samples * 1.5)) + "]";
        set_log_y(panel, yrange);
    }
    figure.panels = std::move(panels);
    figure.columns = static_cast<int>(figure.panels.size());
    figure.caption.push_back(method_line(
        context, std::string(context.spread ? "line: median of the repeats at each percentile, "
                                              "band: lowest to highest"
                                            : "one run per model") +
                     "  ·  each line ends at its largest latency"));
    figure.width_px = figure.columns == 1 ? 1100 : 1400;
    figure.height_px = 720;
    return figure;
}

// ----- Connections held and refused (8) -----

// The runs' fields that say whether a results file has the client's connection counts: a file
// of an older lab-harness has neither in any run.
constexpr const char* kConnectionCountFields[] = {"/client/connected", "/client/connect_timeouts"};

// True if some run of the sweep has client.connected or client.connect_timeouts. Then every
// run must have them (the connections figure reads them strictly, as the other figures do).
bool has_connection_counts(const Sweep& sweep) {
    for (const WorkloadRuns& workload : sweep.workloads) {
        for (const Run& run : workload.runs) {
            for (const char* pointer : kConnectionCountFields) {
                if (run.data.contains(json::json_pointer(pointer))) return true;
            }
        }
    }
    return false;
}

// A linear y axis for counts, which are often all 0: from a little below 0, so that a 0 is
// drawn just above the bottom border rather than on it, to a little above the highest count;
// a tic at every whole number while the counts are small.
void set_count_y(Panel& panel, std::optional<std::pair<double, double>> values) {
    double high = values ? std::max(values->second, 0.0) : 0;
    double top = std::max(high, 1.0) * 1.08;
    std::string range = "[";
    range += number_text(-0.04 * top);
    range += ":";
    range += number_text(top);
    range += "]";
    panel.yrange = range;
    if (high < 10) panel.ytics = "1";
}

// The held panel: log y, with the diagonal where every offered connection is held; the y axis
// reaches the ends of the x axis, so that the diagonal runs from corner to corner.
Panel held_panel(const Context& context, const std::vector<Datablock>& data) {
    Panel held = connection_panel(context, 0, "held: connections open when the window ended",
                                  "connections (log scale)", true);
    const std::vector<std::uint64_t>& counts = context.workload->connections;
    double x_low = static_cast<double>(counts.front()) / kConnectionAxisMargin;
    double x_high = static_cast<double>(counts.back()) * kConnectionAxisMargin;
    std::optional<std::pair<double, double>> values = extent(data, {0}, true);
    double y_low = values ? std::min(values->first, x_low) : x_low;
    double y_high = values ? std::max(values->second, x_high) : x_high;
    set_log_y(held, std::make_pair(y_low, y_high));
    std::string diagonal = "set arrow 1 from first ";
    diagonal += number_text(x_low) + ", first " + number_text(x_low) + " to first " +
                number_text(x_high) + ", first " + number_text(x_high) +
                " nohead back dashtype 2 linewidth 1.5 linecolor rgb \"#909090\"";
    held.extra.push_back(diagonal);
    // Above the diagonal, where no model can be (none holds more than it was offered).
    double middle =
        std::sqrt(static_cast<double>(counts.front()) * static_cast<double>(counts.back()));
    std::string label = "set label 22 \"offered = held\" at first ";
    label += number_text(middle) + ", first " + number_text(middle) +
             " right offset character -1, character 1 textcolor rgb \"#707070\"";
    held.extra.push_back(label);
    return held;
}

// The caption line on held connections. A 0 held cannot be drawn on the log axis: it says how
// many points that leaves out, and how many bars down to a repeat's 0 gnuplot draws only as
// their top end.
std::string held_caption(const std::vector<Datablock>& data) {
    std::size_t zero_points = 0;
    std::size_t zero_bars = 0;
    for (const Datablock& block : data) {
        for (const std::vector<double>& row : block.rows) {
            if (row[1] == 0) {
                ++zero_points;
            } else if (row[2] == 0) {
                ++zero_bars;
            }
        }
    }
    std::string held_line =
        "held: connections the clients had established (accepted, or waiting in the server's "
        "listen backlog)";
    if (zero_points + zero_bars > 0) held_line += "  ·  on the log axis: ";
    if (zero_points > 0) held_line += plural(zero_points, "point", "points") + " of 0 not drawn";
    if (zero_points > 0 && zero_bars > 0) held_line += ", ";
    if (zero_bars > 0) {
        held_line += plural(zero_bars, "bar", "bars") + " down to 0 drawn only as " +
                     (zero_bars == 1 ? "its top" : "their tops");
    }
    return held_line;
}

Figure connections_figure(const Context& context) {
    const std::string name = "connections";
    std::set<std::size_t> unsampled;
    std::vector<Quantity> quantities = {
        {"/client/connected/window_end", 1, false, "connections open at the window's end"},
        {"/client/errors/refused", 1, false, "connects refused or answered ERR 503"},
        {"/client/connect_timeouts", 1, false, "connects timed out"}};
    Figure figure =
        new_figure(context, name, "Connections held and refused against connections offered",
                   "the connections the clients held at the window's end, and the "
                   "connects refused and timed out in the window, against the "
                   "connections offered, one line per model.");
    figure.data = connection_blocks(context, quantities, name, unsampled);
    // Many models hold every connection and refuse none: dodged apart, each stays visible.
    figure.definitions = dodge_definition(context, true);
    const std::string xlabel = "client connections offered (log scale)";

    // (a) Held, log y, with the diagonal where every offered connection is held.
    Panel held = held_panel(context, figure.data);

    // (b) and (c): counts in the window, on linear axes so that a 0 is drawn as a 0.
    Panel refused = connection_panel(
        context, 1, "refused: connects refused or answered ERR 503 (server busy), in the window",
        "connects refused", true);
    set_count_y(refused, extent(figure.data, {1}, false));
    Panel timed_out = connection_panel(
        context, 2,
        "timed out: connects not established within --connect-timeout (as when the listen "
        "backlog is full), in the window",
        "connects timed out", true);
    set_count_y(timed_out, extent(figure.data, {2}, false));

    figure.panels = {held, refused, timed_out};
    for (std::size_t p = 0; p < figure.panels.size(); ++p) {
        figure.panels[p].xlabel = xlabel;
        figure.panels[p].x_tic_labels = p + 1 == figure.panels.size();
    }
    figure.rows = 3;

    figure.caption.push_back(held_caption(figure.data));
    figure.caption.push_back(
        "refused, timed out: connects in the window; a client tries again after a back-off "
        "(10 ms doubling to 1 s), and every try counts");
    std::string marks = spread_marks(context);
    marks += "  ·  the models' points at one count set a little apart";
    figure.caption.push_back(method_line(context, marks));
    figure.width_px = 1200;
    figure.height_px = 1150;
    return figure;
}

}  // namespace

const std::vector<std::string>& sweep_figure_names() {
    static const std::vector<std::string> names = {"throughput",  "latency",    "context-switches",
                                                   "cpu-blocked", "memory",     "timeseries",
                                                   "percentiles", "connections"};
    return names;
}

std::optional<std::vector<Figure>> sweep_figures(const Sweep& sweep, const ModelStyles& styles,
                                                 std::vector<std::string>& notes,
                                                 std::string& error) {
    std::vector<Figure> figures;
    std::vector<std::string> tags;  // two workload names may give one file tag ("a b", "a_b")
    bool connection_counts = has_connection_counts(sweep);
    if (!connection_counts) {
        notes.push_back(sweep.path +
                        ": no connections figure: the file has no connection counts "
                        "(client.connected, client.connect_timeouts): it was made by an older "
                        "lab-harness");
    }
    try {
        for (const WorkloadRuns& workload : sweep.workloads) {
            Context context = make_context(sweep, workload, styles);
            std::string tag = context.file_tag;
            for (int n = 2; std::find(tags.begin(), tags.end(), context.file_tag) != tags.end();
                 ++n)
                context.file_tag = tag + "-" + std::to_string(n);
            tags.push_back(context.file_tag);
            figures.push_back(throughput_figure(context));
            figures.push_back(latency_figure(context));
            figures.push_back(context_switch_figure(context));
            if (workload.spawned) {
                figures.push_back(cpu_blocked_figure(context));
                figures.push_back(memory_figure(context, notes));
                figures.push_back(timeseries_figure(context));
            } else {
                notes.push_back(sweep.path + ": workload " + workload.name +
                                ": no cpu-blocked, memory or timeseries figure: the runs drove a "
                                "server started elsewhere (--connect), which /proc cannot see");
            }
            figures.push_back(percentiles_figure(context));
            if (connection_counts) figures.push_back(connections_figure(context));
        }
    } catch (const MissingField& e) {
        error = sweep.path + ": " + e.message;
        return std::nullopt;
    }
    return figures;
}

}  // namespace lab::plot
