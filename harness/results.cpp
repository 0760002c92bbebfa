// See results.hpp.
#include "results.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace lab {
namespace {

std::string first_line_with(const std::string& path, const std::string& prefix) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) return line;
    }
    return "";
}

std::string after_colon(const std::string& line) {
    auto colon = line.find(':');
    if (colon == std::string::npos) return "";
    auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
}

}  // namespace

nlohmann::json tool_info() {
    std::string sanitizers = LAB_SANITIZE_FLAGS;
    return {{"name", "lab-harness"},
            {"version", LAB_VERSION},
            {"git_revision", LAB_GIT_REVISION},
            {"build_type", LAB_BUILD_TYPE},
            {"sanitizers", sanitizers},
            {"sanitized", !sanitizers.empty()}};
}

std::string cpu_affinity(int pid) {
    return after_colon(
        first_line_with("/proc/" + std::to_string(pid) + "/status", "Cpus_allowed_list"));
}

nlohmann::json machine_info() {
    utsname u{};
    uname(&u);
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    std::ifstream paranoid_file("/proc/sys/kernel/perf_event_paranoid");
    int paranoid = 99;
    paranoid_file >> paranoid;
    return {{"hostname", std::string(u.nodename)},
            {"kernel", std::string(u.sysname) + " " + u.release},
            {"cpu_model", after_colon(first_line_with("/proc/cpuinfo", "model name"))},
            {"cores", sysconf(_SC_NPROCESSORS_ONLN)},
            {"rlimit_nofile", files.rlim_cur},
            {"perf_event_paranoid", paranoid},
            {"harness_cpu_affinity", cpu_affinity(getpid())}};
}

std::string utc_timestamp() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

bool write_results(const std::string& path, const nlohmann::json& doc, std::string& error) {
    std::string temp = path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temp, std::ios::trunc);
        if (!out) {
            error = "cannot write " + temp;
            return false;
        }
        out << doc.dump(1) << "\n";
        out.flush();
        if (!out) {
            error = "cannot write " + temp;
            std::remove(temp.c_str());
            return false;
        }
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        error = "cannot rename " + temp + " to " + path;
        std::remove(temp.c_str());
        return false;
    }
    return true;
}

std::optional<nlohmann::json> read_results(const std::string& path, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = "cannot read " + path;
        return std::nullopt;
    }
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        error = path + ": not a JSON object";
        return std::nullopt;
    }
    auto version = doc.find("schema_version");
    if (version == doc.end() || !version->is_number_integer()) {
        error = path + ": no schema_version: not a lab-harness results file";
        return std::nullopt;
    }
    if (version->get<int>() != kSchemaVersion) {
        error = path + ": schema_version " + std::to_string(version->get<int>()) +
                " is not one this build reads (it reads " + std::to_string(kSchemaVersion) + ")";
        return std::nullopt;
    }
    return doc;
}

}  // namespace lab
