# throughput-c10k.gp: throughput against connections, one line per model.
# workload c10k of results/reference/c10k.json (figure 'throughput' of lab-plot).
#
# To draw it again after editing, run `gnuplot throughput-c10k.gp` in this directory:
# it rewrites throughput-c10k.png and throughput-c10k.svg.
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

# sequential: connections, throughput (requests/s) (median min max), repeats
$sequential << EOD
100 17814.2 17814.2 17814.2 1
1000 18528.3 18528.3 18528.3 1
3000 18276.5 18276.5 18276.5 1
10000 18729 18729 18729 1
EOD

# threads: connections, throughput (requests/s) (median min max), repeats
$threads << EOD
100 17405 17405 17405 1
1000 71163.1 71163.1 71163.1 1
3000 71346.9 71346.9 71346.9 1
10000 68529.7 68529.7 68529.7 1
EOD

# fork: connections, throughput (requests/s) (median min max), repeats
$fork << EOD
100 16725.4 16725.4 16725.4 1
1000 76193.6 76193.6 76193.6 1
3000 62481.9 62481.9 62481.9 1
10000 44793.5 44793.5 44793.5 1
EOD

# select: connections, throughput (requests/s) (median min max), repeats
$select << EOD
100 19970.2 19970.2 19970.2 1
1000 52561.8 52561.8 52561.8 1
3000 48930.3 48930.3 48930.3 1
10000 44229.4 44229.4 44229.4 1
EOD

# poll: connections, throughput (requests/s) (median min max), repeats
$poll << EOD
100 19475.3 19475.3 19475.3 1
1000 53178.9 53178.9 53178.9 1
3000 46151.6 46151.6 46151.6 1
10000 20936 20936 20936 1
EOD

# epoll: connections, throughput (requests/s) (median min max), repeats
$epoll << EOD
100 17099.4 17099.4 17099.4 1
1000 163920 163920 163920 1
3000 150454 150454 150454 1
10000 147144 147144 147144 1
EOD

# threadpool: connections, throughput (requests/s) (median min max), repeats
$threadpool << EOD
100 17989.5 17989.5 17989.5 1
1000 18832.9 18832.9 18832.9 1
3000 18825.5 18825.5 18825.5 1
10000 18401.4 18401.4 18401.4 1
EOD

# prefork: connections, throughput (requests/s) (median min max), repeats
$prefork << EOD
100 18437.2 18437.2 18437.2 1
1000 19309.9 19309.9 19309.9 1
3000 18216.8 18216.8 18216.8 1
10000 14856.2 14856.2 14856.2 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1100,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1100,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "throughput-c10k." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Throughput against connections" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload c10k: The C10K shape: kept-open connections, 99% idle (a PING every ~5 s), 1% busy, opened 500 every 100 ms (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git e5e0eb39ee2e)  ·  c10k.json" at screen 0.0091, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "10 s measured per run after 15 s of warm-up  ·  one run per point" at screen 0.0091, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: requests answered per second (client side)
    set lmargin at screen 0.0836
    set rmargin at screen 0.9745
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "requests answered per second (client side)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "throughput (requests/s)"
    set logscale x
    unset logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0:177034]
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

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0836
    set rmargin at screen 0.9745
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
