// See timeline_chart.hpp. The chart is a gnuplot script of boxes: each span is a box from
// its start to its end on its row.
#include "timeline_chart.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace lab::plot {
namespace {

using nlohmann::json;

// Colours of the clients (tasks) 1, 2, 3, ...; the gray of waiting; the lighter gray of the
// server waiting for any client at all (accept, the select loop's wait).
constexpr const char* kClientColours[] = {"#0072B2", "#E69F00", "#009E73",
                                          "#CC79A7", "#D55E00", "#56B4E9"};
constexpr const char* kWaitColour = "#9A9A9A";
constexpr const char* kIdleColour = "#DDDDDD";
constexpr double kBarHalfHeight = 0.36;

// The task of an async event (a timer or a queue wait): its process-local id ("id2":{"local":N}),
// or a plain "id" as traces written before that change have it.
std::uint64_t timer_id(const json& e) {
    if (e.contains("id2")) return e["id2"]["local"].get<std::uint64_t>();
    return e["id"].get<std::uint64_t>();
}

struct Bar {
    double start_ms;
    double end_ms;
    int row;
    std::string colour;
    bool outline;  // a client's request: from send to reply
};

struct Chart {
    std::string model;
    std::string scenario;
    std::string request;
    std::vector<std::string> rows;  // labels, top to bottom
    std::vector<Bar> bars;
    double end_ms = 0;
};

int hex_colour(const std::string& colour) {
    return static_cast<int>(std::stoul(colour.substr(1), nullptr, 16));
}

bool is_wait(const std::string& phase) {
    return phase == "read" || phase == "io_wait" || phase == "lock" || phase == "queue";
}

std::optional<Chart> read_chart(const std::string& file, std::string& error) {
    std::ifstream in(file);
    if (!in) {
        error = file + ": cannot read it";
        return std::nullopt;
    }
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("traceEvents") ||
        !doc.contains("otherData") || !doc["otherData"].contains("scenario")) {
        error = file + ": not a trace written by `lab-harness timeline`";
        return std::nullopt;
    }
    Chart chart;
    chart.model = doc["otherData"].value("model", "?");
    chart.scenario = doc["otherData"].value("scenario", "?");
    chart.request = doc["otherData"].value("request", "");
    const json& events = doc["traceEvents"];

    // Clients: their ports (the task ids) in the order of their numbers.
    std::map<std::uint64_t, int> client_of_port;
    double origin_us = -1;
    for (const json& e : events) {
        if (e.value("cat", "") == "client" && e.value("ph", "") == "X") {
            client_of_port[e["args"]["task"].get<std::uint64_t>()] = e["args"]["client"].get<int>();
            double ts = e["ts"].get<double>();
            if (origin_us < 0 || ts < origin_us) origin_us = ts;
        }
    }
    if (client_of_port.empty()) {
        error = file + ": has no client requests";
        return std::nullopt;
    }
    auto colour_of = [&](std::uint64_t task) -> std::string {
        auto found = client_of_port.find(task);
        if (found == client_of_port.end()) return kIdleColour;
        return kClientColours[static_cast<std::size_t>(found->second - 1) %
                              std::size(kClientColours)];
    };
    auto ms = [&](double us) { return (us - origin_us) / 1000.0; };

    // Rows: each client, then each server thread that ran work for a client.
    std::map<std::pair<long, long>, std::string> thread_names;
    std::map<long, std::string> process_names;
    for (const json& e : events) {
        if (e.value("ph", "") != "M") continue;
        if (e["name"] == "thread_name") {
            thread_names[{e["pid"].get<long>(), e["tid"].get<long>()}] = e["args"]["name"];
        } else if (e["name"] == "process_name") {
            process_names[e["pid"].get<long>()] = e["args"]["name"];
        }
    }
    for (const auto& [port, number] : client_of_port) {
        chart.rows.push_back("client " + std::to_string(number) + " (request to reply)");
    }
    std::map<std::pair<long, long>, int> row_of_thread;
    // Async waits (no thread sits in them), a row per kind and client: "timer" (the select
    // loop's simulated I/O) and "queue" (a pool's connection waiting for a worker).
    using AsyncKey = std::pair<std::string, std::uint64_t>;
    auto is_async = [](const std::string& cat) { return cat == "timer" || cat == "queue"; };
    std::map<AsyncKey, int> async_row;
    for (const json& e : events) {
        if (e.value("cat", "") != "server" || e.value("ph", "") != "X") continue;
        std::string phase = e["name"];
        if (phase == "accept" || phase == "wait") continue;  // no client's work
        std::pair<long, long> thread{e["pid"].get<long>(), e["tid"].get<long>()};
        row_of_thread.emplace(thread, -1);  // numbered below, in order of first work
    }
    // Number the threads by when they first worked, so the rows read top-down in time.
    std::map<std::pair<long, long>, double> first_work;
    for (const json& e : events) {
        if (e.value("cat", "") != "server" || e.value("ph", "") != "X") continue;
        std::pair<long, long> thread{e["pid"].get<long>(), e["tid"].get<long>()};
        if (!row_of_thread.contains(thread)) continue;
        double ts = e["ts"].get<double>();
        if (!first_work.contains(thread) || ts < first_work[thread]) first_work[thread] = ts;
    }
    std::vector<std::pair<double, std::pair<long, long>>> order;
    for (const auto& [thread, ts] : first_work)
        order.push_back({ts, thread});
    std::sort(order.begin(), order.end());
    for (const auto& [ts, thread] : order) {
        row_of_thread[thread] = static_cast<int>(chart.rows.size());
        std::string name = thread_names.contains(thread) ? thread_names[thread] : "thread";
        if (name == "child") name = "child process " + std::to_string(thread.first);
        chart.rows.push_back("server: " + name);
    }

