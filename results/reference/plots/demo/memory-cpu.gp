# memory-cpu.gp: the server's memory (RSS, PSS, virtual size) and task count against connections, one line per model.
# workload cpu of results/reference/demo.json (figure 'memory' of lab-plot).
#
# To draw it again after editing, run `gnuplot memory-cpu.gp` in this directory:
# it rewrites memory-cpu.png and memory-cpu.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$sequential << EOD
1 4.27734 4.27734 4.27734 2.0459 2.0459 2.0459 6.16406 6.16406 6.16406 1 1 1 1
16 4.27344 4.27344 4.27344 2.04199 2.04199 2.04199 6.16406 6.16406 6.16406 1 1 1 1
64 4.27344 4.27344 4.27344 2.04199 2.04199 2.04199 6.16406 6.16406 6.16406 1 1 1 1
EOD

# threads: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$threads << EOD
1 4.27344 4.27344 4.27344 2.06055 2.06055 2.06055 86.1719 86.1719 86.1719 2 2 2 1
16 4.62891 4.62891 4.62891 2.39746 2.39746 2.39746 1118.24 1118.24 1118.24 18 18 18 1
64 5.39062 5.39062 5.39062 3.15918 3.15918 3.15918 1550.58 1550.58 1550.58 65 65 65 1
EOD

# fork: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$fork << EOD
1 5.83594 5.83594 5.83594 2.26172 2.26172 2.26172 12.3281 12.3281 12.3281 2 2 2 1
16 29.3086 29.3086 29.3086 3.54785 3.54785 3.54785 104.789 104.789 104.789 17 17 17 1
64 106.48 106.48 106.48 6.44531 6.44531 6.44531 400.664 400.664 400.664 65 65 65 1
EOD

# select: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$select << EOD
1 4.27344 4.27344 4.27344 2.05176 2.05176 2.05176 6.16406 6.16406 6.16406 1 1 1 1
16 4.39844 4.39844 4.39844 2.16699 2.16699 2.16699 6.29297 6.29297 6.29297 1 1 1 1
64 4.54688 4.54688 4.54688 2.31543 2.31543 2.31543 6.42188 6.42188 6.42188 1 1 1 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,1100 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,1100 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "memory-cpu." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Memory and tasks against connections" at screen 0.5, screen 0.9782 center font ",17"
    set label 2 "workload cpu: CPU-bound: 2 ms of CPU per request, no I/O. Two cores can run only two at once. (closed loop)" at screen 0.5, screen 0.9545 center font ",12"
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
