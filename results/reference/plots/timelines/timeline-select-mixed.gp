# timeline-select-mixed: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-select-mixed.gp` to redraw.
$chart0 << EOD
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
$chart0_served << EOD
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
$chart0_waiting << EOD
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
  set output sprintf("timeline-select-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario mixed"
  set title "select: WORK 50000 50 16, three clients"
  set yrange [6.5:-0.5]
  set xrange [0:512.637]
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
