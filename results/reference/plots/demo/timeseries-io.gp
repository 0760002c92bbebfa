# timeseries-io.gp: one run per model at the most connections, sample by sample: requests per second, tasks, context switches per second, accept queue.
# workload io of results/reference/demo.json (figure 'timeseries' of lab-plot).
#
# To draw it again after editing, run `gnuplot timeseries-io.gp` in this directory:
# it rewrites timeseries-io.png and timeseries-io.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential (runs[8] (sequential, workload io, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$sequential << EOD
-0.500274 1 32 NaN NaN NaN
-0.396999 1 63 -0.448636 58.0975 106.512
-0.294227 1 63 -0.345613 48.6513 97.3027
-0.191351 1 63 -0.242789 48.6022 97.2044
-0.0882944 1 63 -0.139823 48.5171 97.0341
0.0154965 1 63 -0.036399 48.1738 96.3475
0.119187 1 63 0.0673419 48.2203 96.4407
0.222461 1 63 0.170824 48.4148 96.8296
0.32577 1 63 0.274116 48.3989 96.7977
0.429141 1 63 0.377456 48.3691 96.7382
0.532135 1 63 0.480638 48.5469 97.0938
0.635003 1 63 0.583569 48.6058 97.2116
0.738086 1 63 0.686544 58.2055 116.411
0.841062 1 63 0.789574 48.5552 97.1103
0.943874 1 63 0.892468 48.6323 97.2646
1.04687 1 63 0.995373 48.5447 97.0894
1.15136 1 63 1.09912 47.8532 95.7064
1.25427 1 63 1.20281 48.5859 97.1718
1.35774 1 63 1.306 48.3235 96.6471
1.46096 1 63 1.40935 48.4382 96.8763
1.56376 1 63 1.51236 48.6375 97.275
1.66672 1 63 1.61524 58.2785 126.27
1.76946 1 63 1.71809 48.6666 97.3333
1.87269 1 63 1.82107 48.4332 96.8663
1.9754 1 63 1.92405 48.6823 97.3646
EOD

# threads (runs[9] (threads, workload io, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$threads << EOD
-0.498406 1 61 NaN NaN NaN
-0.395252 65 0 -0.446829 3325.13 6233.4
-0.293656 63 1 -0.344454 3002.09 7972.76
-0.192229 65 0 -0.242943 3135.25 5481.76
-0.0914283 64 1 -0.141829 3124.98 7023.76
0.00964781 65 0 -0.0408902 3156.04 6480.27
0.114653 64 1 0.0621504 3209.37 9285.26
0.215439 65 0 0.165046 3184.95 3849.73
0.316092 67 4 0.265765 3109.72 9249.68
0.419222 65 0 0.367657 3180.42 4227.64
0.521555 65 0 0.470389 2941.38 6469.08
0.626525 65 0 0.57404 3248.57 7021.1
0.72789 64 15 0.677207 2999.05 9904.77
0.83098 65 0 0.779435 3356.3 3356.3
0.934999 60 3 0.882989 3105.19 12170.8
1.03858 65 0 0.986788 3128.09 907.533
1.14039 65 1 1.08948 2907.22 9939.55
1.24307 65 0 1.19173 3106.73 3379.42
1.34524 65 0 1.29415 3142.01 7625
1.44579 65 0 1.39551 3162.58 6046.69
1.54728 65 0 1.49653 3123.52 7301.34
1.64785 65 0 1.59756 3161.84 6085.05
1.75132 64 0 1.69959 3111.9 6813.33
1.85159 65 0 1.80146 3161.46 6372.79
1.95308 66 0 1.90234 3162.83 6778.89
EOD

