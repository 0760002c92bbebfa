// See figure.hpp.
#include "figure.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>

namespace lab::plot {
namespace {

// Further models (a --connect label, a model no longer in the registry): colours and hollow
// shapes none of the registry's models use (the registry's own, in models/models.cpp, are seven
// of the Okabe-Ito palette, Tableau 10's brown and four of Paul Tol's). These three were not
// chosen to stay apart from those for colour-blind readers (cyan and sky blue are close): their
// shapes do that. (A fourth, dark yellow with the open diamond, gave its shape to the
// coroutines model: with it, every one of gnuplot's point types 1 to 15 has an owner.)
const std::array<ModelStyle, 3> kFurtherModels = {{
    {"#7F7F7F", 4},   // grey, open square
    {"#9467BD", 10},  // purple, open inverted triangle
    {"#17BECF", 14},  // cyan, open pentagon
}};

// Layout in pixels, from the top of the canvas down; the script gets fractions of the canvas.
constexpr int kTitleCentreY = 24;
constexpr int kSubtitleCentreY = 50;
constexpr int kAlarmCentreY = 76;  // a red line under the subtitle, when there is one
constexpr int kKeyRow = 22;        // one row of key entries, under the titles
constexpr int kKeyPad = 22;        // below the last row of key entries
// gnuplot gives every key entry the width of the longest: its title plus the line sample,
// about this many characters more, each about kKeyCharPx wide (a little more than at 12 pt).
constexpr int kKeySampleChars = 7;
constexpr int kKeyCharPx = 11;
constexpr int kPanelTitleBand = 34;  // above each panel, for its title
constexpr int kXTicBand = 28;        // below a panel: its x tic labels
constexpr int kXLabelBand = 26;      // below those: its x label
constexpr int kStackGap = 12;        // below a stacked panel that shows no x tic labels
constexpr int kCaptionLine = 16;
constexpr int kCaptionPad = 8;
constexpr int kLeftBand = 92;  // y tic labels and y label
constexpr int kRightBand = 28;
constexpr int kColumnGap = 100;  // the next panel's y label and tic labels

std::string fraction(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", value);
    return text;
}

// FNV-1a: a stable hash, so a name gets the same colour on every machine and in every run.
std::uint32_t stable_hash(const std::string& text) {
    std::uint32_t hash = 2166136261u;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 16777619u;
    }
    return hash;
}

void write_series(std::ostringstream& out, const Series& series, int linetype, bool last) {
    if (series.empty) {
        out << "        keyentry with " << series.with << " lt " << linetype << " title "
            << gnuplot_quoted(series.model + series.key_note) << (last ? "\n" : ", \\\n");
        return;
    }
    if (series.band) {
        out << "        $" << series.datablock << " using " << *series.band
            << " with filledcurves lt " << linetype
            << " fillstyle transparent solid 0.18 noborder notitle, \\\n";
    }
    out << "        $" << series.datablock << " using " << series.using_columns << " with "
        << series.with << " lt " << linetype << " title "
        << gnuplot_quoted(series.model + series.key_note) << (last ? "\n" : ", \\\n");
}

// The linetype the script defines for a model: its place in the figure's models, from 1.
int linetype_of(const Figure& figure, const std::string& model) {
    for (std::size_t m = 0; m < figure.models.size(); ++m) {
        if (figure.models[m] == model) return static_cast<int>(m) + 1;
    }
    return 1;
}

}  // namespace

ModelStyles::ModelStyles(std::map<std::string, ModelStyle> registry)
    : registry_(std::move(registry)) {}

ModelStyle ModelStyles::of(const std::string& model) const {
    auto known = registry_.find(model);
    if (known != registry_.end()) return known->second;
    return kFurtherModels[stable_hash(model) % kFurtherModels.size()];
}

const std::array<ModelStyle, 3>& further_model_styles() {
    return kFurtherModels;
}

std::string gnuplot_quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

