# timeline-select-io: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-select-io.gp` to redraw.
$chart0 << EOD
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
$chart0_served << EOD
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
$chart0_waiting << EOD
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
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,508 font "DejaVu Sans,10" } else { set terminal svg size 1200,508 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario io"
  set title "select: WORK 0 100 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:307.427]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3, "I/O timer of client 1" 4, "I/O timer of client 2" 5, "I/O timer of client 3" 6)
  set xlabel "time since the first request was sent (ms)"
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
  unset multiplot
  set output
}
