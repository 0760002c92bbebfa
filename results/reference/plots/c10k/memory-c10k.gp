# memory-c10k.gp: the server's memory (RSS, PSS, virtual size) and task count against connections, one line per model.
# workload c10k of results/reference/c10k.json (figure 'memory' of lab-plot).
#
# To draw it again after editing, run `gnuplot memory-c10k.gp` in this directory:
# it rewrites memory-c10k.png and memory-c10k.svg.
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

# sequential: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$sequential << EOD
100 4.40234 4.40234 4.40234 2.1709 2.1709 2.1709 6.30078 6.30078 6.30078 1 1 1 1
1000 4.40234 4.40234 4.40234 2.17285 2.17285 2.17285 6.30078 6.30078 6.30078 1 1 1 1
3000 4.38281 4.38281 4.38281 2.16309 2.16309 2.16309 6.30078 6.30078 6.30078 1 1 1 1
10000 4.39844 4.39844 4.39844 2.17871 2.17871 2.17871 6.30078 6.30078 6.30078 1 1 1 1
EOD

# threads: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$threads << EOD
100 5.73438 5.73438 5.73438 3.50488 3.50488 3.50488 1766.82 1766.82 1766.82 101 101 101 1
1000 17.3359 17.3359 17.3359 15.1084 15.1084 15.1084 8971.11 8971.11 8971.11 1001 1001 1001 1
3000 43.1445 43.1445 43.1445 40.9229 40.9229 40.9229 24980.3 24980.3 24980.3 3001 3001 3001 1
10000 133.301 133.301 133.301 131.079 131.079 131.079 81013 81013 81013 10001 10001 10001 1
EOD

# fork: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$fork << EOD
100 170.934 170.934 170.934 7.90039 7.90039 7.90039 636.379 636.379 636.379 101 101 101 1
1000 1670.96 1670.96 1670.96 58.1738 58.1738 58.1738 6337 6337 6337 1001 1001 1001 1
3000 5183.51 5183.51 5183.51 175.082 175.082 175.082 19196.4 19196.4 19196.4 3001 3001 3001 1
10000 18851.2 18851.2 18851.2 570.385 570.385 570.385 65374.5 65374.5 65374.5 10001 10001 10001 1
EOD

# select: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$select << EOD
100 4.79688 4.79688 4.79688 2.58105 2.58105 2.58105 6.6875 6.6875 6.6875 1 1 1 1
1000 8.61719 8.61719 8.61719 6.39941 6.39941 6.39941 10.5586 10.5586 10.5586 1 1 1 1
3000 8.69922 8.69922 8.69922 6.47754 6.47754 6.47754 10.6836 10.6836 10.6836 1 1 1 1
10000 8.66016 8.66016 8.66016 6.4502 6.4502 6.4502 10.6875 10.6875 10.6875 1 1 1 1
EOD

# poll: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$poll << EOD
100 4.82422 4.82422 4.82422 2.59863 2.59863 2.59863 6.81641 6.81641 6.81641 1 1 1 1
1000 8.63281 8.63281 8.63281 6.41699 6.41699 6.41699 10.5547 10.5547 10.5547 1 1 1 1
3000 17.1758 17.1758 17.1758 14.9541 14.9541 14.9541 19.082 19.082 19.082 1 1 1 1
10000 46.9531 46.9531 46.9531 44.7422 44.7422 44.7422 49.043 49.043 49.043 1 1 1 1
EOD

# epoll: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$epoll << EOD
100 4.79688 4.79688 4.79688 2.58301 2.58301 2.58301 6.81641 6.81641 6.81641 1 1 1 1
1000 8.67578 8.67578 8.67578 6.44629 6.44629 6.44629 10.5742 10.5742 10.5742 1 1 1 1
3000 17.1953 17.1953 17.1953 14.9844 14.9844 14.9844 19.1953 19.1953 19.1953 1 1 1 1
10000 47.1367 47.1367 47.1367 44.915 44.915 44.915 49.1445 49.1445 49.1445 1 1 1 1
EOD

# threadpool: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$threadpool << EOD
100 4.52344 4.52344 4.52344 2.29785 2.29785 2.29785 582.332 582.332 582.332 9 9 9 1
1000 4.5625 4.5625 4.5625 2.33301 2.33301 2.33301 582.461 582.461 582.461 9 9 9 1
3000 4.64062 4.64062 4.64062 2.41895 2.41895 2.41895 582.461 582.461 582.461 9 9 9 1
10000 4.69922 4.69922 4.69922 2.47754 2.47754 2.47754 582.59 582.59 582.59 9 9 9 1
EOD

