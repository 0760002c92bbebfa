// Drawing figures with gnuplot: each figure's script is written beside its pictures, then one
// gnuplot process (driven through gnuplot-iostream) loads them all. A PNG is complete only once
// gnuplot has closed its output, so the pictures are checked after gnuplot has exited.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "figure.hpp"

namespace lab::plot {

// The longest one gnuplot process may take to draw one results file's figures.
inline constexpr int kGnuplotTimeoutSeconds = 300;

// The gnuplot executable on PATH, or "" if there is none.
std::string find_gnuplot();

// Creates directory if need be, writes STEM.gp for each figure into it, and has gnuplot draw
// STEM.png and STEM.svg there (replacing older ones). gnuplot's own messages are passed on to
// stderr, each line prefixed "lab-plot: gnuplot: ". Returns false with error (one line) if the
// directory or a script cannot be written, or a picture did not come out complete.
// Call with SIGPIPE ignored: gnuplot may exit before it has read everything.
bool draw_figures(const std::string& gnuplot, const std::filesystem::path& directory,
                  const std::vector<Figure>& figures, std::string& error);

// True if file is a complete PNG: the PNG signature first and an IEND chunk last.
bool is_complete_png(const std::filesystem::path& file);

// True if file looks like a complete SVG document: <?xml or <svg first, </svg> last.
bool is_complete_svg(const std::filesystem::path& file);

}  // namespace lab::plot
