# timeline-all-cpu: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-all-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.386194 100.502 3 15113984
100.584 100.615 3 16112025
100.619 296.156 3 15113984
296.212 442.868 3 15113984
442.939 443.041 3 16112025
443.101 443.103 3 16112025
0.441115 199.896 4 29362
199.983 201.394 4 10078176
201.401 316.857 4 29362
316.997 450.822 4 29362
450.908 450.912 4 10078176
1.12444 153.055 5 40563
153.193 274.326 5 40563
274.384 274.424 5 10082503
274.429 461.026 5 40563
461.086 461.167 5 10082503
461.229 461.232 5 10082503
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.441115 199.977 0 29362
199.983 316.97 0 29362
316.997 450.85 0 29362
0.386194 100.6 1 15113984
100.6 296.193 1 15113984
296.212 442.962 1 15113984
1.12444 153.17 2 40563
153.193 274.407 2 40563
274.407 461.118 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.441115 0 29362
199.977 199.983 0 29362
316.97 316.997 0 29362
0.011837 0.386194 1 15113984
100.6 100.6 1 15113984
296.193 296.212 1 15113984
0.017977 1.12444 2 40563
153.17 153.193 2 40563
274.407 274.407 2 40563
EOD
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart1 << EOD
# start_ms end_ms row colour
0.04075 0.045897 3 14540253
0.04763 0.060169 3 10078176
0.063634 100.209 3 29362
100.328 100.336 3 16112025
100.343 200.346 3 15113984
200.463 200.471 3 10082503
200.474 300.558 3 40563
300.679 300.689 3 14540253
300.693 300.7 3 10078176
300.703 400.708 3 29362
400.812 400.821 3 16112025
400.824 500.854 3 15113984
500.951 500.962 3 14540253
500.963 500.971 3 10078176
500.974 600.978 3 29362
601.07 601.077 3 10082503
601.104 701.111 3 40563
701.208 701.219 3 14540253
701.227 701.235 3 10078176
701.277 701.281 3 16112025
701.282 801.286 3 15113984
801.362 801.371 3 14540253
801.403 801.408 3 10082503
801.409 901.412 3 40563
901.491 901.499 3 14540253
901.501 901.506 3 16112025
901.534 901.536 3 14540253
901.558 901.651 3 14540253
901.652 901.655 3 10082503
901.675 901.677 3 14540253
901.684 901.733 3 14540253
901.734 901.736 3 14540253
EOD
$chart1_served << EOD
# start_ms end_ms row colour
0.04763 100.331 0 29362
300.693 400.897 0 29362
500.963 601.154 0 29362
100.328 200.511 1 15113984
400.812 501.063 1 15113984
701.277 801.5 1 15113984
200.463 300.733 2 40563
601.07 701.312 2 40563
801.403 901.596 2 40563
EOD
$chart1_waiting << EOD
# start_ms end_ms row colour
0 0.04763 0 29362
100.331 300.693 0 29362
400.897 500.963 0 29362
0.013259 100.328 1 15113984
200.511 400.812 1 15113984
501.063 701.277 1 15113984
0.019649 200.463 2 40563
300.733 601.07 2 40563
701.312 801.403 2 40563
EOD
$chart1_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart2 << EOD
# start_ms end_ms row colour
0 0.030275 3 10078176
0.034901 100.104 3 29362
100.185 100.255 3 10078176
100.261 200.285 3 29362
200.349 200.462 3 10078176
200.468 300.47 3 29362
300.541 300.677 3 10078176
300.727 300.729 3 10078176
300.78 400.793 3 15113984
400.853 400.889 3 16112025
400.894 500.896 3 15113984
500.963 501.095 3 16112025
501.1 601.159 3 15113984
601.224 601.367 3 16112025
601.396 601.398 3 16112025
601.446 701.449 3 40563
701.547 701.674 3 10082503
701.681 801.736 3 40563
801.792 801.876 3 10082503
801.881 901.901 3 40563
901.971 902.13 3 10082503
902.16 902.162 3 10082503
902.22 902.222 3 14540253
EOD
$chart2_served << EOD
# start_ms end_ms row colour
0 100.207 0 29362
100.207 200.419 0 29362
200.419 300.619 0 29362
300.78 400.858 1 15113984
400.858 501.042 1 15113984
501.042 601.306 1 15113984
601.446 701.613 2 40563
701.613 801.825 2 40563
801.825 902.07 2 40563
EOD
$chart2_waiting << EOD
# start_ms end_ms row colour
0 0 0 29362
100.207 100.207 0 29362
200.419 200.419 0 29362
0.021872 300.78 1 15113984
400.858 400.858 1 15113984
501.042 501.042 1 15113984
0.028742 601.446 2 40563
701.613 701.613 2 40563
801.825 801.825 2 40563
EOD
$chart2_unsplit << EOD
# start_ms end_ms row colour
EOD
$chart3 << EOD
# start_ms end_ms row colour
0.138966 100.352 3 15113984
100.446 266.316 3 15113984
266.377 266.424 3 16112025
266.429 366.567 3 15113984
366.639 366.727 3 16112025
366.755 366.757 3 16112025
0.148775 201.199 4 29362
201.256 201.262 4 10078176
201.268 385.076 4 29362
385.128 385.17 4 10078176
385.174 485.296 4 29362
485.368 485.515 4 10078176
485.587 485.59 4 10078176
0.85134 155.028 5 40563
155.155 270.588 5 40563
270.613 270.65 5 10082503
270.653 419.642 5 40563
419.792 419.796 5 10082503
EOD
$chart3_served << EOD
# start_ms end_ms row colour
0.148775 201.255 0 29362
201.256 385.152 0 29362
385.152 485.424 0 29362
0.138966 100.429 1 15113984
100.446 266.402 1 15113984
266.402 366.688 1 15113984
0.85134 155.133 2 40563
155.155 270.616 2 40563
270.616 419.72 2 40563
EOD
$chart3_waiting << EOD
# start_ms end_ms row colour
0 0.148775 0 29362
201.255 201.256 0 29362
385.152 385.152 0 29362
0.012548 0.138966 1 15113984
100.429 100.446 1 15113984
266.402 266.402 1 15113984
0.018597 0.85134 2 40563
155.133 155.155 2 40563
270.616 270.616 2 40563
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
  if (format eq "png") { set terminal pngcairo size 1200,1190 font "DejaVu Sans,10" } else { set terminal svg size 1200,1190 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-all-cpu.%s", format)
  set multiplot layout 4,1 title "The same scenario (cpu) on every model, one time axis"
  set title "fork: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27818" 3, "server: child process 27817" 4, "server: child process 27819" 5)
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
  set title "select: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3)
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
  set title "sequential: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.111]
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
  set title "threads: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 1" 3, "server: client thread 0" 4, "server: client thread 2" 5)
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
