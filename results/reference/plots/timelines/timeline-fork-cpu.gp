# timeline-fork-cpu: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-fork-cpu.gp` to redraw.
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
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,474 font "DejaVu Sans,10" } else { set terminal svg size 1200,474 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario cpu"
  set title "fork: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:470.341]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27818" 3, "server: child process 27817" 4, "server: child process 27819" 5)
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
