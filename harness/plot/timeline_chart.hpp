// The measured timelines (lab-harness timeline): a Gantt chart per trace, one row per server
// thread or process that ran work and one per client, bars coloured by client (task),
// waiting stretches in gray; and one chart with every given model on a common time axis.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "figure.hpp"

namespace lab::plot {

// Reads the traces written by `lab-harness timeline` and returns one figure per trace
// (timeline-MODEL-SCENARIO) and, for each scenario with more than one model, one with them
// all (timeline-all-SCENARIO). nullopt with a one-line error naming the file on bad input.
std::optional<std::vector<Figure>> timeline_figures(const std::vector<std::string>& files,
                                                    std::string& error);

}  // namespace lab::plot
