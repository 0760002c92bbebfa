// Loading and checking workload files. Every error names the file, the field and the fault.
#include "workload.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "duration.hpp"

namespace lab {
namespace {

using nlohmann::json;

// Thrown inside this file only, to turn the first fault into one error message.
struct Fault {
    std::string field;
    std::string what;
};

const json& field(const json& object, const std::string& name, const std::string& where) {
    auto it = object.find(name);
    if (it == object.end()) throw Fault{where + name, "is missing"};
    return *it;
}

std::uint64_t number(const json& value, const std::string& where, std::uint64_t max) {
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
        throw Fault{where, "must be a whole number >= 0"};
    }
    auto n = value.get<std::uint64_t>();
    if (n > max) throw Fault{where, "must be at most " + std::to_string(max)};
    return n;
}

std::uint64_t optional_number(const json& object, const std::string& name, const std::string& where,
                              std::uint64_t fallback, std::uint64_t max) {
    auto it = object.find(name);
    return it == object.end() ? fallback : number(*it, where + name, max);
}

std::uint64_t optional_duration(const json& object, const std::string& name,
                                const std::string& where, std::uint64_t fallback) {
    auto it = object.find(name);
    if (it == object.end()) return fallback;
    if (!it->is_string()) throw Fault{where + name, "must be a duration string such as \"20ms\""};
    auto ns = parse_duration_ns(it->get<std::string>());
    if (!ns) throw Fault{where + name, "must be N, Nms, Ns or Nm (at most a day)"};
    return *ns;
}

void only_known_keys(const json& object, const std::set<std::string>& known,
                     const std::string& where) {
    for (const auto& [key, value] : object.items()) {
        if (!known.contains(key)) throw Fault{where + key, "is not a known field"};
    }
}

// INCR's, WAIT's and POST's `keys`: 1 (the default) to kMaxIncrKeys.
std::uint64_t parse_keys(const json& entry, const std::string& where) {
    std::uint64_t keys = optional_number(entry, "keys", where + ".", 1, kMaxIncrKeys);
    if (keys == 0) throw Fault{where + ".keys", "must be at least 1"};
    return keys;
}

RequestSpec parse_request(const json& entry, const std::string& where) {
    if (!entry.is_object()) throw Fault{where, "must be an object"};
    RequestSpec spec;
    const json& kind = field(entry, "request", where + ".");
    if (!kind.is_string()) throw Fault{where + ".request", "must be a string"};
    std::string k = kind.get<std::string>();
    spec.weight = optional_number(entry, "weight", where + ".", 1, 1'000'000);
    if (spec.weight == 0) throw Fault{where + ".weight", "must be at least 1"};
    if (k == "PING") {
        spec.kind = RequestSpec::Kind::Ping;
        only_known_keys(entry, {"request", "weight"}, where + ".");
    } else if (k == "ECHO") {
        spec.kind = RequestSpec::Kind::Echo;
        spec.echo_bytes = optional_number(entry, "bytes", where + ".", 16, kMaxEchoBytes);
        only_known_keys(entry, {"request", "weight", "bytes"}, where + ".");
    } else if (k == "WORK") {
        spec.kind = RequestSpec::Kind::Work;
        spec.cpu_us = optional_number(entry, "cpu_us", where + ".", 0, 1'000'000);
        spec.io_ms = optional_number(entry, "io_ms", where + ".", 0, 60'000);
        spec.reply_bytes = optional_number(entry, "reply_bytes", where + ".", 0, 16'777'216);
        only_known_keys(entry, {"request", "weight", "cpu_us", "io_ms", "reply_bytes"},
                        where + ".");
    } else if (k == "INCR" || k == "POST") {
        spec.kind = k == "INCR" ? RequestSpec::Kind::Incr : RequestSpec::Kind::Post;
        spec.keys = parse_keys(entry, where);
        only_known_keys(entry, {"request", "weight", "keys"}, where + ".");
    } else if (k == "WAIT") {
        spec.kind = RequestSpec::Kind::Wait;
        spec.keys = parse_keys(entry, where);
        spec.timeout_ms =
            optional_number(entry, "timeout_ms", where + ".", kDefaultWaitMs, kWorkloadMaxWaitMs);
        only_known_keys(entry, {"request", "weight", "keys", "timeout_ms"}, where + ".");
    } else if (k == "QUERY") {
        spec.kind = RequestSpec::Kind::Query;
        spec.query_ms = optional_number(entry, "ms", where + ".", 0, kWorkloadMaxQueryMs);
        spec.rows = optional_number(entry, "rows", where + ".", 0, kWorkloadMaxQueryRows);
        only_known_keys(entry, {"request", "weight", "ms", "rows"}, where + ".");
    } else {
        throw Fault{where + ".request",
                    "must be PING, ECHO, WORK, INCR, QUERY, WAIT or POST, not \"" + k + "\""};
    }
    return spec;
}

Workload parse(const json& doc) {
    if (!doc.is_object()) throw Fault{"(top level)", "must be an object"};
    only_known_keys(doc,
                    {"name", "description", "mix", "think_time", "requests_per_connection",
                     "request_timeout", "slow_client", "idle_clients", "connect_pace"},
                    "");
    Workload w;
    const json& name = field(doc, "name", "");
    if (!name.is_string() || name.get<std::string>().empty())
        throw Fault{"name", "must be a non-empty string"};
    w.name = name.get<std::string>();
    if (auto it = doc.find("description"); it != doc.end()) {
        if (!it->is_string()) throw Fault{"description", "must be a string"};
        w.description = it->get<std::string>();
    }
    const json& mix = field(doc, "mix", "");
    if (!mix.is_array() || mix.empty()) throw Fault{"mix", "must be a non-empty array"};
    if (mix.size() > kMaxMixEntries) throw Fault{"mix", "has more than 64 entries"};
    for (std::size_t i = 0; i < mix.size(); ++i) {
        w.mix.push_back(parse_request(mix[i], "mix[" + std::to_string(i) + "]"));
    }
    w.think_time_ns = optional_duration(doc, "think_time", "", 0);
    w.requests_per_connection =
        optional_number(doc, "requests_per_connection", "", 0, 1'000'000'000);
    w.request_timeout_ns = optional_duration(doc, "request_timeout", "", w.request_timeout_ns);
    if (w.request_timeout_ns == 0) throw Fault{"request_timeout", "must be more than 0"};
    if (std::string fault = check_request_timeout(w); !fault.empty()) {
        throw Fault{"request_timeout", fault};
    }
    if (auto it = doc.find("slow_client"); it != doc.end()) {
        if (!it->is_object()) throw Fault{"slow_client", "must be an object"};
        only_known_keys(
            *it,
            {"write_chunk_bytes", "write_pause", "read_chunk_bytes", "read_pause", "share_pct"},
            "slow_client.");
        SlowClient s;
        s.write_chunk_bytes = optional_number(*it, "write_chunk_bytes", "slow_client.", 0, 4096);
        s.write_pause_ns = optional_duration(*it, "write_pause", "slow_client.", 0);
        s.read_chunk_bytes = optional_number(*it, "read_chunk_bytes", "slow_client.", 0, 1 << 20);
        s.read_pause_ns = optional_duration(*it, "read_pause", "slow_client.", 0);
        s.share_pct = optional_number(*it, "share_pct", "slow_client.", 100, 100);
        w.slow = s;
    }
    if (auto it = doc.find("idle_clients"); it != doc.end()) {
        if (!it->is_object()) throw Fault{"idle_clients", "must be an object"};
        only_known_keys(*it, {"share_pct", "think_time"}, "idle_clients.");
        IdleClients idle;
        idle.share_pct = optional_number(*it, "share_pct", "idle_clients.", 100, 100);
        field(*it, "think_time", "idle_clients.");  // required: idle without a pause is not idle
        idle.think_time_ns = optional_duration(*it, "think_time", "idle_clients.", 0);
        if (idle.think_time_ns == 0) throw Fault{"idle_clients.think_time", "must be more than 0"};
        w.idle = idle;
    }
    if (auto it = doc.find("connect_pace"); it != doc.end()) {
        if (!it->is_object()) throw Fault{"connect_pace", "must be an object"};
        only_known_keys(*it, {"group", "every"}, "connect_pace.");
        ConnectPace pace;
        pace.group =
            number(field(*it, "group", "connect_pace."), "connect_pace.group", kMaxConnectGroup);
        if (pace.group == 0) throw Fault{"connect_pace.group", "must be at least 1"};
        field(*it, "every", "connect_pace.");
        pace.every_ns = optional_duration(*it, "every", "connect_pace.", 0);
        if (pace.every_ns == 0 || pace.every_ns > kMaxConnectEveryNs) {
            throw Fault{"connect_pace.every", "must be more than 0 and at most 1m"};
        }
        w.pace = pace;
    }
    return w;
}

}  // namespace

std::optional<Workload> load_workload(const std::string& name_or_path,
                                      const std::string& workload_dir, std::string& error) {
    bool is_path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json");
    std::string path = is_path ? name_or_path : workload_dir + "/" + name_or_path + ".json";
    std::ifstream in(path);
    if (!in) {
        error = is_path ? "cannot read workload file " + path
                        : "unknown workload '" + name_or_path + "' (no " + path + ")";
        return std::nullopt;
    }
    json doc = json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
    if (doc.is_discarded()) {
        error = path + ": not valid JSON";
        return std::nullopt;
    }
    try {
        Workload w = parse(doc);
        w.path = path;
        return w;
    } catch (const Fault& f) {
        error = path + ": " + f.field + " " + f.what;
        return std::nullopt;
    }
}

bool has_request(const Workload& workload, RequestSpec::Kind kind) {
    return std::any_of(workload.mix.begin(), workload.mix.end(),
                       [kind](const RequestSpec& spec) { return spec.kind == kind; });
}

std::string check_request_timeout(const Workload& workload) {
    for (std::size_t i = 0; i < workload.mix.size(); ++i) {
        const RequestSpec& spec = workload.mix[i];
        std::uint64_t wait_ms = 0;
        const char* field = nullptr;
        if (spec.kind == RequestSpec::Kind::Query) {
            wait_ms = spec.query_ms;
            field = "ms";
        } else if (spec.kind == RequestSpec::Kind::Wait) {
            wait_ms = spec.timeout_ms;
            field = "timeout_ms";
        }
        if (field != nullptr && workload.request_timeout_ns <= wait_ms * 1'000'000) {
            std::string fault = "(";
            fault += format_duration(workload.request_timeout_ns);
            fault += ") must be longer than mix[" + std::to_string(i) + "].";
            fault += field;
            fault += " (" + std::to_string(wait_ms) + " ms)";
            return fault;
        }
    }
    return "";
}

std::uint64_t pacing_ns(const std::optional<ConnectPace>& pace, std::uint64_t connections) {
    if (!pace || connections == 0) return 0;
    std::uint64_t groups = (connections + pace->group - 1) / pace->group;
    return (groups - 1) * pace->every_ns;
}

std::vector<std::string> list_workloads(const std::string& workload_dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(workload_dir, ec)) {
        if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace lab
