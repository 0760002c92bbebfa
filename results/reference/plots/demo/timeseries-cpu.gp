# timeseries-cpu.gp: one run per model at the most connections, sample by sample: requests per second, tasks, context switches per second, accept queue.
# workload cpu of results/reference/demo.json (figure 'timeseries' of lab-plot).
#
# To draw it again after editing, run `gnuplot timeseries-cpu.gp` in this directory:
# it rewrites timeseries-cpu.png and timeseries-cpu.svg.
# lab-plot copied the data below from the results file; the drawing follows them.

# One colour and point shape per model, the same in every lab-plot figure.
set linetype 1 linecolor rgb "#D55E00" linewidth 2 pointtype 5 pointsize 1.3  # sequential
set linetype 2 linecolor rgb "#0072B2" linewidth 2 pointtype 7 pointsize 1.3  # threads
set linetype 3 linecolor rgb "#009E73" linewidth 2 pointtype 9 pointsize 1.3  # fork
set linetype 4 linecolor rgb "#CC79A7" linewidth 2 pointtype 13 pointsize 1.3  # select

# sequential (runs[20] (sequential, workload cpu, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$sequential << EOD
-0.500115 1 43 NaN NaN NaN
-0.39711 1 63 -0.448613 446.58 495.121
-0.296379 1 63 -0.346745 446.734 565.864
-0.192702 1 63 -0.24454 453.329 520.846
-0.0878121 1 63 -0.140257 467.158 552.962
0.0158015 1 63 -0.0360053 453.608 540.469
0.119452 1 63 0.0676266 424.505 482.392
0.222854 1 63 0.171153 425.521 483.547
0.327704 1 63 0.275279 457.799 515.024
0.430487 1 63 0.379095 437.816 467.004
0.533056 1 63 0.481772 409.479 448.477
0.635736 1 63 0.584396 447.993 496.688
0.738493 1 63 0.687115 437.928 476.855
0.841878 1 63 0.790186 435.266 483.629
0.944904 1 63 0.893391 427.076 504.726
1.04818 1 63 0.996541 435.738 503.519
1.1508 1 63 1.09949 419 448.232
1.25375 1 63 1.20228 437.102 475.956
1.35664 1 63 1.3052 427.65 476.247
1.46165 1 63 1.40915 438.052 504.712
1.56468 1 63 1.51316 427.082 465.908
1.66803 1 63 1.61635 425.713 464.414
1.77087 1 63 1.71945 427.844 476.463
1.87359 1 63 1.82223 438.12 467.328
1.97665 1 63 1.92512 436.637 514.262
EOD

# threads (runs[21] (threads, workload cpu, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$threads << EOD
-0.500142 1 53 NaN NaN NaN
-0.399207 65 0 -0.449674 2506.57 3101.01
0.274653 65 0 -0.062277 834.001 2355.09
0.61339 65 0 0.444022 1042.11 2252.48
1.07852 65 0 0.845953 1034.13 2586.39
1.73526 65 0 1.40689 834.416 2274.85
2.01925 65 0 1.87726 760.59 2200.78
EOD

# fork (runs[22] (fork, workload cpu, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$fork << EOD
-0.498222 1 50 NaN NaN NaN
-0.393954 54 0 -0.446088 2925.14 3567.72
0.751784 44 7 0.178915 901.603 3078.37
1.66948 65 0 1.21063 1066.8 1484.15
EOD

# select (runs[23] (select, workload cpu, 64 connections, repeat 0)): t (s), tasks, accept queue, interval midpoint t (s), requests/s, context switches/s (voluntary + involuntary)
$select << EOD
-0.500105 1 7 NaN NaN NaN
-0.39727 1 0 -0.448688 486.214 398.695
-0.294427 1 0 -0.345849 486.18 9.7236
-0.191435 1 0 -0.242931 504.892 29.1284
-0.0912785 1 0 -0.141357 479.25 0
0.0116979 1 0 -0.0397903 475.837 38.8438
0.114528 1 0 0.0631131 495.962 19.4495
0.2177 1 0 0.166114 494.322 0
0.322629 1 0 0.270165 486.041 38.1209
0.426338 1 0 0.374484 491.763 38.5696
0.529193 1 0 0.477765 495.843 19.4448
0.63285 1 0 0.581022 482.36 19.2944
0.736148 1 0 0.684499 484.039 19.3616
0.838814 1 0 0.787481 496.753 0
0.942164 1 0 0.890489 483.795 9.6759
1.04639 1 0 0.994277 498.917 19.1891
1.14916 1 0 1.09777 486.538 9.73075
1.25187 1 0 1.20052 496.509 38.9419
1.35478 1 0 1.30333 495.598 19.4352
1.45817 1 0 1.40648 493.27 38.6878
1.56158 1 0 1.50988 493.169 9.66997
1.66468 1 0 1.61313 485.005 0
1.76739 1 0 1.71603 496.518 0
1.87041 1 0 1.8189 495.078 38.8296
1.97543 1 22 1.92292 495.103 38.0849
EOD

# The drawing, once as PNG and once as SVG: the panels, then the key.
do for [format in "png svg"] {
    reset
    if (format eq "png") {
        set terminal pngcairo size 1200,1250 font "Sans,12" noenhanced
    } else {
        set terminal svg size 1200,1250 dynamic font "Sans,12" noenhanced background rgb "white"
    }
    set output "timeseries-cpu." . format
    set datafile missing "NaN"
    set grid linecolor rgb "#e0e0e0" linewidth 1
    set border linecolor rgb "#404040"
    set bars small
    unset key
    set multiplot
    set label 1 "One run over time at 64 connections" at screen 0.5, screen 0.9808 center font ",17"
    set label 2 "workload cpu: CPU-bound: 2 ms of CPU per request, no I/O. Two cores can run only two at once. (closed loop)" at screen 0.5, screen 0.9600 center font ",12"
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
    set xrange [-0.500142:2.01925]
    set yrange [0:3217.66]
    set object 1 rectangle from graph 0, graph 0 to first 0, graph 1 behind fillcolor rgb "#ebebeb" fillstyle solid noborder
    set label 20 "warm-up" at first -0.250071, graph 0.9 center textcolor rgb "#606060"
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
    set xrange [-0.500142:2.01925]
    set yrange [0:71.5]
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
    set xrange [-0.500142:2.01925]
    set yrange [0:3924.49]
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
    set xrange [-0.500142:2.01925]
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
