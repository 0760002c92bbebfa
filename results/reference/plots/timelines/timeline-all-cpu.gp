# timeline-all-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-all-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.386194 100.502 3 15113984
100.584 100.615 3 10132122
100.619 296.156 3 15113984
296.212 442.868 3 15113984
442.939 443.041 3 10132122
443.101 443.103 3 10132122
0.441115 199.896 4 29362
199.983 201.394 4 10132122
201.401 316.857 4 29362
316.997 450.822 4 29362
450.908 450.912 4 10132122
1.12444 153.055 5 40563
153.193 274.326 5 40563
274.384 274.424 5 10132122
274.429 461.026 5 40563
461.086 461.167 5 10132122
461.229 461.232 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 199.977 0 29362
199.977 316.97 0 29362
316.97 450.85 0 29362
0.011837 100.6 1 15113984
100.6 296.193 1 15113984
296.193 442.962 1 15113984
0.017977 153.17 2 40563
153.17 274.407 2 40563
274.407 461.118 2 40563
EOD
$chart1 << EOD
# start_ms end_ms row colour
0.04075 0.045897 3 14540253
0.04763 0.060169 3 10132122
0.063634 100.209 3 29362
100.328 100.336 3 10132122
100.343 200.346 3 15113984
200.463 200.471 3 10132122
200.474 300.558 3 40563
300.679 300.689 3 14540253
300.693 300.7 3 10132122
300.703 400.708 3 29362
400.812 400.821 3 10132122
400.824 500.854 3 15113984
500.951 500.962 3 14540253
500.963 500.971 3 10132122
500.974 600.978 3 29362
601.07 601.077 3 10132122
601.104 701.111 3 40563
701.208 701.219 3 14540253
701.227 701.235 3 10132122
701.277 701.281 3 10132122
701.282 801.286 3 15113984
801.362 801.371 3 14540253
801.403 801.408 3 10132122
801.409 901.412 3 40563
901.491 901.499 3 14540253
901.501 901.506 3 10132122
901.534 901.536 3 14540253
901.558 901.651 3 14540253
901.652 901.655 3 10132122
901.675 901.677 3 14540253
901.684 901.733 3 14540253
901.734 901.736 3 14540253
EOD
$chart1_requests << EOD
# start_ms end_ms row colour
0 100.331 0 29362
100.331 400.897 0 29362
400.897 601.154 0 29362
0.013259 200.511 1 15113984
200.511 501.063 1 15113984
501.063 801.5 1 15113984
0.019649 300.733 2 40563
300.733 701.312 2 40563
701.312 901.596 2 40563
EOD
$chart2 << EOD
# start_ms end_ms row colour
0 0.030275 3 10132122
0.034901 100.104 3 29362
100.185 100.255 3 10132122
100.261 200.285 3 29362
200.349 200.462 3 10132122
200.468 300.47 3 29362
300.541 300.677 3 10132122
300.727 300.729 3 10132122
300.78 400.793 3 15113984
400.853 400.889 3 10132122
400.894 500.896 3 15113984
500.963 501.095 3 10132122
501.1 601.159 3 15113984
601.224 601.367 3 10132122
601.396 601.398 3 10132122
601.446 701.449 3 40563
701.547 701.674 3 10132122
701.681 801.736 3 40563
801.792 801.876 3 10132122
801.881 901.901 3 40563
901.971 902.13 3 10132122
902.16 902.162 3 10132122
902.22 902.222 3 14540253
EOD
$chart2_requests << EOD
# start_ms end_ms row colour
0 100.207 0 29362
100.207 200.419 0 29362
200.419 300.619 0 29362
0.021872 400.858 1 15113984
400.858 501.042 1 15113984
501.042 601.306 1 15113984
0.028742 701.613 2 40563
701.613 801.825 2 40563
801.825 902.07 2 40563
EOD
$chart3 << EOD
# start_ms end_ms row colour
0.138966 100.352 3 15113984
100.446 266.316 3 15113984
266.377 266.424 3 10132122
266.429 366.567 3 15113984
366.639 366.727 3 10132122
366.755 366.757 3 10132122
0.148775 201.199 4 29362
201.256 201.262 4 10132122
201.268 385.076 4 29362
385.128 385.17 4 10132122
385.174 485.296 4 29362
485.368 485.515 4 10132122
485.587 485.59 4 10132122
0.85134 155.028 5 40563
155.155 270.588 5 40563
270.613 270.65 5 10132122
270.653 419.642 5 40563
419.792 419.796 5 10132122
EOD
$chart3_requests << EOD
# start_ms end_ms row colour
0 201.255 0 29362
201.255 385.152 0 29362
385.152 485.424 0 29362
0.012548 100.429 1 15113984
100.429 266.402 1 15113984
266.402 366.688 1 15113984
0.018597 155.133 2 40563
155.133 270.616 2 40563
270.616 419.72 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,1080 font "DejaVu Sans,10" } else { set terminal svg size 1200,1080 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-all-cpu.%s", format)
  set multiplot layout 4,1 title "The same scenario (cpu) on every model, one time axis"
  set title "fork: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27818" 3, "server: child process 27817" 4, "server: child process 27819" 5)
  unset xlabel
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "select: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3)
  unset xlabel
  plot $chart1 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart1_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "sequential: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  unset xlabel
  plot $chart2 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart2_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "threads: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 1" 3, "server: client thread 0" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart3 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart3_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
