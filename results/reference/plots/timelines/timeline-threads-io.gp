# timeline-threads-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-threads-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.159417 0.16181 4 15113984
0.162922 100.304 4 10132122
100.373 100.413 4 10132122
100.417 100.418 4 15113984
100.419 200.632 4 10132122
200.759 200.761 4 15113984
200.762 300.958 4 10132122
301.021 301.098 4 10132122
301.114 301.257 4 10132122
0.155255 0.156768 3 29362
0.157489 100.426 3 10132122
100.445 100.481 3 10132122
100.483 100.484 3 29362
100.484 200.61 3 10132122
200.678 200.726 3 10132122
200.733 200.734 3 29362
200.735 300.964 3 10132122
301.029 301.121 3 10132122
301.157 301.159 3 10132122
0.185801 0.187143 5 40563
0.187453 100.341 5 10132122
100.414 100.415 5 40563
100.416 200.69 5 10132122
200.701 200.768 5 10132122
200.771 200.773 5 40563
200.773 301.042 5 10132122
301.053 301.301 5 10132122
301.315 301.333 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.469 0 29362
100.469 200.702 0 29362
200.702 301.051 0 29362
0.01388 100.389 1 15113984
100.389 200.721 1 15113984
200.721 301.086 1 15113984
0.019999 100.402 2 40563
100.402 200.732 2 40563
200.732 301.286 2 40563
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
  set xrange [0:307.312]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
