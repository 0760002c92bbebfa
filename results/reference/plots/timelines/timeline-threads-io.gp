# timeline-threads-io: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-threads-io.gp` to redraw.
$chart0 << EOD
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
$chart0_served << EOD
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
$chart0_waiting << EOD
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
  set output sprintf("timeline-threads-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario io"
  set title "threads: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:307.312]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 0" 3, "server: client thread 1" 4, "server: client thread 2" 5)
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
