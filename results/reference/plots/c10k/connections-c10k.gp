# connections-c10k.gp: the connections the clients held at the window's end, and the connects refused and timed out in the window, against the connections offered, one line per model.
# workload c10k of results/reference/c10k.json (figure 'connections' of lab-plot).
#
# To draw it again after editing, run `gnuplot connections-c10k.gp` in this directory:
# it rewrites connections-c10k.png and connections-c10k.svg.
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

# sequential: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$sequential << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 998 998 998 0 0 0 0 0 0 1
3000 265 265 265 0 0 0 1721 1721 1721 1
10000 1 1 1 0 0 0 9670 9670 9670 1
EOD

# threads: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$threads << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 1000 1000 1000 0 0 0 0 0 0 1
3000 3000 3000 3000 0 0 0 0 0 0 1
10000 10000 10000 10000 0 0 0 0 0 0 1
EOD

# fork: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$fork << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 1000 1000 1000 0 0 0 0 0 0 1
3000 3000 3000 3000 0 0 0 0 0 0 1
10000 10000 10000 10000 0 0 0 0 0 0 1
EOD

# select: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$select << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 1000 1000 1000 0 0 0 0 0 0 1
3000 1008 1008 1008 15898 15898 15898 0 0 0 1
10000 1010 1010 1010 71988 71988 71988 0 0 0 1
EOD

# poll: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$poll << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 1000 1000 1000 0 0 0 0 0 0 1
3000 3000 3000 3000 0 0 0 0 0 0 1
10000 10000 10000 10000 0 0 0 0 0 0 1
EOD

# epoll: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$epoll << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 1000 1000 1000 0 0 0 0 0 0 1
3000 3000 3000 3000 0 0 0 0 0 0 1
10000 10000 10000 10000 0 0 0 0 0 0 1
EOD

# threadpool: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$threadpool << EOD
100 100 100 100 0 0 0 0 0 0 1
1000 996 996 996 0 0 0 0 0 0 1
3000 2992 2992 2992 0 0 0 0 0 0 1
10000 8 8 8 91601 91601 91601 0 0 0 1
EOD

# prefork: connections, connections open at the window's end (median min max), connects refused or answered ERR 503 (median min max), connects timed out (median min max), repeats
$prefork << EOD
100 99 99 99 0 0 0 0 0 0 1
1000 994 994 994 0 0 0 0 0 0 1
3000 266 266 266 0 0 0 1735 1735 1735 1
10000 8 8 8 0 0 0 9653 9653 9653 1
EOD

# dodge(x, i): model i's points sit a little apart from the others' at the same x,
# so that they and their error bars do not hide each other. Set the factor to 1 to undo.
dodge(x, i) = x * 1.04**(i - 3.5)

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1200,1150 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1200,1150 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "connections-c10k." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "Connections held and refused against connections offered" at screen 0.5, screen 0.9791 center font ",17"
    set label 2 "workload c10k: The C10K shape: kept-open connections, 99% idle (a PING every ~5 s), 1% busy, opened 500 every 100 ms (closed loop)" at screen 0.5, screen 0.9565 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git e5e0eb39ee2e)  ·  c10k.json" at screen 0.0083, screen 0.0557 left font ",10" textcolor rgb "#505050"
    set label 4 "held: connections the clients had established (accepted, or waiting in the server's listen backlog)" at screen 0.0083, screen 0.0417 left font ",10" textcolor rgb "#505050"
    set label 5 "refused, timed out: connects in the window; a client tries again after a back-off (10 ms doubling to 1 s), and every try counts" at screen 0.0083, screen 0.0278 left font ",10" textcolor rgb "#505050"
    set label 6 "10 s measured per run after 15 s of warm-up  ·  one run per point  ·  the models' points at one count set a little apart" at screen 0.0083, screen 0.0139 left font ",10" textcolor rgb "#505050"

    # Panel 1: held: connections open when the window ended
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.8591
    set bmargin at screen 0.6359
    set title "held: connections open when the window ended" font ",13"
    set xlabel ""
    set ylabel "connections (log scale)"
    set logscale x
    set logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x ""
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [0.4995:20020]
    set arrow 1 from first 66.6667, first 66.6667 to first 15000, first 15000 nohead back dashtype 2 linewidth 1.5 linecolor rgb "#909090"
    set label 22 "offered = held" at first 1000, first 1000 right offset character -1, character 1 textcolor rgb "#707070"
    plot \
        $sequential using (dodge($1,0)):2 with linespoints lt 1 title "sequential", \
        $threads using (dodge($1,1)):2 with linespoints lt 2 title "threads", \
        $fork using (dodge($1,2)):2 with linespoints lt 3 title "fork", \
        $select using (dodge($1,3)):2 with linespoints lt 4 title "select", \
        $poll using (dodge($1,4)):2 with linespoints lt 5 title "poll", \
        $epoll using (dodge($1,5)):2 with linespoints lt 6 title "epoll", \
        $threadpool using (dodge($1,6)):2 with linespoints lt 7 title "threadpool", \
        $prefork using (dodge($1,7)):2 with linespoints lt 8 title "prefork"
    unset label 1
    unset label 2
    unset label 3
    unset label 4
    unset label 5
    unset label 6
    unset object
    unset arrow
    unset label

    # Panel 2: refused: connects refused or answered ERR 503 (server busy), in the window
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.5959
    set bmargin at screen 0.3728
    set title "refused: connects refused or answered ERR 503 (server busy), in the window" font ",13"
    set xlabel ""
    set ylabel "connects refused"
    set logscale x
    unset logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x ""
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [-3957.16:98929.1]
    plot \
        $sequential using (dodge($1,0)):5 with linespoints lt 1 title "sequential", \
        $threads using (dodge($1,1)):5 with linespoints lt 2 title "threads", \
        $fork using (dodge($1,2)):5 with linespoints lt 3 title "fork", \
        $select using (dodge($1,3)):5 with linespoints lt 4 title "select", \
        $poll using (dodge($1,4)):5 with linespoints lt 5 title "poll", \
        $epoll using (dodge($1,5)):5 with linespoints lt 6 title "epoll", \
        $threadpool using (dodge($1,6)):5 with linespoints lt 7 title "threadpool", \
        $prefork using (dodge($1,7)):5 with linespoints lt 8 title "prefork"

    # Panel 3: timed out: connects not established within --connect-timeout (as when the listen backlog is full), in the window
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.3328
    set bmargin at screen 0.1096
    set title "timed out: connects not established within --connect-timeout (as when the listen backlog is full), in the window" font ",13"
    set xlabel "client connections offered (log scale)"
    set ylabel "connects timed out"
    set logscale x
    unset logscale y
    set xtics (100, 1000, 3000, 10000)
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [66.6667:15000]
    set yrange [-417.744:10443.6]
    plot \
        $sequential using (dodge($1,0)):8 with linespoints lt 1 title "sequential", \
        $threads using (dodge($1,1)):8 with linespoints lt 2 title "threads", \
        $fork using (dodge($1,2)):8 with linespoints lt 3 title "fork", \
        $select using (dodge($1,3)):8 with linespoints lt 4 title "select", \
        $poll using (dodge($1,4)):8 with linespoints lt 5 title "poll", \
        $epoll using (dodge($1,5)):8 with linespoints lt 6 title "epoll", \
        $threadpool using (dodge($1,6)):8 with linespoints lt 7 title "threadpool", \
        $prefork using (dodge($1,7)):8 with linespoints lt 8 title "prefork"

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.9461
    set bmargin at screen 0.8887
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
