# timeline-select-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-select-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.010265 0.013219 3 14540253
0.014081 0.02046 3 10132122
0.022122 0.023254 3 29362
0.024135 0.026539 3 14540253
0.02723 0.029223 3 10132122
0.029373 0.030415 3 15113984
0.030565 0.032308 3 10132122
0.032428 0.033469 3 40563
0.03387 100.167 3 14540253
100.276 100.326 3 14540253
100.327 100.329 3 10132122
100.331 100.332 3 29362
100.334 100.335 3 10132122
100.349 100.351 3 15113984
100.351 100.353 3 10132122
100.353 100.354 3 40563
100.354 200.503 3 14540253
200.611 200.615 3 14540253
200.616 200.618 3 10132122
200.62 200.621 3 29362
200.622 200.653 3 14540253
200.654 200.656 3 10132122
200.656 200.657 3 15113984
200.657 200.659 3 10132122
200.659 200.66 3 40563
200.66 300.791 3 14540253
300.871 301.028 3 14540253
301.029 301.032 3 10132122
301.064 301.066 3 10132122
301.077 301.079 3 10132122
301.089 301.091 3 14540253
0.023575 100.173 4 10132122
0.030505 100.173 5 10132122
0.03364 100.173 6 10132122
100.351 200.508 5 10132122
100.354 200.508 6 10132122
100.333 200.508 4 10132122
200.622 300.803 4 10132122
200.657 300.803 5 10132122
200.66 300.803 6 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.298 0 29362
100.298 200.58 0 29362
200.58 300.909 0 29362
0.010615 100.308 1 15113984
100.308 200.632 1 15113984
200.632 300.936 1 15113984
0.016504 100.314 2 40563
100.314 200.643 2 40563
200.643 300.95 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,458 font "DejaVu Sans,10" } else { set terminal svg size 1200,458 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario io"
  set title "select: WORK 0 100 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:306.969]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
