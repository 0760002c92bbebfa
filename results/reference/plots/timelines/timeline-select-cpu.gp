# timeline-select-cpu: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-select-cpu.gp` to redraw.
$chart0 << EOD
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
$chart0_served << EOD
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
$chart0_waiting << EOD
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
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,406 font "DejaVu Sans,10" } else { set terminal svg size 1200,406 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario cpu"
  set title "select: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:919.628]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3)
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
