// The results file: one JSON document per sweep, described field by field in
// results/SCHEMA.md. Written atomically (a temporary file, then rename), so a killed harness
// never leaves half a file; read back with a check of schema_version.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace lab {

inline constexpr int kSchemaVersion = 1;

// {name, version, git_revision, build_type, sanitizers, sanitized}: a sanitizer build is
// marked so that its figures are never mistaken for real ones.
nlohmann::json tool_info();
// {hostname, kernel, cpu_model, cores, rlimit_nofile, perf_event_paranoid,
// harness_cpu_affinity}.
nlohmann::json machine_info();
// The wall-clock time now in UTC as ISO 8601 ("2026-12-05T00:31:07Z"): when a results file or
// a trace was made, so a lab's check can tell a student's own run from a copied one.
std::string utc_timestamp();
// The CPU affinity of a process as a list string ("0-1"), from /proc/PID/status.
std::string cpu_affinity(int pid);

// Writes doc to path via path.tmp.PID and rename(). Returns false and fills error.
bool write_results(const std::string& path, const nlohmann::json& doc, std::string& error);
// Reads a results file; refuses one whose schema_version this build does not know.
std::optional<nlohmann::json> read_results(const std::string& path, std::string& error);

}  // namespace lab
