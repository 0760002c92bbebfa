# timeline-all-mixed: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-all-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
1.36227 76.2517 5 40563
76.257 126.351 5 10082503
126.431 127.399 5 10082503
127.406 200.983 5 40563
200.986 251.08 5 10082503
251.135 251.251 5 10082503
251.257 314.674 5 40563
314.679 364.872 5 10082503
364.961 365.092 5 10082503
365.182 365.229 5 10082503
0.494264 50.5665 3 15113984
50.5721 100.686 3 16112025
100.788 100.833 3 16112025
100.839 174.649 3 15113984
174.652 224.786 3 16112025
224.852 225.016 3 16112025
225.023 289.106 3 15113984
289.11 339.194 3 16112025
339.335 339.337 3 16112025
0.678428 75.3322 4 29362
75.3402 125.494 4 10078176
125.659 175.75 4 29362
175.762 225.887 4 10078176
225.941 225.981 4 10078176
225.988 276.121 4 29362
276.125 326.351 4 10078176
326.428 326.482 4 10078176
326.526 326.566 4 10078176
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.678428 125.632 0 29362
125.659 225.96 0 29362
225.96 326.459 0 29362
0.494264 100.814 1 15113984
100.814 224.928 1 15113984
224.928 339.273 1 15113984
1.36227 126.443 2 40563
126.443 251.178 2 40563
251.178 365.005 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.678428 0 29362
125.632 125.659 0 29362
225.96 225.96 0 29362
0.012819 0.494264 1 15113984
100.814 100.814 1 15113984
224.928 224.928 1 15113984
0.018748 1.36227 2 40563
126.443 126.443 2 40563
251.178 251.178 2 40563
EOD
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart1 << EOD
# start_ms end_ms row colour
0.019369 0.022985 3 14540253
0.024036 0.034151 3 10078176
0.036946 50.8658 3 29362
50.8754 50.8888 3 14540253
50.8951 50.9059 3 16112025
50.9091 100.913 3 15113984
100.921 100.935 3 10082503
100.938 150.941 3 40563
151.061 151.235 3 14540253
151.237 151.243 3 10078176
151.245 201.248 3 29362
201.256 201.269 3 16112025
201.271 251.276 3 15113984
251.43 251.626 3 14540253
251.628 251.634 3 10078176
251.637 301.64 3 29362
301.649 301.666 3 10082503
301.67 351.676 3 40563
351.769 351.956 3 14540253
351.958 351.965 3 10078176
352.012 352.016 3 16112025
352.016 402.021 3 15113984
402.114 402.124 3 14540253
402.171 402.205 3 14540253
402.206 402.209 3 10082503
402.214 452.237 3 40563
452.354 452.52 3 14540253
452.522 452.526 3 16112025
452.559 452.563 3 14540253
452.594 502.414 3 14540253
502.501 502.642 3 14540253
502.643 502.648 3 10082503
502.691 502.739 3 14540253
502.755 502.757 3 14540253
50.869 150.954 4 10078176
100.917 150.954 5 16112025
201.252 251.288 4 10078176
150.951 251.288 6 10082503
301.644 351.685 4 10078176
251.281 351.685 5 16112025
351.68 402.029 6 10082503
402.025 452.247 5 16112025
452.242 502.422 6 10082503
EOD
$chart1_served << EOD
# start_ms end_ms row colour
0.024036 151.139 0 29362
151.237 251.554 0 29362
251.628 351.885 0 29362
50.8951 151.221 1 15113984
201.256 351.943 1 15113984
352.012 452.458 1 15113984
100.921 251.61 2 40563
301.649 402.175 2 40563
402.206 502.585 2 40563
EOD
$chart1_waiting << EOD
# start_ms end_ms row colour
0 0.024036 0 29362
151.139 151.237 0 29362
251.554 251.628 0 29362
0.019289 50.8951 1 15113984
151.221 201.256 1 15113984
351.943 352.012 1 15113984
0.02691 100.921 2 40563
251.61 301.649 2 40563
402.175 402.206 2 40563
EOD
$chart1_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart2 << EOD
# start_ms end_ms row colour
0.015417 50.0892 3 29362
50.0983 100.225 3 10078176
100.32 100.369 3 10078176
100.375 150.419 3 29362
150.429 200.553 3 10078176
200.638 200.697 3 10078176
200.703 250.746 3 29362
250.75 300.886 3 10078176
300.975 301.071 3 10078176
301.131 301.133 3 10078176
301.184 351.207 3 15113984
351.211 401.345 3 16112025
401.427 401.517 3 16112025
401.524 452.494 3 15113984
452.499 502.646 3 16112025
502.721 502.822 3 16112025
502.844 552.883 3 15113984
552.886 603.031 3 16112025
603.105 603.165 3 16112025
603.191 603.193 3 16112025
603.242 653.255 3 40563
653.262 703.369 3 10082503
703.454 753.457 3 40563
753.46 803.601 3 10082503
803.66 803.71 3 10082503
803.719 853.735 3 40563
853.737 903.86 3 10082503
903.927 904.059 3 10082503
904.089 904.091 3 10082503
EOD
$chart2_served << EOD
# start_ms end_ms row colour
0.015417 100.329 0 29362
100.329 200.647 0 29362
200.647 301.013 0 29362
301.184 401.462 1 15113984
401.462 502.762 1 15113984
502.762 603.123 1 15113984
603.242 703.437 2 40563
703.454 803.672 2 40563
803.672 903.94 2 40563
EOD
$chart2_waiting << EOD
# start_ms end_ms row colour
0 0.015417 0 29362
100.329 100.329 0 29362
200.647 200.647 0 29362
0.011126 301.184 1 15113984
401.462 401.462 1 15113984
502.762 502.762 1 15113984
0.017536 603.242 2 40563
703.437 703.454 2 40563
803.672 803.672 2 40563
EOD
$chart2_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart3 << EOD
# start_ms end_ms row colour
0.137619 75.3969 3 29362
75.4055 125.587 3 10078176
125.681 125.727 3 10078176
125.732 192.587 3 29362
192.589 242.685 3 10078176
242.742 243.123 3 10078176
243.131 301.149 3 29362
301.152 351.253 3 10078176
351.282 351.302 3 10078176
351.332 351.431 3 10078176
0.150173 50.371 4 40563
50.3781 100.483 4 10082503
100.589 100.626 4 10082503
100.632 150.689 4 40563
150.694 200.789 4 10082503
200.854 201.025 4 10082503
201.032 259.437 4 40563
259.439 309.597 4 10082503
309.685 309.933 4 10082503
310.006 310.009 4 10082503
0.813193 76.0605 5 15113984
76.0648 126.996 5 16112025
127.024 127.049 5 16112025
127.053 192.502 5 15113984
192.508 242.657 5 16112025
242.731 242.797 5 16112025
242.803 292.855 5 15113984
292.86 342.997 5 16112025
343.076 343.214 5 16112025
343.273 343.276 5 16112025
EOD
$chart3_served << EOD
# start_ms end_ms row colour
0.137619 125.712 0 29362
125.712 242.762 0 29362
242.762 351.29 0 29362
0.813193 127.033 1 15113984
127.033 242.783 1 15113984
242.783 343.135 1 15113984
0.150173 100.61 2 40563
100.611 200.942 2 40563
200.942 309.817 2 40563
EOD
$chart3_waiting << EOD
# start_ms end_ms row colour
0 0.137619 0 29362
125.712 125.712 0 29362
242.762 242.762 0 29362
0.014001 0.813193 1 15113984
127.033 127.033 1 15113984
242.783 242.783 1 15113984
0.02038 0.150173 2 40563
100.611 100.611 2 40563
200.942 200.942 2 40563
EOD
$chart3_unsplit << EOD
# start_ms end_ms row colour
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,1292 font "DejaVu Sans,10" } else { set terminal svg size 1200,1292 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-all-mixed.%s", format)
  set multiplot layout 4,1 title "The same scenario (mixed) on every model, one time axis"
  set title "fork: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:922.019]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27828" 3, "server: child process 27827" 4, "server: child process 27829" 5)
  unset xlabel
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_served using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.700000 noborder lc rgb variable notitle, \
       $chart0_waiting using (($1+$2)/2):($4==29362?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" notitle, \
       $chart0_waiting using (($1+$2)/2):($4==15113984?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#E69F00" lc rgb "#E69F00" notitle, \
       $chart0_waiting using (($1+$2)/2):($4==40563?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#009E73" lc rgb "#009E73" notitle, \
       keyentry with boxes fs solid 1.0 lc rgb "#0072B2" title "server: CPU for a client (its colour)", \
       keyentry with boxes fs solid 1.0 lc rgb "#99C7E0" title "server: waiting on a client (its tint)", \
       keyentry with boxes fs solid 1.0 lc rgb "#DDDDDD" title "server: waiting for any client", \
       keyentry with boxes fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" title "request: waiting to be served", \
       keyentry with boxes fs transparent solid 0.700000 noborder lc rgb "#0072B2" title "request: being served"
  set title "select: WORK 50000 50 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:922.019]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  unset xlabel
  plot $chart1 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart1_served using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.700000 noborder lc rgb variable notitle, \
       $chart1_waiting using (($1+$2)/2):($4==29362?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" notitle, \
       $chart1_waiting using (($1+$2)/2):($4==15113984?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#E69F00" lc rgb "#E69F00" notitle, \
       $chart1_waiting using (($1+$2)/2):($4==40563?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#009E73" lc rgb "#009E73" notitle, \
       keyentry with boxes fs solid 1.0 lc rgb "#0072B2" title "server: CPU for a client (its colour)", \
       keyentry with boxes fs solid 1.0 lc rgb "#99C7E0" title "server: waiting on a client (its tint)", \
       keyentry with boxes fs solid 1.0 lc rgb "#DDDDDD" title "server: waiting for any client", \
       keyentry with boxes fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" title "request: waiting to be served", \
       keyentry with boxes fs transparent solid 0.700000 noborder lc rgb "#0072B2" title "request: being served"
  set title "sequential: WORK 50000 50 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:922.019]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  unset xlabel
  plot $chart2 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart2_served using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.700000 noborder lc rgb variable notitle, \
       $chart2_waiting using (($1+$2)/2):($4==29362?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" notitle, \
       $chart2_waiting using (($1+$2)/2):($4==15113984?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#E69F00" lc rgb "#E69F00" notitle, \
       $chart2_waiting using (($1+$2)/2):($4==40563?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#009E73" lc rgb "#009E73" notitle, \
       keyentry with boxes fs solid 1.0 lc rgb "#0072B2" title "server: CPU for a client (its colour)", \
       keyentry with boxes fs solid 1.0 lc rgb "#99C7E0" title "server: waiting on a client (its tint)", \
       keyentry with boxes fs solid 1.0 lc rgb "#DDDDDD" title "server: waiting for any client", \
       keyentry with boxes fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" title "request: waiting to be served", \
       keyentry with boxes fs transparent solid 0.700000 noborder lc rgb "#0072B2" title "request: being served"
  set title "threads: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:922.019]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 2" 4, "server: client thread 1" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart3 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart3_served using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.700000 noborder lc rgb variable notitle, \
       $chart3_waiting using (($1+$2)/2):($4==29362?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" notitle, \
       $chart3_waiting using (($1+$2)/2):($4==15113984?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#E69F00" lc rgb "#E69F00" notitle, \
       $chart3_waiting using (($1+$2)/2):($4==40563?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#009E73" lc rgb "#009E73" notitle, \
       keyentry with boxes fs solid 1.0 lc rgb "#0072B2" title "server: CPU for a client (its colour)", \
       keyentry with boxes fs solid 1.0 lc rgb "#99C7E0" title "server: waiting on a client (its tint)", \
       keyentry with boxes fs solid 1.0 lc rgb "#DDDDDD" title "server: waiting for any client", \
       keyentry with boxes fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" title "request: waiting to be served", \
       keyentry with boxes fs transparent solid 0.700000 noborder lc rgb "#0072B2" title "request: being served"
  unset multiplot
  set output
}
