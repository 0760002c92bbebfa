# timeline-sequential-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-sequential-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.032844 103.261 3 29362
103.332 103.362 3 10132122
103.368 203.371 3 29362
203.427 203.486 3 10132122
203.524 303.528 3 29362
303.58 304.294 3 10132122
304.347 304.35 3 10132122
304.397 404.432 3 15113984
404.501 404.581 3 10132122
404.586 504.589 3 15113984
504.656 504.809 3 10132122
504.814 604.852 3 15113984
604.916 605.048 3 10132122
605.077 605.079 3 10132122
605.124 705.127 3 40563
705.187 707.209 3 10132122
707.231 807.26 3 40563
807.321 807.477 3 10132122
807.481 907.484 3 40563
907.545 907.691 3 10132122
907.719 907.721 3 10132122
907.782 907.784 3 14540253
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 103.348 0 29362
103.348 203.462 0 29362
203.462 304.228 0 29362
0.014782 404.533 1 15113984
404.533 504.748 1 15113984
504.748 604.989 1 15113984
0.020811 707.14 2 40563
707.14 807.417 2 40563
807.417 907.635 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,356 font "DejaVu Sans,10" } else { set terminal svg size 1200,356 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-sequential-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario cpu"
  set title "sequential: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:925.788]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
