# timeline-fork-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-fork-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.372693 76.3977 3 15113984
76.4024 126.522 3 10132122
126.607 126.656 3 10132122
126.66 210.371 3 15113984
210.375 260.498 3 10132122
260.562 260.607 3 10132122
260.612 344.421 3 15113984
344.423 394.507 3 10132122
394.577 394.579 3 10132122
0.458291 93.2474 4 29362
93.2528 143.352 4 10132122
143.447 143.562 4 10132122
143.568 226.925 4 29362
226.927 277.008 4 10132122
277.039 277.42 4 10132122
277.423 360.823 4 29362
360.826 410.911 4 10132122
410.951 410.985 4 10132122
411.014 411.08 4 10132122
1.15089 96.9671 5 40563
96.9706 147.049 5 10132122
147.086 147.109 5 10132122
147.112 220.806 5 40563
220.809 270.887 5 10132122
270.931 270.976 5 10132122
270.981 342.622 5 40563
342.625 392.719 5 10132122
392.781 392.827 5 10132122
392.869 392.898 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 143.459 0 29362
143.459 277.404 0 29362
277.404 410.97 0 29362
0.013069 126.64 1 15113984
126.64 260.59 1 15113984
260.59 394.533 1 15113984
0.018968 147.097 2 40563
147.097 270.942 2 40563
270.942 392.808 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario mixed"
  set title "fork: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:419.189]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 24367" 3, "server: child process 24366" 4, "server: child process 24368" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
