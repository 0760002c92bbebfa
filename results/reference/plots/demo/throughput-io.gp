# throughput-io.gp: throughput against connections, one line per model.
# workload io of results/reference/demo.json (figure 'throughput' of lab-plot).
#
# To draw it again after editing, run `gnuplot throughput-io.gp` in this directory:
# it rewrites throughput-io.png and throughput-io.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, throughput (requests/s) (median min max), repeats
$sequential << EOD
1 49 49 49 1
16 44 44 44 1
64 44 44 44 1
EOD

# threads: connections, throughput (requests/s) (median min max), repeats
$threads << EOD
1 49 49 49 1
16 776 776 776 1
64 3092.5 3092.5 3092.5 1
EOD

# fork: connections, throughput (requests/s) (median min max), repeats
$fork << EOD
1 49 49 49 1
16 776 776 776 1
64 3065 3065 3065 1
EOD

# select: connections, throughput (requests/s) (median min max), repeats
$select << EOD
1 49 49 49 1
16 768 768 768 1
64 3016 3016 3016 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1100,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1100,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "throughput-io." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Throughput against connections" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload io: I/O-bound: 20 ms of simulated I/O per request and almost no CPU (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git aab90cc4abc2)  ·  demo.json" at screen 0.0091, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "2 s measured per run after 0.5 s of warm-up  ·  one run per point" at screen 0.0091, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: requests answered per second (client side)
    set lmargin at screen 0.0836
    set rmargin at screen 0.9745
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "requests answered per second (client side)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "throughput (requests/s)"
    set logscale x
    unset logscale y
    set xtics (1, 16, 64)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0:3339.9]
    plot \
        $sequential using 1:2 with linespoints lt 1 title "sequential", \
        $threads using 1:2 with linespoints lt 2 title "threads", \
        $fork using 1:2 with linespoints lt 3 title "fork", \
        $select using 1:2 with linespoints lt 4 title "select"
    unset label 1
    unset label 2
    unset label 3
    unset label 4

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0836
    set rmargin at screen 0.9745
    set tmargin at screen 0.9139
    set bmargin at screen 0.8528
    unset title
    unset xlabel
    unset ylabel
    unset logscale
    unset border
    unset tics
    unset grid
    set xrange [0:1]
    set yrange [0:1]
    set key center top horizontal reverse Left samplen 3 width 2 font ",12"
    plot NaN notitle, \
        keyentry with linespoints lt 1 title "sequential", \
        keyentry with linespoints lt 2 title "threads", \
        keyentry with linespoints lt 3 title "fork", \
        keyentry with linespoints lt 4 title "select"
    unset multiplot
    unset output
}
