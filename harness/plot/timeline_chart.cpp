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
using Kind = TimelineBar::Kind;

// Colours of the clients (tasks) 1, 2, 3, ...; the gray of a span for no client (accept, the
// select loop's wait).
constexpr const char* kClientColours[] = {"#0072B2", "#E69F00", "#009E73",
                                          "#CC79A7", "#D55E00", "#56B4E9"};
constexpr const char* kIdleColour = "#DDDDDD";
// How much white a wait's tint mixes into the client's colour: light enough to tell from the
// CPU work beside it, dark enough to tell the clients apart.
constexpr double kTintWhite = 0.6;
// The opacity of a request while it is served, over the white of the chart.
constexpr double kServedOpacity = 0.7;
// The hatching of a request waiting to be served (gnuplot fill pattern 4: diagonal lines).
constexpr int kWaitingPattern = 4;
constexpr double kBarHalfHeight = 0.36;

// The task of an async event (a timer or a queue wait): its process-local id ("id2":{"local":N}),
// or a plain "id" as traces written before that change have it.
std::uint64_t timer_id(const json& e) {
    if (e.contains("id2")) return e["id2"]["local"].get<std::uint64_t>();
    return e["id"].get<std::uint64_t>();
}

using Thread = std::pair<long, long>;  // pid, tid

Thread thread_of(const json& e) {
    return {e["pid"].get<long>(), e["tid"].get<long>()};
}

bool is_server_span(const json& e) {
    return e.value("cat", "") == "server" && e.value("ph", "") == "X";
}

bool is_client_request(const json& e) {
    return e.value("cat", "") == "client" && e.value("ph", "") == "X";
}

// A wait no thread sits in: "timer" (an event loop's simulated I/O), "queue" (a pool's
// connection waiting for a worker).
bool is_async(const std::string& cat) {
    return cat == "timer" || cat == "queue";
}

int hex_colour(const std::string& colour) {
    return static_cast<int>(std::stoul(colour.substr(1), nullptr, 16));
}

// A server thread's span for one task, in ms since the first request was sent.
struct TaskSpan {
    double start_ms;
    double end_ms;
    std::string phase;
};

// When the server first worked on a request sent at sent_ms and answered at replied_ms (see
// TimelineRequest::served_ms), from its task's spans.
std::optional<double> served_from(const std::vector<TaskSpan>& spans, double sent_ms,
                                  double replied_ms) {
    std::optional<double> first;
    for (const TaskSpan& s : spans) {
        // A thread blocked reading this client was ready for the request as it was sent.
        if (s.phase == "read" && s.start_ms < sent_ms && s.end_ms > sent_ms) return sent_ms;
        if (s.start_ms >= sent_ms && s.start_ms <= replied_ms && (!first || s.start_ms < *first)) {
            first = s.start_ms;
        }
    }
    return first;
}

std::optional<json> load_trace(const std::string& file, std::string& error) {
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
    return doc;
}

// The rows of the server threads that ran work for a client (not only accept or the loop's
// wait), numbered from `first_row` in the order they first worked, so the rows read top-down
// in time; their labels are appended to rows.
std::map<Thread, int> server_rows(const json& events, int first_row,
                                  std::vector<std::string>& rows) {
    std::map<Thread, std::string> thread_names;
    for (const json& e : events) {
        if (e.value("ph", "") == "M" && e["name"] == "thread_name")
            thread_names[thread_of(e)] = e["args"]["name"];
    }
    std::set<Thread> working;
    for (const json& e : events) {
        if (!is_server_span(e)) continue;
        std::string phase = e["name"];
        if (phase != "accept" && phase != "wait") working.insert(thread_of(e));
    }
    std::map<Thread, double> first_span;
    for (const json& e : events) {
        if (!is_server_span(e) || !working.contains(thread_of(e))) continue;
        double ts = e["ts"].get<double>();
        auto [at, fresh] = first_span.emplace(thread_of(e), ts);
        if (!fresh) at->second = std::min(at->second, ts);
    }
    std::vector<std::pair<double, Thread>> order;
    for (const auto& [thread, ts] : first_span)
        order.push_back({ts, thread});
    std::sort(order.begin(), order.end());
    std::map<Thread, int> row_of;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Thread& thread = order[i].second;
        row_of[thread] = first_row + static_cast<int>(i);
        std::string name = thread_names.contains(thread) ? thread_names[thread] : "thread";
        if (name == "child") name = "child process " + std::to_string(thread.first);
        rows.push_back("server: " + name);
    }
    return row_of;
}

