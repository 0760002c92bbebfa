# context-switches-c10k.gp: the server's voluntary and involuntary context switches per request, one line per model.
# workload c10k of results/reference/c10k.json (figure 'context-switches' of lab-plot).
#
# To draw it again after editing, run `gnuplot context-switches-c10k.gp` in this directory:
# it rewrites context-switches-c10k.png and context-switches-c10k.svg.
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

# sequential: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$sequential << EOD
100 0.9968 0.9968 0.9968 0.00399118 0.00399118 0.00399118 1
1000 0.997312 0.997312 0.997312 0.00346497 0.00346497 0.00346497 1
3000 0.99756 0.99756 0.99756 0.00354552 0.00354552 0.00354552 1
10000 0.99787 0.99787 0.99787 0.00351325 0.00351325 0.00351325 1
EOD

# threads: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$threads << EOD
100 0.997604 0.997604 0.997604 0.00332088 0.00332088 0.00332088 1
1000 0.995079 0.995079 0.995079 0.0520842 0.0520842 0.0520842 1
3000 0.999372 0.999372 0.999372 0.0586195 0.0586195 0.0586195 1
10000 0.999907 0.999907 0.999907 0.0450437 0.0450437 0.0450437 1
EOD

# fork: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$fork << EOD
100 0.985962 0.985962 0.985962 0.0147679 0.0147679 0.0147679 1
1000 0.996636 0.996636 0.996636 0.0437749 0.0437749 0.0437749 1
3000 0.998273 0.998273 0.998273 0.0580667 0.0580667 0.0580667 1
10000 1.00115 1.00115 1.00115 0.0408812 0.0408812 0.0408812 1
EOD

# select: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$select << EOD
100 0.474615 0.474615 0.474615 0.00329489 0.00329489 0.00329489 1
1000 0.000273954 0.000273954 0.000273954 0.00160567 0.00160567 0.00160567 1
3000 0.000347422 0.000347422 0.000347422 0.00103613 0.00103613 0.00103613 1
10000 0.000657919 0.000657919 0.000657919 0.00275602 0.00275602 0.00275602 1
EOD

# poll: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$poll << EOD
100 0.544053 0.544053 0.544053 0.0028446 0.0028446 0.0028446 1
1000 0.000289578 0.000289578 0.000289578 0.00176191 0.00176191 0.00176191 1
3000 0.000257827 0.000257827 0.000257827 0.00184379 0.00184379 0.00184379 1
10000 0 0 0 0.000787544 0.000787544 0.000787544 1
EOD

# epoll: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$epoll << EOD
100 0.994965 0.994965 0.994965 0.00463174 0.00463174 0.00463174 1
1000 0.00673066 0.00673066 0.00673066 0.00141592 0.00141592 0.00141592 1
3000 0.0133161 0.0133161 0.0133161 0.00157454 0.00157454 0.00157454 1
10000 0.00822286 0.00822286 0.00822286 0.00113421 0.00113421 0.00113421 1
EOD

# threadpool: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$threadpool << EOD
100 0.996353 0.996353 0.996353 0.00465825 0.00465825 0.00465825 1
1000 1.00005 1.00005 1.00005 0.00313813 0.00313813 0.00313813 1
3000 1.00482 1.00482 1.00482 0.00372365 0.00372365 0.00372365 1
10000 1.43181 1.43181 1.43181 0.160813 0.160813 0.160813 1
EOD

# prefork: connections, voluntary switches per request (median min max), involuntary switches per request (median min max), repeats
$prefork << EOD
100 0.996936 0.996936 0.996936 0.00385089 0.00385089 0.00385089 1
1000 0.997923 0.997923 0.997923 0.00293112 0.00293112 0.00293112 1
3000 0.997129 0.997129 0.997129 0.00376024 0.00376024 0.00376024 1
10000 0.99615 0.99615 0.99615 0.00527053 0.00527053 0.00527053 1
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1400,720 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1400,720 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "context-switches-c10k." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Context switches per request" at screen 0.5, screen 0.9667 center font ",17"
    set label 2 "workload c10k: The C10K shape: kept-open connections, 99% idle (a PING every ~5 s), 1% busy, opened 500 every 100 ms (closed loop)" at screen 0.5, screen 0.9306 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git e5e0eb39ee2e)  ·  c10k.json" at screen 0.0071, screen 0.0444 left font ",10" textcolor rgb "#505050"
    set label 4 "10 s measured per run after 15 s of warm-up  ·  all the server's threads and processes  ·  one run per point" at screen 0.0071, screen 0.0222 left font ",10" textcolor rgb "#505050"

    # Panel 1: voluntary: a task gave up its CPU to wait (read, sleep, lock, accept)
    set lmargin at screen 0.0657
    set rmargin at screen 0.4871
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "voluntary: a task gave up its CPU to wait (read, sleep, lock, accept)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "context switches per request"
    set logscale x
    unset logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0:1.54636]
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

    # Panel 2: involuntary: the scheduler took the CPU away (preempted)
    set lmargin at screen 0.5586
    set rmargin at screen 0.9800
    set tmargin at screen 0.7750
    set bmargin at screen 0.1306
    set title "involuntary: the scheduler took the CPU away (preempted)" font ",13"
    set xlabel "concurrent client connections (log scale)"
    set ylabel "context switches per request"
    set logscale x
    unset logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0:1.54636]
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
