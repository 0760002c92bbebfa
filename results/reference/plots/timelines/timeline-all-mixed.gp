# timeline-all-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-all-mixed.gp` to redraw.
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
$chart1 << EOD
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
$chart1_requests << EOD
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
$chart2 << EOD
# start_ms end_ms row colour
0.08129 50.19 3 29362
50.1994 100.297 3 10132122
100.368 100.399 3 10132122
100.404 150.442 3 29362
150.448 200.61 3 10132122
200.709 250.713 3 29362
250.719 300.856 3 10132122
300.923 300.995 3 10132122
301.027 301.029 3 10132122
301.15 351.172 3 15113984
351.179 402.103 3 10132122
402.176 404.963 3 10132122
404.974 457.033 3 15113984
457.04 507.184 3 10132122
507.269 507.344 3 10132122
507.351 557.413 3 15113984
557.419 607.561 3 10132122
607.645 607.725 3 10132122
607.764 607.766 3 10132122
607.825 657.883 3 40563
657.887 707.995 3 10132122
708.068 708.122 3 10132122
708.128 758.168 3 40563
758.17 808.293 3 10132122
808.353 809.195 3 10132122
809.201 859.238 3 40563
859.241 909.336 3 10132122
909.398 909.449 3 10132122
909.477 909.479 3 10132122
909.532 909.534 3 14540253
EOD
$chart2_requests << EOD
# start_ms end_ms row colour
0 100.386 0 29362
100.386 200.681 0 29362
200.681 300.953 0 29362
0.017576 403.804 1 15113984
403.804 507.284 1 15113984
507.284 607.666 1 15113984
0.025217 708.077 2 40563
708.077 809.15 2 40563
809.15 909.407 2 40563
EOD
$chart3 << EOD
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
$chart3_requests << EOD
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
  if (format eq "png") { set terminal pngcairo size 1200,1182 font "DejaVu Sans,10" } else { set terminal svg size 1200,1182 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-all-mixed.%s", format)
  set multiplot layout 4,1 title "The same scenario (mixed) on every model, one time axis"
  set title "fork: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:927.595]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 24367" 3, "server: child process 24366" 4, "server: child process 24368" 5)
  unset xlabel
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "select: WORK 50000 50 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:927.595]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  unset xlabel
  plot $chart1 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart1_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "sequential: WORK 50000 50 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:927.595]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  unset xlabel
  plot $chart2 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart2_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "threads: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:927.595]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart3 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart3_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
