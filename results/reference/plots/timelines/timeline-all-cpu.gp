# timeline-all-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-all-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
1.16917 192.094 5 40563
192.217 398.467 5 40563
398.533 399.144 5 10132122
399.151 499.241 5 40563
499.317 500 5 10132122
500.065 500.067 5 10132122
0.335198 114.551 3 15113984
114.651 114.709 3 10132122
114.714 256.843 3 15113984
256.948 371.7 3 15113984
371.753 371.798 3 10132122
371.844 371.846 3 10132122
0.452488 233.169 4 29362
236.076 441.471 4 29362
441.572 561.37 4 29362
561.454 561.496 4 10132122
561.541 561.543 4 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 234.653 0 29362
234.653 441.548 0 29362
441.548 561.465 0 29362
0.012989 114.688 1 15113984
114.688 256.923 1 15113984
256.924 371.766 1 15113984
0.019038 192.197 2 40563
192.197 399.104 2 40563
399.104 499.935 2 40563
EOD
$chart1 << EOD
# start_ms end_ms row colour
0.036655 0.040881 3 14540253
0.073109 0.075853 3 14540253
0.076904 0.083875 3 10132122
0.085838 100.165 3 29362
100.247 100.253 3 10132122
100.256 200.329 3 15113984
200.406 200.412 3 10132122
200.414 300.416 3 40563
300.491 300.499 3 14540253
300.502 300.508 3 10132122
300.51 400.513 3 29362
400.587 400.594 3 10132122
400.596 500.611 3 15113984
500.684 500.691 3 14540253
500.693 500.698 3 10132122
500.7 600.727 3 29362
600.785 600.792 3 10132122
600.813 700.834 3 40563
700.92 700.93 3 14540253
700.931 700.939 3 10132122
700.976 700.979 3 10132122
700.98 801.026 3 15113984
801.11 801.12 3 14540253
801.151 801.154 3 10132122
801.156 901.159 3 40563
901.243 901.251 3 14540253
901.252 901.258 3 10132122
901.283 901.285 3 14540253
901.31 901.312 3 14540253
901.313 901.315 3 10132122
901.329 901.331 3 14540253
901.336 901.372 3 14540253
901.373 901.374 3 14540253
EOD
$chart1_requests << EOD
# start_ms end_ms row colour
0 100.248 0 29362
100.248 400.649 0 29362
400.649 602.071 0 29362
0.01327 200.438 1 15113984
200.438 500.724 1 15113984
500.725 801.141 1 15113984
0.019229 302.083 2 40563
302.083 700.969 2 40563
700.969 901.283 2 40563
EOD
$chart2 << EOD
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
$chart2_requests << EOD
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
$chart3 << EOD
# start_ms end_ms row colour
1.96395 102.224 4 15113984
102.31 102.353 4 10132122
102.359 250.729 4 15113984
250.787 252.204 4 10132122
252.209 475.613 4 15113984
475.667 477.216 4 10132122
477.25 477.252 4 10132122
1.96394 235.531 3 40563
235.607 237.06 3 10132122
237.062 461.589 3 40563
461.662 463.073 3 10132122
463.08 569.554 3 40563
569.623 569.709 3 10132122
569.741 569.744 3 10132122
2.66325 236.229 5 29362
236.243 236.291 5 10132122
236.296 344.238 5 29362
344.354 494.519 5 29362
494.601 494.689 5 10132122
494.74 494.743 5 10132122
EOD
$chart3_requests << EOD
# start_ms end_ms row colour
0 236.269 0 29362
236.269 344.328 0 29362
344.328 494.63 0 29362
0.017145 102.336 1 15113984
102.336 250.804 1 15113984
250.804 477.189 1 15113984
0.023985 236.279 2 40563
236.279 461.698 2 40563
461.698 569.653 2 40563
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
  set xrange [0:925.788]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 24357" 3, "server: child process 24356" 4, "server: child process 24358" 5)
  unset xlabel
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "select: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:925.788]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3)
  unset xlabel
  plot $chart1 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart1_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "sequential: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:925.788]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  unset xlabel
  plot $chart2 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart2_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  set title "threads: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:925.788]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 2" 3, "server: client thread 1" 4, "server: client thread 0" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart3 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart3_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}
