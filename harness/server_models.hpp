// The models a lab-server binary offers, as it lists them (`lab-server --list-models --json`,
// README "lab-server"). lab-harness and lab-plot learn the models from the binary they drive,
// never by linking the registry (models/models.hpp): they talk to servers as processes, and
// link no server code (tests/link_boundary.cmake).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lab {

// One model of the listing.
struct ListedModel {
    std::string name;
    std::string summary;
    // The flags of a model's own that apply to it, e.g. {"--workers": {"default": 8, "min": 1,
    // "max": 1024}}; a flag not here does not apply (lab-server refuses it, or for
    // --max-clients ignores it).
    nlohmann::json flags = nlohmann::json::object();
    std::string plot_colour;  // "#RRGGBB": its colour in lab-plot's figures
    int plot_point_type = 0;  // its gnuplot pointtype there
    // A model a student writes (the listing's "assignment": true, README "Write your own
    // model"): run when named, left out of --models all.
    bool assignment = false;
    // Why the model cannot run on the server's machine, as lab-server says it ("": it can;
    // uring where io_uring is denied). lab-harness leaves such a model out of --models all.
    std::string unavailable;
};

// Runs `server_bin --list-models --json` and reads its listing, in the registry's order.
// Returns nullopt with a one-line reason if the binary cannot be run ("cannot run PATH (build
// it, or give --server-bin)"), fails, takes longer than 10 s, or prints no listing of at least
// one model (a binary that is not a lab-server). Any thread; waits only for its own child.
std::optional<std::vector<ListedModel>> list_server_models(const std::string& server_bin,
                                                           std::string& error);

// The listed model called `name`, or nullptr.
const ListedModel* find_listed_model(const std::vector<ListedModel>& models,
                                     const std::string& name);

// The listed models' names, comma-separated (for error messages).
std::string listed_model_names(const std::vector<ListedModel>& models);

// lab-server beside the running program (lab-harness and lab-plot are built beside it), the
// default of their --server-bin; "lab-server" if /proc/self/exe cannot be read.
std::string lab_server_beside_self();

}  // namespace lab
