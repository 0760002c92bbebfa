# timeline-fork-mixed: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-fork-mixed.gp` to redraw.
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
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,474 font "DejaVu Sans,10" } else { set terminal svg size 1200,474 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario mixed"
  set title "fork: WORK 50000 50 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:372.305]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27828" 3, "server: child process 27827" 4, "server: child process 27829" 5)
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