# fork (runs[10] (fork, workload io, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$fork << EOD
-0.498706 1 54 NaN NaN NaN
-0.395614 65 0 -0.44716 3715.15 6537.89
-0.293286 28 26 -0.34445 2638.55 6449.79
-0.189179 65 0 -0.241232 3064.17 6234
-0.0879425 53 0 -0.138561 3190.55 6884.87
0.0123085 65 0 -0.037817 2942.61 7002.42
0.115829 58 0 0.0640685 3081.53 6607.41
0.217927 65 0 0.166878 3144.03 7267.52
0.320583 64 0 0.269255 3117.21 7656.65
0.423767 65 0 0.372175 2878.34 6066.8
0.527732 62 0 0.47575 3126.05 6367.52
0.632193 65 0 0.579963 3034.64 7409.5
0.736823 62 0 0.684508 3058.38 6260.12
0.837392 65 0 0.787108 3181.91 7755.91
0.941657 62 0 0.889524 3059.52 6262.9
1.04172 65 0 0.99169 3237.86 7535.01
1.14237 61 0 1.09205 3149.68 6130.45
1.24712 65 0 1.19475 2777.9 7360.02
1.34785 64 0 1.29749 3157.02 6413.32
1.449 65 0 1.39842 3223.08 7652.34
1.55295 60 0 1.50097 3203.44 6339.54
1.65376 65 0 1.60335 2965.98 7320.7
1.75607 63 0 1.70492 3205.73 6743.76
1.85638 65 0 1.80623 3010.7 7317.38
1.96015 65 4 1.90826 3247.82 6370.34
EOD