// The clients of a trace: lab-harness numbers them and gives each request the client's local
// port as its task, the same number the server's spans carry for that connection.
struct Clients {
    std::map<std::uint64_t, int> client_of_task;
    std::map<int, int> row_of_client;  // rows 0, 1, ... in the order of the clients' numbers
    double origin_us = 0;              // the first request's send: 0 ms on the chart

    double ms(double us) const { return (us - origin_us) / 1000.0; }

    // A server box: work in the client's colour, a wait in its tint; for no client of this
    // trace (task 0: accept, the loop's wait) gray.
    TimelineBar server_bar(double start_ms, double end_ms, int row, std::uint64_t task,
                           const std::string& phase, bool wait) const {
        TimelineBar b{start_ms, end_ms, row, kIdleColour, Kind::ServerIdle, task, phase};
        if (auto client = client_of_task.find(task); client != client_of_task.end()) {
            b.colour = client_colour(client->second);
            if (wait) b.colour = wait_tint(b.colour);
            b.kind = wait ? Kind::ServerWait : Kind::ServerWork;
        }
        return b;
    }
};

// nullopt if the trace has no client requests.
std::optional<Clients> read_clients(const json& events) {
    Clients clients;
    bool any = false;
    for (const json& e : events) {
        if (!is_client_request(e)) continue;
        int number = e["args"]["client"].get<int>();
        clients.client_of_task[e["args"]["task"].get<std::uint64_t>()] = number;
        clients.row_of_client[number] = 0;
        double ts = e["ts"].get<double>();
        if (!any || ts < clients.origin_us) clients.origin_us = ts;
        any = true;
    }
    if (!any) return std::nullopt;
    int row = 0;
    for (auto& [number, client_row] : clients.row_of_client)
        client_row = row++;
    return clients;
}

// Adds a row per server thread that ran work for a client and a box per span of it: every
// phase but cpu is a blocking call, a wait (trace.hpp: the blocking kinds of counters.hpp).
// Returns every server thread's spans by task, for the split of the requests.
std::map<std::uint64_t, std::vector<TaskSpan>> add_server_spans(const json& events,
                                                                const Clients& clients,
                                                                Timeline& chart) {
    std::map<Thread, int> row_of_thread =
        server_rows(events, static_cast<int>(chart.rows.size()), chart.rows);
    std::map<std::uint64_t, std::vector<TaskSpan>> spans_of_task;
    for (const json& e : events) {
        if (!is_server_span(e)) continue;
        std::string phase = e["name"];
        double start = clients.ms(e["ts"].get<double>());
        double end = start + e["dur"].get<double>() / 1000.0;
        std::uint64_t task = e["args"].value("task", std::uint64_t{0});
        if (task != 0) spans_of_task[task].push_back({start, end, phase});
        auto row = row_of_thread.find(thread_of(e));
        if (row == row_of_thread.end() || end < 0) continue;  // end < 0: start-up
        chart.bars.push_back(clients.server_bar(std::max(0.0, start), end, row->second, task, phase,
                                                phase != "cpu"));
    }
    return spans_of_task;
}

