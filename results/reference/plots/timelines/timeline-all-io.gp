# timeline-all-io: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-all-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.530929 0.532331 5 40563
0.532451 100.663 5 10082503
100.768 100.772 5 10082503
100.78 100.781 5 40563
100.782 201.103 5 10082503
201.122 201.158 5 10082503
201.163 201.164 5 40563
201.165 301.261 5 10082503
301.32 301.478 5 10082503
302.09 302.093 5 10082503
0.376249 0.378913 3 15113984
0.379534 100.552 3 16112025
100.635 100.669 3 16112025
100.674 100.675 3 15113984
100.676 200.894 3 16112025
201.024 201.026 3 15113984
201.027 301.339 3 16112025
301.35 301.549 3 16112025
301.572 301.574 3 16112025
0.430249 0.431741 4 29362
0.432613 100.797 4 10078176
100.823 100.86 4 10078176
100.862 100.863 4 29362
100.864 201.002 4 10078176
201.085 201.131 4 10078176
201.14 201.141 4 29362
201.142 301.564 4 10078176
301.586 301.61 4 10078176
301.651 301.68 4 10078176
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.430249 100.848 0 29362
100.848 201.1 0 29362
201.1 301.596 0 29362
0.376249 100.655 1 15113984
100.655 200.996 1 15113984
201.024 301.511 1 15113984
0.530929 100.766 2 40563
100.768 201.135 2 40563
201.135 301.378 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.430249 0 29362
100.848 100.848 0 29362
201.1 201.1 0 29362
0.012409 0.376249 1 15113984
100.655 100.655 1 15113984
200.996 201.024 1 15113984
0.018377 0.530929 2 40563
100.766 100.768 2 40563
201.135 201.135 2 40563
EOD
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart1 << EOD
# start_ms end_ms row colour
0.028432 0.032238 3 14540253
0.033309 0.043454 3 10078176
0.046329 0.04747 3 29362
0.048322 0.050695 3 16112025
0.050996 0.052057 3 15113984
0.052258 0.054391 3 10082503
0.054561 0.055623 3 40563
0.056103 100.293 3 14540253
100.454 100.543 3 14540253
100.545 100.549 3 10078176
100.551 100.553 3 29362
100.554 100.557 3 16112025
100.557 100.558 3 15113984
100.576 100.58 3 10082503
100.58 100.582 3 40563
100.582 200.794 3 14540253
200.902 200.966 3 14540253
200.968 200.971 3 10078176
200.974 200.976 3 29362
200.977 200.98 3 16112025
200.98 200.981 3 15113984
200.982 200.984 3 10082503
200.984 200.985 3 40563
200.986 301.203 3 14540253
301.302 301.498 3 14540253
301.499 301.503 3 10078176
301.543 301.545 3 16112025
301.558 301.56 3 10082503
301.572 301.575 3 14540253
0.048161 100.311 4 10078176
0.052187 100.311 5 16112025
0.055693 100.311 6 10082503
100.554 200.801 4 10078176
100.576 200.801 5 16112025
100.582 200.801 6 10082503
200.977 301.212 4 10078176
200.981 301.212 5 16112025
200.986 301.212 6 10082503
EOD
$chart1_served << EOD
# start_ms end_ms row colour
0.033309 100.501 0 29362
100.545 200.924 0 29362
200.968 301.349 0 29362
0.048322 100.515 1 15113984
100.554 200.94 1 15113984
200.977 301.382 1 15113984
0.052258 100.524 2 40563
100.576 200.953 2 40563
200.982 301.399 2 40563
EOD
$chart1_waiting << EOD
# start_ms end_ms row colour
0 0.033309 0 29362
100.501 100.545 0 29362
200.924 200.968 0 29362
0.011177 0.048322 1 15113984
100.515 100.554 1 15113984
200.94 200.977 1 15113984
0.017727 0.052258 2 40563
100.524 100.576 2 40563
200.953 200.982 2 40563
EOD
$chart1_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart2 << EOD
# start_ms end_ms row colour
0.00287 0.026495 3 10078176
0.032554 0.033986 3 29362
0.034567 100.232 3 10078176
100.324 100.362 3 10078176
100.368 100.37 3 29362
100.371 200.574 3 10078176
200.633 200.664 3 10078176
200.668 200.669 3 29362
200.671 300.932 3 10078176
301.049 301.051 3 10078176
301.101 301.103 3 15113984
301.103 401.25 3 16112025
401.312 401.335 3 16112025
401.34 401.341 3 15113984
401.342 501.59 3 16112025
501.651 501.684 3 16112025
501.708 501.71 3 15113984
501.711 601.905 3 16112025
602.01 602.012 3 16112025
602.061 602.063 3 40563
602.063 702.238 3 10082503
702.299 702.322 3 10082503
702.327 702.328 3 40563
702.329 802.546 3 10082503
802.627 802.628 3 40563
802.629 902.85 3 10082503
902.91 903.042 3 10082503
903.07 903.071 3 10082503
EOD
$chart2_served << EOD
# start_ms end_ms row colour
0.00287 100.345 0 29362
100.346 200.647 0 29362
200.647 300.992 0 29362
301.101 401.323 1 15113984
401.323 501.664 1 15113984
501.664 601.962 1 15113984
602.061 702.31 2 40563
702.31 802.603 2 40563
802.627 902.938 2 40563
EOD
$chart2_waiting << EOD
# start_ms end_ms row colour
0 0.00287 0 29362
100.346 100.346 0 29362
200.647 200.647 0 29362
0.018117 301.101 1 15113984
401.323 401.323 1 15113984
501.664 501.664 1 15113984
0.024236 602.061 2 40563
702.31 702.31 2 40563
802.603 802.627 2 40563
EOD
$chart2_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart3 << EOD
# start_ms end_ms row colour
0.159417 0.16181 4 15113984
0.162922 100.304 4 16112025
100.373 100.413 4 16112025
100.417 100.418 4 15113984
100.419 200.632 4 16112025
200.759 200.761 4 15113984
200.762 300.958 4 16112025
301.021 301.098 4 16112025
301.114 301.257 4 16112025
0.155255 0.156768 3 29362
0.157489 100.426 3 10078176
100.445 100.481 3 10078176
100.483 100.484 3 29362
100.484 200.61 3 10078176
200.678 200.726 3 10078176
200.733 200.734 3 29362
200.735 300.964 3 10078176
301.029 301.121 3 10078176
301.157 301.159 3 10078176
0.185801 0.187143 5 40563
0.187453 100.341 5 10082503
100.414 100.415 5 40563
100.416 200.69 5 10082503
200.701 200.768 5 10082503
200.771 200.773 5 40563
200.773 301.042 5 10082503
301.053 301.301 5 10082503
301.315 301.333 5 10082503
EOD
$chart3_served << EOD
# start_ms end_ms row colour
0.155255 100.469 0 29362
100.469 200.702 0 29362
200.702 301.051 0 29362
0.159417 100.389 1 15113984
100.389 200.721 1 15113984
200.759 301.086 1 15113984
0.185801 100.402 2 40563
100.414 200.732 2 40563
200.732 301.286 2 40563
EOD
$chart3_waiting << EOD
# start_ms end_ms row colour
0 0.155255 0 29362
100.469 100.469 0 29362
200.702 200.702 0 29362
0.01388 0.159417 1 15113984
100.389 100.389 1 15113984
200.721 200.759 1 15113984
0.019999 0.185801 2 40563
100.402 100.414 2 40563
200.732 200.732 2 40563
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
  set output sprintf("timeline-all-io.%s", format)
  set multiplot layout 4,1 title "The same scenario (io) on every model, one time axis"
  set title "fork: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.997]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27823" 3, "server: child process 27822" 4, "server: child process 27824" 5)
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
  set title "select: WORK 0 100 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:920.997]
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
  set title "sequential: WORK 0 100 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.997]
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
  set title "threads: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.997]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
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
