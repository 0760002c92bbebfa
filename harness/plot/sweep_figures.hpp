// The figures lab-plot draws from a sweep, one set per workload (issue 4's figures 1–7, and 8):
//   throughput        requests per second against connections (log x)
//   latency           p50 and p99 against connections (log y)
//   context-switches  voluntary and involuntary context switches per request
//   cpu-blocked       server CPU time and blocked time per request
//   memory            RSS, PSS, virtual size and task count against connections
//   timeseries        one run per model at the most connections, sample by sample
//   percentiles       the latency percentile spectrum at the most connections (corrected and
//                     uncorrected side by side for open-loop runs)
//   connections       connections held at the window's end (log y, with the diagonal where
//                     all offered are held), connects refused and connects timed out in the
//                     window (linear y), against connections offered: each model's limit
// Each figure has one series per model; with repeats it draws the median and the min–max
// spread. A figure reads only the run fields it needs, and a run without one stops the whole
// file before anything is drawn, with a message naming the file, the run and the field.
// One exception: a file in which no run has the client's connection counts (client.connected,
// client.connect_timeouts: an older lab-harness wrote it) gets no connections figure and a
// note instead; if some runs have them, every run must.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "figure.hpp"
#include "sweep.hpp"

namespace lab::plot {

// The figure names above, in that order. A figure's files are NAME-WORKLOAD.{gp,png,svg}.
const std::vector<std::string>& sweep_figure_names();

// Every figure of every workload of the sweep, each model drawn in its style of `styles`.
// Returns nullopt and sets error to one line
// (the file, the run, the field, the figure) if a run lacks a field a figure needs. Adds to
// notes one line for each thing it left out on purpose: the /proc figures of runs that drove
// a server started elsewhere (--connect), memory figures with no sample inside a run's window,
// the connections figure of a file without connection counts.
std::optional<std::vector<Figure>> sweep_figures(const Sweep& sweep, const ModelStyles& styles,
                                                 std::vector<std::string>& notes,
                                                 std::string& error);

}  // namespace lab::plot
