# context-switches-io.gp: the server's voluntary and involuntary context switches per request, one line per model.
# workload io of results/reference/demo.json (figure 'context-switches' of lab-plot).
#
# To draw it again after editing, run `gnuplot context-switches-io.gp` in this directory:
# it rewrites context-switches-io.png and context-switches-io.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$sequential << EOD
1 1.57576 1.57576 1.57576 0.444444 0.444444 0.444444 1
16 1.26263 1.26263 1.26263 0.737374 0.737374 0.737374 1
64 1.31313 1.31313 1.31313 0.69697 0.69697 0.69697 1
EOD

# threads: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$threads << EOD
1 1.68687 1.68687 1.68687 0.424242 0.424242 0.424242 1
16 2.00319 2.00319 2.00319 0.11352 0.11352 0.11352 1
64 2.0136 2.0136 2.0136 0.115058 0.115058 0.115058 1
EOD

# fork: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$fork << EOD
1 1.87879 1.87879 1.87879 0.333333 0.333333 0.333333 1
16 1.98852 1.98852 1.98852 0.19324 0.19324 0.19324 1
64 2.07234 2.07234 2.07234 0.155821 0.155821 0.155821 1
EOD

# select: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$select << EOD
1 1.46465 1.46465 1.46465 1.13131 1.13131 1.13131 1
16 0.226804 0.226804 0.226804 0.166237 0.166237 0.166237 1
64 0.174975 0.174975 0.174975 0.119711 0.119711 0.119711 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "context-switches-io." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Context switches per request" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload io: I/O-bound: 20 ms of simulated I/O per request and almost no CPU (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git aab90cc4abc2)  ·  demo.json" at screen 0.0071, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "2 s measured per run after 0.5 s of warm-up  ·  all the server's threads and processes  ·  one run per point" at screen 0.0071, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: voluntary: a task gave up its CPU to wait (read, sleep, lock, accept)
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "voluntary: a task gave up its CPU to wait (read, sleep, lock, accept)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "context switches per request"
    set logscale x
    unset logscale y
    set xtics (1, 16, 64)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0:2.23813]
    plot \
        $sequential using 1:2 with linespoints lt 1 title "sequential", \
        $threads using 1:2 with linespoints lt 2 title "threads", \
        $fork using 1:2 with linespoints lt 3 title "fork", \
        $select using 1:2 with linespoints lt 4 title "select"
    unset label 1
    unset label 2
    unset label 3
    unset label 4

    # Panel 2: involuntary: the scheduler took the CPU away (preempted)
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "involuntary: the scheduler took the CPU away (preempted)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "context switches per request"
    set logscale x
    unset logscale y
    set xtics (1, 16, 64)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0:2.23813]
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