# prefork: connections, peak RSS (MiB) (median min max), peak PSS (MiB) (median min max), peak virtual size (MiB) (median min max), peak tasks (median min max), repeats
$prefork << EOD
100 17.1641 17.1641 17.1641 3.04688 3.04688 3.04688 56.707 56.707 56.707 9 9 9 1
1000 17.6328 17.6328 17.6328 3.09766 3.09766 3.09766 56.707 56.707 56.707 9 9 9 1
3000 17.2891 17.2891 17.2891 3.06152 3.06152 3.06152 56.707 56.707 56.707 9 9 9 1
10000 17.2344 17.2344 17.2344 3.06934 3.06934 3.06934 56.707 56.707 56.707 9 9 9 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,1100 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,1100 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "memory-c10k." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Memory and tasks against connections" at screen 0.5, screen 0.9782 center font ",17"
    set label 2 "workload c10k: The C10K shape: kept-open connections, 99% idle (a PING every ~5 s), 1% busy, opened 500 every 100 ms (closed loop)" at screen 0.5, screen 0.9545 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git e5e0eb39ee2e)  ·  c10k.json" at screen 0.0071, screen 0.0291 left font ",10" textcolor rgb "#505050"
    set label 4 "10 s measured per run after 15 s of warm-up  ·  peaks of samples 100 ms apart  ·  one run per point" at screen 0.0071, screen 0.0145 left font ",10" textcolor rgb "#505050"

    # Panel 1: resident (RSS), summed over processes: shared pages count in each
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.8527
    set bmargin at screen 0.4973
    set title "resident (RSS), summed over processes: shared pages count in each" font ",13"
    set xlabel ""
    set ylabel "peak memory (MiB, log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0.999:50050]
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

    # Panel 2: proportional (PSS): a shared page is split among its sharers
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.8527
    set bmargin at screen 0.4973
    set title "proportional (PSS): a shared page is split among its sharers" font ",13"
    set xlabel ""
    set ylabel "peak memory (MiB, log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0.999:50050]
    plot \
        $sequential using 1:5 with linespoints lt 1 title "sequential", \
        $threads using 1:5 with linespoints lt 2 title "threads", \
        $fork using 1:5 with linespoints lt 3 title "fork", \
        $select using 1:5 with linespoints lt 4 title "select", \
        $poll using 1:5 with linespoints lt 5 title "poll", \
        $epoll using 1:5 with linespoints lt 6 title "epoll", \
        $threadpool using 1:5 with linespoints lt 7 title "threadpool", \
        $prefork using 1:5 with linespoints lt 8 title "prefork"

    # Panel 3: virtual size: address space reserved, mostly never touched
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.4409
    set bmargin at screen 0.0855
    set title "virtual size: address space reserved, mostly never touched" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "peak virtual size (MiB, log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [4.995:100100]
    plot \
        $sequential using 1:8 with linespoints lt 1 title "sequential", \
        $threads using 1:8 with linespoints lt 2 title "threads", \
        $fork using 1:8 with linespoints lt 3 title "fork", \
        $select using 1:8 with linespoints lt 4 title "select", \
        $poll using 1:8 with linespoints lt 5 title "poll", \
        $epoll using 1:8 with linespoints lt 6 title "epoll", \
        $threadpool using 1:8 with linespoints lt 7 title "threadpool", \
        $prefork using 1:8 with linespoints lt 8 title "prefork"

    # Panel 4: tasks: threads, counted in every process
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.4409
    set bmargin at screen 0.0855
    set title "tasks: threads, counted in every process" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "peak tasks (log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0.4995:20020]
    plot \
        $sequential using 1:11 with linespoints lt 1 title "sequential", \
        $threads using 1:11 with linespoints lt 2 title "threads", \
        $fork using 1:11 with linespoints lt 3 title "fork", \
        $select using 1:11 with linespoints lt 4 title "select", \
        $poll using 1:11 with linespoints lt 5 title "poll", \
        $epoll using 1:11 with linespoints lt 6 title "epoll", \
        $threadpool using 1:11 with linespoints lt 7 title "threadpool", \
        $prefork using 1:11 with linespoints lt 8 title "prefork"

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0657
    set rmargin at screen 0.9800
    set tmargin at screen 0.9436
    set bmargin at screen 0.8836
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