// Adds a row per kind and task of async wait ("I/O timer of client N", "queue: client N"), in
// the order they first begin, and a box per wait: its b and e events paired per kind and
// task, in time order.
void add_async_waits(const json& events, const Clients& clients, Timeline& chart) {
    std::vector<const json*> async_events;
    for (const json& e : events) {
        if (is_async(e.value("cat", ""))) async_events.push_back(&e);
    }
    std::stable_sort(async_events.begin(), async_events.end(), [](const json* a, const json* b) {
        return (*a)["ts"].get<double>() < (*b)["ts"].get<double>();
    });
    using AsyncKey = std::pair<std::string, std::uint64_t>;  // category, task
    std::map<AsyncKey, int> async_row;
    std::map<AsyncKey, std::vector<std::pair<double, std::string>>> begins;  // ms, phase
    for (const json* e : async_events) {
        AsyncKey key{(*e)["cat"].get<std::string>(), timer_id(*e)};
        if ((*e)["ph"] == "b") {
            if (!async_row.contains(key)) {
                async_row[key] = static_cast<int>(chart.rows.size());
                auto client = clients.client_of_task.find(key.second);
                int number = client == clients.client_of_task.end() ? 0 : client->second;
                std::string label =
                    key.first == "queue" ? "queue: client " : "I/O timer of client ";
                chart.rows.push_back(label + std::to_string(number));
            }
            begins[key].push_back({clients.ms((*e)["ts"].get<double>()), (*e)["name"]});
        } else if ((*e)["ph"] == "e" && !begins[key].empty()) {
            auto [start, phase] = begins[key].back();
            begins[key].pop_back();
            chart.bars.push_back(clients.server_bar(start, clients.ms((*e)["ts"].get<double>()),
                                                    async_row[key], key.second, phase, true));
        }
    }
}

