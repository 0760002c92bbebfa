# timeline-all-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-all-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
2.34239 2.34394 5 15113984
2.34436 102.471 5 10132122
102.507 102.508 5 15113984
102.509 202.666 5 10132122
202.696 202.759 5 10132122
202.763 202.764 5 15113984
202.764 302.898 5 10132122
302.945 303.156 5 10132122
303.177 303.179 5 10132122
2.13665 2.13851 3 29362
2.13935 102.271 3 10132122
102.35 102.381 3 10132122
102.387 102.388 3 29362
102.389 202.755 3 10132122
202.77 202.806 3 10132122
202.808 202.81 3 29362
202.81 302.959 3 10132122
302.97 303.05 3 10132122
303.108 303.11 3 10132122
2.32258 2.32404 4 40563
2.32425 102.458 4 10132122
102.492 102.494 4 40563
102.494 202.531 4 10132122
202.73 202.733 4 10132122
202.74 202.741 4 40563
202.742 302.89 4 10132122
302.945 303.03 4 10132122
303.625 303.628 4 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 102.368 0 29362
102.368 202.77 0 29362
202.77 303.022 0 29362
0.01352 102.501 1 15113984
102.501 202.745 1 15113984
202.745 302.971 1 15113984
0.019629 102.481 2 40563
102.481 202.722 2 40563
202.722 302.998 2 40563
EOD
$chart1 << EOD
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
$chart1_requests << EOD
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
$chart2 << EOD
# start_ms end_ms row colour
0 0.025858 3 10132122
0.032748 0.034551 3 29362
0.036173 100.19 3 10132122
100.265 100.328 3 10132122
100.334 100.335 3 29362
100.336 200.496 3 10132122
200.574 200.576 3 29362
200.577 300.711 3 10132122
300.768 300.829 3 10132122
300.87 300.872 3 10132122
300.917 300.918 3 15113984
300.919 400.998 3 10132122
401.08 401.082 3 15113984
401.083 501.226 3 10132122
501.29 501.342 3 10132122
501.347 501.349 3 15113984
501.368 601.546 3 10132122
601.673 601.675 3 10132122
601.731 601.733 3 40563
601.734 701.81 3 10132122
701.933 701.935 3 40563
701.936 802.085 3 10132122
802.143 802.191 3 10132122
802.196 802.197 3 40563
802.198 902.395 3 10132122
902.617 902.62 3 10132122
EOD
$chart2_requests << EOD
# start_ms end_ms row colour
0 100.311 0 29362
100.311 200.552 0 29362
200.552 300.795 0 29362
0.041581 401.063 1 15113984
401.063 501.318 1 15113984
501.318 601.614 1 15113984
0.048832 701.914 2 40563
701.914 802.17 2 40563
802.17 902.461 2 40563
EOD
$chart3 << EOD
# start_ms end_ms row colour
0.199106 0.20173 4 15113984
0.20229 101.285 4 10132122
101.32 101.348 4 10132122
101.352 101.354 4 15113984
101.354 201.395 4 10132122
201.416 201.471 4 10132122
201.474 201.475 4 15113984
201.476 301.605 4 10132122
301.619 301.639 4 10132122
301.655 301.715 4 10132122
0.198044 0.199516 3 29362
0.200107 100.344 3 10132122
100.415 100.484 3 10132122
100.486 100.488 3 29362
100.488 200.714 3 10132122
200.731 200.777 3 10132122
200.783 200.784 3 29362
200.786 300.933 3 10132122
301 301.104 3 10132122
301.146 301.148 3 10132122
0.22201 0.223392 5 40563
0.223532 100.424 5 10132122
100.437 100.473 5 10132122
100.478 100.479 5 40563
100.48 200.635 5 10132122
200.705 200.806 5 10132122
200.808 200.81 5 40563
200.81 301.012 5 10132122
301.021 301.103 5 10132122
301.147 301.149 5 10132122
EOD
$chart3_requests << EOD
# start_ms end_ms row colour
0 100.452 0 29362
100.452 200.746 0 29362
200.746 301.028 0 29362
0.011547 101.334 1 15113984
101.334 201.449 1 15113984
201.449 301.628 1 15113984
0.017446 100.461 2 40563
100.461 200.792 2 40563
200.792 301.072 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,1182 font "DejaVu Sans,10" } else { set terminal svg size 1200,1182 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-all-io.%s", format)
  set multiplot layout 4,1 title "The same scenario (io) on every model, one time axis"
  set title "fork: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.51]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 24361" 3, "server: child process 24363" 4, "server: child process 24362" 5)
  unset xlabel
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "select: WORK 0 100 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:920.51]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  unset xlabel
  plot $chart1 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart1_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "sequential: WORK 0 100 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.51]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  unset xlabel
  plot $chart2 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart2_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "threads: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.51]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart3 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart3_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
