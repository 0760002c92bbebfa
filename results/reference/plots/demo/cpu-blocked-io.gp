# cpu-blocked-io.gp: the server's CPU time and blocked time per request, one line per model.
# workload io of results/reference/demo.json (figure 'cpu-blocked' of lab-plot).
#
# To draw it again after editing, run `gnuplot cpu-blocked-io.gp` in this directory:
# it rewrites cpu-blocked-io.png and cpu-blocked-io.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$sequential << EOD
1 61.223 61.223 61.223 20.1094 20.1094 20.1094 1
16 73.9734 73.9734 73.9734 20.0742 20.0742 20.0742 1
64 82.7227 82.7227 82.7227 20.0507 20.0507 20.0507 1
EOD

# threads: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$threads << EOD
1 96.0163 96.0163 96.0163 40.2751 40.2751 40.2751 1
16 45.7739 45.7739 45.7739 21.6248 21.6248 21.6248 1
64 39.5862 39.5862 39.5862 20.6664 20.6664 20.6664 1
EOD

# fork: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$fork << EOD
1 137.731 137.731 137.731 40.2484 40.2484 40.2484 1
16 89.0099 89.0099 89.0099 21.6198 21.6198 21.6198 1
64 87.5934 87.5934 87.5934 20.3647 20.3647 20.3647 1
EOD

# select: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$select << EOD
1 95.0529 95.0529 95.0529 20.0521 20.0521 20.0521 1
16 24.3837 24.3837 24.3837 1.24769 1.24769 1.24769 1
64 22.7995 22.7995 22.7995 0.290691 0.290691 0.290691 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "cpu-blocked-io." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "CPU time and blocked time per request" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload io: I/O-bound: 20 ms of simulated I/O per request and almost no CPU (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git aab90cc4abc2)  ·  demo.json" at screen 0.0071, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "2 s measured per run after 0.5 s of warm-up  ·  task time summed over the server's threads and processes  ·  one run per point" at screen 0.0071, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: on a CPU (all the server's tasks, from schedstat)
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "on a CPU (all the server's tasks, from schedstat)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "CPU time per request (µs)"
    set logscale x
    unset logscale y
    set xtics (1, 16, 64)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0:148.749]
    plot \
        $sequential using 1:2 with linespoints lt 1 title "sequential", \
        $threads using 1:2 with linespoints lt 2 title "threads", \
        $fork using 1:2 with linespoints lt 3 title "fork", \
        $select using 1:2 with linespoints lt 4 title "select"
    unset label 1
    unset label 2
    unset label 3
    unset label 4

    # Panel 2: blocked: alive but neither running nor waiting for a CPU
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "blocked: alive but neither running nor waiting for a CPU" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "blocked time per request (ms, log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics (0.2, 0.5, 1, 2, 5, 10, 20, 50)
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0.1998:50.05]
    plot \
        $sequential using 1:5 with linespoints lt 1 title "sequential", \
        $threads using 1:5 with linespoints lt 2 title "threads", \
        $fork using 1:5 with linespoints lt 3 title "fork", \
        $select using 1:5 with linespoints lt 4 title "select"

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0657
    set rmargin at screen 0.9800
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
