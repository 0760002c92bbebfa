// See sweep.hpp.
#include "sweep.hpp"

#include <algorithm>
#include <filesystem>

#include "results.hpp"

namespace lab::plot {
namespace {

using nlohmann::json;

// Adds name to names unless it is there already; keeps first-seen order.
void add_once(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// The run at runs[index] as a Run, or nullopt with error naming the field that is missing.
std::optional<Run> parse_run(const json& data, std::size_t index, std::string& error) {
    std::string where = "runs[" + std::to_string(index) + "]";
    if (!data.is_object()) {
        error = where + " is not a JSON object";
        return std::nullopt;
    }
    Run run;
    run.index = index;
    for (const char* key : {"model", "workload"}) {
        auto field = data.find(key);
        if (field == data.end() || !field->is_string() || field->get<std::string>().empty()) {
            error = where + " has no " + key + " (a non-empty string)";
            return std::nullopt;
        }
    }
    run.model = data["model"].get<std::string>();
    run.workload = data["workload"].get<std::string>();
    auto connections = data.find("connections");
    if (connections == data.end() || !connections->is_number_unsigned() ||
        connections->get<std::uint64_t>() == 0) {
        error = where + " (" + run.model + ") has no connections (a whole number above 0)";
        return std::nullopt;
    }
    run.connections = connections->get<std::uint64_t>();
    auto repeat = data.find("repeat");
    if (repeat == data.end() || !repeat->is_number_unsigned()) {
        error = where + " (" + run.model + ") has no repeat (a whole number from 0)";
        return std::nullopt;
    }
    run.repeat = repeat->get<std::uint64_t>();
    run.data = data;
    return run;
}

// The description that config.workloads gives a workload, or "".
std::string workload_description(const json& doc, const std::string& name) {
    const json* workloads = nullptr;
    if (auto config = doc.find("config"); config != doc.end() && config->is_object()) {
        if (auto w = config->find("workloads"); w != config->end() && w->is_array())
            workloads = &*w;
    }
    if (workloads == nullptr) return "";
    for (const json& w : *workloads) {
        if (w.is_object() && w.value("name", "") == name) return w.value("description", "");
    }
    return "";
}

}  // namespace

std::string Run::label() const {
    std::string text = "runs[" + std::to_string(index) + "] (" + model + ", workload " + workload +
                       ", " + std::to_string(connections) + " connection";
    if (connections != 1) text += "s";
    text += ", repeat " + std::to_string(repeat) + ")";
    return text;
}

std::vector<const Run*> WorkloadRuns::repeats_of(const std::string& model,
                                                 std::uint64_t count) const {
    std::vector<const Run*> found;
    for (const Run& run : runs) {
        if (run.model == model && run.connections == count) found.push_back(&run);
    }
    return found;
}

namespace {

// The results file at path, read; nullopt with error (naming the file) if it is missing, a
// directory, or not a results file lab::read_results accepts.
std::optional<json> read_sweep_file(const std::string& path, std::string& error) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        error = path + ": no such file";
        return std::nullopt;
    }
    if (std::filesystem::is_directory(path, ec)) {
        error = path + ": is a directory, not a results file";
        return std::nullopt;
    }
    std::string read_error;
    std::optional<json> doc = lab::read_results(path, read_error);
    if (!doc) {
        // read_results names the file in all its messages but "cannot read PATH".
        error = read_error.rfind(path, 0) == 0 ? read_error : path + ": " + read_error;
        return std::nullopt;
    }
    return doc;
}

// Workloads and models by name, in the order the sweep was configured, then any others the
// runs have.
struct Order {
    std::vector<std::string> workloads;
    std::vector<std::string> models;
};

// The order config.workloads and config.models give.
Order configured_order(const json& config) {
    Order order;
    if (config.is_object()) {
        for (const json& w : config.value("workloads", json::array())) {
            if (w.is_object() && w.contains("name") && w["name"].is_string())
                add_once(order.workloads, w["name"].get<std::string>());
        }
        for (const json& m : config.value("models", json::array())) {
            if (m.is_string()) add_once(order.models, m.get<std::string>());
        }
    }
    return order;
}

// The runs of workload `name` among all, grouped; its models in model_order.
WorkloadRuns workload_runs(const std::string& name, const json& doc, const std::vector<Run>& all,
                           const std::vector<std::string>& model_order, bool open_loop_config) {
    WorkloadRuns workload;
    workload.name = name;
    workload.description = workload_description(doc, name);
    for (const Run& run : all) {
        if (run.workload != name) continue;
        if (run.data.value("loop", open_loop_config ? "open" : "closed") == "open") {
            workload.open_loop = true;
            if (run.data.contains("rate_rps") && run.data["rate_rps"].is_number())
                workload.rate_rps = run.data["rate_rps"].get<double>();
        }
        if (run.data.value("source", "spawned") == "connect") workload.spawned = false;
        if (std::find(workload.connections.begin(), workload.connections.end(), run.connections) ==
            workload.connections.end())
            workload.connections.push_back(run.connections);
        workload.runs.push_back(run);
    }
    for (const std::string& model : model_order) {
        bool ran = std::any_of(workload.runs.begin(), workload.runs.end(),
                               [&](const Run& r) { return r.model == model; });
        if (ran) workload.models.push_back(model);
    }
    std::sort(workload.connections.begin(), workload.connections.end());
    return workload;
}

}  // namespace

std::optional<Sweep> load_sweep(const std::string& path, std::string& error) {
    std::optional<json> doc = read_sweep_file(path, error);
    if (!doc) return std::nullopt;
    Sweep sweep;
    sweep.path = path;
    sweep.name = std::filesystem::path(path).stem().string();
    auto runs = doc->find("runs");
    if (runs == doc->end() || !runs->is_array()) {
        error = path + ": no runs array: not a complete lab-harness results file";
        return std::nullopt;
    }
    if (runs->empty()) {
        error = path + ": no runs (the sweep measured nothing, so there is nothing to draw)";
        return std::nullopt;
    }

    const json& config = doc->contains("config") ? (*doc)["config"] : json::object();
    Order order = configured_order(config);
    std::vector<Run> all;
    for (std::size_t i = 0; i < runs->size(); ++i) {
        std::optional<Run> run = parse_run((*runs)[i], i, error);
        if (!run) {
            error = path + ": " + error;
            return std::nullopt;
        }
        add_once(order.workloads, run->workload);
        add_once(order.models, run->model);
        all.push_back(std::move(*run));
    }
    bool open_loop_config = config.is_object() && config.contains("rate_rps") &&
                            config["rate_rps"].is_number() && config["rate_rps"].get<double>() > 0;
    for (const std::string& name : order.workloads) {
        WorkloadRuns workload = workload_runs(name, *doc, all, order.models, open_loop_config);
        if (workload.runs.empty()) continue;  // configured, but the sweep never got to it
        sweep.workloads.push_back(std::move(workload));
    }
    doc->erase("runs");
    sweep.doc = std::move(*doc);
    return sweep;
}

}  // namespace lab::plot