# select (runs[11] (select, workload io, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$select << EOD
-0.499729 1 0 NaN NaN NaN
-0.39516 1 0 -0.447444 3060.18 114.757
-0.291712 1 0 -0.343436 3093.34 290.001
-0.188812 1 0 -0.240262 3109.81 505.344
-0.0858336 1 0 -0.137323 3107.45 388.432
0.0185733 1 0 -0.0336302 3064.93 651.298
0.122842 1 0 0.0707074 3069 1448.19
0.225778 1 0 0.17431 3108.71 1156.05
0.328976 1 0 0.277377 3100.85 707.381
0.431873 1 0 0.380424 3109.89 962.121
0.534972 1 5 0.483423 3103.82 640.163
0.638574 1 0 0.586773 3223.86 1013.49
0.73921 1 0 0.688892 2782.3 695.576
0.842185 1 0 0.790698 3107.57 1971.36
0.94541 1 0 0.893798 3100.01 1210.94
1.04848 1 0 0.996947 3104.6 1581.41
1.15154 1 0 1.10001 3105 562.782
1.25178 1 0 1.20166 2753.51 698.353
1.35545 1 0 1.30361 3086.74 482.304
1.45921 1 0 1.40733 3084.02 375.865
1.55969 1 0 1.50945 3184.6 447.834
1.6633 1 0 1.6115 2663.77 665.944
1.76693 1 0 1.71511 3107.47 916.801
1.87042 1 0 1.81867 3091.99 975.91
1.9734 1 0 1.92191 3107.32 737.99
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1200,1250 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1200,1250 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "timeseries-io." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "One run over time at 64 connections" at screen 0.5, screen 0.9808 center font ",17"
    set label 2 "workload io: I/O-bound: 20 ms of simulated I/O per request and almost no CPU (closed loop)" at screen 0.5, screen 0.9600 center font ",12"
    set label 3 "machine: AMD EPYC, 2 cores, Linux 6.18.44-fc-v595  ·  Release build, lab-harness 0.1 (git aab90cc4abc2)  ·  demo.json" at screen 0.0083, screen 0.0256 left font ",10" textcolor rgb "#505050"
    set label 4 "2 s measured per run after 0.5 s of warm-up  ·  for each model the repeat with the median throughput  ·  samples about 100 ms apart  ·  gray: warm-up, not measured" at screen 0.0083, screen 0.0128 left font ",10" textcolor rgb "#505050"

    # Panel 1: requests answered per second (the server's count, per sample interval)
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.8880
    set bmargin at screen 0.7124
    set title "requests answered per second (the server's count, per sample interval)" font ",13"
    set xlabel ""
    set ylabel "requests/s"
    unset logscale x
    unset logscale y
    set xtics autofreq
    set ytics autofreq
    set format x ""
    set format y "%g"
    set xrange [-0.500274:1.9754]
    set yrange [0:4086.66]
    set object 1 rectangle from graph 0, graph 0 to first 0, graph 1 behind fillcolor rgb "#ebebeb" fillstyle solid noborder
    set label 20 "warm-up" at first -0.250137, graph 0.9 center textcolor rgb "#606060"
    plot \
        $sequential using 4:5 with linespoints pointsize 0.6 lt 1 title "sequential", \
        $threads using 4:5 with linespoints pointsize 0.6 lt 2 title "threads", \
        $fork using 4:5 with linespoints pointsize 0.6 lt 3 title "fork", \
        $select using 4:5 with linespoints pointsize 0.6 lt 4 title "select"
    unset label 1
    unset label 2
    unset label 3
    unset label 4
    unset object
    unset arrow
    unset label

    # Panel 2: tasks: threads, counted in every process
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.6756
    set bmargin at screen 0.5000
    set title "tasks: threads, counted in every process" font ",13"
    set xlabel ""
    set ylabel "tasks"
    unset logscale x
    unset logscale y
    set xtics autofreq
    set ytics autofreq
    set format x ""
    set format y "%g"
    set xrange [-0.500274:1.9754]
    set yrange [0:73.7]
    set object 1 rectangle from graph 0, graph 0 to first 0, graph 1 behind fillcolor rgb "#ebebeb" fillstyle solid noborder
    plot \
        $sequential using 1:2 with linespoints pointsize 0.6 lt 1 title "sequential", \
        $threads using 1:2 with linespoints pointsize 0.6 lt 2 title "threads", \
        $fork using 1:2 with linespoints pointsize 0.6 lt 3 title "fork", \
        $select using 1:2 with linespoints pointsize 0.6 lt 4 title "select"
    unset object
    unset arrow
    unset label

    # Panel 3: context switches per second (voluntary + involuntary, all tasks)
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.4632
    set bmargin at screen 0.2876
    set title "context switches per second (voluntary + involuntary, all tasks)" font ",13"
    set xlabel ""
    set ylabel "context switches/s"
    unset logscale x
    unset logscale y
    set xtics autofreq
    set ytics autofreq
    set format x ""
    set format y "%g"
    set xrange [-0.500274:1.9754]
    set yrange [0:13387.9]
    set object 1 rectangle from graph 0, graph 0 to first 0, graph 1 behind fillcolor rgb "#ebebeb" fillstyle solid noborder
    plot \
        $sequential using 4:6 with linespoints pointsize 0.6 lt 1 title "sequential", \
        $threads using 4:6 with linespoints pointsize 0.6 lt 2 title "threads", \
        $fork using 4:6 with linespoints pointsize 0.6 lt 3 title "fork", \
        $select using 4:6 with linespoints pointsize 0.6 lt 4 title "select"
    unset object
    unset arrow
    unset label

    # Panel 4: accept queue: connections the kernel accepted that the server has not yet
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.2508
    set bmargin at screen 0.0752
    set title "accept queue: connections the kernel accepted that the server has not yet" font ",13"
    set xlabel "time since the measured window opened (s)"
    set ylabel "connections"
    unset logscale x
    unset logscale y
    set xtics autofreq
    set ytics autofreq
    set format x "%g"
    set format y "%g"
    set xrange [-0.500274:1.9754]
    set yrange [0:69.3]
    set object 1 rectangle from graph 0, graph 0 to first 0, graph 1 behind fillcolor rgb "#ebebeb" fillstyle solid noborder
    plot \
        $sequential using 1:3 with linespoints pointsize 0.6 lt 1 title "sequential", \
        $threads using 1:3 with linespoints pointsize 0.6 lt 2 title "threads", \
        $fork using 1:3 with linespoints pointsize 0.6 lt 3 title "fork", \
        $select using 1:3 with linespoints pointsize 0.6 lt 4 title "select"
    unset object
    unset arrow
    unset label

    # The key, one entry per model, in a row under the titles.
    set lmargin at screen 0.0767
    set rmargin at screen 0.9767
    set tmargin at screen 0.9504
    set bmargin at screen 0.9152
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
        keyentry with linespoints pointsize 0.6 lt 1 title "sequential", \
        keyentry with linespoints pointsize 0.6 lt 2 title "threads", \
        keyentry with linespoints pointsize 0.6 lt 3 title "fork", \
        keyentry with linespoints pointsize 0.6 lt 4 title "select"
    unset multiplot
    unset output
}
