# memory-io.gp: the server's memory (RSS, PSS, virtual size) and task count against connections, one line per model.
# workload io of results/reference/demo.json (figure 'memory' of lab-plot).
#
# To draw it again after editing, run `gnuplot memory-io.gp` in this directory:
# it rewrites memory-io.png and memory-io.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$sequential << EOD
1 4.25781 4.25781 4.25781 2.03809 2.03809 2.03809 6.16406 6.16406 6.16406 1 1 1 1
16 4.26172 4.26172 4.26172 2.04102 2.04102 2.04102 6.16406 6.16406 6.16406 1 1 1 1
64 4.27344 4.27344 4.27344 2.04199 2.04199 2.04199 6.16406 6.16406 6.16406 1 1 1 1
EOD

# threads: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$threads << EOD
1 4.27734 4.27734 4.27734 2.06836 2.06836 2.06836 150.172 150.172 150.172 2 2 2 1
16 4.69922 4.69922 4.69922 2.46777 2.46777 2.46777 1166.26 1166.26 1166.26 17 17 17 1
64 5.35547 5.35547 5.35547 3.13672 3.13672 3.13672 1558.58 1558.58 1558.58 67 67 67 1
EOD

# fork: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$fork << EOD
1 5.77344 5.77344 5.77344 2.23633 2.23633 2.23633 12.3281 12.3281 12.3281 2 2 2 1
16 29.2031 29.2031 29.2031 3.5625 3.5625 3.5625 110.953 110.953 110.953 18 18 18 1
64 106.254 106.254 106.254 6.65723 6.65723 6.65723 400.664 400.664 400.664 65 65 65 1
EOD

# select: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$select << EOD
1 4.28125 4.28125 4.28125 2.0498 2.0498 2.0498 6.16406 6.16406 6.16406 1 1 1 1
16 4.38672 4.38672 4.38672 2.17578 2.17578 2.17578 6.29297 6.29297 6.29297 1 1 1 1
64 4.6875 4.6875 4.6875 2.47656 2.47656 2.47656 6.68359 6.68359 6.68359 1 1 1 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,1100 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,1100 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "memory-io." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Memory and tasks against connections" at screen 0.5, screen 0.9782 center font ",17"
    set label 2 "workload io: I/O-bound: 20 ms of simulated I/O per request and almost no CPU (closed loop)" at screen 0.5, screen 0.9545 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git aab90cc4abc2)  ·  demo.json" at screen 0.0071, screen 0.0291 left font ",10" textcolor rgb "#505050"
    set label 4 "2 s measured per run after 0.5 s of warm-up  ·  peaks of samples 100 ms apart  ·  one run per point" at screen 0.0071, screen 0.0145 left font ",10" textcolor rgb "#505050"

    # Panel 1: resident (RSS), summed over processes: shared pages count in each
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.8727
    set bmargin at screen 0.5073
    set title "resident (RSS), summed over processes: shared pages count in each" font ",13"
    set xlabel ""
    set ylabel "peak memory (MiB, log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics (1, 2, 5, 10, 20, 50, 100, 200)
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0.999:200.2]
    plot \
        $sequential using 1:2 with linespoints lt 1 title "sequential", \
        $threads using 1:2 with linespoints lt 2 title "threads", \
        $fork using 1:2 with linespoints lt 3 title "fork", \
        $select using 1:2 with linespoints lt 4 title "select"
    unset label 1
    unset label 2
    unset label 3
    unset label 4

    # Panel 2: proportional (PSS): a shared page is split among its sharers
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.8727
    set bmargin at screen 0.5073
    set title "proportional (PSS): a shared page is split among its sharers" font ",13"
    set xlabel ""
    set ylabel "peak memory (MiB, log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics (1, 2, 5, 10, 20, 50, 100, 200)
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0.999:200.2]
    plot \
        $sequential using 1:5 with linespoints lt 1 title "sequential", \
        $threads using 1:5 with linespoints lt 2 title "threads", \
        $fork using 1:5 with linespoints lt 3 title "fork", \
        $select using 1:5 with linespoints lt 4 title "select"

    # Panel 3: virtual size: address space reserved, mostly never touched
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.4509
    set bmargin at screen 0.0855
    set title "virtual size: address space reserved, mostly never touched" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "peak virtual size (MiB, log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics (5, 10, 20, 50, 100, 200, 500, 1000, 2000)
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [4.995:2002]
    plot \
        $sequential using 1:8 with linespoints lt 1 title "sequential", \
        $threads using 1:8 with linespoints lt 2 title "threads", \
        $fork using 1:8 with linespoints lt 3 title "fork", \
        $select using 1:8 with linespoints lt 4 title "select"

    # Panel 4: tasks: threads, counted in every process
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.4509
    set bmargin at screen 0.0855
    set title "tasks: threads, counted in every process" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "peak tasks (log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics (0.5, 1, 2, 5, 10, 20, 50, 100)
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0.4995:100.1]
    plot \
        $sequential using 1:11 with linespoints lt 1 title "sequential", \
        $threads using 1:11 with linespoints lt 2 title "threads", \
        $fork using 1:11 with linespoints lt 3 title "fork", \
        $select using 1:11 with linespoints lt 4 title "select"

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0657
    set rmargin at screen 0.9800
    set tmargin at screen 0.9436
    set bmargin at screen 0.9036
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
