# timeline-threads-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-threads-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.170013 100.354 3 29362
100.359 150.436 3 10132122
150.511 151.464 3 10132122
151.47 232.073 3 29362
232.078 282.189 3 10132122
282.279 282.335 3 10132122
282.342 344.752 3 29362
344.757 394.858 3 10132122
395.088 395.091 3 10132122
0.201159 50.239 4 15113984
50.2478 100.344 4 10132122
100.424 100.453 4 10132122
100.457 152.083 4 15113984
152.086 202.173 4 10132122
202.271 257.128 4 15113984
257.131 307.245 4 10132122
307.392 307.395 4 10132122
0.337431 83.4815 5 40563
83.4881 133.591 5 10132122
133.658 134.102 5 10132122
134.108 196.367 5 40563
196.372 246.478 5 10132122
247.157 297.415 5 40563
297.42 347.509 5 10132122
347.658 347.661 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 150.524 0 29362
150.524 282.299 0 29362
282.299 394.948 0 29362
0.01349 100.44 1 15113984
100.44 202.247 1 15113984
202.247 307.317 1 15113984
0.019479 134.078 2 40563
134.078 246.555 2 40563
246.555 347.58 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-threads-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario mixed"
  set title "threads: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:402.847]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