std::string data_number(double value) {
    if (!std::isfinite(value)) return "NaN";
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

namespace {

// The script's opening comment: what it draws and how to draw it again.
void write_header(std::ostringstream& out, const Figure& figure) {
    out << "# " << figure.stem << ".gp";
    for (std::size_t i = 0; i < figure.about.size(); ++i)
        out << (i == 0 ? ": " : "\n# ") << figure.about[i];
    out << "\n#\n"
        << "# To draw it again after editing, run `gnuplot " << figure.stem
        << ".gp` in this directory:\n"
        << "# it rewrites " << figure.stem << ".png and " << figure.stem << ".svg.\n"
        << "# lab-plot copied the data below from the results file; the drawing follows them.\n\n";
}

// One linetype per model, then the datablocks, then the figure's gnuplot functions.
void write_styles_and_data(std::ostringstream& out, const Figure& figure) {
    out << "# One colour and point shape per model, the same in every lab-plot figure.\n";
    for (std::size_t i = 0; i < figure.models.size(); ++i) {
        ModelStyle style = figure.styles.of(figure.models[i]);
        out << "set linetype " << i + 1 << " linecolor rgb \"" << style.colour
            << "\" linewidth 2 pointtype " << style.point_type << " pointsize 1.3  # "
            << figure.models[i] << "\n";
    }
    out << "\n";
    for (const Datablock& block : figure.data) {
        out << "# " << block.columns << "\n$" << block.name << " << EOD\n";
        for (const std::vector<double>& row : block.rows) {
            for (std::size_t c = 0; c < row.size(); ++c)
                out << (c ? " " : "") << data_number(row[c]);
            out << "\n";
        }
        out << "EOD\n\n";
    }
    for (const std::string& line : figure.definitions)
        out << line << "\n";
    if (!figure.definitions.empty()) out << "\n";
}

// The layout: where each panel's plot area is, in pixels from the top left, and where the key
// goes; x_at and y_at turn pixels into the script's fractions of the canvas.
struct Layout {
    const Figure& figure;
    double width = figure.width_px;
    double height = figure.height_px;
    std::size_t rows = static_cast<std::size_t>(figure.rows);
    std::size_t columns = static_cast<std::size_t>(figure.columns);
    int row_gap = 0;  // between rows of panels, for what is below one and the next one's title
    int key_top = 0;
    int key_band = 0;
    int plots_top = 0;
    double panel_height = 0;
    double panel_width = 0;

    explicit Layout(const Figure& f);
    const Panel* panel_at(std::size_t row, std::size_t column) const {
        std::size_t i = row * columns + column;
        return i < figure.panels.size() && column < columns ? &figure.panels[i] : nullptr;
    }
    // An x label is left out above a panel with the same one; tic labels as the panel says.
    bool shows_xlabel(std::size_t i) const {
        const Panel* below = panel_at(i / columns + 1, i % columns);
        return figure.panels[i].x_tic_labels &&
               (below == nullptr || below->xlabel != figure.panels[i].xlabel);
    }
    int band_below(std::size_t i) const {
        if (!figure.panels[i].x_tic_labels) return kStackGap;
        return kXTicBand + (shows_xlabel(i) ? kXLabelBand : 0);
    }
    std::string x_at(double px) const { return "screen " + fraction(px / width); }
    std::string y_at(double px) const { return "screen " + fraction(1 - px / height); }
};

Layout::Layout(const Figure& f) : figure(f) {
    // The most any panel but the bottom row needs below it.
    for (std::size_t i = 0; i + columns < figure.panels.size(); ++i)
        row_gap = std::max(row_gap, band_below(i));
    row_gap += kPanelTitleBand;
    key_top = (figure.alarm.empty() ? kSubtitleCentreY : kAlarmCentreY) + 12;
    std::size_t longest_title = 0;
    std::size_t entries = figure.panels.empty() ? 0 : figure.panels.front().series.size();
    for (std::size_t s = 0; s < entries; ++s) {
        const Series& series = figure.panels.front().series[s];
        longest_title = std::max(longest_title, (series.model + series.key_note).size());
    }
    int entry_px = static_cast<int>(longest_title + kKeySampleChars) * kKeyCharPx;
    std::size_t per_row = std::max<std::size_t>(
        1, static_cast<std::size_t>((figure.width_px - kLeftBand - kRightBand) / entry_px));
    key_band = kKeyPad + kKeyRow * static_cast<int>(
                                       std::max<std::size_t>(1, (entries + per_row - 1) / per_row));
    plots_top = key_top + key_band + kPanelTitleBand;
    int caption_band = kCaptionPad + kCaptionLine * static_cast<int>(figure.caption.size());
    int plots_bottom = figure.height_px - caption_band - kXTicBand - kXLabelBand;
    panel_height = (plots_bottom - plots_top - static_cast<double>(rows - 1) * row_gap) /
                   static_cast<double>(rows);
    panel_width = (width - kLeftBand - kRightBand - static_cast<double>(columns - 1) * kColumnGap) /
                  static_cast<double>(columns);
}

// The start of the loop that draws the figure as PNG and as SVG, up to `set multiplot`.
// No `set encoding`: the labels are UTF-8 (µ, ·), which pngcairo and svg draw as they are in
// gnuplot's default encoding, the one it starts in whatever the locale (5.4 takes none from
// it). `set encoding utf8` draws the same pictures, but makes gnuplot convert its degree sign
// to the locale's character set, which fails with a warning in the POSIX locale that a
// minimal container or a clean Debian has (no LANG): tests/plot_test.cpp, WithoutALocale.
// The cost: where gnuplot estimates a text's width (the key), a non-ASCII letter counts as two.
void write_terminals(std::ostringstream& out, const Figure& figure) {
    out << "# The drawing, once as PNG and once as SVG: the panels, then the key.\n"
        << "do for [format in \"png svg\"] {\n"
        << "    reset\n"
        << "    if (format eq \"png\") {\n"
        << "        set terminal pngcairo size " << figure.width_px << "," << figure.height_px
        << " font \"Sans,12\" noenhanced\n"
        << "    } else {\n"
        << "        set terminal svg size " << figure.width_px << "," << figure.height_px
        << " dynamic font \"Sans,12\" noenhanced background rgb \"white\"\n"
        << "    }\n"
        << "    set output \"" << figure.stem << ".\" . format\n"
        << "    set datafile missing \"NaN\"\n"
        << "    set grid linecolor rgb \"#e0e0e0\" linewidth 1\n"
        << "    set border linecolor rgb \"#404040\"\n"
        << "    set bars small\n"
        << "    unset key\n"
        << "    set multiplot\n";
}

// Titles and caption, as labels drawn with the first panel only, at fixed places on the
// canvas. Returns the next free label number.
int write_titles(std::ostringstream& out, const Figure& figure, const Layout& layout) {
    out << "    set label 1 " << gnuplot_quoted(figure.title) << " at screen 0.5, "
        << layout.y_at(kTitleCentreY) << " center font \",17\"\n";
    out << "    set label 2 " << gnuplot_quoted(figure.subtitle) << " at screen 0.5, "
        << layout.y_at(kSubtitleCentreY) << " center font \",12\"\n";
    int label = 3;
    if (!figure.alarm.empty()) {
        out << "    set label " << label++ << " " << gnuplot_quoted(figure.alarm)
            << " at screen 0.5, " << layout.y_at(kAlarmCentreY)
            << " center font \"Sans Bold,13\" textcolor rgb \"#CC0000\"\n";
    }
    for (std::size_t i = 0; i < figure.caption.size(); ++i) {
        double from_bottom =
            kCaptionPad + kCaptionLine * (static_cast<double>(figure.caption.size() - i) - 0.5);
        out << "    set label " << label++ << " " << gnuplot_quoted(figure.caption[i]) << " at "
            << layout.x_at(10) << ", " << layout.y_at(layout.height - from_bottom)
            << " left font \",10\" textcolor rgb \"#505050\"\n";
    }
    return label;
}

// Panel p: its place, axes, extra commands and plot; after the first panel's plot the title
// labels (1 to next_label - 1) are unset.
void write_panel(std::ostringstream& out, const Figure& figure, const Layout& layout, std::size_t p,
                 int next_label) {
    const Panel& panel = figure.panels[p];
    double left =
        kLeftBand + static_cast<double>(p % layout.columns) * (layout.panel_width + kColumnGap);
    double top = layout.plots_top +
                 static_cast<double>(p / layout.columns) * (layout.panel_height + layout.row_gap);
    out << "\n    # Panel " << p + 1 << ": " << panel.title << "\n"
        << "    set lmargin at " << layout.x_at(left) << "\n"
        << "    set rmargin at " << layout.x_at(left + layout.panel_width) << "\n"
        << "    set tmargin at " << layout.y_at(top) << "\n"
        << "    set bmargin at " << layout.y_at(top + layout.panel_height) << "\n"
        << "    set title " << gnuplot_quoted(panel.title) << " font \",13\"\n"
        << "    set xlabel " << gnuplot_quoted(layout.shows_xlabel(p) ? panel.xlabel : "") << "\n"
        << "    set ylabel " << gnuplot_quoted(panel.ylabel) << "\n"
        << (panel.log_x ? "    set logscale x\n" : "    unset logscale x\n")
        << (panel.log_y ? "    set logscale y\n" : "    unset logscale y\n") << "    set xtics "
        << (panel.xtics.empty() ? "autofreq" : panel.xtics) << "\n"
        << "    set ytics " << (panel.ytics.empty() ? "autofreq" : panel.ytics) << "\n"
        << "    set format x \"" << (panel.x_tic_labels ? "%g" : "") << "\"\n"
        << "    set format y \"%g\"\n"
        << "    set xrange " << (panel.xrange.empty() ? "[*:*]" : panel.xrange) << "\n"
        << "    set yrange " << (panel.yrange.empty() ? "[*:*]" : panel.yrange) << "\n";
    for (const std::string& line : panel.extra)
        out << "    " << line << "\n";
    out << "    plot \\\n";
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
        const Series& series = panel.series[s];
        write_series(out, series, linetype_of(figure, series.model), s + 1 == panel.series.size());
    }
    if (p == 0) {
        for (int l = 1; l < next_label; ++l)
            out << "    unset label " << l << "\n";
    }
    if (!panel.extra.empty()) out << "    unset object\n    unset arrow\n    unset label\n";
}

// The key: one row of entries above the panels, drawn as a plot of nothing but key entries
// (a key inside a panel would be laid out to that panel's width, and could cover data).
void write_key(std::ostringstream& out, const Figure& figure, const Layout& layout) {
    if (figure.panels.empty() || figure.panels.front().series.empty()) return;
    out << "\n    # The key, one entry per model, in a row under the titles.\n"
        << "    set lmargin at " << layout.x_at(kLeftBand) << "\n"
        << "    set rmargin at " << layout.x_at(layout.width - kRightBand) << "\n"
        << "    set tmargin at " << layout.y_at(layout.key_top) << "\n"
        << "    set bmargin at " << layout.y_at(layout.key_top + layout.key_band) << "\n"
        << "    unset title\n    unset xlabel\n    unset ylabel\n    unset logscale\n"
        << "    unset border\n    unset tics\n    unset grid\n"
        << "    set xrange [0:1]\n    set yrange [0:1]\n"
        << "    set key center top horizontal reverse Left samplen 3 width 2 "
           "font \",12\"\n"
        << "    plot NaN notitle, \\\n";
    const std::vector<Series>& first = figure.panels.front().series;
    for (std::size_t s = 0; s < first.size(); ++s) {
        out << "        keyentry with " << first[s].with << " lt "
            << linetype_of(figure, first[s].model) << " title "
            << gnuplot_quoted(first[s].model + first[s].key_note)
            << (s + 1 == first.size() ? "\n" : ", \\\n");
    }
}

}  // namespace

std::string gnuplot_script(const Figure& figure) {
    if (!figure.raw_script.empty()) return figure.raw_script;
    std::ostringstream out;
    write_header(out, figure);
    write_styles_and_data(out, figure);
    const Layout layout(figure);
    write_terminals(out, figure);
    int next_label = write_titles(out, figure, layout);
    for (std::size_t p = 0; p < figure.panels.size(); ++p)
        write_panel(out, figure, layout, p, next_label);
    write_key(out, figure, layout);
    out << "    unset multiplot\n"
        << "    unset output\n"
        << "}\n";
    return out.str();
}

}  // namespace lab::plot
