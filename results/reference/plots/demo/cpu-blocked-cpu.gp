# cpu-blocked-cpu.gp: the server's CPU time and blocked time per request, one line per model.
# workload cpu of results/reference/demo.json (figure 'cpu-blocked' of lab-plot).
#
# To draw it again after editing, run `gnuplot cpu-blocked-cpu.gp` in this directory:
# it rewrites cpu-blocked-cpu.png and cpu-blocked-cpu.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$sequential << EOD
1 2032.48 2032.48 2032.48 0.20572 0.20572 0.20572 1
16 2033.69 2033.69 2033.69 0.27948 0.27948 0.27948 1
64 2032.84 2032.84 2032.84 0.268471 0.268471 0.268471 1
EOD

# threads: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$threads << EOD
1 2023.97 2023.97 2023.97 2.22202 2.22202 2.22202 1
16 2039.88 2039.88 2039.88 15.7909 15.7909 15.7909 1
64 2022.52 2022.52 2022.52 30.4341 30.4341 30.4341 1
EOD

# fork: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$fork << EOD
1 2050.11 2050.11 2050.11 2.19624 2.19624 2.19624 1
16 2051.42 2051.42 2051.42 15.13 15.13 15.13 1
64 2068.47 2068.47 2068.47 21.1728 21.1728 21.1728 1
EOD

# select: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$select << EOD
1 2041.1 2041.1 2041.1 0.17015 0.17015 0.17015 1
16 2026.74 2026.74 2026.74 0.000288983 0.000288983 0.000288983 1
64 2031.2 2031.2 2031.2 0.00014312 0.00014312 0.00014312 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "cpu-blocked-cpu." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "CPU time and blocked time per request" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload cpu: CPU-bound: 2 ms of CPU per request, no I/O. Two cores can run only two at once. (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
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
    set yrange [0:2233.95]
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
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [9.99e-05:50.05]
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
