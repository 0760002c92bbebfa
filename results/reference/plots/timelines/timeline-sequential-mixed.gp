# timeline-sequential-mixed: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-sequential-mixed.gp` to redraw.
$chart0 << EOD
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
$chart0_served << EOD
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
$chart0_waiting << EOD
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
  set output sprintf("timeline-sequential-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario mixed"
  set title "sequential: WORK 50000 50 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:922.019]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
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
