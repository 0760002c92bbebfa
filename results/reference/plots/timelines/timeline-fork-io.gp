# timeline-fork-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-fork-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.530929 0.532331 5 40563
0.532451 100.663 5 10132122
100.768 100.772 5 10132122
100.78 100.781 5 40563
100.782 201.103 5 10132122
201.122 201.158 5 10132122
201.163 201.164 5 40563
201.165 301.261 5 10132122
301.32 301.478 5 10132122
302.09 302.093 5 10132122
0.376249 0.378913 3 15113984
0.379534 100.552 3 10132122
100.635 100.669 3 10132122
100.674 100.675 3 15113984
100.676 200.894 3 10132122
201.024 201.026 3 15113984
201.027 301.339 3 10132122
301.35 301.549 3 10132122
301.572 301.574 3 10132122
0.430249 0.431741 4 29362
0.432613 100.797 4 10132122
100.823 100.86 4 10132122
100.862 100.863 4 29362
100.864 201.002 4 10132122
201.085 201.131 4 10132122
201.14 201.141 4 29362
201.142 301.564 4 10132122
301.586 301.61 4 10132122
301.651 301.68 4 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.848 0 29362
100.848 201.1 0 29362
201.1 301.596 0 29362
0.012409 100.655 1 15113984
100.655 200.996 1 15113984
200.996 301.511 1 15113984
0.018377 100.766 2 40563
100.766 201.135 2 40563
201.135 301.378 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario io"
  set title "fork: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:307.628]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27823" 3, "server: child process 27822" 4, "server: child process 27824" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
