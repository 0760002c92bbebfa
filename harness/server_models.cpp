// See server_models.hpp.
#include "server_models.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "command.hpp"

namespace lab {
namespace {

inline constexpr std::uint64_t kListTimeoutNs = 10'000'000'000;
// A listing is a few kilobytes; more is not a lab-server's, and is not read on.
inline constexpr std::size_t kMaxListingBytes = 1 << 20;

// The listing's models, or nullopt if `doc` is not a listing of at least one model.
std::optional<std::vector<ListedModel>> parse_listing(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_array() ||
        doc["models"].empty()) {
        return std::nullopt;
    }
    std::vector<ListedModel> models;
    for (const nlohmann::json& entry : doc["models"]) {
        if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
            entry["name"].get<std::string>().empty() || !entry.contains("plot") ||
            !entry["plot"].is_object()) {
            return std::nullopt;
        }
        const nlohmann::json& plot = entry["plot"];
        ListedModel model;
        model.name = entry["name"].get<std::string>();
        model.summary = entry.value("summary", "");
        if (entry.contains("flags") && entry["flags"].is_object()) model.flags = entry["flags"];
        if (entry.contains("unavailable") && entry["unavailable"].is_string())
            model.unavailable = entry["unavailable"].get<std::string>();
        if (plot.contains("colour") && plot["colour"].is_string())
            model.plot_colour = plot["colour"].get<std::string>();
        if (plot.contains("point_type") && plot["point_type"].is_number_integer())
            model.plot_point_type = plot["point_type"].get<int>();
        if (entry.contains("assignment") && entry["assignment"].is_boolean())
            model.assignment = entry["assignment"].get<bool>();
        models.push_back(std::move(model));
    }
    return models;
}

}  // namespace

std::optional<std::vector<ListedModel>> list_server_models(const std::string& server_bin,
                                                           std::string& error) {
    const std::string cannot_run = "cannot run " + server_bin + " (build it, or give --server-bin)";
    if (server_bin.empty() || access(server_bin.c_str(), X_OK) != 0) {
        error = cannot_run;
        return std::nullopt;
    }
    // A path, never a name looked up in PATH: the file access() has just found.
    std::string program =
        server_bin.find('/') == std::string::npos ? "./" + server_bin : server_bin;
    CommandResult done = run_command(program, {"--list-models", "--json"},
                                     {.timeout_ns = kListTimeoutNs, .max_out = kMaxListingBytes});
    if (done.spawn_error != 0) {
        error = cannot_run + ": " + std::strerror(done.spawn_error);
        return std::nullopt;
    }
    const std::string command = server_bin + " --list-models --json";
    if (done.timed_out) {
        error = command + " did not finish within 10 s (is it a lab-server?)";
        return std::nullopt;
    }
    if (!WIFEXITED(done.status) || WEXITSTATUS(done.status) != 0) {
        error =
            command + " failed (" +
            (WIFEXITED(done.status) ? "exit status " + std::to_string(WEXITSTATUS(done.status))
                                    : "killed by signal " + std::to_string(WTERMSIG(done.status))) +
            "): " + first_line_of(done.err) + " (is it a lab-server of this lab? build it again)";
        return std::nullopt;
    }
    nlohmann::json doc = nlohmann::json::parse(done.out, nullptr, false);
    std::optional<std::vector<ListedModel>> models;
    if (!doc.is_discarded()) models = parse_listing(doc);
    if (!models) {
        error = server_bin + " did not list its models (" + command +
                " printed no listing of models): give --server-bin a lab-server";
        return std::nullopt;
    }
    return models;
}

const ListedModel* find_listed_model(const std::vector<ListedModel>& models,
                                     const std::string& name) {
    for (const ListedModel& model : models) {
        if (model.name == name) return &model;
    }
    return nullptr;
}

std::string listed_model_names(const std::vector<ListedModel>& models) {
    std::string names;
    for (const ListedModel& model : models)
        names += (names.empty() ? "" : ", ") + model.name;
    return names;
}

std::string lab_server_beside_self() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "lab-server";
    return (self.parent_path() / "lab-server").string();
}

}  // namespace lab
