# latency-c10k.gp: latency p50 and p99 against connections, one line per model.
# workload c10k of results/reference/c10k.json (figure 'latency' of lab-plot).
#
# To draw it again after editing, run `gnuplot latency-c10k.gp` in this directory:
# it rewrites latency-c10k.png and latency-c10k.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select
set linetype 5 linecolor rgb "#E69F00" linewidth 2 pointtype 11 pointsize 1.3  # poll
set linetype 6 linecolor rgb "#56B4E9" linewidth 2 pointtype 15 pointsize 1.3  # epoll
set linetype 7 linecolor rgb "#000000" linewidth 2 pointtype 6 pointsize 1.3  # threadpool
set linetype 8 linecolor rgb "#8C564B" linewidth 2 pointtype 8 pointsize 1.3  # prefork

# sequential: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$sequential << EOD
100 0.053503 0.053503 0.053503 0.092159 0.092159 0.092159 1
1000 0.050431 0.050431 0.050431 0.104447 0.104447 0.104447 1
3000 0.050943 0.050943 0.050943 0.105983 0.105983 0.105983 1
10000 0.048639 0.048639 0.048639 0.093183 0.093183 0.093183 1
EOD

# threads: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$threads << EOD
100 0.053247 0.053247 0.053247 0.091135 0.091135 0.091135 1
1000 0.122879 0.122879 0.122879 0.374783 0.374783 0.374783 1
3000 0.397311 0.397311 0.397311 0.966655 0.966655 0.966655 1
10000 1.39264 1.39264 1.39264 3.30957 3.30957 3.30957 1
EOD

# fork: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$fork << EOD
100 0.052991 0.052991 0.052991 0.097279 0.097279 0.097279 1
1000 0.117759 0.117759 0.117759 0.311295 0.311295 0.311295 1
3000 0.423935 0.423935 0.423935 1.17145 1.17145 1.17145 1
10000 1.83501 1.83501 1.83501 19.0054 19.0054 19.0054 1
EOD

# select: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$select << EOD
100 0.048895 0.048895 0.048895 0.095231 0.095231 0.095231 1
1000 0.179199 0.179199 0.179199 0.317439 0.317439 0.317439 1
3000 0.190463 0.190463 0.190463 0.348159 0.348159 0.348159 1
10000 0.211967 0.211967 0.211967 0.497663 0.497663 0.497663 1
EOD

# poll: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$poll << EOD
100 0.050431 0.050431 0.050431 0.099327 0.099327 0.099327 1
1000 0.178175 0.178175 0.178175 0.307199 0.307199 0.307199 1
3000 0.626687 0.626687 0.626687 1.44998 1.44998 1.44998 1
10000 5.14457 5.14457 5.14457 9.96147 9.96147 9.96147 1
EOD

# epoll: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$epoll << EOD
100 0.054271 0.054271 0.054271 0.103935 0.103935 0.103935 1
1000 0.055039 0.055039 0.055039 0.148479 0.148479 0.148479 1
3000 0.189439 0.189439 0.189439 0.466943 0.466943 0.466943 1
10000 0.667647 0.667647 0.667647 1.67936 1.67936 1.67936 1
EOD

# threadpool: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$threadpool << EOD
100 0.052479 0.052479 0.052479 0.094207 0.094207 0.094207 1
1000 0.048895 0.048895 0.048895 0.117759 0.117759 0.117759 1
3000 0.048639 0.048639 0.048639 830.472 830.472 830.472 1
10000 0.048127 0.048127 0.048127 0.191487 0.191487 0.191487 1
EOD

# prefork: connections, p50 latency (ms) (median min max), p99 latency (ms) (median min max), repeats
$prefork << EOD
100 0.051711 0.051711 0.051711 0.085503 0.085503 0.085503 1
1000 0.048127 0.048127 0.048127 0.095231 0.095231 0.095231 1
3000 0.050943 0.050943 0.050943 0.101375 0.101375 0.101375 1
10000 0.060927 0.060927 0.060927 0.135167 0.135167 0.135167 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "latency-c10k." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Latency against connections" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload c10k: The C10K shape: kept-open connections, 99% idle (a PING every ~5 s), 1% busy, opened 500 every 100 ms (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git e5e0eb39ee2e)  ·  c10k.json" at screen 0.0071, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "10 s measured per run after 15 s of warm-up  ·  one run per point" at screen 0.0071, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: median (p50): half the requests took longer
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "median (p50): half the requests took longer" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "latency (ms, log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0.01998:1001]
    plot \
        $sequential using 1:2 with linespoints lt 1 title "sequential", \
        $threads using 1:2 with linespoints lt 2 title "threads", \
        $fork using 1:2 with linespoints lt 3 title "fork", \
        $select using 1:2 with linespoints lt 4 title "select", \
        $poll using 1:2 with linespoints lt 5 title "poll", \
        $epoll using 1:2 with linespoints lt 6 title "epoll", \
        $threadpool using 1:2 with linespoints lt 7 title "threadpool", \
        $prefork using 1:2 with linespoints lt 8 title "prefork"
    unset label 1
    unset label 2
    unset label 3
    unset label 4

    # Panel 2: 99th percentile (p99): 1 request in 100 took longer
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "99th percentile (p99): 1 request in 100 took longer" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "latency (ms, log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0.01998:1001]
    plot \
        $sequential using 1:5 with linespoints lt 1 title "sequential", \
        $threads using 1:5 with linespoints lt 2 title "threads", \
        $fork using 1:5 with linespoints lt 3 title "fork", \
        $select using 1:5 with linespoints lt 4 title "select", \
        $poll using 1:5 with linespoints lt 5 title "poll", \
        $epoll using 1:5 with linespoints lt 6 title "epoll", \
        $threadpool using 1:5 with linespoints lt 7 title "threadpool", \
        $prefork using 1:5 with linespoints lt 8 title "prefork"

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0657
    set rmargin at screen 0.9800
    set tmargin at screen 0.9139
    set bmargin at screen 0.8222
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
        keyentry with linespoints lt 4 title "select", \
        keyentry with linespoints lt 5 title "poll", \
        keyentry with linespoints lt 6 title "epoll", \
        keyentry with linespoints lt 7 title "threadpool", \
        keyentry with linespoints lt 8 title "prefork"
    unset multiplot
    unset output
}
