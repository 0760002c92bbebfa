# cpu-blocked-c10k.gp: the server's CPU time and blocked time per request, one line per model.
# workload c10k of results/reference/c10k.json (figure 'cpu-blocked' of lab-plot).
#
# To draw it again after editing, run `gnuplot cpu-blocked-c10k.gp` in this directory:
# it rewrites cpu-blocked-c10k.png and cpu-blocked-c10k.svg.
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

# sequential: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$sequential << EOD
100 23.0111 23.0111 23.0111 0.0325443 0.0325443 0.0325443 1
1000 21.5394 21.5394 21.5394 0.0317183 0.0317183 0.0317183 1
3000 21.882 21.882 21.882 0.0320347 0.0320347 0.0320347 1
10000 20.7155 20.7155 20.7155 0.0318628 0.0318628 0.0318628 1
EOD

# threads: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$threads << EOD
100 23.6037 23.6037 23.6037 5.77777 5.77777 5.77777 1
1000 12.9635 12.9635 12.9635 14.0254 14.0254 14.0254 1
3000 12.4958 12.4958 12.4958 42.0133 42.0133 42.0133 1
10000 12.5102 12.5102 12.5102 145.849 145.849 145.849 1
EOD

# fork: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$fork << EOD
100 23.5945 23.5945 23.5945 6.0122 6.0122 6.0122 1
1000 11.9989 11.9989 11.9989 13.1021 13.1021 13.1021 1
3000 14.7079 14.7079 14.7079 47.8678 47.8678 47.8678 1
10000 19.9772 19.9772 19.9772 210.411 210.411 210.411 1
EOD

# select: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$select << EOD
100 41.0719 41.0719 41.0719 0.00893979 0.00893979 0.00893979 1
1000 18.7959 18.7959 18.7959 0.000204537 0.000204537 0.000204537 1
3000 20.1418 20.1418 20.1418 0.000259515 0.000259515 0.000259515 1
10000 22.1038 22.1038 22.1038 0.00023537 0.00023537 0.00023537 1
EOD

# poll: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$poll << EOD
100 40.958 40.958 40.958 0.0103015 0.0103015 0.0103015 1
1000 18.5742 18.5742 18.5742 0.000201985 0.000201985 0.000201985 1
3000 21.5136 21.5136 21.5136 9.7764e-05 9.7764e-05 9.7764e-05 1
10000 47.6701 47.6701 47.6701 4.97928e-06 4.97928e-06 4.97928e-06 1
EOD

# epoll: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$epoll << EOD
100 23.3015 23.3015 23.3015 0.034411 0.034411 0.034411 1
1000 5.80352 5.80352 5.80352 0.000170863 0.000170863 0.000170863 1
3000 6.17203 6.17203 6.17203 0.000265882 0.000265882 0.000265882 1
10000 6.3217 6.3217 6.3217 0.000254357 0.000254357 0.000254357 1
EOD

# threadpool: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$threadpool << EOD
100 22.7386 22.7386 22.7386 0.476827 0.476827 0.476827 1
1000 21.6816 21.6816 21.6816 0.455487 0.455487 0.455487 1
3000 21.2968 21.2968 21.2968 0.455917 0.455917 0.455917 1
10000 32.0089 32.0089 32.0089 0.441879 0.441879 0.441879 1
EOD

# prefork: connections, CPU time per request (us) (median min max), blocked time per request (ms) (median min max), repeats
$prefork << EOD
100 21.9509 21.9509 21.9509 0.465349 0.465349 0.465349 1
1000 20.7996 20.7996 20.7996 0.444481 0.444481 0.444481 1
3000 22.1149 22.1149 22.1149 0.470993 0.470993 0.470993 1
10000 25.3871 25.3871 25.3871 0.578692 0.578692 0.578692 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "cpu-blocked-c10k." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "CPU time and blocked time per request" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload c10k: The C10K shape: kept-open connections, 99% idle (a PING every ~5 s), 1% busy, opened 500 every 100 ms (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git e5e0eb39ee2e)  ·  c10k.json" at screen 0.0071, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "10 s measured per run after 15 s of warm-up  ·  task time summed over the server's threads and processes  ·  one run per point" at screen 0.0071, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: on a CPU (all the server's tasks, from schedstat)
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "on a CPU (all the server's tasks, from schedstat)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "CPU time per request (µs)"
    set logscale x
    unset logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0:51.4837]
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

    # Panel 2: blocked: alive but neither running nor waiting for a CPU
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "blocked: alive but neither running nor waiting for a CPU" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "blocked time per request (ms, log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [1.998e-06:500.5]
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
