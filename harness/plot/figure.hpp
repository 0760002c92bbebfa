// A figure as lab-plot draws it: panels of series, one series per model, and the data they
// read, turned into one self-contained gnuplot script (gnuplot_script). The script holds its
// data, writes FIGURE.png and FIGURE.svg in the directory gnuplot runs in, and is written
// beside them so that a student can edit it and run `gnuplot FIGURE.gp` again.
// Every model keeps one colour and point shape in every figure (ModelStyles).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lab::plot {

// How a model is drawn: the same in every figure of every results file.
struct ModelStyle {
    std::string colour;  // "#RRGGBB"
    int point_type = 7;  // gnuplot pointtype
};

// How each model is drawn. A model of the registry has its own style there (models/models.cpp,
// `plot`), which lab-plot reads from `lab-server --list-models --json` at plot time; any other
// name (a --connect label such as nginx, a model since renamed or removed) gets one of the three
// further styles, chosen by a hash of its name, so that it too is the same everywhere. No
// registry model may take a further style's colour or shape (tests/registry_test.cpp).
class ModelStyles {
  public:
    ModelStyles() = default;  // no registry: every model gets a further style
    explicit ModelStyles(std::map<std::string, ModelStyle> registry);
    ModelStyle of(const std::string& model) const;

  private:
    std::map<std::string, ModelStyle> registry_;
};

// The three further styles: colours and hollow point shapes that no registry model has.
const std::array<ModelStyle, 3>& further_model_styles();

// A gnuplot string literal for text: double-quoted, with \ " and newlines escaped.
std::string gnuplot_quoted(const std::string& text);

// A number as gnuplot data: %.6g, or NaN (which the scripts declare missing) if not finite.
std::string data_number(double value);

// One named block of inline data ($NAME << EOD ... EOD).
struct Datablock {
    std::string name;     // without the $; a gnuplot identifier
    std::string columns;  // one comment line saying what each column is, with units
    std::vector<std::vector<double>> rows;
};

// One model's line in a panel. Its title is the model's name: the key is drawn once per
// figure, but every panel's series keep their titles so the script says which is which.
struct Series {
    std::string model;
    std::string datablock;            // which Datablock it reads
    std::string using_columns;        // gnuplot `using`, e.g. "(dodge($1,0)):2:3:4"
    std::string with;                 // gnuplot `with`, e.g. "yerrorlines" or "lines"
    std::optional<std::string> band;  // `using` of a min–max band drawn under the line
    std::string key_note;             // appended to the key title, e.g. " (no replies)"
    bool empty = false;  // nothing to draw: only its key entry (gnuplot warns of empty data)
};

// One plot inside a figure.
struct Panel {
    std::string title;
    std::string xlabel;
    std::string ylabel;
    bool log_x = false;
    bool log_y = false;
    std::string xtics;   // gnuplot tic list, e.g. "(1, 8, 32)"; empty: automatic
    std::string ytics;   // the same for y
    std::string xrange;  // e.g. "[0.7:45]"; empty: automatic
    std::string yrange;
    bool x_tic_labels = true;  // false in the upper panels of a stack that share x
    // More gnuplot commands before the plot (shading, notes, guide lines); the objects, arrows
    // and labels they set are unset after the panel's plot.
    std::vector<std::string> extra;
    std::vector<Series> series;
};

struct Figure {
    std::string stem;  // file names: STEM.gp, STEM.png, STEM.svg
    // A complete script written by another kind of figure (the timelines), used as it is
    // instead of one built from the fields below. It must draw STEM.png and STEM.svg.
    std::string raw_script;
    std::vector<std::string> about;  // comment lines at the top of the script
    std::string title;
    std::string subtitle;              // a second, smaller title line (the workload)
    std::string alarm;                 // a red line under the titles (a sanitizer build); or ""
    std::vector<std::string> caption;  // small lines at the bottom: machine, build, method
    int width_px = 1200;
    int height_px = 760;
    int rows = 1;
    int columns = 1;
    std::vector<std::string> models;       // the models shown, each given its linetype
    ModelStyles styles;                    // how each model is drawn
    std::vector<std::string> definitions;  // gnuplot functions the panels use
    std::vector<Datablock> data;
    std::vector<Panel> panels;  // row by row; at most rows × columns
};

// The gnuplot script that draws the figure as STEM.png (pngcairo) and STEM.svg (svg) in the
// current directory of the gnuplot that runs it. Each panel's `plot` command lists its series
// one per line, each with `title "MODEL..."` (a band first, with notitle); a last `plot` draws
// the key alone, one `keyentry` per model of the first panel, in a row under the titles.
std::string gnuplot_script(const Figure& figure);

}  // namespace lab::plot