// Adds every client request, split where the server first worked on it (served_from), and
// its boxes: waiting then served, or one unsplit box if the trace cannot tell.
void add_requests(const json& events, const Clients& clients,
                  std::map<std::uint64_t, std::vector<TaskSpan>>& spans_of_task, Timeline& chart) {
    for (const json& e : events) {
        if (!is_client_request(e)) continue;
        TimelineRequest r;
        r.task = e["args"]["task"].get<std::uint64_t>();
        r.client = clients.client_of_task.at(r.task);
        r.request = e["args"].value("request", 0);
        r.sent_ms = clients.ms(e["ts"].get<double>());
        r.replied_ms = r.sent_ms + e["dur"].get<double>() / 1000.0;
        r.served_ms = served_from(spans_of_task[r.task], r.sent_ms, r.replied_ms);
        chart.requests.push_back(r);
        chart.end_ms = std::max(chart.end_ms, r.replied_ms);
    }
    std::sort(chart.requests.begin(), chart.requests.end(),
              [](const TimelineRequest& a, const TimelineRequest& b) {
                  return std::pair(a.client, a.request) < std::pair(b.client, b.request);
              });
    for (const TimelineRequest& r : chart.requests) {
        int row = clients.row_of_client.at(r.client);
        std::string colour = client_colour(r.client);
        if (!r.served_ms) {
            chart.bars.push_back(
                {r.sent_ms, r.replied_ms, row, colour, Kind::ClientUnsplit, r.task, "request"});
            continue;
        }
        chart.bars.push_back(
            {r.sent_ms, *r.served_ms, row, colour, Kind::ClientWaiting, r.task, "request"});
        chart.bars.push_back(
            {*r.served_ms, r.replied_ms, row, colour, Kind::ClientServed, r.task, "request"});
    }
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The boxes of one chart drawn in one style: a datablock, and the plot elements that draw it.
struct BoxStyle {
    std::string suffix;  // of the datablock's name
    std::string fill;    // gnuplot fill style
    // gnuplot takes a hatch's or a border's colour from the element, never from the data
    // (lc rgb variable): such a style is drawn by one element per colour.
    bool element_per_colour;
    std::vector<Kind> kinds;
};

const std::vector<BoxStyle>& box_styles() {
    static const std::vector<BoxStyle> styles = {
        {"", "solid 1.0 noborder", false, {Kind::ServerWork, Kind::ServerWait, Kind::ServerIdle}},
        {"_served",
         "transparent solid " + std::to_string(kServedOpacity) + " noborder",
         false,
         {Kind::ClientServed}},
        {"_waiting",
         "transparent pattern " + std::to_string(kWaitingPattern) + " border",
         true,
         {Kind::ClientWaiting}},
        {"_unsplit", "empty border", true, {Kind::ClientUnsplit}},
    };
    return styles;
}

bool drawn_in(const BoxStyle& style, Kind kind) {
    return std::find(style.kinds.begin(), style.kinds.end(), kind) != style.kinds.end();
}

// The fill of the style that draws kind (every kind has one).
const std::string& fill_of(Kind kind) {
    for (const BoxStyle& style : box_styles()) {
        if (drawn_in(style, kind)) return style.fill;
    }
    return box_styles().front().fill;
}

// The colours of the chart's boxes of one style, in the order they first appear.
std::vector<std::string> colours_in(const Timeline& chart, const BoxStyle& style) {
    std::vector<std::string> colours;
    for (const TimelineBar& b : chart.bars) {
        if (drawn_in(style, b.kind) &&
            std::find(colours.begin(), colours.end(), b.colour) == colours.end())
            colours.push_back(b.colour);
    }
    return colours;
}

// The commands that draw one chart's panel (after `set multiplot` or alone): the plot
// elements of each style that has boxes (gnuplot warns of empty data), then the key.
std::string panel(const Timeline& chart, double x_max, const std::string& data_name, bool x_label) {
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
    s << "plot ";
    auto box = [&](const std::string& suffix, const std::string& y) {
        s << "$" << data_name << suffix << " using (($1+$2)/2):" << y << ":1:2:($3-"
          << kBarHalfHeight << "):($3+" << kBarHalfHeight << ")";
    };
    for (const BoxStyle& style : box_styles()) {
        std::vector<std::string> colours = colours_in(chart, style);
        if (colours.empty()) continue;
        if (!style.element_per_colour) {
            box(style.suffix, "3");
            s << ":4 with boxxyerror fs " << style.fill << " lc rgb variable notitle, \\\n     ";
            continue;
        }
        for (const std::string& colour : colours) {
            box(style.suffix, "($4==" + std::to_string(hex_colour(colour)) + "?$3:NaN)");
            s << " with boxxyerror fs " << style.fill << " lc rgb " << quoted(colour) << " lc rgb "
              << quoted(colour) << " notitle, \\\n     ";
        }
    }
    // The key, a column for the server's boxes and one for the requests'; client 1's colour
    // stands for any client's.
    std::string sample = quoted(client_colour(1));
    s << "keyentry with boxes fs solid 1.0 lc rgb " << sample
      << " title \"server: CPU for a client (its colour)\", \\\n"
      << "     keyentry with boxes fs solid 1.0 lc rgb " << quoted(wait_tint(client_colour(1)))
      << " title \"server: waiting on a client (its tint)\", \\\n"
      << "     keyentry with boxes fs solid 1.0 lc rgb " << quoted(kIdleColour)
      << " title \"server: waiting for any client\", \\\n"
      << "     keyentry with boxes fs " << fill_of(Kind::ClientWaiting) << " lc rgb " << sample
      << " lc rgb " << sample << " title \"request: waiting to be served\", \\\n"
      << "     keyentry with boxes fs " << fill_of(Kind::ClientServed) << " lc rgb " << sample
      << " title \"request: being served\"";
    bool unsplit = std::any_of(chart.bars.begin(), chart.bars.end(),
                               [](const TimelineBar& b) { return b.kind == Kind::ClientUnsplit; });
    if (unsplit) {
        s << ", \\\n     keyentry with boxes fs " << fill_of(Kind::ClientUnsplit) << " lc rgb "
          << sample << " lc rgb " << sample
          << " title \"request: no server span for it (unsplit)\"";
    }
    s << "\n";
    return s.str();
}

std::string datablocks(const Timeline& chart, const std::string& name) {
    std::ostringstream s;
    for (const BoxStyle& style : box_styles()) {
        s << "$" << name << style.suffix << " << EOD\n";
        s << "# start_ms end_ms row colour\n";
        for (const TimelineBar& b : chart.bars) {
            if (!drawn_in(style, b.kind)) continue;
            s << b.start_ms << " " << b.end_ms << " " << b.row << " " << hex_colour(b.colour)
              << "\n";
        }
        s << "EOD\n";
    }
    return s.str();
}

std::string script(const std::string& stem, const std::vector<const Timeline*>& charts,
                   const std::string& heading) {
    double x_max = 0;
    std::size_t rows = 0;
    for (const Timeline* c : charts) {
        x_max = std::max(x_max, c->end_ms);
        rows += c->rows.size();
    }
    x_max *= 1.02;
    int height = static_cast<int>(190 + 80 * charts.size() + 34 * rows);
    std::ostringstream s;
    s << "# " << stem << ": drawn by lab-plot timeline from measured traces. Each box is a span.\n"
      << "# Server rows: CPU work in the colour of the client it served, a wait for a client's\n"
      << "# task in a lighter tint of that colour, a wait for any client in gray. Client rows:\n"
      << "# each request hatched from its send until the server first worked on it, then filled\n"
      << "# until the reply. Run `gnuplot " << stem << ".gp` to redraw.\n";
    for (std::size_t i = 0; i < charts.size(); ++i)
        s << datablocks(*charts[i], "chart" + std::to_string(i));
    s << "set style fill solid 1.0\nset grid xtics lc rgb '#EEEEEE'\nset tics nomirror\n"
      << "set key outside top center vertical maxrows 3\nset lmargin 30\n";
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

std::string client_colour(int client) {
    std::size_t count = std::size(kClientColours);
    return kClientColours[static_cast<std::size_t>(std::max(client, 1) - 1) % count];
}

std::string wait_tint(const std::string& colour) {
    int rgb = hex_colour(colour);
    char out[8];
    int channels[3] = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
    for (int& c : channels)
        c = static_cast<int>(c + (255 - c) * kTintWhite + 0.5);
    std::snprintf(out, sizeof out, "#%02X%02X%02X", channels[0], channels[1], channels[2]);
    return out;
}

std::optional<Timeline> read_timeline(const std::string& file, std::string& error) {
    auto doc = load_trace(file, error);
    if (!doc) return std::nullopt;
    const json& events = (*doc)["traceEvents"];
    auto clients = read_clients(events);
    if (!clients) {
        error = file + ": has no client requests";
        return std::nullopt;
    }
    Timeline chart;
    chart.model = (*doc)["otherData"].value("model", "?");
    chart.scenario = (*doc)["otherData"].value("scenario", "?");
    chart.request = (*doc)["otherData"].value("request", "");
    // Rows: each client, then each server thread that ran work for a client, then the async
    // waits (no thread sits in them), a row per kind and client.
    for (const auto& [number, row] : clients->row_of_client)
        chart.rows.push_back("client " + std::to_string(number) + " (request to reply)");
    auto spans_of_task = add_server_spans(events, *clients, chart);
    add_async_waits(events, *clients, chart);
    add_requests(events, *clients, spans_of_task, chart);
    return chart;
}

std::optional<std::vector<Figure>> timeline_figures(const std::vector<std::string>& files,
                                                    std::string& error) {
    std::vector<Timeline> charts;
    for (const std::string& file : files) {
        auto chart = read_timeline(file, error);
        if (!chart) return std::nullopt;
        charts.push_back(std::move(*chart));
    }
    std::vector<Figure> figures;
    std::map<std::string, std::vector<const Timeline*>> by_scenario;
    for (const Timeline& c : charts) {
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