    for (const json& e : events) {
        std::string ph = e.value("ph", "");
        std::string cat = e.value("cat", "");
        if (cat == "client" && ph == "X") {
            double start = ms(e["ts"].get<double>());
            double end = start + e["dur"].get<double>() / 1000.0;
            std::uint64_t task = e["args"]["task"].get<std::uint64_t>();
            chart.bars.push_back({start, end, client_of_port[task] - 1, colour_of(task), true});
            chart.end_ms = std::max(chart.end_ms, end);
        } else if (cat == "server" && ph == "X") {
            std::pair<long, long> thread{e["pid"].get<long>(), e["tid"].get<long>()};
            auto row = row_of_thread.find(thread);
            if (row == row_of_thread.end()) continue;
            std::string phase = e["name"];
            double start = ms(e["ts"].get<double>());
            double end = start + e["dur"].get<double>() / 1000.0;
            if (end < 0) continue;  // before the first request (start-up)
            std::uint64_t task = e["args"].value("task", std::uint64_t{0});
            std::string colour = phase == "accept" || phase == "wait" ? kIdleColour
                                 : is_wait(phase)                     ? kWaitColour
                                                                      : colour_of(task);
            chart.bars.push_back({std::max(0.0, start), end, row->second, colour, false});
        } else if (is_async(cat) && (ph == "b" || ph == "e")) {
            AsyncKey key{cat, timer_id(e)};
            if (!async_row.contains(key)) {
                async_row[key] = static_cast<int>(chart.rows.size());
                int number = client_of_port.contains(key.second) ? client_of_port[key.second] : 0;
                std::string label = cat == "queue" ? "queue: client " : "I/O timer of client ";
                label += std::to_string(number);
                chart.rows.push_back(label);
            }
        }
    }
    // Pair the async events: b then e, per kind and task, in time order.
    std::map<AsyncKey, std::vector<double>> begins;
    std::vector<const json*> async_events;
    for (const json& e : events) {
        if (is_async(e.value("cat", ""))) async_events.push_back(&e);
    }
    std::sort(async_events.begin(), async_events.end(), [](const json* a, const json* b) {
        return (*a)["ts"].get<double>() < (*b)["ts"].get<double>();
    });
    for (const json* e : async_events) {
        AsyncKey key{(*e)["cat"].get<std::string>(), timer_id(*e)};
        if ((*e)["ph"] == "b") {
            begins[key].push_back(ms((*e)["ts"].get<double>()));
        } else if (!begins[key].empty()) {
            double start = begins[key].back();
            begins[key].pop_back();
            chart.bars.push_back(
                {start, ms((*e)["ts"].get<double>()), async_row[key], kWaitColour, false});
        }
    }
    return chart;
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The commands that draw one chart's panel (after `set multiplot` or alone).
std::string panel(const Chart& chart, double x_max, const std::string& data_name, bool x_label) {
    std::ostringstream s;
    s << "set title " << quoted(chart.model + ": " + chart.request + ", three clients") << "\n";
    s << "set yrange [" << static_cast<double>(chart.rows.size()) - 0.5 << ":-0.5]\n";
    s << "set xrange [0:" << x_max << "]\n";
    s << "set ytics (";
    for (std::size_t i = 0; i < chart.rows.size(); ++i) {
        s << (i ? ", " : "") << quoted(chart.rows[i]) << " " << i;
    }
    s << ")\n";
    s << (x_label ? "set xlabel \"time since the first request was sent (ms)\"\n"
                  : "unset xlabel\n");
    s << "plot $" << data_name << " using (($1+$2)/2):3:1:2:($3-" << kBarHalfHeight << "):($3+"
      << kBarHalfHeight << "):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \\\n"
      << "     $" << data_name << "_requests using (($1+$2)/2):3:1:2:($3-" << kBarHalfHeight
      << "):($3+" << kBarHalfHeight
      << "):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \\\n"
      << "     keyentry with boxes fs solid lc rgb " << quoted(kWaitColour)
      << " title \"waiting (no CPU)\", \\\n"
      << "     keyentry with boxes fs solid lc rgb " << quoted(kIdleColour)
      << " title \"waiting for any client\"\n";
    return s.str();
}

std::string datablocks(const Chart& chart, const std::string& name) {
    std::ostringstream s;
    for (bool outline : {false, true}) {
        s << "$" << name << (outline ? "_requests" : "") << " << EOD\n";
        s << "# start_ms end_ms row colour\n";
        for (const Bar& b : chart.bars) {
            if (b.outline != outline) continue;
            s << b.start_ms << " " << b.end_ms << " " << b.row << " " << hex_colour(b.colour)
              << "\n";
        }
        s << "EOD\n";
    }
    return s.str();
}

std::string script(const std::string& stem, const std::vector<const Chart*>& charts,
                   const std::string& heading) {
    double x_max = 0;
    std::size_t rows = 0;
    for (const Chart* c : charts) {
        x_max = std::max(x_max, c->end_ms);
        rows += c->rows.size();
    }
    x_max *= 1.02;
    int height = static_cast<int>(160 + 60 * charts.size() + 34 * rows);
    std::ostringstream s;
    s << "# " << stem << ": drawn by lab-plot timeline from measured traces. Each box is a span:\n"
      << "# coloured by the client it served, gray where the thread waited; the pale boxes\n"
      << "# are each client's requests from send to reply. Run `gnuplot " << stem
      << ".gp` to redraw.\n";
    for (std::size_t i = 0; i < charts.size(); ++i)
        s << datablocks(*charts[i], "chart" + std::to_string(i));
    s << "set style fill solid 1.0\nset grid xtics lc rgb '#EEEEEE'\nset tics nomirror\n"
      << "set key outside top center horizontal\nset lmargin 30\n";
    s << "do for [format in \"png svg\"] {\n"
      << "  if (format eq \"png\") { set terminal pngcairo size 1200," << height
      << " font \"DejaVu Sans,10\" } else { set terminal svg size 1200," << height
      << " font \"DejaVu Sans,10\" dynamic }\n"
      << "  set output sprintf(\"" << stem << ".%s\", format)\n"
      << "  set multiplot layout " << charts.size() << ",1 title " << quoted(heading) << "\n";
    for (std::size_t i = 0; i < charts.size(); ++i) {
        std::string body =
            panel(*charts[i], x_max, "chart" + std::to_string(i), i + 1 == charts.size());
        std::istringstream lines(body);
        std::string line;
        while (std::getline(lines, line))
            s << "  " << line << "\n";
    }
    s << "  unset multiplot\n  set output\n}\n";
    return s.str();
}

}  // namespace

std::optional<std::vector<Figure>> timeline_figures(const std::vector<std::string>& files,
                                                    std::string& error) {
    std::vector<Chart> charts;
    for (const std::string& file : files) {
        auto chart = read_chart(file, error);
        if (!chart) return std::nullopt;
        charts.push_back(std::move(*chart));
    }
    std::vector<Figure> figures;
    std::map<std::string, std::vector<const Chart*>> by_scenario;
    for (const Chart& c : charts) {
        Figure f;
        f.stem = "timeline-" + c.model + "-" + c.scenario;
        f.raw_script =
            script(f.stem, {&c}, "Measured timeline: " + c.model + ", scenario " + c.scenario);
        figures.push_back(std::move(f));
        by_scenario[c.scenario].push_back(&c);
    }
    for (const auto& [scenario, list] : by_scenario) {
        if (list.size() < 2) continue;
        Figure f;
        f.stem = "timeline-all-" + scenario;
        f.raw_script = script(f.stem, list,
                              "The same scenario (" + scenario + ") on every model, one time axis");
        figures.push_back(std::move(f));
    }
    return figures;
}

}  // namespace lab::plot
