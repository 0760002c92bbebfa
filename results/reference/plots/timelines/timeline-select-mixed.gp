# timeline-select-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-select-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.055278 0.059274 3 14540253
0.060976 0.067305 3 10132122
0.069839 52.1173 3 29362
52.1234 52.1349 3 10132122
52.1409 102.144 3 15113984
102.151 102.195 3 10132122
102.197 152.207 3 40563
152.327 152.413 3 14540253
152.415 152.419 3 10132122
152.421 202.424 3 29362
202.432 202.445 3 10132122
202.448 252.477 3 15113984
252.582 254.292 3 14540253
254.294 254.298 3 10132122
254.3 304.305 3 29362
304.313 304.327 3 10132122
304.33 354.333 3 40563
354.411 354.525 3 14540253
354.527 354.53 3 10132122
354.559 354.561 3 14540253
354.586 354.588 3 10132122
354.589 404.62 3 15113984
404.704 404.8 3 14540253
404.802 404.805 3 10132122
404.807 454.809 3 40563
454.884 455.037 3 14540253
455.038 455.042 3 10132122
455.067 455.069 3 14540253
455.095 504.931 3 14540253
505 505.085 3 14540253
505.086 505.09 3 10132122
505.116 505.119 3 14540253
505.134 505.185 3 14540253
505.185 505.187 3 14540253
52.1209 152.217 4 10132122
102.147 152.217 5 10132122
202.427 252.486 4 10132122
152.213 252.486 6 10132122
304.309 354.342 4 10132122
252.482 354.342 5 10132122
354.337 404.629 6 10132122
404.625 454.823 5 10132122
454.82 504.939 6 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 152.359 0 29362
152.359 254.247 0 29362
254.247 354.486 0 29362
0.016034 152.399 1 15113984
152.399 354.535 1 15113984
354.535 454.971 1 15113984
0.023656 254.274 2 40563
254.274 404.755 2 40563
404.755 505.046 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,458 font "DejaVu Sans,10" } else { set terminal svg size 1200,458 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario mixed"
  set title "select: WORK 50000 50 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:515.147]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
