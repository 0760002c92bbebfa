# timeline-threads-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-threads-io.gp` to redraw.
$chart0 << EOD
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
$chart0_requests << EOD
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
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-threads-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario io"
  set title "threads: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:307.661]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
