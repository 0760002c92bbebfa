# latency-cpu.gp: latency p50 and p99 against connections, one line per model.
# workload cpu of results/reference/demo.json (figure 'latency' of lab-plot).
#
# To draw it again after editing, run `gnuplot latency-cpu.gp` in this directory:
# it rewrites latency-cpu.png and latency-cpu.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$sequential << EOD
1 2.08896 2.08896 2.08896 3.80109 3.80109 3.80109 1
16 2.09715 2.09715 2.09715 717.226 717.226 717.226 1
64 2.08896 2.08896 2.08896 1610.61 1610.61 1610.61 1
EOD

# threads: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$threads << EOD
1 2.048 2.048 2.048 3.53894 3.53894 3.53894 1
16 16.9083 16.9083 16.9083 30.2776 30.2776 30.2776 1
64 63.9631 63.9631 63.9631 105.906 105.906 105.906 1
EOD

# fork: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$fork << EOD
1 2.03981 2.03981 2.03981 3.71917 3.71917 3.71917 1
16 17.1704 17.1704 17.1704 29.2291 29.2291 29.2291 1
64 65.2739 65.2739 65.2739 126.878 126.878 126.878 1
EOD

# select: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$select << EOD
1 2.08077 2.08077 2.08077 3.7847 3.7847 3.7847 1
16 30.4087 30.4087 30.4087 61.866 61.866 61.866 1
64 130.023 130.023 130.023 133.169 133.169 133.169 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "latency-cpu." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Latency against connections" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload cpu: CPU-bound: 2 ms of CPU per request, no I/O. Two cores can run only two at once. (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git aab90cc4abc2)  ·  demo.json" at screen 0.0071, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "2 s measured per run after 0.5 s of warm-up  ·  one run per point" at screen 0.0071, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: median (p50): half the requests took longer
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "median (p50): half the requests took longer" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "latency (ms, log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0.999:2002]
    plot \
        $sequential using 1:2 with linespoints lt 1 title "sequential", \
        $threads using 1:2 with linespoints lt 2 title "threads", \
        $fork using 1:2 with linespoints lt 3 title "fork", \
        $select using 1:2 with linespoints lt 4 title "select"
    unset label 1
    unset label 2
    unset label 3
    unset label 4

    # Panel 2: 99th percentile (p99): 1 request in 100 took longer
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.8056
    set bmargin at screen 0.1306
    set title "99th percentile (p99): 1 request in 100 took longer" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "latency (ms, log scale)"
    set logscale x
    set logscale y
    set xtics (1, 16, 64)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [0.666667:96]
    set yrange [0.999:2002]
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
